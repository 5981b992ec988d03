"""Chinese search: the bigram index finds every row or dataset that contains the query.

Expected hits are computed from the data itself (folded substring search over every text
column), never written by hand: 2-character words, parts of names, runs across word
boundaries, traditional for simplified and back, mixed Chinese/ASCII/digits, pinyin."""

from __future__ import annotations

import json
import random
from pathlib import Path
import sqlite3

import httpx
import opencc
import pytest

from govdata import textsearch
from govdata.publish import searchindex
from govdata.serve import search

S2T = opencc.OpenCC("s2t")


def test_the_fold_tables_traditional_characters_are_each_characters_own_conversion():
    """fold_table converts every CJK character in one call, a line each: the same as one at a time."""
    t2s = opencc.OpenCC("t2s")
    table = textsearch.fold_table()
    for lo, hi in textsearch._CJK_RANGES:
        for cp in range(lo, hi):
            alone = t2s.convert(chr(cp))
            expected = alone if len(alone) == 1 and alone != chr(cp) else None
            assert table.get(cp) == expected, hex(cp)


def test_index_texts_equals_python():
    """The vectorised indexer (numpy, used by the build) makes exactly the reference's tokens."""
    import pyarrow as pa

    rng = random.Random(7)
    alphabet = (
        '某惠民食品有限公司處罰决定書學校预算興國縣ＡＢＣａｂ１２３ ABCabc0123-_/，。（）·〔〕\u3000\t\n\x00\xa0"*é'
        "İΣДẞ😀𠀀\ue000\u200b"
    )
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(600)] + [None, ""]
    array = pa.array(samples)
    for part, values in ((array, samples), (array.slice(7, 300), samples[7:307])):
        got = textsearch.index_texts(part).to_pylist()
        assert len(got) == len(values)
        for value, text in zip(values, got):
            assert text.split() == textsearch.index_text(value).split(), value


def test_match_expression_shapes():
    assert textsearch.match_expression("罚款") == '"罚款"'
    assert textsearch.match_expression("惠民食品") == '"惠民 民食 食品"'
    assert textsearch.match_expression("處罰") == '"处罚"'
    assert textsearch.match_expression("ＪＹ13") == '"jy1 y13"'  # ASCII letters and digits: trigrams
    assert textsearch.match_expression("ＪＹ13", trigrams=False) == '"jy y1 13"'  # an index of version 1
    assert textsearch.match_expression("qd") == '"qd"'
    assert textsearch.match_expression("JY1330号") == '"jy y1 13 33 30 0号" AND "jy1 y13 133 330"'
    dash = textsearch.TOKEN_MAP[ord("-")]  # ASCII punctuation: private use, part of the token
    assert (
        textsearch.match_expression("2024-03") == f'"20 02 24 4{dash} {dash}0 03" AND "202 024"'
    )  # part of the phrase
    assert textsearch.match_expression("罚 款") == '("罚"* OR "罚\ue000") AND ("款"* OR "款\ue000")'
    quote = textsearch.TOKEN_MAP[ord('"')]
    assert textsearch.match_expression('a"b') == f'"a{quote} {quote}b"'
    assert textsearch.match_expression("  \u3000") == textsearch.NO_MATCH


def _text_columns(db: sqlite3.Connection, table: str) -> list[str]:
    fts = searchindex.fts_table(table)
    cols = db.execute(f'SELECT name FROM pragma_table_info("{fts}")').fetchall()
    assert cols, f"{table} has no search index"
    n = len(cols)
    meta = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
    return meta, n


def _queries(values: list[str], rng: random.Random, k: int = 12) -> list[str]:
    """Substrings of real cells: 2 and 3 characters, longer runs, traditional forms, ASCII/digit parts."""
    cells = [v for v in values if v and len(v) >= 2]
    out = []
    for _ in range(k):
        v = rng.choice(cells)
        n = rng.choice([2, 2, 3, 4, 6])
        if len(v) < n:
            n = len(v)
        start = rng.randrange(0, len(v) - n + 1)
        piece = v[start : start + n]
        if textsearch.SEGMENT.fullmatch(textsearch.fold(piece)) is None:
            continue  # whitespace inside: two words, each found on its own
        out.append(piece)
        out.append(S2T.convert(piece))
        ascii_runs = [r for r in textsearch.SEGMENT.findall(v) if r.isascii() and len(r) >= 3]
        if ascii_runs:
            run = rng.choice(ascii_runs)
            out.append(run[1 : min(len(run), 5)])
    return list(dict.fromkeys(q for q in out if len(q) >= 2))


