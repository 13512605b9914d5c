"""Text that XML and iCalendar cannot carry: control characters and line breaks where one line is due.

Each of these passed the check and then ended the build in "internal error" (the feeds'
XML and the calendars refuse them).  Real builds of a copy of the example site; the
outputs of a build that succeeds are parsed by the libraries readers use.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser
import icalendar
import pytest
from helpers_template_attacks import NOW, ROOT, assert_refused, build, example_site

# Each test runs `check` or `build` in a process of its own.
pytestmark = pytest.mark.slow

HOURS_NOTICE = "notices/2026-11-10-treinamento-equipe.md"   # type: hours
INFO_NOTICE = "notices/2026-11-03-whatsapp-comercial.md"
CONTROL_HINT = ("  hint: remove it: it is written as an escape such as \\f or \\x07 in quotes, or was pasted in "
                "with the text")


def run_check(site: Path) -> subprocess.CompletedProcess:
    """Run `python build.py check` on `site` in a process of its own."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=300)


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def title_of(site: Path, rel: str) -> str:
    line = next(line for line in (site / rel).read_text(encoding="utf-8").splitlines() if line.startswith("title: "))
    return line[len("title: "):]


def test_a_form_feed_pasted_into_a_body_is_dropped_with_a_warning(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    edit(site, INFO_NOTICE, "\n---\n", "\n---\nPágina 1 de 2\x0cPágina 2\x0b de 2\x7f\n")
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert f"{INFO_NOTICE}:7:14: warning: the control character U+000C (and 2 more) was dropped from the text" in lines
    assert ("  hint: remove it from the file: control characters are often pasted in with text copied from a PDF"
            in lines)
    out = tmp_path / "out"
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".ics", ".json"):
            assert not any(code in path.read_bytes() for code in (b"\x0c", b"\x0b", b"\x7f")), path
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo and any("Página 1 de 2Página 2 de 2" in entry.summary for entry in feed.entries)
    icalendar.Calendar.from_ical((out / "calendar.ics").read_bytes())


def test_an_escaped_control_character_in_a_title_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    title = title_of(site, HOURS_NOTICE)
    edit(site, HOURS_NOTICE, f"title: {title}", f'title: "{title}\\x07"')
    result = build(site, tmp_path)
    assert_refused(result, f"{HOURS_NOTICE}:2:8: error: the text holds the control character U+0007, which pages, "
                           "feeds and calendars cannot carry")
    assert CONTROL_HINT in result.stderr.splitlines()


def test_an_escape_sequence_for_the_terminal_in_a_name_is_a_located_error(tmp_path: Path) -> None:
    """ESC in a department's name would also reach the terminal of whoever reads the build's messages."""
    site = example_site(tmp_path)
    edit(site, "site_src/hours.yaml", "name: {pt-BR: Financeiro, en: Billing}",
         'name: {pt-BR: "\\e[2J\\e[31mFinanceiro", en: Billing}')
    result = build(site, tmp_path)
    assert_refused(result, "site_src/hours.yaml:4:19: error: the text holds the control character U+001B, which "
                           "pages, feeds and calendars cannot carry")
    assert "\x1b" not in result.stderr


def test_a_noncharacter_in_a_title_is_a_located_error(tmp_path: Path) -> None:
    """U+FFFF is no character at all: XML refuses it. (A lone surrogate, "\\ud800", YAML refuses itself.)"""
    site = example_site(tmp_path)
    title = title_of(site, INFO_NOTICE)
    edit(site, INFO_NOTICE, f"title: {title}", f'title: "{title} \\uffff"')
    result = build(site, tmp_path)
    assert_refused(result, f"{INFO_NOTICE}:2:8: error: the text holds the character U+FFFF, which pages, "
                           "feeds and calendars cannot carry")


def test_a_line_break_in_the_title_of_an_hours_notice_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    title = title_of(site, HOURS_NOTICE)
    edit(site, HOURS_NOTICE, f"title: {title}", f'title: "{title}\\nsegunda linha"')
    result = build(site, tmp_path)
    assert_refused(result, f"{HOURS_NOTICE}:2:8: error: title must be one line; it holds a line break")
    assert "  hint: write it on one line; in quotes, '\\n' is a line break" in result.stderr.splitlines()


