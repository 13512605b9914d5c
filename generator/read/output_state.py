"""The output folder as the last build's manifest vouches for it (read/cache.py reads the manifest).

An up-to-date build is answered only when the output holds exactly what the manifest
recorded (output_intact); an incremental one takes from the live output the files still
as the last build wrote them, and only when no folder holds anything else (live_output).
A manifest is data, maybe crafted (a site folder that came with its cache): only plain
paths inside the output are looked at.  The manifest is written by write/build_cache.py,
with the folders' times of folder_records.

A file is as the last build wrote it when it is still a file (no link) of the recorded size,
modification time and change time (ctime).  The first two a hand edit can put back (os.utime);
the change time it cannot: any write, utime, chmod or link sets it to the clock.  A change time
that differs while the size and modification time agree is not taken for an edit at once: the
file's bytes are hashed and compared with the recorded hash (a chmod, or a backup that restored
access times, costs a hash, not a rebuild), as are the files the last build wrote in the clock's
present tick, which it recorded with no change time (-1; write/build_cache.py: a hand edit in the
same tick would leave the change time as it is, git's "racy" entries).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Iterable


def output_intact(out_dir: Path, manifest: dict, refreshed: dict[str, list] | None = None) -> bool:
    """Tell whether the output folder still holds exactly the files the manifest recorded (and no link: a
    build never makes one, and a link to a folder would put files the manifest does not know into the output);
    `refreshed` is given the new record of each file whose change time alone moved (its bytes the same).

    Each file is looked at (one lstat: its size and times; see the module's docstring for a change time that
    moved), and each folder: one whose change time is the
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
    moved: list[tuple[str, os.stat_result]] = []      # files whose change time alone differs
    for rel, recorded in files.items():
        if not inside_output(rel) or not _recorded(recorded):
            return False
        try:
            stat = lstat(root + rel)
        except OSError:
            return False
        if recorded[1] != stat.st_size or recorded[2] != stat.st_mtime_ns or not S_ISREG(stat.st_mode):
            return False
        if recorded[3] != stat.st_ctime_ns:
            moved.append((rel, stat))
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
    if unvouched and not all(_holds_only(out_dir, folder, entries)
                             for folder, entries in expected_entries(files, unvouched).items()):
        return False
    # Read only once every folder was seen to be one: never through a link out of the output.
    for rel, stat in moved:
        again = _rehashed(root + rel, files[rel], stat)
        if again is None:
            return False
        if refreshed is not None:
            refreshed[rel] = again
    return True


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


def _holds_only(out_dir: Path, folder: str, entries: dict[str, bool], every: bool = True) -> bool:
    """Tell whether a folder of the output holds only `entries` (name -> is a folder), none of them a link, and
    (`every`) all of them."""
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
    return found == len(entries) or not every


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
        # The manifest is data: a folder it names outside the output ('..', '/etc') is not listed (a time it
        # gives one is carried unlooked at: only the output's folders are ever looked up by their names).
        check = listed | again | {folder for folder, time in previous.items()
                                  if time is None and (folder == "" or inside_output(folder))}
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


def live_output(out_dir: Path, manifest: dict) -> tuple[dict[str, list], dict[str, list], list[str]] | None:
    """Return what an incremental build may take from the live output: the files still exactly as the last
    build recorded them ([hash, size, time, change time] each), the parts all of whose files are among them
    ([key, [files]] each), and every file the manifest names; None when the manifest has no parts, or when a
    folder of the output holds an entry the last build did not put there (a file, a folder or a link put in
    by hand, or a link in place of a file or folder): only a full build, which swaps in a new tree, removes
    it, so the build is then a full one.

    Every recorded file is looked at (one lstat), and every folder (one lstat): a folder whose change time
    is the one the manifest vouches for holds the entries it held then (folder_records), any other is
    listed.  Listing every folder of a 10,000-notice output took 0.7-1.3 s; after a build, only the
    folders it changed in the clock's present tick are not vouched for.
    """
    files, parts = manifest.get("files"), manifest.get("parts")
    if not isinstance(files, dict) or not isinstance(parts, dict) or not out_dir.is_dir() or out_dir.is_symlink():
        return None
    # The manifest is data, maybe crafted (a site folder that came with its cache): a name that is not a
    # plain path inside the output ('../x', '/etc/x') is neither looked at, kept nor removed.
    held = [rel for rel in files if inside_output(rel)]
    root = str(out_dir) + "/"
    lstat = os.lstat
    vouched = manifest.get("folders")
    vouched = vouched if isinstance(vouched, dict) else {}
    # Every folder holds only the output's entries and no link, or this is not an output to build into
    # incrementally: so no file below is reached through a link (lstat follows links on the way).  A
    # folder with the change time vouched for holds what it held then; any other is listed.  A folder
    # that a link replaced changed its parent's time, so the parent's listing finds the link.
    # Each folder is looked at just before its first file (its entry is then in the processor's caches):
    # the 20,014 folders of a 10,000-notice output added 0.06 s so, 0.11 s in a loop of their own.
    intact: dict[str, list] = {}
    moved: list[tuple[str, os.stat_result]] = []      # files whose change time alone differs
    seen: set[str] = set()
    unvouched: list[str] = []
    for rel in held:
        folder = rel.rpartition("/")[0]
        if folder not in seen:
            seen.add(folder)
            try:
                stat = lstat(root + folder)
            except OSError:
                stat = None     # removed with its files, which are written again
            if stat is not None:
                if not S_ISDIR(stat.st_mode):
                    return None
                if vouched.get(folder) != stat.st_ctime_ns:
                    unvouched.append(folder)
        recorded = files[rel]
        if not _recorded(recorded):
            continue
        try:
            stat = lstat(root + rel)
        except OSError:
            continue
        if recorded[3] == stat.st_ctime_ns and recorded[1] == stat.st_size and recorded[2] == stat.st_mtime_ns \
                and S_ISREG(stat.st_mode):
            intact[rel] = recorded
        elif recorded[1] == stat.st_size and recorded[2] == stat.st_mtime_ns and S_ISREG(stat.st_mode):
            moved.append((rel, stat))
    # The folders above them (at 10,000 notices: 'notices', 'en/notices', 'en' and the output itself).
    above = {folder.rpartition("/")[0] for folder in seen if folder} - seen
    while above:
        seen |= above
        for folder in above:
            if not _look_at_folder(root, folder, vouched, unvouched):
                return None
        above = {folder.rpartition("/")[0] for folder in above if folder} - seen
    # Missing entries are the build's to write again (their files are not intact above); an entry more is not.
    if unvouched and not all(_holds_only(out_dir, folder, entries, every=False)
                             for folder, entries in expected_entries(held, unvouched).items()):
        return None
    # Read only once every folder was seen to be one: never through a link out of the output.
    for rel, stat in moved:
        # Recorded again with the change time it has now, when its bytes are still the recorded ones.
        again = _rehashed(root + rel, files[rel], stat)
        if again is not None:
            intact[rel] = again
    kept = {name: part for name, part in parts.items()
            if isinstance(part, list) and len(part) == 2 and isinstance(part[1], list)
            and all(isinstance(path, str) and path in intact for path in part[1])}
    return intact, kept, held


