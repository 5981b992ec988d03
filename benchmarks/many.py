"""Many datasets: a generated catalogue of N small datasets, checked, built, served and browsed.

    python -m benchmarks.many --datasets 1000 [--dest /tmp/many] [--skip check] [--hetero]

The catalogue is the repository's ``catalog.yaml`` with the division table and N copies of the
120-row school directory (``xh-schools``, which references the division table), as in
``../shared/docs/scale.md``. Each copy has its own name and a different first row, so every
dataset is distinct; with ``--hetero`` each also has a column of its own (``extra_<i>``, typed
integer, string, date, number in turn), so no two share a schema. Steps (wall time, peak RSS of the process tree):

  check       govdata check (whole catalogue)
  build       govdata build (fresh)
  noop        govdata build again (nothing changed)
  one         govdata build after one dataset changed
  serve       govdata serve until /-/versions.json answers; then the index page, a table's JSON, the
              last dataset's table JSON, the CKAN search, the portal's dataset page; RSS of the workers

    python -m benchmarks.many --datasets 10000 --fake
    python -m benchmarks.many --datasets 10000 --load --baseline ../base/src

The first serves a ``fake_build`` of N one-table databases (no check, no build): start-up, pages,
RSS. The second times the catalogue load alone, cold (descriptors parsed) then warm (parse cache),
this tree against another checkout's ``src`` interleaved, CPU of the forked parsers included.

``fake_build(out, n)`` makes a serving build folder of N one-table databases directly (no check,
no warehouse), for tests of the serving side at scale.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
GOVDATA = [sys.executable, "-m", "govdata"]


# the extra column of a heterogeneous catalogue's i-th dataset: its type and its value on row r
EXTRA_KINDS = (
    ("integer", lambda r, i: str(r * 7 + i)),
    ("string", lambda r, i: f"备注{r}-{i}"),
    ("date", lambda r, i: f"2024-{r % 12 + 1:02d}-{r % 28 + 1:02d}"),
    ("number", lambda r, i: f"{r}.{i % 10}"),
)


def generate(dest: Path, n: int, hetero: bool = False) -> Path:
    """A catalogue at ``dest`` with the division table and ``n`` school directories. With ``hetero``
    each copy has one more column of its own, ``extra_<i>``, typed integer, string, date and number
    in turn: ``n`` different schemas (as ``n`` agencies would submit), not ``n`` of one."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy(REPO / "catalog.yaml", dest / "catalog.yaml")
    for folder in ("schemas", "pipelines"):
        shutil.copytree(REPO / folder, dest / folder)
    shutil.copytree(REPO / "datasets/zj-gov/zj-admin-divisions", dest / "datasets/zj-gov/zj-admin-divisions")
    src = REPO / "datasets/xh-edu/xh-schools"
    descriptor = (src / "datapackage.yaml").read_text("utf-8")
    lines = (src / "data/schools.csv").read_text("utf-8").splitlines(keepends=True)
    for i in range(n):
        name = f"xh-schools-{i:05d}"
        target = dest / "datasets/xh-edu" / name
        (target / "data").mkdir(parents=True)
        text = re.sub(r"^name: xh-schools$", f"name: {name}", descriptor, count=1, flags=re.M)
        text = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)}（{i}）", text, count=1, flags=re.M)
        rows = "".join(lines)
        if hetero:
            kind, cell = EXTRA_KINDS[i % len(EXTRA_KINDS)]
            extra = f"extra_{i}"
            field = (
                f"        - name: {extra}\n          type: {kind}\n          title: 附加指标{i}\n"
                f"          description: 第{i}个数据集特有的指标。\n      primaryKey: [school_code]"
            )
            text = text.replace("      primaryKey: [school_code]", field, 1)
            body = [line.rstrip("\r\n") for line in lines]
            rows = "".join([f"{body[0]},{extra}\n"] + [f"{line},{cell(r, i)}\n" for r, line in enumerate(body[1:], 1)])
        (target / "datapackage.yaml").write_text(text, "utf-8")
        (target / "data/schools.csv").write_text(rows, "utf-8")
    return dest


# a faulty cell of each extra column's type (plant_faults)
BAD_EXTRA = {"integer": "十二", "date": "2024-13-45", "number": "1,5", "string": "身份证号11010519491231002X"}