def test_a_block_title_of_several_lines_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    title = title_of(site, INFO_NOTICE)
    edit(site, INFO_NOTICE, f"title: {title}", f"title: |\n  {title}\n  BEGIN:VEVENT")
    result = build(site, tmp_path)
    assert_refused(result, f"{INFO_NOTICE}:2:8: error: title must be one line; it holds a line break")


def test_a_line_break_in_the_sites_name_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    edit(site, "site_src/site.yaml", "name: Example Networks", 'name: "Example Networks\\nX-INJECTED: yes"')
    result = build(site, tmp_path)
    assert_refused(result, "site_src/site.yaml:2:7: error: name must be one line; it holds a line break")


def test_a_line_break_in_a_department_name_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    edit(site, "site_src/hours.yaml", "name: {pt-BR: Financeiro, en: Billing}",
         'name: {pt-BR: Financeiro, en: "Billing\\nEND:VCALENDAR"}')
    result = build(site, tmp_path)
    assert_refused(result, "site_src/hours.yaml:4:35: error: a department's name in en must be one line; it holds "
                           "a line break")


def test_a_title_that_ends_in_a_line_break_is_read_as_one_line(tmp_path: Path) -> None:
    """`title: |` keeps a final line break: that is still one line, and builds."""
    site = example_site(tmp_path)
    title = title_of(site, INFO_NOTICE)
    edit(site, INFO_NOTICE, f"title: {title}", f"title: |\n  {title}")
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    calendar = icalendar.Calendar.from_ical((tmp_path / "out" / "calendar.ics").read_bytes())
    assert calendar is not None


def test_messages_show_control_characters_escaped(tmp_path: Path) -> None:
    """A message that quotes a value (here the language a notice names) cannot drive the reader's
    terminal or forge a line of its own."""
    site = example_site(tmp_path)
    edit(site, INFO_NOTICE, "type: info", 'type: info\nlang: "\\e[2J\\nnotices/x.md:1:1: error: forged"')
    result = build(site, tmp_path)
    assert_refused(result, f"{INFO_NOTICE}:5:7: error: '\\x1b[2J\\nnotices/x.md:1:1: error: forged' is not one "
                           "of the site's languages")
    assert "\x1b" not in result.stderr
    assert not any(line.startswith("notices/x.md") for line in result.stderr.splitlines())


def test_a_fifo_among_the_notices_is_refused_without_being_opened(tmp_path: Path) -> None:
    import os

    site = example_site(tmp_path)
    os.mkfifo(site / "notices" / "2026-11-30-aviso.md")
    # Opening it for reading would wait for a writer for ever (build() gives up after 300 s).
    result = build(site, tmp_path)
    assert_refused(result, "notices/2026-11-30-aviso.md:1:1: error: a notice must be a regular file, not a FIFO, "
                           "socket or device")


@pytest.mark.parametrize("name", ["site_src/hours.yaml", "site_src/support.yaml", "site_src/status.yaml"])
def test_a_fifo_or_folder_in_place_of_a_yaml_file_is_named_for_what_it_is(tmp_path: Path, name: str) -> None:
    """A required file (hours.yaml) and an optional one (status.yaml) alike: not "missing", not skipped."""
    import os

    site = example_site(tmp_path)
    (site / name).unlink(missing_ok=True)
    os.mkfifo(site / name)
    result = build(site, tmp_path)
    assert_refused(result, f"{name}:1:1: error: this must be a regular file, not a folder, FIFO, socket or device")
    (site / name).unlink()
    (site / name).mkdir()
    assert_refused(build(site, tmp_path), f"{name}:1:1: error: this must be a regular file, not a folder, FIFO, "
                                          "socket or device")


# --- The same characters written as character references -------------------------------------------------

