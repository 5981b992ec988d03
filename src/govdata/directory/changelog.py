"""Changelogs as Atom 1.0 feeds (RFC 4287): one per dataset, one for the whole catalogue.

Every entry is one release (see :mod:`govdata.publish.releases`): its id is the release's
``release.json`` URL (permanent: a release is never rewritten), its ``updated`` the release date,
its summary the notes and the counts of what changed. The catalogue feed keeps the newest
CATALOGUE_ENTRIES releases of every dataset.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

ATOM = "http://www.w3.org/2005/Atom"
CATALOGUE_ENTRIES = 200
EPOCH = "2024-01-01T00:00:00Z"


def summary_text(h: dict[str, Any]) -> str:
    rows = h.get("rows") or {}
    parts = [h.get("notes") or ""]
    if h.get("previous"):
        parts.append(
            f"与 {h['previous']} 相比 / since {h['previous']}: 新增 {rows.get('added', 0)} 行, "
            f"删除 {rows.get('removed', 0)} 行, 修改 {rows.get('changed', 0)} 行"
        )
    else:
        parts.append("首个版本 / first release")
    if h.get("breaking"):
        parts.append("不兼容的结构变更 / breaking schema change")
    parts += h.get("schema_changes") or []
    return "\n".join(p for p in parts if p)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def feed(
    title: str, feed_id: str, self_url: str, page_url: str, author: str, entries: list[tuple[str, dict[str, Any]]]
) -> str:
    """``entries``: (dataset title, history entry), newest first."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "zh-CN"})
    _el(root, "id", feed_id)
    _el(root, "title", title)
    _el(root, "updated", max((h["date"] for _, h in entries), default=EPOCH))
    _el(_el(root, "author"), "name", author)
    _el(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _el(root, "link", rel="alternate", type="text/html", href=page_url)
    _el(root, "generator", "govdata")
    for ds_title, h in entries:
        e = _el(root, "entry")
        _el(e, "id", f"{h['url']}release.json")
        _el(e, "title", f"{ds_title} {h['id']}")
        _el(e, "updated", h["date"])
        _el(e, "published", h["date"])
        _el(e, "link", rel="alternate", type="text/html", href=h["page"])
        _el(e, "link", rel="related", type="application/json", href=f"{h['url']}datapackage.json")
        _el(e, "summary", summary_text(h), type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def dataset_feed(rec, history: list[dict[str, Any]], base: str) -> str:
    page = f"{base}/datasets/{rec.id}/changelog"
    return feed(
        f"{rec.title} — 版本历史",
        f"{page}.atom",
        f"{page}.atom",
        page,
        rec.publisher[-1]["name"],
        [(rec.title, _paged(h, page)) for h in history],
    )


def catalogue_entries(records) -> list[dict[str, Any]]:
    """The newest releases of the catalogue, newest first (for the feed and the changelog page)."""
    import heapq

    # the newest CATALOGUE_ENTRIES of every release (a partial sort: no row made for the others)
    newest = heapq.nlargest(
        CATALOGUE_ENTRIES,
        ((h["date"], r.id, h["id"], r.title, h) for r in records for h in r.releases),
        key=lambda t: t[:3],
    )
    return [{"dataset": dataset, "title": title, **h} for _, dataset, _, title, h in newest]


def catalogue_feed(site: dict[str, Any], records, base: str, entries: list[dict[str, Any]] | None = None) -> str:
    """The catalogue's Atom feed (``entries``: :func:`catalogue_entries` of ``records``, when made already)."""
    page = f"{base}/changelog"
    return feed(
        f"{site['title']} — 数据更新",
        f"{page}.atom",
        f"{page}.atom",
        page,
        site["title"],
        [
            (h["title"], _paged(h, f"{base}/datasets/{h['dataset']}/changelog"))
            for h in (catalogue_entries(records) if entries is None else entries)
        ],
    )


def _paged(h: dict[str, Any], page: str) -> dict[str, Any]:
    return {**h, "page": f"{page}#v{h['id']}"}
