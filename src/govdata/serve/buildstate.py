"""What the pages of one served build read, loaded once and owned by that build's Datasette.

One Datasette application serves one build (``serve/live.py`` makes a new one when ``current``
moves, and drops the old one once its requests end). The catalogue search index, the code labels
and the CKAN directory of the build are loaded on first use and kept on the application's
:class:`BuildState`, so they live exactly as long as the application that serves them: no
module-level cache keyed by path, nothing to evict by hand.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govdata.serve.catalogsearch import CatalogueIndex
    from govdata.serve.ckan import Directory
    from govdata.serve.snapshot import Snapshot


def build_dir(datasette: Any) -> Path | None:
    """The build folder served (set by serve/app.py, never shown in the metadata), or the one a
    plain Datasette's plugin config names."""
    if getattr(datasette, "govdata_build", None) is not None:
        return datasette.govdata_build
    value = (datasette.plugin_config("govdata") or {}).get("build_dir")
    return Path(value) if value else None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


class BuildState:
    """The loaded parts of the build at ``root`` (None: nothing configured)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._label_maps: dict[tuple[str, str], dict[str, dict[str, str]]] = {}

    @cached_property
    def snapshot(self) -> Snapshot:
        """The build's serving snapshot (serve/snapshot.py): each part used only when it is good."""
        from govdata.serve.snapshot import Snapshot

        return Snapshot(self.root)

    @cached_property
    def catalogue(self) -> CatalogueIndex | None:
        """The catalogue search index over ``directory/portal.json`` (None without one): from the
        build's snapshot, or derived from the document when the snapshot is missing or stale."""
        from govdata.serve.catalogsearch import CatalogueIndex

        if self.root is None:
            return None
        state = self.snapshot.part("catalogue")
        if state is not None:
            return CatalogueIndex.from_state(state)
        doc = _read_json(self.root / "directory" / "portal.json")
        return CatalogueIndex(doc) if doc is not None else None

    @cached_property
    def labels(self) -> dict[str, Any]:
        """``site/labels.json`` of the build (see publish/labels.py)."""
        return (_read_json(self.root / "site" / "labels.json") if self.root is not None else None) or {}

    def label_maps(self, database: str, table: str) -> dict[str, dict[str, str]]:
        """Column → {code: name} for the columns of ``table`` whose codes have names (labels.json),
        worked out once per table (it is asked for every cell rendered)."""
        maps = self._label_maps.get((database, table))
        if maps is None:
            known = self.labels
            columns = known.get("columns", {}).get(database, {}).get(table, {})
            maps = {column: known.get("maps", {}).get(which) or {} for column, which in columns.items()}
            self._label_maps[(database, table)] = maps
        return maps

    @cached_property
    def directory(self) -> Directory | None:
        """The CKAN-compatible directory (None when nothing is configured)."""
        from govdata.serve.ckan import Directory

        if self.root is None:
            return None
        state = self.snapshot.part("ckan")
        if state is not None:
            return Directory.from_state(state, self.catalogue)
        return Directory.load(self.root, self.catalogue)

    def has_directory(self) -> bool:
        return self.root is not None and (self.root / "directory" / "ckan.json").is_file()


def state(datasette: Any) -> BuildState:
    """The state of the build ``datasette`` serves, made on first use and kept on it."""
    root = build_dir(datasette)
    current = getattr(datasette, "_govdata_state", None)
    if current is None or current.root != root:
        current = datasette._govdata_state = BuildState(root)
    return current
