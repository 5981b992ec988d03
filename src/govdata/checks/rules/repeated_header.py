"""repeated-header: a data row that is the header again (exports joined one after the other, a
header printed on every page). In a table of text fields nothing else sees it: every cell is a
valid string (Frictionless passes it), and it would be published as a row of data."""

from __future__ import annotations

from govdata.checks.rules.base import Check, Row, Table
from govdata.sql import lit


LABELLED = 20


class RepeatedHeader(Check):
    code = "repeated-header"
    title_zh, title_en = "表头在数据中重复出现", "Header repeated in the data"
    hint_zh = "删除数据中重复的表头行（多个导出文件拼接、每页重复打印表头时常见）。"
    hint_en = "Delete the header rows repeated among the data (files joined after export, a header on every page)."
    message_zh, message_en = "该行与表头相同，不是数据", "the row repeats the header: it is not data"

    def table_rows(self, table: Table) -> list[Row]:
        if len(table.fields) < 2:  # one column: a value equal to its name may well be data
            return []
        tests = []
        # the first LABELLED columns are enough to know a header row, and a condition of thousands of
        # terms (a file of 2,000 columns, held long) made DuckDB build gigabytes
        for f in table.fields[:LABELLED]:
            labels = sorted({str(f.field.get("name", "")).strip(), str(f.field.get("title") or "").strip()} - {""})
            if not labels:
                return []
            tests.append((f, f"trim({f.value}) IN ({', '.join(lit(x) for x in labels)})", labels))
        condition = " AND ".join(test for _, test, _ in tests)
        # what the one-pass proof counts: the first cell is a label. A CASE trims only the cells that
        # hold one (a projection evaluates every side of an AND: trimming each cell of every column
        # cost 250 ms a million rows, this 10-20 ms)
        f, test, labels = tests[0]
        holds = " OR ".join(f"contains({f.value}, {lit(x)})" for x in labels)
        reads = tuple(f.name for f, _, _ in tests)
        return [Row("repeated-header", condition, bound=f"CASE WHEN {holds} THEN {test} ELSE false END", reads=reads)]


CHECK = RepeatedHeader()
