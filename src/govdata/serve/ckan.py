"""A read-only CKAN action API (``/api/3/action/<name>`` and ``/api/action/<name>``).

It answers like CKAN 2.10 so that existing clients (the ``ckanapi`` package, harvesters)
work unchanged: GET with query parameters or POST with a JSON body, never a redirect,
the ``{help, success, result}`` envelope and CKAN's error shapes and statuses. The
catalogue comes from ``directory/ckan.json`` written by the build; ``datastore_search``
reads the published SQLite tables through Datasette (same time limit and row cap).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response

MAX_ROWS = 1000  # package_search rows
DATASTORE_MAX = 1000  # same cap as the Datasette JSON API (max_returned_rows)
FACET_FIELDS = {
    "organization": "owner_org",
    "owner_org": "owner_org",
    "groups": "groups",
    "tags": "tags",
    "res_format": "res_format",
    "license_id": "license_id",
}


class ActionError(Exception):
    def __init__(self, kind: str, message: Any, status: int):
        super().__init__(str(message))
        self.kind, self.message, self.status = kind, message, status


def not_found(what: str) -> ActionError:
    return ActionError("Not Found Error", f"{what} not found", 404)


def invalid(field: str, message: str) -> ActionError:
    return ActionError("Validation Error", {field: [message]}, 409)


MAX_INT = 2**31 - 1  # offsets and limits beyond this are input errors (SQLite takes 64 bits, CKAN 32)
MAX_Q = 2000  # characters of q / fq
MAX_TERMS = 50  # whitespace-separated terms in q / fq
MAX_LIKE_TERM = 90  # a datastore q term becomes a LIKE pattern (SQLite's LIKE_PATTERN_LENGTH is 100)


def _int(params: dict, key: str, default: int, lo: int = 0, hi: int | None = None) -> int:
    value = params.get(key, default)
    try:
        if isinstance(value, (dict, list)):
            raise TypeError
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise invalid(key, "Invalid integer") from None
    hi = MAX_INT if hi is None else hi
    if number < lo or (hi is not None and number > hi):
        raise invalid(key, f"Must be between {lo} and {hi}" if hi is not None else f"Must be at least {lo}")
    return number


def _bool(params: dict, key: str, default: bool) -> bool:
    value = params.get(key, default)
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes", "on")


def _json_param(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Directory:
    def __init__(self, data: dict[str, Any], index: Any = None):
        self.data = data
        self.index = index  # the catalogue search engine (govdata.serve.catalogsearch), shared with the portal
        self.packages = {p["name"]: p for p in data["packages"]}
        self.orgs = {o["name"]: o for o in data["organizations"]}
        self.groups = {g["name"]: g for g in data["groups"]}
        self.resources = {r["id"]: (p, r) for p in data["packages"] for r in p["resources"]}

    @classmethod
    def load(cls, build: Path, index: Any = None) -> "Directory":
        return cls(json.loads((build / "directory" / "ckan.json").read_text("utf-8")), index)


# ---- search ------------------------------------------------------------------


def _values(pkg: dict, field: str) -> list[str]:
    if field == "owner_org":
        return [pkg["owner_org"]]
    if field == "groups":
        return [g["name"] for g in pkg["groups"]]
    if field == "tags":
        return [t["name"] for t in pkg["tags"]]
    if field == "res_format":
        return sorted({r["format"] for r in pkg["resources"]})
    if field in ("license_id", "name", "id", "state", "type", "version"):
        return [str(pkg.get(field, ""))]
    return [e["value"] for e in pkg.get("extras", []) if e["key"] == field]


# a term starts a token (the look-behind): without it the pattern is tried from every character of
# a long word and fails at its end each time, which is quadratic (1.4 s for 20,000 characters)
# CKAN's facet and fq field names → the catalogue engine's (govdata.serve.catalogsearch); CKAN's own
# keep their meaning (``organization`` is the owning publisher only), the platform adds
# ``publisher`` (a publisher with everything under it in the tree), ``level``, ``theme``,
# ``keyword``, ``open_condition``, ``frequency``, ``format``.
CKAN_TO_INDEX = {
    "organization": "owner_org",
    "owner_org": "owner_org",
    "groups": "theme",
    "tags": "keyword",
    "res_format": "format",
    "license_id": "license",
    "publisher": "publisher",
    "level": "level",
    "theme": "theme",
    "keyword": "keyword",
    "open_condition": "open_condition",
    "frequency": "frequency",
    "format": "format",
    "license": "license",
    "freshness": "freshness",
}
SORT_FIELDS = {
    "score": "relevance",
    "metadata_modified": "modified",
    "title_string": "title",
    "title": "title",
    "name": "name",
    "id": "name",
    "metadata_created": "modified",
}
MAX_QUERY = 1000  # characters of q / fq: longer is a validation error, not work


def _text(params: dict, key: str) -> str:
    value = params.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise invalid(key, "Must be a string")
    value = str(value)
    if len(value) > MAX_QUERY:
        raise invalid(key, f"Longer than {MAX_QUERY} characters")
    return value


def package_search(d: Directory, params: dict) -> dict:
    """The portal's search (same matching and ranking as ``/datasets?q=``) in CKAN's shape."""
    from govdata.serve.catalogsearch import parse_filters

    ix = d.index
    if ix is None:
        raise ActionError("Not Found Error", "the catalogue search index of this build is missing", 404)
    rows = _int(params, "rows", 10, 0, MAX_ROWS)
    start = _int(params, "start", 0, 0, 10_000_000)
    filters, text = parse_filters(_text(params, "q"))
    fq_lists = params.get("fq_list") or []
    if not isinstance(fq_lists, list) or not all(isinstance(x, str) for x in fq_lists):
        raise invalid("fq_list", "Must be a list of strings")
    for fq in [_text(params, "fq"), *fq_lists[:20]]:
        filters += parse_filters(fq[:MAX_QUERY])[0]
    indexed: list = []
    other: list = []
    for negated, field, value in filters:
        key = CKAN_TO_INDEX.get(field)
        (indexed if key else other).append((negated, key or field, value))
    sort = _text(params, "sort") or ("score desc, metadata_modified desc" if text.strip() else "score desc, name asc")
    clauses = []
    for clause in [c.strip() for c in sort.split(",") if c.strip()][:5]:
        field, _, direction = clause.partition(" ")
        if field not in SORT_FIELDS:
            raise invalid("sort", f"Cannot sort by field `{field}`")
        clauses.append((SORT_FIELDS[field], direction.strip().lower() == "desc"))
    main = next((f for f, _ in clauses if f in ("relevance", "modified", "title")), "relevance")
    from govdata.oversight.timeliness import today

    result = ix.search(
        text,
        indexed,
        main if (main != "relevance" or text.strip()) else "modified",
        0,
        ix.n,
        facet_limit=-1,
        today=today(),
    )
    names = [e["id"] for e in result.items if e["id"] in d.packages]
    if other:
        names = [
            n for n in names if all((value in _values(d.packages[n], field)) != neg for neg, field, value in other)
        ]
    if not text.strip() or main != "relevance":
        for field, desc in reversed(clauses):
            if field == "name":
                names.sort(reverse=desc)
            elif field == "title":
                order = {e["id"]: k for k, e in enumerate(ix.search("", sort="title", rows=ix.n).items)}
                names.sort(key=lambda n: order.get(n, 0), reverse=desc)
            elif field == "modified":
                names.sort(key=lambda n: d.packages[n].get("metadata_modified") or "", reverse=desc)
    facet_fields = _json_param(params.get("facet.field") or [])
    if isinstance(facet_fields, str):
        facet_fields = [facet_fields]
    if not isinstance(facet_fields, list) or not all(isinstance(f, str) for f in facet_fields):
        raise invalid("facet.field", "Must be a list of field names")
    limit = _int(params, "facet.limit", 50, -1, 10_000)
    facets, search_facets = {}, {}
    for name in map(str, facet_fields[:20]):  # all str (checked above)
        facet_field = FACET_FIELDS.get(name, name)
        counts: dict[str, int] = {}
        for n in names:
            for v in _facet_values(d, name, n):
                counts[v] = counts.get(v, 0) + 1
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if limit >= 0:
            ordered = ordered[:limit]
        facets[name] = dict(ordered)
        search_facets[name] = {
            "title": name,
            "items": [{"name": v, "display_name": _display(d, facet_field, v), "count": c} for v, c in ordered],
        }
    return {
        "count": len(names),
        "results": [d.packages[n] for n in names[start : start + rows]],
        "sort": sort,
        "facets": facets,
        "search_facets": search_facets,
    }


_ENTRY_KEYS = {
    "publisher": "publisher_chain",
    "level": "level",
    "theme": "themes",
    "keyword": "keywords",
    "open_condition": "open_condition",
    "frequency": "frequency",
}


def _facet_values(d: Directory, name: str, package: str) -> list[str]:
    """A package's values for a facet: CKAN's own fields from the package, the platform's from
    the catalogue entry (``publisher`` lists the whole chain: a city counts its districts' datasets)."""
    if name == "freshness":  # the timeliness status on the day (oversight.timeliness)
        from govdata.oversight.timeliness import today

        item = d.index.freshness(today())[0][d.index.by_id[package]]
        return [item.status if item else "not_applicable"]
    key = _ENTRY_KEYS.get(name)
    if key is None:
        return _values(d.packages[package], FACET_FIELDS.get(name, name))
    value = d.index.datasets[d.index.by_id[package]].get(key)
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def _display(d: Directory, field: str, value: str) -> str:
    if field in ("owner_org", "publisher") and value in d.orgs:
        return d.orgs[value]["title"]
    if field in ("groups", "theme") and value in d.groups:
        return d.groups[value]["title"]
    return value


# ---- simple actions ----------------------------------------------------------


def _id(params: dict, key: str = "id") -> str:
    value = params.get(key) or (params.get("name") if key == "id" else None)
    if not value:
        raise invalid(key, "Missing value")
    return str(value)


def package_show(d: Directory, params: dict) -> dict:
    name = _id(params)
    if name not in d.packages:
        raise not_found("Dataset")
    return d.packages[name]


def package_activity_list(d: Directory, params: dict) -> list:
    """The dataset's releases, newest first, as CKAN activities (see directory.ckan.activities)."""
    name = _id(params)
    if name not in d.packages:
        raise not_found("Dataset")
    items = (d.data.get("activities") or {}).get(name) or []
    offset = _int(params, "offset", 0, 0)
    return items[offset : offset + _int(params, "limit", 31, 0, 100)]


def package_list(d: Directory, params: dict) -> list:
    names = sorted(d.packages)
    limit = params.get("limit")
    offset = _int(params, "offset", 0, 0)
    return names[offset : offset + _int(params, "limit", len(names), 0)] if limit is not None else names[offset:]


def _listing(items: dict[str, dict], params: dict) -> list:
    values = list(items.values())
    sort = str(params.get("sort") or "title asc")
    field, _, direction = sort.partition(" ")
    key = {"name": "name", "title": "title", "package_count": "package_count"}.get(field, "title")
    values.sort(key=lambda x: x.get(key) or "", reverse=direction.strip() == "desc")
    q = params.get("q")
    if q:
        values = [v for v in values if q.lower() in (v["name"] + v["title"] + v.get("description", "")).lower()]
    offset = _int(params, "offset", 0, 0)
    limit = _int(params, "limit", 1000, 0, 1000)
    values = values[offset : offset + limit]
    return values if _bool(params, "all_fields", False) else [v["name"] for v in values]


def _show(items: dict[str, dict], d: Directory, params: dict, what: str, field: str) -> dict:
    name = _id(params)
    if name not in items:
        raise not_found(what)
    out = dict(items[name])
    if _bool(params, "include_datasets", False):
        out["packages"] = [p for p in d.packages.values() if name in _values(p, field)]
    if what == "Organization":
        out["users"] = []
        children = [o["name"] for o in d.orgs.values() if {"name": name, "capacity": "public"} in o.get("groups", [])]
        out["children"] = children
    return out


def tag_list(d: Directory, params: dict) -> list:
    tags = sorted({t["name"] for p in d.packages.values() for t in p["tags"]})
    query = params.get("query") or params.get("q")
    if query:
        tags = [t for t in tags if str(query).lower() in t.lower()]
    if _bool(params, "all_fields", False):
        return [{"id": t, "name": t, "vocabulary_id": None} for t in tags]
    return tags


def resource_show(d: Directory, params: dict) -> dict:
    rid = _id(params)
    if rid not in d.resources:
        raise not_found("Resource")
    return d.resources[rid][1]


def status_show(d: Directory, params: dict) -> dict:
    return {
        "ckan_version": d.data["ckan_version"],
        "site_title": d.data["site_title"],
        "site_url": d.data["site_url"],
        "site_description": d.data["site_description"],
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "govdata"],
    }