def _look_at_folder(root: str, folder: str, vouched: dict, unvouched: list[str]) -> bool:
    """Tell whether a folder of the output is a folder or is gone (False: a file or a link in its place), and
    add it to `unvouched` when its change time is not the one `vouched` records."""
    try:
        stat = os.lstat(root + folder)
    except OSError:
        return True             # removed with its files, which are written again
    if not S_ISDIR(stat.st_mode):
        return False
    if vouched.get(folder) != stat.st_ctime_ns:
        unvouched.append(folder)
    return True


def read_back(out_dir: Path, hashes: dict[str, str]) -> dict[str, list]:
    """Return [hash, size, time, change time] of each file `hashes` names whose bytes have its hash now (the
    others are left out): the files a build just wrote, checked after the file system's clock was taken, so
    that a change before this is seen in the bytes and one after it moves the change time recorded here."""
    root, records = str(out_dir) + "/", {}
    for rel, digest in hashes.items():
        try:
            stat = os.lstat(root + rel) if inside_output(rel) else None
        except OSError:
            continue
        again = _rehashed(root + rel, [digest, stat.st_size, stat.st_mtime_ns, -1], stat) if stat else None
        if again is not None:
            records[rel] = again
    return records


def _rehashed(path: str, recorded: list, stat: os.stat_result) -> list | None:
    """Return a file's record with its present change time when its type, size, modification time and bytes
    are the recorded ones (only its change time moved: see the module's docstring), else None."""
    if not S_ISREG(stat.st_mode) or recorded[1] != stat.st_size or recorded[2] != stat.st_mtime_ns:
        return None
    try:
        # Never through a link, nor blocked on a pipe put in its place since the lstat.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        now = os.fstat(descriptor)
        if not S_ISREG(now.st_mode) or now.st_ino != stat.st_ino or now.st_size != stat.st_size:
            return None
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            data = handle.read(stat.st_size + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    if len(data) != stat.st_size or file_digest(data) != recorded[0]:
        return None
    return [recorded[0], stat.st_size, stat.st_mtime_ns, now.st_ctime_ns]


def file_digest(data: bytes) -> str:
    """Return the hash by which the manifest knows a file's bytes (write/staging.content_digest makes it: the
    rooms do not import each other, and tests/test_incremental_hand_edits.py checks that the two agree)."""
    return hashlib.blake2b(data, digest_size=32).hexdigest()


def _recorded(value: object) -> bool:
    """Tell whether a manifest's record of a file has its shape: [hash, size, time, change time]."""
    return isinstance(value, list) and len(value) == 4 and isinstance(value[0], str) \
        and isinstance(value[1], int) and isinstance(value[2], int) and isinstance(value[3], int)


def inside_output(rel: object) -> bool:
    """Tell whether a name from a manifest is a plain relative path that stays inside the output folder:
    folders and a name joined by '/', none of them empty, '.' or '..', no backslash or NUL."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel:
        return False
    # An empty part shows as '//' once the name is framed by slashes: one search each, not a split.
    framed = f"/{rel}/"
    return "//" not in framed and "/./" not in framed and "/../" not in framed
