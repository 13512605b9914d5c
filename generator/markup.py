"""Markdown to safe HTML: Python-Markdown, then an allow-list sanitiser (nh3)."""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

import markdown
import nh3
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "i", "li", "ol",
    "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align", "scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


# Every inline pattern of Python-Markdown (code, escapes, links and images, autolinks, raw
# HTML, entities, emphasis) needs one of these characters, and a hard line break is two
# spaces before a newline (a tab may become them, and \r a newline; \x02 and \x03 are
# removed before, so they may bring spaces and newline together).  In a text without any,
# the inline pass finds nothing and changes nothing: half of real notices are such plain
# prose, and the pass is half the time of a conversion.
_INLINE_MARKS = re.compile(r"[`\\\[<&*_\t\r\x02\x03]|  \n")
# The inline marks and the characters that block syntax (below) starts with.
_MARKS = re.compile(r"[`\\\[<&*_\t\r\x02\x03|#=+>-]|  \n")
# Characters that may bring line-break spaces and a newline together (see above): a text with
# any of them gets every inline pattern.
_MOVED_MARKS = frozenset("\t\r\x02\x03")

# The mark each default inline pattern cannot match without (its regular expression starts
# from it, or looks ahead for it).  The inline pass tries every pattern on every piece of
# text; most notices use one or two kinds of markup (emphasis, code), so a text is converted
# with the patterns its marks allow, in their order.  A pattern that cannot match changes
# nothing: leaving it out gives the same HTML (tests/test_markup.py), and a pattern not named
# here (another Python-Markdown version's) is always kept.
_PATTERN_MARKS = {
    "backtick": "`", "escape": "\\",
    "reference": "[", "link": "[", "image_link": "[", "image_reference": "[", "short_reference": "[",
    "short_image_ref": "[",
    "autolink": "<", "automail": "<", "html": "<", "linebreak": "  \n", "entity": "&",
    # Python-Markdown 3.3 to 3.10 split emphasis: em_strong (asterisks), em_strong2 (underscores).
    "em_strong": "*_", "em_strong2": "_", "not_strong": "*_",
}
# The same for block syntax: the characters each block processor's test needs in a block before it can
# say yes (a table's "|", a heading's "#" or its underline of "=" or "-", a rule's "-", "_" or "*", a
# list item's "*", "+" or "-" (numbered items are tried always), a quote's ">", a link reference's "["),
# and for the preprocessor that takes raw HTML blocks out, "<" or "&" (its parser stops at nothing else).
# Each block of a text is tested by every processor in turn, and the HTML parser reads the whole text:
# a text of plain paragraphs, most notices, was converted a quarter slower with all of them.
_BLOCK_MARKS = {
    "table": "|", "hashheader": "#", "setextheader": "=-", "hr": "-_*", "ulist": "*+-", "quote": ">",
    "reference": "[",
}
_PREPROCESSOR_MARKS = {"html_block": "<&"}
# The tree processor that puts back the characters escaped with a backslash finds nothing to put back
# in a text without one (nothing else makes its placeholders; the text's own \x02 and \x03 are removed).
_TREEPROCESSOR_MARKS = {"unescape": "\\"}


@lru_cache(maxsize=64)
def _converter(marks: frozenset[str] | None = None) -> markdown.Markdown:
    """Return one Markdown converter for the process (building one costs more than converting a
    notice) for texts with the `marks` (see _marks_of; None: every pattern and processor), whose
    inline pass tries only the patterns those marks allow, or is skipped when none does, and whose
    block parser tries only the processors they allow."""
    # Extensions given as objects: named by strings, Python-Markdown looks them up among
    # every installed package's entry points first (some 40 ms, once per process).
    converter = markdown.Markdown(extensions=[TableExtension(), SaneListExtension()], output_format="html")
    if marks is not None:
        patterns = converter.inlinePatterns
        for name, needs in _PATTERN_MARKS.items():
            if name in patterns and not any(mark in marks for mark in ((needs,) if needs == "  \n" else needs)):
                patterns.deregister(name)
        if not len(patterns):
            converter.treeprocessors.deregister("inline")
        for registry, needed in ((converter.parser.blockprocessors, _BLOCK_MARKS),
                                 (converter.preprocessors, _PREPROCESSOR_MARKS),
                                 (converter.treeprocessors, _TREEPROCESSOR_MARKS)):
            for name, needs in needed.items():
                if name in registry and not any(mark in marks for mark in needs):
                    registry.deregister(name)
    return converter