def test_in_table_search_finds_every_containing_row(built, live_server):
    """Every served table with text columns: the served ``?_search=`` count equals the number
    of rows whose text contains the query, for queries drawn from the data."""
    rng = random.Random(11)
    inspect = json.loads((built / "site" / "inspect-data.json").read_text())
    metadata = json.loads((built / "site" / "metadata.json").read_text())
    checked = 0
    for db_name, info in inspect.items():
        db = sqlite3.connect(built / "site" / info["file"])
        db.create_function("escape_fts", 1, textsearch.match_expression)
        for table in info["tables"]:
            tmeta = metadata["databases"][db_name]["tables"][table]
            if "search_table" not in tmeta:
                continue
            fts = tmeta["search_table"]
            n = len(db.execute(f'SELECT * FROM "{fts}" LIMIT 0').description)
            fields = [
                f
                for f in json.loads((built / "downloads" / db_name / "datapackage.json").read_text())["resources"]
                if f["name"] == table
            ][0]["schema"]["fields"]
            text_cols = searchindex.text_columns(fields)
            assert len(text_cols) == n
            rows = db.execute(
                f'SELECT rowid, {", ".join(chr(34) + c + chr(34) for c in text_cols)} FROM "{table}"'
            ).fetchall()
            folded = [(r[0], [textsearch.fold(v).lower() if isinstance(v, str) else "" for v in r[1:]]) for r in rows]
            values = [v for r in rows for v in r[1:] if isinstance(v, str)]
            for q in _queries(values, rng):
                # each word (list punctuation separates words, as spaces do) in some cell of the row
                fws = [textsearch.fold(w).lower().strip() for w in textsearch.words(q)]
                expected = {rid for rid, cells in folded if all(any(w in c for c in cells) for w in fws if w)}
                got = {r[0] for r in db.execute(f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH escape_fts(?)', (q,))}
                assert got == expected, (db_name, table, q)
                served = httpx.get(f"{live_server}/{db_name}/{table}.json", params={"_search": q, "_size": 1}).json()
                if served["filtered_table_rows_count"] is None:  # frequent: not counted (serve/search.py)
                    assert len(expected) > min(search.bound(len(rows)), search.PAGE_BOUND), (db_name, table, q)
                    assert served["rows"], (db_name, table, q)
                else:
                    assert served["filtered_table_rows_count"] == len(expected), (db_name, table, q)
                checked += 1
    assert checked >= 50


def test_ascii_terms_match_by_trigrams_exactly(tmp_path):
    """Runs of ASCII letters and digits are also indexed as trigrams (selective where bigrams of
    codes are not): a query term of such characters finds exactly the rows containing it —
    never across two cells, two runs (a space, punctuation or a Chinese character between) or a
    run's end — and mixed terms keep their exact bigram phrase."""
    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    cells = []
    for _ in range(3000):
        code = "".join(rng.choice(alphabet) for _ in range(18))
        cut = rng.randrange(1, 17)
        sep = rng.choice(["", " ", "-", "号", "（", "\u3000"])
        cells.append((code, code[:cut] + sep + code[cut:] + rng.choice(["", "年", "abc", "ＸＹ９"])))
    cells += [
        ("abc", "def"),
        ("xyzabc", "defxyz"),
        ("ab-cd", "ab cd"),
        ("ＪＹ1330号", "jy13"),
        ("kxab-abzk", "kxab号abzk"),
    ]
    path = tmp_path / "codes.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (code TEXT, note TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", cells)
    db.commit()
    db.close()
    searchindex.write(path, "t", ["code", "note"])
    db = sqlite3.connect(path)
    rows = db.execute("SELECT rowid, code, note FROM t").fetchall()
    folded = [(r[0], [textsearch.fold(v) for v in r[1:]]) for r in rows]
    queries = ["cde", "cdx", "bcd", "abcdef", "zab", "jy1330", "jy1330号", "Y9", "XY9", "1330", "b-c", "xabz", "kxabzk"]
    for code, note in rng.sample(cells[:3000], 60):
        start = rng.randrange(0, 15)
        queries += [code[start : start + rng.randint(3, 8)], note[start : start + rng.randint(3, 6)]]
    checked = 0
    for q in queries:
        fq = textsearch.fold(q).strip()
        if not fq or " " in fq:
            continue
        expected = {rid for rid, cs in folded if any(fq in c for c in cs)}
        for trigrams in (True, False):
            expr = textsearch.match_expression(q, trigrams=trigrams)
            got = {r[0] for r in db.execute("SELECT rowid FROM t__search WHERE t__search MATCH ?", (expr,))}
            assert got == expected, (q, expr)
        checked += 1
    assert checked >= 100
    assert '"' + "abc" + '"' == textsearch.match_expression("abc")  # one trigram


def test_search_phrase_never_spans_two_cells(tmp_path):
    path = tmp_path / "t.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (a TEXT, b TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [("杭州", "西湖区"), ("杭州西湖", ""), ("2024-03-05", "x")])
    db.commit()
    db.close()
    searchindex.write(path, "t", ["a", "b"])
    db = sqlite3.connect(path)
    db.create_function("escape_fts", 1, textsearch.match_expression)
    hit = lambda q: {r[0] for r in db.execute("SELECT rowid FROM t__search WHERE t__search MATCH escape_fts(?)", (q,))}
    assert hit("杭州西湖") == {2}
    assert hit("杭州") == {1, 2}
    assert hit("2024-03") == {3}
    assert hit("03-05") == {3}
    assert hit("西湖區") == {1}
    assert hit("西湖") == {1, 2}
    assert hit("4-03-0") == {3} and hit("2024-03-05") == {3} and hit("3-1") == set()
    assert hit("湖") == {1, 2} and hit("区") == {1} and hit("州") == {1, 2}  # one character, at a run's end too


def _catalogue_expected(built, q: str) -> set[str]:
    from govdata.serve.catalogsearch import GROUPS, CatalogueIndex

    ix = CatalogueIndex(json.loads((built / "directory" / "portal.json").read_text()))
    f = textsearch.fold(q)
    return {d["id"] for d in ix.datasets if any(f in textsearch.fold(get(d, ix)) for _, _, get in GROUPS)}


@pytest.mark.parametrize(
    "q",
    [
        "处罚",
        "處罰",
        "预算",
        "預算",
        "学校",
        "學校",
        "教育",
        "空气",
        "双公示",
        "xzcf",
        "xingzhengchufa",
        "2025",
        "village",
        "公开",
        "解读",
        "行政区划代码",
    ],
)
def test_catalogue_search_recall_and_same_ranking_in_ckan(built, live_server, q):
    expected = _catalogue_expected(built, q)
    ckan = httpx.get(f"{live_server}/api/3/action/package_search", params={"q": q, "rows": 1000}).json()["result"]
    assert {p["name"] for p in ckan["results"]} == expected
    assert ckan["count"] == len(expected)
    page = httpx.get(f"{live_server}/datasets", params={"q": q}).text
    order = [p["name"] for p in ckan["results"]]
    positions = [page.find(f'href="/datasets/{name}"') for name in order[:20]]
    assert all(p > 0 for p in positions) and positions == sorted(positions), "same ranking on the page and in CKAN"


def test_pinyin_and_title_first(built, live_server):
    res = httpx.get(f"{live_server}/api/3/action/package_search", params={"q": "xzcf"}).json()["result"]
    assert {"zj-admin-penalties", "hz-shuanggongshi"} <= {p["name"] for p in res["results"]}
    res = httpx.get(f"{live_server}/api/3/action/package_search", params={"q": "行政区划"}).json()["result"]
    assert res["results"][0]["name"] == "zj-admin-divisions"  # a title match outranks description matches


def test_ckan_fq_level_and_publisher_subtree(built, live_server):
    portal = json.loads((built / "directory" / "portal.json").read_text())
    sub = {d["id"] for d in portal["datasets"] if "xh-gov" in d["publisher_chain"]}
    own = {d["id"] for d in portal["datasets"] if d["publisher"] == "xh-gov"}
    county = {d["id"] for d in portal["datasets"] if d["level"] == "county"}
    get = lambda fq: {
        p["name"]
        for p in httpx.get(f"{live_server}/api/3/action/package_search", params={"fq": fq, "rows": 1000}).json()[
            "result"
        ]["results"]
    }
    assert get("publisher:xh-gov") == sub and len(sub) > len(own)
    assert get("organization:xh-gov") == own  # CKAN's own meaning: the owning organisation only
    assert get("level:county") == county
    assert get("-level:county") == {d["id"] for d in portal["datasets"]} - county


def test_frequent_words_take_the_probing_plan_with_an_honest_count(tmp_path):
    """Above the bound the first page comes from probing rows in order, the count is null (the
    page says "more than T"); below it the count is exact. Both plans return the same rows."""
    import asyncio

    from datasette.app import Datasette

    from govdata.serve import search

    path = tmp_path / "big.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    rows = [(i, f"杭州{'稀有' if i % 997 == 0 else '常见'}公司{i}") for i in range(1, 6001)]
    db.executemany("INSERT INTO t VALUES (?, ?)", rows)
    db.commit()
    db.close()
    searchindex.write(path, "t", ["name"])
    meta = {"databases": {"big": {"tables": {"t": {"search_table": "t__search"}}}}}
    ds = Datasette(
        immutables=[str(path)],
        metadata=meta,
        inspect_data={"big": {"tables": {"t": {"count": 6000}}}},
        settings={"suggest_facets": False},
        template_dir=str(Path(search.__file__).parent / "templates"),
    )

    async def get(q: str) -> dict:
        await ds.invoke_startup()
        return (await ds.client.get(f"/big/t.json?_search={q}&_shape=objects&_size=20")).json()

    assert len([r for r in rows if "常见" in r[1]]) > search.bound(6000) > len([r for r in rows if "稀有" in r[1]])
    dense = asyncio.run(get("常见"))
    assert dense["filtered_table_rows_count"] is None  # more than the bound: not counted, never wrong
    expected = [r[0] for r in rows if "常见" in r[1]][:20]
    assert [r["id"] for r in dense["rows"]] == expected
    sparse = asyncio.run(get("稀有"))
    assert sparse["filtered_table_rows_count"] == len([r for r in rows if "稀有" in r[1]])
    narrowed = asyncio.run(get("稀有&id__gt=3000"))  # with another filter: counted, not the list's length
    assert narrowed["filtered_table_rows_count"] == len([r for r in rows if "稀有" in r[1] and r[0] > 3000])
    dense_narrowed = asyncio.run(get("常见&id__gt=5990"))
    assert dense_narrowed["filtered_table_rows_count"] == len([r for r in rows if "常见" in r[1] and r[0] > 5990])
    html = asyncio.run(ds.client.get("/big/t?_search=常见")).text
    # the default page (sorted by the rowid) counts at most PAGE_BOUND matches beyond its rows
    assert f"超过 {min(search.bound(6000), search.PAGE_BOUND):,} 行" in html


def test_default_facets_of_a_frequent_search_list_the_matches_once(tmp_path):
    """A table with default facets (as every served table has): the facets of a search above the
    bound are counted over the matches, and SQLite is never asked for a per-row probe in an
    aggregate (the page's probing plan stops after a few matches; an aggregate would read them all)."""
    import asyncio

    from datasette.app import Datasette

    from govdata.serve import search

    path = tmp_path / "big.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, kind TEXT)")
    rows = [(i, f"杭州{'常见' if i % 3 else '少见'}公司{i}", "甲乙丙"[i % 3]) for i in range(1, 9001)]
    db.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    db.commit()
    db.close()
    searchindex.write(path, "t", ["name"])
    meta = {"databases": {"big": {"tables": {"t": {"search_table": "t__search", "facets": ["kind"]}}}}}
    ds = Datasette(
        immutables=[str(path)],
        metadata=meta,
        inspect_data={"big": {"tables": {"t": {"count": 9000}}}},
        settings={"suggest_facets": False, "facet_time_limit_ms": 60_000},
        template_dir=str(Path(search.__file__).parent / "templates"),
    )
    statements: list[str] = []

    async def get() -> dict:
        await ds.invoke_startup()
        search.install(ds)
        ds.get_database("big").answerers.append(lambda sql, params: statements.append(sql))  # what SQLite runs
        return (await ds.client.get("/big/t.json?_search=常见&_size=5")).json()

    matches = [r for r in rows if "常见" in r[1]]
    assert len(matches) > search.bound(9000)
    data = asyncio.run(get())
    kinds = {x["value"]: x["count"] for x in data["facet_results"]["kind"]["results"]}
    assert kinds == {k: n for k in "甲乙丙" if (n := sum(1 for r in matches if r[2] == k))}
    assert any(search.DENSE in s for s in statements)  # the page probes …
    facet_sql = [s for s in statements if " group by " in s]
    assert facet_sql and not any("rowid = " in s or search.DENSE in s for s in facet_sql)  # … the facet does not


