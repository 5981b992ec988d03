"""CKAN's ``package_search``: the portal's catalogue search (:mod:`govdata.serve.catalogsearch`)
answering in CKAN's shape, with CKAN's facets and filter query."""

from __future__ import annotations


from govdata.serve.ckanparams import MAX_QUERY, ActionError, Directory, int_param, invalid, json_param, text_param
from govdata.serve.ckanquery import Evaluator

MAX_ROWS = 1000  # package_search rows
FACET_FIELDS = {
    "organization": "owner_org",
    "owner_org": "owner_org",
    "groups": "groups",
    "tags": "tags",
    "res_format": "res_format",
    "license_id": "license_id",
}


def package_values(pkg: dict, field: str) -> list[str]:
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


SORT_FIELDS = {
    "score": "relevance",
    "metadata_modified": "modified",
    "title_string": "title",
    "title": "title",
    "name": "name",
    "id": "name",
    "metadata_created": "modified",
}


MAX_FACET_VALUES = 1000  # values per facet field, whatever facet.limit asks (as rows: ckan.search.rows_max)


def package_search(d: Directory, params: dict) -> dict:
    """Search the datasets: the portal's catalogue search (same matching and ranking as
    ``/datasets?q=``) in CKAN's shape.

    :param q: the search, in Solr syntax: words and "phrases" (substring match, Chinese included,
        every term must match), ``field:value``, ``field:[A TO B]``, ``AND``/``OR``/``NOT``, ``( )``
    :param fq: a filter in the same syntax (e.g. ``metadata_modified:[2025-01-01T00:00:00Z TO *]``)
    :param fq_list: more filters (at most 20)
    :param sort: ``score``, ``name``, ``title``, ``metadata_modified``, ``metadata_created``;
        ``asc``/``desc``, comma-separated
    :param rows: the most to return (default 10, at most 1000); :param start: where to start
    :param facet.field: fields to count (JSON list); :param facet.limit: values per field (default 50;
        -1, unlimited in CKAN, and anything above 1000 give 1000)
    :returns: ``count``, ``results``, ``sort``, ``facets``, ``search_facets``; a query the syntax
        does not cover is a 409 Search Error naming the part
    """
    from govdata.oversight.timeliness import today

    ix = d.index
    if ix is None:
        raise ActionError("Not Found Error", "the catalogue search index of this build is missing", 404)
    rows = int_param(params, "rows", 10, 0, MAX_ROWS)
    start = int_param(params, "start", 0, 0, 10_000_000)
    fq_lists = params.get("fq_list") or []
    if not isinstance(fq_lists, list) or not all(isinstance(x, str) for x in fq_lists):
        raise invalid("fq_list", "Must be a list of strings")
    if len(fq_lists) > 20:
        raise invalid("fq_list", "At most 20 filter queries")
    query = Evaluator(d, today())
    q = text_param(params, "q")
    mask = query.match(q, "q", score=True)
    for name, fq in [("fq", text_param(params, "fq")), *(("fq_list", x[:MAX_QUERY]) for x in fq_lists)]:
        mask &= query.match(fq, name)
    sort = text_param(params, "sort") or ("score desc, metadata_modified desc" if q.strip() else "score desc, name asc")
    clauses = []
    for clause in [c.strip() for c in sort.split(",") if c.strip()][:5]:
        field, _, direction = clause.partition(" ")
        if field not in SORT_FIELDS:
            raise invalid("sort", f"Cannot sort by field `{field}`")
        clauses.append((SORT_FIELDS[field], direction.strip().lower() == "desc"))
    main = next((f for f, _ in clauses if f in ("relevance", "modified", "title")), "relevance")
    blob = mask.to_bytes((ix.n + 7) // 8, "little")
    if main == "relevance" and query.scores:  # the engine's order: score, then most recently modified
        scores = {i: sum(s.get(i, 0) for s in query.scores) for i in range(ix.n) if blob[i >> 3] >> (i & 7) & 1}
        hits = sorted(scores, key=lambda i: (-scores[i], ix.rank[i]))
    else:
        hits = [i for i in ix.order["title" if main == "title" else "modified"] if blob[i >> 3] >> (i & 7) & 1]
    names = [ix.datasets[i]["id"] for i in hits]
    if not query.scores or main != "relevance":
        title_rank = {ix.datasets[i]["id"]: k for k, i in enumerate(ix.order["title"])}
        for field, desc in reversed(clauses):
            if field == "name":
                names.sort(reverse=desc)
            elif field == "title":
                names.sort(key=lambda n: title_rank.get(n, 0), reverse=desc)
            elif field == "modified":
                names.sort(key=lambda n: d.packages[n].get("metadata_modified") or "", reverse=desc)
    facet_fields = json_param(params.get("facet.field") or [])
    if isinstance(facet_fields, str):
        facet_fields = [facet_fields]
    if not isinstance(facet_fields, list) or not all(isinstance(f, str) for f in facet_fields):
        raise invalid("facet.field", "Must be a list of field names")
    limit = int_param(params, "facet.limit", 50, -1, 10_000)
    if limit < 0 or limit > MAX_FACET_VALUES:  # "unlimited" in Solr: a facet on name listed every dataset
        limit = MAX_FACET_VALUES
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
        return package_values(d.packages[package], FACET_FIELDS.get(name, name))
    value = d.index.datasets[d.index.by_id[package]].get(key)
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def _display(d: Directory, field: str, value: str) -> str:
    if field in ("owner_org", "publisher") and value in d.orgs:
        return d.orgs[value]["title"]
    if field in ("groups", "theme") and value in d.groups:
        return d.groups[value]["title"]
    return value