def plant_faults(dest: Path, every: int = 5) -> int:
    """Faults in every ``every``-th dataset of a catalogue made by :func:`generate`, five kinds in
    turn: a bad cell in its own column (an ID number for a text column), a duplicate key, a value
    its foreign key does not find, a value outside its enum and a pattern, a personal ID number in
    an address. Returns how many datasets were changed."""
    import csv
    import io

    changed = 0
    folders = sorted((dest / "datasets/xh-edu").iterdir())
    for k, folder in enumerate(folders[1::every]):
        path = folder / "data/schools.csv"
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
        header, kind = rows[0], k % 5
        if kind == 0 and len(header) > 11:  # the dataset's own column (generate(hetero=True))
            i = int(folder.name.rsplit("-", 1)[1])
            rows[5][11] = BAD_EXTRA[EXTRA_KINDS[i % len(EXTRA_KINDS)][0]]
        elif kind == 0 or kind == 1:
            rows[9][0] = rows[3][0]  # school_code: the primary key, unique
        elif kind == 2:
            rows[4][4] = "339999"  # region_code: not a division
        elif kind == 3:
            rows[2][2], rows[6][10] = "大学", "12345"  # school_type's enum, phone's pattern
        else:
            rows[7][6] += "，联系人身份证11010519491231002X"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), "utf-8")
        changed += 1
    return changed


def change_one(dest: Path, i: int = 0) -> None:
    dp = dest / "datasets/xh-edu" / f"xh-schools-{i:05d}" / "datapackage.yaml"
    text = dp.read_text("utf-8")
    dp.write_text(re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)}*", text, count=1, flags=re.M), "utf-8")


