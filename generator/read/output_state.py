"""The output folder as the last build's manifest vouches for it (read/cache.py reads the manifest).

An up-to-date build is answered only when the output holds exactly what the manifest
recorded (output_intact); an incremental one takes from the live output the files still
as the last build wrote them (live_output).  A manifest is data, maybe crafted (a site
folder that came with its cache): only plain paths inside the output are looked at.
The manifest is written by write/build_cache.py, with the folders' times of folder_records.
"""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Iterable


def output_intact(out_dir: Path, manifest: dict) -> bool:
    """Tell whether the output folder still holds exactly the files the manifest recorded (and no link: a
    build never makes one, and a link to a folder would put files the manifest does not know into the output).

    Each file is looked at (one lstat: its size and time), and each folder: one whose change time is the
    one the manifest vouches for (folder_records) holds the entries it held then, since adding, removing or
    renaming an entry sets a folder's change time; any other folder is listed.  Listing every folder of a
    10,000-notice output cost 0.17 s of the 0.3 s of an up-to-date build; the lstats of the folders 0.03 s.
    """
    files, vouched = manifest.get("files"), manifest.get("folders")
    if not isinstance(files, dict) or not out_dir.is_dir() or out_dir.is_symlink():
        return False
    vouched = vouched if isinstance(vouched, dict) else {}
    root = str(out_dir) + "/"
    lstat = os.lstat
    folders = set()
    for rel, recorded in files.items():
        if not inside_output(rel) or not _recorded(recorded):
            return False
        try:
            stat = lstat(root + rel)
        except OSError:
            return False
        if recorded[1] != stat.st_size or recorded[2] != stat.st_mtime_ns or not S_ISREG(stat.st_mode):
            return False
        folders.add(rel.rpartition("/")[0])
    unvouched = []
    for folder in _with_parents(folders):
        try:
            stat = lstat(root + folder)
        except OSError:
            return False
        # A link where a folder goes fails here: every file above was reached through folders only.
        if not S_ISDIR(stat.st_mode):
            return False
        if vouched.get(folder) != stat.st_ctime_ns:
            unvouched.append(folder)
    return not unvouched or all(_holds_only(out_dir, folder, entries)
                                for folder, entries in expected_entries(files, unvouched).items())


def _with_parents(folders: set[str]) -> set[str]:
    """Return the folders (relative paths, '' the output itself) with every folder above them."""
    found = {""}
    for folder in folders:
        while folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


def expected_entries(files: Iterable[str], folders: Iterable[str]) -> dict[str, dict[str, bool]]:
    """Return, for each of `folders`, the entries that the output's `files` put in it (name -> is a folder)."""
    wanted: dict[str, dict[str, bool]] = {folder: {} for folder in folders}
    # Only the files under a wanted folder are followed up: one C-level test for the others.
    under = "" if "" in wanted else tuple(f"{folder}/" for folder in wanted)
    for rel in files:
        if not rel.startswith(under):
            continue
        folder, _, name = rel.rpartition("/")
        is_folder = False
        while True:
            entries = wanted.get(folder)
            if entries is not None:
                entries[name] = is_folder
            if not folder:
                break
            folder, _, name = folder.rpartition("/")
            is_folder = True
    return wanted


def _holds_only(out_dir: Path, folder: str, entries: dict[str, bool]) -> bool:
    """Tell whether a folder of the output holds exactly `entries` (name -> is a folder), none of them a link."""
    try:
        with os.scandir(os.path.join(out_dir, folder)) as listing:
            found = 0
            for entry in listing:
                # The listing says what each entry is: no call for the links and folders.
                is_folder = entries.get(entry.name)
                if is_folder is None or entry.is_symlink() or entry.is_dir(follow_symlinks=False) != is_folder:
                    return False
                found += 1
    except OSError:
        return False
    return found == len(entries)


def folder_records(out_dir: Path, files: Iterable[str], clock: int, previous: dict | None = None,
                   rewritten: Iterable[str] = (), changed: Iterable[str] | None = None) -> dict[str, int | None]:
    """Return the change time of each folder of the output that holds exactly what `files` put in it, for the
    manifest to vouch for (output_intact), and None for the other folders (the next build looks at them again).

    After a full build (`changed` None) every folder is listed.  After an incremental one, `changed`
    names the files it added or retired and `rewritten` those it wrote anew where they were: the folders
    above an added or retired file are listed; those above a rewritten one keep their time in `previous`
    (the last manifest's) when it is still their time (an entry added or removed since would have changed
    it), else are listed; every other folder keeps `previous`'s time unlooked at (if it changed since, the
    time no longer matches and the next check lists the folder).

    `clock` is the file system's time just before (write/build_cache.filesystem_clock): a folder changed
    at that time or later is not vouched for, as a change in the same tick of the clock would leave its
    change time as it is (git's "racy" entries); the next up-to-date check lists it.
    """
    carried: dict[str, object] = {}
    if changed is None or not isinstance(previous, dict):
        check = _with_parents({rel.rpartition("/")[0] for rel in files})
        records: dict[str, int | None] = {}
    else:
        listed = _with_parents({rel.rpartition("/")[0] for rel in changed})
        again = _with_parents({rel.rpartition("/")[0] for rel in rewritten}) - listed
        # Folders the last build could not vouch for (None) are listed again: by now their time may be past.
        check = listed | again | {folder for folder, time in previous.items() if time is None}
        records = {folder: time for folder, time in previous.items()
                   if folder not in check and isinstance(time, int)}
        carried = {folder: previous.get(folder) for folder in again}
    root = str(out_dir) + "/"
    checked = {}
    for folder in check:
        try:
            stat = os.lstat(root + folder)
        except OSError:
            continue            # removed with the files it held
        if carried.get(folder) == stat.st_ctime_ns and S_ISDIR(stat.st_mode):
            records[folder] = stat.st_ctime_ns
        elif stat.st_ctime_ns < clock and S_ISDIR(stat.st_mode):
            checked[folder] = stat.st_ctime_ns
        else:
            records[folder] = None
    # Listed after its time was taken: an entry added meanwhile is seen, or changes the time from the one kept.
    for folder, entries in expected_entries(files, checked).items():
        records[folder] = checked[folder] if _holds_only(out_dir, folder, entries) else None
    return records


