"""Markdown made into the HTML the model holds (a notice's body, an update's text, a note), held to what
pages, feeds and calendars can carry.

Reading refuses the characters they cannot carry (read/yaml_nodes.py CONTROL_CHARACTER): an error in a
YAML value, typed or escaped, and dropped from a notice's body with a warning. A numeric character
reference (`&#1;`, `&#x1b;`, `&#xfffe;`) is none of them until Markdown and the sanitiser read it: then it
is the very character, in text, in an address or in an attribute. So the HTML is searched once made; such
a character is dropped from it, and reported at the reference as the character itself is where the text
was written: a warning in a body, an error in YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.errors import WARNING, SourceError
from generator.markup import render_markdown
from generator.model import Text
from generator.read.sources import MarkdownSource, position
from generator.read.yaml_nodes import CONTROL_CHARACTER, Map, Node
from generator.validate.fields import Problems

# A numeric character reference as HTML reads one: decimal or hexadecimal, with or without its semicolon
# (HTML takes `&#7` in an attribute; Markdown, which needs the semicolon in text, leaves the rest alone).
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
BODY_HINT = "remove the reference from the file: pages, feeds and calendars cannot carry the character it stands for"
YAML_HINT = "remove the reference: Markdown turns it into the character itself"


@dataclass(frozen=True, slots=True)
class Made:
    """A character that HTML made of Markdown held and pages, feeds and calendars cannot carry: the first,
    how many more there were, and the reference that wrote it with its offset in the text (None, 0: none
    found)."""

    character: str
    more: int
    reference: str | None
    offset: int

    def described(self) -> str:
        """Return the character in a person's words: `the control character U+0001`, `the character U+FFFE`."""
        kind = "control character" if self.character <= "\x7f" else "character"
        return f"the {kind} U+{ord(self.character):04X}"


def _stands_for(reference: re.Match) -> str:
    """Return the character a numeric reference stands for, as HTML reads it (U+FFFD for no character)."""
    digits, base = (reference[1], 16) if reference[1] else (reference[2], 10)
    digits = digits.lstrip("0") or "0"
    if len(digits) > 8:                 # beyond U+10FFFF in either base (and int() of a huge text costs)
        return "\ufffd"
    code = int(digits, base)
    return "\ufffd" if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF else chr(code)


def render_checked(text: str) -> tuple[str, Made | None]:
    """Return sanitised HTML for a Markdown text without the characters pages, feeds and calendars cannot
    carry, and the first of them it held (None: none)."""
    html = render_markdown(text)
    found = CONTROL_CHARACTER.search(html)
    if found is None:
        return html, None
    more = len(CONTROL_CHARACTER.findall(html)) - 1
    for reference in _REFERENCE.finditer(text):
        character = _stands_for(reference)
        # One the HTML holds: a reference in code is shown as written, and makes nothing.
        if CONTROL_CHARACTER.match(character) and character in html:
            return CONTROL_CHARACTER.sub("", html), Made(character, more, reference[0], reference.start())
    return CONTROL_CHARACTER.sub("", html), Made(found[0], more, None, 0)


def render_body(source: MarkdownSource, problems: Problems) -> str:
    """Return a notice's or translation's body as sanitised HTML; a character it cannot carry, made by a
    character reference, is dropped with a warning at the reference, as the character typed is when read."""
    html, made = render_checked(source.body)
    if made is not None:
        line, column = position(source.body, made.offset)
        more = f" (and {made.more} more)" if made.more else ""
        written = f", written as {made.reference}," if made.reference else ""
        problems.items.append(SourceError(source.path, source.body_line + line - 1, column,
                                          f"{made.described()}{more}{written} was dropped from the text",
                                          BODY_HINT, WARNING))
    return html


def render_text(node: Node, text: Text, problems: Problems) -> Text:
    """Return a YAML value of Markdown (`node`, read as `text`) as sanitised HTML in each language; a character
    it cannot carry, made by a character reference, is an error at its language's text, as the character
    typed or escaped is when read (read/yaml_nodes.py)."""
    values = []
    for lang, value in text.values:
        html, made = render_checked(value)
        if made is not None:
            written = f" as {made.reference}" if made.reference else ""
            problems.error(_value_in(node, lang), f"the text writes {made.described()}{written}, which pages, "
                           "feeds and calendars cannot carry", YAML_HINT)
        values.append((lang, html))
    return Text(tuple(values))


def _value_in(node: Node, lang: str) -> Node:
    """Return the node of a language's text in a localised value (the value itself when it is one text)."""
    if isinstance(node, Map):
        for key, value in node.pairs:
            if key.text.lower() == lang.lower():
                return value
    return node