def fake_build(
    out: Path, n: int, prefix: str = "ds", table: str = "items", documents: Path | None = None, snapshot: bool = True
) -> Path:
    """A serving build folder (site/, downloads/, directory/, manifest.json) with ``n`` databases
    ``ds-00000`` … of one 3-row table ``items`` each; returns the build folder (``out/current``).
    ``documents``: a folder with ``directory/`` and ``site/metadata.json`` of a catalogue whose
    datasets are these databases (:func:`directory_documents`), copied into the build. ``snapshot``:
    the serving snapshot written as a build writes it (``govdata.serve.snapshot``)."""
    build = out / "builds" / "20260101T000000000000Z"
    site = build / "site"
    site.mkdir(parents=True)
    (build / "downloads").mkdir()
    (build / "directory").mkdir()
    template = site / "_template.db"
    conn = sqlite3.connect(template)
    if documents is None:
        conn.execute(f"create table {table} (id integer primary key, name text, region_code text)")
        rows: list = [(1, "甲", "330106"), (2, "乙", "330106"), (3, "丙", "330108")]
    else:  # the school directory the documents describe (its columns: their facets and sorts)
        import csv

        with open(REPO / "datasets/xh-edu/xh-schools/data/schools.csv", encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        conn.execute(f"create table {table} ({', '.join(header)}, primary key ({header[0]}))")
    conn.executemany(f"insert into {table} values ({', '.join('?' * len(rows[0]))})", rows)
    conn.commit()
    conn.close()
    data = template.read_bytes()
    inspect, databases = {}, {}
    for i in range(n):
        name = f"{prefix}-{i:05d}"
        (site / f"{name}.db").write_bytes(data)
        inspect[name] = {
            "hash": f"{i:064x}",
            "size": len(data),
            "file": f"{name}.db",
            "tables": {table: {"count": len(rows)}},
        }
        databases[name] = {"title": f"数据集 {i}", "tables": {table: {"title": "条目"}}}
    template.unlink()
    (site / "metadata.json").write_text(
        json.dumps({"title": "many", "databases": databases}, ensure_ascii=False), "utf-8"
    )
    (site / "settings.json").write_text(
        json.dumps({"suggest_facets": False, "sql_time_limit_ms": 1000, "num_sql_threads": 3}), "utf-8"
    )
    (site / "inspect-data.json").write_text(json.dumps(inspect), "utf-8")
    (build / "directory" / "data.json").write_text(json.dumps({"dataset": []}), "utf-8")
    (build / "manifest.json").write_text(json.dumps({"datasets": list(inspect)}), "utf-8")
    if documents is not None:
        import yaml

        shutil.copytree(documents / "directory", build / "directory", dirs_exist_ok=True)
        shutil.copy(documents / "site" / "metadata.json", site / "metadata.json")
        descriptor = yaml.safe_load((REPO / "datasets/xh-edu/xh-schools/datapackage.yaml").read_text("utf-8"))
        for r in descriptor["resources"]:  # as published (the sizes and hashes directory_scale gives)
            r.update(path=f"{r['name']}.csv", bytes=17080, hash="sha256:" + "ab" * 32)
            for fmt, ext in (("parquet", "parquet"), ("excel-csv", "excel.csv")):
                r[f"x-{fmt}"] = {"path": f"{r['name']}.{ext}", "bytes": 17080, "hash": "sha256:" + "ab" * 32}
        for name in inspect:  # the dataset page's data dictionary and contact
            (build / "downloads" / name).mkdir()
            (build / "downloads" / name / "datapackage.json").write_text(
                json.dumps({**descriptor, "name": name}, ensure_ascii=False, default=str), "utf-8"
            )
    if snapshot:
        from govdata.serve import snapshot as serve_snapshot

        serve_snapshot.write(build)
    os.symlink(Path("builds") / build.name, out / "current")
    return build


def directory_documents(dest: Path, n: int) -> Path:
    """The directory documents (``directory/``) and Datasette metadata (``site/metadata.json``) of a
    generated catalogue of ``n`` school directories, as a build writes them
    (``benchmarks.directory_scale --once``); made once and kept under ``dest``."""
    docs = dest / f"dirscale{n}" / "one"
    if (docs / "directory" / "ckan.json").is_file() and (docs / "site" / "metadata.json").is_file():
        return docs
    root = dest / f"n{n}"
    if not (root / "catalog.yaml").exists():
        generate(root, n)
    subprocess.run(
        [sys.executable, "-m", "benchmarks.directory_scale", "--root", str(root), "--out", str(docs.parent), "--once"],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    return docs


def cloned_documents(build: Path, dest: Path, n: int, name: str = "xh-schools") -> Path:
    """Directory documents (``directory/``) and Datasette metadata (``site/metadata.json``) of a
    catalogue of ``n`` copies of dataset ``name`` of a real ``build`` (``xh-schools-00000`` …, each
    entry of portal.json, ckan.json and metadata.json cloned with its names and title changed):
    a quick stand-in for :func:`directory_documents` in tests. Returns ``dest``."""
    shutil.copytree(build / "directory", dest / "directory")
    (dest / "site").mkdir(parents=True)

    def clone(entry: Any, i: int) -> Any:
        text = json.dumps(entry, ensure_ascii=False).replace(name, f"{name}-{i:05d}")
        copy = json.loads(text)
        if "title" in copy:
            copy["title"] = f"{copy['title']}（{i}）"
        return copy

    def rewrite(path: Path, key: str, ident: str) -> None:
        doc = json.loads(path.read_text("utf-8"))
        mine = next(x for x in doc[key] if x[ident] == name)
        doc[key] = [x for x in doc[key] if x[ident] != name] + [clone(mine, i) for i in range(n)]
        path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), "utf-8")

    rewrite(dest / "directory" / "portal.json", "datasets", "id")
    rewrite(dest / "directory" / "ckan.json", "packages", "name")
    metadata = json.loads((build / "site" / "metadata.json").read_text("utf-8"))
    mine = metadata["databases"][name]
    metadata["databases"] = {f"{name}-{i:05d}": clone(mine, i) for i in range(n)}
    (dest / "site" / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), "utf-8")
    return dest


# ---- measuring -------------------------------------------------------------------------------


def _tree_rss_mb(pid: int) -> float:
    total = 0
    pids = [pid]
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
        pids += [int(p) for p in out.split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


CPU: dict[str, float] = {}  # CPU seconds (user + system) of each timed step: on a shared, loaded
# machine wall time follows the load; CPU time is what the step cost


PEAK_MB: dict[str, float] = {}  # peak RSS of each timed step's process (forked helpers not included)


def timed(cmd: list[str], label: str = "", **kw) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw)
    err = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - started
    if label:
        # CPU seconds of the step: its own and its waited-for children's (the check's forked processes)
        CPU[label] = round(usage.ru_utime + usage.ru_stime, 2)
        PEAK_MB[label] = round(usage.ru_maxrss / 1024, 1)
    if proc.returncode not in (0, 1):
        print(err[-2000:], file=sys.stderr)
    return took, proc.returncode


def disk_mb(path: Path) -> float:
    """Bytes on disk under ``path`` (hard links counted once), in MB."""
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True).stdout.split()
    return float(out[0]) if out else 0.0


