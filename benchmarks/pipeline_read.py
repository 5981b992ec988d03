"""The gate on a pipeline that reads a committed file (what ``govdata new`` writes for Chinese dates
and thousands separators), cold, against the same data as a plain ISO-form CSV in the same run,
and with ``--baseline`` another checkout's code on the same pipeline, interleaved:

    python -m benchmarks.pipeline_read --rows 100000,1000000 --baseline /work/base/src --output pipeline-read.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
from pathlib import Path

import yaml

from benchmarks.generate import SCHEMA, generate
from benchmarks.run import REPO, _descriptor, _interleaved

PIPELINE = """title: 规范化（基准）
steps:
  - {step: read_csv, path: data/items.csv}
  - {step: normalize_chinese_dates, fields: [decision_date]}
  - {step: strip_thousands_separators, fields: [fine_amount]}
"""


def chinese_forms(src: Path, dst: Path) -> Path:
    """The ISO file with its dates as 2020年3月5日 and its amounts with thousands separators."""
    if dst.exists():
        return dst
    with src.open(encoding="utf-8", newline="") as fh, dst.open("w", encoding="utf-8", newline="") as out:
        reader, writer = csv.reader(fh), csv.writer(out, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        d, a = header.index("decision_date"), header.index("fine_amount")
        for row in reader:
            y, m, day = row[d].split("-")
            row[d] = f"{y}年{int(m)}月{int(day)}日"
            row[a] = f"{float(row[a]):,.2f}"
            writer.writerow(row)
    return dst


def catalogue(root: Path, data: Path, pipeline: bool) -> Path:
    if root.exists():
        shutil.rmtree(root)
    ds = root / "datasets" / "hz-amr" / "bench-pipeline"
    (ds / "data").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "pipelines").mkdir()
    shutil.copy(REPO / "catalog.yaml", root / "catalog.yaml")
    os.link(data, ds / "data" / "items.csv")
    descriptor = _descriptor("bench-pipeline", "data/items.csv", SCHEMA)
    if pipeline:
        (root / "pipelines" / "bench-pipeline.yaml").write_text(PIPELINE, encoding="utf-8")
        res = descriptor["resources"][0]
        res.pop("path")
        res["pipeline"] = "bench-pipeline"
    (ds / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, allow_unicode=True, sort_keys=False), "utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=lambda v: [int(x) for x in v.split(",")], default=[100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default="", help="another checkout's src/ folder")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "data")
    parser.add_argument("--output", default="", help="file name under benchmarks/results/")
    args = parser.parse_args()
    work = args.work / "pipeline-read"
    work.mkdir(parents=True, exist_ok=True)
    cold = dict(os.environ, GOVDATA_NO_CACHE="1")
    results: dict[str, dict] = {}
    for rows in args.rows:
        iso, _ = generate(rows, args.work)
        forms = chinese_forms(iso, work / f"forms-{rows}.csv")
        piped = catalogue(work / f"piped-{rows}", forms, True)
        plain = catalogue(work / f"plain-{rows}", iso, False)
        check = [sys.executable, "-m", "govdata", "check", "--format", "json", "--root"]
        runners = {"pipeline": (check + [str(piped)], cold, None)}
        if args.baseline:
            runners["pipeline (baseline)"] = (check + [str(piped)], dict(cold, PYTHONPATH=args.baseline), None)
        runners["plain ISO file"] = (check + [str(plain)], cold, None)
        res = _interleaved(runners, args.repeat)
        results[f"{rows:,} rows"] = res
        print(
            f"{rows:,} rows: "
            + "  ".join(
                f"{k} {v['seconds']:.2f} s (CPU {v['cpu_seconds']:.2f} s; runs {v['runs']})" for k, v in res.items()
            ),
            flush=True,
        )
    if args.output:
        (REPO / "benchmarks" / "results" / args.output).write_text(
            json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
