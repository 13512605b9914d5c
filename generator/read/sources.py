"""Finding and reading a site's sources: decoding, front matter, YAML with marks.

Only this module reads source files. It never interprets values: it hands
YAML nodes that remember their line and column to the validators.  Notices are
only listed here (`NoticeFile`); the pipeline has each read by `read_notice` in
whichever build process checks it, so that reading (and parsing) a thousand of
them is shared by the cores, and none is opened before the limit on their number
is known to allow it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.errors import WARNING, SourceError
from generator.read.git_history import read_git_history
from generator.read.links import refused_links
from generator.read.yaml_nodes import CONTROL_CHARACTER, Node, parse_yaml

# A notice is a page of text; anything much larger is a mistake (a log pasted in,
# a binary file renamed) and is refused before it can fill memory.
MAX_SOURCE_BYTES = 1_000_000
NOTICE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?\.md$")


@dataclass(frozen=True, slots=True)
class YamlSource:
    """A YAML file: its path relative to the site, its parsed root (None when unusable)."""

    path: str
    root: Node | None


@dataclass(frozen=True, slots=True)
class MarkdownSource:
    """A Markdown file with front matter: the YAML part and the body with its first line."""

    path: str
    front: Node | None
    body: str
    body_line: int


@dataclass(frozen=True, slots=True)
class NoticeFile:
    """A file in notices/ named as a notice or a translation should be, not read yet (see read_notice)."""

    path: str      # where to open it (a string: making 10,000 Path objects cost 0.02 s of every build)
    rel: str       # relative to the site, as messages show it
    slug: str
    lang: str | None   # a translation's language (from the file name), None for the notice itself


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything read from a site folder, before validation."""

    site: YamlSource | None
    hours: YamlSource | None
    support: YamlSource | None
    status: YamlSource | None
    notices: tuple[NoticeFile, ...]
    templates: Path | None
    # notice path -> (number of commits that touched it, time of the last one), when the site is a git checkout
    history: Mapping[str, tuple[int, datetime]] = field(default_factory=lambda: MappingProxyType({}))


def relative(path: Path, site_dir: Path) -> str:
    """Return `path` relative to the site folder, with forward slashes, as messages show it."""
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


