"""Badges: shields-like flat SVGs of the overall state and of each component's state and 30-day uptime.

Paths: `badges/status.svg` (the site's name and the overall state) and
`badges/<component id>.svg` (its name, state and uptime over 30 days), in the
site's default language, with the very words of the status page (the same
gettext messages). Each badge reads on its own: the text is in the SVG, with
role="img", an aria-label and a <title> saying it all.

Widths come from a table of DejaVu Sans advance widths (the font Verdana-like
badges fall back to on free systems), read once from the font at 11 px; no font
file is shipped. Each text is also held to its width with `textLength`, so a
viewer with another font still fits it in its box.
"""

from __future__ import annotations

import unicodedata
from html import escape

from generator.model import Build, Output
from generator.render import urls
from generator.render.i18n import read_catalogs, translations_for
from generator.render.status_html import percent
from generator.schedule.status import AWAITING, STALE, STATE_INDICATOR, shown_states

FONT_SIZE = 11
UNITS_PER_EM = 2048
PADDING = 6          # px on each side of a text
HEIGHT = 20
LABEL_COLOUR = "#555"
# White text on each of these has a contrast of at least 4.5:1.
COLOURS = {"none": "#1a7f37", "maintenance": "#0b57b8", "minor": "#8a5a00", "major": "#b04600",
           "critical": "#c3171f", STALE: "#6b6b6b", AWAITING: "#6b6b6b"}
# The page's words, as status.html and names.html say them (the same msgids, so the same translations).
BANNER = {"none": "All systems operational", "maintenance": "Maintenance in progress",
          "minor": "Minor service disruption", "major": "Partial service outage",
          "critical": "Major service outage", STALE: "No recent checks", AWAITING: "Awaiting the first checks"}
STATE_NAMES = {"operational": "Operational", "degraded_performance": "Degraded performance",
               "partial_outage": "Partial outage", "major_outage": "Major outage",
               "under_maintenance": "Under maintenance", STALE: "No recent checks", AWAITING: "No checks yet"}

# DejaVu Sans advance widths in font units (2048 to the em), by width: printable ASCII and Latin-1.
_WIDTH_GROUPS = {
    409: '\u202f\u2009',
    563: "'",
    569: 'ijlìíîï',
    604: 'IJÌÍÎÏ',
    651: ' ,.\xa0·’',
    690: '/:;\\|¦',
    721: 'f',
    739: '-',
    799: '()[]',
    803: 't',
    821: '!¡²³¹',
    842: 'r',
    942: '"',
    965: 'ªº',
    1024: '*_`§¨¯°´¸–',
    1061: '“”',
    1067: 's',
    1075: 'z',
    1087: '?¿',
    1126: 'cç',
    1141: 'L',
    1178: 'F',
    1186: 'k',
    1208: '•',
    1212: 'vxyýÿ',
    1235: 'P',
    1239: 'Þ',
    1251: 'TYÝ',
    1253: 'o«»ðòóôõöø',
    1255: 'aàáâãäå',
    1260: 'eèéêë',
    1290: 'ß',
    1294: 'EÈÉÊË',
    1298: 'hnuñùúûü',
    1300: 'Sbdgpqþ',
    1303: '$0123456789{}¢£¤¥µ¶',
    1343: 'K',
    1401: 'AVÀÁÂÃÄÅ',
    1403: 'XZ',
    1405: 'B',
    1423: 'R',
    1430: 'CÇ',
    1499: 'UÙÚÛÜ',
    1532: 'NÑ',
    1540: 'H',
    1577: 'D',
    1587: 'GÐ',
    1597: '&',
    1612: 'OQÒÓÔÕÖØ',
    1675: 'w',
    1716: '#+<=>^~¬±×÷−',
    1767: 'M',
    1946: '%',
    1985: '¼½¾',
    1995: 'mÆ',
    2011: 'æ',
    2025: 'W',
    2048: '@©®—…',
}
WIDTHS = {char: width for width, chars in _WIDTH_GROUPS.items() for char in chars}
FALLBACK_WIDTH = 1300     # a digit's width, for characters outside the table


def render_badges(build: Build) -> tuple[Output, ...]:
    """Return badges/status.svg and badges/<component>.svg for every component, in the default language."""
    lang = build.site.default_language
    gettext = translations_for(read_catalogs(), lang).gettext
    # As on the status page: a stale component nobody declared a state for says "no recent checks",
    # one the probe has not checked yet "no checks yet", and then the overall badge does not say all is well.
    indicator, states, _ = shown_states(build)
    outputs = [Output(urls.status_badge(), badge(build.site.name, gettext(BANNER[indicator]), COLOURS[indicator]))]
    for component in build.site.components:
        state = states[component.id]
        uptime = build.uptime.get(component.id)
        month = dict(uptime.windows).get("30d") if uptime else None
        figure = percent(month, lang) if month is not None else gettext("no data")
        message = f"{gettext(STATE_NAMES[state])} · {figure} ({gettext('30 days')})"
        colour = COLOURS[state if state in (STALE, AWAITING) else STATE_INDICATOR[state]]
        outputs.append(Output(urls.component_badge(component.id), badge(component.name.get(lang), message, colour)))
    return tuple(outputs)


def text_width(text: str) -> float:
    """Return the width in px of `text` in DejaVu Sans at FONT_SIZE; accented letters measure as their base letter."""
    units = 0
    for char in text:
        width = WIDTHS.get(char)
        if width is None:
            base = unicodedata.normalize("NFD", char)[:1]
            width = WIDTHS.get(base, FALLBACK_WIDTH)
        units += width
    return units * FONT_SIZE / UNITS_PER_EM


def badge(label: str, message: str, colour: str) -> bytes:
    """Return a flat two-part badge: `label` on grey, `message` on `colour`, as UTF-8 SVG."""
    label_text, message_text = round(text_width(label), 1), round(text_width(message), 1)
    left = round(label_text + 2 * PADDING, 1)
    right = round(message_text + 2 * PADDING, 1)
    total = round(left + right, 1)
    title = f"{label}: {message}"

    def text(x: float, length: float, content: str) -> str:
        # A shadow one pixel below, hidden from assistive technology, then the text itself.
        return (f'<text x="{x:g}" y="15" fill="#010101" fill-opacity=".3" textLength="{length:g}" '
                f'aria-hidden="true">{escape(content, quote=False)}</text>'
                f'<text x="{x:g}" y="14" textLength="{length:g}">{escape(content, quote=False)}</text>')

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total:g}" height="{HEIGHT}" '
        f'viewBox="0 0 {total:g} {HEIGHT}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title, quote=False)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total:g}" height="{HEIGHT}" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left:g}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left:g}" width="{right:g}" height="{HEIGHT}" fill="{colour}"/>'
        f'<rect width="{total:g}" height="{HEIGHT}" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" '
        f'font-size="{FONT_SIZE}">'
        + text(round(left / 2, 1), label_text, label)
        + text(round(left + right / 2, 1), message_text, message)
        + "</g></svg>\n"
    )
    return svg.encode("utf-8")
