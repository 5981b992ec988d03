"""CKAN's ``datastore_search``: rows of a published table read through Datasette (the same SQL
time limit and row cap as the Datasette JSON API)."""

from __future__ import annotations

import csv
import io
from typing import Any

from govdata.serve.ckanparams import (
    MAX_LIKE_TERM,
    MAX_Q,
    MAX_TERMS,
    Directory,
    id_param,
    bool_param,
    int_param,
    invalid,
    json_param,
    not_found,
)

DATASTORE_MAX = 1000  # same cap as the Datasette JSON API (max_returned_rows)

CKAN_TYPES = {"INTEGER": "int", "REAL": "numeric", "TEXT": "text"}
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")


def _records(rows: list[tuple], names: list[str], records_format: str) -> Any:
    """CKAN's record shapes: objects, lists (in ``fields`` order), or CSV / TSV text without a header."""
    if records_format == "objects":
        return [dict(zip(names, r)) for r in rows]
    if records_format == "lists":
        return [list(r) for r in rows]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t" if records_format == "tsv" else ",", lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def datastore_search(d: Directory, params: dict, datasette: Any) -> dict:
    """Search a resource's rows (a CSV resource with ``datastore_active``).

    :param resource_id: the resource's id
    :param filters: ``{"field": value or [values]}``, exact matches
    :param q: text every row must contain (or ``{"field": text}``)
    :param fields: the fields to return (list or comma-separated; default all, with ``_id``)
    :param distinct: distinct rows of ``fields`` only (default False)
    :param sort: ``field [asc|desc]``, comma-separated
    :param limit: the most rows (default 100, at most 1000); :param offset: where to start
    :param include_total: count the matches (default True)
    :param records_format: ``objects`` (default), ``lists``, ``csv`` or ``tsv``
    """
    rid = id_param(params, "resource_id")
    if rid not in d.resources:
        raise not_found("Resource")
    pkg, res = d.resources[rid]
    if not res.get("datastore_active"):
        raise not_found("Resource")
    db = datasette.get_database(pkg["name"])
    table = res["table"]
    info = (await db.execute(f"PRAGMA table_info({_quote(table)})")).rows
    columns = {row["name"]: CKAN_TYPES.get((row["type"] or "TEXT").upper(), "text") for row in info}
    limit = int_param(params, "limit", 100, 0, DATASTORE_MAX)
    offset = int_param(params, "offset", 0, 0)
    fields = json_param(params.get("fields"))
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
        raise invalid("fields", "Must be a list of field names or a comma-separated string")
    with_id = not fields or "_id" in fields  # CKAN: the listed fields only, all (with _id) by default
    fields = fields or list(columns)
    records_format = str(params.get("records_format") or "objects")
    if records_format not in RECORDS_FORMATS:
        raise invalid("records_format", f"Must be one of {', '.join(RECORDS_FORMATS)}")
    distinct = bool_param(params, "distinct", False)
    for f in fields:
        if f not in columns and f != "_id":
            raise invalid("fields", f'field "{f}" not in table')
    where, args = [], {}
    filters = json_param(params.get("filters")) or {}
    if not isinstance(filters, dict):
        raise invalid("filters", "Not a JSON object")
    for i, (col, value) in enumerate(filters.items()):
        if col not in columns:
            raise invalid("filters", f'field "{col}" not in table')
        values = value if isinstance(value, list) else [value]
        if not values or not all(v is None or isinstance(v, (str, int, float, bool)) for v in values):
            raise invalid("filters", f'field "{col}": a value or a list of values')
        if any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**63 - 1 for v in values):
            raise invalid("filters", f'field "{col}": integer out of range')
        names = []
        for j, v in enumerate(values):
            args[f"f{i}_{j}"] = v
            names.append(f":f{i}_{j}")
        where.append(f"{_quote(col)} IN ({', '.join(names)})")
    q = json_param(params.get("q"))
    if q:
        text_cols = [c for c, t in columns.items() if t == "text"] or list(columns)
        items = q.items() if isinstance(q, dict) else [(None, q)]
        for k, (col, text) in enumerate(items):
            if col is not None and col not in columns:
                raise invalid("q", f'field "{col}" not in table')
            if not isinstance(text, (str, int, float)) or len(str(text)) > MAX_Q:
                raise invalid("q", "Must be a string (or an object of strings) of at most 2000 characters")
            terms = str(text).split()
            if len(terms) > MAX_TERMS or any(len(t) > MAX_LIKE_TERM for t in terms):
                raise invalid("q", f"At most {MAX_TERMS} terms of at most {MAX_LIKE_TERM} characters")
            for m, term in enumerate(terms):
                args[f"q{k}_{m}"] = f"%{term}%"
                targets = [col] if col else text_cols
                where.append("(" + " OR ".join(f"CAST({_quote(c)} AS TEXT) LIKE :q{k}_{m}" for c in targets) + ")")
    order = "rowid"
    sort = params.get("sort")
    if sort and not isinstance(sort, str):
        raise invalid("sort", "Must be a string")
    if sort:
        parts = []
        for clause in str(sort).split(","):
            col, _, direction = clause.strip().partition(" ")
            col = col.strip('"')
            if col not in columns and col != "_id":
                raise invalid("sort", f'field "{col}" not in table')
            direction = direction.strip().lower()
            if direction not in ("", "asc", "desc"):
                raise invalid("sort", f"bad direction {direction!r}")
            parts.append(f"{'rowid' if col == '_id' else _quote(col)} {direction or 'asc'}")
        order = ", ".join(parts)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    names = (["_id"] if with_id else []) + [f for f in fields if f != "_id"]
    select = ", ".join("rowid AS _id" if f == "_id" else _quote(f) for f in names)
    source = f"SELECT {'DISTINCT ' if distinct else ''}{select} FROM {_quote(table)}{clause}"
    if distinct and order == "rowid":
        order = ", ".join(_quote(f) if f != "_id" else "_id" for f in names)  # first appearance is not defined
    rows = (await db.execute(f"{source} ORDER BY {order} LIMIT {limit} OFFSET {offset}", args)).rows
    out = {
        "resource_id": rid,
        "fields": [{"id": f, "type": "int" if f == "_id" else columns[f]} for f in names],
        "records": _records([tuple(r) for r in rows], names, records_format),
        "records_format": records_format,
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={rid}",
            "next": f"/api/3/action/datastore_search?resource_id={rid}&offset={offset + limit}",
        },
    }
    if bool_param(params, "include_total", True):
        counted = f"SELECT count(*) FROM ({source})" if distinct else f"SELECT count(*) FROM {_quote(table)}{clause}"
        out["total"] = (await db.execute(counted, args)).rows[0][0]
        out["total_was_estimated"] = False
    return out
