"""The theme environment's quick paths give exactly what Jinja's sandbox gives.

render/frame.py answers `x.name` without the sandbox's checks for plain dicts and for the
objects of PLAIN_OBJECTS, and prints values through escape_output rather than markupsafe's
escape().  Here each answer is compared with the sandbox's own (ImmutableSandboxedEnvironment,
which the theme environment extends) on the real objects of the example site, for every
name those objects have and for names they lack; and what is printed with what escape()
prints.  The builds that attack through these objects are in test_template_attacks.py.
"""

from __future__ import annotations

import dataclasses
import marshal
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import DictLoader, StrictUndefined, UndefinedError
from jinja2.bccache import bc_magic
from jinja2.runtime import LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from generator.pipeline import load, resolve
from generator.read.templates import theme_loader
from generator.render.bytecode import _kind, bytecode_cache
from generator.render.frame import (
    PLAIN_OBJECTS,
    ThemeCodeGenerator,
    ThemeEnvironment,
    escape_output,
    language_environment,
    make_environment,
)
from generator.write.template_cache import SealedFiles

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.fromisoformat("2026-11-23T10:00:00-03:00")
# Names no object here has, names the sandbox refuses, and names it treats apart.
ODD_NAMES = ("missing", "_", "_x", "__class__", "__init__", "__dict__", "__slots__", "__globals__", "format",
             "format_map", "mro", "append", "update", "pop", "items", "get", "keys", "")


