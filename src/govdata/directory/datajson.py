"""DCAT-US 1.1 ``data.json`` (non-federal profile)."""

from __future__ import annotations

from typing import Any

from govdata.directory.record import FREQUENCY_ISO, Record

CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"


def _organization(chain: list[dict[str, Any]]) -> dict[str, Any]:
    org: dict[str, Any] | None = None
    for pub in chain:  # root first: each next one is a sub-organisation of the previous
        node: dict[str, Any] = {"@type": "org:Organization", "name": pub["name"]}
        if org is not None:
            node["subOrganizationOf"] = org
        org = node
    return org or {"@type": "org:Organization", "name": "unknown"}


def dataset_entry(rec: Record) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": rec.id,
        "title": rec.title,
        "description": rec.description,
        "keyword": rec.keywords or [t["title"] for t in rec.themes] or [rec.title],
        "modified": rec.modified,
        "issued": rec.issued,
        "publisher": _organization(rec.publisher),
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": rec.contact["name"],
            "hasEmail": f"mailto:{rec.contact['email']}",
        },
        "accessLevel": rec.access_level,
        "accrualPeriodicity": FREQUENCY_ISO[rec.frequency],
        "language": [rec.language],
        "theme": [t["title"] for t in rec.themes] or None,
        "landingPage": rec.landing_page,
        "describedBy": rec.datapackage_url,
        "describedByType": "application/json",
    }
    if rec.license:
        entry["license"] = rec.license["url"]
    if rec.rights:
        entry["rights"] = rec.rights
    if rec.temporal and rec.temporal.get("start"):
        entry["temporal"] = f"{rec.temporal['start']}/{rec.temporal.get('end') or rec.modified}"
    if rec.spatial:
        entry["spatial"] = f"{rec.spatial['name']} ({rec.spatial['code']})"
    if rec.policies:  # the policy documents it implements or evidences (oversight/policylinks.py)
        entry["references"] = sorted({p["url"] for p in rec.policies})
    if rec.title_en:
        entry["title_en"] = rec.title_en  # extra key (allowed by DCAT-US)
    entry["version"] = rec.version  # DCAT-US has no version field: extra keys
    current = next((h for h in rec.releases if h.get("latest")), None)
    if current:
        entry["release"] = current["id"]
        entry["releaseDate"] = current["date"]
        entry["releaseNotes"] = current.get("notes") or None
        entry["releaseHistory"] = f"{rec.landing_page}/changelog"
    if rec.distributions:
        entry["distribution"] = [
            {
                "@type": "dcat:Distribution",
                "title": d.title,
                "downloadURL": d.url,
                "mediaType": d.media_type,
                "format": d.format,
                "describedBy": d.schema_url,
                "describedByType": "application/json",
            }
            for d in rec.distributions
        ]
    return {k: v for k, v in entry.items() if v is not None}


def catalog_document(records: list[Record], base_url: str) -> dict[str, Any]:
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@id": f"{base_url.rstrip('/')}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": f"{CONFORMS_TO}/catalog.json",
        "dataset": [dataset_entry(r) for r in records],
    }
