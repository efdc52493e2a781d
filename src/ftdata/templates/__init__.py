"""The trainer's view: chat templates, loss masks, length policies and trainer profiles.

Nothing here is imported by ``import ftdata``; heavy libraries load inside the functions that
need them.
"""