def _marks_of(text: str) -> frozenset[str] | None:
    """Return the marks in a text (each a character, or "  \n") that inline and block syntax need; None
    when it has a character that moves marks about (then every pattern and processor is tried)."""
    marks = frozenset(_MARKS.findall(text))
    return None if marks & _MOVED_MARKS else marks


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    """Return the process's sanitiser: nh3.clean builds one from its arguments at every call, more than half
    of what cleaning a notice costs."""
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Return sanitised HTML for a Markdown text; raw HTML in it is filtered, never passed through."""
    html = _converter(_marks_of(text)).reset().convert(text)
    return _cleaner().clean(html).strip()


# Sentinels for breaks and hard spaces while whitespace is collapsed; removed from the text first.
_LINE, _PARAGRAPH, _SPACE = "\x00", "\x01", "\x02"
_BLOCKS = {"p", "blockquote", "pre", "h2", "h3", "h4", "table", "hr"}


class _TextParser(HTMLParser):
    """Plain text of sanitised HTML: paragraphs apart, list items on their lines, links with their address."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[int | None] = []     # per open list: the next number (ol) or None (ul)
        self.items = 0                         # open list items: blocks inside them break lines, not paragraphs
        self.fresh = False                     # just after an item's marker: its first paragraph adds no break
        self.links: list[tuple[int, str]] = []
        self.pre = 0
        self.first_cell = True

    def block_break(self) -> str:
        """Return the break before or after a block: none right after a marker, a line within an item."""
        return "" if self.fresh else _LINE if self.items else _PARAGRAPH

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append(self.block_break())
        if tag in ("ul", "ol"):
            self.parts.append(_LINE if self.items else _PARAGRAPH)
            self.lists.append(1 if tag == "ol" else None)
        elif tag == "li":
            number = self.lists[-1] if self.lists else None
            if number is not None:
                self.lists[-1] = number + 1
            indent = _SPACE * 2 * max(len(self.lists) - 1, 0)
            self.parts.append(_LINE + indent + ("-" if number is None else f"{number}.") + " ")
            self.items += 1
            self.fresh = True
        elif tag in ("br", "tr"):
            self.parts.append(_LINE)
            self.first_cell = True
        elif tag in ("td", "th"):
            self.parts.append("" if self.first_cell else " | ")
            self.first_cell = False
        elif tag == "a":
            self.links.append((len(self.parts), dict(attrs).get("href") or ""))
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag):
        if tag in _BLOCKS and not self.items:
            self.parts.append(_PARAGRAPH)
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.items:
                self.parts.append(_PARAGRAPH)
        elif tag == "li" and self.items:
            self.items -= 1
            self.fresh = False
        elif tag == "a" and self.links:
            start, href = self.links.pop()
            label = " ".join("".join(self.parts[start:]).split())
            if href and href not in (label, f"mailto:{label}", f"tel:{label}"):
                self.parts.append(f" ({href})")
        if tag == "pre":
            self.pre -= 1

    def handle_data(self, data):
        data = re.sub("[\x00-\x02]", "", data)
        if data.strip():
            self.fresh = False
        if self.pre:
            data = data.replace(" ", _SPACE).replace("\n", _LINE)
        self.parts.append(data)


def plain_text(html: str) -> str:
    """Return sanitised HTML as plain text, as Statuspage's update bodies are."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = re.sub(r"\s+", " ", "".join(parser.parts))
    breaks = f"[ {_LINE}{_PARAGRAPH}]*[{_LINE}{_PARAGRAPH}][ {_LINE}{_PARAGRAPH}]*"
    text = re.sub(breaks, lambda m: "\n\n" if _PARAGRAPH in m[0] else "\n", text)
    return text.replace(_SPACE, " ").strip()
