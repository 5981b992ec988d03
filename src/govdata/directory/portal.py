"""``directory/portal.json``: what the portal's pages and the catalogue search need, written once
per build from the neutral records (one entry per dataset, no field lists: the dataset page
reads the dataset's own ``datapackage.json``), plus the publisher tree, themes and licences.

Pinyin of titles (full and initials, ``pypinyin``) is computed here, at build time, so that
serving never imports it; so is each dataset's last real update (``oversight.timeliness``), from
which the portal computes timeliness for the day it serves.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from typing import Any

from govdata.catalog.model import Catalog
from govdata.directory.record import Record

FORMAT_VERSION = "1.0"


PINYIN_WINDOW = 3  # syllables kept either side of a character's other reading


@functools.lru_cache(maxsize=65536)  # the derived step computes the document before the directory does
def _pinyin(text: str) -> tuple[str, str]:
    """Pinyin and initials of a title's Chinese characters and ASCII letters and digits
    (``示例市2025年`` → ``shilishi2025nian``, ``sls2025n``), each followed by the other readings of
    its polyphones in their context (pypinyin's default for 调休 is ``diaoxiu``; ``…ritiaoxiugong…``
    is added), a few syllables either side, so that either reading finds the title."""
    from pypinyin import Style, lazy_pinyin, pinyin

    kept = "".join(ch for ch in text if "\u3400" <= ch <= "\u9fff" or (ch.isascii() and ch.isalnum()))
    base = [s.lower() for s in lazy_pinyin(kept)]
    readings = pinyin(kept, style=Style.NORMAL, heteronym=True)
    full, initials = ["".join(base)], ["".join(s[:1] if s.isalpha() else s for s in base)]
    if len(readings) == len(base):
        for i, others in enumerate(readings):
            for other in dict.fromkeys(o.lower() for o in others if o.lower() != base[i] and o.isalpha()):
                window = base[max(0, i - PINYIN_WINDOW) : i] + [other] + base[i + 1 : i + 1 + PINYIN_WINDOW]
                full.append("".join(window))
                initials.append("".join(s[:1] if s.isalpha() else s for s in window))
    return " ".join(full), " ".join(dict.fromkeys(initials))


def entry(rec: Record, committed: Any = None, downloads: Any = None, derived: bool = False) -> dict[str, Any]:
    from govdata.oversight.datastats import missing_cells
    from govdata.oversight.timeliness import last_update

    full, initials = _pinyin(rec.title)
    updated, source = last_update(rec.modified, committed)
    formats = sorted({d.format for d in rec.distributions})
    return {
        "id": rec.id,
        "title": rec.title,
        "title_en": rec.title_en,
        "description": rec.description,
        "description_en": rec.description_en,
        "version": rec.version,
        "publisher": rec.publisher[-1]["id"] if rec.publisher else None,
        "publisher_chain": [p["id"] for p in rec.publisher],
        "level": rec.publisher[-1]["level"] if rec.publisher else None,
        "themes": [t["id"] for t in rec.themes],
        "keywords": rec.keywords,
        "license": rec.license["id"] if rec.license else None,
        "open_condition": rec.open_condition,
        "frequency": rec.frequency,
        "issued": rec.issued,
        "modified": rec.modified,
        "formats": formats,
        "rows": sum(r.get("rows") or 0 for r in rec.resources),
        "resources": [{"name": r["name"], "title": r["title"]} for r in rec.resources],
        "spatial": (rec.spatial or {}).get("name"),
        "pinyin": full,
        "initials": initials,
        "last_update": updated.isoformat() if updated else None,
        "last_update_source": source,
        # what the oversight scorecards measure (oversight/scorecard.py)
        "has_temporal": bool(rec.temporal),
        "has_contact": bool((rec.contact or {}).get("email")),
        "has_rights": bool(rec.rights),
        "fields": sum(len(r["fields"]) for r in rec.resources),
        "documented_fields": sum(
            1 for r in rec.resources for f in r["fields"] if f.get("title") or f.get("description")
        ),
        "described_resources": sum(1 for r in rec.resources if r.get("description")),
        "cells": sum((r.get("rows") or 0) * len(r["fields"]) for r in rec.resources),
        "bytes": sum(d.bytes for d in rec.distributions),
        "related": list(rec.related),
        "missing_cells": missing_cells(downloads, rec.id, sorted({d.resource for d in rec.distributions})),
        "derived": derived,
        "policies": [p["key"] for p in rec.policies],
    }


def document(
    catalog: Catalog, records: list[Record], downloads: Any = None, piece: Callable[..., str] | None = None
) -> dict[str, Any]:
    """``downloads``: the build's downloads folder (missing values are read from its Parquet files);
    ``piece``: the build's kept entries (directory/fragments.py), else every entry is computed."""
    if piece is None:
        return {**_head(catalog), "datasets": list(_entries(catalog, records, downloads))}
    return {**_head(catalog), "datasets": [json.loads(t) for t in _texts(catalog, records, downloads, piece)]}


