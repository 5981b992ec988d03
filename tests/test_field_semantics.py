"""Field semantics in SQL (govdata.checks.sqltypes) that the Frictionless comparison cannot show:
typed values stored in the warehouse, and schema values that cannot be read."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from govdata.checks.sqltypes import FieldSQL


def _typed(field: dict, cells: list[str], zone: str = "America/New_York") -> list:
    """Typed values of ``cells`` on a connection set to ``zone`` (never the platform's UTC), so that
    zoned datetimes must not depend on the machine's zone."""
    con = duckdb.connect()
    con.execute(f"SET TimeZone='{zone}'")
    f = FieldSQL({"name": "c", **field}, [""])
    con.execute("CREATE TABLE t (c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[c] for c in cells])
    return [r[0] for r in con.execute(f"SELECT {f.typed()} FROM t").fetchall()]


def test_zoned_datetimes_are_stored_in_utc_whatever_the_machine_zone():
    utc = dt.datetime(2024, 1, 5, 2, 0)
    assert (
        _typed(
            {"type": "datetime"},
            ["2024-01-05T10:00:00+08:00", "2024-01-05 02:00:00Z", "2024-01-05T10:00:00+0800", "2024-01-05T02:00:00"],
        )
        == [utc] * 4
    )
    assert _typed({"type": "datetime", "format": "%Y-%m-%dT%H:%M:%S%z"}, ["2024-01-05T10:00:00+0800"]) == [utc]


def test_numbers_with_unicode_spaces_are_read():
    assert _typed({"type": "integer"}, ["100\u00a0", "\u3000200", " 7 "]) == [100, 200, 7]
    assert _typed({"type": "number"}, ["1.5\u3000"]) == [1.5]


@pytest.mark.parametrize("constraints", [{"minimum": "2024-13-01T00:00:00"}, {"enum": ["2024-01-01T00:00:00", "x"]}])
def test_an_unreadable_bound_or_enum_value_is_an_error_not_a_silent_pass(constraints):
    """A schema value that is not a datetime must fail loudly (the gate reports a schema-error),
    not turn the comparison into NULL and pass every row."""
    f = FieldSQL({"name": "c", "type": "datetime", "constraints": constraints}, [""])
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT '2000-01-01T00:00:00' AS c")
    [(note, condition)] = f.constraints()
    with pytest.raises(duckdb.Error):
        con.execute(f"SELECT count_if({condition}) FROM t").fetchall()
