"""The default theme, said once: where it is (`templates/` of the source tree, shipped inside the
package as `generator.theme`) and how messages name it.

pyproject.toml maps the package `generator.theme` onto the repository's top-level
`templates/` folder, so a wheel carries the theme and an editable install points at
the folder itself.  The theme is found through importlib.resources, never through
the current folder or the repository.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

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
