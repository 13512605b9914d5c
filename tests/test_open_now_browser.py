"""The "open now" line of the hours page in Chromium, with a fake clock and the visitor in Tokyo: what it says,
in the site's time and the visitor's, across a closing time, on the example's Christmas notice days and
across Lisbon's daylight-saving change; and that without JavaScript nothing claims "open now"."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree
from helpers_browser import ROOT, build_site, chromium, serve

VISITOR = "Asia/Tokyo"              # UTC+9 all year: 12 hours ahead of Brasília, 8 or 9 ahead of Lisbon
# A Monday: the embedded days run from 21 December 2026 to 3 January 2027, over the Christmas notice.
# Chromium started, pages served on 127.0.0.1.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.network]
EXAMPLE_NOW = "2026-12-21T09:00:00-03:00"
# The Saturday before Lisbon leaves summer time (01:00 UTC on Sunday 25 October 2026).
LISBON_NOW = "2026-10-24T12:00:00+01:00"
LISBON_SITE = """\
name: Apoio Lisboa
base_url: https://apoio.test.example/
timezone: Europe/Lisbon
languages: [en]
holidays:
  country: PT
"""
LISBON_HOURS = """\
departments:
  - id: apoio
    name: {en: Support}
    channels:
      - id: phone
        type: phone
        contact: "+351 210 000 000"
        hours:
          daily: 09:00-18:00
      - id: night
        type: other
        hours:
          daily: 22:00-06:00
"""
# Every "open now" text of the site's languages, and the visible text of a page without scripts.
CLAIMS = ("open now", "closed now", "aberto agora", "fechado agora")
READ_LIVE = "els => Object.fromEntries(els.map(e => [e.dataset.live, e.hidden ? null : e.textContent]))"


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Path:
    """Build the example and a small Lisbon site side by side, once: <folder>/example/ and <folder>/lisbon/."""
    folder = tmp_path_factory.mktemp("open-now")
    build_site(ROOT, folder / "example", EXAMPLE_NOW)
    lisbon = write_tree(folder / "lisbon-src", {"site_src/site.yaml": LISBON_SITE, "site_src/hours.yaml": LISBON_HOURS})
    build_site(lisbon, folder / "lisbon", LISBON_NOW)
    return folder


@pytest.fixture(scope="module")
def browser_at(sites):
    """Return open(path, instant, **context options) -> a page loaded with its clock installed at `instant`."""
    with serve(sites) as base, chromium() as browser:
        contexts = []

        def open_page(path: str, instant: str | None = None, **options):
            context = browser.new_context(timezone_id=VISITOR, **options)
            contexts.append(context)
            page = context.new_page()
            if instant is not None:
                page.clock.install(time=instant)
            page.goto(base + path, wait_until="load")
            return page

        yield open_page
        for context in contexts:
            context.close()


def live(page) -> dict[str, str | None]:
    """Return every channel's "open now" text by channel key; None when the line is hidden."""
    return page.locator("p.live[data-live]").evaluate_all(READ_LIVE)


def test_across_a_closing_time_the_line_changes_by_itself(browser_at):
    page = browser_at("example/", "2026-12-21T11:59:00-03:00")
    before = live(page)
    assert before["financeiro/phone"] == "Aberto agora, fecha às 12:00 (Horário de Brasília; 00:00 no seu horário)"
    assert before["financeiro/chat"] == "Aberto agora, fecha às 20:00 (Horário de Brasília; 08:00 no seu horário)"
    page.clock.run_for("02:00")         # the script looks again every minute
    after = live(page)
    assert after["financeiro/phone"] == ("Fechado agora, abre hoje às 13:00 "
                                         "(Horário de Brasília; 01:00 no seu horário)")
    assert after["financeiro/chat"] == before["financeiro/chat"]


def test_after_the_last_closing_it_names_tomorrow_in_the_sites_days(browser_at):
    # 22:01 in Brasília is already Tuesday 10:01 in Tokyo; "tomorrow" is the site's Tuesday.
    page = browser_at("example/en/", "2026-12-21T21:59:00-03:00")
    assert live(page)["suporte/phone"] == "Open now, closes at 22:00 (Brasilia Time; 10:00 your time)"
    page.clock.run_for("02:00")
    assert live(page)["suporte/phone"] == "Closed now, opens tomorrow at 08:00 (Brasilia Time; 20:00 your time)"
    assert live(page)["suporte/chat"] == "Open now, closes at 00:00 (Brasilia Time; 12:00 your time)"


