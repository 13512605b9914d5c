"""site.yaml and hours.yaml settings that a push controls and that the packages behind them read too trustingly.

- A holiday `country` is the name of an attribute of the holidays package (`country_holidays(code)` is
  `getattr(holidays, code)(...)`): `PUBLIC`, `financial_holidays`, `__loader__` or `utils` ended `check` and
  `build` in "internal error", and `HolidayBase` (no holidays at all) or `NYSE` (a stock exchange's) passed.
  Only the codes `holidays.list_supported_countries()` lists are asked about.
- `timezone: localtime` named the zone of whichever machine builds (Debian's zoneinfo folder holds
  `localtime`, a link to /etc/localtime, and zoneinfo.available_timezones() lists it): only the names the
  tzdata package lists are zones.
- An address with a bracket that does not pair (`https://[::1/`, `https://a[b/`) made urlsplit raise inside
  the check: "internal error" instead of a located message.

Each test runs `python build.py` in a process of its own, on a small site, and asserts the house rule for bad
input: exit 1, the exact message at file:line:col, no traceback, no "internal error".
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from conftest import MINIMAL_HOURS, MINIMAL_SITE, ROOT

NOW = "2026-11-23T10:00:00-03:00"
# Each test runs the command line in a process of its own.
pytestmark = pytest.mark.slow

# A department's own holidays (hours.yaml), put in the first department of MINIMAL_HOURS: the country at 5:16.
DEPARTMENT_HOLIDAYS = "    name: {pt-BR: Suporte, en: Support}\n    holidays:\n      country: __COUNTRY__\n"
# A department's own time zone (hours.yaml): the zone at 4:15.
DEPARTMENT_ZONE = "    name: {pt-BR: Suporte, en: Support}\n    timezone: __ZONE__\n"


def build_py(site: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python build.py <args> --site <site> --now NOW` in a process of its own."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=300, env=env)


def assert_refused(result: subprocess.CompletedProcess, *lines: str) -> None:
    """Assert exit 1, no traceback or internal error, and each of `lines` among the output's lines."""
    output = result.stdout + result.stderr
    assert "internal error" not in output and "Traceback" not in output, output
    assert result.returncode == 1, output
    for line in lines:
        assert line in output.splitlines(), output


def department_with(country: str) -> str:
    return MINIMAL_HOURS.replace("    name: {pt-BR: Suporte, en: Support}\n",
                                 DEPARTMENT_HOLIDAYS.replace("__COUNTRY__", country))


# --- holidays: a country is a code the package lists as a country, nothing else of its namespace -------------


@pytest.mark.parametrize("country", ["PUBLIC", "financial_holidays", "__loader__", "utils"])
def test_a_department_holiday_country_naming_a_constant_of_the_holidays_package_is_a_located_error(
        make_site, country):
    site = make_site({"site_src/hours.yaml": department_with(country)})
    assert_refused(build_py(site, "check"),
                   f"site_src/hours.yaml:5:16: error: the holidays package does not know the country '{country}'",
                   "  hint: use an ISO 3166 code such as BR, PT, ES or US")


def test_a_site_holiday_country_naming_a_constant_of_the_holidays_package_is_a_located_error(make_site):
    site = make_site({"site_src/site.yaml": MINIMAL_SITE.replace("country: BR\n  subdivision: SP", "country: PUBLIC")})
    assert_refused(build_py(site, "check"),
                   "site_src/site.yaml:6:12: error: the holidays package does not know the country 'PUBLIC'")


def test_a_push_with_such_a_country_is_refused_with_a_located_message(make_site, tmp_path):
    """`build` is what the publishing hooks run: the pusher read "internal error", not where or why."""
    site = make_site({"site_src/hours.yaml": department_with("WEEKEND")})
    assert_refused(build_py(site, "build", "--out", str(tmp_path / "out")),
                   "site_src/hours.yaml:5:16: error: the holidays package does not know the country 'WEEKEND'")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("country, hint", [
    ("HolidayBase", "use an ISO 3166 code such as BR, PT, ES or US"),
    ("NYSE", "NYSE is a financial market's calendar in the holidays package, not a country's: use an ISO 3166 "
             "code such as BR, PT, ES or US"),
], ids=["HolidayBase", "NYSE"])
def test_a_holiday_country_that_is_no_country_is_refused(make_site, country, hint):
    """A class of the package that is no country passed: no public holiday at all, or a stock exchange's."""
    site = make_site({"site_src/site.yaml": MINIMAL_SITE.replace("country: BR\n  subdivision: SP",
                                                                 f"country: {country}")})
    assert_refused(build_py(site, "check"),
                   f"site_src/site.yaml:6:12: error: the holidays package does not know the country '{country}'",
                   f"  hint: {hint}")


