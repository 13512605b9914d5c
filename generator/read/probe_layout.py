"""Where the probe's rows are: day folders, each component's month files, and when checking began.

Two layouts are read alike (docs/format.md):

- day folders, which the probe writes: `site_src/uptime/<YYYY-MM-DD>/<component>.csv`, the rows of one
  UTC day; a commit every few minutes then rewrites only today's small files, which git stores as
  deltas of each other, where a month file rewritten by every commit is stored whole again and again;
- month files, which earlier probes wrote and a site may keep: `site_src/uptime/<component>/<YYYY-MM>.csv`.

A folder named like a date is a day folder; any other folder is a component's. Nothing here writes a file.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

from generator.errors import WARNING, SourceError
from generator.limits import LAST_YEAR
from generator.read.links import UPTIME_FOLDER
from generator.read.probe_rows import parse_stamp
from generator.read.probe_summary import MAX_SUMMARY_BYTES, SUMMARY_SUFFIX, summary_first

DAY_NAME = re.compile(r"\d{4}-\d\d-\d\d")
FIRST_ROW_BYTES = 1 << 16     # where the first row of a month file is looked for
# The probe names a day folder after the UTC day of its checks, so none is before 2000 (a machine whose clock
# starts at 1970-01-01 until it syncs writes one) or after the last year a site may name. The rows of such a
# folder have a wrong time, and would move when checking began (the page's "since", the API's created_at).
FIRST_PROBE_DAY, LAST_PROBE_DAY = date(2000, 1, 1), date(LAST_YEAR, 12, 31)


def is_day_folder(name: str) -> bool:
    """Tell whether a folder of site_src/uptime/ is named like a day (2026-11-23), not after a component."""
    return DAY_NAME.fullmatch(name) is not None


def a_day(name: str) -> bool:
    """Tell whether a day folder's name is a real day (2026-02-30 is not)."""
    try:
        date.fromisoformat(name)
    except ValueError:
        return False
    return True


def out_of_probe_days(name: str) -> str | None:
    """Return 'before 2000' or 'after 2200' for a real day's name that no probe writes, else None."""
    day = date.fromisoformat(name)
    if day < FIRST_PROBE_DAY:
        return f"before {FIRST_PROBE_DAY.year}"
    if day > LAST_PROBE_DAY:
        return f"after {LAST_PROBE_DAY.year}"
    return None


def a_probe_day(name: str) -> bool:
    """Tell whether a folder's name is a day the probe may have written (a real day from 2000 to 2200)."""
    return a_day(name) and out_of_probe_days(name) is None


def out_of_probe_months(month: str) -> str | None:
    """Return 'before 2000' or 'after 2200' for a month's name (2026-11) that no probe writes, else None (also
    for a name that is no month: the reader names that)."""
    return out_of_probe_days(f"{month}-01") if a_day(f"{month}-01") else None


def some_names(names: list[str], shown: int = 3) -> str:
    """Return the first `shown` of `names` quoted, then '...' when there are more."""
    return ", ".join([f"'{name}'" for name in names[:shown]] + ["..."] * (len(names) > shown))


def stray_months(paths: list[Path], when: str) -> SourceError:
    """Return the one warning for the month files and closed months (`paths`, in name order) of a component's
    folder that are of months no probe writes, `when` ('before 2000' or 'after 2200'): at the first, naming how
    many more months there are and the first few."""
    first = paths[0]
    label = (UPTIME_FOLDER / first.parent.name / first.name).as_posix()
    months = sorted({path.name[:7] for path in paths} - {first.name[:7]})
    if len(paths) == 1:
        what = "remove the file" if first.name.endswith(".csv") else f"remove it and {first.name[:7]}.csv.xz"
    else:
        what = "remove the files (a closed month's .days.json with its .csv.xz)"
    more = f" (nor those of {len(months):,} more such month{'s' * (len(months) != 1)}: {some_names(months)})" \
        if months else ""
    return SourceError(label, 1, 1, f"'{first.name[:7]}' is a month {when}, which the probe never writes; the rows in "
                       f"it are not shown{more}", "the probe names the file after the UTC month of its checks: if its "
                       f"machine's clock was wrong, {what}, or move the rows to the month they were taken", WARNING)


def unknown_component(name: str, known, where: tuple, extra: str = "") -> SourceError:
    """Return the warning for a folder or day file named after no component of status.yaml."""
    import difflib  # here: only a folder named after no component needs it

    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'? Rename the {extra or 'folder'} after a component id, or remove it" if close \
        else f"rename the {extra or 'folder'} after a component id, or remove it"
    return SourceError(*where, f"no component '{name}' in site_src/status.yaml; its probe history is not shown",
                       hint, WARNING)


