"""Whole numbers typed in YAML, read without asking Python for more than it gives.

`str.isdigit` says yes to '²' and to a string of 5,000 digits, on which `int()` raises
ValueError (not a decimal digit; more than Python's 4,300 digits): the build ended in
"internal error".  Numbers are read here from ASCII digits, and only up to 18 of them.
"""

from __future__ import annotations

MAX_DIGITS = 18


def whole_number(text: str) -> int | None:
    """Return the number `text` writes in ASCII digits (at most 18 of them), else None."""
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
