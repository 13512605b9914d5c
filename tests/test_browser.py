"""Every kind of page of the example site in Chromium, served over HTTP on 127.0.0.1: axe-core finds no
WCAG 2.2 AA or best-practice violation at 320 and 1280 px in light and dark, no request leaves the
machine, the console stays free of errors, and nothing scrolls sideways on a 320 px phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE_NOW
from helpers_browser import ROOT, chromium, serve
from helpers_vnu import require

# Chromium started, pages served on 127.0.0.1.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.network]
NOW = EXAMPLE_NOW        # the instant the shared example build (conftest.example_build) was made for
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Where the tests serve axe-core beside the site: loaded by URL, Chromium caches its compiled code
# across the pages of a context, which inlining it into every page would not allow.
AXE_URL = "/__tests__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"]
# (width, color scheme): a small phone and a desktop, each in light and dark.
VIEWS = [(320, "light"), (320, "dark"), (1280, "light"), (1280, "dark")]


def notice_types() -> dict[str, str]:
    """Return the newest notice of the example for each notice type, by type: {'hours': slug, ...}."""
    newest = {}
    for path in sorted((ROOT / "notices").glob("*.md")):
        if path.name.count(".") == 1:        # not a translation (name.en.md)
            front = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])
            newest[front["type"]] = path.stem
    return dict(sorted(newest.items()))


def untranslated_notice() -> str:
    """Return the newest notice of the example without an English text (its English page falls back)."""
    return sorted(path.stem for path in (ROOT / "notices").glob("*.md")
                  if path.name.count(".") == 1 and not path.with_suffix(".en.md").is_file())[-1]


# Page id -> path under the output: each page type in each language, a notice of each type, and an
# English notice page showing the Portuguese text (marked up with lang attributes).
PAGES = {
    "hours-pt-BR": "index.html", "hours-en": "en/index.html",
    "status-pt-BR": "status/index.html", "status-en": "en/status/index.html",
    "notices-pt-BR": "notices/index.html", "notices-en": "en/notices/index.html",
    **{f"notice-{kind}-pt-BR": f"notices/{slug}/index.html" for kind, slug in notice_types().items()},
    "notice-untranslated-en": f"en/notices/{untranslated_notice()}/index.html",
}


@dataclass
class Visit:
    """What one page did in one view: axe's violations, its requests, console errors, its width."""

    violations: list[dict]
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    scroll_width: int = 0
    background: str = ""
    live_lines: int = 0


@pytest.fixture(scope="module")
def site(example_build) -> Path:
    """The example site's output, built once for the session (conftest.example_build)."""
    return example_build


@pytest.fixture(scope="module")
def visit(site):
    """Return visit(view, page id) -> Visit, opening each page once per view in one shared browser.

    One context and one tab per view (width and color scheme), which goes from page to page; requests
    to anything but the local server are recorded and aborted, so that a stray font or script neither
    leaves the machine nor hangs a test.
    """
    require(AXE.is_file(), f"axe-core ({AXE.relative_to(ROOT)})", "run `npm ci` in the repository root")
    cache: dict[tuple, Visit] = {}
    tabs: dict[tuple, tuple] = {}       # view -> (context, page, the Visit being recorded in a list of one)
    with serve(site, {AXE_URL: AXE}) as base, chromium() as browser:

        def tab_for(view):
            if view not in tabs:
                width, scheme = view
                context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                              service_workers="block")
                # The build's instant, so that the hours page shows its "open now" lines for axe to check.
                context.clock.set_fixed_time(NOW)
                context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                              else route.abort("blockedbyclient"))
                page, current = context.new_page(), [Visit([])]

                def on_console(message):
                    # The site has no icon yet: Chromium asks for /favicon.ico by itself (once per context),
                    # and logs the 404 as an error that no page caused.
                    if message.type == "error" and message.location.get("url") != base + "favicon.ico":
                        current[0].errors.append(f"{message.text} ({message.location.get('url')}:"
                                                 f"{message.location.get('lineNumber')})")
                page.on("console", on_console)
                page.on("pageerror", lambda error: current[0].errors.append(f"uncaught {error}"))
                page.on("request", lambda request: current[0].requests.append(request.url))
                tabs[view] = (context, page, current)
            return tabs[view]

        def open_page(view, page_id, focus: str | None = None) -> Visit:
            if (view, page_id, focus) not in cache:
                _, page, current = tab_for(view)
                found = current[0] = Visit([])
                page.goto(base + PAGES[page_id].removesuffix("index.html"), wait_until="load")
                page.add_script_tag(url=base + AXE_URL.lstrip("/"))
                if focus:
                    page.focus(focus)
                found.violations = page.evaluate(
                    "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
                    ".then(result => result.violations)", AXE_TAGS)
                found.scroll_width = page.evaluate("document.documentElement.scrollWidth")
                found.background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                found.live_lines = page.locator("p.live:not([hidden])").count()
                cache[view, page_id, focus] = found
            return cache[view, page_id, focus]

        yield open_page
        for context, _, _ in tabs.values():
            context.close()


