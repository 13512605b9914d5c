"""Bounds on what one operation of a template may make: a number, a text or a list.

The sandbox keeps templates from Python's internals, not from asking one
operation for gigabytes or hours: `'x' * 10**10` asks for 10 GB at once,
`'x'.ljust(10**10)`, `'%10000000000s' % 'x'` or `'x'|center(10**10)` as much, and
`10 ** (10 ** 10)` minutes of arithmetic (Jinja even folds such constants while
it compiles the template, before a page is rendered).  A single operation of C
code cannot be interrupted, so the operands are looked at before it runs: the
size of its result is computed from them (a width, a count, the texts it joins)
and the operation is refused when that is larger than any page needs.  `*`, `**`
and `%` are intercepted (which also stops Jinja folding them at compile time),
the methods of a text that grow it are checked when a template calls them, the
filters that do are wrapped, and `str.format` formats through a formatter that
counts what it makes.
"""

from __future__ import annotations

import re
from functools import lru_cache, wraps
from types import BuiltinMethodType, MethodType

from jinja2.filters import make_attrgetter
from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter, SecurityError
from markupsafe import Markup, escape

# A number of more bits than this is more than 19,000 digits (Python prints at most 4,300).
MAX_NUMBER_BITS = 1 << 16
# A text or list made by one operation of more than this many characters or items.
MAX_REPEATED = 1_000_000

_REPEATABLE = (str, list, tuple)


def checked_binop(operator: str, left: object, right: object) -> None:
    """Raise SecurityError when `left operator right` would make a value past the bounds above."""
    if operator == "%":
        if isinstance(left, str):
            _refuse_text("%", len(left) + _percent_size(left, right))
    elif operator == "**":
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


def _refuse_text(name: str, size: int) -> None:
    if size > MAX_REPEATED:
        raise SecurityError(f"'{name}' would make a text of more than {MAX_REPEATED:,} characters")


def _refuse_list(name: str, size: object) -> None:
    if _is_int(size) and size > MAX_REPEATED:
        raise SecurityError(f"'{name}' would make a list of more than {MAX_REPEATED:,} items")


def _length(value: object) -> int:
    """Return the length of a text (what it adds to a result), 0 for anything else (a number prints short)."""
    return len(value) if isinstance(value, str) else 0


def _whole(value: object) -> int:
    """Return a width or count a template gave, 0 when it is not a whole number (Python refuses it then)."""
    return value if _is_int(value) and value > 0 else 0


# --- `%`: printf-style formats -------------------------------------------------------------------

# After `%` and its mapping key: flags, width, precision, length modifier and the conversion.
_PERCENT_SPEC = re.compile(r"[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)", re.S)


def _percent_size(fmt: str, values: object) -> int:
    """Return at most how many characters `fmt % values` adds to `fmt`: every width, precision and text."""
    queue = values if type(values) is tuple else (values,)
    taken, size = 0, 0
    plain = str.__str__(fmt)        # a Markup's slices are Markups again, each escaped and made anew
    for key, width, precision, conversion in (_percent_fields(plain) if len(plain) <= _CACHED_FORMAT
                                              else _percent_fields.__wrapped__(plain)):
        for number in (width, precision):
            if number == "*":
                size += _whole(queue[taken] if taken < len(queue) else 0)
                taken += 1
            elif number:
                size += int(number)
        if conversion != "%":
            if key is not None:
                value = values.get(key) if hasattr(values, "get") else None
            else:
                value = queue[taken] if taken < len(queue) else None
                taken += 1
            size += _length(value)
    return size


# A theme's `%` formats are a few constants used on every page (8,300 in a 1,000-notice build): each is read once.
# Only short ones are kept, so that a template cannot fill the cache with long texts it makes.
_CACHED_FORMAT = 200


@lru_cache(maxsize=256)
def _percent_fields(fmt: str) -> tuple[tuple[str | None, str | None, str | None, str], ...]:
    """Return the fields of a printf-style format, in order: (mapping key, width, precision, conversion)."""
    fields = []
    at = fmt.find("%")
    while at >= 0:
        at += 1
        key = None
        if fmt.startswith("(", at):
            # Python counts the parentheses inside a mapping key: '%(a(b))s' names 'a(b)'.
            depth, end = 1, at + 1
            while end < len(fmt) and depth:
                depth += {"(": 1, ")": -1}.get(fmt[end], 0)
                end += 1
            key, at = fmt[at + 1:end - 1], end
        spec = _PERCENT_SPEC.match(fmt, at)
        fields.append((key, *spec.groups()))
        at = fmt.find("%", spec.end())
    return tuple(fields)


# --- str.format and format_map -------------------------------------------------------------------

_NUMBERS = re.compile(r"\d+")


