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
never through the current folder; a source tree run without an install (or with a non-editable one,
whose package `python build.py` does not import) falls back to the tree's own `templates/`.

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


# How an installed generator is put right: as it was installed, from PyPI, a clone's folder or a git URL.
REINSTALL = ("'pip install --force-reinstall expediente', or the clone's folder or git URL in place of "
             "expediente")


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
    if folder is not None and (folder / "base.html").is_file():
        return folder
    # A source tree run without an install, or with a non-editable one (`python build.py` imports the
    # tree's own generator/, which has no theme/): the theme is the tree's top-level templates/, the
    # folder the wheel maps to generator/theme.
    tree = source_tree()
    if tree is not None and (tree / "templates" / "base.html").is_file():
        return tree / "templates"
    if tree is not None:
        raise ThemeMissing(f"the default theme is missing from this source tree (no {tree / 'templates'}/base.html)"
                           f": restore it with 'git -C {tree} checkout -- templates'")
    raise ThemeMissing("the default theme is missing from the installed generator (no generator/theme/"
                       f"base.html): the install is incomplete; reinstall it as it was installed: {REINSTALL}")


def source_tree() -> Path | None:
    """Return the repository folder when the running generator/ is a source tree's (pyproject.toml beside it),
    else None (an installed package)."""
    from generator import __path__ as package  # already imported: the running package's own folder

    top = Path(package[0]).parent
    return top if (top / "pyproject.toml").is_file() and (top / "build.py").is_file() else None


def install_hint() -> str:
    """Return how to install the generator with its libraries, as fits where it runs from (a clone or not)."""
    tree = source_tree()
    if tree is not None:
        return f"install the generator and its libraries: 'pip install -e {tree}' (in a virtual environment)"
    return f"reinstall the generator and its libraries as it was installed: {REINSTALL}"


def theme_loader(template_dirs: tuple[Path, ...] = ()) -> ThemeLoader:
    """Return the loader of a build's templates: `template_dirs` in order (a site's `templates/`), then the
    default theme, each with the label messages use."""
    from generator.read.theme_loader import ThemeLoader  # Jinja: only a build that renders needs it

    theme = default_theme_dir()
    folders = [(Path(d), DEFAULT_THEME_LABEL if Path(d) == theme else "templates") for d in template_dirs]
    if theme.resolve() not in {Path(d).resolve() for d in template_dirs}:
        folders.append((theme, DEFAULT_THEME_LABEL))
    return ThemeLoader(tuple(folders))
