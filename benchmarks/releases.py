"""What releases cost a build (issue 16), in one run:

    python -m benchmarks.releases --rows 1000000 [--repeat 3]

A catalogue of two datasets of ``--rows`` synthetic penalty records (benchmarks/generate.py,
primary key ``id``). Per repeat, in a fresh output folder: build version 1.0.0 of both (untimed),
then change the ``fine_amount`` of 1% of the rows of one dataset (every 100th id), bump it to 1.0.1
and build again, timed. Inside that build the release step of each dataset (store, consecutive
diff, history view, feed) is timed on its own; the other dataset is unchanged and reused.

Prints and writes ``benchmarks/results/releases-<rows>.json``: the build, the release step, the
row diff and the packing of the superseded release (medians), the ratio release step / rest of
the build of the changed dataset, the time the unchanged dataset's releases took, the bytes the
second release added to the store (files of the store that are not hard links of the live
build's exports), and the download of the superseded release's CSV and Parquet from a running
``govdata serve`` (reconstructed and checked on the fly) against the latest release's, interleaved.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import httpx
import yaml

from benchmarks.generate import generate
from benchmarks.run import BIN, REPO, _catalogue, free_port, wait_up

CHANGED, UNCHANGED = "bench-changed", "bench-unchanged"


def _second_version(csv1: Path, rows: int) -> Path:
    """The same file with the amount of every 100th row changed (text otherwise unchanged)."""
    import duckdb

    csv2 = csv1.with_name(f"penalties-{rows}-v2.csv")
    if not csv2.exists():
        duckdb.connect().execute(f"""COPY (SELECT * REPLACE (CASE WHEN CAST(id AS BIGINT) % 100 = 0
                THEN CAST(CAST(fine_amount AS DOUBLE) + 1 AS VARCHAR) ELSE fine_amount END AS fine_amount)
            FROM read_csv('{csv1}', all_varchar = true, header = true)) TO '{csv2}' (FORMAT csv, HEADER true)""")
    return csv2


def _objects(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (out / "releases" / "objects").rglob("*") if p.is_file()}


def _own_bytes(out: Path) -> int:
    """Bytes of the store that are not hard links of the live build's exports (what the store
    costs beyond the downloads the build serves anyway)."""
    live = (out / "current").resolve() / "downloads"
    shared = {(st.st_dev, st.st_ino) for p in live.glob("*/*") if p.is_file() for st in [p.stat()]}
    return sum(
        st.st_size
        for p in (out / "releases").rglob("*")
        if p.is_file()
        for st in [p.stat()]
        if (st.st_dev, st.st_ino) not in shared
    )


def _downloads(out: Path, root: Path, files: dict[str, dict], rounds: int = 3) -> dict[str, float]:
    """Seconds to download each release file (``label`` → manifest entry with ``url``) from a
    running ``govdata serve``, checked against its sha256; the median of ``rounds`` interleaved."""
    port = free_port()
    cmd = [str(BIN / "govdata"), "serve", "--root", str(root), "--out", str(out), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    times: dict[str, list[float]] = {k: [] for k in files}
    try:
        wait_up(f"http://127.0.0.1:{port}/", proc, timeout=180)
        with httpx.Client(timeout=600) as client:
            for _ in range(rounds):
                for label, f in files.items():
                    digest = hashlib.sha256()
                    t = time.perf_counter()
                    with client.stream("GET", f"http://127.0.0.1:{port}{f['url']}") as r:
                        assert r.status_code == 200, (label, r.status_code)
                        for chunk in r.iter_bytes(1 << 20):
                            digest.update(chunk)
                    times[label].append(time.perf_counter() - t)
                    assert digest.hexdigest() == f["sha256"], label
    finally:
        proc.kill()
        proc.wait()
    return {k: statistics.median(v) for k, v in times.items()}


def one_run(work: Path, csv1: Path, csv2: Path, schema: dict) -> dict:
    from govdata.publish import builder, releases

    root, out = work / "catalogue", work / "out"
    shutil.rmtree(out, ignore_errors=True)
    _catalogue(root, {CHANGED: (csv1, schema), UNCHANGED: (csv1, schema)})
    builder.build(root, out)
    before, own_before = _objects(out), _own_bytes(out)
    data = root / "datasets" / "hz-amr" / CHANGED / "data" / "items.csv"
    data.unlink()
    data.hardlink_to(csv2)
    desc = root / "datasets" / "hz-amr" / CHANGED / "datapackage.yaml"
    d = yaml.safe_load(desc.read_text("utf-8"))
    d["version"] = "1.0.1"
    desc.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")

    spent: dict[str, float] = {}
    diff_s: list[float] = []
    pack_s: list[float] = []
    record, diff, supersede = releases.Releases.record, releases.Releases._diff, releases.Releases._supersede

    def timed_record(self, ds, *a, **kw):
        t = time.perf_counter()
        try:
            return record(self, ds, *a, **kw)
        finally:
            spent[ds.name] = spent.get(ds.name, 0.0) + time.perf_counter() - t

    def timed_diff(self, *a, **kw):
        t = time.perf_counter()
        try:
            return diff(self, *a, **kw)
        finally:
            diff_s.append(time.perf_counter() - t)

    def timed_supersede(self, *a, **kw):
        t = time.perf_counter()
        try:
            return supersede(self, *a, **kw)
        finally:
            pack_s.append(time.perf_counter() - t)

    releases.Releases.record, releases.Releases._diff = timed_record, timed_diff
    releases.Releases._supersede = timed_supersede
    try:
        t = time.perf_counter()
        result = builder.build(root, out)
        build_s = time.perf_counter() - t
    finally:
        releases.Releases.record, releases.Releases._diff, releases.Releases._supersede = record, diff, supersede
    assert result.reused == [UNCHANGED], result.reused
    after = _objects(out)
    added = {k: v for k, v in after.items() if k not in before}
    own_after = _own_bytes(out)
    log = json.loads((out / "releases" / CHANGED / "log.json").read_text())
    manifest = json.loads((out / "releases" / CHANGED / log[-1] / "release.json").read_text())
    d = json.loads((out / "releases" / CHANGED / log[-1] / "diff.json").read_text())
    kinds = {f["sha256"]: f["format"] for f in manifest["files"]}
    kinds.update({r["sha256"]: "row diff csv" for r in d["rows"].values()})
    v1 = json.loads((out / "releases" / CHANGED / log[0] / "release.json").read_text())
    kinds.update({f"{f['sha256']}.zst": f"superseded {f['format']} (packed)" for f in v1["files"]})
    kinds.update({f"{f['sha256']}.pack.json": "pack metadata" for f in v1["files"]})
    files = {
        f"{label} {f['format']}": {**f, "url": f"/downloads/{CHANGED}/releases/{m['release']}/{f['path']}"}
        for label, m in (("superseded", v1), ("latest", manifest))
        for f in m["files"]
        if f["format"] in ("csv", "parquet")
    }
    return {
        "build_s": build_s,
        "release_s": spent.get(CHANGED, 0.0),
        "diff_s": sum(diff_s),
        "pack_s": sum(pack_s),
        "store_own_bytes": {"after_first": own_before, "after_second": own_after},
        "download_s": _downloads(out, root, files),
        "file_bytes": {k: f["bytes"] for k, f in files.items()},
        "unchanged_release_s": spent.get(UNCHANGED, 0.0),
        "releases": log,
        "rows": {
            k: d["rows"]["penalties" if "penalties" in d["rows"] else next(iter(d["rows"]))][k]
            for k in ("added", "removed", "changed")
        },
        "second_release_bytes": {kinds.get(k, "other"): v for k, v in added.items()},
        "first_release_bytes": {f["format"]: f["bytes"] for f in v1["files"]},
        "parquet_v1_sha256": next(f["sha256"] for f in v1["files"] if f["format"] == "parquet"),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = REPO / "benchmarks" / "data" / "releases"
    work.mkdir(parents=True, exist_ok=True)
    csv1, schema_path = generate(args.rows, REPO / "benchmarks" / "data")
    csv2 = _second_version(csv1, args.rows)
    schema = json.loads(schema_path.read_text("utf-8"))
    runs = []
    for i in range(args.repeat):
        runs.append(one_run(work, csv1, csv2, schema))
        r = runs[-1]
        print(
            f"run {i + 1}: build {r['build_s']:.2f}s, release step {r['release_s']:.2f}s "
            f"(row diff {r['diff_s']:.2f}s, packing {r['pack_s']:.2f}s), unchanged dataset "
            f"{r['unchanged_release_s']:.3f}s, rows {r['rows']}, store {r['store_own_bytes']}, "
            f"downloads {r['download_s']}"
        )
    keys = ("build_s", "release_s", "diff_s", "pack_s", "unchanged_release_s")
    med = {k: statistics.median(r[k] for r in runs) for k in keys}
    rest = med["build_s"] - med["release_s"]
    download = {k: statistics.median(r["download_s"][k] for r in runs) for k in runs[-1]["download_s"]}
    sizes = runs[-1]["file_bytes"]
    summary = {
        "rows": args.rows,
        "repeat": args.repeat,
        "median": med,
        "ratio_release_to_rest_of_build": med["release_s"] / rest,
        "ratio_limit": 0.5,
        "store_own_bytes_added_by_second_release": runs[-1]["store_own_bytes"]["after_second"]
        - runs[-1]["store_own_bytes"]["after_first"],
        "store_own_bytes": runs[-1]["store_own_bytes"],
        "download_s": download,
        "download_mb_per_s": {k: sizes[k] / download[k] / 1e6 for k in download},
        "second_release_bytes": runs[-1]["second_release_bytes"],
        "first_release_bytes": runs[-1]["first_release_bytes"],
        "parquet_deterministic": len({r["parquet_v1_sha256"] for r in runs}) == 1,
        "csv_sha256": hashlib.sha256(csv1.read_bytes()).hexdigest(),
        "runs": runs,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=1))
    out = REPO / "benchmarks" / "results" / f"releases-{args.rows}.json"
    out.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(f"written {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
