"""How a template's failure is placed in its file, in the words of whoever wrote the template.

The templates themselves are read by read/templates.py (by name only, never through a
link); what a template may do once loaded is the sandbox's business (frame.py).
"""

from __future__ import annotations

import traceback
from pathlib import Path

from jinja2 import BaseLoader, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.sandbox import SecurityError

from generator.errors import SourceError

SANDBOX_HINT = ("templates run in a sandbox: they may use the values, filters and tests the pages give them, "
                "not Python's internals (docs/security.md)")


class TemplateFailed(Exception):
    """A template could not be rendered; carries the problem placed in the template (it travels
    between build processes, which a traceback cannot)."""

    def __init__(self, problem: SourceError):
        super().__init__(problem)
        self.problem = problem


def template_problem(exc: BaseException, loader: BaseLoader) -> SourceError | None:
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


def _label(filename: str, loader: BaseLoader) -> str | None:
    """Return how messages name a template file ('templates/x.html'), None if it is no theme's."""
    path = Path(filename)
    for folder, label in getattr(loader, "folders", ()):    # read.templates.ThemeLoader's folders
        if path.is_relative_to(folder):
            return f"{label}/{path.relative_to(folder).as_posix()}"
    return None


def _describe(exc: BaseException) -> tuple[str, str | None]:
    """Return the message and hint for a template's failure, in the words of the person who wrote it."""
    text = (getattr(exc, "message", None) or str(exc) or type(exc).__name__).strip()
    if isinstance(exc, SecurityError):
        return f"not allowed in a template: {text.rstrip('.')}", SANDBOX_HINT
    if isinstance(exc, TemplateError) and isinstance(getattr(exc, "hint", None), str):
        return text, exc.hint                      # the loader refused a name (read.templates.TemplateRefused)
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
