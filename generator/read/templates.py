"""The theme's templates, read: the default theme's folder, and the loader that reads a template by its name.

A site's templates are written by whoever can push to the site's repository:
trusted to publish pages, not to read the server's files.  So a template is
found by its name inside the theme folders alone (the site's `templates/`, then
the default theme): never by an absolute path, never through `..`, never through
a symbolic link, wherever the name comes from (`{% include %}`, `{% import %}`,
`{% extends %}` or the pages themselves).  What a template may do once loaded is
the sandbox's business (render/frame.py), which is handed this loader by the pipeline.

The default theme is the repository's top-level `templates/`: pyproject.toml maps the
package `generator.theme` onto it, so a wheel carries the theme and an editable install
points at the folder itself.  It is found through importlib.resources, never through
the current folder or the repository.
"""

from __future__ import annotations

import os
import stat
from functools import cache
from importlib.resources import files
from pathlib import Path

from jinja2 import BaseLoader, TemplateError, TemplateNotFound

LOADER_HINT = ("a template may include, import or extend only the theme's own templates, by their path "
               "inside templates/ (e.g. 'parts/footer.html'), never through a symbolic link")
# How messages name the default theme's folder (the site's own is `templates/`).
DEFAULT_THEME_LABEL = "(default theme)"


class ThemeMissing(Exception):
    """The installed package has no default theme: the install is incomplete."""


@cache
def default_theme_dir() -> Path:
    """Return the folder of the default theme (templates), or raise ThemeMissing with what to do."""
    try:
        found = files("generator.theme")
    except ModuleNotFoundError:
        found = None
    folder = Path(str(found)) if found is not None else None
    if folder is None or not (folder / "base.html").is_file():
        raise ThemeMissing("the default theme is missing from the installed generator (no generator/theme/"
                           "base.html): the install is incomplete; reinstall it with 'pip install expediente'")
    return folder


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


def theme_loader(template_dirs: tuple[Path, ...] = ()) -> ThemeLoader:
    """Return the loader of a build's templates: `template_dirs` in order (a site's `templates/`), then the
    default theme, each with the label messages use."""
    theme = default_theme_dir()
    folders = [(Path(d), DEFAULT_THEME_LABEL if Path(d) == theme else "templates") for d in template_dirs]
    if theme.resolve() not in {Path(d).resolve() for d in template_dirs}:
        folders.append((theme, DEFAULT_THEME_LABEL))
    return ThemeLoader(tuple(folders))