def list_day_files(root: Path, known, months) -> tuple[dict[str, list[tuple[str, Path]]], dict[str, Path],
                                                       list[SourceError]]:
    """Return the day files of site_src/uptime/ (`root`) for the UTC `months`, by component, as (day, path) in
    day order; each component's oldest day file of any month (where checking began); and warnings.

    Folders named like a date that is no day (one warning for them all), or a day no probe writes
    (out_of_probe_days: one warning for those before 2000, one for those after 2200), and day files named after
    no component (one warning per name), are left out; each warning is placed at the first file; other entries
    are no rows and are ignored.
    """
    wanted = set(months)
    found: dict[str, list[tuple[str, Path]]] = {}
    oldest: dict[str, Path] = {}
    strays: dict[str, list[Path]] = {}
    stray_days: dict[str, list[tuple[Path, list[Path]]]] = {}     # by 'before 2000' or 'after 2200'
    not_days: list[tuple[Path, list[Path]]] = []
    problems: list[SourceError] = []
    # os.scandir tells files from folders without a stat each (thousands of day files on an open year)
    with os.scandir(root) as entries:
        folders = sorted(root / entry.name for entry in entries if is_day_folder(entry.name) and entry.is_dir())
    for folder in folders:
        with os.scandir(folder) as entries:
            files = sorted(folder / entry.name for entry in entries if entry.name.endswith(".csv") and entry.name[0] != "."
                           and entry.is_file())
        if not a_day(folder.name):
            not_days.append((folder, files))      # one warning for all of them, at the first
            continue
        when = out_of_probe_days(folder.name)
        if when is not None:
            # One warning for all of them, whatever their number (a push may hold 19,000): at the first.
            stray_days.setdefault(when, []).append((folder, files))
            continue
        for path in files:
            if path.stem not in known:
                strays.setdefault(path.stem, []).append(path)
                continue
            oldest.setdefault(path.stem, path)
            if folder.name[:7] in wanted:
                found.setdefault(path.stem, []).append((folder.name, path))
    for name, paths in sorted(strays.items()):
        where = ((UPTIME_FOLDER / paths[0].parent.name / paths[0].name).as_posix(), 1, 1)
        problems.append(unknown_component(name, known, where, "file"))
    problems += [stray_days_warning(when, folders) for when, folders in sorted(stray_days.items())]
    if not_days:
        problems.append(not_days_warning(not_days))
    return found, oldest, problems


def not_days_warning(folders: list[tuple[Path, list[Path]]]) -> SourceError:
    """Return the one warning for the folders (with their files, in name order) named like a day that is no day
    (2026-13-45): at the first, naming how many more there are and the first few."""
    (first, files), others = folders[0], [folder.name for folder, _ in folders[1:]]
    label = (UPTIME_FOLDER / first.name).as_posix()
    where = (f"{label}/{files[0].name}", 1, 1) if files else (label, 0, 0)
    more = f" (nor those of {len(others):,} more such folder{'s' * (len(others) != 1)}: {some_names(others)})" \
        if others else ""
    return SourceError(*where, f"'{first.name}' is not a day; the probe's rows in it are not shown{more}",
                       "name a day folder after a UTC day, like 2026-11-23", WARNING)


def stray_days_warning(when: str, folders: list[tuple[Path, list[Path]]]) -> SourceError:
    """Return the one warning for the day folders (with their files, in day order) of days no probe writes."""
    (first, files), count = folders[0], len(folders)
    label = (UPTIME_FOLDER / first.name).as_posix()
    where = (f"{label}/{files[0].name}", 1, 1) if files else (label, 0, 0)
    more = f" (nor those of {count - 1:,} more such day folders, up to '{folders[-1][0].name}')" if count > 1 else ""
    return SourceError(*where, f"'{first.name}' is a day {when}, which the probe never writes; the rows in it are not "
                       f"shown{more}", "the probe names the folder after the UTC day of its checks: if its machine's "
                       "clock was wrong, remove the folder, or move the rows to the day they were taken", WARNING)


def first_row_time(folder: Path, first_day: Path | None, now: datetime,
                   problems: list[SourceError] | None = None) -> datetime | None:
    """Return the time of a component's first row, if it is not after `now`: of its oldest month file or
    summary in `folder`, or of its oldest day file `first_day`, whichever is earlier; a month no probe
    writes (out_of_probe_months) is left out, with a warning added to `problems`.

    The probe appends rows in time order, so the oldest file's first well-formed row is when
    checking began; it stays put as months pass, unlike the first day of the 90 shown.
    """
    found = first_of_months(folder, [] if problems is None else problems)
    # A day file's rows are of its UTC day: one that begins after the month files' first row is not read.
    if first_day is not None and (found is None or found.isoformat() >= first_day.parent.name):
        in_day = first_of_file(first_day)
        found = in_day if found is None or (in_day is not None and in_day < found) else found
    return found if found is not None and found <= now else None


def first_of_file(path: Path | None) -> datetime | None:
    """Return the time of the first well-formed row of a month or day file, reading at most its start."""
    if path is None:
        return None
    try:
        with path.open("rb") as file:
            head = file.read(FIRST_ROW_BYTES)     # bounded: a file without line breaks is not read whole
    except OSError:
        return None
    for line in head.split(b"\n")[1:]:
        found = parse_stamp(line[:20])
        if found is not None:
            return found
    return None


def first_of_months(folder: Path, problems: list[SourceError]) -> datetime | None:
    """Return the time of the first row of a component's oldest month file or closed month; those of months no
    probe writes are left out, with one warning in `problems` for those before 2000 and one for those after 2200."""
    months = []
    strays: dict[str, list[Path]] = {}          # by 'before 2000' or 'after 2200': one warning each
    for path in sorted([*folder.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].csv"),
                        *folder.glob(f"[0-9][0-9][0-9][0-9]-[0-9][0-9]{SUMMARY_SUFFIX}")]):
        when = out_of_probe_months(path.name[:7])
        if when is None:
            months.append(path)
        else:
            strays.setdefault(when, []).append(path)
    problems += [stray_months(paths, when) for when, paths in sorted(strays.items())]
    # By month, a month file before its month's summary (the file holds rows the summary lacks).
    for path in sorted(months, key=lambda path: (path.name[:7], not path.name.endswith(".csv"))):
        if path.name.endswith(".csv"):
            found = first_of_file(path)
            if found is not None:
                return found
            continue
        try:
            with path.open("rb") as file:
                # of a summary, the first line (all but the days) serves, else the whole summary,
                # up to the most one can be
                head = file.readline(FIRST_ROW_BYTES)
                first = summary_first(head) or summary_first(head + file.read(MAX_SUMMARY_BYTES))
        except OSError:
            continue
        found = parse_stamp(first or "")
        if found is not None:
            return found
    return None
