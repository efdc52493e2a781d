"""The trainer's view (SPEC §8a): chat templates, training masks and trainer profiles.

Nothing here is imported by ``import ftdata``; jinja2 and the tokenizer packages are imported
inside the functions that need them.
"""
