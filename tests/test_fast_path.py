"""The fast path for big files (DuckDB's strict read beside a byte pass, no Python structure pass)
gives exactly the findings of the precise path, and hands over to it whenever the file is not
plain: blank lines, NUL bytes, invalid UTF-8, ragged rows, unterminated quotes."""

from __future__ import annotations

import shutil

import pytest

from govdata.checks import source
from tests.test_gate_corpus import CORPUS, _check, _rename, _world
from tests.test_gate_corpus import base_catalog  # noqa: F401  (fixture)

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
    "late type and constraint errors": {70_000: b"69999,x,33010,2024-13-01,-5\n", 79_000: b"78999,,330106,2024-01-05,abc\n"},
    "duplicate key": {50_000: b"5,dup,330106,2024-01-05,1\n"},
    "blank line": {40_000: b"\n", 60_000: b"59999,x,330106,bad-date,1\n"},
    "whitespace-only line is a row": {40_000: b",,,,\n"},
    "NUL byte": {30_000: b"29999,a\x00b,330106,2024-01-05,1\n"},
    "invalid UTF-8": {30_000: b"29999,\xff\xfe,330106,2024-01-05,1\n"},
    "ragged row": {30_000: b"29999,x,330106,2024-01-05,1,extra\n", 30_001: b"30000,x,330106\n"},
    "unterminated quote": {75_000: b'74999,"x,330106,2024-01-05,1\n'},
    "CRLF blank line": {20_000: b"\r\n"},
    "personal data": {60_000: "59999,联系人身份证330106199003070022,330106,2024-01-05,1\n".encode()},
}


def _findings(base_catalog, tmp_path, data: bytes, quick: int, monkeypatch) -> list[tuple]:
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", quick)
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    (target / "data" / "items.csv").write_bytes(data)
    report = _check(root, target)
    shutil.rmtree(root)
    return sorted((f.code, f.row, f.field, f.severity) for f in report.findings), report.stats


@pytest.mark.parametrize("case", list(CASES))
def test_fast_path_equals_precise_path(case, base_catalog, tmp_path, monkeypatch):
    data = _big(CASES[case])
    assert len(data) > 4 * 1024**2
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fast, fast_stats = _findings(base_catalog, tmp_path / "a", data, 1024**2, monkeypatch)
    precise, precise_stats = _findings(base_catalog, tmp_path / "b", data, 1024**3, monkeypatch)
    assert fast == precise
    assert [(s.rows_read, s.rows_with_findings) for s in fast_stats] == \
        [(s.rows_read, s.rows_with_findings) for s in precise_stats]
    if case == "clean":
        assert not [f for f in fast if f[3] == "error"]
    else:
        assert [f for f in fast if f[3] == "error"], "the planted problem must be found"