# ---- datastore -----------------------------------------------------------------

CKAN_TYPES = {"INTEGER": "int", "REAL": "numeric", "TEXT": "text"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def datastore_search(d: Directory, params: dict, datasette: Any) -> dict:
    rid = _id(params, "resource_id")
    if rid not in d.resources:
        raise not_found("Resource")
    pkg, res = d.resources[rid]
    if not res.get("datastore_active"):
        raise not_found("Resource")
    db = datasette.get_database(pkg["name"])
    table = res["table"]
    info = (await db.execute(f"PRAGMA table_info({_quote(table)})")).rows
    columns = {row["name"]: CKAN_TYPES.get((row["type"] or "TEXT").upper(), "text") for row in info}
    limit = _int(params, "limit", 100, 0, DATASTORE_MAX)
    offset = _int(params, "offset", 0, 0)
    fields = _json_param(params.get("fields"))
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
        raise invalid("fields", "Must be a list of field names or a comma-separated string")
    fields = fields or list(columns)
    for f in fields:
        if f not in columns and f != "_id":
            raise invalid("fields", f'field "{f}" not in table')
    where, args = [], {}
    filters = _json_param(params.get("filters")) or {}
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
    q = _json_param(params.get("q"))
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
    select = ", ".join("rowid AS _id" if f == "_id" else _quote(f) for f in ["_id", *[f for f in fields if f != "_id"]])
    rows = (
        await db.execute(
            f"SELECT {select} FROM {_quote(table)}{clause} ORDER BY {order} LIMIT {limit} OFFSET {offset}", args
        )
    ).rows
    out = {
        "resource_id": rid,
        "fields": [{"id": "_id", "type": "int"}] + [{"id": f, "type": columns[f]} for f in fields if f != "_id"],
        "records": [dict(r) for r in rows],
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={rid}",
            "next": f"/api/3/action/datastore_search?resource_id={rid}&offset={offset + limit}",
        },
    }
    if _bool(params, "include_total", True):
        out["total"] = (await db.execute(f"SELECT count(*) FROM {_quote(table)}{clause}", args)).rows[0][0]
        out["total_was_estimated"] = False
    return out