def document_text(catalog: Catalog, records: list[Record], downloads: Any, piece: Callable[..., str]) -> str:
    """``document`` as compact JSON, each dataset's entry a piece."""
    from govdata.directory.fragments import json_with

    return json_with(_head(catalog), datasets=_texts(catalog, records, downloads, piece))


def _entries(catalog: Catalog, records: list[Record], downloads: Any) -> Iterator[dict[str, Any]]:
    from govdata.oversight import is_derived
    from govdata.oversight.timeliness import data_updates

    # each dataset's folder as the catalogue names it (its descriptor's relative path, less the file name)
    folders = {ds.name: ds.rel_file.rpartition("/")[0] for ds in catalog.datasets}
    updates = data_updates(catalog.root, sorted(set(folders.values())))
    derived = {ds.name for ds in catalog.datasets if is_derived(ds)}
    for r in records:
        yield entry(r, updates.get(folders.get(r.id, "")), downloads, r.id in derived)


def _texts(catalog: Catalog, records: list[Record], downloads: Any, piece: Callable[..., str]) -> list[str]:
    """Each record's entry as JSON text, kept by the record, its last update and its kind."""
    from govdata.directory.fragments import dumps
    from govdata.oversight import is_derived
    from govdata.oversight.timeliness import data_updates

    # each dataset's folder as the catalogue names it (its descriptor's relative path, less the file name)
    folders = {ds.name: ds.rel_file.rpartition("/")[0] for ds in catalog.datasets}
    updates = data_updates(catalog.root, sorted(set(folders.values())))
    derived = {ds.name for ds in catalog.datasets if is_derived(ds)}
    out = []
    for r in records:
        committed = updates.get(folders.get(r.id, ""))
        mine = r.id in derived
        out.append(
            piece(
                "portal",
                r,
                lambda r=r, committed=committed, mine=mine: dumps(entry(r, committed, downloads, mine)),
                f"{committed}|{mine}",
            )
        )
    return out


def _head(catalog: Catalog) -> dict[str, Any]:
    from govdata.oversight.policylinks import documents

    site = catalog.site
    return {
        "format": "govdata-portal",
        "format_version": FORMAT_VERSION,
        "site": {k: site.get(k) for k in ("title", "title_en", "description", "description_en", "base_url", "contact")},
        "publishers": [
            {
                "id": p.id,
                "name": p.name,
                "name_en": p.name_en,
                "code": p.code,
                "level": p.level,
                "parent": p.parent,
                "ancestors": list(p.ancestors),
                "contact": p.contact,
                "homepage": p.homepage,
            }
            for p in catalog.publishers.values()
        ],
        "themes": [{"id": t.id, "title": t.title, "title_en": t.title_en} for t in catalog.themes.values()],
        "licenses": [
            {"id": lic.id, "title": lic.title, "url": lic.url, "open": lic.open} for lic in catalog.licenses.values()
        ],
        "datasets": [],
        "policies": list(documents(catalog).values()),
    }
