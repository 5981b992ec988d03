"""CKAN ``package_search`` with Solr syntax (serve/ckanquery.py) against a baseline tree, in-process,
on a generated catalogue of N datasets; interleaved runs, CPU beside wall seconds.

    python -m benchmarks.ckanquery --datasets 10000 --baseline /path/to/other/src [--repeat 3]

Each run is a subprocess (``--worker``) that loads the catalogue index and the CKAN directory of
the build and times every query ``--iterations`` times (after one warm-up call). The baseline's
answers to Solr forms it did not understand are printed beside (their count was 0).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUERIES = {
    "plain q": {"q": "行政处罚"},
    "fq field": {"fq": "organization:zj-gov"},
    "fq negated": {"fq": "-level:county"},
    "harvest range": {"fq": "metadata_modified:[2020-01-01T00:00:00Z TO *]", "sort": "id asc"},
    "fq OR": {"fq": "license_id:CC-BY-4.0 OR license_id:CC0-1.0"},
    "q OR/NOT": {"q": "(处罚 OR 预算) AND NOT 杭州"},
    "q title:": {"q": "title:行政处罚"},
    "prefix": {"fq": "name:gen-01*"},
    "25-term OR": {"q": " OR ".join(["处罚", "预算", "学校", "空气", "公开"] * 5)},
}


def worker(build: Path, iterations: int) -> dict:
    from govdata.serve.catalogsearch import CatalogueIndex
    from govdata.serve.ckan import ACTIONS, Directory

    index = CatalogueIndex(json.loads((build / "directory" / "portal.json").read_text("utf-8")))
    directory = Directory.load(build, index)
    out = {}
    for name, params in QUERIES.items():
        try:
            count = ACTIONS["package_search"](directory, dict(params, rows=10))["count"]
        except Exception as exc:  # noqa: BLE001 - the answer (a Search Error) is reported, not timed
            out[name] = {"error": type(exc).__name__}
            continue
        index._term_cache.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(iterations):
            ACTIONS["package_search"](directory, dict(params, rows=10))
        out[name] = {
            "count": count,
            "wall_ms": round((time.perf_counter() - wall) * 1000 / iterations, 3),
            "cpu_ms": round((time.process_time() - cpu) * 1000 / iterations, 3),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=int, default=10_000)
    ap.add_argument("--baseline", type=Path, help="another tree's src/ to compare with")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.iterations)))
        return
    from benchmarks.search import DATA, _synthetic_catalogue

    build = DATA / f"ckanquery-{args.datasets}"
    if not (build / "directory" / "ckan.json").is_file():
        _synthetic_catalogue(args.datasets, build)
    trees = {"this": str(Path(__file__).resolve().parents[1] / "src")}
    if args.baseline:
        trees["baseline"] = str(args.baseline.resolve())
    runs: dict[str, list[dict]] = {t: [] for t in trees}
    for _ in range(args.repeat):
        for tree, src in trees.items():
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, str(Path(__file__).resolve().parents[1])]))
            cmd = [sys.executable, "-m", "benchmarks.ckanquery", "--worker", str(build)]
            text = subprocess.run(
                [*cmd, "--iterations", str(args.iterations)], env=env, check=True, capture_output=True
            )
            runs[tree].append(json.loads(text.stdout))
    print(f"{args.datasets} datasets, {args.repeat} runs × {args.iterations} calls; median ms per call (wall / CPU)")
    for name in QUERIES:
        cells = []
        for tree in trees:
            got = [r[name] for r in runs[tree]]
            if "error" in got[0]:
                cells.append(f"{tree}: {got[0]['error']}")
                continue
            wall = statistics.median(g["wall_ms"] for g in got)
            cpu = statistics.median(g["cpu_ms"] for g in got)
            cells.append(f"{tree}: {wall:.2f} / {cpu:.2f} ms, count {got[0]['count']}")
        print(f"{name:14} " + " | ".join(cells))


if __name__ == "__main__":
    main()
