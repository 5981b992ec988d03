"""A build's shared files: the directory documents, Datasette's metadata, settings, counts and
labels. Each catalogue-level document is its head plus one piece per dataset, known by the record
it is made from (directory/fragments.py): a build in which one dataset changed renders that
dataset's pieces and copies the others' bytes from the previous build's documents."""

from __future__ import annotations

from typing import Any, Callable

from govdata.publish.buildfolder import write_json, write_text
from govdata.publish.steps import Plan


def write_outputs(plan: Plan, con: Any, catalog: Any, records: list[Any], entries: dict[str, Any]) -> dict[str, int]:
    """labels.json, the directory, metadata.json, settings.json, inspect-data.json, counts.json;
    returns the rows of every table (``dataset/resource``)."""
    from govdata.directory import ckan
    from govdata.publish import labels
    from govdata.publish import site as site_mod

    published = {name: e["published"] for name, e in entries.items() if e["published"]}
    inspect = {name: entries[name]["inspect"] for name in published}
    table_rows = {f"{name}/{r}": n for name, e in entries.items() for r, n in e["rows"].items()}
    write_json(plan.site / "labels.json", labels.compute(con, catalog, published))
    con.execute("DETACH wh")
    write = plan.fragments.write  # documents holding pieces
    write(plan.staging / "directory" / "ckan.json", ckan.directory_text(catalog, records, plan.piece))
    write_directory(plan, catalog, records)
    by_id = {r.id: r for r in records}

    def database(ds: Any, render: Any) -> str:
        extra = f"{plan.keys.get(ds.name, '')}|{published[ds.name]}|{[entries[ds.name]['rows']]}"
        return plan.piece("datasette-metadata", by_id[ds.name], render, extra)

    write(
        plan.site / "metadata.json", site_mod.metadata_text(catalog, catalog.datasets, published, table_rows, database)
    )
    write_json(plan.site / "settings.json", site_mod.SETTINGS, indent=2)
    write(plan.site / "inspect-data.json", _per_dataset(plan, "inspect", inspect))
    write(
        plan.site / "counts.json", _per_dataset(plan, "counts", {n: entries[n].get("counts") or {} for n in published})
    )
    return table_rows


def _per_dataset(plan: Plan, kind: str, values: dict[str, Any]) -> str:
    """A JSON object of one value per dataset (compact, as ``write_json`` writes it), each value a
    piece known by the build that made the dataset's entry (``Plan.made``): copied from the
    previous build's file while the dataset is reused."""
    from govdata.directory.fragments import dumps, name_json

    raw = plan.fragments.raw

    def render(value: Any) -> Callable[[], str]:
        return lambda: dumps(value)

    parts = [f"{name_json(name)}:" + raw(f"{kind}\1{name}\1{plan.made(name)}", render(v)) for name, v in values.items()]
    return "{" + ",".join(parts) + "}"


def write_directory(plan: Plan, catalog: Any, records: list[Any]) -> None:
    """Every registered directory format (directory/formats.py: DCAT-US, DCAT-AP, the Chinese
    catalogue core metadata, one dump), each changed dataset's DCAT-AP and schema.org, the portal's
    index and the changelogs. A reused dataset's own DCAT-AP and schema.org files came with its
    downloads (same key, same catalogue: same content)."""
    from govdata.directory import changelog, dcatap, formats, portal, schemaorg

    directory = plan.staging / "directory"
    write = plan.fragments.write  # documents holding pieces
    given = formats.DirectoryInput(catalog, records, plan.staging, plan.piece, plan.keys)
    for fmt in formats.formats():
        write(directory / fmt.file, fmt.write(given), encoding=fmt.encoding)
    for rec in records:
        if rec.id in plan.reuse:
            continue  # its DCAT-AP and schema.org came with its downloads (same key: same platform code wrote them)
        mine = plan.downloads / rec.id
        _, nodes = formats.dcat_ap_pieces(given, rec, ntriples=False)
        head = dcatap.nodes(dcatap.catalogue_graph(catalog, [rec]))
        write(mine / "dcat-ap.jsonld", dcatap.jsonld([head, nodes]))
        write_json(mine / "schema-org.json", schemaorg.dataset(rec, catalog.site))
    write(directory / "portal.json", portal.document_text(catalog, records, plan.downloads, plan.piece))
    base = catalog.site["base_url"].rstrip("/")
    newest = changelog.catalogue_entries(records)
    write_text(directory / "changelog.atom", changelog.catalogue_feed(catalog.site, records, base, newest))
    write_json(directory / "changelog.json", newest)
