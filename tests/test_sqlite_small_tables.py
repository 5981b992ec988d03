"""A small serving table is inserted from Python values, a big one through ADBC and Arrow: both
paths must store the same values with the same SQLite storage classes, for every field type."""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from govdata import duck
from govdata.checks.result import CheckedResource
from govdata.checks.sqltypes import FieldSQL
from govdata.publish import sqlite as sqlite_mod

FIELDS = [
    {"name": "代码", "type": "string"},
    {"name": "n", "type": "integer"},
    {"name": "x", "type": "number"},
    {"name": "ok", "type": "boolean"},
    {"name": "day", "type": "date"},
    {"name": "at", "type": "datetime"},
    {"name": "t", "type": "time"},
    {"name": "y", "type": "year"},
    {"name": "obj", "type": "object"},
    {"name": "ym", "type": "yearmonth"},
]

ROWS = """
    ('浙江省', 9223372036854775807, 1.5, true, DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.25',
     TIME '23:59:59', 2024, '{"a": [1, "二"]}', '2024-02'),
    (NULL, -1, 'nan'::DOUBLE, false, NULL, NULL, NULL, NULL, NULL, NULL),
    ('=1+1', 0, 'inf'::DOUBLE, NULL, DATE '0001-01-01', TIMESTAMP '1970-01-01', TIME '00:00:00', 1, '[]', ''),
    ('', NULL, -0.0, true, DATE '9999-12-31', NULL, NULL, -5, 'null', NULL)
"""


def _load(tmp_path, rows):
    con = duck.connect()
    columns = ", ".join(f'"{f["name"]}" {FieldSQL(f, [""]).duckdb_type}' for f in FIELDS)
    con.execute(f"CREATE TABLE src ({columns})")
    con.execute(f"INSERT INTO src VALUES {ROWS}")
    lt = CheckedResource("ds", "t1", {"fields": FIELDS}, tuple(FieldSQL(f, [""]) for f in FIELDS), "")
    path = tmp_path / f"{rows}.db"
    count = sqlite_mod.write_table(con.cursor(), "src", path, lt, ["n", "day"], [], rows)
    db = sqlite3.connect(path)
    cols = ", ".join(f'"{f["name"]}", typeof("{f["name"]}")' for f in FIELDS)
    out = db.execute(f"SELECT {cols} FROM t1 ORDER BY rowid").fetchall()
    indexes = sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'"))
    db.close()
    return count, out, indexes


def test_small_and_big_paths_store_the_same_values(tmp_path):
    small = _load(tmp_path, 4)
    big = _load(tmp_path, None)
    assert small[0] == big[0] == 4
    assert small[2] == big[2] == ["idx_t1_day", "idx_t1_n"]

    def same(a, b):
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))

    for a, b in zip(small[1], big[1], strict=True):
        assert all(same(x, y) for x, y in zip(a, b, strict=True)), (a, b)
    first = dict(zip([f["name"] for f in FIELDS], small[1][0][::2], strict=True))
    assert first["n"] == 9223372036854775807 and first["day"] == "2024-02-29" and first["ok"] == 1
    assert small[1][1][4:6] == (None, "null")  # NaN is stored as NULL by SQLite on either path
    assert small[1][2][4] == math.inf


def test_a_small_table_does_not_import_the_arrow_stack(tmp_path):
    """The point of the small path: a one-changed build of a small dataset imports neither DuckDB's
    Python layer nor pyarrow (nor numpy, whose BLAS threads then spin)."""
    code = textwrap.dedent(
        f"""
        import sys, pathlib
        sys.path.insert(0, {str(tmp_path.parent)!r})
        from govdata import duck
        from govdata.checks.result import CheckedResource
        from govdata.checks.sqltypes import FieldSQL
        from govdata.publish import sqlite as s
        con = duck.connect()
        con.execute("CREATE TABLE src (a VARCHAR, n BIGINT)")
        con.execute("INSERT INTO src VALUES ('甲', 1), ('乙', 2)")
        fields = [{{"name": "a", "type": "string"}}, {{"name": "n", "type": "integer"}}]
        lt = CheckedResource("ds", "t", {{"fields": fields}}, tuple(FieldSQL(f, [""]) for f in fields), "")
        assert s.write_table(con.cursor(), "src", pathlib.Path({str(tmp_path / "x.db")!r}), lt, ["a"], [], 2) == 2
        print(sorted(m for m in ("duckdb", "pyarrow", "numpy", "adbc_driver_sqlite") if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("rows", [0, sqlite_mod.SMALL_TABLE])
def test_the_bounds_of_the_small_path(tmp_path, rows):
    con = duck.connect()
    con.execute(f"CREATE TABLE src AS SELECT range AS n FROM range({rows})")
    fields = [{"name": "n", "type": "integer"}]
    lt = CheckedResource("ds", "t", {"fields": fields}, tuple(FieldSQL(f, [""]) for f in fields), "")
    path = tmp_path / "t.db"
    assert sqlite_mod.write_table(con.cursor(), "src", path, lt, [], ["n"], rows) == rows
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*), coalesce(sum(n), 0) FROM t").fetchone() == (rows, rows * (rows - 1) // 2)
    db.close()