class _CountingFormatter:
    """A sandboxed formatter that counts what it makes, and refuses a field before it would pass the bound."""

    def vformat(self, format_string, args, kwargs):
        self.made = len(format_string)
        return super().vformat(format_string, args, kwargs)

    def format_field(self, value, format_spec):
        # Every number of the spec (width, precision; a nested `{}` is filled in by now) is at most
        # that many characters more.
        asked = sum(int(number) for number in _NUMBERS.findall(format_spec)) + _length(value)
        _refuse_text(self.name, self.made + asked)
        field = super().format_field(value, format_spec)
        self.made += len(field)
        return field


class _BoundedFormatter(_CountingFormatter, SandboxedFormatter):
    pass


class _BoundedEscapeFormatter(_CountingFormatter, SandboxedEscapeFormatter):
    pass


# --- Methods of a text ---------------------------------------------------------------------------

def _argument(args: tuple, kwargs: dict, at: int, name: str, default: object = None) -> object:
    return args[at] if len(args) > at else kwargs.get(name, default)


def _width_size(text: str, args: tuple, kwargs: dict) -> int:
    return _whole(_argument(args, kwargs, 0, "width"))


def _expandtabs_size(text: str, args: tuple, kwargs: dict) -> int:
    return len(text) + text.count("\t") * _whole(_argument(args, kwargs, 0, "tabsize", 8))


def _replace_size(text: str, args: tuple, kwargs: dict) -> int:
    old, new = _argument(args, kwargs, 0, "old"), _argument(args, kwargs, 1, "new")
    if not (isinstance(old, str) and isinstance(new, str)) or len(new) <= len(old):
        return len(text)
    found = text.count(old) if old else len(text) + 1
    count = _argument(args, kwargs, 2, "count", -1)
    if _is_int(count) and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


def _translate_size(text: str, args: tuple, kwargs: dict) -> int:
    table = _argument(args, kwargs, 0, "table")
    longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1) if isinstance(table, dict) else 1
    return len(text) * max(longest, 1)


def _join_size(separator: str, items: tuple) -> int:
    return sum(_length(item) for item in items) + len(separator) * max(len(items) - 1, 0)


# What each method of a text that can grow it makes at most, from its text and arguments.
_METHOD_SIZES = {
    "ljust": _width_size, "rjust": _width_size, "center": _width_size, "zfill": _width_size,
    "expandtabs": _expandtabs_size, "replace": _replace_size, "translate": _translate_size,
}
_METHODS = (BuiltinMethodType, MethodType)


def checked_call(method: object, args: tuple, kwargs: dict) -> tuple:
    """Return the arguments to call `method` with, once its result is known to stay within MAX_REPEATED;
    raise SecurityError otherwise.  Only a text's methods that grow it are looked at (`join`'s items are
    made a tuple first, so that an iterator is read once)."""
    if type(method) not in _METHODS:
        return args
    name = getattr(method, "__name__", None)
    text = getattr(method, "__self__", None)
    if not isinstance(text, str):
        return args
    if name == "join" and len(args) == 1 and not kwargs:
        items = tuple(args[0]) if type(args[0]) is not tuple else args[0]
        _refuse_text("join", _join_size(text, items))
        return (items,)
    size = _METHOD_SIZES.get(name)
    if size is not None:
        _refuse_text(name, size(text, args, kwargs))
    return args


# --- Filters ---------------------------------------------------------------------------------------

# What urlize writes around a link besides its address, text, target and rel: `<a href="https://"
# rel="" target=""></a>`, and the rel words it adds itself (nofollow, the policy's noopener).
_LINK_MARKUP = 64

