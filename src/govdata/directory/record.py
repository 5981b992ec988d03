"""The neutral record: everything any directory format needs about one dataset,
computed once from the descriptor, catalog.yaml and the build's exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govdata.catalog.vocabulary import FREQUENCY_ZH, OPEN_ZH  # noqa: F401  (re-exported)
from govdata.catalog.model import Catalog, Dataset

FREQUENCY_ISO = {
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "monthly": "R/P1M",
    "quarterly": "R/P3M",
    "semiannual": "R/P6M",
    "annual": "R/P1Y",
    "irregular": "irregular",
    "on_change": "irregular",
    "never": "irregular",
}
FREQUENCY_EU = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "semiannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "irregular": "IRREG",
    "on_change": "UPDATE_CONT",
    "never": "NEVER",
}
ACCESS_LEVEL = {"unconditional": "public", "conditional": "restricted public", "not_open": "non-public"}
ACCESS_EU = {"unconditional": "PUBLIC", "conditional": "RESTRICTED", "not_open": "NON_PUBLIC"}


@dataclass
class Distribution:
    resource: str
    title: str
    format: str
    url: str
    media_type: str
    bytes: int
    sha256: str
    schema_url: str
    api_url: str
    rows: int


@dataclass
class Record:
    id: str
    title: str
    title_en: str | None
    description: str
    description_en: str | None
    version: str
    publisher: list[dict[str, Any]]  # root first, the publisher last
    contact: dict[str, str]
    keywords: list[str]
    themes: list[dict[str, Any]]
    license: dict[str, Any] | None
    open_condition: str
    conditions: str | None
    legal_basis: str | None
    frequency: str
    issued: str
    modified: str
    temporal: dict[str, str] | None
    spatial: dict[str, str] | None
    landing_page: str
    datapackage_url: str
    api_url: str | None
    language: str
    resources: list[dict[str, Any]] = field(default_factory=list)  # name, title, description, fields, rows
    distributions: list[Distribution] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)  # newest first (publish.releases.summary_entry)
    policies: list[dict[str, Any]] = field(default_factory=list)  # documents it implements or evidences

    @property
    def access_level(self) -> str:
        return ACCESS_LEVEL[self.open_condition]

    @property
    def rights(self) -> str | None:
        if self.open_condition == "conditional":
            return f"有条件开放：{self.conditions}"
        if self.open_condition == "not_open":
            return f"不予开放：{self.legal_basis}"
        return None


def build_record(catalog: Catalog, ds: Dataset, exports: dict[str, dict[str, Any]], rows: dict[str, int]) -> Record:
    """``exports``: resource name → {"csv": Export-dict, "parquet": Export-dict}."""
    from govdata.oversight import policylinks

    base = catalog.site["base_url"].rstrip("/")
    d = ds.descriptor
    chain = catalog.publisher_chain(d["publisher"])
    lic_id = (d.get("licenses") or [{}])[0].get("name")
    lic = catalog.licenses.get(lic_id)
    oc = d.get("open_condition") or {}
    rec = Record(
        id=ds.name,
        title=d["title"],
        title_en=d.get("title_en"),
        description=" ".join(d["description"].split()),
        description_en=" ".join(d["description_en"].split()) if d.get("description_en") else None,
        version=d["version"],
        publisher=[{"id": p.id, "name": p.name, "name_en": p.name_en, "code": p.code, "level": p.level} for p in chain],
        contact=d["contact"],
        keywords=list(d.get("keywords") or []),
        themes=[
            {
                "id": t,
                "title": catalog.themes[t].title,
                "title_en": catalog.themes[t].title_en,
                "eu_theme": catalog.themes[t].eu_theme,
            }
            for t in d["themes"]
            if t in catalog.themes
        ],
        license={"id": lic.id, "title": lic.title, "url": lic.url, "open": lic.open} if lic else None,
        open_condition=oc.get("type", "unconditional"),
        conditions=oc.get("conditions"),
        legal_basis=oc.get("legal_basis"),
        frequency=d["update_frequency"],
        issued=d["issued"],
        modified=d["modified"],
        temporal=d.get("temporal"),
        spatial=d.get("spatial"),
        landing_page=f"{base}/datasets/{ds.name}",
        datapackage_url=f"{base}/downloads/{ds.name}/datapackage.json",
        api_url=f"{base}/{ds.name}" if ds.publishes_data else None,
        language=catalog.site.get("language", "zh-CN"),
        related=list(d.get("related") or []),
        policies=policylinks.for_dataset(catalog, ds.name),
    )
    for res in ds.resources:
        rec.resources.append(
            {
                "name": res.name,
                "title": res.raw.get("title") or res.name,
                "description": res.raw.get("description"),
                "fields": [
                    {
                        "name": f.get("name"),
                        "type": f.get("type", "any"),
                        "title": f.get("title"),
                        "description": f.get("description"),
                    }
                    for f in res.fields
                ],
                "rows": rows.get(res.name),
            }
        )
        for fmt in ("csv", "parquet"):
            exp = exports.get(res.name, {}).get(fmt)
            if exp:
                rec.distributions.append(
                    Distribution(
                        resource=res.name,
                        title=f"{res.raw.get('title') or res.name} ({fmt.upper()})",
                        format=fmt.upper(),
                        url=f"{base}/downloads/{ds.name}/{exp['file']}",
                        media_type=exp["mediatype"],
                        bytes=exp["bytes"],
                        sha256=exp["hash"].split(":", 1)[1],
                        schema_url=f"{base}/downloads/{ds.name}/datapackage.json",
                        api_url=f"{base}/{ds.name}/{res.name}.json",
                        rows=rows.get(res.name, 0),
                    )
                )
    return rec
