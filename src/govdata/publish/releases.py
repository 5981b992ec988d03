"""Releases: every published content of a dataset, kept for good beside the builds.

    <out>/releases/                      survives builds, pruning and rollbacks; never rewritten
      objects/<ab>/<sha256>             every released file once, by content (read-only); a
                                        superseded release's CSV and Parquet as <sha256>.zst +
                                        <sha256>.pack.json (a reverse delta, see publish.packs)
      <dataset>/log.json                release ids in publication order
      <dataset>/<id>/release.json       the release manifest (written once)
      <dataset>/<id>/diff.json          what changed since the previous release (written once)

A dataset's content is its resources' schemas and CSV bytes (``content_hash``). When a build of a
changed dataset meets content that no release has, the content becomes a release: id = the
descriptor's ``version``, or ``<version>+<n>`` when that version was already released with other
content (the data changed without a version bump: the old files stay as they were). Its date, commit
and default notes come from git (the last commit touching the dataset's folder, ``schemas/`` or
``pipelines/``); the notes from the descriptor's ``version_notes`` when given.

Each build gets a view of the history, hard links into the store (``downloads/<dataset>/releases/``):
``<id>/`` (``<resource>.csv``, ``<resource>.parquet``, ``datapackage.json``, ``release.json``,
``diff.json``, ``diff-<resource>.csv``), ``latest/`` (the files of the release the build
publishes), ``index.json`` (the history, newest first) and ``changelog.atom``; a packed file is
not in its release's folder but in ``.packed/`` (``<sha256>.zst``, ``<sha256>.pack.json``), and
is reconstructed when asked for (:func:`view_locator`).
A reused dataset's view comes with its reused downloads: an unchanged dataset costs nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from govdata import __version__
from govdata.errors import BuildError
from govdata.publish import diff as diff_mod
from govdata.publish import packs
from govdata.publish.gitdates import GitDates
from govdata.publish.sides import PACKED, Side, compare

STORE = "releases"
FORMATS = ("csv", "parquet")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_once(path: Path, text: str) -> None:
    """A store file is created once, through a rename; an existing one is left as it is."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def content_hash(schemas: dict[str, Any], data: dict[str, str]) -> str:
    """``schemas``: resource → Table Schema; ``data``: resource → sha256 of its CSV."""
    text = json.dumps({"schemas": schemas, "data": data}, sort_keys=True, ensure_ascii=False)
    return f"sha256:{_sha256(text.encode())}"


