"""A read-only CKAN action API (``/api/3/action/<name>`` and ``/api/action/<name>``).

It answers like CKAN 2.10 so that existing clients (the ``ckanapi`` package, harvesters)
work unchanged: GET with query parameters or POST with a JSON body, never a redirect,
the ``{help, success, result}`` envelope and CKAN's error shapes and statuses. The
catalogue comes from ``directory/ckan.json`` written by the build; ``datastore_search``
reads the published SQLite tables through Datasette (same time limit and row cap).

The actions are split by what they read: ``package_search`` (:mod:`govdata.serve.ckansearch`),
``datastore_search`` (:mod:`govdata.serve.ckandatastore`), and the simple ones below; the
envelope, the errors and the parameter checks are here and in :mod:`govdata.serve.ckanparams`.
"""

from __future__ import annotations

import inspect
import itertools
import json
import sqlite3
from typing import Any, Callable

from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response

from govdata.serve import admission
from govdata.serve.ckandatastore import datastore_search
from govdata.serve.ckanparams import (
    MAX_Q,
    MAX_TERMS,
    ActionError,
    Directory,
    bool_param,
    id_param,
    int_param,
    invalid,
    json_param,
    not_found,
)
from govdata.serve.ckansearch import package_search, package_values

# ---- simple actions ----------------------------------------------------------


def package_show(d: Directory, params: dict) -> dict:
    """Return the metadata of a dataset (package) and its resources.

    :param id: the id or name of the dataset
    :type id: string
    """
    name = id_param(params)
    if name not in d.packages:
        raise not_found("Dataset")
    return d.packages[name]


def package_activity_list(d: Directory, params: dict) -> list:
    """Return a dataset's releases, newest first, as CKAN activities.

    :param id: the id or name of the dataset
    :param offset: where to start (default 0)
    :param limit: the most to return (default 31, at most 100)
    """
    name = id_param(params)
    if name not in d.packages:
        raise not_found("Dataset")
    items = (d.data.get("activities") or {}).get(name) or []
    offset = int_param(params, "offset", 0, 0)
    return items[offset : offset + int_param(params, "limit", 31, 0, 100)]


def package_list(d: Directory, params: dict) -> list:
    """Return the names of the site's datasets, sorted.

    :param limit: the most to return (optional)
    :param offset: where to start (default 0)
    """
    names = d.__dict__.get("_names")
    if names is None:  # once per directory: the packages never change under it
        names = d.__dict__["_names"] = sorted(d.packages)
    limit = params.get("limit")
    offset = int_param(params, "offset", 0, 0)
    return names[offset : offset + int_param(params, "limit", len(names), 0)] if limit is not None else names[offset:]


def current_package_list_with_resources(d: Directory, params: dict) -> list:
    """Return the datasets with their resources, most recently modified first (what harvesters page through).

    :param limit: the most to return (default 10, at most 1000)
    :param offset: where to start (default 0)
    """
    limit = int_param(params, "limit", 10, 0, 1000)
    offset = int_param(params, "offset", 0, 0)
    names = d.__dict__.get("_by_modified")
    if names is None:  # once per directory: the packages never change under it
        names = d.__dict__["_by_modified"] = sorted(
            d.packages, key=lambda n: (d.packages[n].get("metadata_modified") or "", n), reverse=True
        )
    return [d.packages[n] for n in names[offset : offset + limit]]


def _listing(items: dict[str, dict], params: dict) -> list:
    values = list(items.values())
    sort = str(params.get("sort") or "title asc")
    field, _, direction = sort.partition(" ")
    key = {"name": "name", "title": "title", "package_count": "package_count"}.get(field, "title")
    values.sort(key=lambda x: x.get(key) or "", reverse=direction.strip() == "desc")
    q = params.get("q")
    if q:
        values = [v for v in values if q.lower() in (v["name"] + v["title"] + v.get("description", "")).lower()]
    offset = int_param(params, "offset", 0, 0)
    limit = int_param(params, "limit", 1000, 0, 1000)
    values = values[offset : offset + limit]
    return values if bool_param(params, "all_fields", False) else [v["name"] for v in values]


INCLUDED_DATASETS = 10  # CKAN 2.10: package_search's default rows (ckan.search.rows_max only caps it)


def _show(items: dict[str, dict], d: Directory, params: dict, what: str, field: str) -> dict:
    name = id_param(params)
    if name not in items:
        raise not_found(what)
    out = dict(items[name])
    if bool_param(params, "include_datasets", False):  # as CKAN 2.10: the first 10 (package_search pages on)
        members = (p for p in d.packages.values() if name in package_values(p, field))
        out["packages"] = list(itertools.islice(members, INCLUDED_DATASETS))
    if what == "Organization":
        out["users"] = []
        children = [o["name"] for o in d.orgs.values() if {"name": name, "capacity": "public"} in o.get("groups", [])]
        out["children"] = children
    return out


