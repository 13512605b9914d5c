"""Front matter composed by libyaml with only the tag answers the converter reads: every document gives the
same values and the same placed problems as composing with CSafeLoader, whose resolver answers them all."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.read.yaml_nodes import _ALLOWED_TAGS, _Converter, parse_yaml

NOW = "2026-11-23T10:00:00-03:00"
pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="the composer is libyaml's only")


def by_safe_loader(text: str, path: str, line_offset: int):
    """Return parse_yaml's answer for a document composed by CSafeLoader, every scalar resolved and searched."""
    converter = _Converter(path, line_offset, True)
    root = converter.convert(yaml.compose(text, Loader=yaml.CSafeLoader))
    return (None if converter.bombed else root), converter.errors


def test_the_only_implicit_tags_refused_are_merge_and_yaml():
    # What the composer answers itself (the rest it answers str, allowed like each of these).
    tags = {tag for resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.values() for tag, _ in resolvers}
    assert tags - _ALLOWED_TAGS == {"tag:yaml.org,2002:merge", "tag:yaml.org,2002:yaml"}


# `!` is YAML's non-specific tag: libyaml resolves a scalar so tagged as a plain one, quoted or not, and
# SafeLoader's resolver reads `!`, `&` and `*` alone as !!yaml and `<<` as a merge, each also with a line
# break after it (its regular expressions end with `$`).
@pytest.mark.parametrize("text", [
    "a: ! '*'\n", "a: ! \"!\"\n", "! '&': x\n", "a: [! '*', ! '!']\n", "a: ! \"*\\n\"\n", "a: ! |\n  *\n",
    "! \"<<\\n\": {b: 1}\n", "? ! \"<<\\n\"\n: [x]\n", "! '<<': {b: 1}\n", "a: ! \"<<\\n\\n\"\n", "a: ! '**'\n",
])
def test_the_non_specific_tag_resolves_as_safe_loader_resolves_it(text):
    assert parse_yaml(text, "n.md", 1) == by_safe_loader(text, "n.md", 1)


def test_a_title_tagged_to_read_as_yaml_is_refused_where_it_is_written(make_site, tmp_path, capsys):
    site = make_site({"notices/2026-11-20-x.md": "---\ntitle: ! '*'\ndate: 2026-11-20 10:00\ntype: info\n---\nTexto.\n"})
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--now", NOW]) == 1
    assert capsys.readouterr().err == (
        "notices/2026-11-20-x.md:2:1: error: a notice is missing the required key 'title'\n"
        "notices/2026-11-20-x.md:2:8: error: YAML tag !!yaml is not allowed\n"
        "  hint: sources hold plain values only: remove the tag\n"
        "2 errors; nothing was written\n")


TAGS = st.sampled_from(["", "", "", "! ", "!!str ", "!!int ", "!!merge ", "!!binary ", "!x ", "!!null ", "!!yaml ",
                        "!<tag:yaml.org,2002:str> "])
ESCAPES = st.sampled_from(["\\x1b", "\\0", "\\e", "\\x85", "\\N", "\\t", "\\n", "\\\"", "\\\\", "\\x7f", "\\uFFFE",
                           "\\L", "\\_", "a", " ", "!", "*", "&", "<<", "é"])
SCALARS = st.one_of(
    st.tuples(TAGS, st.lists(st.sampled_from(list("ab1 :#-*&!<>|\"[]{},?%@`.=~é\x85\u2028\ufeff") + ["''"]),
                             max_size=5).map("".join)).map(lambda p: f"{p[0]}'{p[1]}'"),
    st.tuples(TAGS, st.lists(ESCAPES, max_size=4).map("".join)).map(lambda p: f'{p[0]}"{p[1]}"'),
    st.tuples(TAGS, st.sampled_from(["a", "<<", "12", "yes", "~", "", "=", "2020-01-01", "x y", "*x", "!", "&", "*"]))
    .map("".join),
)
KEYS = st.sampled_from(["a", "b", "<<", "'<<'", '"<<"', "! <<", "! '<<'", "!!merge <<", "&m <<", "[a]", "{a: 1}",
                        "! '*'", "? c", "&x k"])
VALUES = st.recursive(
    st.tuples(st.sampled_from(["", "&x ", "&y "]), SCALARS).map("".join),
    lambda inner: st.one_of(
        st.tuples(TAGS, st.lists(inner, max_size=3)).map(lambda p: p[0] + "[" + ", ".join(p[1]) + "]"),
        st.tuples(TAGS, st.lists(st.tuples(KEYS, inner), max_size=3))
        .map(lambda p: p[0] + "{" + ", ".join(f"{k}: {v}" for k, v in p[1]) + "}"),
    ),
    max_leaves=8,
)
DOCUMENTS = st.tuples(
    st.sampled_from(["", "", "---\n", "%TAG ! tag:yaml.org,2002:\n---\n", "%YAML 1.1\n---\n"]),
    st.lists(st.tuples(KEYS, VALUES).map(lambda p: f"{p[0]}: {p[1]}\n"), min_size=1, max_size=6).map("".join),
    st.sampled_from(["", "", "", "...\n", "---\n", "b: *x\n", "<<: *x\n", "c: [*x, *y]\n"]),
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(DOCUMENTS)
def test_any_document_reads_as_composed_by_safe_loader(text):
    try:
        expected = by_safe_loader(text, "n.md", 1)
    except yaml.YAMLError:
        return      # not YAML: both give the same syntax error, composed by the same parser
    assert parse_yaml(text, "n.md", 1) == expected
