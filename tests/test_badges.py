"""Badges: flat SVGs of the overall state and of each component, readable without the page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from test_status_page import (
    BANNERS,
    NOW,
    UTC,
    contrast,
    example_build,
    history,
    incident,
    make_build,
    probe_day,
    with_uptime,
)

from generator.model import ProbeResult
from generator.render.badges import COLOURS, FONT_SIZE, LABEL_COLOUR, PADDING, render_badges, text_width

SVG = "{http://www.w3.org/2000/svg}"


def badges(build) -> dict[str, bytes]:
    return {o.path: o.data for o in render_badges(build)}


def read(data: bytes) -> dict:
    """Return what a badge says: its accessible name, title, visible texts and widths."""
    root = ET.fromstring(data)
    texts = [t for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]
    return {
        "role": root.get("role"),
        "label": root.get("aria-label"),
        "title": root.find(f"{SVG}title").text,
        "texts": [t.text for t in texts],
        "lengths": [float(t.get("textLength")) for t in texts],
        "width": float(root.get("width")),
        "fills": [r.get("fill") for r in root.iter(f"{SVG}rect")][1:3],
    }


@pytest.mark.parametrize("indicator", BANNERS)
def test_overall_badge_says_the_banner_in_the_default_language(indicator):
    notices, portuguese, _ = BANNERS[indicator]
    badge = read(badges(make_build(notices))["badges/status.svg"])
    assert badge["role"] == "img"
    assert badge["label"] == badge["title"] == f"Example Networks: {portuguese}"
    assert badge["texts"] == ["Example Networks", portuguese]
    assert badge["fills"] == [LABEL_COLOUR, COLOURS[indicator]]


def test_component_badges_say_state_and_30_day_uptime():
    today = NOW.date()
    notices = (incident("i", "2026-11-22 10:00", None, [("link", "major_outage")], "critical"),)
    build = with_uptime(make_build(notices), {
        "website": history(today, dips={3: 0.9}),
        "link": history(today),
        "email": (probe_day(today - timedelta(days=40), 1.0),),      # nothing in the last 30 days
    }, {"website": ProbeResult(NOW.astimezone(UTC), True, 3500.0)})
    found = badges(build)
    assert sorted(found) == ["badges/dns.svg", "badges/email.svg", "badges/link.svg", "badges/status.svg",
                             "badges/website.svg"]
    said = {path: read(data)["title"] for path, data in found.items()}
    assert said["badges/website.svg"] == "Site: Desempenho degradado · 99,66% (30 dias)"   # slower than 2 s
    assert said["badges/link.svg"] == "Link São Paulo: Interrupção total · 100,00% (30 dias)"
    assert said["badges/email.svg"] == "E-mail: Operacional · sem dados (30 dias)"
    assert said["badges/dns.svg"] == "DNS: Ainda sem verificações · sem dados (30 dias)"     # checked, no row yet
    link = read(found["badges/link.svg"])
    assert link["texts"] == ["Link São Paulo", "Interrupção total · 100,00% (30 dias)"]
    assert link["fills"] == [LABEL_COLOUR, COLOURS["critical"]]


def test_widths_come_from_the_font_table():
    # DejaVu Sans at 11 px: 'a' is 1255/2048 em, 'M' 1767, an accented letter its base letter's width.
    assert text_width("a") == pytest.approx(1255 * FONT_SIZE / 2048)
    assert text_width("ã") == text_width("a") and text_width("Ç") == text_width("C")
    assert text_width("Operacional") == pytest.approx(12339 * FONT_SIZE / 2048)      # O p e r a c i o n a l
    badge = read(badges(make_build())["badges/status.svg"])
    label, message = badge["lengths"]
    assert label == pytest.approx(text_width("Example Networks"), abs=0.05)
    assert message == pytest.approx(text_width("Todos os sistemas funcionando normalmente"), abs=0.05)
    assert badge["width"] == pytest.approx(label + message + 4 * PADDING, abs=0.2)


def test_white_text_is_readable_on_every_badge_colour():
    for colour in (LABEL_COLOUR, *COLOURS.values()):
        full = "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour
        assert contrast("#ffffff", full) >= 4.5, colour


def test_example_badges_are_xml_and_byte_identical():
    first, second = badges(example_build()), badges(example_build())
    assert first == second
    assert sorted(first) == ["badges/datacenter.svg", "badges/dns.svg", "badges/email.svg", "badges/link-sp.svg",
                             "badges/status.svg", "badges/website.svg"]
    for data in first.values():
        assert data.endswith(b"</svg>\n") and ET.fromstring(data).get("role") == "img"
    assert read(first["badges/website.svg"])["title"] == "Site e área do cliente: Operacional · 99,99% (30 dias)"


@pytest.mark.parametrize("label", ['Rede "principal" & <backbone>', "Link d'água", "a\tb\nc"])
def test_a_badge_says_markup_characters_as_text(label):
    """A component's name from status.yaml is text: quotes, ampersands and angle brackets stay characters of the
    accessible name, the title and the visible text, in a well-formed SVG."""
    from generator.render.badges import badge

    svg = badge(label, "Operacional", COLOURS["none"])
    said = read(svg)
    # (an attribute's tab or line break reads as a space, which an accessible name is anyway)
    assert said["label"].replace("\t", " ").replace("\n", " ") == f"{label}: Operacional".translate({9: 32, 10: 32})
    assert said["title"] == f"{label}: Operacional"
    assert said["texts"] == [label, "Operacional"]
