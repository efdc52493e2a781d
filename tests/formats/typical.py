"""Typical records of every format, for the tests that each format claims its own records
and no other's (format detection reads records one at a time, so this matrix is its contract)."""

from __future__ import annotations

from typing import Any

#: (the format a record belongs to, a label for test ids, the record).
TYPICAL: list[tuple[str, str, dict[str, Any]]] = [
    ("alpaca", "alpaca", {"instruction": "Add 2 and 2.", "input": "", "output": "4"}),
    ("alpaca", "alpaca", {"instruction": "Add.", "input": "2+2", "output": "4"}),
    (
        "alpaca",
        "alpaca-preference",
        {"instruction": "Greet.", "input": "", "chosen": "Hello", "rejected": "Go away"},
    ),
    (
        "bedrock-claude",
        "bedrock-claude",
        {
            "system": "Be brief.",
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
        },
    ),
    (
        "bedrock-conversation",
        "bedrock-conversation",
        {
            "schemaVersion": "bedrock-conversation-2024",
            "messages": [
                {"role": "user", "content": [{"text": "Hi"}]},
                {"role": "assistant", "content": [{"text": "Hello"}]},
            ],
        },
    ),
    (
        "bedrock-conversation",
        "bedrock-conversation",
        {
            "schemaVersion": "bedrock-conversation-2024",
            "system": [{"text": "Be brief."}],
            "messages": [
                {"role": "user", "content": [{"text": "Hi"}]},
                {"role": "assistant", "content": [{"text": "Hello"}]},
            ],
        },
    ),
    (
        "bedrock-rft",
        "bedrock-rft",
        {
            "messages": [
                {"role": "system", "content": "Solve step by step."},
                {"role": "user", "content": "2+2?"},
            ],
            "reference_answer": {"final_answer": "4"},
            "task_id": "t1",
        },
    ),
    (
        "bedrock-rft",
        "bedrock-rft",
        {"messages": [{"role": "user", "content": "2+2?"}], "reference_answer": "4"},
    ),
    (
        "openai-chat",
        "gemini-in-openai-shape",
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "model", "content": "Hello"}]},
    ),
    (
        "openai-chat",
        "openai-chat",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ]
        },
    ),
    (
        "openai-chat",
        "openai-chat-parts",
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                {"role": "assistant", "content": "Paris."},
            ]
        },
    ),
    (
        "openai-chat",
        "openai-chat-parts",
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Hi"},
                        {"type": "image_url", "image_url": {"url": "https://x/cat.png"}},
                    ],
                },
                {"role": "assistant", "content": "A cat."},
            ]
        },
    ),
    (
        "openai-chat",
        "openai-chat-tools",
        {
            "messages": [
                {"role": "user", "content": "What is the capital of France?"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "capital", "arguments": '{"country": "France"}'},
                        }
                    ],
                },
            ],
            "tools": [{"type": "function", "function": {"name": "capital"}}],
        },
    ),
    (
        "openai-chat",
        "openai-chat-weight",
        {
            "messages": [
                {"role": "user", "content": "What is the capital of France?"},
                {"role": "assistant", "content": "Paris.", "weight": 1},
            ]
        },
    ),
    (
        "openai-preference",
        "openai-preference",
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}]},
            "preferred_output": [{"role": "assistant", "content": "Hello"}],
            "non_preferred_output": [{"role": "assistant", "content": "Go"}],
        },
    ),
    (
        "openai-preference",
        "openai-preference",
        {
            "input": {"messages": [{"role": "user", "content": "What is the capital of France?"}]},
            "preferred_output": [{"role": "assistant", "content": "Paris."}],
            "non_preferred_output": [{"role": "assistant", "content": "Rome."}],
        },
    ),
    (
        "openai-rft",
        "openai-rft",
        {"messages": [{"role": "user", "content": "2+2?"}], "answer": "4"},
    ),
    ("prompt-completion", "prompt-completion", {"prompt": "2+2=", "completion": "4"}),
    (
        "sharegpt",
        "sharegpt",
        {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]},
    ),
    (
        "sharegpt",
        "sharegpt-multimodal",
        {
            "messages": [
                {"role": "user", "content": "<image>Who?"},
                {"role": "assistant", "content": "Paris."},
            ],
            "images": ["a.jpg"],
        },
    ),
    (
        "sharegpt",
        "sharegpt-preference",
        {
            "conversations": [{"from": "human", "value": "Hi"}],
            "chosen": {"from": "gpt", "value": "Hello"},
            "rejected": {"from": "gpt", "value": "Go away"},
        },
    ),
    ("text", "text", {"text": "The sky is blue."}),
    (
        "trl-conversational",
        "trl-conversational",
        {
            "prompt": [{"role": "user", "content": "Hi"}],
            "completion": [{"role": "assistant", "content": "Hello"}],
        },
    ),
    (
        "trl-conversational",
        "trl-conversational",
        {
            "prompt": [{"role": "user", "content": "What is the capital of France?"}],
            "completion": [{"role": "assistant", "content": "Paris."}],
        },
    ),
    (
        "trl-conversational",
        "trl-conversational-half",
        {"prompt": "Hi", "completion": [{"role": "assistant", "content": "Hello"}]},
    ),
    ("trl-kto", "trl-kto", {"prompt": "The sky is", "completion": " blue.", "label": True}),
    (
        "trl-kto",
        "trl-kto",
        {
            "messages": [
                {"role": "user", "content": "What is the capital of France?"},
                {"role": "assistant", "content": "Paris."},
            ],
            "label": True,
        },
    ),
    (
        "trl-kto",
        "trl-kto",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
            "label": True,
        },
    ),
    (
        "trl-kto",
        "trl-kto",
        {
            "prompt": [{"role": "user", "content": "Hi"}],
            "completion": [{"role": "assistant", "content": "Hello"}],
            "label": True,
        },
    ),
    (
        "trl-kto",
        "trl-kto-messages",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
            "label": False,
        },
    ),
    (
        "trl-preference",
        "trl-preference",
        {"prompt": "The sky is", "chosen": " blue.", "rejected": " green."},
    ),
    (
        "trl-preference",
        "trl-preference",
        {
            "prompt": [{"role": "user", "content": "What is the capital of France?"}],
            "chosen": [{"role": "assistant", "content": "Paris."}],
            "rejected": [{"role": "assistant", "content": "Rome."}],
        },
    ),
    (
        "trl-preference",
        "trl-preference",
        {"chosen": "The sky is blue.", "rejected": "The sky is green."},
    ),
    (
        "trl-preference",
        "trl-preference",
        {
            "prompt": [{"role": "user", "content": "Hi"}],
            "chosen": [{"role": "assistant", "content": "Hello"}],
            "rejected": [{"role": "assistant", "content": "Go away"}],
        },
    ),
    (
        "vertex-gemini",
        "vertex-gemini",
        {
            "contents": [
                {"role": "user", "parts": [{"text": "Hi"}]},
                {"role": "model", "parts": [{"text": "Hello"}]},
            ]
        },
    ),
    ("vertex-gemini", "vertex-gemini", {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}),
    (
        "vertex-gemini-preference",
        "vertex-gemini-preference",
        {
            "system_instruction": {"parts": [{"text": "You are a chat bot."}]},
            "contents": [{"role": "user", "parts": [{"text": "What is my favorite fruit?"}]}],
            "completions": [
                {"score": 1, "completion": {"role": "model", "parts": [{"text": "Apple!"}]}},
                {"score": 0, "completion": {"role": "model", "parts": [{"text": "An apple."}]}},
            ],
        },
    ),
]

