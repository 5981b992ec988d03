"""One command, one run: the platform against the obvious alternatives on the same file.

    python -m benchmarks.run --rows 1000000 [--repeat 3] [--serve-seconds 15] [--skip frictionless,...]

Steps (each a subprocess, wall time and peak RSS measured with wait4):
  floor    wc -l; DuckDB's own typed CSV load into a table
  validate govdata check  vs  frictionless validate --schema
  load     govdata build (validate, warehouse, Parquet, CSV, SQLite with indexes)  vs  sqlite-utils insert --csv
  serve    govdata serve  vs  default `datasette serve --immutable` on the same SQLite file:
           8 concurrent clients on loopback, table page JSON and an indexed filter; req/s, p50, p99
Prints a table of medians and ratios and writes benchmarks/results/<rows>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
import yaml


REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def measure(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit code) of a command."""
    import tempfile

    with tempfile.TemporaryFile() as sink:  # frictionless exits 1 when stdout is /dev/null
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def median_run(cmd, repeat, cwd=None, env=None, ok_codes=(0,)) -> dict:
    walls, rss = [], []
    for _ in range(repeat):
        wall, peak, code = measure(cmd, cwd, env)
        if code not in ok_codes:
            raise SystemExit(f"{' '.join(map(str, cmd))} exited {code}")
        walls.append(wall)
        rss.append(peak)
    return {"seconds": statistics.median(walls), "runs": walls, "peak_rss_mb": max(rss)}


