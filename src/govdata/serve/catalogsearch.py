"""Catalogue search: one engine for the portal's ``/datasets?q=`` and CKAN's ``package_search``.

Built once per build from ``directory/portal.json``. Matching is exact substring search on
folded text (:mod:`govdata.textsearch`: traditional = simplified, full-width = ASCII, case-
insensitive), so every dataset that *contains* what was typed is found; titles are also found
by pinyin and initials. Every term must match somewhere. Relevance: a term found in the title
counts more than one found in keywords, the publisher, themes, resource titles or the
description (weights in ``GROUPS``); ties go to the most recently modified.

Sets of datasets are Python integers used as bitsets: a facet count is ``(a & b).bit_count()``,
so counting every facet value over 10,000 datasets takes about a millisecond.
"""

from __future__ import annotations

import functools
import re
import heapq
from dataclasses import dataclass, field
from typing import Any, Callable

from govdata.textsearch import fold_many, terms as query_terms

FACETS = ("theme", "publisher", "level", "format", "open_condition", "license", "frequency", "freshness", "keyword")
SORTS = ("relevance", "modified", "title")
LEVELS = ("province", "city", "county", "township", "village")

_CODE = re.compile(r"[A-Za-z0-9]+(?:[\s./\-_·:]+[A-Za-z0-9]+)+")


def _joined(text: str) -> str:
    """Codes written with punctuation or spaces (PM2.5, GB/T 2260, ISO 3166-1) also as citizens type
    them, run together (pm25, gbt2260, iso31661): one per line, after the text."""
    return "\n".join(re.sub(r"[^A-Za-z0-9]", "", m) for m in _CODE.findall(text))


# (name, weight, text of a dataset entry)
GROUPS: list[tuple[str, int, Callable[[dict, "CatalogueIndex"], str]]] = [
    ("title", 100, lambda d, ix: f"{d['title']}\n{d.get('title_en') or ''}\n{_joined(d['title'])}"),
    ("pinyin", 60, lambda d, ix: f"{d.get('pinyin') or ''}\n{d.get('initials') or ''}"),
    ("keywords", 50, lambda d, ix: "\n".join(d.get("keywords") or [])),
    ("publisher", 30, lambda d, ix: "\n".join(ix.publisher_names(d))),
    ("themes", 30, lambda d, ix: "\n".join(ix.theme_names(d))),
    ("resources", 20, lambda d, ix: "\n".join(r["title"] + "\n" + r["name"] for r in d.get("resources") or [])),
    (
        "description",
        10,
        lambda d, ix: (
            f"{d.get('description') or ''}\n{d.get('description_en') or ''}\n{d.get('spatial') or ''}\n{d['id']}"
            f"\n{_joined(d.get('description') or '')}\n{_joined('；'.join(d.get('keywords') or []))}"
        ),
    ),
]


def _facet_values(d: dict[str, Any]) -> list[tuple[str, Any]]:
    """(facet, value) of a dataset entry, in the order the index first meets them."""
    out: list[tuple[str, Any]] = []
    for facet, vals in (
        ("theme", d.get("themes") or []),
        ("publisher", d.get("publisher_chain") or []),
        ("level", [d.get("level")]),
        ("format", d.get("formats") or []),
        ("open_condition", [d.get("open_condition")]),
        ("license", [d.get("license")]),
        ("frequency", [d.get("frequency")]),
        ("keyword", d.get("keywords") or []),
        ("owner_org", [d.get("publisher")]),
    ):
        out.extend((facet, v) for v in vals if v)
    return out


def _mask(indices) -> int:
    return functools.reduce(lambda acc, i: acc | (1 << i), indices, 0) if len(indices) < 64 else _bulk_mask(indices)


def _bulk_mask(indices) -> int:
    buf = bytearray((max(indices) >> 3) + 1 if indices else 0)
    for i in indices:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def _bytes(mask: int, n: int) -> bytes:
    return mask.to_bytes((n + 7) // 8, "little")


@dataclass
class Result:
    count: int
    items: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]]
    scores: dict[str, int] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)


