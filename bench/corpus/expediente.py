"""The notices as an Expediente site: our front matter (docs/format.md) and the site's YAML files."""

from __future__ import annotations

from pathlib import Path

from corpus.notices import Notice
from corpus.site import write_site_files


def quoted(text: str) -> str:
    """Return text as a double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def our_front_matter(notice: Notice) -> str:
    """Return the notice's front matter in our format (docs/format.md)."""
    lines = [f"title: {quoted(notice.title)}", f"date: {notice.published:%Y-%m-%d %H:%M}", f"type: {notice.kind}"]
    if notice.updated:
        lines.append(f"updated: {notice.updated:%Y-%m-%d %H:%M}")
    if notice.departments:
        lines.append(f"departments: [{', '.join(notice.departments)}]")
    if notice.period:
        lines.append(f"period: {notice.period[0]}..{notice.period[1]}")
    if notice.cancelled:
        lines.append("cancelled: true")
    if notice.changes:
        lines.append("changes:")
    for change in notice.changes:
        lines.append(f"  - date: {change['date']}" if "date" in change
                     else f"  - dates: {change['dates'][0]}..{change['dates'][1]}")
        if "weekday" in change:
            lines.append(f"    weekday: {change['weekday']}")
        if change.get("closed"):
            lines.append("    closed: true")
        else:
            lines.append("    hours: {" + ", ".join(f"{c}: {h}" for c, h in change["hours"].items()) + "}")
        lines.append(f"    note: {quoted(change['note'])}")
    return "---\n" + "\n".join(lines) + "\n---\n"



def write_notices(folder: Path, notices: list[Notice]) -> None:
    """Write each notice as `folder`/<slug>.md in our format; `folder` is made if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    for notice in notices:
        (folder / f"{notice.slug}.md").write_text(our_front_matter(notice) + notice.body, encoding="utf-8")


def write_expediente_site(folder: Path, notices: list[Notice]) -> Path:
    """Write the corpus's own site into `folder` (site_src/ and notices/); return `folder`."""
    write_site_files(folder)
    write_notices(folder / "notices", notices)
    return folder
