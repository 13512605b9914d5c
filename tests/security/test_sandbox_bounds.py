"""One operation of a template cannot ask for hundreds of megabytes or minutes: every method, filter, format
and operator that makes a text of a width, a count or a repeat the template names is bounded as `*` is
(generator/render/bounds.py), each a real build of a copy of the example site.

Each build runs in a process whose address space is capped (2 GB) and under a timeout, so that an attack
the bounds miss fails the test instead of taking the machine's memory.
"""

from __future__ import annotations

import time

import pytest
from helpers_template_attacks import assert_refused, example_site, published
from test_review_attacks import SANDBOX_HINT, capped_build

# Each test builds in a process of its own, some up to a time or memory limit.
pytestmark = pytest.mark.slow

BIG = 300_000_000
TEXT = ("templates/style.css:1:1: error: not allowed in a template: '{}' would make a text of more than "
        "1,000,000 characters")
LIST = ("templates/style.css:1:1: error: not allowed in a template: '{}' would make a list of more than "
        "1,000,000 items")

# An expression whose one operation asks for hundreds of megabytes (or minutes) -> the exact message.
WIDTHS = {
    # The five of the attack review: each built a 300 MB text and the build succeeded.
    "ljust": (f"'x'.ljust({BIG})", TEXT.format("ljust")),
    "center_filter": (f"'x'|center({BIG})", TEXT.format("center")),
    "format_width": (f"'{{:>{BIG}}}'.format('x')", TEXT.format("format")),
    "percent_width": (f"'%{BIG}s' % 'x'", TEXT.format("%")),
    "join_of_bounded_repeats": ("(['x' * 1000] * 300000)|join", TEXT.format("join")),
    # Babel's format_list is quadratic: a million items did not finish in 120 s.
    "fmt_items": ("fmt.items(('a',) * 1000000)",
                  "templates/style.css:1:1: error: not allowed in a template: 'fmt.items' would list more than "
                  "1,000 items"),
    # The same text by other methods, filters and formats.
    "rjust": (f"'x'.rjust({BIG}, '-')", TEXT.format("rjust")),
    "center_method": (f"'x'.center({BIG})", TEXT.format("center")),
    "zfill": (f"'1'.zfill({BIG})", TEXT.format("zfill")),
    "expandtabs": (f"('\\t' * 10).expandtabs({BIG // 10})", TEXT.format("expandtabs")),
    "replace_growth": ("('x' * 1000).replace('x', 'y' * 300000)", TEXT.format("replace")),
    "replace_empty": ("('x' * 1000).replace('', 'y' * 300000)", TEXT.format("replace")),
    "replace_filter": ("('x' * 1000)|replace('x', 'y' * 300000)", TEXT.format("replace")),
    "join_method": ("''.join(['x' * 1000] * 300000)", TEXT.format("join")),
    "join_attribute": ("([{'a': 'x' * 1000}] * 300000)|join(attribute='a')", TEXT.format("join")),
    "translate": ("('x' * 1000).translate({120: 'y' * 300000})", TEXT.format("translate")),
    "format_zero_fill": (f"'{{:0>{BIG}}}'.format('x')", TEXT.format("format")),
    "format_precision": (f"'{{:.{BIG}f}}'.format(1.5)", TEXT.format("format")),
    "format_nested_width": (f"'{{:{{}}}}'.format('x', {BIG})", TEXT.format("format")),
    "format_map": (f"'{{x:>{BIG}}}'.format_map({{'x': 'y'}})", TEXT.format("format_map")),
    "format_markup": (f"('{{:>{BIG}}}'|safe).format('x')", TEXT.format("format")),
    "format_fields_add_up": ("('{0}' * 300).format('x' * 1000000)", TEXT.format("format")),
    "percent_star": (f"'%*s' % ({BIG}, 'x')", TEXT.format("%")),
    "percent_precision": (f"'%.{BIG}f' % 1.5", TEXT.format("%")),
    "percent_mapping": ("('%(a)s' * 300) % {'a': 'x' * 1000000}", TEXT.format("%")),
    "percent_nested_key": (f"'%(a(b)){BIG}s' % {{'a(b)': 'x'}}", TEXT.format("%")),
    "format_filter": (f"'%{BIG}s'|format('x')", TEXT.format("format")),
    "format_filter_star": (f"'%*s'|format({BIG}, 'x')", TEXT.format("format")),
    "indent": (f"'x\\ny'|indent({BIG})", TEXT.format("indent")),
    "indent_lines": ("('x\\n' * 1000)|indent('y' * 300000)", TEXT.format("indent")),
    "wordwrap": ("('x ' * 1000)|wordwrap(1, wrapstring='y' * 300000)", TEXT.format("wordwrap")),
    "tojson_indent": (f"{{'a': [1, 2]}}|tojson(indent={BIG})", TEXT.format("tojson")),
    "batch": (f"[1]|batch({BIG}, 0)|list", LIST.format("batch")),
    "slice": (f"[1]|slice({BIG})|list", LIST.format("slice")),
    "sum_of_lists": ("([[0] * 1000000] * 300)|sum(start=[])", LIST.format("sum")),
    # Outside the operators and methods above (the review of the widths merge): urlize writes its target
    # and rel into every link (1,000 links x 900,000 characters), Jinja's own pgettext and npgettext
    # formatted `%` themselves, and so did gettext of a message that is not a constant, and ngettext.
    "urlize_target": ("('www.a.co ' * 1000)|urlize(target='x' * 900000)", TEXT.format("urlize")),
    "urlize_rel": ("('www.a.co ' * 1000)|urlize(rel='x' * 900000)", TEXT.format("urlize")),
    # 300 quotes are 1,500 characters once escaped, in each of 1,000 links.
    "urlize_escaped_target": ("('www.a.co ' * 1000)|urlize(target='\"' * 300)", TEXT.format("urlize")),
    "pgettext_width": (f"pgettext('c', '%(a){BIG}s', a='x')", TEXT.format("%")),
    "npgettext_width": (f"npgettext('c', '%(a){BIG}s', '%(a)s', 1, a='x')", TEXT.format("%")),
    "ngettext_width": (f"ngettext('%(a){BIG}s', '%(a)s', 1, a='x')", TEXT.format("%")),
    "gettext_joined_message": (f"gettext('%(a){BIG}' ~ 's', a='x')", TEXT.format("%")),
    "gettext_stray_width": (f"gettext('%{BIG}s')", TEXT.format("%")),
}


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_one_operation_cannot_ask_for_hundreds_of_megabytes(tmp_path, name):
    expression, message = WIDTHS[name]
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text("{{ (" + expression + ")|length }}\n", encoding="utf-8")
    started = time.monotonic()
    result = capped_build(site, tmp_path)
    assert_refused(result, message)
    assert result.stderr.splitlines()[1] == SANDBOX_HINT
    assert published(tmp_path) == ""
    assert time.monotonic() - started < 60


