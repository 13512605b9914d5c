"""HTML made of Markdown never holds a character pages, feeds and calendars cannot carry: a numeric character
reference to one, wherever HTML reads it (text, address, attribute), is dropped and named with where it was
written. The builds that report it are in tests/security/test_text_attacks.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from generator.read.yaml_nodes import CONTROL_CHARACTER
from generator.validate.markdown_html import Made, render_checked

NONCHARACTERS = [*range(0xFDD0, 0xFDF0), *(plane << 16 | low for plane in range(17) for low in (0xFFFE, 0xFFFF))]
CODES = [*range(0x100), *NONCHARACTERS, 0xD800, 0xDFFF, 0xFFFD, 0x10FFFF, 0x110000]
PLACES = {"text": "a {} b", "address": "[l](https://a.example/{})", "title": '<abbr title="{}">x</abbr>',
          "link title": '<a href="https://a.example/" title="x{}">y</a>'}


def refused(code: int) -> bool:
    """Tell whether HTML reads a reference to `code` as a character the outputs cannot carry: 0, surrogates and
    numbers beyond Unicode are read as U+FFFD, which they can."""
    return 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF and CONTROL_CHARACTER.match(chr(code)) is not None


@pytest.mark.parametrize("place", PLACES)
def test_no_reference_makes_a_character_the_outputs_cannot_carry(place):
    for code in CODES:
        for reference in (f"&#{code};", f"&#x{code:x};", f"&#X{code:04X};", f"&#000{code};"):
            text = PLACES[place].format(reference)
            html, made = render_checked(text)
            assert CONTROL_CHARACTER.search(html) is None, (text, html)
            if refused(code):
                assert made == Made(chr(code), 0, reference, text.index("&")), (text, made)
            else:
                assert made is None, (text, made)


def test_a_reference_without_its_semicolon_is_read_as_html_reads_it():
    html, made = render_checked('<abbr title="&#x7">x</abbr> and &#x7 here')
    assert html == '<p><abbr title="">x</abbr> and  here</p>'
    assert made == Made("\x07", 1, "&#x7", 13)


def test_a_reference_of_thousands_of_digits_is_no_character():
    html, made = render_checked("a &#" + "9" * 5000 + "; b")
    assert made is None and "\ufffd" in html


def test_every_such_character_is_dropped_and_the_first_written_is_named():
    html, made = render_checked("&#xFDD0; then &#1; and &#x1b;[2J")
    assert html == "<p> then  and [2J</p>"
    assert made == Made("\ufdd0", 2, "&#xFDD0;", 0)
    assert made.described() == "the character U+FDD0"
    assert Made("\x1b", 0, None, 0).described() == "the control character U+001B"


def test_a_reference_in_code_is_not_the_one_named():
    html, made = render_checked("`&#1;` is shown; &#2; is not")
    assert html == "<p><code>&amp;#1;</code> is shown;  is not</p>"
    assert made == Made("\x02", 0, "&#2;", 17)


REFERENCE = st.one_of(st.integers(0, 0x10FFFF).map(lambda code: f"&#{code};"),
                      st.sampled_from(CODES).map(lambda code: f"&#x{code:x}"))
PIECE = st.one_of(REFERENCE, st.sampled_from(["a", " ", "\n", "`", "*", "[", "](", ")", "<abbr title=\"", "\">",
                                              "</abbr>", "<", ">", "&", ";", "\n\n", "- ", "> ", "https://a.example/"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECE, max_size=30).map("".join))
def test_what_is_made_is_carried_by_xml(text):
    """lxml refused the feeds' text with such a character ("All strings must be XML compatible")."""
    html, made = render_checked(text)
    element = etree.Element("summary")
    element.text = html
    etree.tostring(element)
    assert CONTROL_CHARACTER.search(html) is None