def position(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of a character offset in `text`."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def decode(data: bytes, path: str) -> tuple[str | None, list[SourceError]]:
    """Decode UTF-8 source bytes; on failure report the line and column of the first bad byte."""
    if len(data) > MAX_SOURCE_BYTES:
        return None, [_too_large(len(data), path)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        line, column = position(good, len(good))
        return None, [SourceError(
            path, line, column,
            f"the file is not UTF-8: byte 0x{data[exc.start]:02x} cannot start a character here",
            "save the file as UTF-8 (editors call it 'UTF-8', not 'Latin-1' or 'Windows-1252')",
        )]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def read_text(path: Path, site_dir: Path) -> tuple[str | None, list[SourceError]]:
    """Read and decode one source file, reporting unreadable files as problems."""
    return _read_text(path, relative(path, site_dir))


def _too_large(size: int, path: str) -> SourceError:
    """Return the error of a source of `size` bytes, more than sources may hold."""
    return SourceError(
        path, 1, 1,
        f"the file is {size / 1_000_000:.1f} MB; sources are limited to {MAX_SOURCE_BYTES // 1_000_000} MB",
        "split it, or move large content elsewhere and link to it",
    )


def _read_text(path: Path, rel: str) -> tuple[str | None, list[SourceError]]:
    """Return a source file's text (None when it cannot be had) and the problems of reading it."""
    text, problems, _ = _read_text_and_digest(path, rel)
    return text, problems


def _read_text_and_digest(path: Path | str, rel: str) -> tuple[str | None, list[SourceError], str]:
    """Return a source file's text (None when it cannot be had), the problems of reading it, and the digest of
    what was read (file_digest; "" when the file could not be read)."""
    try:
        data = _read_bytes(path)
    except _TooLarge as exc:
        return None, [_too_large(exc.size, rel)], f"too large: {exc.size}"
    except OSError as exc:
        return None, [SourceError(rel, 1, 1, f"cannot read the file: {exc.strerror}")], ""
    return *decode(data, rel), file_digest(rel, data)


class _TooLarge(Exception):
    """A source file larger than MAX_SOURCE_BYTES, found before its bytes were read."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


def _read_bytes(path: Path | str) -> bytes:
    """Return the bytes of a source file; raise _TooLarge for one over MAX_SOURCE_BYTES, OSError when unreadable."""
    # One open, one fstat, one read (two for a file that grew), one close: a buffered open() added a stat
    # before it, an isatty ioctl, two lseeks and a second fstat, for each of a thousand notices.
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(descriptor).st_size
        # Never read whole: reading it would say only how large it is.
        if size > MAX_SOURCE_BYTES:
            raise _TooLarge(size)
        chunks = []
        read = 0
        while read <= MAX_SOURCE_BYTES:
            # One byte more than the size asks: a short read of a regular file is its end.
            wanted = size + 1 - read if read <= size else MAX_SOURCE_BYTES + 1 - read
            chunk = os.read(descriptor, wanted)
            chunks.append(chunk)
            read += len(chunk)
            if len(chunk) < wanted:
                break
        # A file that grew past the limit while it was read is refused by its length (decode).
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(descriptor)


def file_digest(rel: str, data: bytes) -> str:
    """Return the digest of a source file's bytes `data` and of its path `rel` (what a kept check is keyed on)."""
    return hashlib.sha256(rel.encode() + b"\0" + data).hexdigest()


def read_yaml(path: Path, site_dir: Path, required: bool,
              refused: frozenset[Path] = frozenset()) -> tuple[YamlSource | None, list[SourceError]]:
    """Read one YAML file into nodes; a missing optional file gives None and no problem.

    A file behind one of the `refused` links (links.refused_links, whose errors say why) is not read.
    """
    rel = relative(path, site_dir)
    if path in refused or path.parent in refused:
        return None, []
    if not path.is_file():
        if path.exists():
            # A folder, FIFO, socket or device (from an archive, never from git): opening a FIFO waits for a writer.
            return None, [SourceError(rel, 1, 1, "this must be a regular file, not a folder, FIFO, socket or device",
                                      f"replace it with the YAML file {rel}")]
        if required:
            return None, [SourceError(rel, 1, 1, "the file is missing", f"create {rel}: docs/format.md describes it, and 'init' writes a commented one")]
        return None, []
    text, problems = read_text(path, site_dir)
    if text is None:
        return YamlSource(rel, None), problems
    if not text.strip():
        return YamlSource(rel, None), [SourceError(rel, 1, 1, "the file is empty")]
    root, problems = parse_yaml(text, rel)
    if root is None and not required and _only_comments(text):
        return None, []  # an optional file whose every line is commented out: the section is off
    return YamlSource(rel, root), problems


def _only_comments(text: str) -> bool:
    """Return whether every non-blank line of YAML text is a comment (a starter file not yet filled in)."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def split_front_matter(text: str, path: str) -> tuple[str | None, int, str, int, list[SourceError]]:
    """Split `---` front matter from a Markdown body: (yaml, yaml's first line, body, body's first line, problems)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, 0, text, 1, [SourceError(
            path, 1, 1, "the notice does not start with front matter",
            "the first line must be '---', then the YAML fields, then another '---' line",
        )]
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return front, 1, body, index + 2, []
    return None, 0, text, 1, [SourceError(
        path, 1, 1, "the front matter is not closed", "add a line with '---' after the last YAML field"
    )]


def read_markdown(path: Path | str, rel: str) -> tuple[MarkdownSource | None, list[SourceError]]:
    """Read a Markdown file with YAML front matter into nodes and body text; `rel` names it in messages."""
    text, problems = _read_text(path, rel)
    return _markdown(text, problems, rel)


def _markdown(text: str | None, problems: list[SourceError], rel: str) -> tuple[MarkdownSource | None, list[SourceError]]:
    """Split a Markdown file's `text` (None: unreadable, for the reading's `problems`) into nodes and body text."""
    if text is None:
        return None, problems
    front, offset, body, body_line, problems = split_front_matter(text, rel)
    body, dropped = drop_control_characters(body, rel, body_line)
    problems += dropped
    if front is None:
        return MarkdownSource(rel, None, body, body_line), problems
    if not front.strip():
        return MarkdownSource(rel, None, body, body_line), problems + [SourceError(rel, 2, 1, "the front matter is empty")]
    root, found = parse_yaml(front, rel, line_offset=offset)
    return MarkdownSource(rel, root, body, body_line), problems + found


def drop_control_characters(body: str, path: str, first_line: int) -> tuple[str, list[SourceError]]:
    """Return a Markdown body without the control characters that pages, feeds and calendars cannot
    carry (a form feed in text pasted from a PDF), with a warning placed at the first one."""
    found = CONTROL_CHARACTER.search(body)
    if found is None:
        return body, []
    count = len(CONTROL_CHARACTER.findall(body))
    line, column = position(body, found.start())
    more = f" (and {count - 1} more)" if count > 1 else ""
    return CONTROL_CHARACTER.sub("", body), [SourceError(
        path, line + first_line - 1, column,
        f"the control character U+{ord(found[0]):04X}{more} was dropped from the text",
        "remove it from the file: control characters are often pasted in with text copied from a PDF", WARNING)]


def read_notice(file: NoticeFile) -> tuple[MarkdownSource | None, list[SourceError]]:
    """Read one listed notice or translation: its front matter as nodes and its body."""
    return read_markdown(file.path, file.rel)


def read_notice_and_digest(file: NoticeFile) -> tuple[MarkdownSource | None, list[SourceError], str]:
    """Read one listed notice or translation as read_notice does; return also the digest of the very bytes read
    (file_digest), which a check made from them may be kept under."""
    text, problems, digest = _read_text_and_digest(file.path, file.rel)
    return *_markdown(text, problems, file.rel), digest


def list_notice_files(site_dir: Path, refused: frozenset[Path] = frozenset()
                      ) -> tuple[tuple[NoticeFile, ...], list[SourceError]]:
    """Return the notice files in sorted order, and problems for misnamed files; the `refused` links
    (links.refused_links, whose errors say why) are left out."""
    folder = site_dir / "notices"
    if folder in refused:
        return (), []
    if not folder.is_dir():
        if folder.exists() or folder.is_symlink():   # a file, or a link to nothing: the notices would vanish
            return (), [SourceError("notices", 1, 1, "notices must be a folder of Markdown notices, not a file",
                                    "make notices/ a folder and move the notices into it")]
        return (), []
    files, problems = [], []
    with os.scandir(folder) as entries:
        listed = sorted(entries, key=lambda entry: entry.name)
    for entry in listed:
        name = entry.name
        if name.startswith(".") or name.lower() == "readme.md":
            continue
        rel = f"notices/{name}"
        if refused and folder / name in refused:     # a Path made only when some link was refused
            continue
        if entry.is_dir() or not name.endswith(".md"):
            problems.append(SourceError(
                rel, 1, 1, "notices/ holds only Markdown notices (.md files)",
                "move other files elsewhere",
            ))
            continue
        if not entry.is_file():
            # A FIFO, socket or device (from an archive, never from git): opening a FIFO waits for a writer.
            problems.append(SourceError(rel, 1, 1, "a notice must be a regular file, not a FIFO, socket or device",
                                        "replace it with the notice's Markdown file"))
            continue
        named = NOTICE_NAME.match(name)
        if not named:
            problems.append(SourceError(
                rel, 1, 1, f"a notice's file name must look like YYYY-MM-DD-slug.md, not {name}",
                "the slug is lower-case letters, digits and hyphens; a translation adds .<lang> before .md",
            ))
            continue
        files.append(NoticeFile(entry.path, rel, named[1], named[2]))
    return tuple(files), problems


def read_sources(site_dir: Path, git_history: bool = True, notices: bool = True) -> tuple[Sources, list[SourceError]]:
    """Read every source of the site in a fixed order (notices are listed: see read_notice); return them
    and the problems found.  Without `git_history` the notices' history is left empty (the pipeline reads it
    through its cache: read/git_history.py); without `notices` none is listed (the probe's settings)."""
    # Links are judged before anything is read: a file behind a refused one is never opened.
    refused, problems = refused_links(site_dir)
    src = site_dir / "site_src"
    site, found = read_yaml(src / "site.yaml", site_dir, required=True, refused=refused)
    problems += found
    hours, found = read_yaml(src / "hours.yaml", site_dir, required=True, refused=refused)
    problems += found
    support, found = read_yaml(src / "support.yaml", site_dir, required=False, refused=refused)
    problems += found
    status, found = read_yaml(src / "status.yaml", site_dir, required=False, refused=refused)
    problems += found
    listed, found = list_notice_files(site_dir, refused) if notices else ((), [])
    problems += found
    templates = site_dir / "templates"
    history = read_git_history(site_dir)[0] if listed and git_history else MappingProxyType({})
    return Sources(site, hours, support, status, listed, templates if templates.is_dir() else None,
                   history), problems
