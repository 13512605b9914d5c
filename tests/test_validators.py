"""The example site as real clients read it: the Nu HTML Checker, JSON parsers and a page size budget."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers_vnu import run_vnu

# The contact-hours page of each language of the example site.
HOURS_PAGES = ("index.html", "en/index.html")
SIZE_BUDGET = {"index.html": 40 * 1024}


@pytest.fixture(scope="module")
def built_site(example_build) -> Path:
    """The example site's output, built once for the session through the command line (conftest.example_build)."""
    return example_build


class JsonLdScripts(HTMLParser):
    """Collect the text of every <script type="application/ld+json"> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and (dict(attrs).get("type") or "").strip().lower() == "application/ld+json":
            self._inside = True
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def json_ld_blocks(page: Path) -> list[str]:
    """Return the JSON-LD blocks of an HTML page, as text."""
    parser = JsonLdScripts()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser.blocks


def nodes_of_type(data: object, wanted: str) -> list[dict]:
    """Return every JSON-LD node whose @type is (or includes) `wanted`, at any depth or in an @graph."""
    found = []
    if isinstance(data, dict):
        types = data.get("@type")
        if types == wanted or (isinstance(types, list) and wanted in types):
            found.append(data)
        for value in data.values():
            found += nodes_of_type(value, wanted)
    elif isinstance(data, list):
        for item in data:
            found += nodes_of_type(item, wanted)
    return found


def relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


@pytest.mark.slow
def test_every_page_passes_the_nu_html_checker(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert pages, "the build wrote no HTML page"
    result = run_vnu(pages)
    # Show paths relative to the output folder, however the checker spells them.
    output = (result.stdout + result.stderr).strip()
    for prefix in ("file:" + str(built_site) + os.sep, built_site.as_uri() + "/", str(built_site) + os.sep):
        output = output.replace(prefix, "")
    assert result.returncode == 0 and not output, (
        f"the Nu HTML Checker found errors in {len(pages)} pages (exit {result.returncode}):\n{output}")


def test_every_json_ld_block_is_an_organization_with_contact_points(built_site):
    pages = sorted(built_site.rglob("*.html"))
    for name in HOURS_PAGES:
        assert json_ld_blocks(built_site / name), f"{name} has no <script type=\"application/ld+json\">"
    for page in pages:
        for number, block in enumerate(json_ld_blocks(page), 1):
            where = f"{relative(page, built_site)}, JSON-LD block {number}"
            try:
                data = json.loads(block)
            except json.JSONDecodeError as exc:
                pytest.fail(f"{where} is not JSON: {exc}\n{block[:500]}")
            organizations = nodes_of_type(data, "Organization")
            assert organizations, f"{where} holds no Organization"
            for organization in organizations:
                points = organization.get("contactPoint")
                points = [points] if isinstance(points, dict) else points
                assert points, f"{where}: the Organization has no contactPoint"
                for point in points:
                    assert isinstance(point, dict) and point.get("@type") == "ContactPoint", (
                        f"{where}: a contactPoint is not a ContactPoint: {point!r}")


def test_every_api_file_is_json(built_site):
    files = sorted((built_site / "api").rglob("*.json"))
    assert files, "the build wrote no JSON file under api/"
    for path in files:
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), f"{relative(path, built_site)} starts with a byte order mark"
        try:
            json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            pytest.fail(f"{relative(path, built_site)} is not UTF-8 JSON: {exc}")


@pytest.mark.parametrize("name", sorted(SIZE_BUDGET))
def test_page_size_budget(built_site, name):
    size, budget = (built_site / name).stat().st_size, SIZE_BUDGET[name]
    assert size <= budget, f"{name} is {size:,} bytes, over its budget of {budget:,} bytes ({budget // 1024} KiB)"
