"""Rebuild the release store from the repository's history (``govdata releases rebuild``).

A fresh clone has no ``_build/releases``. Every release was built from a commit of the main
line: replaying, oldest first, each first-parent commit that touched the catalogue's inputs
(``catalog.yaml``, ``datasets/``, ``schemas/``, ``pipelines/``) through an ordinary build
publishes the same releases again. Their files, manifests (date, commit and notes come from git)
and diffs are byte-identical to the originals when the platform version is the same (DuckDB's
Parquet and CSV writers are deterministic; the release manifest records the platform). A commit
whose gate fails published nothing then, and publishes nothing now.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from govdata.checks.changes import git
from govdata.errors import BuildError

INPUTS = ("catalog.yaml", "datasets", "schemas", "pipelines")


def commits(root: Path) -> list[str]:
    """First-parent commits of HEAD touching the catalogue at ``root``, oldest first."""
    return git(root, "rev-list", "--first-parent", "--reverse", "HEAD", "--", *[str(root / p) for p in INPUTS]).split()


def rebuild(root: Path, out: Path, log: Callable[[str], None] = lambda s: None) -> list[tuple[str, str]]:
    """Build every commit of :func:`commits` into ``out`` (in a temporary git worktree); return
    (commit, outcome) per commit."""
    from govdata.publish.builder import build

    root = root.resolve()
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    inside = root.relative_to(top)
    done: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="govdata-history-") as tmp:
        tree = Path(tmp) / "tree"
        todo = commits(root)
        if not todo:
            return done
        git(top, "worktree", "add", "--detach", "--quiet", str(tree), todo[0])
        try:
            for commit in todo:
                git(tree, "checkout", "--quiet", "--force", "--detach", commit)
                try:
                    result = build(tree / inside, out, log)
                    done.append((commit, f"built {len(result.datasets)} datasets"))
                except BuildError as exc:
                    done.append((commit, f"failed: {exc}"))
                log(f"{commit[:12]}: {done[-1][1]}")
        finally:
            git(top, "worktree", "remove", "--force", str(tree))
    return done