ACTIONS = {
    "status_show": status_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "tag_list": tag_list,
    "resource_show": resource_show,
    "package_activity_list": package_activity_list,
    "organization_list": lambda d, p: _listing(d.orgs, p),
    "organization_show": lambda d, p: _show(d.orgs, d, p, "Organization", "owner_org"),
    "group_list": lambda d, p: _listing(d.groups, p),
    "group_show": lambda d, p: _show(d.groups, d, p, "Group", "groups"),
    "license_list": lambda d, p: d.data["licenses"],
}


STRING_PARAMS = ("q", "fq", "sort", "id", "name", "resource_id", "query")


def _check_params(action: str, params: dict) -> None:
    """Types and sizes of the parameters every action reads, before any work (malformed input is a
    409 Validation Error, never a 500)."""
    for key, value in params.items():
        if not isinstance(key, str):
            raise invalid("body", "Keys must be strings")
        if key == "fq_list":
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise invalid(key, "Must be a list of strings")
            if sum(len(v) for v in value) > MAX_Q:
                raise invalid(key, f"At most {MAX_Q} characters")
        elif key == "facet.field":
            value = _json_param(value)
            if not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
                raise invalid(key, "Must be a field name or a list of field names")
        elif key in STRING_PARAMS and not (action == "datastore_search" and key == "q"):
            if isinstance(value, bool) or not isinstance(value, (str, int, float)) and value is not None:
                raise invalid(key, "Must be a string")
            if len(str(value)) > MAX_Q:
                raise invalid(key, f"At most {MAX_Q} characters")
            if key in ("q", "fq") and len(str(value).split()) > MAX_TERMS:
                raise invalid(key, f"At most {MAX_TERMS} terms")


