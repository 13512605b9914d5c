"""The loader that reads a theme's template by its name, for Jinja: inside the theme folders alone, never through
an absolute path, `..` or a symbolic link (read/templates.py says why; it hands this loader to the pipeline).

Apart from read/templates.py because Jinja is imported here: an up-to-date build asks for the default
theme's folder (to see whether its files changed) but renders nothing, and need not import Jinja.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from jinja2 import BaseLoader, TemplateError, TemplateNotFound

LOADER_HINT = ("a template may include, import or extend only the theme's own templates, by their path "
               "inside templates/ (e.g. 'parts/footer.html'), never through a symbolic link")


class TemplateRefused(TemplateError):
    """A template name or file that the loader will not read: what and why, in the message; the hint
    says what a template may name (render/theme.py places it in the template that asked)."""

    hint = LOADER_HINT


class ThemeLoader(BaseLoader):
    """Templates by name from theme folders, in order; each folder given with the label messages use."""

    def __init__(self, folders: tuple[tuple[Path, str], ...]):
        self.folders = tuple((Path(folder), label) for folder, label in folders)

    def get_source(self, environment, template: str):
        """Return (source, file name, up-to-date check) of a template, or raise TemplateNotFound/TemplateRefused."""
        pieces = template_pieces(template)
        for folder, label in self.folders:
            path = _find(folder, label, pieces, template)
            if path is None:
                continue
            try:
                handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(handle, "rb") as stream:
                    data = stream.read()
            except OSError as exc:
                raise TemplateRefused(f"cannot read the template {label}/{'/'.join(pieces)}: "
                                      f"{exc.strerror or exc}") from None
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError:
                raise TemplateRefused(f"the template {label}/{'/'.join(pieces)} is not UTF-8") from None
            return source, str(path), lambda: True
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        """Return the names of every template in the folders, sorted (links are not followed)."""
        found = set()
        for folder, _ in self.folders:
            for root, dirs, names in os.walk(folder):
                dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
                inside = os.path.relpath(root, folder).replace(os.sep, "/")
                for name in names:
                    if not os.path.islink(os.path.join(root, name)):
                        found.add(name if inside == "." else f"{inside}/{name}")
        return sorted(found)


def template_pieces(name: str) -> list[str]:
    """Return a template name's folder and file names, or raise TemplateRefused for an absolute
    path, a `..` or a character no template name holds."""
    if not isinstance(name, str) or not name:
        raise TemplateRefused(f"a template is named by text, not by {name!r}")
    if name.startswith("/") or "\\" in name or "\0" in name or (len(name) > 1 and name[1] == ":"):
        raise TemplateRefused(f"the template name {name!r} is an absolute path: templates are named by "
                              "their path inside templates/, e.g. 'parts/footer.html'")
    pieces = [piece for piece in name.split("/") if piece not in ("", ".")]
    if ".." in pieces:
        raise TemplateRefused(f"the template name {name!r} leads out of the theme with '..': templates are "
                              "named by their path inside templates/")
    if not pieces:
        raise TemplateRefused(f"the template name {name!r} names no file")
    return pieces


def _find(folder: Path, label: str, pieces: list[str], template: str) -> Path | None:
    """Return the template's file in `folder`, None when it has none; refuse a link on the way."""
    path = folder
    shown = label
    for piece in [None, *pieces]:
        if piece is not None:
            path = path / piece
            shown += "/" + piece
        try:
            status = os.lstat(path)
        except OSError:
            return None
        if stat.S_ISLNK(status.st_mode):
            raise TemplateRefused(f"{shown} is a symbolic link: templates are never read through a link "
                                  f"(asked for {template!r})")
    return path if stat.S_ISREG(status.st_mode) else None