def test_search_pages_in_rowid_order_read_only_the_page(tmp_path):
    """Sorted by the rowid (the default), a search page is the first matches after the previous
    page: walking every page (ascending and descending, dense and sparse) yields exactly the
    matching rows in order; the count stays honest; facets and the CSV stream see every match;
    a table sorted by something else is still right."""
    import asyncio
    import csv
    import io

    from datasette.app import Datasette

    path = tmp_path / "big.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, kind TEXT)")
    rows = [(i, f"杭州{'稀有' if i % 997 == 0 else '常见'}公司{i}", "甲乙丙"[i % 3]) for i in range(1, 6001)]
    db.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    db.execute("CREATE TABLE k (code TEXT PRIMARY KEY, name TEXT)")  # sorted by a text key, not the rowid
    db.executemany("INSERT INTO k VALUES (?, ?)", [(f"{9999 - i:05d}", f"常见{i}") for i in range(300)])
    db.commit()
    db.close()
    searchindex.write(path, "t", ["name", "kind"])
    searchindex.write(path, "k", ["name"])
    meta = {
        "databases": {
            "big": {
                "tables": {
                    "t": {"search_table": "t__search", "sort": "id", "rowid_column": "id"},
                    "k": {"search_table": "k__search", "sort": "code"},
                }
            }
        }
    }
    ds = Datasette(
        immutables=[str(path)],
        metadata=meta,
        inspect_data={"big": {"tables": {"t": {"count": 6000}, "k": {"count": 300}}}},
        settings={"suggest_facets": False},
        template_dir=str(Path(search.__file__).parent / "templates"),
    )

    async def walk(url: str, dense: bool = True) -> tuple[list, list]:
        url_table = url.split("/")[2].split(".")[0]
        await ds.invoke_startup()
        seen, counts, plans = [], [], set()
        while url:
            page = (await ds.client.get(url)).json()
            seen += [r["id"] if "id" in r else r["code"] for r in page["rows"]]
            counts.append(page["filtered_table_rows_count"])
            plans.add("ORDER BY rowid" in page["query"]["sql"])
            url = page["next_url"] and page["next_url"].replace("http://localhost", "")
        # the page plan: more matches than are counted, sorted by the rowid, and only then (fewer
        # matches: the page reads the rowids the count listed)
        assert plans == {url_table == "t" and dense}
        return seen, counts

    for word, desc in (("常见", False), ("常见", True), ("稀有", False), ("稀有", True)):
        expected = [r[0] for r in rows if word in r[1]]
        order = "&_sort_desc=id" if desc else ""
        dense = len(expected) > min(search.bound(6000), search.PAGE_BOUND)
        got, counts = asyncio.run(walk(f"/big/t.json?_search={word}&_shape=objects&_size=500{order}", dense))
        assert got == (expected[::-1] if desc else expected), (word, desc)
        assert set(counts) == ({None} if len(expected) > search.bound(6000) else {len(expected)})

    async def get(url: str):
        await ds.invoke_startup()
        return await ds.client.get(url)

    facets = asyncio.run(get("/big/t.json?_search=稀有&_facet=kind")).json()["facet_results"]
    facet_counts = {f["value"]: f["count"] for f in (facets.get("results", facets))["kind"]["results"]}
    rare = [r for r in rows if "稀有" in r[1]]
    assert facet_counts == {k: sum(1 for r in rare if r[2] == k) for k in "甲乙丙" if any(r[2] == k for r in rare)}
    streamed = list(csv.DictReader(io.StringIO(asyncio.run(get("/big/t.csv?_search=常见&_stream=on&_size=max")).text)))
    assert [int(r["id"]) for r in streamed] == [r[0] for r in rows if "常见" in r[1]]
    by_code, _ = asyncio.run(walk("/big/k.json?_search=常见&_shape=objects&_size=100"))
    assert by_code == sorted(f"{9999 - i:05d}" for i in range(300))