def reusable_hashes(out_dir: Path, manifest: dict) -> dict[str, str]:
    """Return, for files still exactly as the last build wrote them, their content hashes."""
    reusable = {}
    files = manifest.get("files")
    for rel, recorded in (files if isinstance(files, dict) else {}).items():
        if not inside_output(rel) or not _recorded(recorded):
            continue
        try:
            stat = os.lstat(os.path.join(out_dir, rel))
        except OSError:
            continue
        if recorded[1] == stat.st_size and recorded[2] == stat.st_mtime_ns:
            reusable[rel] = recorded[0]
    return reusable


def live_output(out_dir: Path, manifest: dict) -> tuple[dict[str, list], dict[str, list], list[str]] | None:
    """Return what an incremental build may take from the live output: the files still exactly as the last
    build recorded them ([hash, size, time] each), the parts all of whose files are among them ([key,
    [files]] each), and every file the manifest names; None when the manifest has no parts (the next
    build is then a full one).

    Only the recorded files are looked at (one lstat each), not the folders' listings: listing every folder
    of a 10,000-notice output took 0.7-1.3 s, against 0.2 s for the lstats.  A file put into the folder by
    someone else is found by the next up-to-date check (output_intact), which then builds in full.
    """
    files, parts = manifest.get("files"), manifest.get("parts")
    if not isinstance(files, dict) or not isinstance(parts, dict) or not out_dir.is_dir() or out_dir.is_symlink():
        return None
    # The manifest is data, maybe crafted (a site folder that came with its cache): a name that is not a
    # plain path inside the output ('../x', '/etc/x') is neither looked at, kept nor removed.
    held: list[str] = []
    intact: dict[str, list] = {}
    root = str(out_dir) + "/"
    lstat = os.lstat
    # A file is the output's only in a folder of the output, not behind a link put in its place (lstat
    # follows links on the way).  A folder whose parent still has the change time the manifest vouches
    # for (output_intact) is the folder it was: replacing it by a link would have changed its parent's
    # time.  So one lstat per parent (at 10,000 notices, 'notices' and the output itself) stands for
    # the lstats of the 10,000 folders below them; any other folder is looked at itself.
    vouched = manifest.get("folders")
    vouched = vouched if isinstance(vouched, dict) else {}
    plain: dict[str, bool] = {"": True}
    unchanged: dict[str, bool] = {}

    def as_vouched(folder: str) -> bool:
        if folder not in unchanged:
            try:
                stat = lstat(root + folder)
                unchanged[folder] = S_ISDIR(stat.st_mode) and vouched.get(folder) == stat.st_ctime_ns
            except OSError:
                unchanged[folder] = False
        return unchanged[folder]

    def plain_folder(folder: str) -> bool:
        if folder not in plain:
            parent = folder.rpartition("/")[0]
            if not plain_folder(parent):
                plain[folder] = False
            elif as_vouched(parent):
                plain[folder] = True
            else:
                try:
                    plain[folder] = S_ISDIR(lstat(root + folder).st_mode)
                except OSError:
                    plain[folder] = False
        return plain[folder]

    for rel, recorded in files.items():
        if not inside_output(rel):
            continue
        held.append(rel)
        if not _recorded(recorded):
            continue
        folder = rel.rpartition("/")[0]
        if not (plain.get(folder) or plain_folder(folder)):
            continue
        try:
            stat = lstat(root + rel)
        except OSError:
            continue
        if recorded[1] == stat.st_size and recorded[2] == stat.st_mtime_ns and S_ISREG(stat.st_mode):
            intact[rel] = recorded
    kept = {name: part for name, part in parts.items()
            if isinstance(part, list) and len(part) == 2 and isinstance(part[1], list)
            and all(isinstance(path, str) and path in intact for path in part[1])}
    return intact, kept, held


def _recorded(value: object) -> bool:
    """Tell whether a manifest's record of a file has its shape: [hash, size, time]."""
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) \
        and isinstance(value[1], int) and isinstance(value[2], int)


def inside_output(rel: object) -> bool:
    """Tell whether a name from a manifest is a plain relative path that stays inside the output folder:
    folders and a name joined by '/', none of them empty, '.' or '..', no backslash or NUL."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel:
        return False
    # An empty part shows as '//' once the name is framed by slashes: one search each, not a split.
    framed = f"/{rel}/"
    return "//" not in framed and "/./" not in framed and "/../" not in framed