def test_a_country_code_still_works_and_a_near_miss_gets_a_did_you_mean(make_site, tmp_path):
    """The codes the package lists, its aliases among them (UK for GB), still work; a code in lower case or
    one letter off is told what to write."""
    site = make_site({"site_src/hours.yaml": department_with("UK"),
                      "site_src/site.yaml": MINIMAL_SITE.replace("country: BR", "country: br")})
    assert_refused(build_py(site, "check"),
                   "site_src/site.yaml:6:12: error: the holidays package does not know the country 'br'",
                   "  hint: write 'BR'")
    site.joinpath("site_src/site.yaml").write_text(MINIMAL_SITE.replace("subdivision: SP", "subdivision: SQ"))
    assert_refused(build_py(site, "check"),
                   "site_src/site.yaml:7:16: error: 'SQ' is not a subdivision of BR known to the holidays package")
    site.joinpath("site_src/site.yaml").write_text(MINIMAL_SITE)
    built = build_py(site, "build", "--out", str(tmp_path / "out"))
    assert built.returncode == 0, built.stdout + built.stderr
    # The department's own holidays are the United Kingdom's: Christmas Day is there, in English.
    assert "Christmas Day" in (tmp_path / "out" / "api" / "hours.json").read_text()


# --- time zones: the names tzdata lists, never the building machine's own ---------------------------------------


def machine_with_local_zone(tmp_path: Path, zone: str) -> dict[str, str]:
    """Return the environment of a machine whose zoneinfo folder (PYTHONTZPATH) holds `localtime` = `zone`."""
    machine = tmp_path / zone.replace("/", "-")
    machine.mkdir()
    (machine / "localtime").write_bytes((resources.files("tzdata.zoneinfo") / zone).read_bytes())
    return {**os.environ, "PYTHONTZPATH": str(machine)}


LOCALTIME_HINT = ("  hint: 'localtime' is the zone of whichever machine builds the site, which differs from one "
                  "machine to another: name the zone, such as America/Sao_Paulo or Europe/Lisbon")


def test_the_zone_named_localtime_is_refused_not_taken_from_the_server(make_site, tmp_path):
    """Two machines whose local zones differ built one commit into two sites (their days and offsets)."""
    site = make_site({"site_src/site.yaml": MINIMAL_SITE.replace("America/Sao_Paulo", "localtime")})
    for zone in ("Asia/Tokyo", "America/Sao_Paulo"):
        out = tmp_path / f"out-{zone.replace('/', '-')}"
        assert_refused(build_py(site, "build", "--out", str(out), env=machine_with_local_zone(tmp_path, zone)),
                       "site_src/site.yaml:3:11: error: unknown time zone 'localtime'", LOCALTIME_HINT)
        assert not out.exists()


def test_a_departments_zone_named_localtime_is_refused_too(make_site, tmp_path):
    site = make_site({"site_src/hours.yaml": MINIMAL_HOURS.replace(
        "    name: {pt-BR: Suporte, en: Support}\n", DEPARTMENT_ZONE.replace("__ZONE__", "localtime"))})
    assert_refused(build_py(site, "check", env=machine_with_local_zone(tmp_path, "Asia/Tokyo")),
                   "site_src/hours.yaml:4:15: error: unknown time zone 'localtime'", LOCALTIME_HINT)


