"""The published ``datapackage.json`` of a dataset: schemas resolved, exports listed
with bytes and sha256, catalogue keys kept, publisher and contact as contributors."""

from __future__ import annotations

import copy
from typing import Any

from govdata.catalog.model import Dataset
from govdata.catalog.tableschema import normalise_schema
from govdata.directory.record import Record

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


def datapackage(ds: Dataset, rec: Record, exports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    d = copy.deepcopy(ds.descriptor)
    d["$schema"] = PROFILE
    d["id"] = rec.landing_page
    d["homepage"] = rec.landing_page
    d["created"] = rec.issued
    pub = rec.publisher[-1]
    d["contributors"] = [
        {"title": pub["name"], "roles": ["publisher"], "organization": pub["name_en"]},
        {"title": rec.contact["name"], "email": rec.contact["email"], "roles": ["contact"]},
    ]
    if rec.license:
        d["licenses"] = [{"name": rec.license["id"], "path": rec.license["url"], "title": rec.license["title"]}]
    resources = []
    for res in ds.resources:
        out = {
            k: v
            for k, v in res.raw.items()
            if k
            not in ("schema", "pipeline", "pipeline_params", "path", "hash", "bytes", "encoding", "sheet", "header_row")
        }
        out["schema"] = normalise_schema(res.schema or {"fields": []}, keep_labels=True)
        exp = exports.get(res.name, {})
        if "csv" in exp:
            out.update(
                {
                    "path": exp["csv"]["file"],
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "bytes": exp["csv"]["bytes"],
                    "hash": exp["csv"]["hash"],
                    "type": "table",
                }
            )
            out["x-parquet"] = {
                "path": exp["parquet"]["file"],
                "bytes": exp["parquet"]["bytes"],
                "hash": exp["parquet"]["hash"],
            }
            for fmt, key in (("excel-csv", "x-excel-csv"), ("xlsx", "x-xlsx")):
                if fmt in exp:  # spreadsheet-ready copies (build.exports.export_spreadsheet)
                    out[key] = {
                        "path": exp[fmt]["file"],
                        "bytes": exp[fmt]["bytes"],
                        "hash": exp[fmt]["hash"],
                        "mediatype": exp[fmt]["mediatype"],
                    }
        resources.append(out)
    d["resources"] = resources
    return d
