"""YAML parsed into plain nodes that remember where each value was written.

Values are never constructed by PyYAML: a scalar keeps the exact text the person
typed (`14:00` stays "14:00", `off` stays "off") and the validators interpret it.
This also keeps PyYAML's silent behaviours out: duplicate keys are reported,
tags that would construct objects are refused, and alias expansion is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

import yaml

from generator.errors import SourceError

# libyaml's parser when PyYAML was built with it (several times faster); the same nodes either way.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"
_DEFAULT_TAGS = {yaml.ScalarNode: "tag:yaml.org,2002:str", yaml.SequenceNode: "tag:yaml.org,2002:seq",
                 yaml.MappingNode: "tag:yaml.org,2002:map"}
# The scalars SafeLoader's resolver gives a tag other than an allowed one (`! '*'` is refused as !!yaml), each
# also with a line break after it, which its regular expression's `$` lets through (`! "<<\n"`, `! |` blocks).
_IMPLICIT_TAGS = {value + end: tag for value, tag in (("<<", _MERGE), ("!", "tag:yaml.org,2002:yaml"),
                                                      ("&", "tag:yaml.org,2002:yaml"), ("*", "tag:yaml.org,2002:yaml"))
                  for end in ("", "\n")}
# Aliases share nodes, so a tiny file can expand into billions of values.
MAX_EXPANDED_NODES = 100_000
MAX_DEPTH = 64

_ALLOWED_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "value")
)
_NULL_WORDS = frozenset(("", "~", "null", "Null", "NULL"))
# What XML and iCalendar cannot carry: control characters but tab and line feed, DEL, lone
# surrogates and U+FFFE and U+FFFF; nor HTML, the other noncharacters (U+FDD0 to U+FDEF, and the last
# two of every plane), which a validator reports as errors. YAML refuses most of them typed raw;
# escapes ("\f", "\x07", "\uFDD0") make them all. The one list of them: a notice's body drops them
# (read/sources.py) and the HTML made of Markdown is held to it too (validate/markdown_html.py).
# The planes' last two are matched as one range, then each looked back at (only a character of the range
# gets that far): a class that names all 32 made every search of a text some ten times slower.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]"
                               "(?<=[\x00-\uffff" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF)
                                                          for plane in range(1, 17)) + "])")


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every node: where its value starts (1-based line and column)."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Scalar(Node):
    """A scalar exactly as written; `plain` is false when it was quoted or a block."""

    text: str
    plain: bool

    @property
    def is_null(self) -> bool:
        """Tell whether the scalar is YAML's null (`~`, `null` or nothing)."""
        return self.plain and self.text in _NULL_WORDS


@dataclass(frozen=True, slots=True)
class Seq(Node):
    """A sequence of nodes."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Map(Node):
    """A mapping whose keys are scalars, in the order written, without duplicates."""

    pairs: tuple[tuple[Scalar, Node], ...]
    # The values by key, when the maker gave them (the converter does): a notice's checks ask for each key
    # a few times, some thirty questions a notice, each a walk along the pairs without it.
    index: Mapping[str, Node] | None = field(default=None, compare=False, repr=False)

    def get(self, key: str) -> Node | None:
        """Return the value under `key`, or None when the key is absent."""
        if self.index is not None:
            return self.index.get(key)
        for k, v in self.pairs:
            if k.text == key:
                return v
        return None

    def key_node(self, key: str) -> Scalar | None:
        """Return the key scalar itself, to point at the key rather than its value."""
        for k, _ in self.pairs:
            if k.text == key:
                return k
        return None

    def keys(self) -> tuple[str, ...]:
        """Return the keys in the order written."""
        return tuple(k.text for k, _ in self.pairs)


def describe(node: Node) -> str:
    """Return a person's word for the kind of a node: text, list or mapping."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    if isinstance(node, Scalar) and node.is_null:
        return "nothing"
    return "text"


if LOADER is not yaml.SafeLoader:
    class _Composer(yaml.cyaml.CParser):
        """libyaml's composer, which asks Python for every node's tag, given only the answers a conversion reads.

        Of a tag the conversion reads only whether it is allowed and whether it is `<<`'s merge tag. A tag
        written in the text never comes here but the non-specific `!`; an untagged scalar (or one tagged `!`,
        quoted or not: libyaml resolves it as plain) would resolve to str, int, float, bool, null, timestamp,
        value (all allowed), merge (`<<` alone) or yaml (`!`, `&` or `*` alone, refused), a list and a mapping
        to seq and map: so str for every other scalar reads the same.  Resolving each (a regular expression per
        scalar) and CSafeLoader's constructor, which nothing here uses, were a third of composing a notice's
        front matter.
        """

        def resolve(self, kind, value, implicit):
            if value in _IMPLICIT_TAGS and kind is yaml.ScalarNode and implicit[0]:
                return _IMPLICIT_TAGS[value]
            return _DEFAULT_TAGS[kind]

        def descend_resolver(self, parent, index):    # no path resolvers: nothing to track
            pass

        def ascend_resolver(self):
            pass

    def _compose(text: str) -> yaml.Node | None:
        """Return the node graph of the one YAML document in `text` (None: no document); YAMLError when not YAML."""
        composer = _Composer(text)
        try:
            return composer.get_single_node()
        finally:
            composer.dispose()
else:
    def _compose(text: str) -> yaml.Node | None:
        """Return the node graph of the one YAML document in `text` (None: no document); YAMLError when not YAML."""
        return yaml.compose(text, Loader=LOADER)