class Store:
    """The release store of one output folder (``<out>/releases``)."""

    def __init__(self, out: Path):
        self.root = out / STORE

    def object(self, sha: str) -> Path:
        return self.root / "objects" / sha[:2] / sha

    def put_file(self, path: Path, sha: str) -> Path:
        """Keep a file by its sha256 (a hard link where possible); identical files are kept once.
        A packed object is whole again (its pack is dropped): it is a published file once more."""
        target = self.object(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{sha}.{os.getpid()}.tmp")
            tmp.unlink(missing_ok=True)
            _link(path, tmp)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
            packs.drop_pack(target, sha)
        return target

    def locate(self, sha: str) -> packs.Located | None:
        """The whole object, or its pack (frame, metadata)."""
        whole = self.object(sha)
        if whole.is_file():
            return whole
        meta = packs.read_meta(whole, sha)
        return (whole.with_name(f"{sha}.zst"), meta) if meta else None

    def materialize(self, sha: str, workdir: Path) -> Path:
        return packs.materialize(self.locate, sha, workdir)

    def put_bytes(self, data: bytes) -> str:
        sha = _sha256(data)
        target = self.object(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{sha}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        return sha

    def log(self, dataset: str) -> list[str]:
        try:
            return list(json.loads((self.root / dataset / "log.json").read_text("utf-8")))
        except (OSError, ValueError):
            return []

    def append(self, dataset: str, release_id: str) -> None:
        ids = self.log(dataset) + [release_id]
        path = self.root / dataset / "log.json"
        tmp = path.with_name(".log.json.tmp")
        tmp.write_text(json.dumps(ids, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def manifest(self, dataset: str, release_id: str) -> dict[str, Any]:
        return json.loads((self.root / dataset / release_id / "release.json").read_text("utf-8"))

    def diff(self, dataset: str, release_id: str) -> dict[str, Any] | None:
        path = self.root / dataset / release_id / "diff.json"
        return json.loads(path.read_text("utf-8")) if path.is_file() else None

    def datapackage(self, manifest: dict[str, Any]) -> dict[str, Any]:
        entry = next(f for f in manifest["files"] if f["path"] == "datapackage.json")
        return json.loads(self.object(entry["sha256"]).read_text("utf-8"))


def _release_datapackage(dp: dict[str, Any], release_id: str, url: str) -> dict[str, Any]:
    """The release's own datapackage.json: the build's, its files those of the release."""
    out = copy.deepcopy(dp)
    out["id"] = url
    out["x-release"] = release_id
    for res in out.get("resources") or []:
        res.pop("x-excel-csv", None)
        res.pop("x-xlsx", None)
    return out


class Releases:
    """Records releases during a build (see the module docstring); one per build."""

    def __init__(self, out: Path, root: Path, con, base_url: str, log: Callable[[str], None] = lambda s: None):
        self.store, self.root, self.con, self.log = Store(out), root, con, log
        self.git = GitDates(root)
        self.base = base_url.rstrip("/")

    def url(self, dataset: str, release_id: str = "") -> str:
        return f"{self.base}/downloads/{dataset}/releases/{release_id + '/' if release_id else ''}"

    def publish(
        self,
        ds,
        exports: dict[str, dict[str, Any]],
        dp: dict[str, Any],
        folder: Path,
        rows: dict[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        """Make the dataset's content a release if no release has it, link the history into
        ``folder/releases`` and return it (newest first). ``folder`` holds the build's exports."""
        files = [
            (res, fmt, folder / exports[res][fmt]["file"], exports[res][fmt]["hash"].split(":", 1)[1])
            for res in exports
            for fmt in FORMATS
            if fmt in exports[res]
        ]
        if not files:
            return []
        schemas = {r["name"]: r.get("schema") or {} for r in dp.get("resources") or [] if r["name"] in exports}
        chash = content_hash(schemas, {res: sha for res, fmt, _, sha in files if fmt == "csv"})
        version = str(ds.descriptor.get("version") or "0.0.0")
        ids = self.store.log(ds.name)
        manifests = {i: self.store.manifest(ds.name, i) for i in ids}
        current = next(
            (i for i in ids if manifests[i]["version"] == version and manifests[i]["content_hash"] == chash), None
        )
        if current is None:
            current = self._new(ds, version, chash, files, dp, ids, manifests, rows or {})
            ids, manifests[current] = ids + [current], self.store.manifest(ds.name, current)
        else:  # published again (a rebuild, a rollback): its files whole in the store, as exported
            for _, _, path, sha in files:
                self.store.put_file(path, sha)
        return self._view(ds.name, ids, manifests, current, folder / "releases")

    def _new(
        self,
        ds,
        version: str,
        chash: str,
        files: list,
        dp: dict[str, Any],
        ids: list[str],
        manifests: dict[str, dict],
        rows: dict[str, int],
    ) -> str:
        taken = set(ids)
        release_id, n = version, 2
        while release_id in taken:
            release_id, n = f"{version}+{n}", n + 1
        if release_id != version:
            self.log(
                f"{ds.name}: content changed but version {version} was already released; "
                f"published as {release_id} (bump the version to name it)"
            )
        ctx = self.git.context(ds.dir) or {}
        previous = manifests[ids[-1]] if ids else {}
        own = self.git.own(ds.dir, previous.get("commit"))
        written = str(ds.descriptor.get("version_notes") or "")
        if any(m.get("notes_from") == "descriptor" and m.get("notes") == written for m in manifests.values()):
            written = ""  # an earlier release's notes left in the descriptor: not this release's
        entries = []
        for res, fmt, path, sha in files:
            self.store.put_file(path, sha)
            entries.append(
                {
                    "path": path.name,
                    "resource": res,
                    "format": fmt,
                    "bytes": path.stat().st_size,
                    "sha256": sha,
                    "rows": rows.get(res),
                }
            )
        dp_bytes = json.dumps(
            _release_datapackage(dp, release_id, self.url(ds.name, release_id)), ensure_ascii=False, indent=2
        ).encode()
        entries.append(
            {
                "path": "datapackage.json",
                "resource": None,
                "format": "json",
                "bytes": len(dp_bytes),
                "sha256": self.store.put_bytes(dp_bytes),
            }
        )
        manifest = {
            "dataset": ds.name,
            "release": release_id,
            "version": version,
            "date": ctx.get("date") or _now(),
            "commit": ctx.get("commit"),
            "notes": written or (own or {}).get("subject") or "",
            "notes_from": "descriptor" if written else "commit" if own else "",
            "content_hash": chash,
            "platform": f"govdata {__version__}",
            "files": entries,
        }
        folder = self.store.root / ds.name / release_id
        d = self._diff(ds.name, manifests[ids[-1]], manifest, folder) if ids else None
        if not manifest["notes"]:  # nobody wrote any, and no commit of this dataset's files made it
            total = sum(int(e.get("rows") or 0) for e in entries if e["format"] == "csv")
            manifest["notes"], manifest["notes_from"] = diff_mod.summary(d, total), "diff"
        _write_once(folder / "release.json", diff_mod.dumps(manifest))
        self.store.append(ds.name, release_id)
        if ids:
            self._supersede(ids, manifests, manifest)
        return release_id

    def _supersede(self, ids: list[str], manifests: dict[str, dict], new: dict[str, Any]) -> None:
        """Pack the CSV and Parquet files of the release ``new`` supersedes that ``new`` does not
        share: a reverse delta against ``new``'s file of the same resource and format, or one
        compressed file when the chain of deltas behind it is already :data:`packs.MAX_CHAIN` long."""
        keep = {f["sha256"] for f in new["files"]}
        successor = {(f["resource"], f["format"]): f["sha256"] for f in new["files"]}
        for f in manifests[ids[-1]]["files"]:
            whole = self.store.object(f["sha256"])
            if f["format"] not in FORMATS or f["sha256"] in keep or not whole.is_file():
                continue
            base_sha = successor.get((f["resource"], f["format"]))
            if base_sha and self._chain_behind(ids, manifests, f) >= packs.MAX_CHAIN:
                base_sha = None
            base = self.store.object(base_sha) if base_sha else None
            ok = base is not None and base.is_file()
            packs.pack(whole, f["sha256"], base if ok else None, base_sha if ok else None)

    def _chain_behind(self, ids: list[str], manifests: dict[str, dict], f: dict[str, Any]) -> int:
        """How many older releases' files of ``f``'s resource and format are deltas leading to ``f``."""
        n, later = 0, f["sha256"]
        for rid in reversed(ids[:-1]):
            g = next(
                (g for g in manifests[rid]["files"] if (g["resource"], g["format"]) == (f["resource"], f["format"])),
                None,
            )
            if g is None:
                break
            if g["sha256"] == later:
                continue
            meta = packs.read_meta(self.store.object(g["sha256"]), g["sha256"])
            if not meta or meta.get("base") != later:
                break
            n, later = n + 1, g["sha256"]
        return n

    def _diff(self, dataset: str, old: dict[str, Any], new: dict[str, Any], folder: Path) -> dict[str, Any]:
        """The diff of consecutive releases, kept in the store beside the new release."""
        with tempfile.TemporaryDirectory(prefix="govdata-release-") as tmp:
            result, files = compare(
                self.con,
                Side.from_store(self.store, old, Path(tmp)),
                Side.from_store(self.store, new, Path(tmp)),
                folder,
            )
            for res, path in files.items():
                data = path.read_bytes()
                path.unlink()
                result["rows"][res].update({"sha256": self.store.put_bytes(data), "bytes": len(data)})
        _write_once(folder / "diff.json", diff_mod.dumps(result))
        return result

    def _view(self, dataset: str, ids: list[str], manifests: dict[str, dict], current: str, view: Path) -> list[dict]:
        history = []
        previous = None
        for release_id in ids:
            m = manifests[release_id]
            target = view / release_id
            for f in m["files"]:
                self._link_object(f["sha256"], target / f["path"], view)
            _link(self.store.root / dataset / release_id / "release.json", target / "release.json")
            d = self.store.diff(dataset, release_id)
            if d is not None:
                _link(self.store.root / dataset / release_id / "diff.json", target / "diff.json")
                for summary in (d.get("rows") or {}).values():
                    _link(self.store.object(summary["sha256"]), target / summary["file"])
            history.append(summary_entry(m, d, previous, self.url(dataset, release_id)))
            previous = release_id
        for f in manifests[current]["files"]:
            self._link_object(f["sha256"], view / "latest" / f["path"], view)
        _link(self.store.root / dataset / current / "release.json", view / "latest" / "release.json")
        history.reverse()
        for h in history:
            h["latest"] = h["id"] == current
        (view / "index.json").write_text(
            diff_mod.dumps({"dataset": dataset, "latest": current, "releases": history}), encoding="utf-8"
        )
        return history

    def _link_object(self, sha: str, dst: Path, view: Path) -> None:
        """A whole object at ``dst``; a packed one, with the packs of its bases and the whole file
        its chain ends in, in ``view/.packed/`` (hard links: no space)."""
        found = self.store.locate(sha)
        if found is None:
            raise BuildError(f"release store: object {sha} is missing")
        if isinstance(found, Path):
            _link(found, dst)
            return
        while isinstance(found, tuple):
            frame, meta = found
            packed = view / PACKED / frame.name
            if packed.exists():
                return
            _link(frame, packed)
            _link(frame.with_name(f"{sha}.pack.json"), packed.with_name(f"{sha}.pack.json"))
            if not meta.get("base"):
                return
            sha = meta["base"]
            found = self.store.locate(sha)
        if found is None:
            raise BuildError(f"release store: object {sha} is missing")
        if not (view / PACKED / sha).exists():
            _link(found, view / PACKED / sha)


def summary_entry(m: dict[str, Any], d: dict[str, Any] | None, previous: str | None, url: str) -> dict[str, Any]:
    """One release in a history list (pages, feeds, the directory)."""
    counts = diff_mod.counts_line(d) if d else {"added": 0, "removed": 0, "changed": 0}
    schema = (d or {}).get("schema") or {}
    return {
        "id": m["release"],
        "version": m["version"],
        "date": m["date"],
        "notes": m["notes"],
        "notes_from": m.get("notes_from") or "",
        "commit": m.get("commit"),
        "content_hash": m["content_hash"],
        "previous": previous,
        "url": url,
        "breaking": bool(schema.get("breaking")),
        "rows": counts,
        "schema_changes": schema_lines(schema),
        "files": m["files"],
        "diff_files": [
            {"path": r["file"], "bytes": r.get("bytes"), "sha256": r.get("sha256")}
            for r in ((d or {}).get("rows") or {}).values()
        ],
    }


def schema_lines(schema: dict[str, Any]) -> list[str]:
    """The schema diff as short lines (field names are identifiers: no translation needed)."""
    lines = [f"+ {r}" for r in schema.get("resources_added") or []]
    lines += [f"- {r}" for r in schema.get("resources_removed") or []]
    for res, s in (schema.get("resources") or {}).items():
        lines += [f"{res}: + {a['field']} ({a['type']})" for a in s.get("added") or []]
        lines += [f"{res}: - {a['field']} ({a['type']})" for a in s.get("dropped") or []]
        lines += [f"{res}: {a['from']} → {a['to']}" for a in s.get("renamed") or []]
        lines += [f"{res}: {a['field']} {a['from']} → {a['to']}" for a in s.get("retyped") or []]
        lines += [
            f"{res}: {a['field']} constraints {json.dumps(a['from'], ensure_ascii=False)} → "
            f"{json.dumps(a['to'], ensure_ascii=False)}"
            for a in s.get("constraints") or []
        ]
        if s.get("primary_key"):
            lines.append(f"{res}: primaryKey {s['primary_key']['from']} → {s['primary_key']['to']}")
        if s.get("foreign_keys"):
            lines.append(f"{res}: foreignKeys changed")
    return lines
