"""Bounds on what one operator of a template may make: a number, a text or a list.

The sandbox keeps templates from Python's internals, not from asking one
operation for gigabytes or hours: `'x' * 10**10` asks for 10 GB at once and
`10 ** (10 ** 10)` for minutes of arithmetic (Jinja even folds such constants
while it compiles the template, before a page is rendered).  A single operation
of C code cannot be interrupted, so the operands are looked at before it runs:
`*` and `**` are intercepted (which also stops Jinja folding them at compile time)
and refused when their result would be larger than any page needs.
"""

from __future__ import annotations

from jinja2.sandbox import SecurityError

# A number of more bits than this is more than 19,000 digits (Python prints at most 4,300).
MAX_NUMBER_BITS = 1 << 16
# A text or list repeated by `*` to more than this many characters or items.
MAX_REPEATED = 1_000_000

_REPEATABLE = (str, list, tuple)


def checked_binop(operator: str, left: object, right: object) -> None:
    """Raise SecurityError when `left operator right` would make a value past the bounds above."""
    if operator == "**":
        if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1 \
                and (abs(left).bit_length() - 1) * right > MAX_NUMBER_BITS:
            raise SecurityError(f"'**' would make a number of more than {MAX_NUMBER_BITS:,} bits")
    elif operator == "*":
        if _is_int(left) and _is_int(right):
            if abs(left).bit_length() + abs(right).bit_length() > MAX_NUMBER_BITS + 1:
                raise SecurityError(f"'*' would make a number of more than {MAX_NUMBER_BITS:,} bits")
        else:
            sequence, times = (left, right) if _is_int(right) else (right, left)
            if isinstance(sequence, _REPEATABLE) and _is_int(times) and len(sequence) * times > MAX_REPEATED:
                raise SecurityError(f"'*' would make a text or list of more than {MAX_REPEATED:,} "
                                    "characters or items")


def _is_int(value: object) -> bool:
    return isinstance(value, int)


class BoundedOperators:
    """A sandbox mixin: `*` and `**` are checked by checked_binop before they run."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator: str, left, right):
        """Run a template's `*` or `**` once its result is known to stay within the bounds."""
        checked_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)