class _Converter:
    """Turns PyYAML's composed graph into Nodes, collecting problems on the way."""

    def __init__(self, path: str, line_offset: int, controls: bool = True):
        self.path = path
        self.line_offset = line_offset
        # Whether a scalar may hold a control character: only when the text holds one, or a backslash
        # (an escape in quotes); else each of a front matter's scalars need not be searched for one.
        self.controls = controls
        self.errors: list[SourceError] = []
        self.budget = MAX_EXPANDED_NODES
        self.active: set[int] = set()
        self.bombed = False

    def where(self, node: yaml.Node) -> tuple[int, int]:
        mark = node.start_mark
        return mark.line + 1 + self.line_offset, mark.column + 1

    def error(self, node: yaml.Node, message: str, hint: str | None = None) -> None:
        line, column = self.where(node)
        self.errors.append(SourceError(self.path, line, column, message, hint))

    def convert(self, node: yaml.Node, depth: int = 0) -> Node | None:
        self.budget -= 1
        if self.budget < 0 or depth > MAX_DEPTH:
            if not self.bombed:
                self.bombed = True
                self.error(
                    node,
                    f"this document expands into too many values (more than {MAX_EXPANDED_NODES:,})"
                    if self.budget < 0
                    else f"values are nested more than {MAX_DEPTH} levels deep",
                    "aliases (*name) that repeat large anchors are refused; write the values out",
                )
            return None
        if node.tag not in _ALLOWED_TAGS:   # !!binary too: no source holds bytes
            self.error(
                node,
                f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
                "sources hold plain values only: remove the tag",
            )
            return None
        mark = node.start_mark      # self.where, written out: this runs for every value of every notice
        line, column = mark.line + 1 + self.line_offset, mark.column + 1
        if type(node) is yaml.ScalarNode:
            if self.controls and (found := CONTROL_CHARACTER.search(node.value)):
                kind = "control character" if found[0] <= "\x7f" else "character"
                self.error(node, f"the text holds the {kind} U+{ord(found[0]):04X}, which pages, "
                           "feeds and calendars cannot carry",
                           "remove it: it is written as an escape such as \\f or \\x07 in quotes, "
                           "or was pasted in with the text")
            # PyYAML marks a plain scalar's style None, libyaml's binding ''.
            return Scalar(line, column, node.value, not node.style)
        if id(node) in self.active:
            self.error(node, "an alias refers to the value that contains it")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                items = [self.convert(child, depth + 1) for child in node.value]
                return Seq(line, column, tuple(item for item in items if item is not None))
            return self.convert_mapping(node, line, column, depth)
        finally:
            self.active.discard(id(node))

    def convert_mapping(self, node: yaml.MappingNode, line: int, column: int, depth: int) -> Map:
        pairs: list[tuple[Scalar, Node]] = []
        seen: dict[str, int] = {}
        index: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "a key must be plain text, not a list or mapping")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.error(key_node, "merge keys (<<) are not supported", "write the keys out")
                continue
            key = self.convert(key_node, depth + 1)
            if key is None:
                continue
            if key.text in seen:
                self.error(
                    key_node,
                    f"duplicate key '{key.text}' (first written at line {seen[key.text]})",
                    "YAML keeps only the last value of a repeated key: remove or merge one of them",
                )
                continue
            seen[key.text] = key.line
            value = self.convert(value_node, depth + 1)
            if value is not None:
                pairs.append((key, value))
                index[key.text] = value
        return Map(line, column, tuple(pairs), index)


def _reader_error(path: str, exc: yaml.reader.ReaderError, text: str, line_offset: int) -> SourceError:
    """Place a character YAML does not accept (a control character pasted in, say)."""
    before = text[: exc.position]
    line = before.count("\n") + 1 + line_offset
    column = exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return SourceError(path, line, column, f"the character U+{code:04X} is not allowed in YAML",
                       "remove it: control characters are often pasted in by accident")


def _yaml_error(path: str, exc: yaml.YAMLError, line_offset: int, text: str = "") -> SourceError:
    """Turn PyYAML's exception into a placed problem in plain words."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return SourceError(path, mark.line + 1 + line_offset, mark.column + 1, "YAML syntax: tab character in indentation",
                           "YAML indents with spaces only: replace the tab with spaces")
    line = mark.line + 1 + line_offset if mark else line_offset + 1
    column = mark.column + 1 if mark else 1
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    hint = None
    if "'\\t'" in problem or "\\t" in problem:
        problem = "tab character in indentation"
        hint = "YAML indents with spaces only: replace the tab with spaces"
    elif "expected a single document" in (context or "") or "expected '<document start>'" in problem:
        problem = "more than one YAML document in this file"
        hint = "a '---' line separates documents: remove it"
    else:
        if context and context not in problem:
            problem = f"{problem} ({context})"
        hint = "check the indentation and that text containing ': ' or '#' is quoted"
    return SourceError(path, line, column, f"YAML syntax: {problem}", hint)


def parse_yaml(text: str, path: str, line_offset: int = 0) -> tuple[Node | None, list[SourceError]]:
    """Parse YAML text into Nodes; return the root (None if unusable) and the problems found."""
    try:
        graph = _compose(text)
    except yaml.reader.ReaderError as exc:
        return None, [_reader_error(path, exc, text, line_offset)]
    except yaml.YAMLError as exc:
        return None, [_yaml_error(path, exc, line_offset, text)]
    except RecursionError:
        # PyYAML without libyaml composes recursively; libyaml stops at 1,000 levels itself.
        return None, [SourceError(path, line_offset + 1, 1, f"values are nested more than {MAX_DEPTH} levels deep",
                                  "write the values out at fewer levels")]
    if graph is None:
        return None, [SourceError(path, line_offset + 1, 1, "the file holds no values")]
    converter = _Converter(path, line_offset, "\\" in text or CONTROL_CHARACTER.search(text) is not None)
    root = converter.convert(graph)
    # Past the bound, what was converted is a fragment: checking it would only add noise.
    return (None if converter.bombed else root), converter.errors
