"""A failing build never replaces the live build."""

from __future__ import annotations

import httpx
import pytest

from govdata.publish.builder import build, current_build
from govdata.errors import BuildError
from tests.conftest import copy_catalog, wait_until


def test_failed_build_leaves_previous_build_serving(tmp_path, server_factory):
    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "zj-holiday-calendar"])
    out = root / "_build"
    first = build(root, out).path
    base = server_factory(root, out)
    assert httpx.get(f"{base}/zj-admin-divisions/divisions.json?_shape=array&_size=1").status_code == 200

    descriptor = root / "datasets/zj-gov/zj-admin-divisions/datapackage.yaml"
    descriptor.write_text(
        descriptor.read_text(encoding="utf-8").replace("pattern: '^\\d{6}$'", "pattern: '^\\d{5}$'", 1),
        encoding="utf-8",
    )
    with pytest.raises(BuildError):
        build(root, out)
    assert current_build(out) == first.resolve()
    # the running server still serves the good build, and a restarted one serves it too
    assert httpx.get(f"{base}/zj-admin-divisions/divisions.json?_shape=array&_size=1").status_code == 200
    base2 = server_factory(root, out)
    rows = httpx.get(f"{base2}/zj-admin-divisions/divisions.json?_shape=array&code=330106").json()
    assert rows[0]["name"] == "西湖区"
    failed = [p for p in (out / "builds").iterdir() if (p / "FAILED").exists()]
    assert len(failed) == 1 and (failed[0] / "report.json").is_file()


def test_failed_builds_never_push_out_complete_ones(tmp_path):
    """Pruning keeps the live build and the build in progress, the newest complete builds up to
    KEEP_BUILDS, the newest failed build (its report); an abandoned folder older than a complete
    build goes."""
    from govdata.publish.builder import KEEP_BUILDS, _prune

    builds = tmp_path / "builds"
    made = {}
    for name, kind in [
        ("01", "complete"),
        ("02", "complete"),
        ("03", "abandoned"),
        ("04", "complete"),
        ("05", "failed"),
        ("06", "failed"),
        ("07", "complete"),
        ("08", "failed"),
        ("09", "new"),
    ]:
        (builds / name).mkdir(parents=True)
        if kind == "complete":
            (builds / name / "manifest.json").write_text("{}")
        elif kind == "failed":
            (builds / name / "FAILED").write_text("x")
        made[name] = kind
    live, staging = builds / "04", builds / "09"  # the live build need not be the newest complete one
    _prune(tmp_path, [live, staging])
    left = sorted(p.name for p in builds.iterdir())
    assert KEEP_BUILDS == 3
    assert left == ["04", "07", "08", "09"]  # live, one more complete, newest failed, in progress
    (builds / "09" / "manifest.json").write_text("{}")  # the new build succeeded and went live
    _prune(tmp_path, [staging])
    assert sorted(p.name for p in builds.iterdir()) == ["04", "07", "08", "09"]


def test_the_arrow_producer_stops_when_sqlite_stops_reading():
    """A failed SQLite ingest (the consumer) must not leave the DuckDB producer thread blocked."""
    import threading

    import duckdb

    from govdata.publish.sqlite import _prefetched

    class Counted:  # the DuckDB reader, counting the batches the producer pulled from it
        def __init__(self, reader):
            self.reader, self.schema, self.pulled = reader, reader.schema, 0

        def __iter__(self):
            for batch in self.reader:
                self.pulled += 1
                yield batch

    def producing() -> bool:
        return any(t.name == "govdata-arrow" for t in threading.enumerate())

    source = Counted(duckdb.sql("SELECT range AS i FROM range(2000000)").to_arrow_reader(1000))
    reader, stop = _prefetched(source, depth=2)
    next(iter(reader))  # SQLite read one batch, then failed
    # one batch consumed, two queued, one in the producer's hand: it is blocked on the full queue
    assert wait_until(lambda: source.pulled == 4)
    assert producing() and source.pulled == 4
    stop()
    assert wait_until(lambda: not producing()), "the producer thread outlived stop()"
    assert source.pulled == 4
