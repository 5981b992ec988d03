"""Oversight pages read from the catalogue's own derived datasets (:mod:`govdata.oversight.derived`):
the annual-report tables of a publisher and year in the official layout (HTML, CSV, XLSX, JSON) and
the publication-deadline checks. What the pages show is what the JSON API and downloads serve.
"""

from __future__ import annotations

import csv
import io
import re

from datasette.utils.asgi import Response

from govdata.oversight import reportformat as fmt
from govdata.serve.portal import catalogue, not_found, render

CELL_COLUMNS = ["publisher", "year", "table", "row", "row_label", "column", "column_label", "value", "source"]


def _derived(datasette, resource: str) -> str | None:
    """The derived dataset that publishes ``resource`` (its database name), if the build has it."""
    ix = catalogue(datasette)
    for d in ix.datasets if ix else []:
        if d.get("derived") and any(r["name"] == resource for r in d.get("resources") or []):
            return d["id"]
    return None


async def _rows(datasette, db_name: str, sql: str, params: dict) -> list[dict]:
    db = datasette.get_database(db_name)
    res = await db.execute(sql, params)
    return [dict(zip(res.columns, row)) for row in res.rows]


def _layout(cells: list[dict], lang: str = "zh") -> dict:
    """The report's cells arranged as the format's three tables, labelled in ``lang``."""
    say = fmt.english if lang == "en" else (lambda label: label)
    v = {(c["table"], c["row"], c["column"]): c for c in cells}
    active = [
        (
            row,
            f"{say(section)} {say(label)}",
            [(col, say(col_label), v.get(("二", row, col))) for col, col_label in cols],
        )
        for row, label, cols, section in fmt.ACTIVE + fmt.ADDENDUM
    ]
    columns = [(c, say(label)) for c, label in fmt.APPLICANTS + [fmt.APPLICANT_TOTAL]]
    applications = [
        (code, say(label), [v.get(("三", code, c)) for c, _ in columns]) for code, _, label in fmt.application_rows()
    ]
    outcomes = [(c, say(label)) for c, label in fmt.OUTCOMES + [fmt.OUTCOME_TOTAL]]
    appeals = [
        (say(g_label), [v.get(("四", "4", f"{group}.{c}")) for c, _ in outcomes]) for group, g_label in fmt.APPEALS
    ]
    return {
        "active": active,
        "columns": columns,
        "applications": applications if any(c["table"] == "三" for c in cells) else [],
        "outcomes": outcomes,
        "appeals": appeals if any(c["table"] == "四" for c in cells) else [],
    }


def _xlsx(publisher: str, year: int, layout: dict) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("二 主动公开")
    sheet.write_row(0, 0, [f"{publisher} {year}年 二、{fmt.TABLES['二']}"], bold)
    r = 1
    for row, label, cols in layout["active"]:
        for _col, col_label, cell in cols:
            sheet.write_row(
                r, 0, [row, label, col_label, cell["value"] if cell else None, cell["source"] if cell else ""]
            )
            r += 1
    if layout["applications"]:
        sheet = book.add_worksheet("三 依申请公开")
        sheet.write_row(0, 0, ["行号", "项目"] + [label for _, label in layout["columns"]], bold)
        for r, (code, label, cells) in enumerate(layout["applications"], start=1):
            sheet.write_row(r, 0, [code, label] + [c["value"] if c else None for c in cells])
    if layout["appeals"]:
        sheet = book.add_worksheet("四 复议诉讼")
        sheet.write_row(0, 0, ["类别"] + [label for _, label in layout["outcomes"]], bold)
        for r, (label, cells) in enumerate(layout["appeals"], start=1):
            sheet.write_row(r, 0, [label] + [c["value"] if c else None for c in cells])
    book.close()
    return buf.getvalue()


async def annual_report(datasette, request):
    """``/oversight/annual-report`` (the reports available), ``/oversight/annual-report/<publisher>/<year>``
    and its ``.csv``, ``.xlsx`` and ``.json``."""
    db_name = _derived(datasette, "cells")
    ix = catalogue(datasette)
    if db_name is None or ix is None:
        return await not_found(datasette, request)
    publisher, year, form = (request.url_vars.get(k) for k in ("publisher", "year", "format"))
    if publisher is None:
        found = await _rows(
            datasette,
            db_name,
            "select publisher, year, max(\"table\" = '三') as given from cells "
            "group by publisher, year order by year desc, publisher",
            {},
        )
        return await render(datasette, request, "portal_annual_reports.html", {"reports": found, "dataset": db_name})
    if publisher not in ix.publishers:
        return await not_found(datasette, request)
    cells = await _rows(
        datasette,
        db_name,
        "select * from cells where publisher = :p and year = :y order by rowid",
        {"p": publisher, "y": int(year)},
    )
    if not cells:
        return await not_found(datasette, request)
    layout = _layout(cells)
    name = f"annual-report-{publisher}-{year}"
    if form == "json":
        from govdata.serve.jsonutf8 import dumps

        return Response(
            dumps({"publisher": publisher, "year": int(year), "cells": cells}),
            content_type="application/json; charset=utf-8",
            headers={"Access-Control-Allow-Origin": "*"},
        )
    if form == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CELL_COLUMNS, lineterminator="\r\n", extrasaction="ignore")
        writer.writeheader()
        for c in cells:
            writer.writerow(
                {k: ("'" + v if isinstance(v, str) and re.match(r"^[=+\-@]", v) else v) for k, v in c.items()}
            )
        return Response(
            "\ufeff" + out.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if form == "xlsx":
        return Response(
            _xlsx(publisher, int(year), layout),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    from govdata.serve import i18n

    lang = i18n.choose(request)
    tables = {k: (fmt.english(v) if lang == "en" else v) for k, v in fmt.TABLES.items()}
    return await render(
        datasette,
        request,
        "portal_annual_report.html",
        {
            "p": ix.publishers[publisher],
            "year": int(year),
            "layout": _layout(cells, lang),
            "tables": tables,
            "dataset": db_name,
        },
    )


async def deadlines(datasette, request):
    """``/oversight/deadlines``: every publication deadline checked, late first."""
    db_name = _derived(datasette, "deadlines")
    if db_name is None:
        return await not_found(datasette, request)
    rows = await _rows(
        datasette,
        db_name,
        "select * from deadlines order by case status when 'late' then 0 "
        "when 'on_time' then 1 else 2 end, late_by desc, rule, subject",
        {},
    )
    return await render(datasette, request, "portal_deadlines.html", {"rows": rows, "dataset": db_name})
