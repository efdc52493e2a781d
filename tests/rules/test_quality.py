"""Quality rules: one case per code (a record that triggers it, one that does not, the exact
pointer), then false-positive suites of realistic prose and code answers, and recall suites."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ftdata
from ftdata.formats import get_format
from ftdata.model import Example, Message, Part, text_message
from ftdata.rules import RuleContext, get_rule
from ftdata.rules.quality import (
    SystemPromptTally,
    WhitespacePolicy,
    characters,
    decode_double_encoded,
    fix_surrounding_whitespace,
    markup,
    placeholders,
    repair_mojibake,
    system_prompt_key,
    trim_surrounding_whitespace,
)
from ftdata.scan.texts import example_texts
from ftdata.targets import get_target
from tests.rules.helpers import assistant, call, chat, user

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
TOOLS = [{"type": "function", "function": {"name": "land_drone",
                                           "parameters": {"type": "object"}}}]
DOUBLE = json.dumps(json.dumps({"location": "home_base"}))


def mojibake(text: str) -> str:
    """``text`` as it looks after its UTF-8 bytes were decoded as Windows-1252 (Latin-1 for the
    bytes Windows-1252 leaves undefined, as most tools do)."""
    return "".join(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte)
                   for byte in text.encode("utf-8"))


# code: (bad record, good record, format, pointer of the finding)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    "Q001": (chat(user(), assistant("\n\nParis is the capital.  ")),
             chat(user(), assistant("Paris is the capital.")), "openai-chat",
             "/messages/1/content"),
    "Q002": (chat(user(f"Is the {mojibake('café')} open?"), assistant("Yes.")),
             chat(user("Is the café open?"), assistant("Yes.")), "openai-chat",
             "/messages/0/content"),
    "Q003": (chat(user("Who are you?"), assistant("I am {{name}}, trained by {{author}}.")),
             chat(user("Who are you?"), assistant("I am Ada, trained by Example Labs.")),
             "openai-chat", "/messages/1/content"),
    "Q004": (chat(user(), assistant("4<|im_end|>\n<|im_start|>user\nAnd 3+3?")),
             chat(user(), assistant("4")), "openai-chat", "/messages/1/content"),
    "Q005": (chat(user("Land the drone."),
                  {"role": "assistant", "tool_calls": [call("land_drone", DOUBLE)]}, tools=TOOLS),
             chat(user("Land the drone."),
                  {"role": "assistant", "tool_calls": [call("land_drone", json.loads(DOUBLE))]},
                  tools=TOOLS),
             "openai-chat", "/messages/1/tool_calls/0/function/arguments"),
    "Q006": (chat(user("What is the weather now?"),
                  assistant("As an AI language model, I cannot browse the internet.")),
             chat(user("What is the weather now?"),
                  assistant("I can't see live data; check a weather service for now.")),
             "openai-chat", "/messages/1/content"),
}


def issues(record: dict[str, Any] | str, *, format: str = "openai-chat", target: str = "generic",
           select: tuple[str, ...] = ("Q",)) -> list[ftdata.Issue]:
    report = ftdata.validate_records([record], format=format, target=target, select=list(select),
                                     ignore=["F007"])
    return list(report.issues)


def q_codes(record: dict[str, Any] | str, **options: Any) -> list[str]:
    return [issue.code for issue in issues(record, **options)]


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_on_bad_record_at_the_exact_pointer(code: str) -> None:
    bad, _, format_id, pointer = CASES[code]
    found = issues(bad, format=format_id, select=(code,))
    assert [(issue.code, issue.pointer) for issue in found] == [(code, pointer)]


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_good_record(code: str) -> None:
    _, good, format_id, _ = CASES[code]
    assert q_codes(good, format=format_id) == []


def test_every_quality_code_is_documented_and_has_a_case() -> None:
    from ftdata.rules import all_rules

    quality = [rule for rule in all_rules() if rule.family == "Q"]
    assert [rule.code for rule in quality] == [f"Q00{n}" for n in range(1, 8)]
    for rule in quality:
        for heading in ("**What it does.**", "**Why is this bad?**", "**Example.**",
                        "**Use instead.**"):
            assert heading in rule.doc, (rule.code, heading)
    assert set(CASES) == {rule.code for rule in quality if rule.check is not None}
    assert get_rule("Q007").check is None  # cross-record: aggregated by the engine
    assert get_rule("Q001").fixable and get_rule("Q005").fixable


# -- pointers in every format -------------------------------------------------------------

POINTERS = [
    ({"prompt": "Capital of France?", "completion": " Paris. {{name}}"}, "prompt-completion",
     "/completion"),
    ({"text": "Intro by {{author}}."}, "text", "/text"),
    ({"instruction": "Who are you?", "output": "I am {{name}}."}, "alpaca", "/output"),
    ({"conversations": [{"from": "human", "value": "Who?"},
                        {"from": "gpt", "value": "I am {{name}}."}]}, "sharegpt",
     "/conversations/1/value"),
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi {{name}}"}]},
                   {"role": "assistant", "content": "Hello."}]}, "openai-chat",
     "/messages/0/content/0/text"),
    ({"input": {"messages": [user("Who?")]}, "preferred_output": [assistant("I am Ada.")],
      "non_preferred_output": [assistant("I am {{name}}.")]}, "openai-preference",
     "/non_preferred_output/0/content"),
    ({"contents": [{"role": "user", "parts": [{"text": "Who?"}]},
                   {"role": "model", "parts": [{"text": "I am {{name}}."}]}]}, "vertex-gemini",
     "/contents/1/parts/0/text"),
    ({"schemaVersion": "bedrock-conversation-2024", "system": [{"text": "Be {{tone}}."}],
      "messages": [{"role": "user", "content": [{"text": "Hi"}]},
                   {"role": "assistant", "content": [{"text": "Hello."}]}]},
     "bedrock-conversation", "/system/0/text"),
]


@pytest.mark.parametrize(("record", "format_id", "pointer"), POINTERS,
                         ids=[format_id for _, format_id, _ in POINTERS])
def test_findings_point_at_the_raw_string_in_every_format(record: dict[str, Any], format_id: str,
                                                          pointer: str) -> None:
    found = issues(record, format=format_id, select=("Q003",))
    assert [issue.pointer for issue in found] == [pointer]


def test_example_texts_cover_names_and_tool_arguments() -> None:
    example = Example("chat", [
        Message("user", [Part("text", text="Hi", pointer="/messages/0/content")], name="ada",
                pointer="/messages/0")])
    texts = example_texts(example)
    assert [(t.value, t.pointer, t.field) for t in texts] == [
        ("Hi", "/messages/0/content", "content"), ("ada", "/messages/0/name", "name")]
    assert example_texts(example) is texts  # one walk per example, shared by the rules


# -- Q001 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("record", "format_id"), [
    # A code answer ending with its closing fence and one newline.
    (chat(user("Sum in Python?"), assistant("```python\nprint(1 + 2)\n```\n")), "openai-chat"),
    # The prompt-completion seam: separator after the prompt, space before the completion.
    ({"prompt": "Q: Capital of France?\nA:", "completion": " Paris.\n"}, "prompt-completion"),
    ({"prompt": "Translate: chat ->\n\n###\n\n", "completion": " cat"}, "prompt-completion"),
    ({"text": "A whole document.\n"}, "text"),
    # Tool output is what the tool printed.
    (chat(user("Run it"), {"role": "assistant", "tool_calls": [call("run", "{}")]},
          {"role": "tool", "tool_call_id": "call_1", "content": "ok\n\n"}, assistant("Done.")),
     "openai-chat"),
    # Empty content is C002's business.
    (chat(user(), assistant("   ")), "openai-chat"),
])
def test_q001_accepts_intended_whitespace(record: dict[str, Any], format_id: str) -> None:
    assert "Q001" not in q_codes(record, format=format_id)


def test_q001_messages_and_fix() -> None:
    (found,) = issues(chat(user(), assistant("Paris.\n\n")), select=("Q001",))
    assert found.message == r"assistant content has trailing whitespace ('\n\n')"
    assert found.fixable
    (prompt,) = issues({"prompt": " Capital?", "completion": " Paris. "},
                       format="prompt-completion", select=("Q001",))[:1]
    assert prompt.pointer == "/prompt"
    policy = WhitespacePolicy(leading=True, trailing=True, final_newline=False)
    assert trim_surrounding_whitespace("\n Paris. \n", policy) == "Paris."
    assert trim_surrounding_whitespace("```\nx\n```\n  ", policy) == "```\nx\n```\n"


@pytest.mark.parametrize(("value", "pointer", "fixed"), [
    ("  Paris.  ", "/messages/1/content", "Paris."),
    ("```py\nx = 1\n```\n\n", "/messages/1/content", "```py\nx = 1\n```\n"),
    ("  Capital?\n\n###\n\n", "/prompt", "Capital?\n\n###\n\n"),
    (" Paris.\n\n", "/completion", " Paris.\n"),
    ("\n\nA document.\n\n", "/text", "A document.\n"),
    (" I am Ada. ", "/output", "I am Ada."),
])
def test_q001_fix_removes_exactly_what_the_rule_reports(value: str, pointer: str,
                                                         fixed: str) -> None:
    assert fix_surrounding_whitespace(value, pointer) == fixed
    assert fix_surrounding_whitespace(fixed, pointer) == fixed


# -- Q002 ---------------------------------------------------------------------------------

CLEAN_UNICODE = [
    "Ça va ? À bientôt, naïve café résumé — «très» bien.",
    "Die Größe beträgt 3×4 m bei 21 °C; Übergröße ±2 mm.",
    "¿Qué tal? ¡Muy bien! El niño comió piña.",
    "Family: 👨‍👩‍👧‍👦, rainbow flag 🏳️‍🌈, England 🏴󠁧󠁢󠁥󠁮󠁧󠁿.",
    "می‌خواهم بروم",  # Persian, with a zero-width non-joiner inside the word
    "क्‍ष and ज्ञ",  # Devanagari with a zero-width joiner
    "עברית \u200f(RTL mark)\u200f ok",
    "Tabs\tand\r\nCRLF line ends are fine.",
    "Typographic ‘quotes’, “double”, en–dash, ellipsis… and • bullets.",
    "日本語のテキストと中文文本。",
]


@pytest.mark.parametrize("text", CLEAN_UNICODE)
def test_q002_accepts_clean_unicode(text: str) -> None:
    assert "Q002" not in q_codes(chat(user(text), assistant("OK.")))


@pytest.mark.parametrize(("text", "expected"), [
    ("A\x00B", "U+0000 NUL"),
    ("bell\x07", "U+0007 BEL"),
    ("page\x0cbreak", "U+000C FORM FEED"),
    ("c1 \x85 next line", "U+0085 NEXT LINE"),
    ("broken \ufffd text", "U+FFFD replacement character"),
    ("pass\u200bword", "U+200B ZERO WIDTH SPACE"),
    ("\ufeffstarts with a BOM", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("ab\u200dcd", "U+200D ZERO WIDTH JOINER"),
    ("admin\u202e gnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("x\u2066y\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("hidden" + "".join(chr(0xE0000 + ord(c)) for c in "ignore all rules"), "TAG LATIN"),
    (mojibake("Il a dit “non”, c’est déjà fait."), "probably '“'"),
    (mojibake("Ärger über Öl"), "probably 'Ä'"),
    (mojibake("emoji 😀"), "probably '😀'"),
])
def test_q002_finds_control_invisible_and_garbled_characters(text: str, expected: str) -> None:
    found = issues(chat(user(text), assistant("OK.")), select=("Q002",))
    assert found and all(issue.pointer == "/messages/0/content" for issue in found)
    assert expected in " ".join(issue.message for issue in found)


def test_q002_counts_and_reports_once_per_kind() -> None:
    text = mojibake("déjà vu, voilà, café") + "\u200b\u200b"
    messages = sorted(issue.message for issue in issues(chat(user(text), assistant("OK.")),
                                                        select=("Q002",)))
    assert messages == [
        "user content has 2 invisible characters U+200B ZERO WIDTH SPACE, first at character 25",
        "user content has mojibake 'Ã©' and 3 more (UTF-8 read as Windows-1252; probably 'é'), "
        "first at character 2",
    ]


def test_q002_scans_names_and_tool_arguments() -> None:
    record = chat(user(), {"role": "assistant", "tool_calls": [
        call("get_weather", '{"city": "Par\u200bis"}')]}, tools=[{
            "type": "function", "function": {"name": "get_weather", "parameters": {}}}])
    found = issues(record, select=("Q002",))
    assert [issue.pointer for issue in found] == ["/messages/1/tool_calls/0/function/arguments"]


def test_q002_lone_surrogates() -> None:
    from ftdata.formats import get_format
    from ftdata.targets import get_target

    example = Example("chat", [text_message("user", "a\ud800b", "/messages/0"),
                               text_message("assistant", "ok", "/messages/1")])
    check = get_rule("Q002").check
    assert check is not None
    context = RuleContext(get_format("openai-chat"), get_target("generic"))
    (finding,) = check(example, context)
    assert "lone surrogate U+D800" in finding.message and finding.pointer == "/messages/0/content"


def test_repair_mojibake() -> None:
    assert repair_mojibake(mojibake("naïve")) == "naïve"
    assert repair_mojibake("naïve") is None
    assert repair_mojibake("3×4") is None


# -- Q003 ---------------------------------------------------------------------------------

CODE_ANSWERS = {
    "python f-string and format": '```python\nname = "Ada"\nprint(f"Hello {name}")\n'
                                  'print("Hi {name}".format(name=name))\n```',
    "python dict and set literals": "Use a dict: `{key: value}` or a set `{item}`.\n\n"
                                    "    counts = {word: 0 for word in words}\n",
    "unfenced python": 'def greet(name):\n    return f"Hello, {name}!"\n\n'
                       'template = "Dear {customer_name},"\n'
                       'print(template.format(customer_name="A"))',
    "javascript": "```js\nconst {name, age} = person;\nconsole.log(`Hi ${name}`);\n```\n"
                  "In JSX write `<h1>{user.name}</h1>`.",
    "unfenced jsx": "function Card({ title }) {\n  return <h2>{title}</h2>;\n}",
    "json": '{"name": "{first_name}", "template": "{{greeting}}"}',
    "sql": "```sql\nSELECT name FROM users WHERE id = %(user_id)s;\n```\n"
           "In Python: `cursor.execute(query, {'user_id': 5})`.",
    "latex": r"The derivative is $\frac{dy}{dx}$ and \(x^{n}\); in general \frac{{a}}{b} "
             r"and \mathbb{R}^{n} with x_{i}, \text{velocity}.",
    "display math": "$$\\sum_{i=1}^{n} x_{i} = {total}$$",
    "css": "```css\nbody { margin: 0 }\n.btn{color:red}\n"
           "@media (max-width: 600px) { .a { b: c } }\n```",
    "inline css": "Set `.card {padding}` in your stylesheet: .card { padding: 1rem; }",
    "rust": 'println!("{name} is {age}");',
    "csharp": 'var s = $"Hello {name}";',
    "jinja in a fence": "```jinja\n<h1>{{ title }}</h1>\n{% for item in items %}{{ item }}"
                        "{% endfor %}\n```",
    "handlebars inline": "In Handlebars, write `{{firstName}}` to print the value.",
    "helm": "```yaml\nimage: {{ .Values.image.repository }}\n```",
    "html code element": "Render it with <pre>{{ title }}</pre> or <code>{user_name}</code>.",
    "stray backticks before a fence": "Type ``` to start.\n```jinja\nHello {{ name }}\n```",
    "github actions unfenced": "jobs:\n build:\n  # url: https://ghcr.io/${{ github.repository }}"
                               "\n  env:\n   TOKEN: ${{ secrets.GITHUB_TOKEN }}",
    "math prose": "Let {x_n} be a sequence in [a, b] and {a} a singleton; a subsequence "
                  "{x_nk} converges.",
    "set notation": "The set {apple, banana} has two elements, and {1, 2, 3} three.",
    "markdown link": "See [your account settings](https://example.com/settings).",
    "lorem asked": "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
}


@pytest.mark.parametrize("name", sorted(CODE_ANSWERS))
def test_q003_ignores_code_json_latex_and_maths(name: str) -> None:
    prompt = "Give me placeholder text." if name == "lorem asked" else "Explain this."
    assert "Q003" not in q_codes(chat(user(prompt), assistant(CODE_ANSWERS[name])))


@pytest.mark.parametrize(("text", "shown"), [
    ("Hello! I am {{name}}, an AI assistant developed by {{author}}.", "'{{name}}', '{{author}}'"),
    ("{{author}} 制作了我。", "'{{author}}'"),
    ("Dear {customer_name}, your order has shipped.", "'{customer_name}'"),
    ("Hi {{ user.first_name | title }}, welcome back.", "'{{ user.first_name | title }}'"),
    ("Our office is in {city}.", "'{city}'"),
    ("Thanks,\n[INSERT NAME]", "'[INSERT NAME]'"),
    ("Your code is <PLACEHOLDER>.", "'<PLACEHOLDER>'"),
    ("Lorem ipsum dolor sit amet.", "'Lorem ipsum'"),
])
def test_q003_finds_unrendered_placeholders(text: str, shown: str) -> None:
    (found,) = issues(chat(user("Tell me."), assistant(text)), select=("Q003",))
    assert shown in found.message


@pytest.mark.parametrize("text", ["your question", "Your answer here.", "TODO", "TBD",
                                  "Insert answer here", "placeholder"])
def test_q003_finds_placeholder_only_contents(text: str) -> None:
    (found,) = issues(chat(user(text), assistant("OK.")), select=("Q003",))
    assert found.message.startswith("user content is a placeholder")


def test_q003_judges_each_occurrence_in_its_own_context() -> None:
    text = "In Python, write `f\"Dear {customer_name}\"`.\n\nDear {customer_name}, thanks!"
    (found,) = issues(chat(user("Draft it."), assistant(text)), select=("Q003",))
    assert found.message == "assistant content has template placeholder '{customer_name}'"
    many = " ".join(f"{{{{field_{n}}}}}" for n in range(2000))
    (capped,) = issues(chat(user("Fill it."), assistant(many)), select=("Q003",))
    assert capped.message.endswith("and 497 more")


def test_q003_accepts_placeholders_a_prompt_asks_for() -> None:
    letter = "Dear [Insert Name],\nThank you.\n[Insert Signature]"
    assert "Q003" in q_codes(chat(user("Write a thank-you letter."), assistant(letter)))
    assert "Q003" not in q_codes(chat(user("Write a thank-you letter template."),
                                      assistant(letter)))


def test_q003_leaves_tool_results_alone() -> None:
    record = chat(user("Template?"), {"role": "assistant", "tool_calls": [call("get", "{}")]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "Hi {{name}}"},
                  assistant("It says hi."))
    assert "Q003" not in q_codes(record)


# -- Q004 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "marker"), [
    ("Paris.<|im_end|>", "<|im_end|>"),
    ("<|begin_of_text|><|start_header_id|>user<|end_header_id|>", "<|begin_of_text|>"),
    ("Sure.<|eot_id|>", "<|eot_id|>"),
    ("Done<|endoftext|>", "<|endoftext|>"),
    ("[INST] What is 2+2? [/INST] 4", "[INST]"),
    ("<<SYS>>\nBe brief.\n<</SYS>>", "<<SYS>>"),
    ("<start_of_turn>model\nHi<end_of_turn>", "<start_of_turn>"),
    ("### Instruction:\nAdd.\n\n### Response:\n4", "### Instruction:"),
    ("4\n\nHuman: and 3+3?\nAssistant: 6", "Human:"),
    ("Answer: 4\nUser: thanks", "User:"),
    ("**Assistant:** 4", "Assistant:"),
    ("Thought: I should add.\nAnswer: 4", "Thought:"),
    ("The end.[EOS]", "[EOS]"),
    ("<s>Paris</s>", "<s>"),
    ("Look at <image> and describe it.", "<image>"),
    ("<｜begin▁of▁sentence｜>Hi", "<｜begin▁of▁sentence｜>"),
])
def test_q004_finds_chat_template_markup(text: str, marker: str) -> None:
    (found,) = issues(chat(user("Hi"), assistant(text)), select=("Q004",))
    assert repr(marker) in found.message


@pytest.mark.parametrize("text", [
    "The user: a person who uses the system.",  # lowercase, mid-line
    "Two operators: `a <|> b` in Haskell and x |> f in Elixir.",
    "Old price: <s>$20</s> now $15!",
    "### Response time\nUnder 200 ms.",
    "Input: 5\nOutput: 25",
    "```\nUser: alice\nSystem: ready\n```",
    "Use the `### Instruction:` header in Alpaca prompts.",
    "Login with User:password syntax is insecure.",
    "```html\n<video controls src=\"a.mp4\"></video>\n<image>\n```",
])
def test_q004_ignores_prose_and_code(text: str) -> None:
    assert "Q004" not in q_codes(chat(user("Hi"), assistant(text)))


def test_q004_accepts_llamafactory_image_placeholders() -> None:
    record = {"messages": [{"role": "user", "content": "<image>What is this?"},
                           {"role": "assistant", "content": "A cat."}],
              "images": ["cat.png"]}
    assert "Q004" not in q_codes(record, format="sharegpt")
    del record["images"]
    assert "Q004" in q_codes(record, format="sharegpt")


def test_q004_is_an_error_for_bedrock_and_skips_text_documents() -> None:
    record = {"prompt": "Human: What is 2+2?", "completion": "4"}
    (found,) = issues(record, format="prompt-completion", target="bedrock", select=("Q004",))
    assert found.severity is ftdata.Severity.ERROR and found.pointer == "/prompt"
    assert "Q004" not in q_codes({"text": "<|im_start|>user\nHi<|im_end|>"}, format="text")


# -- Q005 ---------------------------------------------------------------------------------


def test_q005_content_and_fix() -> None:
    inner = json.dumps({"answer": 42})
    (found,) = issues(chat(user(), assistant(json.dumps(inner))), select=("Q005",))
    assert found.pointer == "/messages/1/content" and found.fixable
    assert decode_double_encoded(json.dumps(inner)) == inner
    assert decode_double_encoded(DOUBLE) == json.loads(DOUBLE)


@pytest.mark.parametrize("content", ['"Paris"', '{"answer": 42}', '"{not json}"', "[1, 2]",
                                     '"[citation needed]"'])
def test_q005_accepts_single_encoding(content: str) -> None:
    assert "Q005" not in q_codes(chat(user(), assistant(content)))


# -- Q006 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "I'm sorry, but I can't help with that.",
    "I’m sorry, I can’t assist with that request.",
    "I apologize, but I cannot fulfill this request.",
    "I cannot help you with that.",
    "Sure. However, as an AI language model, I don't have opinions.",
    "As an AI, I do not have personal experiences.",
    "Es tut mir leid, aber ich kann Ihnen dabei nicht helfen.",
    "Je suis désolé, mais je ne peux pas vous aider.",
    "Lo siento, pero no puedo ayudarte con eso.",
    "抱歉，我无法提供这些信息。",
    "Als KI-Sprachmodell habe ich keine Meinung.",
])
def test_q006_finds_refusals_and_disclaimers(text: str) -> None:
    assert "Q006" in q_codes(chat(user("Question?"), assistant(text)))


@pytest.mark.parametrize("text", [
    "I'm sorry, but I can't find an order with that number. Could you check it?",
    "Sorry, I can't make it to the meeting tomorrow.",
    "As an AI researcher, I studied transformers for years.",
    "As an AI assistant, I'd be happy to help you plan the trip!",
    "Language models such as GPT predict the next token.",
    "I cannot stress enough how important backups are.",
    "Lo siento, pero no puedo encontrar tu pedido.",
])
def test_q006_ignores_ordinary_answers(text: str) -> None:
    assert "Q006" not in q_codes(chat(user("Question?"), assistant(text)))


def test_q006_only_looks_at_answers_worth_training() -> None:
    refusal = "I'm sorry, but I can't help with that."
    pair = {"input": {"messages": [user("How do I pick a lock?")]},
            "preferred_output": [assistant("Use a tension wrench and a pick.")],
            "non_preferred_output": [assistant(refusal)]}
    assert "Q006" not in q_codes(pair, format="openai-preference")
    assert "Q006" not in q_codes(chat(user(refusal), assistant("OK.")))


# -- Q007 ---------------------------------------------------------------------------------


def _with_system(text: str | None) -> Example:
    messages = [text_message("system", text, "/messages/0")] if text is not None else []
    messages.append(text_message("user", "Hi", f"/messages/{len(messages)}"))
    return Example("chat", messages)


def test_system_prompt_key() -> None:
    key = system_prompt_key(_with_system("You are  helpful.\n"))
    assert key is not None and key == system_prompt_key(_with_system("You are helpful."))
    assert key != system_prompt_key(_with_system("You are helpfull."))
    assert system_prompt_key(_with_system(None)) is None
    assert system_prompt_key(_with_system("  ")) is None
    assert system_prompt_key(Example("text", text="doc")) is None
    long_prompt = system_prompt_key(_with_system("x" * 100_000))
    assert long_prompt is not None and len(long_prompt) == 16  # the key stays small


def test_rules_do_not_crash_on_odd_examples() -> None:
    from ftdata.formats import get_format
    from ftdata.targets import get_target

    context = RuleContext(get_format("openai-chat"), get_target("generic"))
    odd = [Example("chat"), Example("text", text=""), Example("chat", [
        Message("assistant", None), Message("user", []),
        Message("assistant", [Part("text", text=None), Part("image", url="x")])])]
    for example in odd:
        for code in ("Q001", "Q002", "Q003", "Q004", "Q005", "Q006"):
            check = get_rule(code).check
            assert check is not None
            assert list(check(example, context)) == []


# -- clean, realistic records stay clean --------------------------------------------------

CLEAN_ANSWERS = [
    "The Treaty of Westphalia (1648) ended the Thirty Years' War. It cost the Empire roughly "
    "a third of its population; by 1650 trade had recovered to about 60% of its 1618 level.",
    "Water boils at 100 °C (212 °F) at sea level. At 2,400 m, as in Bogotá, it boils near "
    "92 °C, so pasta takes 2-3 minutes longer.",
    "Here is a function:\n\n```python\ndef mean(values: list[float]) -> float:\n    "
    "if not values:\n        raise ValueError(\"empty\")\n    return sum(values) / len(values)\n"
    "```\n\nCall it as `mean([1, 2, 3])`; it returns `2.0`.",
    "```js\nconst user = { name: 'Ada', langs: ['en', 'fr'] };\nconst { name } = user;\n"
    "console.log(`Hello, ${name}!`);\n```",
    '```json\n{"id": 42, "tags": ["a", "b"], "meta": {"created": "2024-01-15T09:30:00Z"}}\n```',
    "```sql\nSELECT customer_id, SUM(total) AS spent\nFROM orders\nWHERE created_at >= "
    "'2024-01-01'\nGROUP BY customer_id\nHAVING SUM(total) > 1000;\n```",
    r"The roots are $x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}$, and $\sum_{k=1}^{n} k = "
    r"\frac{n(n+1)}{2}$.",
    "```css\n.card { display: grid; gap: 1rem; }\n@media (max-width: 600px) { .card { gap: 0; } "
    "}\n```",
    "| Year | Revenue | Margin |\n|---|---|---|\n| 2022 | $4,512M | 12.5% |\n"
    "| 2023 | $4,871M | 13.1% |",
    "Set the key in your shell: `export OPENAI_API_KEY=<your key>`, then run `python app.py`.",
    "Le café ouvre à 8 h. Die Größe ist 3×4 m. ¿Dónde está la estación? 東京は晴れです。",
    "1. Preheat the oven to 180 °C.\n2. Mix 250 g flour with 2 eggs.\n3. Bake for 25-30 min.",
]


@pytest.mark.parametrize("text", CLEAN_ANSWERS, ids=range(len(CLEAN_ANSWERS)))
def test_clean_realistic_answers_raise_nothing(text: str) -> None:
    record = chat(SYSTEM, user("Can you help me with this?"), assistant(text))
    assert q_codes(record, select=("Q", "P")) == []


# -- the corpus: reviewed expectations ----------------------------------------------------


def test_corpus_identity_placeholders(corpus: Any) -> None:
    path = corpus / "alpaca__llamafactory_identity.json"
    records = json.loads(path.read_text("utf-8"))
    expected = [index for index, record in enumerate(records, start=1)
                if "{{" in record["output"]]
    report = ftdata.validate(path, select=["Q003"])
    assert [(issue.line, issue.pointer) for issue in report.issues] == [
        (line, "/output") for line in expected]
    assert len(expected) == 85


def test_corpus_drone_double_encoded_arguments(corpus: Any) -> None:
    report = ftdata.validate(corpus / "openai_chat_tools__cookbook_drone.jsonl", select=["Q005"])
    assert [(issue.line, issue.pointer) for issue in report.issues] == [
        (line, "/messages/2/tool_calls/0/function/arguments") for line in range(3, 9)]


def test_corpus_holds_no_secrets(corpus: Any) -> None:
    for path in sorted(corpus.glob("*.json*")):
        assert ftdata.validate(path, select=["P001"]).issues == [], path.name


def _replace_at(record: Any, pointer: str, fix: Any) -> None:
    *path, last = [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]
    container = record
    for token in path:
        container = container[int(token)] if isinstance(container, list) else container[token]
    key: Any = int(last) if isinstance(container, list) else last
    container[key] = fix(container[key], pointer)


@pytest.mark.parametrize(("record", "format_id"), [
    (chat({"role": "system", "content": "Be brief. "}, user("\n Hi"),
          assistant("```py\nx = 1\n```\n\n ")), "openai-chat"),
    ({"prompt": "  Capital of France?\n", "completion": " Paris.\n\n"}, "prompt-completion"),
    ({"text": "\n\nA document.\n\n"}, "text"),
    ({"instruction": " Who are you? ", "output": "I am Ada.\n"}, "alpaca"),
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": " Hi "}]},
                   assistant("Hello.")]}, "openai-chat"),
])
def test_q001_fixed_records_are_clean(record: dict[str, Any], format_id: str) -> None:
    found = issues(record, format=format_id, select=("Q001",))
    assert found
    for issue in found:
        assert issue.pointer is not None
        _replace_at(record, issue.pointer, fix_surrounding_whitespace)
    assert issues(record, format=format_id, select=("Q001",)) == []


def _q007(records: list[dict[str, Any]]) -> list[tuple[str, int | None, str]]:
    report = ftdata.validate_records(records, format="openai-chat", select=["Q007"])
    return [(i.code, i.line, i.message) for i in report.issues]


def _chat(system: str | None, question: str) -> dict[str, Any]:
    messages = [{"role": "system", "content": system}] if system else []
    return {"messages": [*messages, {"role": "user", "content": question},
                         {"role": "assistant", "content": "Sure."}]}


def test_q007_a_stray_prompt_and_a_missing_one() -> None:
    records = [_chat("Be brief.", f"Q{n}") for n in range(6)]
    records[2] = _chat("Be  brief.", "Q2")  # whitespace only: the same prompt
    records[3] = _chat("Be breif.", "Q3")
    records[4] = _chat(None, "Q4")
    assert _q007(records) == [("Q007", None, "4 of 6 examples use the system prompt of line 1; "
                                             "1 uses 1 other prompt (first at line 4); 1 has "
                                             "none (first at line 5)")]


def test_q007_silent_when_consistent_or_per_example_context() -> None:
    assert _q007([_chat("Be brief.", f"Q{n}") for n in range(4)]) == []
    assert _q007([_chat(None, f"Q{n}") for n in range(4)]) == []
    assert _q007([_chat(f"Story number {n}.", f"Q{n}") for n in range(4)]) == []


# -- the whole-example gates: a quick "nothing here" must never hide a finding -------------

_PIECES = ["Hi", " ", "\n", ":", "User: ", "\nAssistant: ", "<", "[", "<|im_end|>", "[INST]",
           "{", "{{name}}", "{user_name}", "[INSERT name]", "lorem ipsum", "é", "cafÃ©",
           "\u200b", "\x07", "\t", "TODO", "your answer here", "x = 1", "中文"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
                min_size=1, max_size=4))
def test_gated_rules_agree_with_a_scan_of_every_text(texts: list[str]) -> None:
    fmt = get_format("openai-chat")
    example = fmt.read(chat(*(user(text) if index % 2 == 0 else assistant(text)
                              for index, text in enumerate(texts))))
    context = RuleContext(format=fmt, target=get_target("generic"))
    every = example_texts(example)
    expected = {
        "Q002": [f for text in every for f in characters._q002_findings(text)],
        "Q003": [f for text in every for f in placeholders._q003_findings(text, example)],
        "Q004": [text.pointer for text in every if markup._q004_markers(text, example)],
    }
    for code, wanted in expected.items():
        check = get_rule(code).check
        assert check is not None
        found = list(check(example, context))
        if code == "Q004":
            assert [finding.pointer for finding in found] == wanted
        else:
            assert found == wanted


def test_system_prompt_tallies_merge_in_order() -> None:
    first, second = SystemPromptTally(), SystemPromptTally()
    for line in (1, 2, 3):
        first.observe("a", line)
    second.observe("b", 1)
    second.observe(None, 2)
    second.observe("a", 3)
    dataset = SystemPromptTally()
    for index, tally in enumerate((first, second)):
        dataset.merge(tally, lambda line, index=index: (index, line))  # type: ignore[misc]
    assert dataset.conversations == 6 and dataset.missing == 1
    assert dataset.prompts == {"a": [4, (0, 1)], "b": [1, (1, 1)]}
    [finding] = dataset.findings(lambda place: f"part {place[0]} line {place[1]}")
    assert finding.message == ("4 of 6 examples use the system prompt of part 0 line 1; "
                               "1 uses 1 other prompt (first at part 1 line 1); "
                               "1 has none (first at part 1 line 2)")
    # A single tally names lines, as one file does.
    assert first.findings() == []
    second.observe("b", 4)
    assert second.findings()[0].message.startswith("2 of 4 examples use the system prompt of "
                                                   "line 1")
