"""`new notice|incident|maintenance`: files that validate as created, slugs, collisions, refusals."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_SITE

from generator.cli import main
from generator.commands.new import SLUG_LENGTH, slugify
from generator.pipeline import load

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00-03:00"
# Commented examples: a YAML key or an indented line after "# ", not the explanations.
EXAMPLE_LINE = re.compile(r"(?m)^# (?=[a-z_]+:|  )")


@pytest.fixture
def example_copy(tmp_path):
    """A copy of the example site's sources (without the probe's history, which `check` does not read)."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "notices", site / "notices")
    shutil.copytree(ROOT / "site_src", site / "site_src", ignore=shutil.ignore_patterns("uptime"))
    return site


def new(site: Path, *args: str, now: str = NOW) -> int:
    return main(["new", *args, "--site", str(site), "--now", now])


def problems_of(site: Path, path: str):
    """Return the problems `check` finds in one file, and whether the site is valid."""
    loaded = load(site)
    return loaded.site is not None, [p.format() for p in loaded.problems if p.path == path]


@pytest.mark.parametrize("kind", ["notice", "incident", "maintenance"])
def test_each_kind_validates_as_created(example_copy, kind, capsys):
    components = ("--component", "link-sp") if kind != "notice" else ()
    assert new(example_copy, kind, "--title", "Manutenção do link às 3h", *components) == 0
    name = "notices/2026-11-23-manutencao-do-link-as-3h.md"
    assert capsys.readouterr() == (
        f"created {example_copy / name}; fill it in, then run: expediente check\n", "")
    assert problems_of(example_copy, name) == (True, [])
    assert main(["check", "--site", str(example_copy)]) == 0
    assert capsys.readouterr().out == f"checked {example_copy}: no errors\n"


@pytest.mark.parametrize("kind", ["notice", "maintenance"])
def test_the_commented_examples_validate_too(example_copy, kind):
    assert new(example_copy, kind, "--title", "Exemplo", *(("--component", "website") * (kind != "notice"))) == 0
    path = example_copy / "notices/2026-11-23-exemplo.md"
    text = path.read_text(encoding="utf-8")
    uncommented = EXAMPLE_LINE.sub("", text)
    assert uncommented != text
    path.write_text(uncommented, encoding="utf-8")
    assert problems_of(example_copy, "notices/2026-11-23-exemplo.md") == (True, [])


def test_the_notice_example_becomes_an_hours_notice(example_copy):
    new(example_copy, "notice", "--title", "Exemplo")
    path = example_copy / "notices/2026-11-23-exemplo.md"
    path.write_text(EXAMPLE_LINE.sub("", path.read_text(encoding="utf-8")), encoding="utf-8")
    site = load(example_copy).site
    notice = next(n for n in site.notices if n.slug == "2026-11-23-exemplo")
    assert notice.type == "hours"
    assert notice.departments == ("financeiro",)
    assert [(c.first.isoformat(), c.last.isoformat(), c.closed) for c in notice.changes] == [
        ("2026-11-24", "2026-11-24", True), ("2026-11-25", "2026-11-26", False)]


def test_the_incident_is_unresolved_from_now(example_copy):
    new(example_copy, "incident", "--title", "Lentidão no site", "--component", "website")
    site = load(example_copy).site
    incident = next(n for n in site.notices if n.slug == "2026-11-23-lentidao-no-site")
    assert (incident.type, incident.impact, incident.components) == (
        "incident", "minor", (("website", "degraded_performance"),))
    assert incident.start.isoformat() == "2026-11-23T10:00:00-03:00" and incident.end is None
    assert [u.status for u in incident.updates] == ["investigating"]


def test_the_front_matter_reads_as_written(example_copy):
    new(example_copy, "maintenance", "--title", 'Troca "urgente": 50% do tráfego', "--component", "website")
    text = (example_copy / "notices/2026-11-23-troca-urgente-50-do-trafego.md").read_text(encoding="utf-8")
    assert text.startswith("---\n# Planned maintenance:")
    assert '\ntitle: "Troca \\"urgente\\": 50% do tráfego"\n' in text
    assert "\ndate: 2026-11-23 10:00   # publication\n" in text
    assert "\nstart: 2026-11-24 01:00\nend: 2026-11-24 03:00\n" in text
    assert "# Components: website, email, dns, link-sp, datacenter.\n" in text
    assert text.endswith("-->\n")


# --- File names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("title, slug", [
    ("Manutenção programada no data center", "manutencao-programada-no-data-center"),
    ("Atenção: São Paulo — 3ª-feira!", "atencao-sao-paulo-3a-feira"),
    ("Straße, Ærø, Łódź, Øresund", "strasse-aero-lodz-oresund"),
    ("  Ñandú   PIÑATA  ", "nandu-pinata"),
    ("データセンター", "notice"),
    ("!!!", "notice"),
])
def test_slugify(title, slug):
    assert slugify(title, "notice") == slug


