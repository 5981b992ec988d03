"""Releases: every published content of a dataset, kept for good beside the builds.

    <out>/releases/                      survives builds, pruning and rollbacks; never rewritten
      objects/<ab>/<sha256>             every released file once, by content (read-only)
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
publishes), ``index.json`` (the history, newest first) and ``changelog.atom``.
A reused dataset's view comes with its reused downloads: an unchanged dataset costs nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from govdata import __version__
from govdata.publish import diff as diff_mod

STORE = "releases"
FORMATS = ("csv", "parquet")


class GitDates:
    """Commit, date (UTC) and subject of the last commit touching a dataset's folder, ``schemas/``
    or ``pipelines/``, or None outside a git work tree. One ``git log`` walk for the whole build,
    made when the first release needs it (thousands of new releases cost one walk, not one each)."""

    def __init__(self, root: Path):
        self.root = root
        self._walk: tuple[dict[str, int], int | None, list[dict[str, str]]] | None = None

    def _read(self) -> tuple[dict[str, int], int | None, list[dict[str, str]]]:
        from govdata.checks.changes import GitError, git

        newest: dict[str, int] = {}
        shared: int | None = None
        commits: list[dict[str, str]] = []
        try:
            prefix = git(self.root, "rev-parse", "--show-prefix").strip()
            text = git(
                self.root,
                "log",
                "--format=%x1e%H%x1f%cI%x1f%s",
                "--name-only",
                "--no-renames",
                "--",
                *[str(self.root / f) for f in ("datasets", "schemas", "pipelines")],
            )
        except GitError:
            return newest, shared, commits
        for record in text.split("\x1e")[1:]:
            head, _, names = record.partition("\n")
            sha, date, subject = head.split("\x1f", 2)
            when = dt.datetime.fromisoformat(date).astimezone(dt.timezone.utc)
            commits.append({"commit": sha, "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "subject": subject})
            for name in names.split("\n"):
                rel = name[len(prefix) :] if name.startswith(prefix) else None
                if not rel:
                    continue
                parts = rel.split("/")
                if parts[0] in ("schemas", "pipelines") and shared is None:
                    shared = len(commits) - 1
                elif parts[0] == "datasets" and len(parts) > 3:
                    newest.setdefault("/".join(parts[:3]), len(commits) - 1)
        return newest, shared, commits

    def context(self, ds_dir: Path) -> dict[str, str] | None:
        if self._walk is None:
            self._walk = self._read()
        newest, shared, commits = self._walk
        try:
            key = ds_dir.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None
        found = [i for i in (newest.get(key), shared) if i is not None]
        return commits[min(found)] if found else None


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
        """Keep a file by its sha256 (a hard link where possible); identical files are kept once."""
        target = self.object(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{sha}.{os.getpid()}.tmp")
            tmp.unlink(missing_ok=True)
            _link(path, tmp)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        return target

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
            "notes": str(ds.descriptor.get("version_notes") or ctx.get("subject") or ""),
            "notes_from": "descriptor"
            if ds.descriptor.get("version_notes")
            else "commit"
            if ctx.get("subject")
            else "",
            "content_hash": chash,
            "platform": f"govdata {__version__}",
            "files": entries,
        }
        folder = self.store.root / ds.name / release_id
        if ids:
            self._diff(ds.name, manifests[ids[-1]], manifest, folder)
        _write_once(folder / "release.json", diff_mod.dumps(manifest))
        self.store.append(ds.name, release_id)
        return release_id

    def _diff(self, dataset: str, old: dict[str, Any], new: dict[str, Any], folder: Path) -> None:
        """The diff of consecutive releases, kept in the store beside the new release."""
        result, files = compare(self.con, Side.from_store(self.store, old), Side.from_store(self.store, new), folder)
        for res, path in files.items():
            data = path.read_bytes()
            path.unlink()
            result["rows"][res].update({"sha256": self.store.put_bytes(data), "bytes": len(data)})
        _write_once(folder / "diff.json", diff_mod.dumps(result))

    def _view(self, dataset: str, ids: list[str], manifests: dict[str, dict], current: str, view: Path) -> list[dict]:
        history = []
        previous = None
        for release_id in ids:
            m = manifests[release_id]
            target = view / release_id
            for f in m["files"]:
                _link(self.store.object(f["sha256"]), target / f["path"])
            _link(self.store.root / dataset / release_id / "release.json", target / "release.json")
            d = self.store.diff(dataset, release_id)
            if d is not None:
                _link(self.store.root / dataset / release_id / "diff.json", target / "diff.json")
                for summary in (d.get("rows") or {}).values():
                    _link(self.store.object(summary["sha256"]), target / summary["file"])
            history.append(summary_entry(m, d, previous, self.url(dataset, release_id)))
            previous = release_id
        for f in manifests[current]["files"]:
            _link(self.store.object(f["sha256"]), view / "latest" / f["path"])
        _link(self.store.root / dataset / current / "release.json", view / "latest" / "release.json")
        history.reverse()
        for h in history:
            h["latest"] = h["id"] == current
        (view / "index.json").write_text(
            diff_mod.dumps({"dataset": dataset, "latest": current, "releases": history}), encoding="utf-8"
        )
        return history


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


@dataclass
class Side:
    """One release as a diff reads it: its manifest, its datapackage and its Parquet files."""

    manifest: dict[str, Any]
    datapackage: dict[str, Any]
    parquet: dict[str, Path]

    @classmethod
    def from_store(cls, store: Store, manifest: dict[str, Any]) -> Side:
        return cls(
            manifest,
            store.datapackage(manifest),
            {f["resource"]: store.object(f["sha256"]) for f in manifest["files"] if f["format"] == "parquet"},
        )

    @classmethod
    def from_view(cls, folder: Path) -> Side:
        """A release folder of a build's view (``downloads/<dataset>/releases/<id>/``)."""
        manifest = json.loads((folder / "release.json").read_text("utf-8"))
        return cls(
            manifest,
            json.loads((folder / "datapackage.json").read_text("utf-8")),
            {f["resource"]: folder / f["path"] for f in manifest["files"] if f["format"] == "parquet"},
        )

    def schemas(self) -> dict[str, dict]:
        return {r["name"]: r.get("schema") or {} for r in self.datapackage.get("resources") or []}

    def rows(self) -> int:
        return sum(int(f.get("rows") or 0) for f in self.manifest["files"] if f["format"] == "parquet")


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