def _bounded_filters(filters: dict, environment) -> dict:
    """Return Jinja's filters that grow a text or list, each refusing a result past the bounds before it works."""
    center, indent, wordwrap, join = filters["center"], filters["indent"], filters["wordwrap"], filters["join"]
    format_, replace, batch, slice_ = filters["format"], filters["replace"], filters["batch"], filters["slice"]
    tojson, sum_, urlize = filters["tojson"], filters["sum"], filters["urlize"]

    @wraps(center)
    def bounded_center(value, width=80):
        _refuse_text("center", _whole(width))
        return center(value, width)

    @wraps(indent)
    def bounded_indent(s, width=4, first=False, blank=False):
        indention = len(width) if isinstance(width, str) else _whole(width)
        if indention > 1:
            # One indent a line, and one more for the first; Python's splitlines says where lines end.
            lines = len(s.splitlines()) + 2 if isinstance(s, str) else 2
            _refuse_text("indent", _length(s) + lines * indention)
        return indent(s, width, first, blank)

    @wraps(wordwrap)
    def bounded_wordwrap(env, s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True):
        # Each line ends in the wrapstring, and a line holds at least one character of the text.
        if isinstance(wrapstring, str) and len(wrapstring) > 2 and isinstance(s, str):
            _refuse_text("wordwrap", len(s) + (len(s) + 1) * len(wrapstring))
        return wordwrap(env, s, width, break_long_words, wrapstring, break_on_hyphens)

    @wraps(join)
    def bounded_join(eval_ctx, value, d="", attribute=None):
        items = tuple(value)
        if attribute is not None:
            items = tuple(map(make_attrgetter(environment, attribute), items))
        _refuse_text("join", _join_size(str(d), items))
        return join(eval_ctx, items, d)

    @wraps(format_)
    def bounded_format(value, *args, **kwargs):
        if isinstance(value, str):
            _refuse_text("format", len(value) + _percent_size(value, kwargs or args))
        return format_(value, *args, **kwargs)

    @wraps(replace)
    def bounded_replace(eval_ctx, s, old, new, count=None):
        if isinstance(s, str):
            _refuse_text("replace", _replace_size(s, (old, new, -1 if count is None else count), {}))
        return replace(eval_ctx, s, old, new, count)

    @wraps(batch)
    def bounded_batch(value, linecount, fill_with=None):
        _refuse_list("batch", linecount)
        return batch(value, linecount, fill_with)

    @wraps(slice_)
    def bounded_slice(eval_ctx, value, slices, fill_with=None):
        _refuse_list("slice", slices)
        return slice_(eval_ctx, value, slices, fill_with)

    @wraps(tojson)
    def bounded_tojson(eval_ctx, value, indent=None):
        # json.dumps writes `indent` once per level on each line: the text indented by 0 and by 1 tell
        # how many lines there are and how many indents they hold, before any is made `indent` wide.
        step = len(indent) if isinstance(indent, str) else _whole(indent)
        if step > 1:
            lines = len(tojson(eval_ctx, value, 0))
            _refuse_text("tojson", lines + (len(tojson(eval_ctx, value, 1)) - lines) * step)
        return tojson(eval_ctx, value, indent)

    @wraps(sum_)
    def bounded_sum(env, iterable, attribute=None, start=0):
        if isinstance(start, (list, tuple)):
            items = tuple(iterable)
            if attribute is not None:
                items = tuple(map(make_attrgetter(environment, attribute), items))
            _refuse_list("sum", len(start) + sum(len(item) for item in items if isinstance(item, (list, tuple))))
            return sum_(env, items, None, start)
        return sum_(env, iterable, attribute, start)

    @wraps(urlize)
    def bounded_urlize(eval_ctx, value, trim_url_limit=None, nofollow=False, target=None, rel=None,
                       extra_schemes=None):
        # A target or rel is written, escaped, into every link, and a link is made of at most each word
        # of the text (twice: its address and its text); Jinja's own rel and target are a few words.
        if target is not None or rel is not None:
            text = value if isinstance(value, str) else str(value)
            attributes = sum(len(escape(given)) for given in (target, rel) if given is not None)
            _refuse_text("urlize", 2 * len(text) + len(text.split()) * (attributes + _LINK_MARKUP))
        return urlize(eval_ctx, value, trim_url_limit, nofollow, target, rel, extra_schemes)

    return {"center": bounded_center, "indent": bounded_indent, "wordwrap": bounded_wordwrap,
            "join": bounded_join, "format": bounded_format, "replace": bounded_replace, "batch": bounded_batch,
            "slice": bounded_slice, "tojson": bounded_tojson, "sum": bounded_sum, "urlize": bounded_urlize}


class BoundedOperators:
    """A sandbox mixin: `*`, `**` and `%`, the methods of a text that grow it, `str.format` and the filters
    that grow a text or list are checked before they run (one operation cannot ask for gigabytes)."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.update(_bounded_filters(self.filters, self))

    def call_binop(self, context, operator: str, left, right):
        """Run a template's `*`, `**` or `%` once its result is known to stay within the bounds."""
        checked_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):
        """Call `__obj` for a template, once a text's method that grows it is known to stay within the bounds."""
        # Jinja's own signature: the double underscores keep a template's keyword arguments apart.
        # Every call of a page comes here (macros, fmt, gettext): only a text's methods are looked
        # at, and the sandbox's own check follows in place rather than through super(), a frame less.
        if type(__obj) in _METHODS and isinstance(__obj.__self__, str):
            args = checked_call(__obj, args, kwargs)
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        return __context.call(__obj, *args, **kwargs)

    def wrap_str_format(self, value):
        """Return the sandbox's `str.format`/`format_map` of a text, formatting through a formatter that counts
        what it makes (SandboxedEnvironment.wrap_str_format, with that formatter)."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        text, name = value.__self__, value.__name__
        formatter = (_BoundedEscapeFormatter(self, escape=text.escape) if isinstance(text, Markup)
                     else _BoundedFormatter(self))
        formatter.name = name
        kind = type(text)

        @wraps(value)
        def bounded(*args, **kwargs):
            if name == "format_map":
                if kwargs:
                    raise TypeError("format_map() takes no keyword arguments")
                if len(args) != 1:
                    raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
                args, kwargs = (), args[0]
            return kind(formatter.vformat(text, args, kwargs))

        return bounded
