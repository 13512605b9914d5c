"""A notice text prepared for matching: folded, masked, split into blocks, with offsets back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from generator.validate.dates_in_text.vocabulary import fold

_BLOCK_START = re.compile(r"[ \t]*(?:[-*+>#|]|\d+[.)][ \t]|$)")   # list item, quote, heading, table row, blank
_BLOCK_LINE = re.compile(r"[ \t]*(?:[#|]|$)")                      # heading, table row, blank: end at the break
# What is blanked out before dates are read, each with the strings a text must hold for it to match
# anything.  (No part may run over where another could start: rescanning from each would be quadratic;
# the runs are possessive, ++, since giving back a character could never let them match.)
_MASK_PARTS = (
    (("```", "~~~"), r"^(```|~~~)[^\n]*\n.*?^\1[^\n]*$"),   # fenced code (group 1: first, always)
    (("`",), r"`[^`\n]+`"),                                  # inline code
    (("://", "www."), r"(?:https?|ftp)://\S+|www\.\S+"),     # addresses
    (("@",), r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++"),   # e-mail
    (("](", "<"), r"\]\([^()\s]*\)|<[^<>\s]+>|<[a-z/!][^<>\n]*>"),  # link targets, autolinks, HTML tags
    (("/",), r"(?<![\w.-])[\w-]++(?:\.[\w-]++)++/\S*"),       # example.com/path
)


@lru_cache(maxsize=64)
def _masks(parts: tuple[bool, ...]) -> re.Pattern:
    """Return the regular expression of the mask parts marked present (in _MASK_PARTS's order).

    A part that cannot match in a text (it lacks the part's strings) changes nothing there: leaving it out
    gives the same blanks, and most texts hold only "/" (a date) of them all; every part tried at every
    character took a tenth of the time of finding a notice's dates."""
    return re.compile("|".join(pattern for (_, pattern), present in zip(_MASK_PARTS, parts) if present), re.S | re.M)


@dataclass(frozen=True, slots=True)
class Text:
    """A text folded for matching, with the way back to the original's offsets."""

    original: str
    folded: str          # lower case, no accents; code, addresses and tags blanked out
    origin: Sequence[int]   # folded offset -> original offset, plus one entry for the end
    line_starts: tuple

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1

    def piece(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# fold, kept per character: every notice in a language writes the same few accented letters.
_fold_char = lru_cache(maxsize=4096)(fold)


# A notice's text is prepared twice, for its dates (finding.find_dates) and its times (times.check_times),
# one right after the other: the second is a lookup.
@lru_cache(maxsize=4)
def prepare(text: str) -> Text:
    """Return `text` folded for matching (Text), with the way back to its offsets."""
    # Every character other than ASCII is folded once (str.replace), then the whole text is
    # lowered; the character-by-character way back is needed only when folding changes a
    # character's length (rare: "ß", ligatures).
    folds = {} if text.isascii() else {char: _fold_char(char) for char in set(_NOT_ASCII.findall(text))}
    if all(len(value) == 1 for value in folds.values()):
        joined = text
        for char, folded in folds.items():
            joined = joined.replace(char, folded)
        joined = joined.lower()
        origin: Sequence[int] = range(len(text) + 1)
    else:
        chars: list[str] = []
        positions: list[int] = []
        for index, char in enumerate(text):
            folded = char.lower() if char < "\x80" else fold(char)
            chars.extend(folded)
            positions.extend([index] * len(folded))
        positions.append(len(text))
        joined, origin = "".join(chars), tuple(positions)
    parts = tuple(any(sign in joined for sign in signs) for signs, _ in _MASK_PARTS)
    if any(parts):
        joined = _masks(parts).sub(_blank, joined)
    folded = _mark_block_ends(joined)
    starts = (0,) + tuple(found.end() for found in re.finditer("\n", text))
    return Text(text, folded, origin, starts)


def _blank(match: re.Match) -> str:
    """Return a masked piece of text as spaces, its line breaks kept."""
    return _NOT_NEWLINE.sub(" ", match.group())


_NOT_NEWLINE = re.compile(r"[^\n]")


def _mark_block_ends(folded: str) -> str:
    """Turn each line break that ends a Markdown block into a NUL, which no phrase crosses.

    A block ends at a blank line, after a heading or table row, and before a list item,
    heading, table row or quote; other line breaks only wrap a paragraph.
    """
    pieces = []
    lines = folded.split("\n")
    for line, following in zip(lines, lines[1:]):
        pieces.append(line)
        pieces.append("\0" if _BLOCK_LINE.match(line) or _BLOCK_START.match(following) else "\n")
    pieces.append(lines[-1])
    return "".join(pieces)


# What previous_word reads, as a regular expression (tests/test_dates_in_text.py holds them to the same words).
PREVIOUS_WORD = re.compile(r"([^\W\d_]+)[°]?\.?\s*[:#]?\s*$")


def previous_word(folded: str, start: int) -> str:
    """Return the word just before `start` (in the 30 characters before it), skipping spaces, a ":" or "#",
    spaces, a "." and a "°", in that order from the right, as PREVIOUS_WORD's search would."""
    # From the right, in Python: the search above tried every one of the 30 places as the word's start,
    # a tenth of the time of finding the dates of a notice (it is asked for every number read).
    piece = folded[max(0, start - 30):start].rstrip()
    if piece[-1:] in (":", "#"):
        piece = piece[:-1].rstrip()
    if piece[-1:] == ".":
        piece = piece[:-1]
    if piece[-1:] == "°":
        piece = piece[:-1]
    begin = end = len(piece)
    while begin and piece[begin - 1].isalnum() and not piece[begin - 1].isdecimal():   # [^\W\d_]
        begin -= 1
    return piece[begin:end]


def next_word(folded: str, end: int) -> str:
    """Return the word just after `end`, skipping spaces."""
    found = re.match(r"\s*([^\W\d_]+)", folded[end:end + 30])
    return found.group(1) if found else ""



def word_starts(regex: re.Pattern, text: str):
    """Yield what regex.finditer(text) yields once each match must not follow a letter or digit.

    The check is made here rather than by a look-behind at the start of the regex, which
    would make the engine try every character instead of skipping to those a match can
    start with.  A match that follows a letter is passed over and looked for again one
    character later, as the look-behind would have done.
    """
    position = 0
    while (match := regex.search(text, position)) is not None:
        start = match.start()
        if start and text[start - 1].isalnum():
            position = start + 1
            continue
        yield match
        position = match.end()


def matches_at(regex: re.Pattern, text: str, starts: list[int]):
    """Yield what regex.finditer(text) yields when no match can start elsewhere than at `starts` (sorted)."""
    end = 0
    for start in starts:
        if start >= end and (match := regex.match(text, start)):
            end = match.end()
            yield match