NOTICE = "---\ntitle: Aviso simples\ndate: 2026-11-22 10:00\ntype: info\n---\n{body}\n"
NEW_NOTICE = "notices/2026-11-22-aviso.md"
INCIDENT_NOTICE = "notices/2026-11-05-instabilidade-link-sp.md"
REFERENCE_HINT = ("  hint: remove the reference from the file: pages, feeds and calendars cannot carry the character "
                  "it stands for")
YAML_REFERENCE_HINT = "  hint: remove the reference: Markdown turns it into the character itself"
# What XML and HTML cannot carry, as the files would hold them.
REFUSED_BYTES = tuple(chr(code).encode() for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,
                                                     0xFDD0, 0xFFFE, 0xFFFF))


def assert_carried(out: Path) -> None:
    """Assert that no output holds a character pages, feeds and calendars cannot carry, and that readers read them."""
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".ics", ".json"):
            data = path.read_bytes()
            assert not any(code in data for code in REFUSED_BYTES), path
    for feed in sorted(out.rglob("*.xml")):
        assert not feedparser.parse(feed.read_bytes()).bozo, feed
    for calendar in sorted(out.rglob("*.ics")):
        icalendar.Calendar.from_ical(calendar.read_bytes())


@pytest.mark.parametrize(("body", "column", "message"), [
    ("Texto &#1; aqui.", 7, "the control character U+0001, written as &#1;,"),                  # C0
    ("Texto &#x1b;[31m aqui.", 7, "the control character U+001B, written as &#x1b;,"),          # the terminal's escape
    ("Texto &#xfffe; aqui.", 7, "the character U+FFFE, written as &#xfffe;,"),                   # a noncharacter
    ("Texto &#xFDD0; &#65535; aqui.", 7, "the character U+FDD0 (and 1 more), written as &#xFDD0;,"),
    ("[link](https://a.example/&#1;)", 26, "the control character U+0001, written as &#1;,"),   # inside an address
    ('<abbr title="&#x7;">x</abbr>', 14, "the control character U+0007, written as &#x7;,"),     # inside an attribute
    ('Sem ponto e vírgula: <abbr title="&#x7">x</abbr>', 35, "the control character U+0007, written as &#x7,"),
], ids=["c0", "escape", "noncharacter", "two_noncharacters", "href", "attribute", "no_semicolon"])
def test_a_character_reference_to_a_control_character_is_a_located_error_in_check_and_build(
        tmp_path: Path, body: str, column: int, message: str) -> None:
    """The raw characters are dropped with a located warning (above); written as a character reference,
    Markdown and nh3 made the very characters, which lxml refused when the feeds were written: `check`
    passed, the build ended in "internal error". Dropped as the raw ones are, with the same warning."""
    site = example_site(tmp_path)
    (site / NEW_NOTICE).write_text(NOTICE.format(body=body), encoding="utf-8")
    warning = f"{NEW_NOTICE}:6:{column}: warning: {message} was dropped from the text"
    checked = run_check(site)
    assert checked.returncode == 0, checked.stderr
    assert warning in checked.stderr.splitlines(), checked.stderr
    built = build(site, tmp_path)
    assert built.returncode == 0, built.stderr
    assert "internal error" not in built.stderr, built.stderr
    assert [warning, REFERENCE_HINT] == [line for line in built.stderr.splitlines() if NEW_NOTICE in line
                                         or line == REFERENCE_HINT], built.stderr
    assert_carried(tmp_path / "out")


def test_a_reference_in_a_code_span_stays_text_and_is_not_warned_about(tmp_path: Path) -> None:
    """`&#1;` in code is shown as written (&amp;#1;): nothing is made, nothing to say."""
    site = example_site(tmp_path)
    (site / NEW_NOTICE).write_text(NOTICE.format(body="Escreva `&#1;` assim."), encoding="utf-8")
    built = build(site, tmp_path)
    assert built.returncode == 0 and NEW_NOTICE not in built.stderr, built.stderr
    assert "<code>&amp;#1;</code>" in (tmp_path / "out" / "notices" / "2026-11-22-aviso" / "index.html").read_text()


