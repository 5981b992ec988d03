"""The fast path for big files (DuckDB's strict read beside a byte pass, no Python structure pass)
gives exactly the findings of the precise path, and hands over to it whenever the file is not
plain: blank lines, NUL bytes, invalid UTF-8, ragged rows, unterminated quotes."""

from __future__ import annotations

import shutil

import pytest

import sqlite3

import duckdb

from govdata.publish.builder import build
from govdata.publish.speculative import Speculation
from govdata.checks import privacy, resource, runner, source
from govdata.checks.rules import personal_data
from govdata.errors import BuildError
from govdata.checks import proof as proof_mod
from govdata.checks.prepared import Prepared
from govdata.checks.proof import prove
from govdata.checks.table import TableChecks
from tests.conftest import edited_yaml
from tests.test_gate_corpus import CORPUS, _check, _rename, _world

ROW = "{i},杭州云帆科技有限公司第{i}分公司,330106,2024-01-05,{amount}\n"
ROWS = 80_000  # ~5 MB: above the fast-path threshold set below


def _big(problems: dict[int, bytes]) -> bytes:
    """A big items.csv; ``problems`` replaces the line of the given row number (header = row 1)."""
    lines = [b"id,company,region_code,decided,amount\n"]
    for i in range(1, ROWS + 1):
        lines.append(problems.get(i + 1, ROW.format(i=i, amount=i % 977).encode()))
    return b"".join(lines)


CASES = {
    "clean": {},
    "late type and constraint errors": {
        70_000: b"69999,x,33010,2024-13-01,-5\n",
        79_000: b"78999,,330106,2024-01-05,abc\n",
    },
    "duplicate key": {50_000: b"5,dup,330106,2024-01-05,1\n"},
    "repeated header": {50_000: b"id,company,region_code,decided,amount\n"},
    "blank line": {40_000: b"\n", 60_000: b"59999,x,330106,bad-date,1\n"},
    "whitespace-only line is a row": {40_000: b",,,,\n"},
    "NUL byte": {30_000: b"29999,a\x00b,330106,2024-01-05,1\n"},
    "invalid UTF-8": {30_000: b"29999,\xff\xfe,330106,2024-01-05,1\n"},
    "ragged row": {30_000: b"29999,x,330106,2024-01-05,1,extra\n", 30_001: b"30000,x,330106\n"},
    "unterminated quote": {75_000: b'74999,"x,330106,2024-01-05,1\n'},
    "CRLF blank line": {20_000: b"\r\n"},
    "personal data": {60_000: "59999,联系人身份证330106199003070022,330106,2024-01-05,1\n".encode()},
    "full-width e-mail": {60_000: "59999,联系ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ,330106,2024-01-05,1\n".encode()},
    "digit runs that are not personal data": {
        10: "9,编号91330106123456789X公司,330106,2024-01-05,1\n".encode(),
        11: "10,电话10012345678,330106,2024-01-05,1\n".encode(),
    },
    "identity card in full-width digits": {
        60_000: "59999,身份证３３０１０６１９９００３０７００２２,330106,2024-01-05,1\n".encode()
    },
    "identity card written apart": {60_000: "59999,证件号 330106 19900307 0022,330106,2024-01-05,1\n".encode()},
    "mobile written apart": {70_000: "69999,手机 138－1234－5678,330106,2024-01-05,1\n".encode()},
    "digit groups that are not personal data": {
        10: "9,电话0571-8765-4321 区间1000-2000 2024-01-05 12:00,330106,2024-01-05,1\n".encode(),
        11: "10,证件号 330106 19900307 0023 编号１２３４５６７８９０１２,330106,2024-01-05,1\n".encode(),
        12: "11,卡号 6222 0212 3456 7890 121,330106,2024-01-05,1\n".encode(),
    },
    "mobile number": {70_000: "69999,联系电话13812345678,330106,2024-01-05,1\n".encode()},
    "mobile number and a late type error": {
        60_000: "59999,联系电话13812345678,330106,2024-01-05,1\n".encode(),
        70_000: b"69999,x,330106,2024-13-01,1\n",
    },
    "e-mail address": {70_000: "69999,联系 a.b@example.com,330106,2024-01-05,1\n".encode()},
    "quoted cell with personal data": {70_000: '69999,"电话,13812345678",330106,2024-01-05,1\n'.encode()},
    "spreadsheet formula": {
        70_000: b"69999,=HYPERLINK(1),330106,2024-01-05,1\n",
        70_001: b"70000,-5,330106,2024-01-05,1\n",
    },
    "quote after a space": {70_000: b'69999,x,330106,2024-01-05, "1"\n', 70_001: b"70000,x,330106,2024-01-05,x\n"},
    "quoted clean cell": {70_000: '69999,"云帆,公司",330106,2024-01-05,1\n'.encode()},
    "mobile in the last line without a newline": {ROWS + 1: f"{ROWS},电话13812345678,330106,2024-01-05,1".encode()},
}
CLEAN = {
    "clean",
    "digit runs that are not personal data",
    "digit groups that are not personal data",
    "quoted clean cell",
}
WARNED = {"spreadsheet formula": [("spreadsheet-formula", 70_000, "company", "warning")]}


