"""The csv field size limit is held by readers and given back (no process-wide leftover)."""

from __future__ import annotations

import csv
import io
import threading

import pytest

from govdata.csvlimit import field_size_limit, in_force


def test_limit_is_held_nested_and_restored():
    before = in_force()
    with field_size_limit(1 << 30):
        assert in_force() == 1 << 30
        with field_size_limit(100_001):
            assert in_force() == 100_001
            with pytest.raises(csv.Error, match="field larger"):
                next(csv.reader(io.StringIO("x" * 100_002)))
        assert in_force() == 1 << 30
        assert next(csv.reader(io.StringIO("x" * 200_000))) == ["x" * 200_000]
    assert in_force() == before


def test_overlapping_holders_in_threads_keep_the_limit_until_the_last_leaves():
    before = in_force()
    entered, release = threading.Barrier(2), threading.Event()

    def hold():
        with field_size_limit(100_001):
            entered.wait()
            release.wait(10)

    other = threading.Thread(target=hold)
    other.start()
    with field_size_limit(100_001):
        entered.wait()
    assert in_force() == 100_001  # the other thread still reads under it
    release.set()
    other.join()
    assert in_force() == before


def test_the_gate_and_the_scaffold_leave_the_limit_as_they_found_it(tmp_path):
    from govdata.checks.source import prepare

    before = in_force()
    source = tmp_path / "x.csv"
    source.write_text("id,name\n1," + "长" * 120_000 + "\n", encoding="utf-8")
    prep = prepare(source, tmp_path, {"name": "x", "path": "x.csv", "schema": {"fields": []}}, [], {"file": "x.csv"})
    assert any(f.code == "cell-too-large" for f in prep.findings)
    assert in_force() == before