def test_one_character_searches_are_admitted_as_heavy_work():
    """A one-character word is an FTS5 prefix query (every token starting with it merged before the
    first row): it takes the heavy budget, so it cannot starve cheap pages; longer words are
    ordinary searches."""
    from govdata.serve.admission import kind_of

    assert kind_of("/db/t.json", [("_search", "罚款")]) == "search"
    assert kind_of("/db/t", [("_search", "3301 罚款")]) == "search"
    for q in ("3", "公", "罚 款", " a "):
        assert kind_of("/db/t.json", [("_search", q)]) == "heavy", q


def test_requests_that_read_many_rows_are_admitted_through_a_budget():
    """Found by an outside attack: releases joined on demand, whole database files and filters over
    a range of rows (each with a count and the default facets over what they select) ran as cheap
    pages; an equality filter (an index lookup, its count known in advance) stays cheap."""
    from govdata.serve.admission import kind_of

    assert kind_of("/datasets/hz-shuanggongshi/diff.json", [("from", "a"), ("to", "b")]) == "heavy"
    assert kind_of("/hz-shuanggongshi.db", []) == "heavy"
    for key in ("aqi__gt", "aqi__lte", "level__not", "level__in", "note__isnull", "day__date", "tags__arraycontains"):
        assert kind_of("/db/t.json", [(key, "1")]) == "search", key
    assert kind_of("/db/t.json", [("region_code", "330106")]) is None
    assert kind_of("/db/t.json", [("region_code__exact", "330106")]) is None
    assert kind_of("/datasets/hz-shuanggongshi", []) is None and kind_of("/downloads/x/y.db", []) is None