def test_a_zone_of_the_iana_list_still_works_and_a_misspelt_one_gets_a_did_you_mean(make_site, tmp_path):
    site = make_site({"site_src/hours.yaml": MINIMAL_HOURS.replace(
        "    name: {pt-BR: Suporte, en: Support}\n", DEPARTMENT_ZONE.replace("__ZONE__", "europe/lisbon"))})
    assert_refused(build_py(site, "check"), "site_src/hours.yaml:4:15: error: unknown time zone 'europe/lisbon'",
                   "  hint: did you mean 'Europe/Lisbon'?")
    site.joinpath("site_src/hours.yaml").write_text(MINIMAL_HOURS.replace(
        "    name: {pt-BR: Suporte, en: Support}\n", DEPARTMENT_ZONE.replace("__ZONE__", "Europe/Lisbon")))
    checked = build_py(site, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- addresses: a bracket that does not pair -------------------------------------------------------------------

CHAT_HOURS = MINIMAL_HOURS + """\
      - id: chat
        type: chat
        contact: "__CHAT__"
        hours:
          mon-fri: 09:00-18:00
"""
BRACKET_HINT = "  hint: brackets hold an IPv6 address alone, as in https://[2001:db8::1]/; a host name holds none"


@pytest.mark.parametrize("chat, message", [
    ("https://[::1/", "'https://[::1/' has a '[' that is not closed in its host"),
    ("https://a[b/", "'https://a[b/' has a '[' that is not closed in its host"),
    ("https://a]b/", "'https://a]b/' has a ']' that was not opened in its host"),
    ("https://[example.net]/", "'https://[example.net]/' has no valid host name"),
], ids=["ipv6_unclosed", "name_unclosed", "closed_unopened", "name_in_brackets"])
def test_a_contact_with_a_bracket_that_does_not_pair_is_a_located_error(make_site, chat, message):
    site = make_site({"site_src/hours.yaml": CHAT_HOURS.replace("__CHAT__", chat)})
    hint = BRACKET_HINT if "not" in message else "  hint: a host name holds letters, digits, hyphens and dots"
    assert_refused(build_py(site, "check"), f"site_src/hours.yaml:13:18: error: {message}", hint)


def test_a_base_url_with_an_unclosed_bracket_is_a_located_error(make_site):
    site = make_site({"site_src/site.yaml": MINIMAL_SITE.replace("https://support.test.example/", '"https://[::1/"')})
    assert_refused(build_py(site, "check"),
                   "site_src/site.yaml:2:11: error: 'https://[::1/' has a '[' that is not closed in its host",
                   BRACKET_HINT)


def test_an_ipv6_address_in_brackets_is_still_an_address(make_site):
    site = make_site({"site_src/hours.yaml": CHAT_HOURS.replace("__CHAT__", "https://[2001:db8::1]:8443/chat")})
    checked = build_py(site, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- addresses: only ':' and a port from 1 to 65535 may follow a host ------------------------------------------

PORT_HINT = "  hint: a port is a number from 1 to 65535 after ':', as in https://example.net:8443/"
CHECKED = "components:\n  - id: web\n    name: Web\n    check:\n      type: http\n      url: \"__URL__\"\n"


@pytest.mark.parametrize("url, after", [
    ("https://[2001:db8::1]x/", "x"), ("https://[2001:db8::1]:443x/", ":443x"), ("https://host.example:99999/", ":99999"),
    ("https://host.example:0/", ":0"),
], ids=["text_after_brackets", "port_with_text", "port_too_big", "port_zero"])
def test_an_address_with_no_port_after_its_host_is_refused_where_it_is_written(make_site, url, after):
    # urlsplit lets these by and only its .port refuses them: the probe then recorded the check as down on every
    # run, and base_url put the address into every link of the site.
    message = f"error: '{url}' has '{after}' after its host, where only a port may be"
    site = make_site({"site_src/hours.yaml": CHAT_HOURS.replace("__CHAT__", url)})
    assert_refused(build_py(site, "check"), f"site_src/hours.yaml:13:18: {message}", PORT_HINT)
    site = make_site({"site_src/site.yaml": MINIMAL_SITE.replace("https://support.test.example/", f'"{url}"')})
    assert_refused(build_py(site, "check"), f"site_src/site.yaml:2:11: {message}", PORT_HINT)
    site = make_site({"site_src/status.yaml": CHECKED.replace("__URL__", url)})
    assert_refused(build_py(site, "check"), f"site_src/status.yaml:6:12: {message}", PORT_HINT)
