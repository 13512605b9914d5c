"""Loading a site: read its sources and validate them into the model, with every problem found."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from generator.errors import ERROR, SourceError, has_errors, sort_problems
from generator.model import Site
from generator.read.sources import read_sources
from generator.validate import validate_sources


def load_site(site_dir: Path, strict: bool = False, jobs: int | None = None,
              meanwhile: Callable[[], object] | None = None) -> tuple[Site | None, tuple[SourceError, ...], Path | None]:
    """Read and validate a site folder; with `strict`, warnings count as errors; notices in up to `jobs` processes.

    `meanwhile` is called once, while other processes read the notices (validate_sources).
    """
    sources, read_problems = read_sources(site_dir)
    site, problems = validate_sources(sources, jobs, meanwhile)
    problems = sort_problems(list(read_problems) + list(problems))
    if strict:
        problems = tuple(SourceError(p.path, p.line, p.column, p.message, p.hint, ERROR) for p in problems)
    if has_errors(problems):
        site = None
    return site, problems, sources.templates