def test_christmas_eve_follows_the_notice(browser_at):
    morning = live(browser_at("example/", "2026-12-24T11:00:00-03:00"))
    assert morning["suporte/phone"] == "Aberto agora, fecha às 12:00 (Horário de Brasília; 00:00 no seu horário)"
    # Open until 20:00 on other weekdays, and 24 hours for the e-mail: the notice's 14:00 instead.
    assert morning["financeiro/chat"] == "Aberto agora, fecha às 14:00 (Horário de Brasília; 02:00 no seu horário)"
    assert morning["suporte/email"] == "Aberto agora, fecha às 14:00 (Horário de Brasília; 02:00 no seu horário)"
    # WhatsApp is not among the notice's channels: closed on the 24th and 25th, open again on Saturday.
    assert morning["comercial/whatsapp"] == ("Fechado agora, abre sábado às 09:00 "
                                             "(Horário de Brasília; 21:00 no seu horário)")
    afternoon = live(browser_at("example/en/", "2026-12-24T15:00:00-03:00"))
    assert afternoon["suporte/phone"] == "Closed now, opens Saturday at 09:00 (Brasilia Time; 21:00 your time)"
    assert afternoon["suporte/chat"] == "Closed now, opens Saturday at 08:00 (Brasilia Time; 20:00 your time)"


def test_christmas_day_is_closed_until_the_day_after(browser_at):
    christmas = live(browser_at("example/", "2026-12-25T10:00:00-03:00"))
    assert christmas["suporte/phone"] == ("Fechado agora, abre amanhã às 09:00 "
                                          "(Horário de Brasília; 21:00 no seu horário)")
    assert christmas["suporte/chat"] == ("Fechado agora, abre amanhã às 08:00 "
                                         "(Horário de Brasília; 20:00 no seu horário)")
    assert christmas["suporte/email"] == ("Fechado agora, abre amanhã às 00:00 "
                                          "(Horário de Brasília; 12:00 no seu horário)")


def test_lisbon_summer_time_ends_between_two_days(browser_at):
    # Saturday in summer time (UTC+1): 18:00 in Lisbon is 02:00 in Tokyo; Sunday's 09:00 is in winter time.
    saturday = live(browser_at("lisbon/", "2026-10-24T17:30:00+01:00"))
    assert saturday["apoio/phone"] == "Open now, closes at 18:00 (Western European Time; 02:00 your time)"
    assert saturday["apoio/night"] == "Closed now, opens today at 22:00 (Western European Time; 06:00 your time)"
    evening = live(browser_at("lisbon/", "2026-10-24T19:00:00+01:00"))
    assert evening["apoio/phone"] == "Closed now, opens tomorrow at 09:00 (Western European Time; 18:00 your time)"
    sunday = live(browser_at("lisbon/", "2026-10-25T17:30:00+00:00"))
    assert sunday["apoio/phone"] == "Open now, closes at 18:00 (Western European Time; 03:00 your time)"


def test_the_night_spans_the_repeated_hour(browser_at):
    # 01:30 happens twice in Lisbon that night, an hour apart; the night line closes at 06:00 winter time.
    for instant in ("2026-10-25T01:30:00+01:00", "2026-10-25T01:30:00+00:00"):
        night = live(browser_at("lisbon/", instant))
        assert night["apoio/night"] == "Open now, closes at 06:00 (Western European Time; 15:00 your time)", instant
        assert night["apoio/phone"] == ("Closed now, opens today at 09:00 "
                                        "(Western European Time; 18:00 your time)"), instant


@pytest.mark.parametrize("path", ["example/", "example/en/", "lisbon/"])
def test_without_javascript_nothing_claims_to_be_open(browser_at, path):
    page = browser_at(path, java_script_enabled=False)
    visible = page.locator("body").inner_text().lower()
    assert [claim for claim in CLAIMS if claim in visible] == []
    lines = page.locator("p.live")
    assert lines.count() > 0
    assert all(not lines.nth(n).is_visible() for n in range(lines.count()))
