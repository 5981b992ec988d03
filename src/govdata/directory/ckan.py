"""CKAN shapes of the directory (package, organization, group, licence), as CKAN 2.10's
``package_show`` returns them, generated from the neutral records at build time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govdata.catalog.model import Catalog
from govdata.directory.record import FREQUENCY_ZH, OPEN_ZH, Record

CKAN_VERSION = "2.10.4"


def resource_id(dataset: str, resource: str, fmt: str) -> str:
    return f"{dataset}--{resource}--{fmt.lower()}"


def organization(catalog: Catalog, pub_id: str, counts: dict[str, int] | None = None) -> dict[str, Any]:
    p = catalog.publishers[pub_id]
    return {
        "id": p.id,
        "name": p.id,
        "title": p.name,
        "display_name": p.name,
        "type": "organization",
        "description": p.name_en,
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": "2024-01-01T00:00:00",
        "package_count": (counts or {}).get(p.id, 0),
        "extras": [
            {"key": "division_code", "value": p.code},
            {"key": "level", "value": p.level},
            {"key": "name_en", "value": p.name_en},
            {"key": "parent", "value": p.parent or ""},
        ],
        "groups": [{"name": p.parent, "capacity": "public"}] if p.parent else [],
    }


def group(catalog: Catalog, theme_id: str, counts: dict[str, int] | None = None) -> dict[str, Any]:
    t = catalog.themes[theme_id]
    return {
        "id": t.id,
        "name": t.id,
        "title": t.title,
        "display_name": t.title,
        "description": t.title_en,
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": "2024-01-01T00:00:00",
        "package_count": (counts or {}).get(t.id, 0),
    }


def license_list(catalog: Catalog) -> list[dict[str, Any]]:
    return [
        {
            "id": lic.id,
            "title": lic.title,
            "url": lic.url,
            "od_conformance": "approved" if lic.open else "not reviewed",
            "osd_conformance": "not reviewed",
            "status": "active",
            "domain_data": True,
            "is_okd_compliant": lic.open,
            "family": "",
            "maintainer": "",
        }
        for lic in catalog.licenses.values()
    ]


def package(catalog: Catalog, rec: Record) -> dict[str, Any]:
    pub = rec.publisher[-1]
    lic = rec.license or {}
    resources = []
    for i, d in enumerate(rec.distributions):
        resources.append(
            {
                "id": resource_id(rec.id, d.resource, d.format),
                "package_id": rec.id,
                "name": d.title,
                "description": next((r.get("description") or "" for r in rec.resources if r["name"] == d.resource), ""),
                "url": d.url,
                "format": d.format,
                "mimetype": d.media_type,
                "size": d.bytes,
                "hash": f"sha256:{d.sha256}",
                "position": i,
                "state": "active",
                "url_type": None,
                "resource_type": "file.upload",
                "datastore_active": d.format == "CSV",
                "created": f"{rec.issued}T00:00:00",
                "last_modified": f"{rec.modified}T00:00:00",
                "metadata_modified": f"{rec.modified}T00:00:00",
                "table": d.resource,
                "api_url": d.api_url,
                "rows": d.rows,
            }
        )
    extras = {
        "title_en": rec.title_en or "",
        "open_condition": rec.open_condition,
        "open_condition_zh": OPEN_ZH[rec.open_condition],
        "conditions": rec.conditions or "",
        "legal_basis": rec.legal_basis or "",
        "update_frequency": rec.frequency,
        "update_frequency_zh": FREQUENCY_ZH.get(rec.frequency, ""),
        "issued": rec.issued,
        "modified": rec.modified,
        "temporal_start": (rec.temporal or {}).get("start", ""),
        "temporal_end": (rec.temporal or {}).get("end", ""),
        "spatial": (rec.spatial or {}).get("name", ""),
        "spatial_code": (rec.spatial or {}).get("code", ""),
        "language": rec.language,
        "datapackage": rec.datapackage_url,
    }
    return {
        "id": rec.id,
        "name": rec.id,
        "title": rec.title,
        "notes": rec.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "version": rec.version,
        "url": rec.landing_page,
        "author": pub["name"],
        "author_email": rec.contact["email"],
        "maintainer": rec.contact["name"],
        "maintainer_email": rec.contact["email"],
        "license_id": lic.get("id", "notspecified"),
        "license_title": lic.get("title", ""),
        "license_url": lic.get("url", ""),
        "isopen": bool(lic.get("open")) and rec.open_condition == "unconditional",
        "metadata_created": f"{rec.issued}T00:00:00",
        "metadata_modified": f"{rec.modified}T00:00:00",
        "owner_org": pub["id"],
        "organization": organization(catalog, pub["id"]),
        "groups": [
            {
                "id": t["id"],
                "name": t["id"],
                "title": t["title"],
                "display_name": t["title"],
                "description": t["title_en"],
                "image_display_url": "",
            }
            for t in rec.themes
        ],
        "tags": [
            {"id": k, "name": k, "display_name": k, "state": "active", "vocabulary_id": None} for k in rec.keywords
        ],
        "num_tags": len(rec.keywords),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def activities(rec: Record) -> list[dict[str, Any]]:
    """The releases of a dataset as CKAN 2.10 activities (``package_activity_list``), newest first."""
    return [
        {
            "id": f"{rec.id}@{h['id']}",
            "timestamp": h["date"].rstrip("Z"),
            "user_id": rec.publisher[-1]["id"],
            "object_id": rec.id,
            "activity_type": "changed package" if h.get("previous") else "new package",
            "data": {
                "package": {
                    "id": rec.id,
                    "name": rec.id,
                    "title": rec.title,
                    "version": h["id"],
                    "notes": h.get("notes") or "",
                },
                "release": {
                    "id": h["id"],
                    "previous": h.get("previous"),
                    "url": h["url"],
                    "rows": h.get("rows"),
                    "breaking": h.get("breaking"),
                    "schema_changes": h.get("schema_changes") or [],
                },
            },
        }
        for h in rec.releases
    ]


def _head(catalog: Catalog, records: list[Record]) -> dict[str, Any]:
    """The directory without its packages and activities (organisations and groups with counts)."""
    org_counts: dict[str, int] = {}
    group_counts: dict[str, int] = {}
    for r in records:
        owner = r.publisher[-1]["id"]
        org_counts[owner] = org_counts.get(owner, 0) + 1
        for t in r.themes:
            group_counts[t["id"]] = group_counts.get(t["id"], 0) + 1
    return {
        "format_version": "1.0",
        "ckan_version": CKAN_VERSION,
        "site_title": catalog.site["title"],
        "site_url": catalog.site["base_url"],
        "site_description": catalog.site.get("description", ""),
        "packages": [],
        "organizations": [organization(catalog, pid, org_counts) for pid in catalog.publishers],
        "groups": [group(catalog, tid, group_counts) for tid in catalog.themes],
        "licenses": license_list(catalog),
        "activities": {},
    }


def directory(catalog: Catalog, records: list[Record]) -> dict[str, Any]:
    return {
        **_head(catalog, records),
        "packages": [package(catalog, r) for r in records],
        "activities": {r.id: activities(r) for r in records if r.releases},
    }


def directory_text(catalog: Catalog, records: list[Record], piece: Callable[..., str]) -> str:
    """``directory`` as compact JSON, each package and activity list a piece (directory/fragments.py)."""
    from govdata.directory.fragments import dumps, json_with

    packages = (piece("ckan-package", r, lambda r=r: dumps(package(catalog, r))) for r in records)
    acts = {r.id: piece("ckan-activities", r, lambda r=r: dumps(activities(r))) for r in records if r.releases}
    return json_with(_head(catalog, records), packages=packages, activities=acts)