def test_a_character_reference_in_a_translations_body_is_dropped_with_a_warning(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    (site / NEW_NOTICE).write_text(NOTICE.format(body="Texto."), encoding="utf-8")
    translation = NEW_NOTICE.replace(".md", ".en.md")
    (site / translation).write_text("---\ntitle: A simple notice\n---\n\nText &#x0c; here.\n", encoding="utf-8")
    built = build(site, tmp_path)
    assert built.returncode == 0, built.stderr
    assert (f"{translation}:5:6: warning: the control character U+000C, written as &#x0c;, was dropped from the "
            "text") in built.stderr.splitlines()
    assert_carried(tmp_path / "out")


def test_a_character_reference_in_an_incident_update_is_a_located_error(tmp_path: Path) -> None:
    """An update's text is YAML, where the character itself (typed, or as "\\x01") is an error: so is its reference.
    It reached the status page's HTML as it was."""
    site = example_site(tmp_path)
    edit(site, INCIDENT_NOTICE, "en: The provider finished the repair.", "en: The provider &#1;finished the repair.")
    checked = run_check(site)
    result = build(site, tmp_path)
    message = (f"{INCIDENT_NOTICE}:18:78: error: the text writes the control character U+0001 as &#1;, which pages, "
               "feeds and calendars cannot carry")
    assert checked.returncode == 1 and message in checked.stderr.splitlines(), checked.stderr
    assert_refused(result, message)
    assert YAML_REFERENCE_HINT in result.stderr.splitlines()


def test_a_character_reference_in_a_support_note_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    edit(site, "site_src/support.yaml", "  - pt-BR: Um chamado encerrado", '  - pt-BR: "&#xffff;Um chamado encerrado')
    edit(site, "site_src/support.yaml", "até 6 meses.", 'até 6 meses."')
    assert_refused(build(site, tmp_path), "site_src/support.yaml:37:12: error: the text writes the character U+FFFF "
                                          "as &#xffff;, which pages, feeds and calendars cannot carry")


# Every other text that reaches the feeds, calendars and JSON is YAML (titles, names, a translation's title,
# the front matter's strings): the one place that refuses such a character, typed or escaped, is the reading of
# each YAML value (read/yaml_nodes.py); these prove it for each kind of file.
@pytest.mark.parametrize(("rel", "old", "new", "where", "what"), [
    ("site_src/status.yaml", "en: Website and customer area}", 'en: "Website\\x01 and customer area"}', "7:47",
     "the control character U+0001"),
    ("site_src/status.yaml", "group: {pt-BR: Web, en: Web}", 'group: {pt-BR: Web, en: "W\\uFDD0eb"}', "8:29",
     "the character U+FDD0"),
    ("site_src/site.yaml", "name: Example Networks", 'name: "Example\\x1b Networks"', "2:7",
     "the control character U+001B"),
    (INFO_NOTICE, "type: info", 'type: info\ndepartments: ["\\x02"]', "5:15", "the control character U+0002"),
], ids=["status_name", "status_group_noncharacter", "site_name", "front_matter_list"])
def test_an_escaped_character_in_any_yaml_text_is_a_located_error(tmp_path: Path, rel: str, old: str, new: str,
                                                                  where: str, what: str) -> None:
    site = example_site(tmp_path)
    edit(site, rel, old, new)
    assert_refused(build(site, tmp_path), f"{rel}:{where}: error: the text holds {what}, which pages, feeds and "
                                          "calendars cannot carry")


def test_an_escaped_character_in_a_translations_title_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    (site / NEW_NOTICE).write_text(NOTICE.format(body="Texto."), encoding="utf-8")
    translation = NEW_NOTICE.replace(".md", ".en.md")
    (site / translation).write_text('---\ntitle: "A simple\\a notice"\n---\nText.\n', encoding="utf-8")
    assert_refused(build(site, tmp_path), f"{translation}:2:8: error: the text holds the control character U+0007, "
                                          "which pages, feeds and calendars cannot carry")
