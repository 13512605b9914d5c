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
points at the folder itself.  It is found through the import system (the package's folder),
never through the current folder or the repository.

The loader itself, which imports Jinja, is in read/theme_loader.py: this module is also
imported by an up-to-date build, which renders nothing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.read.theme_loader import ThemeLoader

# How messages name the default theme's folder (the site's own is `templates/`).
DEFAULT_THEME_LABEL = "(default theme)"


class ThemeMissing(Exception):
    """The installed package has no default theme: the install is incomplete."""


@cache
def default_theme_dir() -> Path:
    """Return the folder of the default theme (templates), or raise ThemeMissing with what to do."""
    # The package's own folder (its __path__): importlib.resources.files() gives the same folder for a
    # package on disk, but importing it (with zipfile and its readers) cost every build, the up-to-date ones
    # included, some 4 ms.
    try:
        from generator import theme
    except ImportError:
        theme = None
    locations = list(getattr(theme, "__path__", ()))
    folder = Path(locations[0]) if locations else None
    if folder is None or not (folder / "base.html").is_file():
        raise ThemeMissing("the default theme is missing from the installed generator (no generator/theme/"
                           "base.html): the install is incomplete; reinstall it with 'pip install expediente'")
    return folder


def theme_loader(template_dirs: tuple[Path, ...] = ()) -> ThemeLoader:
    """Return the loader of a build's templates: `template_dirs` in order (a site's `templates/`), then the
    default theme, each with the label messages use."""
    from generator.read.theme_loader import ThemeLoader  # Jinja: only a build that renders needs it

    theme = default_theme_dir()
    folders = [(Path(d), DEFAULT_THEME_LABEL if Path(d) == theme else "templates") for d in template_dirs]
    if theme.resolve() not in {Path(d).resolve() for d in template_dirs}:
        folders.append((theme, DEFAULT_THEME_LABEL))
    return ThemeLoader(tuple(folders))
