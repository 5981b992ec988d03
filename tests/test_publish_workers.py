"""Publishing on every core (issue 12): the datasets' files written by forked processes are the
files a serial build writes, byte for byte, and a process that fails fails the build."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from govdata.publish import builder, datasets, releases, workers
from govdata.publish.builder import build, current_build
from tests.conftest import copy_catalog

_BLANK_NODE = re.compile(rb"_:N[0-9a-f]{32}")  # rdflib names blank nodes at random in every build


def _hashes(live: Path) -> dict[str, str]:
    out = {}
    for path in sorted(p for folder in ("site", "downloads") for p in (live / folder).rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".jsonld":  # blank nodes named at random, the graph sorted by name: compare as a set
            graph = json.loads(_BLANK_NODE.sub(b"_:N", data)).get("@graph", [])
            data = "\n".join(sorted(json.dumps(node, sort_keys=True) for node in graph)).encode()
        out[str(path.relative_to(live))] = hashlib.sha256(data).hexdigest()
    return out


def _manifest(live: Path) -> dict:
    doc = json.loads((live / "manifest.json").read_text("utf-8"))
    doc.pop("built_at")
    # the build that made each dataset's files: this build's name, for each one it built
    assert set(doc.pop("made").values()) == {live.name}
    return doc


def test_a_build_in_processes_writes_the_bytes_of_a_serial_build(tmp_path, monkeypatch):
    root = copy_catalog(tmp_path / "repo")
    monkeypatch.setattr(releases, "_now", lambda: "2026-01-01T00:00:00Z")  # the one timestamp in the files
    called: list[int] = []
    publish_files = workers.publish_files

    def spy(publisher, todo, keys, copied, warehouse, n):
        called.append(n)
        entries = publish_files(publisher, todo, keys, copied, warehouse, n)
        assert len(entries) == len(todo) > 10
        return entries

    monkeypatch.setattr(workers, "publish_files", spy)
    lives = []
    for n in (1, 2):
        monkeypatch.setenv("GOVDATA_BUILD_PROCESSES", str(n))
        result = build(root, tmp_path / f"out{n}")
        assert result.report.ok
        lives.append(result.path)
    assert called == [2]  # the serial build did not fork; the other did, with two processes
    serial, parallel = (_hashes(live) for live in lives)
    assert len(serial) > 200 and any(name.endswith(".xlsx") for name in serial)
    assert parallel == serial
    assert _manifest(lives[1]) == _manifest(lives[0])


def test_a_failing_process_fails_the_build_and_the_live_build_stays(tmp_path, monkeypatch):
    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "xh-schools", "hz-budget-2025", "hz-shuanggongshi"])
    out = tmp_path / "out"
    good = build(root, out).path
    files = datasets.Publisher.files

    def failing(self, ds, key, rows, copied):
        if ds.name == "hz-budget-2025":
            raise OSError(28, "No space left on device")  # in the worker process
        return files(self, ds, key, rows, copied)

    monkeypatch.setattr(datasets.Publisher, "files", failing)
    monkeypatch.setenv("GOVDATA_BUILD_PROCESSES", "2")
    with pytest.raises(Exception, match="No space left"):
        build(root, out, force=True)
    assert current_build(out) == good.resolve()
    assert builder.manifest(good)["datasets"]  # the good build is whole


def test_processes_follow_the_number_of_changed_datasets(monkeypatch):
    monkeypatch.delenv("GOVDATA_BUILD_PROCESSES", raising=False)
    assert workers.processes(1) == 1
    assert workers.processes(workers.PARALLEL_PUBLISH - 1) == 1
    monkeypatch.setenv("GOVDATA_BUILD_PROCESSES", "3")
    assert workers.processes(1) == 3