# LLaMA-Factory v1 samples and TRL's prompt-only, stepwise, vision and tool records.
TYPICAL.extend([
    (
        "llamafactory-v1",
        "llamafactory-v1",
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "value": "hi"}], "loss_weight": 0.0},
                {
                    "role": "assistant",
                    "content": [{"type": "text", "value": "Hello!"}],
                    "loss_weight": 1.0,
                },
            ]
        },
    ),
    (
        "llamafactory-v1",
        "llamafactory-v1-multimodal",
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "value": "data/1.jpg"},
                        {"type": "text", "value": "Who are they?"},
                    ],
                },
                {"role": "assistant", "content": [{"type": "text", "value": "Two players."}]},
            ]
        },
    ),
    (
        "llamafactory-v1",
        "llamafactory-v1-tools",
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "value": "Weather in Paris?"}]},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "reasoning", "value": "I should call the tool."},
                        {
                            "type": "tool_call",
                            "value": '{"name": "get_weather", "arguments": {"city": "Paris"}}',
                        },
                    ],
                },
            ],
            "tools": '[{"type": "function", "function": {"name": "get_weather"}}]',
        },
    ),
    (
        "llamafactory-v1-preference",
        "llamafactory-v1-preference",
        {
            "chosen_messages": [
                {"role": "user", "content": [{"type": "text", "value": "Hi"}], "loss_weight": 0.0},
                {
                    "role": "assistant",
                    "content": [{"type": "text", "value": "Hello"}],
                    "loss_weight": 1.0,
                },
            ],
            "rejected_messages": [
                {"role": "user", "content": [{"type": "text", "value": "Hi"}], "loss_weight": 0.0},
                {
                    "role": "assistant",
                    "content": [{"type": "text", "value": "Go"}],
                    "loss_weight": 1.0,
                },
            ],
        },
    ),
    ("trl-prompt-only", "trl-prompt-only", {"prompt": "The sky is"}),
    (
        "trl-prompt-only",
        "trl-prompt-only",
        {"prompt": [{"role": "user", "content": "What color is the sky?"}]},
    ),
    (
        "trl-prompt-only",
        "trl-prompt-only-reward-column",
        {"prompt": [{"role": "user", "content": "2+2?"}], "answer": "4"},
    ),
    (
        "trl-prompt-only",
        "trl-prompt-only-vision",
        {
            "prompt": [
                {
                    "role": "user",
                    "content": [{"type": "image"}, {"type": "text", "text": "What is this?"}],
                }
            ],
            "images": ["https://example.com/cat.png"],
        },
    ),
    (
        "trl-stepwise",
        "trl-stepwise",
        {
            "prompt": "Which number is larger, 9.8 or 9.11?",
            "completions": ["The fractional part of 9.8 is 0.8.", "Hence, 9.11 > 9.8."],
            "labels": [True, False],
        },
    ),
    (
        "trl-conversational",
        "trl-conversational-vision",
        {
            "prompt": [
                {
                    "role": "user",
                    "content": [{"type": "image"}, {"type": "text", "text": "What is this?"}],
                }
            ],
            "completion": [{"role": "assistant", "content": [{"type": "text", "text": "A cat."}]}],
            "images": ["https://example.com/cat.png"],
        },
    ),
    (
        "trl-conversational",
        "trl-conversational-tools",
        {
            "prompt": [{"role": "user", "content": "Weather in Paris?"}],
            "completion": [
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": {"city": "Paris"}},
                        }
                    ],
                }
            ],
            "tools": [{"type": "function", "function": {"name": "get_weather"}}],
        },
    ),
    (
        "trl-preference",
        "trl-preference-vision",
        {
            "prompt": "What do you see in this image?",
            "images": ["https://example.com/landscape.png"],
            "chosen": [{"role": "assistant", "content": "Mountains and a lake."}],
            "rejected": [{"role": "assistant", "content": "A car."}],
        },
    ),
])

#: (format, label): records of another format that a format also reads, by design. Claude on
#: Bedrock takes OpenAI-shaped messages with string content; an RFT record is a chat that
#: ends with the user, and any role name is left for the shape to judge; Bedrock and OpenAI
#: RFT records are told apart by the target, not by their keys.
OVERLAPS = frozenset(
    {
        ("bedrock-claude", "openai-chat"),
        ("bedrock-claude", "gemini-in-openai-shape"),
        ("openai-chat", "openai-rft"),
        # Bedrock's RFT records are OpenAI RFT records with a reference answer.
        ("bedrock-rft", "openai-rft"),
        ("openai-rft", "bedrock-rft"),
        ("openai-chat", "bedrock-rft"),
    }
)
