"""What the preview adds to the pages it sends: the reload script, the problems page, the scheduled banner.

Nothing here is written to disk: the files on disk are exactly what `build` writes.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from generator.model import Notice
from generator.render.i18n import read_catalogs, translations_for

EVENTS_PATH = "/__expediente/events"
# A page's language, as its <html> tag says (the theme writes it first): the banner speaks it.
PAGE_LANGUAGE = re.compile(rb"<html\b[^>]*?\blang=[\"']?([A-Za-z0-9-]{1,35})", re.IGNORECASE)

RELOAD_SCRIPT = """<script>/* Expediente preview: reload when the site is rebuilt */
(() => {
  const shown = %s;
  const events = new EventSource(%s);
  events.addEventListener("build", (event) => {
    if (event.data !== shown) { events.close(); location.reload(); }
  });
})();
</script>
"""

PROBLEMS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed: %(summary)s · Expediente preview</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem; color: #1a1a1a; background: #fff8f7; }
h1 { color: #a40e26; font-size: 1.5rem; }
pre { background: #fff; border: 1px solid #e3b4b8; padding: 1rem; overflow-x: auto; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>Build failed: %(summary)s</h1>
<p>The sources of <code>%(site)s</code> hold errors, so this preview shows them instead of the last good build.
Fix them and save: the page reloads by itself.</p>
<pre>%(problems)s</pre>
</body>
</html>
"""

SCHEDULED_BANNER = """<aside id="expediente-scheduled" style="position:fixed;bottom:0;left:0;right:0;z-index:9999;\
margin:0;padding:.5rem 1rem;background:#fff4ce;color:#1a1a1a;border-top:2px solid #b38600;\
font:14px/1.4 system-ui,sans-serif"><strong>%(count)s</strong>
<ul style="margin:.25rem 0 0;padding-left:1.25rem">%(items)s</ul></aside>
"""


def inject_reload(page: bytes, build_id: str, banner: str = "") -> bytes:
    """Return an HTML page with `banner` and the reload script added before its last </body> (or at its end)."""
    script = (banner + RELOAD_SCRIPT % (json.dumps(build_id), json.dumps(EVENTS_PATH))).encode()
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + script
    return page[:at] + script + page[at:]


def render_problems_page(snapshot, site_dir: Path) -> bytes:
    """Return the page shown instead of every page of the site while the build (a serve.Snapshot) fails."""
    page = PROBLEMS_PAGE % {
        "summary": html.escape(snapshot.summary()),
        "site": html.escape(str(site_dir)),
        "problems": html.escape(snapshot.report()),
    }
    return inject_reload(page.encode(), snapshot.build_id)


def page_language(page: bytes) -> str:
    """Return the language an HTML page declares on its <html> tag (looked for in its first 4 KB), else 'en'."""
    found = PAGE_LANGUAGE.search(page[:4096])
    return found[1].decode("ascii") if found else "en"


def scheduled_banner(notices: tuple[Notice, ...], lang: str = "en") -> str:
    """Return the banner that lists the scheduled notices of a preview, each marked as such, in `lang` (the
    page's language, through the theme's catalogs); '' without any."""
    if not notices:
        return ""
    translations = translations_for(read_catalogs(), lang)
    count = html.escape(translations.ngettext("Preview: %(num)d scheduled notice, not published yet",
                                              "Preview: %(num)d scheduled notices, not published yet",
                                              len(notices))) % {"num": len(notices)}
    # The catalog's text is escaped before the values (escaped and marked up themselves) go in.
    item = html.escape(translations.gettext("Scheduled: %(title)s (%(path)s), published at %(time)s"))
    items = "".join(
        "<li>" + item % {"title": html.escape(n.title.get(n.lang)), "path": f"<code>{html.escape(n.path)}</code>",
                         "time": f"<time datetime=\"{n.date.isoformat()}\">{n.date.isoformat()}</time>"} + "</li>"
        for n in sorted(notices, key=lambda n: (n.date, n.path)))
    return SCHEDULED_BANNER % {"count": count, "items": items}