def _findings(base_catalog, tmp_path, data: bytes, quick: int, monkeypatch, foreign_key: bool) -> list[tuple]:
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", quick)
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    if not foreign_key:  # without one the fast path may prove the file clean in one streaming pass
        descriptor = target / "datapackage.yaml"
        text = descriptor.read_text(encoding="utf-8")
        descriptor.write_text(text[: text.index("    foreignKeys:")], encoding="utf-8")
    (target / "data" / "items.csv").write_bytes(data)
    report = _check(root, target)
    shutil.rmtree(root)
    return sorted((f.code, f.row, f.field, f.severity) for f in report.findings), report.stats


@pytest.mark.parametrize("foreign_key", [True, False], ids=["materialised", "streamed"])
@pytest.mark.parametrize("case", list(CASES))
def test_fast_path_equals_precise_path(case, foreign_key, base_catalog, tmp_path, monkeypatch):
    data = _big(CASES[case])
    assert len(data) > 4 * 1024**2
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    proofs = []

    def recording(*args, **kwargs):
        proofs.append(prove(*args, **kwargs))
        return proofs[-1]

    monkeypatch.setattr(resource, "prove", recording)
    fast, fast_stats = _findings(base_catalog, tmp_path / "a", data, 1024**2, monkeypatch, foreign_key)
    precise, precise_stats = _findings(base_catalog, tmp_path / "b", data, 1024**3, monkeypatch, foreign_key)
    assert fast == precise
    assert [(s.rows_read, s.rows_with_findings) for s in fast_stats] == [
        (s.rows_read, s.rows_with_findings) for s in precise_stats
    ]
    if case in CLEAN:
        assert not [f for f in fast if f[3] == "error"]
        # the streamed flavour must really have been proven clean in one pass, not materialised
        assert [p.clean for p in proofs] == ([] if foreign_key else [True])
    elif case in WARNED:
        assert fast == WARNED[case]
        assert [p.clean for p in proofs] == ([] if foreign_key else [False])
    else:
        assert [f for f in fast if f[3] == "error"], "the planted problem must be found"