def test_widths_counts_and_formats_a_page_needs_still_work(tmp_path):
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text(
        "/* [{{ 'ab'.ljust(4, '.') }}] [{{ 'ab'|center(6) }}] [{{ '{:>5}|{:.2f}|{:{}}'.format('x', 1.5, 'y', 3) }}] "
        "[{{ '%3s|%-4d|%*s' % ('a', 7, 2, 'b') }}] "
        "[{{ '%(k)s!' % {'k': 'v'} }}] [{{ '%05.1f'|format(2.25) }}] [{{ '7'.zfill(3) }}] "
        "[{{ 'a\\tb'.expandtabs(4) }}] [{{ 'aXa'.replace('X', '--') }}] [{{ ['a', 'b']|join(', ') }}] "
        "[{{ '-'.join(['c', 'd']) }}] [{{ 'a\\nb'|indent(2) }}] [{{ 'one two'|wordwrap(3) }}] "
        "[{{ [1, 2, 3]|batch(2, 0)|list }}] [{{ [1, 2, 3]|slice(2)|list }}] [{{ [[1], [2]]|sum(start=[]) }}] "
        "[{{ {'a': 1}|tojson(indent=1) }}] [{{ fmt.items(('x', 'y', 'z')) }}] "
        "[{{ 'ab'.translate({97: 'AA'}) }}] [{{ '{k}'.format_map({'k': 'm'}) }}] [{{ 7 % 3 }}] "
        "[{{ pgettext('channel', 'e-mail') }}] [{{ npgettext('c', '%(num)d site of %(context)s', '%(num)d sites', 2) }}] "
        "[{{ ngettext('%(num)d day', '%(num)d days', 3) }}] [{{ gettext('%(a)s%%' ~ '', a=5) }}] "
        "[{{ 'see www.a.co now'|urlize(target='_blank', rel='me') }}] */\n",
        encoding="utf-8")
    result = capped_build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    # style.css is inlined in every page (the English ones list with "and").
    page = (tmp_path / "out" / "en" / "index.html").read_text(encoding="utf-8")
    assert ("/* [ab..] [  ab  ] [    x|1.50|y  ] [  a|7   | b] [v!] [002.2] [007] [a   b] [a--a] [a, b] [c-d] "
            "[a\n  b] [one\ntwo] [[[1, 2], [3, 0]]] [[[1, 2], [3]]] [[1, 2]] [{\n \"a\": 1\n}] "
            "[x, y, and z] [AAb] [m] [1] [e-mail] [2 sites] [3 days] [5%] "
            "[see <a href=\"https://www.a.co\" rel=\"me noopener\" target=\"_blank\">www.a.co</a> now] */") in page, page[:3000]


def test_lipsum_is_not_a_global(tmp_path):
    # Jinja's lipsum: lipsum(20000) made some 8 MB, lipsum(3000000) ran for minutes, and its words are
    # drawn from `random`, so two builds of one tree published different bytes.
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text("{{ (lipsum(1, html=False, min=5000000, max=5000001))|length }}\n",
                                                  encoding="utf-8")
    result = capped_build(site, tmp_path)
    assert_refused(result, "templates/style.css:1:1: error: 'lipsum' is undefined")
    assert published(tmp_path) == ""


@pytest.mark.parametrize(("payload", "message"), [
    ("{{ lipsum(1, html=False, min=20, max=21) }}", "templates/style.css:1:1: error: 'lipsum' is undefined"),
    ("{{ range(1000)|random }}", "templates/style.css:1:1: error: template syntax: No filter named 'random'."),
], ids=["lipsum", "random_filter"])
def test_a_template_cannot_make_two_builds_of_one_tree_differ(tmp_path, payload, message):
    # Jinja's lipsum and its `random` filter drew from `random`: the same tree at the same now published
    # other bytes each build.
    pages = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        site = example_site(tmp_path / run)
        (site / "templates").mkdir()
        (site / "templates" / "style.css").write_text(f"/* {payload} */\n", encoding="utf-8")
        result = capped_build(site, tmp_path / run)
        pages.append((result.returncode, result.stderr.splitlines()[:1], published(tmp_path / run)))
    assert pages[0] == pages[1]
    assert pages[0][:2] == (1, [message])
