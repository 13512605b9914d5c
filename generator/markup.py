"""Markdown to safe HTML: Python-Markdown, then an allow-list sanitiser (nh3)."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "i", "li", "ol",
    "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align", "scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    """Return one Markdown converter for the process: building one costs more than converting a notice."""
    return markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def render_markdown(text: str) -> str:
    """Return sanitised HTML for a Markdown text; raw HTML in it is filtered, never passed through."""
    html = _converter().reset().convert(text)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