def test_a_long_title_is_cut_between_words():
    slug = slugify("palavra " * 20, "notice")
    assert len(slug) <= SLUG_LENGTH and slug.endswith("palavra") and "--" not in slug
    assert slugify("a" * 100, "notice") == "a" * SLUG_LENGTH


def test_a_taken_slug_is_numbered(example_copy, capsys):
    for _ in range(3):
        assert new(example_copy, "notice", "--title", "Aviso") == 0
    names = sorted(p.name for p in (example_copy / "notices").glob("2026-11-23-*"))
    assert names == ["2026-11-23-aviso-2.md", "2026-11-23-aviso-3.md", "2026-11-23-aviso.md"]


def test_a_translation_takes_its_slug_too(example_copy):
    (example_copy / "notices/2026-11-23-aviso.en.md").write_text("---\ntitle: Notice\n---\n", encoding="utf-8")
    assert new(example_copy, "notice", "--title", "Aviso") == 0
    assert (example_copy / "notices/2026-11-23-aviso-2.md").is_file()
    assert not (example_copy / "notices/2026-11-23-aviso.md").exists()


def test_an_explicit_slug_is_refused_when_taken(example_copy, capsys):
    assert new(example_copy, "notice", "--title", "Aviso", "--slug", "natal") == 0
    path = example_copy / "notices/2026-11-23-natal.md"
    before = path.read_bytes()
    capsys.readouterr()
    assert new(example_copy, "incident", "--title", "Outro", "--slug", "natal") == 1
    assert capsys.readouterr() == ("", (
        "error: notices/2026-11-23-natal.md already exists (or a translation of it); nothing was written\n"
        "  hint: choose another --slug, or leave --slug out to have the title's slug numbered\n"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in (example_copy / "notices").glob("2026-11-23-*")) == ["2026-11-23-natal.md"]


def test_a_bad_slug_is_refused(example_copy, capsys):
    assert new(example_copy, "notice", "--title", "Aviso", "--slug", "Natal 2026") == 1
    assert capsys.readouterr().err == (
        "error: --slug 'Natal 2026' is not a slug\n  hint: use lower-case letters, digits and hyphens\n")


# --- Dates ----------------------------------------------------------------------------------------

def test_date_names_the_file_and_the_publication(example_copy):
    assert new(example_copy, "notice", "--title", "Aviso", "--date", "2026-12-01 09:30") == 0
    text = (example_copy / "notices/2026-12-01-aviso.md").read_text(encoding="utf-8")
    assert "\ndate: 2026-12-01 09:30   # publication\n" in text
    assert "\n#     weekday: quarta-feira\n" in text         # 2026-12-02, in the notice's language
    assert new(example_copy, "notice", "--title", "Dia", "--date", "2026-12-02") == 0
    assert "\ndate: 2026-12-02 00:00   # publication\n" in (
        example_copy / "notices/2026-12-02-dia.md").read_text(encoding="utf-8")


def test_date_with_another_offset_is_written_in_the_site_zone(example_copy):
    assert new(example_copy, "notice", "--title", "Aviso", "--date", "2026-12-01 02:00Z") == 0
    assert "\ndate: 2026-11-30 23:00   # publication\n" in (
        example_copy / "notices/2026-11-30-aviso.md").read_text(encoding="utf-8")


def test_a_repeated_hour_keeps_its_offset(make_site):
    site = make_site({"site_src/site.yaml": "name: X\nbase_url: https://x.example/\ntimezone: Europe/Lisbon\n"
                                            "languages: [pt-BR, en]\n"})
    # 2027-10-31 01:30 happens twice in Lisbon; the second time is 01:30 UTC.
    assert new(site, "notice", "--title", "Aviso", "--date", "2027-10-31 01:30Z") == 0
    text = (site / "notices/2027-10-31-aviso.md").read_text(encoding="utf-8")
    assert "\ndate: 2027-10-31 01:30 +00:00   # publication\n" in text
    assert problems_of(site, "notices/2027-10-31-aviso.md") == (True, [])


@pytest.mark.slow   # runs python build.py under another TZ
@pytest.mark.parametrize("machine_zone", ["UTC", "Asia/Tokyo"])
def test_a_naive_now_is_read_in_the_sites_zone_not_the_machines(example_copy, machine_zone):
    # The example site is in America/Sao_Paulo: 10:00 there, whatever zone the machine runs in.
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "new", "notice", "--title", "Aviso",
                           "--site", str(example_copy), "--now", "2026-11-23T10:00"],
                          env={**os.environ, "TZ": machine_zone}, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert "\ndate: 2026-11-23 10:00   # publication\n" in (
        example_copy / "notices/2026-11-23-aviso.md").read_text(encoding="utf-8")


def test_a_bad_date_is_refused(example_copy, capsys):
    assert new(example_copy, "notice", "--title", "Aviso", "--date", "2026-02-30") == 1
    assert capsys.readouterr().err == (
        "error: --date: 2026-02-30 does not exist: February 2026 has 28 days\n"
        "  hint: e.g. --date 2026-12-01 or --date '2026-12-01 09:30'\n")


