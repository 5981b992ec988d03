"""Two releases side by side: a release as a diff reads it (from the store or from a build's view,
packed files reconstructed) and the schema and row diff of two of them (see
:mod:`govdata.publish.releases` and :mod:`govdata.publish.ondemand`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govdata.publish import diff as diff_mod
from govdata.publish import packs

if TYPE_CHECKING:
    from govdata.publish.releases import Store

PACKED = ".packed"


def view_locator(view: Path) -> packs.Locate:
    """Where a build's view of a dataset's history (``downloads/<dataset>/releases``) holds an
    object: in ``.packed/`` (a pack, or the whole base of one), else a release's whole file."""
    whole: dict[str, Path] = {}

    def locate(sha: str) -> packs.Located | None:
        here = view / PACKED / sha
        meta = packs.read_meta(here, sha)
        if meta:
            return here.with_name(f"{sha}.zst"), meta
        if here.is_file():
            return here
        if not whole:
            for manifest in sorted(view.glob("*/release.json")):
                for f in json.loads(manifest.read_text("utf-8")).get("files") or []:
                    if (manifest.parent / f["path"]).is_file():
                        whole.setdefault(f["sha256"], manifest.parent / f["path"])
        return whole.get(sha)

    return locate


@dataclass
class Side:
    """One release as a diff reads it: its manifest, its datapackage and its Parquet files."""

    manifest: dict[str, Any]
    datapackage: dict[str, Any]
    parquet: dict[str, Path]

    @classmethod
    def from_store(cls, store: Store, manifest: dict[str, Any], workdir: Path) -> Side:
        """A release in the store; a packed Parquet file is reconstructed into ``workdir``."""
        return cls(
            manifest,
            store.datapackage(manifest),
            {
                f["resource"]: store.materialize(f["sha256"], workdir)
                for f in manifest["files"]
                if f["format"] == "parquet"
            },
        )

    @classmethod
    def from_view(cls, folder: Path, workdir: Path) -> Side:
        """A release folder of a build's view (``downloads/<dataset>/releases/<id>/``); a packed
        Parquet file is reconstructed into ``workdir``."""
        manifest = json.loads((folder / "release.json").read_text("utf-8"))
        locate = view_locator(folder.parent)
        return cls(
            manifest,
            json.loads((folder / "datapackage.json").read_text("utf-8")),
            {
                f["resource"]: packs.materialize(locate, f["sha256"], workdir)
                for f in manifest["files"]
                if f["format"] == "parquet"
            },
        )

    def schemas(self) -> dict[str, dict]:
        return {r["name"]: r.get("schema") or {} for r in self.datapackage.get("resources") or []}


def compare(con, old: Side, new: Side, workdir: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    """Schema and row diff of two releases of one dataset: (the diff, resource → its rows' CSV in ``workdir``)."""
    old_s, new_s = old.schemas(), new.schemas()
    sdiff = diff_mod.schema_diff(old_s, new_s)
    rows, files = {}, {}
    workdir.mkdir(parents=True, exist_ok=True)
    for res in new_s:
        a, b = old.parquet.get(res), new.parquet.get(res)
        if a is None or b is None or res not in old_s:
            continue
        files[res] = workdir / f".diff-{res}.csv"
        rows[res] = diff_mod.row_diff(con, a, b, old_s[res], new_s[res], sdiff["resources"].get(res) or {}, files[res])
        rows[res]["file"] = f"diff-{res}.csv"
    return (
        {
            "dataset": new.manifest["dataset"],
            "from": old.manifest["release"],
            "to": new.manifest["release"],
            "schema": sdiff,
            "rows": rows,
        },
        files,
    )
