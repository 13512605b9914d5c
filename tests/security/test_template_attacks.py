"""A pushed template that tries to run code, read a server file or change the data of other pages.

Each attack is a real build of a copy of the example site with the attacking template
added.  The build must fail with the problem placed in the template, the payload must not
have run (the marker file it would create does not exist) and nothing may be published.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers_template_attacks import assert_refused, build, example_site, published

# Each test builds a copy of the example in a process of its own.
pytestmark = pytest.mark.slow

SANDBOX_HINT = ("  hint: templates run in a sandbox: they may use the values, filters and tests the pages give them, "
                "not Python's internals (docs/security.md)")
LOADER_HINT = ("  hint: a template may include, import or extend only the theme's own templates, by their path "
               "inside templates/ (e.g. 'parts/footer.html'), never through a symbolic link")
UNSAFE = "templates/style.css:1:1: error: not allowed in a template: access to attribute '{}' of '{}' object is unsafe"

# Payload (with @CMD@ for the shell command that would make the marker) -> the exact message.
ESCAPES = {
    "cycler_globals": ("{{ cycler.__init__.__globals__.os.popen('@CMD@').read() }}", UNSAFE.format("__init__", "type")),
    "joiner_globals": ("{{ joiner.__init__.__globals__.os.popen('@CMD@').read() }}", UNSAFE.format("__init__", "type")),
    # Jinja's lipsum is no global of the theme (render/frame.py): there is no function to look into.
    "lipsum_globals": ("{{ lipsum.__globals__['os'].popen('@CMD@').read() }}",
                       "templates/style.css:1:1: error: 'lipsum' is undefined"),
    "namespace_globals": ("{{ namespace.__init__.__globals__.os.popen('@CMD@').read() }}",
                          UNSAFE.format("__init__", "type")),
    "self_globals": ("{{ self.__init__.__globals__.__builtins__.__import__('os').popen('@CMD@').read() }}",
                     UNSAFE.format("__init__", "TemplateReference")),
    "range_globals": ("{{ range.__init__.__globals__.os.popen('@CMD@').read() }}", UNSAFE.format("__init__", "function")),
    "gettext_globals": ("{{ _.__globals__['os'].popen('@CMD@').read() }}", UNSAFE.format("__globals__", "function")),
    "mro_subclasses": ("{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
                       "{{ c(['sh', '-c', '@CMD@']) }}{% endif %}{% endfor %}", UNSAFE.format("__class__", "str")),
    "range_mro": ("{{ range(1).__class__.__mro__[1].__subclasses__() }}", UNSAFE.format("__class__", "range")),
    "item_lookup": ("{{ cycler['__init__']['__globals__']['os'].popen('@CMD@').read() }}",
                    UNSAFE.format("__init__", "type")),
    "str_format": ("{{ '{0.__init__.__globals__[os]}'.format(cycler) }}", UNSAFE.format("__init__", "type")),
    "str_format_map": ("{{ '{x.__init__.__globals__}'.format_map({'x': cycler}) }}", UNSAFE.format("__init__", "type")),
    "markup_format": ("{{ ('{0.__init__.__globals__}'|safe).format(cycler) }}", UNSAFE.format("__init__", "type")),
    # |attr hands back the sandbox's "unsafe" undefined, which refuses the next step of the chain.
    "attr_chain": ("{{ (cycler|attr('__init__')|attr('__globals__'))['os'].popen('@CMD@').read() }}",
                   "templates/style.css:1:1: error: 'jinja2.runtime.StrictUndefined object' has no attribute "
                   "'__globals__'"),
    "attr_chain_escaped": ("{{ (cycler|attr('\\x5f\\x5finit\\x5f\\x5f')|attr('\\x5f\\x5fglobals\\x5f\\x5f'))"
                           "['os'].popen('@CMD@').read() }}",
                           "templates/style.css:1:1: error: 'jinja2.runtime.StrictUndefined object' has no attribute "
                           "'__globals__'"),
    "private_context": ("{{ self._TemplateReference__context.environment.loader.get_source(None, 'x') }}",
                        UNSAFE.format("_TemplateReference__context", "TemplateReference")),
    "huge_range": ("{{ range(10**9)|list|length }}",
                   "templates/style.css:1:1: error: OverflowError: Range too big. The sandbox blocks ranges larger "
                   "than MAX_RANGE (100000)."),
}


def assert_cannot_reach_python(tmp_path: Path, template: str, payload: str, message: str) -> None:
    """Push `payload` as the site's `template`, its @CMD@ a command that leaves a marker; assert the build is
    refused with `message`, nothing ran and nothing was published."""
    marker = tmp_path / "MARKER"
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / template).write_text(payload.replace("@CMD@", f"touch {marker}") + "\n", encoding="utf-8")
    result = build(site, tmp_path)
    assert_refused(result, message)
    assert not marker.exists()
    assert published(tmp_path) == ""
    assert "uid=" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_a_template_cannot_reach_python(tmp_path: Path, name: str) -> None:
    assert_cannot_reach_python(tmp_path, "style.css", *ESCAPES[name])


UNSAFE_IN_HOURS = UNSAFE.replace("templates/style.css", "templates/hours.html")
# Through the objects whose public attributes render/frame.py gives without the sandbox's checks
# (PLAIN_OBJECTS): their private names, and the methods they hand out, still meet the sandbox.
THROUGH_PLAIN_OBJECTS = {
    "site_class": ("{{ site.__class__ }}{{ site.__class__.__init__.__globals__['os'].popen('@CMD@').read() }}",
                   UNSAFE_IN_HOURS.format("__class__", "Site")),
    "loop_class": ("{% for item in page.nav %}{{ loop.__class__ }}{{ loop.__class__.__init__.__globals__['os']"
                   ".popen('@CMD@') }}"
                   "{% endfor %}", UNSAFE_IN_HOURS.format("__class__", "LoopContext")),
    "names_globals": ("{{ names.__init__.__globals__['os'].popen('@CMD@').read() }}",
                      UNSAFE_IN_HOURS.format("__init__", "TemplateModule")),
    "macro_globals": ("{{ names.channel.__init__.__globals__['os'].popen('@CMD@').read() }}",
                      UNSAFE_IN_HOURS.format("__init__", "Macro")),
    "model_method": ("{{ site.departments[0].name.get.__func__.__globals__['os'].popen('@CMD@').read() }}",
                     UNSAFE_IN_HOURS.format("__func__", "method")),
    "model_slots": ("{{ site.__slots__ }}", UNSAFE_IN_HOURS.format("__slots__", "Site")),
}


@pytest.mark.parametrize("name", sorted(THROUGH_PLAIN_OBJECTS))
def test_a_template_cannot_reach_python_through_the_sites_objects(tmp_path: Path, name: str) -> None:
    assert_cannot_reach_python(tmp_path, "hours.html", *THROUGH_PLAIN_OBJECTS[name])


def test_the_sandbox_says_why_and_where_to_read_more(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text("body {}\n\n{{ cycler.__init__ }}\n", encoding="utf-8")
    result = build(site, tmp_path)
    assert_refused(result, UNSAFE.format("__init__", "type").replace(":1:1:", ":3:1:"))
    assert result.stderr.splitlines()[1] == SANDBOX_HINT


def test_a_template_cannot_change_the_values_other_pages_read(tmp_path: Path) -> None:
    """The immutable sandbox: lists and dicts handed to templates cannot be changed from them."""
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "hours.html").write_text("{{ page.nav.append({'href': 'https://evil.example/'}) }}"
                                                   "{{ page.update(home='https://evil.example/') }}\n",
                                                   encoding="utf-8")
    result = build(site, tmp_path)
    assert_refused(result, "templates/hours.html:1:1: error: not allowed in a template: access to attribute "
                           "'append' of 'list' object is unsafe")
    assert "evil.example" not in published(tmp_path)


TARGET = Path("/etc/hostname")


def target_text() -> str:
    """Return the text a leak would publish; every machine that runs the tests has /etc/hostname."""
    return TARGET.read_text(encoding="utf-8").strip()


# How a template names another -> the exact message (the template asking is templates/style.css, line 1).
READS = {
    "include_absolute": ('{% include "/etc/hostname" %}',
                         "templates/style.css:1:1: error: the template name '/etc/hostname' is an absolute path: "
                         "templates are named by their path inside templates/, e.g. 'parts/footer.html'"),
    "import_absolute": ('{% import "/etc/hostname" as leak %}{{ leak }}',
                        "templates/style.css:1:1: error: the template name '/etc/hostname' is an absolute path: "
                        "templates are named by their path inside templates/, e.g. 'parts/footer.html'"),
    "extends_absolute": ('{% extends "/etc/hostname" %}',
                         "templates/style.css:1:1: error: the template name '/etc/hostname' is an absolute path: "
                         "templates are named by their path inside templates/, e.g. 'parts/footer.html'"),
    "include_parent": ('{% include "../site_src/support.yaml" %}',
                       "templates/style.css:1:1: error: the template name '../site_src/support.yaml' leads out of "
                       "the theme with '..': templates are named by their path inside templates/"),
    "import_deep_parent": ('{% from "parts/../../../../../../../etc/hostname" import x %}',
                           "templates/style.css:1:1: error: the template name "
                           "'parts/../../../../../../../etc/hostname' leads out of the theme with '..': templates "
                           "are named by their path inside templates/"),
    "extends_computed": ('{% extends "/etc/" ~ "hostname" %}',
                         "templates/style.css:1:1: error: the template name '/etc/hostname' is an absolute path: "
                         "templates are named by their path inside templates/, e.g. 'parts/footer.html'"),
    "include_list": ('{% include ["nothing.html", "/etc/hostname"] %}',
                     "templates/style.css:1:1: error: the template name '/etc/hostname' is an absolute path: "
                     "templates are named by their path inside templates/, e.g. 'parts/footer.html'"),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_a_template_cannot_read_a_file_outside_the_theme(tmp_path: Path, name: str) -> None:
    statement, message = READS[name]
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text(statement + "\n", encoding="utf-8")
    result = build(site, tmp_path)
    assert_refused(result, message)
    assert result.stderr.splitlines()[1] == LOADER_HINT
    assert target_text() not in published(tmp_path) + result.stdout + result.stderr


def test_a_template_linked_to_a_server_file_is_refused_at_the_link(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    os.symlink(TARGET, site / "templates" / "leak.txt")
    (site / "templates" / "style.css").write_text('{% include "leak.txt" %}\n', encoding="utf-8")
    result = build(site, tmp_path)
    assert_refused(result, "templates/leak.txt:1:1: error: the template is a symbolic link to a file outside the site")
    assert "  hint: replace the link with a copy of the template" in result.stderr.splitlines()
    assert target_text() not in published(tmp_path) + result.stdout + result.stderr


def test_a_template_linked_inside_the_site_is_refused_too(tmp_path: Path) -> None:
    """Templates are never read through a link, even one that stays in the site (site_src/ holds the
    probe's header secrets' names, and the link would publish them)."""
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    os.symlink("../site_src/site.yaml", site / "templates" / "leak.txt")
    (site / "templates" / "style.css").write_text('{% include "leak.txt" %}\n', encoding="utf-8")
    result = build(site, tmp_path)
    assert_refused(result, "templates/leak.txt:1:1: error: the template is a symbolic link: templates are never "
                           "read through a link")
    assert "base_url" not in published(tmp_path)


def test_a_templates_folder_linked_out_of_the_site_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "style.css").write_text("{{ cycler.__init__ }}\n", encoding="utf-8")
    site = example_site(tmp_path)
    os.symlink(outside, site / "templates")
    result = build(site, tmp_path)
    assert_refused(result, "templates:1:1: error: the folder is a symbolic link to a folder outside the site")
    assert "  hint: replace the link with a copy of the template" in result.stderr.splitlines()


def test_a_linked_folder_inside_the_theme_is_not_followed(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    os.symlink("/etc", site / "templates" / "parts")
    (site / "templates" / "style.css").write_text('{% include "parts/hostname" %}\n', encoding="utf-8")
    result = build(site, tmp_path)
    assert_refused(result, "templates/parts:1:1: error: the folder is a symbolic link to a folder outside the site")
    assert target_text() not in published(tmp_path) + result.stdout + result.stderr


def test_the_theme_may_still_include_its_own_templates(tmp_path: Path) -> None:
    """What the sandbox and the loader allow: the default theme and a site's own parts, by name."""
    site = example_site(tmp_path)
    (site / "templates" / "parts").mkdir(parents=True)
    (site / "templates" / "parts" / "extra.css").write_text("/* {{ 'own part' | upper }} */\n", encoding="utf-8")
    (site / "templates" / "style.css").write_text('{% include "./parts/extra.css" %}\n'
                                                  '{{ cycler("a", "b").next() }}{{ range(3)|join(",") }}\n',
                                                  encoding="utf-8")
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "/* OWN PART */" in page and "a0,1,2" in page