def describe(violations: list[dict]) -> str:
    """Return axe's violations as a person reads them: rule, impact, help, and the first elements with why."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} - {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            why = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}: {why}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def view_id(view) -> str:
    return f"{view[0]}px-{view[1]}"


@pytest.mark.parametrize("page_id", PAGES)
@pytest.mark.parametrize("view", VIEWS, ids=view_id)
def test_axe_finds_no_violations(visit, view, page_id):
    violations = visit(view, page_id).violations
    assert not violations, (f"axe-core found {len(violations)} kinds of violation on {PAGES[page_id]} at "
                            f"{view_id(view)}:\n{describe(violations)}")


@pytest.mark.parametrize("page_id", PAGES)
@pytest.mark.parametrize("view", VIEWS, ids=view_id)
def test_no_request_leaves_the_machine(visit, view, page_id):
    requests = visit(view, page_id).requests
    assert requests, "the page was not even requested"
    foreign = [url for url in requests if not url.startswith("http://127.0.0.1:")]
    assert not foreign, f"{PAGES[page_id]} asked for other hosts:\n" + "\n".join(foreign)


@pytest.mark.parametrize("page_id", PAGES)
@pytest.mark.parametrize("view", VIEWS, ids=view_id)
def test_no_console_errors(visit, view, page_id):
    errors = visit(view, page_id).errors
    assert not errors, f"{PAGES[page_id]} logged errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("page_id", PAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_nothing_scrolls_sideways_at_320_px(visit, scheme, page_id):
    width = visit((320, scheme), page_id).scroll_width
    assert width <= 320, f"{PAGES[page_id]} is {width} px wide in a 320 px window: it scrolls sideways"


# Controls that change the page when focused: the skip link appears, a day's bar shows its figure.
FOCUSED = {"skip link": ("hours-pt-BR", "a.skip"), "day bar": ("status-en", ".bars li[tabindex='0']")}


@pytest.mark.parametrize("control", FOCUSED)
@pytest.mark.parametrize("view", VIEWS, ids=view_id)
def test_focused_controls_pass_axe(visit, view, control):
    page_id, selector = FOCUSED[control]
    violations = visit(view, page_id, selector).violations
    assert not violations, (f"axe-core found {len(violations)} kinds of violation on {PAGES[page_id]} at "
                            f"{view_id(view)} with {control} focused:\n{describe(violations)}")


@pytest.mark.parametrize("page_id", ["hours-pt-BR", "hours-en"])
def test_axe_saw_the_open_now_lines(visit, page_id):
    assert visit((320, "light"), page_id).live_lines == 10      # one per channel of the example


@pytest.mark.parametrize("page_id", PAGES)
def test_dark_scheme_is_really_dark(visit, page_id):
    # Guards the dark runs above: axe checked the dark colours only if the page switched to them.
    light, dark = visit((1280, "light"), page_id).background, visit((1280, "dark"), page_id).background
    assert (light, dark) == ("rgb(255, 255, 255)", "rgb(22, 24, 27)")