@pytest.mark.parametrize("sep", ["，", "、", "；", ";", ",", "\u200b "])
def test_terms_listed_with_chinese_punctuation_are_separate_words(live_server, sep):
    """处罚，许可 is two words as 处罚 许可 is, in the catalogue, in CKAN and in a table; a pasted
    zero-width space or direction mark is no part of a word (they found nothing: judge P24)."""
    with httpx.Client(base_url=live_server, timeout=30) as c:

        def names(q):
            res = c.get("/api/3/action/package_search", params={"q": q, "rows": 100}).json()["result"]
            return {p["name"] for p in res["results"]}

        def count(q):
            url = "/hz-shuanggongshi/penalties.json"
            return c.get(url, params={"_search": q, "_size": 0}).json()["filtered_table_rows_count"]

        assert names(f"处罚{sep}许可") == names("处罚 许可") and names("处罚 许可")
        assert names(f"处罚{sep}") == names("处罚")
        assert count(f"罚款{sep}示例") == count("罚款 示例") > 0
        page = c.get("/datasets", params={"q": f"处罚{sep}许可"}).text
        assert all(f'href="/datasets/{n}"' in page for n in names("处罚 许可"))


def test_words_keep_numbers_with_thousands_separators():
    assert textsearch.words("1,000 元") == ["1,000", "元"]
    assert textsearch.words("处罚\u200e\u200b许可") == ["处罚许可"]


def test_codes_are_found_as_citizens_type_them(live_server):
    """pm25 finds what PM2.5 finds, as does pm2.5 (judge P23): codes written with punctuation are
    also indexed run together."""

    def names(q):
        res = httpx.get(f"{live_server}/api/3/action/package_search", params={"q": q, "rows": 100}).json()["result"]
        return {p["name"] for p in res["results"]}

    assert "hz-air-quality-daily" in names("PM2.5")
    assert names("pm25") >= names("PM2.5") and names("PM25") == names("pm25")
    page = httpx.get(f"{live_server}/datasets", params={"q": "pm25"}).text
    assert 'href="/datasets/hz-air-quality-daily"' in page