def test_cell_scanner_finds_what_the_sql_prefilter_finds(tmp_path):
    """Fed in tiny chunks (rows across chunk boundaries, CRLF line ends), the byte-level scanner keeps
    exactly the cells DuckDB's prefilter selects, per scanned column."""
    rows = [
        ["1", "电话13812345678", "a@b.cn", "x"],
        ["2", "12345678901234567890", "无", "13812345678"],
        ["3", "普通文本", "", ""],
        ["4", "前1234567890后", "c@d", "99999999999"],
        ["5", "x@y.z 13912345678", "k", "m"],
        # digits touching ASCII letters are never a bounded candidate; a trailing X is an identity card's
        ["6", "JY13812345678", "a13912345678b", "x"],
        ["7", "11010519491231002XY", "证11010519491231002X", "m"],
        # written apart or in full-width digits; office numbers and ranges are candidates, not findings
        ["8", "证 110105 19491231 002X", "0571-8765-4321", "x"],
        ["9", "1000-2000", "手机１３９－1234－5678", "m"],
    ]
    text = "id,name,contact,unscanned\r\n" + "\r\n".join(",".join(r) for r in rows)
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode())
    con = duckdb.connect()
    tables = TableChecks(con)
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string"},
        {"name": "contact", "type": "string"},
        {"name": "unscanned", "type": "string", "constraints": {"enum": ["x", "13812345678", "", "99999999999", "m"]}},
    ]
    lt = tables.stream("d", "r", "t.csv", {"fields": fields}, Prepared(path=path))
    scanner = privacy.scanner_for(lt)
    assert set(scanner.columns.values()) == {"id", "name", "contact"}
    for i in range(0, len(text.encode()), 7):
        scanner.feed(text.encode()[i : i + 7])
    scanner.finish()
    assert scanner.usable
    expected, candidates = set(), 0
    for f in lt.fields[:3]:
        for group, test in (
            (("id_card", "mobile", "bank_card"), privacy._digits_test(f)),
            (("email",), f"contains({f.col}, '@')"),
        ):
            values = [v for (v,) in con.execute(f"SELECT {f.col} FROM {lt.table} WHERE {test}").fetchall()]
            candidates += len(values)
            expected |= {(f.name, kind) for kind in group for v in values if personal_data.holds(kind, v)}
    # the SQL prefilter also selects runs of digits touching letters; the scanner skips them at once
    assert (scanner.candidates, candidates) == (10, 13)
    assert scanner.found == expected
    assert expected == {
        ("name", "mobile"),
        ("name", "id_card"),
        ("contact", "email"),
        ("contact", "id_card"),
        ("contact", "mobile"),
    }
    assert not scanner.hold_none()
    quoted = privacy.scanner_for(lt)
    quoted.feed(b'id,name\n1,"a"\n')
    assert not quoted.usable


def _big_world(base_catalog, tmp_path, data: bytes):
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    with edited_yaml(target / "datapackage.yaml") as spec:
        res = spec["resources"][0]
        res["schema"].pop("foreignKeys")
        res["filterable"] = ["region_code"]
    (target / "data" / "items.csv").write_bytes(data)
    return root


def test_big_clean_file_is_served_from_the_load_started_beside_the_checks(base_catalog, tmp_path, monkeypatch):
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 1024**2)
    root = _big_world(base_catalog, tmp_path, _big({}))
    taken = []
    original = Speculation.take
    monkeypatch.setattr(
        Speculation, "take", lambda self, lt: taken.append((lt.dataset, original(self, lt))) or taken[-1][1]
    )
    result = build(root, tmp_path / "out")
    assert [(name, t is not None) for name, t in taken if name == "case"] == [("case", True)], (
        "the speculative SQLite load must be the one kept"
    )
    db = sqlite3.connect(result.path / "site" / "case.db")
    assert db.execute("SELECT count(*), sum(amount), count(DISTINCT region_code) FROM items").fetchone() == (
        ROWS,
        sum(i % 977 for i in range(1, ROWS + 1)),
        1,
    )
    assert db.execute("SELECT id, company, decided FROM items WHERE id = 12345").fetchone() == (
        12345,
        "杭州云帆科技有限公司第12345分公司",
        "2024-01-05",
    )
    assert "idx_items_region_code" in {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    wh = duckdb.connect(str(result.path / "warehouse" / "case.duckdb"), read_only=True)
    assert wh.execute("SELECT count(*), sum(amount) FROM items").fetchone() == (
        ROWS,
        sum(i % 977 for i in range(1, ROWS + 1)),
    )


def _spy_fused(monkeypatch) -> list[tuple[str, dict, str]]:
    """(dataset, counts, warehouse table kept) for every fused proof-and-load of a build."""
    seen = []
    real = proof_mod._load_and_count
    monkeypatch.setattr(
        proof_mod,
        "_load_and_count",
        lambda tables, lt, privacy, into: (
            seen.append((lt.dataset, real(tables, lt, privacy, into), lt.warehoused)) or seen[-1][1]
        ),
    )
    return seen


def test_big_clean_file_is_proven_and_warehoused_in_one_read(base_catalog, tmp_path, monkeypatch):
    """In a build the proof's pass also writes the typed warehouse table (plus a flag column,
    dropped once counted): the table is the one published, typed like the precise path's."""
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 1024**2)
    root = _big_world(base_catalog, tmp_path, _big({}))
    seen = _spy_fused(monkeypatch)
    result = build(root, tmp_path / "out")
    assert [(name, counts["rows"], kept) for name, counts, kept in seen if name == "case"] == [
        ("case", ROWS, 'wh."case"."items"')
    ]
    assert not any(n for label, n in seen[-1][1].items() if label != "rows")
    wh = duckdb.connect(str(result.path / "warehouse" / "case.duckdb"), read_only=True)
    assert [(c, t) for c, t, *_ in wh.execute("DESCRIBE items").fetchall()] == [
        ("id", "BIGINT"),
        ("company", "VARCHAR"),
        ("region_code", "VARCHAR"),
        ("decided", "DATE"),
        ("amount", "DOUBLE"),
    ]
    assert wh.execute("SELECT decided, amount FROM items WHERE id = 12345").fetchone() == (
        __import__("datetime").date(2024, 1, 5),
        12345 % 977,
    )
    # the CSV download was copied at the start of the build (builder._start_early_work), byte for byte
    data = next((root / "datasets").glob("*/case/data/items.csv")).read_bytes()
    assert (result.path / "downloads" / "case" / "items.csv").read_bytes() == data


