"""A check's work folder without tempfile (govdata/workdir.py): where tempfile would make it,
private, and removed with what it holds."""

from __future__ import annotations

import os
import stat

from govdata import workdir


def test_a_work_folder_is_private_under_tmpdir_and_removed_with_its_contents(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(workdir, "_tempdir", None)
    empty, full = workdir.WorkDir("govdata-check-"), workdir.WorkDir("govdata-check-")
    assert empty.name != full.name
    for folder in (empty.name, full.name):
        assert os.path.dirname(folder) == str(tmp_path) and os.path.basename(folder).startswith("govdata-check-")
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    os.mkdir(os.path.join(empty.name, "duckdb-spill"))  # what a small check leaves: empty folders
    os.makedirs(os.path.join(full.name, "duckdb-spill", "deep"))
    with open(os.path.join(full.name, "duckdb-spill", "deep", "x.tmp"), "w") as fh:
        fh.write("spilled")
    os.symlink(tmp_path, os.path.join(full.name, "link"))  # removed, not followed
    empty.cleanup()
    full.cleanup()
    full.cleanup()  # twice: nothing left to remove
    assert sorted(os.listdir(tmp_path)) == []


def test_an_unusable_tmpdir_is_skipped_as_tempfile_skips_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "no-such-folder"))
    monkeypatch.setattr(workdir, "_tempdir", None)
    folder = workdir.WorkDir("govdata-x-")
    try:
        assert os.path.isdir(folder.name) and not folder.name.startswith(str(tmp_path))
    finally:
        folder.cleanup()
    assert not os.path.exists(folder.name)