class CatalogueIndex:
    def __init__(self, doc: dict[str, Any]):
        self.doc = doc
        self.datasets: list[dict[str, Any]] = doc["datasets"]
        self.n = len(self.datasets)
        self.all = (1 << self.n) - 1
        self.by_id = {d["id"]: i for i, d in enumerate(self.datasets)}
        self.publishers = {p["id"]: p for p in doc["publishers"]}
        self.themes = {t["id"]: t for t in doc["themes"]}
        self.licenses = {lic["id"]: lic for lic in doc["licenses"]}
        self.children: dict[str | None, list[str]] = {}
        for p in doc["publishers"]:
            self.children.setdefault(p.get("parent"), []).append(p["id"])
        self._layout()
        values: dict[str, dict[str, list[int]]] = {f: {} for f in (*FACETS, "owner_org") if f != "freshness"}
        for i, d in enumerate(self.datasets):
            for facet, v in _facet_values(d):
                values[facet].setdefault(v, []).append(i)
        self.facet_masks = {f: {v: _mask(ix) for v, ix in vals.items()} for f, vals in values.items()}
        self._sort()
        self._fresh: dict[Any, tuple[list[Any], dict[str, int]]] = {}
        self._term_cache: dict[str, dict[int, int]] = {}

    # what __init__ derives from the document: a build's serving snapshot holds it (serve/snapshot.py)
    STATE = (
        "doc", "datasets", "n", "all", "by_id", "publishers", "themes", "licenses", "children",
        "group_texts", "char_masks", "facet_masks", "order", "rank",
    )  # fmt: skip

    def state(self) -> dict[str, Any]:
        """What the index is made of, as plain containers (``marshal`` writes and reads them)."""
        return {name: getattr(self, name) for name in self.STATE}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "CatalogueIndex":
        """The index :meth:`state` describes, without deriving it again."""
        self = cls.__new__(cls)
        for name in cls.STATE:
            setattr(self, name, state[name])
        self._fresh = {}
        self._term_cache = {}
        return self

    def replace(self, changed: dict[int, dict[str, Any]], keys: tuple[list[Any], list[Any]] | None = None) -> bool:
        """Make this the index of the document whose datasets at the given positions are the given
        entries: the same state as ``CatalogueIndex`` of that document (a build patches its serving
        snapshot this way, serve/snapshot.py), at the cost of the changed entries and two sorts.
        ``keys``: every dataset's :meth:`sort_keys` (updated here), so that the others are not read.
        False, and the index left unusable, when an entry's id is not the one at its position."""
        if any(not (0 <= i < self.n) or d.get("id") != self.datasets[i]["id"] for i, d in changed.items()):
            return False
        old = {i: self.datasets[i] for i in changed}
        for i, d in changed.items():
            self.datasets[i] = d
            if self.doc["datasets"] is not self.datasets:
                self.doc["datasets"][i] = d
        per = len(GROUPS)
        order = sorted(changed)
        folded = fold_many([get(self.datasets[i], self) for i in order for _, _, get in GROUPS])
        for k, i in enumerate(order):
            before = set("".join(self.group_texts[i]))
            self.group_texts[i] = tuple(folded[k * per : (k + 1) * per])
            after = set("".join(self.group_texts[i]))
            for ch in before - after:
                self.char_masks[ch] &= ~(1 << i)
                if not self.char_masks[ch]:
                    del self.char_masks[ch]
            for ch in after - before:
                self.char_masks[ch] = self.char_masks.get(ch, 0) | (1 << i)
        grown: set[str] = set()
        for i in order:
            before_values = set(_facet_values(old[i]))
            after_values = set(_facet_values(self.datasets[i]))
            for facet, v in before_values - after_values:
                masks = self.facet_masks[facet]
                masks[v] &= ~(1 << i)
                if not masks[v]:
                    del masks[v]
            for facet, v in after_values - before_values:
                masks = self.facet_masks[facet]
                if v not in masks:
                    grown.add(facet)
                masks[v] = masks.get(v, 0) | (1 << i)
        for facet in grown:  # a new value: where its first dataset puts it (the order __init__ gives)
            masks = self.facet_masks[facet]

            def first(v: str, masks: dict[str, int] = masks, facet: str = facet) -> tuple[int, int]:
                at = (masks[v] & -masks[v]).bit_length() - 1
                return at, [w for f, w in _facet_values(self.datasets[at]) if f == facet].index(v)

            self.facet_masks[facet] = {v: masks[v] for v in sorted(masks, key=first)}
        if keys is None:
            self._sort()
        else:
            for i in order:
                (keys[0][i],), (keys[1][i],) = self.sort_keys([self.datasets[i]])
            self._sort(keys)
        return True

    @staticmethod
    def sort_keys(datasets: Any) -> tuple[list[Any], list[Any]]:
        """Each dataset's key in the two orders: (modified, id) newest first, (pinyin, title)."""
        return (
            [(d.get("modified") or "", d["id"]) for d in datasets],
            [(d.get("pinyin") or "", d["title"]) for d in datasets],
        )

    def _sort(self, keys: tuple[list[Any], list[Any]] | None = None) -> None:
        modified, title = keys if keys is not None else self.sort_keys(self.datasets)
        self.order = {
            "modified": sorted(range(self.n), key=modified.__getitem__, reverse=True),
            "title": sorted(range(self.n), key=title.__getitem__),
        }
        self.rank = {i: r for r, i in enumerate(self.order["modified"])}

    def _layout(self) -> None:
        """Per dataset its folded group texts (descending weight), and per character the set of
        datasets whose text holds it (a bitset): a term's candidates are the AND of its
        characters' sets, and only candidates are checked by substring search."""
        per = len(GROUPS)
        parts = [get(d, self) for d in self.datasets for _, _, get in GROUPS]
        folded = fold_many(parts)
        self.group_texts = [tuple(folded[i * per : (i + 1) * per]) for i in range(self.n)]
        postings: dict[str, list[int]] = {}
        for i, texts in enumerate(self.group_texts):
            for ch in set("".join(texts)):
                postings.setdefault(ch, []).append(i)
        self.char_masks = {ch: _mask(ix) for ch, ix in postings.items()}

    # ---- names ----------------------------------------------------------------
    def publisher_names(self, d: dict) -> list[str]:
        out = []
        for pid in d.get("publisher_chain") or []:
            p = self.publishers.get(pid)
            if p:
                out += [p["name"], p.get("name_en") or ""]
        return out

    def theme_names(self, d: dict) -> list[str]:
        return [
            x
            for t in d.get("themes") or []
            if t in self.themes
            for x in (self.themes[t]["title"], self.themes[t].get("title_en") or "")
        ]

    def subtree(self, pid: str) -> list[str]:
        out, todo = [], [pid]
        while todo:
            cur = todo.pop()
            out.append(cur)
            todo.extend(self.children.get(cur, []))
        return out

    # ---- matching -------------------------------------------------------------
    def _term_scores(self, term: str) -> dict[int, int]:
        """Dataset index → the weight of the best group containing ``term``."""
        cached = self._term_cache.get(term)
        if cached is not None:
            return cached
        candidates = self.all
        for ch in set(term):
            candidates &= self.char_masks.get(ch, 0)
            if not candidates:
                break
        found: dict[int, int] = {}
        if candidates:
            weights = [w for _, w, _ in GROUPS]
            blob = _bytes(candidates, self.n)
            for i in (
                (i for i in range(self.n) if blob[i >> 3] >> (i & 7) & 1) if candidates != self.all else range(self.n)
            ):
                for weight, text in zip(weights, self.group_texts[i]):
                    if term in text:
                        found[i] = weight
                        break
        if len(self._term_cache) > 2048:
            self._term_cache.clear()
        self._term_cache[term] = found
        return found

    def freshness(self, today: Any) -> tuple[list[Any], dict[str, int]]:
        """Timeliness of every dataset on ``today`` (govdata.oversight.timeliness) and the datasets
        of each status; computed once a day."""
        from govdata.oversight.timeliness import entry_timeliness

        cached = self._fresh.get(today)
        if cached is not None:
            return cached
        items: list = []
        groups: dict = {}
        for i, d in enumerate(self.datasets):
            item = entry_timeliness(d, today)
            items.append(item)
            groups.setdefault(item.status if item else "not_applicable", []).append(i)
        self._fresh = {today: (items, {status: _mask(ix) for status, ix in groups.items()})}
        return self._fresh[today]

    def filter_mask(self, filters: list[tuple[bool, str, str]], today: Any = None) -> int:
        """(negated, facet, value) → the datasets passing them all. ``publisher`` includes the
        publisher's subtree (a dataset carries every publisher of its chain); ``freshness`` is
        the timeliness status on ``today``."""
        mask = self.all
        for negated, facet, value in filters:
            masks = self.freshness(today)[1] if facet == "freshness" and today else self.facet_masks.get(facet, {})
            m = masks.get(value, 0)
            mask = mask & ~m if negated else mask & m
        return mask

    def search(
        self,
        q: str = "",
        filters: list[tuple[bool, str, str]] | None = None,
        sort: str = "relevance",
        start: int = 0,
        rows: int = 20,
        facet_limit: int = 50,
        today=None,
    ) -> Result:
        terms = query_terms(q)
        mask = self.filter_mask(filters or [], today)
        scores: dict[int, int] = {}
        if terms:
            per_term = [self._term_scores(t) for t in terms]
            hits = list(per_term[0])
            for other in per_term[1:]:
                hits = [i for i in hits if i in other]
            if mask != self.all:
                blob = _bytes(mask, self.n)
                hits = [i for i in hits if blob[i >> 3] >> (i & 7) & 1]
            scores = {i: sum(s[i] for s in per_term) for i in hits}
            mask = _mask(hits) if hits else 0
        count = mask.bit_count()
        if sort == "relevance" and terms:
            rank = self.rank
            ordered = heapq.nsmallest(start + rows, scores, key=lambda i: (-scores[i], rank[i]))
        else:
            key = "title" if sort == "title" else "modified"
            blob = _bytes(mask, self.n)
            ordered = (
                [i for i in self.order[key] if blob[i >> 3] >> (i & 7) & 1]
                if mask != self.all
                else list(self.order[key])
            )
        page = [self.datasets[i] for i in ordered[start : start + rows]]
        facets = {}
        for facet in FACETS:
            if facet == "freshness":
                if today is None:
                    continue
                masks = self.freshness(today)[1]
            else:
                masks = self.facet_masks[facet]
            counted = [(v, (m & mask).bit_count()) for v, m in masks.items()]
            counted = sorted(((v, c) for v, c in counted if c), key=lambda vc: (-vc[1], vc[0]))
            facets[facet] = counted if facet_limit < 0 else counted[:facet_limit]
        return Result(count, page, facets, {self.datasets[i]["id"]: s for i, s in scores.items()}, terms)
