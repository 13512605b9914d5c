"""write/new_files.py: a new file never replaces anything, a link included; a script is swapped in whole."""

from __future__ import annotations

import os
import stat

import pytest

from generator.write.new_files import create_new_file, replace_script


def test_a_new_file_is_written_as_given(tmp_path):
    path = tmp_path / "notices" / "a.md"
    create_new_file(path, "línea\nline\n")
    assert path.read_bytes() == "línea\nline\n".encode("utf-8")


@pytest.mark.parametrize("there", ["file", "link to nothing", "link to a file"])
def test_a_new_file_replaces_nothing(tmp_path, there):
    path, target = tmp_path / "a.md", tmp_path / "elsewhere.md"
    if there == "file":
        path.write_text("mine", encoding="utf-8")
    else:
        if there == "link to a file":
            target.write_text("mine", encoding="utf-8")
        path.symlink_to(target)
    with pytest.raises(FileExistsError):
        create_new_file(path, "theirs")
    assert (path if there == "file" else target).exists() == (there != "link to nothing")
    if there != "link to nothing":
        assert (path if there == "file" else target).read_text(encoding="utf-8") == "mine"


def test_a_script_is_replaced_whole_and_executable(tmp_path):
    path = tmp_path / "hooks" / "pre-commit"
    replace_script(path, "#!/bin/sh\nexit 0\n")
    path.chmod(0o600)
    replace_script(path, "#!/bin/sh\nexit 1\n")
    assert path.read_text(encoding="utf-8") == "#!/bin/sh\nexit 1\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert os.listdir(path.parent) == ["pre-commit"]     # no temporary file left beside it
