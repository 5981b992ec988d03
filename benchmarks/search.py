"""Search and portal benchmarks, against the alternatives in the same run.

    python -m benchmarks.search --rows 1000000 [--seconds 15] [--datasets 10000] [--skip table,catalogue]

table      the generated penalties table (benchmarks/generate.py) built by ``govdata build``; queries
           drawn from the data (2–4 character pieces of names and notes, their traditional forms,
           fragments of credit codes). Recall of every query against a DuckDB substring scan of the
           CSV; then 8 clients for ``--seconds`` on ``?_search=`` pages (with their counts) of
           ``govdata serve``, beside default Datasette with a standard FTS5 (unicode61) index on
           the same columns, and beside a ``LIKE '%…%'`` scan through the SQL endpoint.
           Index build time and size per million rows.
catalogue  a catalogue of ``--datasets`` generated entries (portal.json / ckan.json written into
           a copy of the sample build) served by ``govdata serve``: home, search, facets, CKAN
           package_search, publisher and theme pages under 8 clients; p99 beside the same at 11.

Writes benchmarks/results/search-<rows>.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import subprocess
import time
import urllib.parse
from pathlib import Path

import httpx

from benchmarks.generate import generate
from benchmarks.run import BIN, REPO, free_port, load_many, make_catalogue, wait_up

DATA = REPO / "benchmarks" / "data"
TEXT = ["party_uscc", "party_name", "region_code", "category", "status", "note"]


def _serve(cmd: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(cmd + ["--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_up(f"{base}/-/versions.json", proc)
    return proc, base


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _queries(csv_path: Path, rng: random.Random, n: int = 60) -> list[str]:
    import duckdb
    import opencc

    s2t = opencc.OpenCC("s2t")
    sample = duckdb.sql(f"SELECT party_name, note, party_uscc FROM read_csv('{csv_path}', all_varchar=true) "
                        f"USING SAMPLE 200 ROWS (reservoir, 7)").fetchall()
    out: list[str] = []
    while len(out) < n:
        name, note, uscc = rng.choice(sample)
        kind = rng.random()
        if kind < 0.15:
            start = rng.randrange(2, 14)
            out.append(uscc[start:start + rng.choice([4, 5, 6])])  # a credit-code fragment
            continue
        text = rng.choice([name, note])
        size = rng.choice([2, 2, 3, 4])
        start = rng.randrange(0, len(text) - size)
        piece = text[start:start + size]
        if any(not ch.isalnum() for ch in piece):
            continue
        out.append(s2t.convert(piece) if kind > 0.8 else piece)
    return list(dict.fromkeys(out))


def _expected(csv_path: Path, queries: list[str]) -> dict[str, int]:
    """Rows whose text columns contain the folded query: the ground truth, by a full scan."""
    import duckdb

    from govdata.textsearch import fold

    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT {', '.join(TEXT)} FROM read_csv('{csv_path}', all_varchar=true)")
    out = {}
    for q in queries:
        f = fold(q).lower()
        cond = " OR ".join(f"contains(lower({c}), $q)" for c in TEXT)
        out[q] = con.execute(f"SELECT count(*) FROM t WHERE {cond}", {"q": f}).fetchone()[0]
    return out


def _default_fts(bare: Path) -> Path:
    """default Datasette: a standard FTS5 (unicode61) index on the same columns"""
    plain = DATA / "search-default.db"
    shutil.copy(bare, plain)
    con = sqlite3.connect(plain)
    con.execute('DROP TABLE "penalties__search"')
    con.commit()
    con.close()
    import sqlite_utils  # what a Datasette user would do: sqlite-utils enable-fts (FTS5, unicode61)

    sqlite_utils.Database(plain)["penalties"].enable_fts(TEXT, fts_version="FTS5")
    return plain


def table_bench(rows: int, seconds: float, skip: set[str] = frozenset()) -> dict:
    from govdata.publish import searchindex

    csv_path, schema_path = generate(rows, DATA)
    folder = DATA / f"search-catalogue-{rows}"
    reuse = "build" in skip and (folder / "_build" / "current").exists()  # the last run's build, as it is
    root = folder if reuse else make_catalogue(folder, csv_path, schema_path)
    started = time.perf_counter()
    if not reuse:
        subprocess.run([str(BIN / "govdata"), "build", "--root", str(root), "--out", str(root / "_build")],
                       check=True, stdout=subprocess.DEVNULL)
    build_s = time.perf_counter() - started
    db = (root / "_build" / "current" / "site" / "bench-penalties.db").resolve()
    result: dict = {"rows": rows, "build_seconds": None if reuse else round(build_s, 2),
                    "db_mb": round(db.stat().st_size / 1e6, 1)}
    if reuse:
        skip = skip | {"alternatives"}

    # the index alone: drop it from a copy, then time writing it again
    bare = DATA / "search-bare.db"
    if reuse:
        return _table_queries(result, root, csv_path, seconds, skip, None)

    shutil.copy(db, bare)
    con = sqlite3.connect(bare)
    con.execute('DROP TABLE "penalties__search"')
    con.commit()
    con.execute("VACUUM")
    con.close()
    bare_mb = bare.stat().st_size / 1e6
    started = time.perf_counter()
    searchindex.write(bare, "penalties", TEXT)
    index_s = time.perf_counter() - started
    result["index"] = {"seconds": round(index_s, 2), "mb": round(bare.stat().st_size / 1e6 - bare_mb, 1),
                       "seconds_per_million_rows": round(index_s / rows * 1e6, 2),
                       "mb_per_million_rows": round((bare.stat().st_size / 1e6 - bare_mb) / rows * 1e6, 1)}

    if "alternatives" in skip:  # at 10M rows sqlite-utils' FTS index alone takes many minutes
        bare.unlink()
    else:
        plain = _default_fts(bare)

    return _table_queries(result, root, csv_path, seconds, skip, plain if "alternatives" not in skip else None)


def _table_queries(result: dict, root: Path, csv_path: Path, seconds: float, skip: set[str], plain) -> dict:
    rng = random.Random(2026)
    queries = _queries(csv_path, rng)
    expected = _expected(csv_path, queries)
    proc, base = _serve([str(BIN / "govdata"), "serve", "--root", str(root), "--out", str(root / "_build")])
    try:
        found = {q: httpx.get(f"{base}/bench-penalties/penalties.json", params={"_search": q, "_size": 1},
                              timeout=60).json()["filtered_table_rows_count"] for q in queries}
        exact = sum(1 for q in queries if found[q] == expected[q])
        capped = sum(1 for q in queries if found[q] is None)
        result["govdata"] = {"queries": len(queries), "exact_counts": exact, "capped_counts": capped,
                             "wrong": [q for q in queries if found[q] is not None and found[q] != expected[q]]}
        paths = [f"/bench-penalties/penalties.json?_search={urllib.parse.quote(q)}" for q in queries]
        result["govdata"]["load"] = asyncio.run(load_many(base, paths, seconds))
        html = [f"/bench-penalties/penalties?_search={urllib.parse.quote(q)}" for q in queries]
        result["govdata"]["load_html"] = asyncio.run(load_many(base, html, seconds))
        if "alternatives" in skip:
            return result
        like = [f"/bench-penalties.json?sql=" + urllib.parse.quote(
                    "select * from penalties where " + " or ".join(f"{c} like :q" for c in TEXT) + " limit 50")
                + "&q=" + urllib.parse.quote(f"%{q}%") for q in queries]
        result["like_scan"] = {"load": asyncio.run(load_many(base, like, seconds))}
    finally:
        _stop(proc)
    proc, base = _serve([str(BIN / "datasette"), "serve", "--immutable", str(plain)])
    try:
        got = {q: httpx.get(f"{base}/search-default/penalties.json", params={"_search": q, "_size": 1},
                            timeout=60).json().get("filtered_table_rows_count") for q in queries}
        hits = sum(min(got[q] or 0, expected[q]) for q in queries)
        result["datasette_default_fts"] = {
            "recall": round(hits / max(1, sum(expected.values())), 3),
            "exact_counts": sum(1 for q in queries if got[q] == expected[q]),
            "queries_with_no_result": sum(1 for q in queries if not got[q] and expected[q]),
            "load": asyncio.run(load_many(base, [f"/search-default/penalties.json?_search={urllib.parse.quote(q)}"
                                                 for q in queries], seconds))}
    finally:
        _stop(proc)
    return result


def _synthetic_catalogue(n: int, target: Path) -> list[str]:
    """``n`` generated entries in a copy of the sample build's portal.json and ckan.json."""
    from govdata.publish.builder import build

    out = DATA / "catalogue-sample"
    if out.exists():
        shutil.rmtree(out)
    build(REPO, out)
    src = (out / "current").resolve()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(src, target, symlinks=True)
    portal = json.loads((target / "directory" / "portal.json").read_text())
    ckan = json.loads((target / "directory" / "ckan.json").read_text())
    rng = random.Random(5)
    words = ["行政处罚", "行政许可", "财政预算", "空气质量", "学校名录", "村务公开", "低保", "政策文件", "公共交通", "医疗机构",
             "养老服务", "就业创业", "企业登记", "环境监测", "农业补贴", "文化场馆", "档案目录", "统计公报", "气象观测", "食品抽检"]
    places = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "西湖", "上城", "拱墅", "滨江"]
    base_entries, base_pkgs = portal["datasets"], ckan["packages"]
    entries, pkgs = [], []
    for i in range(n):
        e = dict(rng.choice(base_entries))
        p = json.loads(json.dumps(base_pkgs[base_entries.index(e)] if e in base_entries else rng.choice(base_pkgs)))
        title = f"{rng.choice(places)}{rng.choice(words)}数据（第{i}号）"
        ident = f"gen-{i:05d}"
        e.update(id=ident, title=title, title_en=f"Generated dataset {i}", pinyin=f"gen{i}", initials=f"g{i}",
                 modified=f"20{rng.randint(15, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                 keywords=rng.sample(words, 3), description=f"{title}。{rng.choice(words)}、{rng.choice(words)}的合成描述。")
        p.update(id=ident, name=ident, title=title, metadata_modified=e["modified"])
        entries.append(e)
        pkgs.append(p)
    portal["datasets"], ckan["packages"] = entries, pkgs
    (target / "directory" / "portal.json").write_text(json.dumps(portal, ensure_ascii=False))
    (target / "directory" / "ckan.json").write_text(json.dumps(ckan, ensure_ascii=False))
    return words + places


def catalogue_bench(n: int, seconds: float) -> dict:
    result = {}
    for size in (None, n):
        target = DATA / f"catalogue-{size or 'sample'}"
        words = _synthetic_catalogue(size, target) if size else None
        if size is None:
            from govdata.publish.builder import build

            out = DATA / "catalogue-sample"
            if out.exists():
                shutil.rmtree(out)
            build(REPO, out)
            target = (out / "current").resolve()
            words = ["处罚", "预算", "學校", "公开", "空气"]
        rng = random.Random(9)
        qs = [urllib.parse.quote(w[:rng.choice([2, 3, 4])]) for w in words]
        paths = (["/", "/publishers", "/themes/credit", "/datasets", "/datasets?publisher=hz-gov&theme=credit"]
                 + [f"/datasets?q={q}" for q in qs] + [f"/api/3/action/package_search?q={q}" for q in qs])
        out = DATA / f"catalogue-out-{size or 'sample'}"
        if out.exists():
            shutil.rmtree(out)
        (out / "builds").mkdir(parents=True)
        shutil.copytree(target, out / "builds" / "b", symlinks=True)
        (out / "current").symlink_to(Path("builds") / "b")
        port = free_port()
        proc = subprocess.Popen([str(BIN / "govdata"), "serve", "--root", str(REPO), "--out", str(out), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(f"{base}/-/versions.json", proc)
            for p in paths:
                assert httpx.get(base + p, timeout=60).status_code == 200, p
            result[f"{size or 11} datasets"] = asyncio.run(load_many(base, paths, seconds))
        finally:
            _stop(proc)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--skip", default="", help="comma-separated: table, catalogue, alternatives, build "
                        "(reuse the last run's build of the table: queries and load only) "
                        "(default Datasette FTS and the LIKE scan: slow to set up at 10M rows)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    out = REPO / "benchmarks" / "results" / f"search-{args.rows}.json"
    result: dict = json.loads(out.read_text()) if out.is_file() else {}  # a partial run keeps the other part
    if "table" not in skip:
        result["table"] = table_bench(args.rows, args.seconds, skip)
    if "catalogue" not in skip:
        result["catalogue"] = catalogue_bench(args.datasets, args.seconds)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
