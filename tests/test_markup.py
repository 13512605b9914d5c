"""Markdown bodies: a text without inline markup skips Python-Markdown's inline pass with the same result."""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generator.markup import _INLINE_MARKS, _converter, render_markdown
from generator.read.sources import read_markdown

ROOT = Path(__file__).resolve().parent.parent


def both(text: str) -> tuple[str, str]:
    """Return a text converted with every pass and without the inline one."""
    return (_converter(inline=True).reset().convert(text), _converter(inline=False).reset().convert(text))


# Block syntax (headings, lists, quotes, tables, rules, code blocks), prose and punctuation:
# everything but the characters that start inline markup.
PIECES = list("abcdeé 0123456789#-+>|.:,;!?()/'\"%=~^$@{}\n") + ["    ", "\n\n", "1. ", "- ", "# ", "---\n",
                                                                   "| a | b |\n|---|---|\n"]
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


def test_any_inline_mark_takes_the_full_conversion():
    for text in ("a `b`", "a \\* b", "[x](https://e.example/)", "<b>x</b>", "&amp;", "*x*", "_x_", "a\tb",
                 "line  \nbreak", "line  \r\nbreak", "line  \rbreak", "line  \x02\nbreak"):
        assert _INLINE_MARKS.search(text), text
        assert render_markdown(text) == render_markdown(text + "\n")   # and the converter is reset between texts
    assert render_markdown("*x* e **y**") == "<p><em>x</em> e <strong>y</strong></p>"
    for newline in ("\n", "\r\n", "\r", "\x03\n"):   # as YAML's escapes may give them
        assert render_markdown(f"linha  {newline}seguinte") == "<p>linha<br>\nseguinte</p>"
    assert render_markdown("Atenção! Plano 1 de 2 (50% off).") == "<p>Atenção! Plano 1 de 2 (50% off).</p>"