def objects_of(value, found: dict[type, object], depth: int = 0) -> None:
    """Collect one object of each type met in `value`, its fields, items and their fields (ten levels down)."""
    if depth > 10:
        return
    if type(value) in PLAIN_OBJECTS:
        found.setdefault(type(value), value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            objects_of(getattr(value, field.name), found, depth + 1)
    elif isinstance(value, (tuple, list)):
        for item in value[:3]:
            objects_of(item, found, depth + 1)


@pytest.fixture(scope="module")
def example_objects() -> dict[type, object]:
    """One object of each type of PLAIN_OBJECTS, from the example site as its build sees it."""
    loaded = load(ROOT, rendering=True)
    build = resolve(loaded, NOW).build
    found: dict[type, object] = {}
    objects_of(build.site, found)
    env = make_environment(theme_loader(()))
    found[type(language_environment(env, "pt-BR").globals["names"])] = language_environment(env, "pt-BR").globals["names"]
    found[LoopContext] = LoopContext(iter(["a", "b"]), StrictUndefined)
    return found


def sandbox_and_theme() -> tuple[ImmutableSandboxedEnvironment, ThemeEnvironment]:
    """Return Jinja's sandbox and the theme's environment, both with the theme's kind of undefined."""
    return (ImmutableSandboxedEnvironment(undefined=StrictUndefined),
            ThemeEnvironment(undefined=StrictUndefined))


def same_answer(expected, got) -> bool:
    """Tell whether two answers of getattr are the same: the same object, or undefined in the same way."""
    if isinstance(expected, Undefined) or isinstance(got, Undefined):
        return (type(expected) is type(got) and expected._undefined_hint == got._undefined_hint
                and expected._undefined_exception is got._undefined_exception
                and expected._undefined_name == got._undefined_name)
    if callable(expected) and getattr(expected, "__name__", None) in ("format", "format_map"):
        return callable(got) and got.__name__ == expected.__name__    # the sandbox wraps str.format anew each time
    return expected is got or expected == got


def test_every_kind_of_plain_object_is_met_in_the_example(example_objects):
    assert set(example_objects) == set(PLAIN_OBJECTS)


def test_plain_objects_answer_as_the_sandbox_does(example_objects):
    sandbox, theme = sandbox_and_theme()
    compared = 0
    for obj in example_objects.values():
        for name in sorted(set(dir(obj)) | set(ODD_NAMES)):
            expected, got = sandbox.getattr(obj, name), theme.getattr(obj, name)
            assert same_answer(expected, got), (type(obj).__name__, name, expected, got)
            compared += 1
    assert compared > 500


def test_a_private_name_of_a_plain_object_is_refused_as_unsafe(example_objects):
    _, theme = sandbox_and_theme()
    site = next(obj for obj in example_objects.values() if type(obj).__name__ == "Site")
    refused = theme.getattr(site, "__class__")
    assert isinstance(refused, Undefined)
    assert refused._undefined_hint == "access to attribute '__class__' of 'Site' object is unsafe."


def test_dicts_answer_as_the_sandbox_does():
    sandbox, theme = sandbox_and_theme()
    page = {"title": "x", "items": "shadowed by dict.items", "__class__": "an item", "format": "{0}"}
    for name in sorted(set(dir(dict)) | set(ODD_NAMES) | set(page)):
        assert same_answer(sandbox.getattr(page, name), theme.getattr(page, name)), name


@given(st.text())
def test_printed_text_is_escaped_as_markupsafe_escapes_it(text):
    assert escape_output(text) == str(escape(text))
    assert escape_output(Markup(text)) == str(escape(Markup(text)))


class Shown:
    def __html__(self):
        return "<b>shown</b>"


class Named(str):
    pass


@pytest.mark.parametrize("value", [None, 0, -1.5, True, ("<a>",), Shown(), Named("<i>&"), Markup("<b>&amp;</b>"),
                                   "'\"<>&", ""], ids=repr)
def test_every_kind_of_value_is_printed_as_escape_prints_it(value):
    assert escape_output(value) == str(escape(value))


def test_the_theme_compiles_templates_that_print_through_escape_output():
    env = make_environment(theme_loader(()))
    template = language_environment(env, "en").from_string("{{ x }}|{{ y }}|{{ z }}")
    assert template.root_render_func.__globals__["escape"] is escape_output
    assert template.render(x="<a href='x'>&", y=Markup("<b>"), z=3) == "&lt;a href=&#39;x&#39;&gt;&amp;|<b>|3"


# `loop.length` (and revindex, last, nextitem) reads ahead through the loop's iterable; when that
# raises AttributeError (here dictsort of a list, lazily, through map) the sandbox finds no such
# attribute and the page fails.  The attribute is read once: a second reading would find the
# iterable already consumed and answer with a length the loop never had.
READ_AHEAD = "{% for x in [{'a': 1}, [1]]|map('dictsort') %}{{ loop.@NAME@ }}{% endfor %}"


@pytest.mark.parametrize("name", ["length", "revindex", "revindex0", "last", "nextitem"])
def test_a_loop_attribute_whose_reading_fails_fails_as_in_the_sandbox(name):
    sandbox, _ = sandbox_and_theme()
    theme = language_environment(make_environment(theme_loader(())), "en")
    source = READ_AHEAD.replace("@NAME@", name)
    with pytest.raises(UndefinedError) as expected:
        sandbox.from_string(source).render()
    with pytest.raises(UndefinedError) as got:
        theme.from_string(source).render()
    assert str(got.value) == str(expected.value) == f"'jinja2.runtime.LoopContext object' has no attribute '{name}'"


# --- Compiled code kept between builds -----------------------------------------------------

SOURCE = "{{ x }}"


def kept_code(store: SealedFiles, kind: bytes, compiled_from: str) -> None:
    """Keep in `store`, sealed with its key under `kind`, the code of `compiled_from` (by Jinja's own code
    generator, which prints through escape()) as the compiled code of SOURCE in the theme's English."""
    env = language_environment(make_environment(DictLoader({"names.html": "", "page.html": SOURCE}), store), "en")
    bucket = env.bytecode_cache.get_bucket(env, "page.html", None, SOURCE)
    code = ImmutableSandboxedEnvironment(autoescape=True).compile(compiled_from, "page.html")
    checksum = bucket.checksum.encode()
    store.write(bucket.key, kind, bc_magic + len(checksum).to_bytes(4, "big") + checksum + marshal.dumps(code))


def rendered_with(store: SealedFiles) -> str:
    env = language_environment(make_environment(DictLoader({"names.html": "", "page.html": SOURCE}), store), "en")
    return env.get_template("page.html").render(x="<a>")


def test_code_kept_by_the_sandbox_before_escape_output_is_compiled_again(tmp_path):
    # What every site's cache holds from before: code this machine sealed as b"sandboxed".
    store = SealedFiles(tmp_path, bytes(range(32)))
    kept_code(store, b"sandboxed", "{{ x|safe }}")
    assert rendered_with(store) == "&lt;a&gt;"


def test_code_kept_under_the_theme_environments_own_kind_is_loaded(tmp_path):
    # The other side of the test above: the store is read, and only the kind keeps the old code out.
    store = SealedFiles(tmp_path, bytes(range(32)))
    env = language_environment(make_environment(DictLoader({"names.html": "", "page.html": SOURCE}), store), "en")
    kind = _kind(env)
    kept_code(store, kind, "{{ x|safe }}")
    assert rendered_with(store) == "<a>"


class Unbounded(ThemeEnvironment):
    """The theme environment as it was before `*` and `**` were checked (render/bounds.py)."""

    intercepted_binops = frozenset()


def test_code_compiled_by_a_sandbox_that_checks_fewer_operators_is_not_loaded(tmp_path):
    # A template compiled before an operator was checked, kept, must not run unchecked after.
    store = SealedFiles(tmp_path, bytes(range(32)))
    source = {"page.html": "{{ 'x' * n }}"}
    Unbounded(loader=DictLoader(source), bytecode_cache=bytecode_cache(store)).get_template("page.html")
    assert list(tmp_path.iterdir())
    checked = ThemeEnvironment(loader=DictLoader(source), bytecode_cache=bytecode_cache(store))
    with pytest.raises(SecurityError, match="more than 1,000,000 characters"):
        checked.get_template("page.html").render(n=2_000_000)


class OtherGenerator(ThemeCodeGenerator):
    """A code generator that prints what it is given unescaped, with ThemeCodeGenerator's `compiled_as`."""

    def visit_Template(self, node, frame=None):
        super().visit_Template(node, frame)
        self.writeline("escape = str")


class OtherTheme(ThemeEnvironment):
    code_generator_class = OtherGenerator


def test_code_from_another_code_generator_is_not_loaded(tmp_path):
    # ThemeCodeGenerator changed (an edit of frame.py) without a new `compiled_as`: its old code stays out.
    store = SealedFiles(tmp_path, bytes(range(32)))
    source = {"page.html": SOURCE}
    assert OtherTheme(loader=DictLoader(source), autoescape=True,
                      bytecode_cache=bytecode_cache(store)).get_template("page.html").render(x="<a>") == "<a>"
    theme = ThemeEnvironment(loader=DictLoader(source), autoescape=True, bytecode_cache=bytecode_cache(store))
    assert theme.get_template("page.html").render(x="<a>") == "&lt;a&gt;"