def test_source_date_epoch_does_not_date_a_new_notice(example_copy):
    # SOURCE_DATE_EPOCH pins builds; a notice is written now (the clock), unless --now or --date says otherwise.
    assert main(["new", "notice", "--title", "Aviso", "--site", str(example_copy)],
                environ={"SOURCE_DATE_EPOCH": "0"}) == 0
    created = [p.name for p in (example_copy / "notices").glob("*-aviso.md")]
    assert len(created) == 1 and not created[0].startswith(("1969", "1970"))


# --- Refusals ---------------------------------------------------------------------------------------

def test_incident_needs_components(make_site, capsys):
    site = make_site()
    assert new(site, "incident", "--title", "Queda") == 1
    assert capsys.readouterr().err == (
        "error: an incident notice needs components, and this site has none\n"
        "  hint: describe them in site_src/status.yaml (see docs/format.md)\n")
    assert not (site / "notices").exists() or not any((site / "notices").iterdir())


def test_a_title_is_one_line(example_copy, capsys):
    assert new(example_copy, "notice", "--title", "Um\nDois") == 1
    assert capsys.readouterr().err.startswith("error: --title must be one line of text\n")
    assert new(example_copy, "notice", "--title", "   ") == 1


def test_kind_and_title_are_required(example_copy, capsys):
    assert main(["new", "aviso", "--title", "X", "--site", str(example_copy)]) == 2
    assert "invalid choice: 'aviso'" in capsys.readouterr().err
    assert main(["new", "notice", "--site", str(example_copy)]) == 2
    assert "the following arguments are required: --title" in capsys.readouterr().err


def test_a_broken_notice_elsewhere_does_not_stop_a_new_one(example_copy):
    (example_copy / "notices/2026-11-01-quebrado.md").write_text("---\ntitle: X\ndate: 2026-02-30\n---\n",
                                                                 encoding="utf-8")
    assert new(example_copy, "notice", "--title", "Aviso") == 0
    assert problems_of(example_copy, "notices/2026-11-23-aviso.md") == (False, [])


def test_broken_settings_stop_a_new_notice_and_say_why(make_site, capsys):
    """Without the site's time zone no file name can be dated: the settings' errors, then nothing written."""
    site = make_site({"site_src/site.yaml": MINIMAL_SITE.replace("America/Sao_Paulo", "America/Sao_Paolo")})
    assert new(site, "notice", "--title", "Aviso") == 1
    assert capsys.readouterr() == ("", (
        "site_src/hours.yaml:1:1: warning: not checked: it is read in site.yaml's time zone and languages, which "
        "have errors\n"
        "site_src/site.yaml:3:11: error: unknown time zone 'America/Sao_Paolo'\n"
        "  hint: did you mean 'America/Sao_Paulo'?\n"
        "error: the site's settings have errors; nothing was written\n"))
    assert not (site / "notices").exists()


# --- The components of a new incident or maintenance: never one picked regardless ---------------

def components_of(site: Path, slug: str) -> tuple:
    loaded = load(site)
    assert loaded.site is not None, loaded.problems
    return next(n for n in loaded.site.notices if n.slug == slug).components


def test_the_components_the_title_names_by_id_or_name(example_copy):
    assert new(example_copy, "incident", "--title", "Falha no DNS recursivo e no e-mail") == 0
    assert components_of(example_copy, "2026-11-23-falha-no-dns-recursivo-e-no-e-mail") == (
        ("email", "degraded_performance"), ("dns", "degraded_performance"))
    assert new(example_copy, "maintenance", "--title", "Troca de roteador do link-sp") == 0
    assert components_of(example_copy, "2026-11-23-troca-de-roteador-do-link-sp") == (
        ("link-sp", "under_maintenance"),)


def test_components_given_on_the_command_line(example_copy):
    assert new(example_copy, "incident", "--title", "Queda", "--component", "dns", "--component", "email") == 0
    assert components_of(example_copy, "2026-11-23-queda") == (
        ("dns", "degraded_performance"), ("email", "degraded_performance"))


def test_a_title_that_names_no_component_asks_which(example_copy, capsys):
    before = sorted(p.name for p in (example_copy / "notices").iterdir())
    assert new(example_copy, "incident", "--title", "Lentidão geral") == 1
    assert capsys.readouterr().err == (
        "error: which components does the incident concern? The title names none\n"
        "  hint: add --component ID for each of: website, email, dns, link-sp, datacenter\n")
    assert new(example_copy, "incident", "--title", "Queda", "--component", "webiste") == 1
    assert capsys.readouterr().err == (
        "error: --component 'webiste' is not a component of this site\n  hint: did you mean 'website'?\n")
    assert sorted(p.name for p in (example_copy / "notices").iterdir()) == before
