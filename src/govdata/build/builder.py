"""``govdata build``: check, then build everything into a new folder and switch the
``current`` link to it only when every step succeeded.

    _build/
      builds/<stamp>/             one build
        site/<dataset>.db         serving SQLite, one per published dataset
        site/metadata.json        Datasette metadata
        site/settings.json        Datasette settings
        site/inspect-data.json    cached table counts
        downloads/<dataset>/      <resource>.csv, <resource>.parquet, datapackage.json
        directory/data.json       DCAT-US 1.1
        warehouse.duckdb          typed tables, every checked dataset
        report.json, manifest.json
      current -> builds/<stamp>   the live build (an atomic symlink switch)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from govdata import __version__
from govdata.build import exports as exports_mod
from govdata.build import site as site_mod
from govdata.build import sqlite as sqlite_mod
from govdata.build import warehouse
from govdata.checks.metadata import normalise_schema
from govdata.checks.runner import run_checks
from govdata.directory import ckan, cncatalog, datajson, datapackage, dcatap, schemaorg
from govdata.directory.record import build_record
from govdata.errors import BuildError
from govdata.findings import Report

KEEP_BUILDS = 3


@dataclass
class BuildResult:
    path: Path
    report: Report
    datasets: list[str]
    tables: dict[str, int]


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def current_build(out: Path) -> Path | None:
    link = out / "current"
    if link.is_symlink() or link.exists():
        target = link.resolve()
        if (target / "manifest.json").is_file():
            return target
    return None


def _switch(out: Path, new: Path) -> None:
    tmp_link = out / f".current-{new.name}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path("builds") / new.name, tmp_link)
    os.replace(tmp_link, out / "current")  # atomic on POSIX


def _prune(out: Path, keep: Path) -> None:
    builds = sorted((p for p in (out / "builds").iterdir() if p.is_dir()), key=lambda p: p.name)
    for old in builds[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _write_directory(catalog, records, staging: Path) -> None:
    """DCAT-AP (catalogue and per dataset), schema.org, the Chinese catalogue core metadata, one dump."""
    directory = staging / "directory"
    jsonld, turtle = dcatap.serialize(dcatap.build_graph(catalog, records))
    (directory / "dcat-ap.jsonld").write_text(jsonld, encoding="utf-8")
    (directory / "dcat-ap.ttl").write_text(turtle, encoding="utf-8")
    for rec in records:
        one, _ = dcatap.serialize(dcatap.build_graph(catalog, [rec]))
        (staging / "downloads" / rec.id / "dcat-ap.jsonld").write_text(one, encoding="utf-8")
        _write_json(staging / "downloads" / rec.id / "schema-org.json", schemaorg.dataset(rec, catalog.site))
    cn = cncatalog.document(records)
    _write_json(directory / "catalog-cn.json", cn)
    (directory / "catalog-cn.csv").write_text(cncatalog.to_csv(cn), encoding="utf-8-sig")
    dump = {"format": "govdata-catalogue-dump", "format_version": "1.0", "site": catalog.site,
            "datasets": [json.loads((staging / "downloads" / r.id / "datapackage.json").read_text("utf-8"))
                         for r in records]}
    _write_json(directory / "catalog-dump.json", dump)


def build(root: Path, out: Path, log: Callable[[str], None] = lambda s: None) -> BuildResult:
    """Build the catalogue at ``root`` into ``out``; raise BuildError and leave ``current`` alone on failure."""
    root = root.resolve()
    out = out.resolve()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    staging = out / "builds" / stamp
    staging.mkdir(parents=True)
    work = staging / "work"
    try:
        result = _build_into(root, staging, work, log)
    except BuildError:
        shutil.rmtree(work, ignore_errors=True)
        (staging / "FAILED").write_text("this build failed; see report.json\n", encoding="utf-8")
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(work, ignore_errors=True)
    _switch(out, staging)
    _prune(out, staging)
    log(f"published {staging.relative_to(out)}")
    return result


def _build_into(root: Path, staging: Path, work: Path, log: Callable[[str], None]) -> BuildResult:
    log("checking the catalogue")
    run = run_checks(root, workdir=work)
    try:
        _write_json(staging / "report.json", run.report.to_dict())
        if not run.report.ok:
            raise BuildError(f"the catalogue has {len(run.report.errors)} error(s); run `govdata check` to see them")
        catalog, con = run.catalog, run.tables.con
        warehouse.attach(con, staging / "warehouse.duckdb")
        site_dir, downloads = staging / "site", staging / "downloads"
        site_dir.mkdir()
        records, published, inspect, table_rows = [], {}, {}, {}
        for ds in catalog.datasets:
            exports: dict[str, dict[str, Any]] = {}
            rows: dict[str, int] = {}
            if ds.open_type != "not_open":
                log(f"building {ds.name}")
            for res in ds.resources:
                lt = run.tables.tables.get((ds.name, res.name))
                if lt is None:
                    continue
                rows[res.name] = warehouse.load_resource(con, ds, lt, res.raw.get("title"), res.raw.get("description"))
                table_rows[f"{ds.name}/{res.name}"] = rows[res.name]
                if not ds.publishes_data:
                    continue  # conditional data stays in the warehouse
                source = warehouse.qualified(ds.name, res.name)
                exports[res.name] = {e.format: e.to_dict(f"/downloads/{ds.name}/{e.path.name}")
                                     for e in exports_mod.export_resource(con, source, downloads / ds.name, res.name)}
                schema = normalise_schema(res.schema or {})
                indexed = list(res.raw.get("filterable") or []) + list(res.raw.get("facets") or [])
                sqlite_mod.write_table(con, source, site_dir / f"{ds.name}.db", lt, indexed,
                                       list(schema.get("primaryKey") or []))
                published.setdefault(ds.name, []).append(res.name)
            if ds.name in published:
                db_path = site_dir / f"{ds.name}.db"
                inspect[ds.name] = {"hash": exports_mod.file_digest(db_path)[0], "size": db_path.stat().st_size,
                                    "file": db_path.name,
                                    "tables": {r: {"count": rows[r]} for r in published[ds.name]}}
            rec = build_record(catalog, ds, exports, rows)
            records.append(rec)
            _write_json(downloads / ds.name / "datapackage.json", datapackage.datapackage(ds, rec, exports))
        con.execute("DETACH wh")
        base = catalog.site["base_url"]
        _write_json(staging / "directory" / "data.json", datajson.catalog_document(records, base))
        _write_json(staging / "directory" / "ckan.json", ckan.directory(catalog, records))
        _write_directory(catalog, records, staging)
        _write_json(site_dir / "metadata.json", site_mod.metadata(catalog, catalog.datasets, published, table_rows))
        _write_json(site_dir / "settings.json", site_mod.SETTINGS)
        _write_json(site_dir / "inspect-data.json", inspect)
        _write_json(staging / "manifest.json", {
            "govdata_version": __version__, "built_at": staging.name, "root": str(root),
            "datasets": [r.id for r in records], "published": published, "tables": table_rows,
        })
        return BuildResult(staging, run.report, [r.id for r in records], table_rows)
    finally:
        run.close()
