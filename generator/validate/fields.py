"""Reading typed values out of YAML nodes, reporting each problem at its node."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from generator.errors import ERROR, WARNING, SourceError
from generator.model import Text
from generator.read.yaml_nodes import Map, Node, Scalar, Seq, describe

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A web address's host: a name of letters (any script), digits, hyphens and dots, or [an IPv6 address].
HOST_NAME = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.?)+$|^\[[0-9A-Fa-f:.]+\]$")


def suggest(word: str, choices, cutoff: float = 0.6) -> str | None:
    """Return the choice closest to `word` (case-insensitively), or None."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    import difflib  # here: only a mistyped word needs it, and a rebuild that checks one notice has none

    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[close[0]] if close else None


def did_you_mean(word: str, choices) -> str | None:
    """Return a "did you mean" hint for a mistyped word, or None."""
    best = suggest(word, choices)
    return f"did you mean '{best}'?" if best else None


def quote_list(words, conjunction: str = "or") -> str:
    """Return words as a readable list: 'a', 'b' or 'c'."""
    words = [f"'{w}'" for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


@dataclass(slots=True)
class Problems:
    """Collects the problems of one file."""

    path: str
    items: list[SourceError] = field(default_factory=list)

    def error(self, node: Node | None, message: str, hint: str | None = None) -> None:
        """Record an error at a node (or the top of the file when node is None)."""
        line, column = (node.line, node.column) if node is not None else (1, 1)
        self.items.append(SourceError(self.path, line, column, message, hint, ERROR))

    def warning(self, node: Node | None, message: str, hint: str | None = None) -> None:
        """Record a warning at a node."""
        line, column = (node.line, node.column) if node is not None else (1, 1)
        self.items.append(SourceError(self.path, line, column, message, hint, WARNING))

    def count(self) -> int:
        """Return how many errors (not warnings) have been recorded."""
        return sum(1 for p in self.items if p.severity == ERROR)


def expect_map(node: Node | None, problems: Problems, what: str) -> Map | None:
    """Return the node as a mapping, or report what was found instead."""
    if isinstance(node, Map):
        return node
    if node is not None:
        problems.error(node, f"{what} must be a mapping of keys to values, not {describe(node)}")
    return None


def expect_list(node: Node, problems: Problems, what: str) -> Seq | None:
    """Return the node as a list, or report what was found instead."""
    if isinstance(node, Seq):
        return node
    problems.error(node, f"{what} must be a list, not {describe(node)}", "write one item per line, each after '- '")
    return None


def expect_text(node: Node, problems: Problems, what: str, allow_empty: bool = False) -> str | None:
    """Return a scalar's text, or report a list, mapping or empty value."""
    if isinstance(node, Scalar) and not node.is_null:
        if node.text.strip() or allow_empty:
            return node.text.strip() if node.plain else node.text
    problems.error(node, f"{what} must be text, not {describe(node) if not isinstance(node, Scalar) or node.is_null else 'empty text'}")
    return None


def expect_line(node: Node, problems: Problems, what: str) -> str | None:
    """Return a scalar's text that must be one line (a title: feeds and calendars hold it on one),
    or report a line break inside it."""
    text = expect_text(node, problems, what)
    if text is None:
        return None
    text = text.strip("\n")
    if "\n" in text:
        problems.error(node, f"{what} must be one line; it holds a line break",
                       "write it on one line; in quotes, '\\n' is a line break")
        return None
    return text


def expect_bool(node: Node, problems: Problems, what: str) -> bool | None:
    """Return true or false as written (true/false, yes/no), or report another value."""
    if isinstance(node, Scalar) and node.plain:
        word = node.text.lower()
        if word in ("true", "yes"):
            return True
        if word in ("false", "no"):
            return False
    problems.error(node, f"{what} must be true or false, not '{getattr(node, 'text', describe(node))}'")
    return None


class UniqueIds:
    """The ids given so far in one list of a file, each with the line that gave it first: ids of
    departments, channels, components, priorities and ticket states are unique within their list."""

    def __init__(self, what: str):
        self.what = what
        self.first: dict[str, int] = {}

    def repeated(self, node: Node | None, item_id: str, problems: Problems) -> bool:
        """Tell whether `item_id` was given before, reporting it at `node` when it was."""
        if item_id not in self.first:
            return False
        problems.error(node, f"duplicate {self.what} id '{item_id}' (first at line {self.first[item_id]})")
        return True

    def add(self, item_id: str, line: int) -> None:
        """Record `item_id` as given at `line`."""
        self.first[item_id] = line

    def take(self, node: Node | None, item_id: str, line: int, problems: Problems) -> bool:
        """Record `item_id` unless it was given before (then report it at `node`); tell whether it was new."""
        if self.repeated(node, item_id, problems):
            return False
        self.add(item_id, line)
        return True


def check_keys(mapping: Map, problems: Problems, what: str, required: tuple[str, ...], optional: tuple[str, ...]) -> bool:
    """Report unknown keys (with a suggestion) and missing required keys; True when all is well."""
    known = required + optional
    ok = True
    meant = set()   # required keys that a mistyped key stands for: one message says both
    for key, _ in mapping.pairs:
        if key.text not in known:
            ok = False
            best = suggest(key.text, known)
            meant.add(best)
            hint = f"did you mean '{best}'?" if best else f"{what} takes {quote_list(known)}"
            problems.error(key, f"unknown key '{key.text}' in {what}", hint)
    for name in required:
        if mapping.get(name) is None:
            ok = False
            if name not in meant:
                problems.error(mapping, f"{what} is missing the required key '{name}'")
    return ok


def url_host_problem(url: str) -> tuple[str, str] | None:
    """Return (message, hint) when an http(s) address has a host no browser would reach, else None."""
    try:
        netloc = urlsplit(url).netloc.rpartition("@")[2]
    except ValueError:
        # urlsplit refuses a bracket that does not pair, and brackets around what is no IP address.
        return bracket_problem(url)
    if netloc.startswith("["):
        host = netloc[:netloc.find("]") + 1]
    else:
        host = netloc.rsplit(":", 1)[0]
    if host and HOST_NAME.match(host):
        return port_problem(url, netloc[len(host):])
    if any(c.isspace() for c in host):
        return f"'{url}' has a space in its host name '{host}'", "remove the space"
    return f"'{url}' has no valid host name", "a host name holds letters, digits, hyphens and dots"


def port_problem(url: str, after_host: str) -> tuple[str, str] | None:
    """Return (message, hint) when what follows an address's host is not ':' and a port from 1 to 65535, else
    None: urlsplit lets 'https://[2001:db8::1]x/' and 'https://host:99999/' by, and only its .port, read later
    by the probe or a browser, refuses them."""
    found = re.fullmatch(r":([0-9]{0,5})", after_host)
    if not after_host or (found and (not found[1] or 1 <= int(found[1]) <= 65535)):
        return None
    return (f"'{url}' has '{after_host}' after its host, where only a port may be",
            "a port is a number from 1 to 65535 after ':', as in https://example.net:8443/")


def bracket_problem(url: str) -> tuple[str, str]:
    """Return (message, hint) for an address that urlsplit refuses: a '[' or ']' of its host that does not pair,
    or brackets around what is no IP address."""
    host = url.partition("://")[2]
    host = host[:min((i for i in map(host.find, "/?#") if i >= 0), default=len(host))].rpartition("@")[2]
    hint = "brackets hold an IPv6 address alone, as in https://[2001:db8::1]/; a host name holds none"
    if host.count("[") > host.count("]"):
        return f"'{url}' has a '[' that is not closed in its host", hint
    if host.count("]") > host.count("["):
        return f"'{url}' has a ']' that was not opened in its host", hint
    return f"'{url}' has no valid host name", "a host name holds letters, digits, hyphens and dots"


def expect_id(node: Node, problems: Problems, what: str) -> str | None:
    """Return an id of lower-case letters, digits and hyphens, or report a bad one."""
    text = expect_text(node, problems, what)
    if text is None:
        return None
    if not ID_PATTERN.match(text):
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        fixed = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
        problems.error(
            node, f"{what} '{text}' may hold only lower-case letters, digits and single hyphens",
            f"for example '{fixed}'" if fixed else None,
        )
        return None
    return text


def expect_localised(node: Node, problems: Problems, what: str, languages: tuple[str, ...],
                     one_line: bool = False) -> Text | None:
    """Return a Text from plain text or a mapping of language tags to text; with `one_line` (a name,
    which feeds and calendars hold on one line), each text must be one line."""
    expect = expect_line if one_line else expect_text
    if isinstance(node, Map):
        values = []
        by_case = {lang.lower(): lang for lang in languages}
        for key, value in node.pairs:
            lang = by_case.get(key.text.lower())
            if lang is None and isinstance(value, Scalar) and value.is_null and not value.text:
                # `{pt-BR: Energia, climatização, en: …}`: the comma ended the text, the rest became a key.
                problems.error(key, f"'{key.text}' is read as a language, because a comma inside {{…}} ends a text",
                               "put text that contains commas in quotes: {pt-BR: \"a, b\", en: \"c, d\"}")
                continue
            if lang is None:
                hint = did_you_mean(key.text, languages) or f"the site's languages are {quote_list(languages, 'and')}"
                problems.error(key, f"'{key.text}' is not one of the site's languages", hint)
                continue
            text = expect(value, problems, f"{what} in {key.text}")
            if text is not None:
                values.append((lang, text))
        if not node.pairs:
            problems.error(node, f"{what} is empty")
        if not values:
            return None
        # The site's default language comes first: it is the fallback for the others.
        values.sort(key=lambda pair: languages.index(pair[0]))
        return Text(tuple(values))
    text = expect(node, problems, what)
    return Text.plain(text) if text is not None else None
