"""Policy ↔ interpretation ↔ data: the links of the policy index, resolved both ways.

A policy index (:func:`govdata.oversight.events.policy_indexes`) lists documents; a row whose
``interprets`` names another row is an interpretation (解读) of it. A table of the same dataset with
the fields ``doc_id``, ``dataset`` and ``relation`` links documents to the datasets of this
catalogue that implement (``implements``) or evidence (``evidences``) them. From these rows every
document knows its interpretations and its datasets, and every dataset its documents — with their
validity (有效 / 已修改 / 废止 / 失效) — for the pages and the directory formats (DCAT-AP
``dct:references`` / ``dct:isReferencedBy`` and ``dct:relation``; DCAT-US ``references``).

A document's address is its row in the served table (``/<dataset>/<resource>/<doc_id>``).
"""

from __future__ import annotations

from govdata.oversight.events import policy_indexes, read_rows

LINK_FIELDS = {"doc_id", "dataset", "relation"}
VALIDITY = ("有效", "已修改", "废止", "失效")
# ELI's in-force vocabulary (http://data.europa.eu/eli/ontology#in_force)
ELI_IN_FORCE = {
    "有效": "InForce-inForce",
    "已修改": "InForce-partiallyInForce",
    "废止": "InForce-notInForce",
    "失效": "InForce-notInForce",
}


def documents(catalog) -> dict[str, dict]:
    """``{"<dataset>/<doc_id>": document}``, each with ``interpretations``, ``interprets`` and
    ``datasets`` (``{dataset, relation, basis}``). Computed once per catalogue object."""
    cached = catalog.__dict__.get("_policy_documents")
    if cached is not None:
        return cached
    base = catalog.site["base_url"].rstrip("/")
    docs: dict[str, dict] = {}
    for ds, res in policy_indexes(catalog):
        for row in read_rows(res.source):
            key = f"{ds.name}/{row['doc_id']}"
            docs[key] = {
                "key": key,
                "doc_id": row["doc_id"],
                "index": ds.name,
                "path": f"/{ds.name}/{res.name}/{row['doc_id']}",
                "url": f"{base}/{ds.name}/{res.name}/{row['doc_id']}",
                "title": row.get("title") or "",
                "kind": row.get("kind") or "",
                "category": row.get("category") or "",
                "issuer": row.get("issuer") or "",
                "doc_number": row.get("doc_number") or "",
                "issue_date": row.get("issue_date") or None,
                "publish_date": row.get("publish_date") or None,
                "validity": row.get("validity") or None,
                "interprets": row.get("interprets") or None,
                "interpretations": [],
                "datasets": [],
            }
        for other in ds.resources:
            if other.source is not None and LINK_FIELDS <= set(other.field_names):
                for row in read_rows(other.source):
                    doc = docs.get(f"{ds.name}/{row['doc_id']}")
                    if doc is not None:
                        doc["datasets"].append(
                            {"dataset": row["dataset"], "relation": row["relation"], "basis": row.get("basis") or ""}
                        )
    for doc in docs.values():
        target = docs.get(f"{doc['index']}/{doc['interprets']}") if doc["interprets"] else None
        if target is not None:
            doc["interprets"] = target["key"]
            target["interpretations"].append(doc["key"])
    catalog.__dict__["_policy_documents"] = docs
    return docs


def for_dataset(catalog, name: str) -> list[dict]:
    """The documents a dataset implements or evidences, with their interpretations (for the record)."""
    docs = documents(catalog)
    out = []
    for doc in docs.values():
        for link in doc["datasets"]:
            if link["dataset"] == name:
                out.append(
                    {
                        "key": doc["key"],
                        "url": doc["url"],
                        "title": doc["title"],
                        "validity": doc["validity"],
                        "kind": doc["kind"],
                        "relation": link["relation"],
                        "basis": link["basis"],
                        "interpretations": [
                            {"key": k, "url": docs[k]["url"], "title": docs[k]["title"]} for k in doc["interpretations"]
                        ],
                    }
                )
    return out


def unresolved(catalog) -> list[tuple[str, str]]:
    """(document, dataset) links naming a dataset the catalogue does not have."""
    names = {ds.name for ds in catalog.datasets}
    return [
        (doc["key"], link["dataset"])
        for doc in documents(catalog).values()
        for link in doc["datasets"]
        if link["dataset"] not in names
    ]