def tag_list(d: Directory, params: dict) -> list:
    """Return the site's tags.

    :param query: only tags containing this text (optional)
    :param all_fields: tag dictionaries instead of names (default False)
    """
    tags = d.__dict__.get("_tags")
    if tags is None:  # once per directory
        tags = d.__dict__["_tags"] = sorted({t["name"] for p in d.packages.values() for t in p["tags"]})
    query = params.get("query") or params.get("q")
    if query:
        tags = [t for t in tags if str(query).lower() in t.lower()]
    if bool_param(params, "all_fields", False):
        return [{"id": t, "name": t, "vocabulary_id": None} for t in tags]
    return tags


def resource_show(d: Directory, params: dict) -> dict:
    """Return the metadata of a resource.

    :param id: the id of the resource (``<dataset>--<resource>--csv`` or ``--parquet``)
    """
    rid = id_param(params)
    if rid not in d.resources:
        raise not_found("Resource")
    return d.resources[rid][1]


def status_show(d: Directory, params: dict) -> dict:
    """Return the site's CKAN version, title, URL and extensions."""
    return {
        "ckan_version": d.data["ckan_version"],
        "site_title": d.data["site_title"],
        "site_url": d.data["site_url"],
        "site_description": d.data["site_description"],
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "govdata"],
    }


def organization_list(d: Directory, params: dict) -> list:
    """Return the publishers (organizations): names, or dictionaries with ``all_fields``.

    :param all_fields: dictionaries instead of names (default False)
    :param sort: ``name``, ``title`` or ``package_count``, ``asc``/``desc`` (default ``title asc``)
    :param q: only those whose name, title or description contains this text
    :param limit: the most to return (default 1000); :param offset: where to start
    """
    return _listing(d.orgs, params)


def organization_show(d: Directory, params: dict) -> dict:
    """Return a publisher (organization); ``children`` lists the publishers under it.

    :param id: the publisher's name
    :param include_datasets: list its first 10 datasets, as CKAN 2.10 does (default False;
        ``package_search`` with ``fq=organization:<name>`` pages through them all)
    """
    return _show(d.orgs, d, params, "Organization", "owner_org")


def group_list(d: Directory, params: dict) -> list:
    """Return the themes (groups) of the catalogue's taxonomy; parameters as organization_list."""
    return _listing(d.groups, params)


def group_show(d: Directory, params: dict) -> dict:
    """Return a theme (group).

    :param id: the theme's name
    :param include_datasets: list its first 10 datasets, as CKAN 2.10 does (default False;
        ``package_search`` with ``fq=groups:<name>`` pages through them all)
    """
    return _show(d.groups, d, params, "Group", "groups")


def license_list(d: Directory, params: dict) -> list:
    """Return the licences the site's datasets use."""
    return d.data["licenses"]


def help_show(d: Directory, params: dict) -> str:
    """Return the help string for an action (its documentation, as CKAN does).

    :param name: the action's name
    """
    name = str(params.get("name") or "")
    function = {**ACTIONS, "datastore_search": datastore_search}.get(name)
    if function is None:
        raise not_found("Action function")
    return inspect.cleandoc(function.__doc__ or "")


ACTIONS: dict[str, Callable[[Directory, dict], Any]] = {
    "help_show": help_show,
    "status_show": status_show,
    "package_list": package_list,
    "current_package_list_with_resources": current_package_list_with_resources,
    "package_show": package_show,
    "package_search": package_search,
    "tag_list": tag_list,
    "resource_show": resource_show,
    "package_activity_list": package_activity_list,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "group_show": group_show,
    "license_list": license_list,
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
            value = json_param(value)
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
        if request.method not in ("GET", "HEAD", "POST"):
            return _json(
                {
                    "help": help_url,
                    "success": False,
                    "error": {"__type": "Method Not Allowed", "message": "Actions answer GET and POST"},
                },
                405,
                {"Allow": "GET, HEAD, POST"},
            )
        if request.method == "POST":
            try:
                body = await request.post_body()
            except admission.BodyTooLarge:  # a chunked body (no Content-Length) past the cap
                raise ActionError("Validation Error", f"Request body over {admission.MAX_BODY} bytes", 413) from None
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
        try:
            json.dumps(params, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in a JSON body): no text, no answer
            raise invalid("body", "Must be valid Unicode text") from None
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


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON with Chinese as UTF-8 text (CKAN itself writes UTF-8)."""
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
        headers={"Access-Control-Allow-Origin": "*", **(headers or {})},
    )


def _input_error(exc: Exception) -> ActionError:
    if isinstance(exc, QueryInterrupted):
        return ActionError("Validation Error", {"query": ["Search took too long"]}, 409)
    return ActionError("Validation Error", {"input": [f"Invalid input ({type(exc).__name__})"]}, 409)
