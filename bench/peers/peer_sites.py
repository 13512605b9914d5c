"""The same notices as three sites: Expediente's, Hugo's and Pelican's.

Hugo's and Pelican's sites are the folders `hugo/` and `pelican/` beside this file
(their settings, layouts and themes, written for this benchmark), copied as they are;
the notices are then added to each in its generator's own format, with the same
titles, publication times and Markdown bodies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus import Notice, quoted, write_expediente_site

PEERS = Path(__file__).resolve().parent


def hugo_page(notice: Notice) -> str:
    """Return a notice as Hugo content: front matter with `title` and `date`, then the body."""
    return f"---\ntitle: {quoted(notice.title)}\ndate: {notice.published.isoformat()}\n---\n" + notice.body


def pelican_article(notice: Notice) -> str:
    """Return a notice as a Pelican article: `Title`, `Date`, `Slug` and `Category` metadata, then the body."""
    return (f"Title: {notice.title}\nDate: {notice.published:%Y-%m-%d %H:%M}\n"
            f"Slug: {notice.slug}\nCategory: Avisos\n\n") + notice.body


def write_sites(work: Path, notices: list[Notice]) -> dict[str, Path]:
    """Write the three sites under `work` and return their folders by generator."""
    ours, hugo, pelican = work / "expediente", work / "hugo", work / "pelican"
    write_expediente_site(ours, notices)
    shutil.copytree(PEERS / "hugo", hugo)
    shutil.copytree(PEERS / "pelican", pelican)
    (pelican / "content" / "notices").mkdir(parents=True)
    for notice in notices:
        name = f"{notice.slug}.md"
        (hugo / "content" / "notices" / name).write_text(hugo_page(notice), encoding="utf-8")
        (pelican / "content" / "notices" / name).write_text(pelican_article(notice), encoding="utf-8")
    return {"expediente": ours, "hugo": hugo, "pelican": pelican}
