"""schema.org ``Dataset`` JSON-LD for each landing page (Google Dataset Search:
name, description 50–5000 characters, url, identifier, keywords, licence, creator,
distribution as DataDownload, coverage, catalogue, dates, version, variables)."""

from __future__ import annotations

from typing import Any

from govdata.directory.record import Record


def dataset(rec: Record, site: dict[str, Any]) -> dict[str, Any]:
    pub = rec.publisher[-1]
    description = rec.description
    if rec.description_en:
        description = f"{description}\n\n{rec.description_en}"
    if len(description) < 50:
        description = (description + " " + (rec.title_en or rec.title) + " — " + pub["name"]).ljust(50, " ")
    org: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "name": pub["name"],
        "alternateName": pub.get("name_en"),
        "identifier": pub["code"],
        "contactPoint": {
            "@type": "ContactPoint",
            "name": rec.contact["name"],
            "email": rec.contact["email"],
            "contactType": "data steward",
        },
    }
    parent = org
    for ancestor in reversed(rec.publisher[:-1]):
        parent["parentOrganization"] = {
            "@type": "GovernmentOrganization",
            "name": ancestor["name"],
            "alternateName": ancestor.get("name_en"),
            "identifier": ancestor["code"],
        }
        parent = parent["parentOrganization"]
    out: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": rec.landing_page,
        "name": rec.title,
        "alternateName": rec.title_en,
        "description": description[:5000],
        "url": rec.landing_page,
        "identifier": rec.id,
        "version": rec.version,
        "inLanguage": rec.language,
        "keywords": rec.keywords + [t["title"] for t in rec.themes],
        "about": [{"@type": "Thing", "name": t["title"], "alternateName": t["title_en"]} for t in rec.themes],
        "creator": org,
        "publisher": org,
        "datePublished": rec.issued,
        "dateModified": rec.modified,
        "isAccessibleForFree": rec.open_condition == "unconditional",
        "includedInDataCatalog": {"@type": "DataCatalog", "name": site["title"], "url": site["base_url"]},
        "variableMeasured": [
            {
                "@type": "PropertyValue",
                "name": f["name"],
                "description": f.get("title") or f.get("description") or f["name"],
            }
            for r in rec.resources
            for f in r["fields"]
        ],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title,
                "encodingFormat": d.media_type,
                "contentUrl": d.url,
                "contentSize": f"{d.bytes} B",
                "sha256": d.sha256,
            }
            for d in rec.distributions
        ],
        "subjectOf": {"@type": "DigitalDocument", "url": rec.datapackage_url, "encodingFormat": "application/json"},
    }
    if rec.license:
        out["license"] = rec.license["url"]
    if rec.rights:
        out["conditionsOfAccess"] = rec.rights
    if rec.temporal and rec.temporal.get("start"):
        out["temporalCoverage"] = f"{rec.temporal['start']}/{rec.temporal.get('end') or '..'}"
    if rec.spatial:
        out["spatialCoverage"] = {"@type": "Place", "name": rec.spatial["name"], "identifier": rec.spatial["code"]}
    return {k: v for k, v in out.items() if v not in (None, [], "")}