async def handle(datasette: Any, request: Any, directory: Directory) -> Response:
    action = request.url_vars["action"]
    base = str(datasette.absolute_url(request, "/api/3/action/help_show"))
    help_url = f"{base}?name={action}"
    try:
        if request.method == "POST":
            body = await request.post_body()
            try:
                params = json.loads(body or b"{}")
            except (ValueError, RecursionError):
                raise ActionError("Validation Error", "JSON Error: the body is not valid JSON", 400) from None
            if not isinstance(params, dict):
                raise ActionError("Validation Error", "JSON Error: the body must be an object", 400)
        else:
            params = {}
            for key in request.args.keys():
                values = request.args.getlist(key)
                params[key] = values if key == "fq_list" else values[-1]
        _check_params(action, params)
        if action == "datastore_search":
            result = await datastore_search(directory, params, datasette)
        elif action in ACTIONS:
            result = ACTIONS[action](directory, params)
        else:
            raise ActionError("Not Found Error", f"Action name not known: {action}", 400)
        return _json({"help": help_url, "success": True, "result": result})
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError, sqlite3.Error, QueryInterrupted) as exc:
        # input no check above foresaw: still the caller's, still an envelope
        exc = _input_error(exc)
        return _json({"help": help_url, "success": False, "error": {"__type": exc.kind, **exc.message}}, exc.status)
    except ActionError as exc:
        return _json(
            {
                "help": help_url,
                "success": False,
                "error": {"__type": exc.kind, "message": exc.message}
                if not isinstance(exc.message, dict)
                else {"__type": exc.kind, **exc.message},
            },
            exc.status,
        )


def _json(data: Any, status: int = 200) -> Response:
    """JSON with Chinese as UTF-8 text (CKAN itself writes UTF-8)."""
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
        headers={"Access-Control-Allow-Origin": "*"},
    )


def _input_error(exc: Exception) -> ActionError:
    if isinstance(exc, QueryInterrupted):
        return ActionError("Validation Error", {"query": ["Search took too long"]}, 409)
    return ActionError("Validation Error", {"input": [f"Invalid input ({type(exc).__name__})"]}, 409)
