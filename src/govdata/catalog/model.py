"""Typed model of the catalogue: catalog.yaml plus one descriptor per dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govdata.catalog.safeyaml import Lines, line_of
from govdata.verdicts import VerdictCache

LEVELS = ("province", "city", "county", "township", "village")


@dataclass
class Publisher:
    """A publishing agency of the catalogue (catalog.yaml's ``publishers``)."""

    id: str
    code: str
    level: str
    name: str
    name_en: str
    contact: dict[str, str]
    parent: str | None = None
    homepage: str | None = None
    ancestors: list[str] = field(default_factory=list)  # root first


@dataclass
class Theme:
    """A theme of the catalogue (catalog.yaml's ``themes``)."""

    id: str
    title: str
    title_en: str
    eu_theme: str | None = None


@dataclass
class License:
    """A licence of the catalogue (catalog.yaml's ``licenses``)."""

    id: str
    title: str
    url: str
    open: bool


@dataclass
class Resource:
    """A resource of a dataset's descriptor (a file, or a pipeline's output)."""

    name: str
    raw: dict[str, Any]
    index: int
    schema: dict[str, Any] | None = None
    schema_ref: str | None = None  # "shared:<name>" or a relative path, when not inline
    schema_file: Path | None = None  # the file schema_ref names, when it was found
    source: Path | None = None  # the committed file, when the resource has a path
    pipeline: str | None = None

    @property
    def fields(self) -> list[dict[str, Any]]:
        fields = (self.schema or {}).get("fields") if isinstance(self.schema, dict) else None
        return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []

    @property
    def field_names(self) -> list[str]:
        return [f.get("name") or "" for f in self.fields]

    @property
    def format(self) -> str:
        fmt = self.raw.get("format")
        if fmt:
            return str(fmt).lower()
        if self.source is not None and self.source.suffix.lower() in (".xlsx", ".xls"):
            return self.source.suffix.lower()[1:]
        return "csv"


@dataclass
class Dataset:
    """A dataset: its descriptor file, as loaded, and its resources."""

    name: str
    folder: str  # datasets/<publisher>/<folder>
    publisher_folder: str
    dir: Path
    descriptor_file: Path
    rel_file: str  # repository-relative descriptor path, as findings print it
    descriptor: dict[str, Any]
    lines: Lines
    resources: list[Resource] = field(default_factory=list)

    @property
    def open_type(self) -> str:
        oc = self.descriptor.get("open_condition") or {}
        return oc.get("type", "unconditional") if isinstance(oc, dict) else "unconditional"

    @property
    def publishes_data(self) -> bool:
        """Only unconditional datasets have public downloads and tables."""
        return self.open_type == "unconditional"

    def foreign_datasets(self) -> set[str]:
        """Names of other datasets this one's foreign keys point into."""
        names = set()
        for res in self.resources:
            for fk in (res.schema or {}).get("foreignKeys") or []:
                ref = fk.get("reference") if isinstance(fk, dict) else None
                if isinstance(ref, dict) and isinstance(ref.get("dataset"), str):
                    names.add(ref["dataset"])
        return names

    def get(self, key: str, default: Any = None) -> Any:
        """A key of the descriptor (the oversight modules read issued, modified, publisher)."""
        return self.descriptor.get(key, default)

    def line(self, *key_path: Any) -> int | None:
        return line_of(self.lines, key_path)


@dataclass
class Catalog:
    """The catalogue as loaded: catalog.yaml's lists and every dataset."""

    root: Path
    site: dict[str, Any]
    publishers: dict[str, Publisher]
    themes: dict[str, Theme]
    licenses: dict[str, License]
    raw: dict[str, Any]
    lines: Lines
    datasets: list[Dataset] = field(default_factory=list)
    verdicts: VerdictCache = field(default_factory=lambda: VerdictCache(None))  # see govdata.verdicts

    _by_name: tuple[tuple[int, int], dict[str, Dataset]] = field(
        default_factory=lambda: ((0, -1), {}), init=False, repr=False, compare=False
    )

    def dataset(self, name: str) -> Dataset | None:
        """The first dataset of that name (an index rebuilt when datasets were added: lookups of
        every foreign key of 10,000 datasets were a scan each)."""
        stamp, index = self._by_name
        if stamp != (id(self.datasets), len(self.datasets)):
            index = {}
            for ds in self.datasets:
                index.setdefault(ds.name, ds)
            self._by_name = ((id(self.datasets), len(self.datasets)), index)
        return index.get(name)

    def publisher_chain(self, publisher_id: str) -> list[Publisher]:
        """The publisher and its ancestors, root first."""
        pub = self.publishers.get(publisher_id)
        if pub is None:
            return []
        return [self.publishers[a] for a in pub.ancestors] + [pub]
