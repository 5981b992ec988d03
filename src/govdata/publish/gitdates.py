"""When a release was made and by which change: one ``git log`` walk over the catalogue's inputs
(see :mod:`govdata.publish.releases`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


class GitDates:
    """Commit, date (UTC) and subject of the last commit touching a dataset's folder, ``schemas/``
    or ``pipelines/``, or None outside a git work tree; and the last commit touching the dataset's
    own folder (:meth:`own`: the one whose subject may name the release). One ``git log`` walk for
    the whole build, made when the first release needs it (thousands of new releases cost one walk)."""

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

    def _index(self, ds_dir: Path) -> tuple[int | None, int | None]:
        if self._walk is None:
            self._walk = self._read()
        newest, shared, _ = self._walk
        try:
            key = ds_dir.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None, None
        return newest.get(key), shared

    def context(self, ds_dir: Path) -> dict[str, str] | None:
        own, shared = self._index(ds_dir)
        found = [i for i in (own, shared) if i is not None]
        return self._commits()[min(found)] if found else None

    def own(self, ds_dir: Path, since: str | None) -> dict[str, str] | None:
        """The last commit touching the dataset's own folder, if it is newer than ``since`` (the
        previous release's commit): the change that made this release, not an older one."""
        own, _ = self._index(ds_dir)
        if own is None:
            return None
        commits = self._commits()
        before = next((i for i, c in enumerate(commits) if c["commit"] == since), None) if since else None
        return commits[own] if before is None or own < before else None

    def _commits(self) -> list[dict[str, str]]:
        assert self._walk is not None
        return self._walk[2]
