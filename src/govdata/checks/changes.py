"""Pull-request mode: which datasets a change touches (``--changed-since <ref>``).

A dataset is affected when a file in its folder changed, when a shared schema or a
pipeline it uses changed, when catalog.yaml changed (all datasets), or when it has a
foreign key into an affected dataset. Git is asked, read-only, for the changed paths.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from govdata.catalog.model import Catalog, Dataset
from govdata.errors import GovdataError

MAX_CHANGE_BYTES = 500 * 1024**2  # per pull request


class GitError(GovdataError):
    pass


def git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git failed: {exc}") from None
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.strip()[:300]}")
    return result.stdout


def changed_paths(root: Path, ref: str) -> list[str]:
    """Paths changed between ``ref`` and the working tree, plus untracked files."""
    try:
        git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"unknown git ref '{ref}'") from None
    names = git(root, "diff", "--name-only", "--no-renames", ref, "--").splitlines()
    names += git(root, "ls-files", "--others", "--exclude-standard").splitlines()
    return sorted(set(n for n in names if n))


def git_show(root: Path, ref: str, path: str) -> str | None:
    try:
        return git(root, "show", f"{ref}:{path}")
    except GitError:
        return None


def _uses(ds: Dataset, kind: str, name: str) -> bool:
    for res in ds.resources:
        if kind == "schema" and res.schema_ref == f"shared:{name}":
            return True
        if kind == "pipeline" and res.pipeline == name:
            return True
    return False


@dataclass
class ChangeSet:
    paths: list[str]
    datasets: list[Dataset] = field(default_factory=list)
    bytes: int = 0
    everything: bool = False


def affected(catalog: Catalog, paths: list[str]) -> ChangeSet:
    change = ChangeSet(paths)
    names: set[str] = set()
    for p in paths:
        file = catalog.root / p
        if file.is_file() and not file.is_symlink():
            change.bytes += file.stat().st_size
        if p == "catalog.yaml" or p.startswith("src/") or p in ("pyproject.toml", "uv.lock"):
            change.everything = True
        m = re.match(r"^datasets/([^/]+)/([^/]+)/", p)
        if m:
            names |= {
                ds.name for ds in catalog.datasets if ds.dir == catalog.root / "datasets" / m.group(1) / m.group(2)
            }
        m = re.match(r"^(schemas|pipelines)/([^/]+)\.(ya?ml|json)$", p)
        if m:
            kind = "schema" if m.group(1) == "schemas" else "pipeline"
            names |= {ds.name for ds in catalog.datasets if _uses(ds, kind, m.group(2))}
    if change.everything:
        names = {ds.name for ds in catalog.datasets}
    # datasets whose foreign keys point into an affected dataset
    grew = True
    while grew:
        extra = {ds.name for ds in catalog.datasets if ds.name not in names and ds.foreign_datasets() & names}
        grew = bool(extra)
        names |= extra
    change.datasets = [ds for ds in catalog.datasets if ds.name in names]
    return change