def make_catalogue(root: Path, csv_path: Path, schema_path: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(REPO / "catalog.yaml", root / "catalog.yaml")
    (root / "schemas").mkdir()
    (root / "pipelines").mkdir()
    ds = root / "datasets" / "hz-amr" / "bench-penalties"
    (ds / "data").mkdir(parents=True)
    try:
        os.link(csv_path, ds / "data" / "penalties.csv")
    except OSError:
        shutil.copy(csv_path, ds / "data" / "penalties.csv")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    descriptor = _descriptor("bench-penalties", "data/penalties.csv", schema)
    descriptor["resources"] = [{"name": "penalties", "path": "data/penalties.csv", "schema": schema,
                                "filterable": ["region_code", "category"], "facets": ["category"]}]
    (ds / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


DUCKDB_FLOOR = """
import duckdb, json, sys
schema = json.load(open(sys.argv[2]))
types = {"integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "string": "VARCHAR"}
cols = "{" + ", ".join(f"'{f['name']}': '{types[f['type']]}'" for f in schema["fields"]) + "}"
con = duckdb.connect(sys.argv[3])
con.execute(f"CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('{sys.argv[1]}', columns={cols}, header=true)")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[:500]}")
        time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One keep-alive HTTP/1.1 GET on an open connection; returns the status code."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, chunked = None, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
        elif name.lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if length is not None:
        await reader.readexactly(length)
    elif chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def load(url: str, seconds: float, clients: int = 8) -> dict:
    """``clients`` concurrent keep-alive connections for ``seconds`` on one URL."""
    parsed = urllib.parse.urlsplit(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    return await load_many(f"{parsed.scheme}://{parsed.netloc}", [target], seconds, clients)


async def load_many(base: str, paths: list[str], seconds: float, clients: int = 8) -> dict:
    """``clients`` concurrent keep-alive connections for ``seconds``, each cycling through ``paths``
    from its own offset; a lean client (raw asyncio streams) so that the load generator takes
    little of the CPU the server needs."""
    parsed = urllib.parse.urlsplit(base)
    requests = [(f"GET {p} HTTP/1.1\r\nHost: {parsed.netloc}\r\nAccept: application/json\r\n"
                 "Connection: keep-alive\r\n\r\n").encode() for p in paths]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
        try:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    if await _get(reader, writer, requests[k % len(requests)]) != 200:
                        errors += 1
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
                latencies.append(time.perf_counter() - t)
                k += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(i * 7) for i in range(clients)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
    return {"requests": len(latencies), "errors": errors, "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(pct(0.5), 1), "p99_ms": round(pct(0.99), 1)}


def serve_bench(root: Path, seconds: float) -> dict:
    build = (root / "_build" / "current").resolve()
    db = build / "site" / "bench-penalties.db"
    out = {}
    servers = {
        "govdata serve": [str(BIN / "govdata"), "serve", "--root", str(root), "--out", str(root / "_build")],
        "datasette default": [str(BIN / "datasette"), "serve", "--immutable", str(db)],
    }
    for name, cmd in servers.items():
        port = free_port()
        proc = subprocess.Popen(cmd + ["--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(f"{base}/-/versions.json", proc)
            for label, path in (("table page", "/bench-penalties/penalties.json"),
                                ("indexed filter", "/bench-penalties/penalties.json?region_code=330106")):
                httpx.get(base + path, timeout=120)  # warm up
                out[f"{name}: {label}"] = asyncio.run(load(base + path, seconds))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return out


def _descriptor(name: str, path: str, schema: dict) -> dict:
    return {
        "name": name, "title": "基准测试：行政处罚", "title_en": "Benchmark penalties",
        "description": "基准测试用的合成行政处罚数据（合成数据，仅供演示），由 benchmarks/generate.py 生成。",
        "version": "1.0.0", "publisher": "hz-amr", "themes": ["credit"], "keywords": ["基准"],
        "licenses": [{"name": "CC-BY-4.0"}], "open_condition": {"type": "unconditional"},
        "update_frequency": "daily", "issued": "2024-01-01", "modified": "2024-01-02",
        "contact": {"name": "法规处", "email": "fagui@amr.hz.example.gov.cn"},
        "review": {"reviewer": "基准", "date": "2024-01-01", "basis": "合成数据"},
        "resources": [{"name": "items", "path": path, "schema": schema}],
    }


def _catalogue(root: Path, datasets: dict[str, tuple[Path, dict]]) -> Path:
    """A catalogue of the given datasets: name -> (CSV, schema)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(REPO / "catalog.yaml", root / "catalog.yaml")
    (root / "schemas").mkdir()
    (root / "pipelines").mkdir()
    for name, (csv_path, schema) in datasets.items():
        ds = root / "datasets" / "hz-amr" / name
        (ds / "data").mkdir(parents=True)
        try:
            os.link(csv_path, ds / "data" / "items.csv")
        except OSError:
            shutil.copy(csv_path, ds / "data" / "items.csv")
        (ds / "datapackage.yaml").write_text(yaml.safe_dump(_descriptor(name, "data/items.csv", schema),
                                                            allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def _wide(work: Path, columns: int, rows: int) -> tuple[Path, dict]:
    """A valid wide file: an integer key, then integer, number and text columns in turn."""
    kinds = ["integer", "number", "string"]
    fields = [{"name": "id", "type": "integer"}] + [{"name": f"c{i}", "type": kinds[i % 3]} for i in range(1, columns)]
    path = work / f"wide-{columns}x{rows}.csv"
    cells = {"integer": lambda r, i: str(r * i), "number": lambda r, i: f"{r}.{i}", "string": lambda r, i: f"v{r}_{i}"}
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(f["name"] for f in fields) + "\n")
        for r in range(1, rows + 1):
            fh.write(",".join([str(r)] + [cells[f["type"]](r, i) for i, f in enumerate(fields[1:], start=1)]) + "\n")
    return path, {"fields": fields, "primaryKey": ["id"]}


def measure_cpu(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process and its children, exit code) of a command."""
    import tempfile

    with tempfile.TemporaryFile() as sink:  # frictionless exits 1 when stdout is /dev/null
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def _interleaved(runners: dict[str, tuple[list[str], dict, Path | None]], repeat: int) -> dict[str, dict]:
    """Each runner once per round, in turn, ``repeat`` rounds: medians of wall and CPU time (on a
    shared machine the load drifts from minute to minute; interleaving keeps the ratios fair)."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in runners}
    for _ in range(repeat):
        for name, (cmd, env, cwd) in runners.items():
            wall, cpu, code = measure_cpu(cmd, cwd, env)
            if code not in (0, 1):
                raise SystemExit(f"{' '.join(map(str, cmd))} exited {code}")
            runs[name].append((wall, cpu))
    return {
        name: {
            "seconds": statistics.median(w for w, _ in got),
            "cpu_seconds": statistics.median(c for _, c in got),
            "runs": [round(w, 3) for w, _ in got],
        }
        for name, got in runs.items()
    }


def _selected(names: list[str], wanted: str) -> list[str]:
    """Shapes named by ``wanted``: parts separated by ';' (or by ',' when the whole string is in no
    name: "1,000 rows" is one shape), each an exact name or else a part of names."""
    if not wanted:
        return names
    if ";" in wanted:
        parts = [p.strip() for p in wanted.split(";")]
    else:
        parts = [wanted] if any(wanted in n for n in names) else [p.strip() for p in wanted.split(",")]
    return [n for n in names if any(p == n or (p and p in n and p not in names) for p in parts)]


def gate_shapes(args) -> None:
    """The gate cold (no verdict cache: a new dataset in a pull request has none) against
    `frictionless validate` in the same run, at the shapes issue 14 names; with ``--baseline``
    another checkout's code too, interleaved."""
    work = args.work / "gate-shapes"
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    cold = dict(os.environ, GOVDATA_NO_CACHE="1")
    if args.pythonpath:  # another checkout's src/ (e.g. the code before a change) on the same shapes
        cold["PYTHONPATH"] = args.pythonpath
    baseline = dict(cold, PYTHONPATH=args.baseline) if args.baseline else None
    r = args.repeat
    from benchmarks.generate import SCHEMA, generate

    shapes: dict[str, tuple[Path, dict, bool]] = {}  # name -> (CSV, schema, one bad row)
    for rows in args.rows_shapes:
        csv_path, _ = generate(rows, args.work)
        shapes[f"{rows:,} rows"] = (csv_path, SCHEMA, False)
        if rows == 100_000:
            shapes[f"{rows:,} rows, one bad row"] = (csv_path, SCHEMA, True)
    for columns, rows in ((2_000, 20), (4_000, 20)):
        path, wide_schema = _wide(work, columns, rows)
        shapes[f"{columns:,} columns × {rows} rows"] = (path, wide_schema, False)
    results: dict[str, dict] = {}
    for name in _selected(list(shapes), args.shapes):
        csv_path, sch, bad = shapes[name]
        if bad:
            bad_path = work / (csv_path.stem + "-bad.csv")
            shutil.copy(csv_path, bad_path)
            with bad_path.open("a", encoding="utf-8") as fh:
                fh.write("100001,91330102QD0EB0J8D8,某公司,330109,警告,已执行,2023-13-16,-1,坏行\n")
            csv_path = bad_path
        root = _catalogue(work / "catalogue", {"bench-shape": (csv_path, sch)})
        schema_file = csv_path.parent / "shape.schema.json"  # frictionless refuses absolute paths
        schema_file.write_text(json.dumps(sch, ensure_ascii=False), encoding="utf-8")
        check = [py, "-m", "govdata", "check", "--root", str(root), "--format", "json"]
        runners = {"govdata check (cold)": (check, cold, None)}
        if baseline:
            runners["baseline (cold)"] = (check, baseline, None)
        runners["frictionless validate"] = (
            [str(BIN / "frictionless"), "validate", "--schema", schema_file.name, csv_path.name], dict(os.environ),
            csv_path.parent)
        res = _interleaved(runners, r)
        fl = res["frictionless validate"]["seconds"]
        res["ratio"] = fl / res["govdata check (cold)"]["seconds"]
        line = f"{name:32} govdata {res['govdata check (cold)']['seconds']:7.2f} s"
        if baseline:
            res["baseline ratio"] = fl / res["baseline (cold)"]["seconds"]
            line += f"  baseline {res['baseline (cold)']['seconds']:7.2f} s"
        line += f"  frictionless {fl:7.2f} s  {res['ratio']:6.1f}×"
        if baseline:
            line += f" (baseline {res['baseline ratio']:.1f}×)"
        results[name] = res
        print(line, flush=True)
    clean, bad = results.get("100,000 rows"), results.get("100,000 rows, one bad row")
    if clean and bad:
        key = "one bad row / clean (100,000 rows)"
        results[key] = {"ratio": bad["govdata check (cold)"]["seconds"] / clean["govdata check (cold)"]["seconds"]}
        if baseline:
            results[key]["baseline"] = bad["baseline (cold)"]["seconds"] / clean["baseline (cold)"]["seconds"]
        print(f"{'one bad row / clean file':32} {results[key]['ratio']:.2f}×")
    catalogues = [(n, False) for n in args.catalogue] + [(n, True) for n in args.catalogue_hetero]
    for n, hetero in catalogues:
        if hetero:  # n school directories, each with a column of its own: n plans, as n agencies submit
            from benchmarks.many import generate as many_schemas

            root = many_schemas(work / "catalogue-many-schemas", n, hetero=True)
            label = f"{n:,} datasets × 120 rows, {n:,} schemas"
        else:
            small, _ = generate(120, args.work)
            width = max(4, len(str(n - 1)))
            root = _catalogue(work / "catalogue-many", {f"bench-{i:0{width}d}": (small, SCHEMA) for i in range(n)})
            label = f"{n:,} datasets × 120 rows"
        check = [py, "-m", "govdata", "check", "--root", str(root), "--format", "json"]
        runners = {"govdata check (cold)": (check, cold, None)}
        if baseline:
            runners["baseline (cold)"] = (check, baseline, None)
        many = _interleaved(runners, r)
        results[label] = many
        print(f"{label}: " + "  ".join(
            f"{k} {v['seconds']:.2f} s (CPU {v['cpu_seconds']:.1f} s; runs {' '.join(f'{x:.2f}' for x in v['runs'])})"
            for k, v in many.items()), flush=True)
        shutil.rmtree(root)
    out = REPO / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    name = args.output or ("gate-shapes-baseline.json" if args.pythonpath else "gate-shapes.json")
    (out / name).write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve-seconds", type=float, default=15)
    parser.add_argument("--skip", default="", help="comma-separated: frictionless,sqlite-utils,serve")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "data")
    parser.add_argument("--gate-shapes", action="store_true",
                        help="only the gate, cold, against frictionless: 1k and 100k rows, one bad row, wide files")
    parser.add_argument("--shapes", default="", help="with --gate-shapes: only these shapes (an exact name such as '1,000 rows', or parts of names separated by ';')")
    parser.add_argument("--pythonpath", default="", help="with --gate-shapes: run govdata from this src/ folder")
    parser.add_argument("--catalogue", type=int, action="append", default=[],
                        help="with --gate-shapes: also a catalogue of N small datasets (repeatable: 1000, 10000)")
    parser.add_argument("--catalogue-hetero", type=int, action="append", default=[],
                        help="with --gate-shapes: also a catalogue of N small datasets of N different schemas "
                             "(benchmarks.many --hetero: each with a column of its own)")
    parser.add_argument("--baseline", default="",
                        help="with --gate-shapes: also run govdata from this src/ folder, interleaved (before/after)")
    parser.add_argument("--rows-shapes", type=lambda v: [int(x) for x in v.split(",")], default=[1_000, 100_000],
                        help="with --gate-shapes: row counts of the narrow shapes (e.g. 1000,100000,1000000)")
    parser.add_argument("--output", default="", help="with --gate-shapes: file name under benchmarks/results/")
    args = parser.parse_args()
    if args.gate_shapes:
        gate_shapes(args)
        return
    skip = set(filter(None, args.skip.split(",")))
    # generate in a child process: forked children of a big parent would report its RSS as theirs
    subprocess.run([sys.executable, "-m", "benchmarks.generate", str(args.rows), "--out", str(args.work)],
                   check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    csv_path, schema_path = args.work / f"penalties-{args.rows}.csv", args.work / "penalties.schema.json"
    root = make_catalogue(args.work / f"catalogue-{args.rows}", csv_path, schema_path)
    py = sys.executable
    results: dict[str, dict] = {}
    r = args.repeat
    print(f"{args.rows:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB CSV; median of {r} runs", flush=True)
    results["wc -l"] = median_run(["wc", "-l", str(csv_path)], r)
    results["DuckDB typed load"] = median_run([py, "-c", DUCKDB_FLOOR, str(csv_path), str(schema_path),
                                               str(args.work / "floor.duckdb")], r)
    check_cmd = [py, "-m", "govdata", "check", "--root", str(root), "--format", "json"]
    cold = dict(os.environ, GOVDATA_NO_CACHE="1")  # Frictionless judges the descriptor again on every run
    results["govdata check"] = median_run(check_cmd, r)
    results["govdata check (no verdict cache)"] = median_run(check_cmd, r, env=cold)
    # the same file with one bad row at its end: no one-pass proof, the precise path finds it
    bad_csv = args.work / f"penalties-{args.rows}-bad.csv"
    shutil.copy(csv_path, bad_csv)
    with bad_csv.open("a", encoding="utf-8") as fh:
        fh.write(f"{args.rows + 1},91330102QD0EB0J8D8,某公司,330109,警告,已执行,2023-13-16,-1,坏行\n")
    bad_root = make_catalogue(args.work / f"catalogue-{args.rows}-bad", bad_csv, schema_path)
    results["govdata check (one bad row)"] = median_run(
        [py, "-m", "govdata", "check", "--root", str(bad_root), "--format", "json"], r, ok_codes=(1,))
    shutil.rmtree(bad_root)
    bad_csv.unlink()
    if "frictionless" not in skip:
        results["frictionless validate"] = median_run(
            [str(BIN / "frictionless"), "validate", "--schema", schema_path.name, csv_path.name], 1, cwd=csv_path.parent)
    build_cmd = [py, "-m", "govdata", "build", "--root", str(root), "--out", str(root / "_build"), "--quiet"]
    results["govdata build"] = median_run(build_cmd + ["--force"], r)  # every run a full build
    results["govdata build (no verdict cache)"] = median_run(build_cmd + ["--force"], r, env=cold)
    results["govdata build (no-op rebuild)"] = median_run(build_cmd, r)  # nothing changed: reuse
    if "sqlite-utils" not in skip:
        target = args.work / "sqlite-utils.db"
        target.unlink(missing_ok=True)
        results["sqlite-utils insert"] = median_run(
            ["sh", "-c", f"rm -f {target} && {BIN / 'sqlite-utils'} insert {target} t {csv_path} --csv --no-detect-types"], 1)
    serving = {} if "serve" in skip else serve_bench(root, args.serve_seconds)
    ratios = {}
    if "frictionless validate" in results:
        for name in ("govdata check", "govdata check (no verdict cache)", "govdata check (one bad row)"):
            ratios[f"frictionless validate / {name}"] = results["frictionless validate"]["seconds"] / results[name]["seconds"]
    for name in ("govdata build", "govdata build (no verdict cache)"):
        ratios[f"{name} / DuckDB typed load"] = results[name]["seconds"] / results["DuckDB typed load"]["seconds"]
    if "sqlite-utils insert" in results:
        ratios["sqlite-utils / govdata build"] = results["sqlite-utils insert"]["seconds"] / results["govdata build"]["seconds"]
    if serving:
        ratios["table page throughput vs default Datasette"] = (
            serving["govdata serve: table page"]["rps"] / max(serving["datasette default: table page"]["rps"], 1e-9))
    print(f"\n{'step':32} {'median s':>10} {'rows/s':>12} {'peak RSS MB':>12}")
    for name, res in results.items():
        print(f"{name:32} {res['seconds']:10.2f} {args.rows / res['seconds']:12,.0f} {res['peak_rss_mb']:12.0f}")
    if serving:
        print(f"\n{'serving (8 clients)':42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, res in serving.items():
            print(f"{name:42} {res['rps']:8.1f} {res['p50_ms']:8.1f} {res['p99_ms']:8.1f} {res['errors']:7d}")
    print()
    for name, value in ratios.items():
        print(f"{name:48} {value:8.1f}×")
    out = REPO / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{args.rows}.json").write_text(json.dumps(
        {"rows": args.rows, "csv_bytes": csv_path.stat().st_size, "steps": results, "serving": serving, "ratios": ratios},
        indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