def test_failed_proof_drops_the_fused_table_and_the_precise_path_loads_it(base_catalog, tmp_path, monkeypatch):
    """A cell over the size limit in bytes but not in characters fails the proof (it counts bytes);
    the precise path finds nothing, so the build goes on and loads the warehouse from its own table."""
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 1024**2)
    long_text = "长" * 40_000  # 120,000 bytes, 40,000 characters: under the 100,000-character limit
    root = _big_world(base_catalog, tmp_path, _big({500: f"499,{long_text},330106,2024-01-05,1\n".encode()}))
    seen = _spy_fused(monkeypatch)
    result = build(root, tmp_path / "out")
    assert [(name, counts["row-checks"] > 0, kept) for name, counts, kept in seen if name == "case"] == [
        ("case", True, "")
    ]
    assert result.report.ok
    wh = duckdb.connect(str(result.path / "warehouse" / "case.duckdb"), read_only=True)
    assert wh.execute("SELECT count(*), max(length(company)) FROM items").fetchone() == (ROWS, 40_000)
    assert proof_mod.FLAG not in {c for c, *_ in wh.execute("DESCRIBE items").fetchall()}


def test_big_file_with_an_error_fails_and_its_speculative_database_never_goes_live(base_catalog, tmp_path, monkeypatch):
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 1024**2)
    root = _big_world(base_catalog, tmp_path, _big({70_000: b"69999,x,330106,2024-13-01,1\n"}))
    with pytest.raises(BuildError):
        build(root, tmp_path / "out")
    assert not (tmp_path / "out" / "current").exists()
    assert not list((tmp_path / "out" / "builds").glob("*/site/case.db"))


def _masked_world(base_catalog, tmp_path, bad_row: int | None):
    """A big file with a phone column declared masked; ``bad_row`` holds an unmasked number."""
    lines = [b"id,company,region_code,decided,amount,phone\n"]
    for i in range(1, ROWS + 1):
        phone = "13812345678" if i == bad_row else "138****5678"
        lines.append(f"{i},c{i},330106,2024-01-05,{i % 977},{phone}\n".encode())
    root = _big_world(base_catalog, tmp_path, b"".join(lines))
    with edited_yaml(next((root / "datasets").glob("*/case/datapackage.yaml"))) as spec:
        spec["resources"][0]["schema"]["fields"].append(
            {
                "name": "phone",
                "type": "string",
                "title": "联系电话",
                "description": "电话。",
                "personal": "mobile",
                "masked": True,
            }
        )
    return root


