"""Where templates come from, and how a template's failure is placed in its file.

A site's templates are written by whoever can push to the site's repository:
trusted to publish pages, not to read the server's files.  So a template is
found by its name inside the theme folders alone (the site's `templates/`, then
the default theme): never by an absolute path, never through `..`, never through
a symbolic link, wherever the name comes from (`{% include %}`, `{% import %}`,
`{% extends %}` or the pages themselves).  What a template may do once loaded is
the sandbox's business (frame.py).
"""

from __future__ import annotations

import os
import stat
import traceback
from pathlib import Path

from jinja2 import BaseLoader, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.sandbox import SecurityError

from generator.errors import SourceError

SANDBOX_HINT = ("templates run in a sandbox: they may use the values, filters and tests the pages give them, "
                "not Python's internals (docs/security.md)")
LOADER_HINT = ("a template may include, import or extend only the theme's own templates, by their path "
               "inside templates/ (e.g. 'parts/footer.html'), never through a symbolic link")


class TemplateRefused(TemplateError):
    """A template name or file that the loader will not read: what and why, in the message."""


class TemplateFailed(Exception):
    """A template could not be rendered; carries the problem placed in the template (it travels
    between build processes, which a traceback cannot)."""

    def __init__(self, problem: SourceError):
        super().__init__(problem)
        self.problem = problem


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


def template_problem(exc: BaseException, loader: ThemeLoader) -> SourceError | None:
    """Return the problem of an exception raised while rendering, placed in the template that raised it,
    or None when no template is to blame (a bug elsewhere).

    Called in the process that raised `exc`, while its traceback is at hand (the pipeline does so).
    """
    place = None
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        place = (exc.filename, exc.lineno or 1)
    else:
        for filename, lineno in reversed([(frame.filename, frame.lineno)
                                          for frame in traceback.extract_tb(exc.__traceback__)]):
            if _label(filename, loader) is not None:
                place = (filename, lineno)
                break
    if place is None and not isinstance(exc, TemplateError):
        return None
    message, hint = _describe(exc)
    if place is None:
        return SourceError("templates", 0, 0, message, hint)
    return SourceError(_label(place[0], loader) or place[0], place[1] or 1, 1, message, hint)


def _label(filename: str, loader: ThemeLoader) -> str | None:
    """Return how messages name a template file ('templates/x.html'), None if it is no theme's."""
    path = Path(filename)
    for folder, label in loader.folders:
        if path.is_relative_to(folder):
            return f"{label}/{path.relative_to(folder).as_posix()}"
    return None


def _describe(exc: BaseException) -> tuple[str, str | None]:
    """Return the message and hint for a template's failure, in the words of the person who wrote it."""
    text = (getattr(exc, "message", None) or str(exc) or type(exc).__name__).strip()
    if isinstance(exc, SecurityError):
        return f"not allowed in a template: {text.rstrip('.')}", SANDBOX_HINT
    if isinstance(exc, TemplateRefused):
        return text, LOADER_HINT
    if isinstance(exc, TemplateNotFound):
        return (f"the template {exc.name!r} is neither in templates/ nor in the default theme",
                "check the name; templates are named by their path inside templates/")
    if isinstance(exc, TemplateSyntaxError):
        return f"template syntax: {text}", None
    if isinstance(exc, TemplateError):
        return text, None
    if isinstance(exc, MemoryError):
        return ("the template needed more memory than the build may use",
                "look for a loop that grows a text or a list (on a server, install-server-hooks "
                "--max-build-mb sets how much memory a push's build may use)")
    return f"{type(exc).__name__}: {text}", None
