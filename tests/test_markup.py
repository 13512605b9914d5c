"""Markdown bodies: a text without inline markup skips Python-Markdown's inline pass, and a text with some
tries only the inline patterns its marks allow; the block parser tries only the block processors its marks
allow; each with the same result as every pattern and processor."""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generator.markup import _INLINE_MARKS, _converter, _marks_of, render_markdown
from generator.read.sources import read_markdown

ROOT = Path(__file__).resolve().parent.parent


def both(text: str) -> tuple[str, str]:
    """Return a text without inline marks converted with every pass, and without the inline one (with the block
    processors its marks allow)."""
    return _converter(None).reset().convert(text), _converter(_marks_of(text)).reset().convert(text)


# Block syntax (headings, lists, quotes, tables, rules, code blocks), prose and punctuation:
# everything but the characters that start inline markup.
PIECES = list("abcdeé 0123456789#-+>|.:,;!?()/'\"%=~^$@{}\n") + ["    ", "\n\n", "1. ", "- ", "# ", "---\n",
                                                                   "| a | b |\n|---|---|\n", "+ ", "> ", "===\n",
                                                                   "2) ", "### x ##\n", "- - -\n", "|a\n"]
PLAIN = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)


@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_plain_text_converts_the_same_without_the_inline_pass(text):
    assume(_INLINE_MARKS.search(text) is None)   # trailing spaces before a newline make a line break
    with_inline, without = both(text)
    assert without == with_inline


def test_real_notices_convert_the_same_either_way():
    checked = 0
    for path in sorted((ROOT / "notices").glob("*.md")) + sorted((ROOT / "tests" / "prose").rglob("*.md")):
        source, _ = read_markdown(path, path.name)
        if source is None:
            continue
        with_inline, without = both(source.body)
        if _INLINE_MARKS.search(source.body) is None:
            assert without == with_inline, path
            checked += 1
    assert checked >= 4


# The same pieces with the marks of inline markup, alone and in the shapes they take.
MARKED = st.lists(st.sampled_from(PIECES + list("`\\[]<>&*_!") + [
    "  \n", "**", "__", "`x`", "``", "[a](b)", "[a]", "[a]: https://e.example/\n", "![i](s)", "<b>", "</b>",
    "<https://e.example/>", "<a@e.example>", "&amp;", "&#35;", "\\*", "*a*", "_a_", "<!-- c -->", "* ", "***\n",
    "___\n", "_ _ _\n", "<div>\nx\n</div>\n", "&", "[a]: <https://e.example/> 'T'\n"]),
    max_size=80).map("".join)


@settings(max_examples=1500, deadline=None)
@given(MARKED)
def test_a_marked_text_converts_the_same_with_the_patterns_its_marks_allow(text):
    marks = _marks_of(text)
    assume(marks is not None)
    assert _converter(marks).reset().convert(text) == _converter(None).reset().convert(text)


def test_the_marks_of_a_text():
    assert _marks_of("plain prose") == frozenset()
    assert _marks_of("a *b* `c`  \nd [e](f)") == frozenset({"*", "`", "  \n", "["})
    assert _marks_of("# T\n\n> q\n\n+ a\n\n|b|\n\nc\n=") == frozenset("#>+|=")
    for moving in ("a\tb", "a\rb", "a\x02b", "a\x03b"):
        assert _marks_of(moving + " *x*") is None   # every pattern, as before these were chosen


def test_every_body_in_the_repository_converts_the_same_with_its_patterns():
    checked = 0
    for path in sorted((ROOT / "notices").glob("*.md")) + sorted((ROOT / "tests").rglob("*.md")):
        source, _ = read_markdown(path, path.name)
        if source is None or (marks := _marks_of(source.body)) is None:
            continue
        assert _converter(marks).reset().convert(source.body) == _converter(None).reset().convert(source.body), path
        checked += 1
    assert checked >= 20


def test_any_inline_mark_takes_the_full_conversion():
    for text in ("a `b`", "a \\* b", "[x](https://e.example/)", "<b>x</b>", "&amp;", "*x*", "_x_", "a\tb",
                 "line  \nbreak", "line  \r\nbreak", "line  \rbreak", "line  \x02\nbreak"):
        assert _INLINE_MARKS.search(text), text
        assert render_markdown(text) == render_markdown(text + "\n")   # and the converter is reset between texts
    assert render_markdown("*x* e **y**") == "<p><em>x</em> e <strong>y</strong></p>"
    for newline in ("\n", "\r\n", "\r", "\x03\n"):   # as YAML's escapes may give them
        assert render_markdown(f"linha  {newline}seguinte") == "<p>linha<br>\nseguinte</p>"
    assert render_markdown("Atenção! Plano 1 de 2 (50% off).") == "<p>Atenção! Plano 1 de 2 (50% off).</p>"
