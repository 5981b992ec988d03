"""The directory stage of a build at scale, alone: every catalogue-level document of N datasets
written from nothing, then again after one record changed (pieces copied from the first).

    python -m benchmarks.directory_scale --root /tmp/govdata-many/n10000 [--out /tmp/dirscale]

``--root`` is a generated catalogue (``benchmarks.many``); each dataset's record is made from its
descriptor with the exports and rows of one published school directory (no data is built), so the
figures are those of the documents alone: load (parse cache warm after the first), records,
directory documents, Datasette's metadata, the CKAN directory.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any


def main() -> None:
    from govdata.catalog.loader import load, parse_cache
    from govdata.directory.fragments import Fragments
    from govdata.directory.record import build_record
    from govdata.publish import outputs
    from govdata.publish.incremental import catalog_key
    from govdata.publish.steps import Plan
    from govdata.verdicts import VerdictCache

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("/tmp/govdata-dirscale"))
    ap.add_argument(
        "--again", action="store_true", help="only one changed record against the newest pass kept in --out"
    )
    ap.add_argument("--once", action="store_true", help="only the first pass (every document written, into --out/one)")
    args = ap.parse_args()
    if args.out.exists() and not args.again:
        shutil.rmtree(args.out)
    result: dict[str, Any] = {}
    for attempt in ("first",) if args.once else ("first", "again"):
        t, cpu = time.perf_counter(), time.process_time()
        catalog, _ = load(args.root, cache=VerdictCache.under(args.out / "cache"))
        result[f"load_{attempt}_s"] = round(time.perf_counter() - t, 2)
        result[f"load_{attempt}_cpu_s"] = round(time.process_time() - cpu, 2)
        result[f"parsed_{attempt}"] = parse_cache(catalog.verdicts).parsed
    exports = {
        "schools": {
            fmt: {"file": f"schools.{ext}", "bytes": 17080, "hash": "sha256:" + "ab" * 32, "mediatype": media}
            for fmt, ext, media in (
                ("csv", "csv", "text/csv"),
                ("parquet", "parquet", "application/vnd.apache.parquet"),
                ("excel-csv", "excel.csv", "text/csv"),
            )
        }
    }
    release = {"id": "1.0.0", "date": "2026-12-02T00:00:00Z", "url": "", "files": [], "latest": True}

    def records() -> list[Any]:
        out = []
        for ds in catalog.datasets:
            rec = build_record(catalog, ds, exports if ds.name.startswith("xh-") else {}, {"schools": 120})
            rec.releases = [{**release, "url": f"{rec.landing_page}/releases/1.0.0/"}]
            out.append(rec)
        return out

    def write(name: str, previous: Path | None, changed: set[str]) -> tuple[float, dict[str, int]]:
        staging = args.out / name
        if staging.exists():
            shutil.rmtree(staging)
        recs = records()
        reuse = {r.id for r in recs} - changed
        for rec in recs:  # a reused dataset's own DCAT-AP and schema.org come with its downloads
            if rec.id in reuse:
                (staging / "downloads" / rec.id).mkdir(parents=True)
                for file in ("dcat-ap.jsonld", "schema-org.json"):
                    (staging / "downloads" / rec.id / file).write_text("{}")
        t, cpu = time.perf_counter(), time.process_time()
        pieces = Fragments(staging, previous, catalog_key(catalog))
        keys = {ds.name: ds.name for ds in catalog.datasets}
        plan = Plan(args.root, staging, staging / "work", keys, reuse, None, {}, {}, None, pieces)
        for rec in recs:
            pieces.put("datapackage", rec, json.dumps({"name": rec.id}), rec.id)
        from govdata.directory import ckan
        from govdata.publish import site as site_mod

        outputs.write_directory(plan, catalog, recs)
        pieces.write(staging / "directory" / "ckan.json", ckan.directory_text(catalog, recs, plan.piece))
        published = {r.id: ["schools"] for r in recs if r.distributions}
        by_id = {r.id: r for r in recs}
        pieces.write(
            staging / "site" / "metadata.json",
            site_mod.metadata_text(
                catalog, catalog.datasets, published, {}, lambda ds, render: plan.piece("m", by_id[ds.name], render)
            ),
        )
        pieces.save()
        result[f"{name}_cpu_s"] = round(time.process_time() - cpu, 2)
        return round(time.perf_counter() - t, 2), dict(pieces.rendered)

    result["datasets"] = len(catalog.datasets)
    if args.again:  # one changed record against the kept third pass
        ds = catalog.datasets[len(catalog.datasets) // 3]
        ds.descriptor["title"] += "*"
        kept = max((p for p in args.out.iterdir() if (p / "pieces.marshal").is_file()), key=lambda p: p.stat().st_mtime)
        name = "five" if kept.name == "four" else "four"
        result["one_changed_s"], result["one_changed_rendered"] = write(name, kept, {ds.name})
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    everything = {ds.name for ds in catalog.datasets}
    result["all_rendered_s"], rendered = write("one", None, everything)
    result["all_rendered"] = sum(rendered.values())
    if args.once:  # the documents of N datasets, for serving them (benchmarks.many --fake --directory)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    result["unchanged_s"], rendered = write("two", args.out / "one", set())
    result["unchanged_rendered"] = sum(rendered.values())
    ds = catalog.datasets[len(catalog.datasets) // 2]
    ds.descriptor["title"] += "*"
    result["one_changed_s"], rendered = write("three", args.out / "two", {ds.name})
    result["one_changed_rendered"] = rendered
    result["bytes"] = {
        p.name: p.stat().st_size for p in sorted((args.out / "three" / "directory").iterdir()) if p.is_file()
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