def test_unmasked_value_in_a_masked_column_is_found_on_the_fast_path(base_catalog, tmp_path, monkeypatch):
    """The one-pass proof counts unmasked values of declared masked columns (check_privacy leaves
    streamed tables to it): the fast path reports the row as the precise path does, and the build
    fails instead of publishing the number."""
    found = {}
    for name, threshold in (("fast", 1024**2), ("precise", 1024**3)):
        monkeypatch.setattr(source, "QUICK_SCAN_BYTES", threshold)
        root = _masked_world(base_catalog, tmp_path / name, 501)
        run = runner.run_checks(root)
        try:
            found[name] = sorted((f.code, f.row, f.field) for f in run.report.findings if f.dataset == "case")
        finally:
            run.close()
    assert found["fast"] == found["precise"] and ("masking-error", 502, "phone") in found["fast"]
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 1024**2)
    with pytest.raises(BuildError):
        build(_masked_world(base_catalog, tmp_path / "build", 501), tmp_path / "out")
    clean = build(_masked_world(base_catalog, tmp_path / "clean", None), tmp_path / "out2")
    assert sqlite3.connect(clean.path / "site" / "case.db").execute(
        "SELECT count(*) FROM items WHERE phone NOT LIKE '%*%'"
    ).fetchone() == (0,)


def test_an_error_after_the_fused_load_leaves_no_table_behind(base_catalog, tmp_path, monkeypatch):
    """When the personal-data step fails after the fused load kept its table, the table is dropped
    and the precise path loads the warehouse itself (no "table already exists")."""
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 1024**2)
    root = _big_world(base_catalog, tmp_path, _big({}))
    calls = []

    def failing_scan(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise duckdb.InvalidInputException("injected failure")
        return original(*args, **kwargs)

    original = proof_mod.candidate_counts
    monkeypatch.setattr(proof_mod, "candidate_counts", lambda lt: failing_scan(lt))
    monkeypatch.setattr(resource, "scanner_for", lambda lt: None)  # the SQL candidate count, not the byte scanner
    result = build(root, tmp_path / "out")
    assert calls, "the SQL candidate count must have run"
    wh = duckdb.connect(str(result.path / "warehouse" / "case.duckdb"), read_only=True)
    assert wh.execute("SELECT count(*) FROM items").fetchone() == (ROWS,)


def test_a_failed_proof_does_not_look_again_for_personal_data_the_byte_pass_did_not_see(
    base_catalog, tmp_path, monkeypatch
):
    """A big file read again after its proof failed (a type error): the byte pass's scan of every
    cell found no personal data, so the SQL candidate scan does not run; when it found some, the
    precise path looks for it as before (rows reported)."""
    calls = []
    original = privacy._suspects
    monkeypatch.setattr(privacy, "_suspects", lambda tables, lt: calls.append(lt.resource) or original(tables, lt))
    late_error = {70_000: b"69999,x,330106,2024-13-01,1\n"}
    found, _ = _findings(base_catalog, tmp_path / "a", _big(late_error), 1024**2, monkeypatch, False)
    assert found == [("type-error", 70_000, "decided", "error")] and calls == []
    with_mobile = {**late_error, 60_000: "59999,联系电话13812345678,330106,2024-01-05,1\n".encode()}
    found, _ = _findings(base_catalog, tmp_path / "b", _big(with_mobile), 1024**2, monkeypatch, False)
    assert ("personal-data", 60_000, "company", "error") in found and calls == ["items"]


def test_a_quote_after_a_space_is_found_with_or_without_other_quotes():
    """The byte pass looks for `, "` only in chunks that hold a quote at all."""
    from govdata.checks.bytescan import has_spaced_quote

    cases = {b'1,x, "2"\n': True, b'1,"x", "2"\n': True, b'1,"x","2"\n': False, b"1,x, 2\n": False, b'"': False}
    assert {data: has_spaced_quote(data) for data in cases} == cases
    assert [has_spaced_quote(data) for data in cases] == [b', "' in data for data in cases]