def _tree_peak_mb(pid: int) -> float:
    """Peak RSS (VmHWM) of a process and its children, summed."""
    total = 0
    pids = [pid]
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    pids += [int(p) for p in out.split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def serve_and_browse(root: Path, port: int, n: int) -> dict:
    proc = subprocess.Popen(
        [*GOVDATA, "serve", "--root", str(root), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    try:
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.perf_counter() - started > 600:
                raise RuntimeError("server did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.1)
        ready = time.perf_counter() - started
        pages = {
            "index": "/",
            "index json": "/.json",
            "table json": "/xh-schools-00000/schools.json?_size=50",
            "last dataset": f"/xh-schools-{n - 1:05d}/schools.json?township=西溪街道",
            "ckan search": "/api/3/action/package_search?q=学校&rows=10",
            "dataset page": f"/datasets/xh-schools-{n // 2:05d}",
            "databases": "/-/databases.json",
            "datasets list": "/datasets",
            "datasets list page 20": "/datasets?page=20",
            "datasets search": "/datasets?q=学校",
            "publisher page": "/publishers/xh-edu",
            "theme page": "/themes/education",
            "index page 50": "/?_page=50",
            "data.json": "/data.json",
            "changelog": "/changelog",
            "last dataset page": f"/datasets/xh-schools-{n - 1:05d}",
            "datasets faceted": "/datasets?theme=education&publisher=xh-edu&page=3",
            "ckan package_show": f"/api/3/action/package_show?id=xh-schools-{n // 3:05d}",
            "ckan package_search fq": "/api/3/action/package_search?fq=publisher:xh-edu&rows=20&start=40",
            "dcat-ap": "/catalog.jsonld",
            "home": "/",
        }
        result = {"ready_s": round(ready, 2), "pages": {}}
        with httpx.Client(base_url=base, timeout=60) as c:
            for label, path in pages.items():
                c.get(path)  # warm
                t = time.perf_counter()
                r = c.get(path)
                result["pages"][label] = {
                    "status": r.status_code,
                    "ms": round((time.perf_counter() - t) * 1000, 1),
                    "bytes": len(r.content),
                }
            for i in range(0, n, max(1, n // 200)):  # many distinct databases
                r = c.get(f"/xh-schools-{i:05d}/schools.json?_size=1")
                if r.status_code != 200:
                    result.setdefault("failed", []).append((i, r.status_code))
        result["rss_mb"] = round(_tree_rss_mb(proc.pid), 1)
        result["peak_rss_mb"] = round(_tree_peak_mb(proc.pid), 1)
        return result
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def serve_fake(
    n: int,
    dest: Path,
    port: int,
    documents: bool = False,
    src: Path | None = None,
    keep: bool = False,
    snapshot: bool = True,
) -> dict:
    """Serving alone at scale: ``fake_build`` of N databases, then ``govdata serve`` and browsing.
    ``documents``: with the directory documents and Datasette metadata of N real datasets
    (:func:`directory_documents`; the databases are then ``xh-schools-…`` with a table ``schools``).
    ``src``: serve with another checkout's ``src`` (a baseline). ``snapshot``: the build's serving
    snapshot written (a baseline's code ignores it). Each worker logs what its start
    cost (``GOVDATA_SERVE_TIMING``: CPU and wall of each phase), returned as ``workers``."""
    out = dest / f"fake{n}{'-docs' if documents else ''}{'' if snapshot else '-nosnap'}"
    prefix, table = ("xh-schools", "schools") if documents else ("ds", "items")
    t = time.perf_counter()
    if not keep or not (out / "current").exists():
        if out.exists():
            shutil.rmtree(out)
        fake_build(out, n, prefix, table, directory_documents(dest, n) if documents else None, snapshot)
    made = time.perf_counter() - t
    env = {**os.environ, "GOVDATA_SERVE_TIMING": "1"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    started, epoch = time.perf_counter(), time.time()
    proc = subprocess.Popen(
        [*GOVDATA, "serve", "--root", str(REPO), "--out", str(out), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.perf_counter() - started > 600:
                raise RuntimeError("server did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.05)
        ready = time.perf_counter() - started
        # every worker: each listens on a socket of its own, and a new connection lands on one of
        # them by a hash of its ports; a connection to a worker still loading waits in its backlog.
        # Ready when 10 new connections in a row answer within a second (1 in 512 all land on one of 2)
        while time.perf_counter() - started < 600:
            try:
                if all(httpx.get(f"{base}/-/versions.json", timeout=1).status_code == 200 for _ in range(10)):
                    break
            except httpx.HTTPError:
                pass
        all_ready = time.perf_counter() - started
        pids = _worker_pids(proc.pid)
        result = {
            "databases": n,
            "documents": documents,
            "fake_build_s": round(made, 1),
            "ready_s": round(ready, 2),
            "all_ready_s": round(all_ready, 2),
            "worker_cpu_at_ready_s": [_cpu_s(p) for p in pids],
            "pages": {},
        }
        mid, last = f"{prefix}-{n // 2:05d}", f"{prefix}-{n - 1:05d}"
        pages = {
            "index": "/",
            "index page 50": "/?_page=50",
            "index json": "/.json",
            "first table": f"/{prefix}-00000/{table}.json?_shape=array",
            "last table": f"/{last}/{table}.json?_shape=array&region_code=330106",
            "database page": f"/{mid}",
            "databases.json": "/-/databases.json",
        }
        if documents:
            pages |= {
                "datasets": "/datasets",
                "datasets page 50": "/datasets?page=50",
                "datasets search": "/datasets?q=学校",
                "publisher page": "/publishers/xh-edu",
                "dataset page": f"/datasets/{mid}",
                "ckan package_search": "/api/3/action/package_search?q=学校&rows=10",
                "ckan package_search fq": "/api/3/action/package_search?fq=publisher:xh-edu&rows=20&start=40",
                "ckan package_show": f"/api/3/action/package_show?id={last}",
                "ckan organization_list": "/api/3/action/organization_list?all_fields=true",
                "data.json": "/data.json",
            }
        with httpx.Client(base_url=base, timeout=120) as c:
            for label, path in pages.items():
                t = time.perf_counter()
                r = c.get(path)
                first = (time.perf_counter() - t) * 1000
                t = time.perf_counter()
                r = c.get(path)
                result["pages"][label] = {
                    "status": r.status_code,
                    "first_ms": round(first, 1),
                    "ms": round((time.perf_counter() - t) * 1000, 1),
                    "bytes": len(r.content),
                }
            failed, t = [], time.perf_counter()
            step = max(1, n // 1000)
            for i in range(0, n, step):
                r = c.get(f"/{prefix}-{i:05d}/{table}.json?_size=1")
                if r.status_code != 200:
                    failed.append((i, r.status_code))
            result["distinct_tables"] = {
                "requests": len(range(0, n, step)),
                "failed": failed[:10],
                "mean_ms": round((time.perf_counter() - t) * 1000 / len(range(0, n, step)), 1),
            }
        result["rss_mb"] = round(_tree_rss_mb(proc.pid), 1)
        result["rss_workers_mb"] = [round(_rss_mb(p), 1) for p in _worker_pids(proc.pid)]
        return result
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        if "result" in locals():
            result["workers"] = [
                json.loads(line.split("govdata-timing ", 1)[1])
                for line in err.decode("utf-8", "replace").splitlines()
                if "govdata-timing " in line
            ]
            if result["workers"]:  # every worker loaded, from their own logs
                result["all_loaded_s"] = round(max(w["ready_at"] for w in result["workers"]) - epoch, 2)
        if not keep:
            shutil.rmtree(out, ignore_errors=True)


def _worker_pids(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    pids = [int(p) for p in out.split()]
    # uvicorn's spawn start method adds a resource tracker; workers are the ones with big heaps
    return [p for p in pids if _rss_mb(p) > 60]


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


_LOAD = """
import json, resource, sys, time
from pathlib import Path
from govdata.catalog.loader import load, parse_cache
from govdata.verdicts import VerdictCache
root, cache = Path(sys.argv[1]), Path(sys.argv[2])
out = []
for attempt in range(3):  # cold (a fresh cache folder), then warm twice
    t, cpu = time.perf_counter(), time.process_time()
    catalog, _ = load(root, cache=VerdictCache.under(cache))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.append({"wall_s": round(time.perf_counter() - t, 2), "cpu_s": round(time.process_time() - cpu, 2),
                "children_cpu_s": round(kids.ru_utime + kids.ru_stime, 2), "parsed": parse_cache(catalog.verdicts).parsed})
    del catalog
print(json.dumps(out))
"""


def load_times(root: Path, src: Path | None, repeat: int) -> dict:
    """The catalogue load alone (cold, then warm twice), this tree's ``src`` against ``--baseline``
    (another checkout's ``src``), interleaved; CPU seconds of the loading process and of the
    processes it forked (the parse cache warmed on every core)."""
    runs: dict[str, list] = {"after": [], "before": []}
    for _ in range(repeat):
        for label, path in (("before", src), ("after", REPO / "src")):
            if path is None:
                continue
            cache = Path(f"/tmp/govdata-load-cache-{label}")
            shutil.rmtree(cache, ignore_errors=True)
            env = {**os.environ, "PYTHONPATH": str(path)}
            out = subprocess.run(
                [sys.executable, "-c", _LOAD, str(root), str(cache)], capture_output=True, text=True, env=env
            )
            runs[label].append(json.loads(out.stdout) if out.returncode == 0 else out.stderr[-500:])
            shutil.rmtree(cache, ignore_errors=True)
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=int, default=1000)
    ap.add_argument("--dest", type=Path, default=Path("/tmp/govdata-many"))
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--skip", default="", help="comma-separated: check,build,noop,one,serve")
    ap.add_argument("--fake", action="store_true", help="serving only, on fake_build(N) (no check, no build)")
    ap.add_argument(
        "--documents", action="store_true", help="with --fake: the directory documents and metadata of N real datasets"
    )
    ap.add_argument("--keep", action="store_true", help="with --fake: keep (and reuse) the fake build folder")
    ap.add_argument("--no-snapshot", action="store_true", help="with --fake: no serving snapshot in the build")
    ap.add_argument("--load", action="store_true", help="the catalogue load alone, cold and warm (see --baseline)")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="with --load or --fake: another checkout's src/ to compare, interleaved (--repeat)",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--hetero", action="store_true", help="each dataset with a column of its own (N schemas, not one)")
    args = ap.parse_args()
    if args.load:
        root = args.dest / f"n{args.datasets}"
        if not (root / "catalog.yaml").exists():
            generate(root, args.datasets, args.hetero)
        print(json.dumps(load_times(root, args.baseline, args.repeat), indent=1))
        return
    if args.fake:
        runs = []
        for _ in range(args.repeat if args.baseline else 1):  # with --baseline: interleaved, before then after
            for label, src in (("before", args.baseline), ("after", None)) if args.baseline else (("after", None),):
                keep = args.keep or bool(args.baseline)
                r = serve_fake(args.datasets, args.dest, args.port, args.documents, src, keep, not args.no_snapshot)
                runs.append({"code": label, **r})
                print(json.dumps(runs[-1], ensure_ascii=False), file=sys.stderr, flush=True)
        print(json.dumps(runs if args.baseline else runs[0], ensure_ascii=False, indent=2))
        return
    skip = set(filter(None, args.skip.split(",")))
    root = args.dest / f"n{args.datasets}"
    results: dict = {"datasets": args.datasets}
    if "build" not in skip or not (root / "_build" / "current").exists():
        t = time.perf_counter()
        generate(root, args.datasets, args.hetero)
        results["generate_s"] = round(time.perf_counter() - t, 1)
    if "check" not in skip:
        results["check_s"], _ = timed([*GOVDATA, "check", "--root", str(root), "--format", "json"], "check")
        results["check_again_s"], _ = timed([*GOVDATA, "check", "--root", str(root), "--format", "json"], "check again")
    if "build" not in skip:
        results["build_s"], rc = timed([*GOVDATA, "build", "--root", str(root), "--quiet"], "build")
        results["build_rc"] = rc
        print(json.dumps(results), file=sys.stderr, flush=True)
    if "noop" not in skip:
        results["noop_build_s"], _ = timed([*GOVDATA, "build", "--root", str(root), "--quiet"], "noop")
    if "one" not in skip:
        runs = []
        for i in range(3):  # three changes, each its own build (the first may also warm the caches)
            change_one(root, args.datasets // 2 + i)
            runs.append(round(timed([*GOVDATA, "build", "--root", str(root), "--quiet"], f"one changed {i}")[0], 2))
        results["one_changed_build_s"] = runs
        print(json.dumps(results), file=sys.stderr, flush=True)
    results["cpu_s"] = CPU
    if "build" in CPU:  # what a full build costs per dataset (the build forks: its processes' CPU included)
        results["build_cpu_ms_per_dataset"] = round(CPU["build"] * 1000 / (args.datasets + 1), 1)
    results["peak_rss_mb"] = PEAK_MB
    if (root / "_build").exists():
        results["disk_mb"] = {
            "out": disk_mb(root / "_build"),
            "current build": disk_mb((root / "_build" / "current").resolve()),
        }
    if "serve" not in skip:
        results["serve"] = serve_and_browse(root, args.port, args.datasets)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
