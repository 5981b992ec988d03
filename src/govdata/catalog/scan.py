"""One walk of the files a build reads, taken before anything is read and used by every later
step in place of asking the file system again.

A build of 10,000 datasets asked about each dataset's files some 20 times (is it a file, its
stamp, its real path, the folder's listing: ~205,000 ``stat`` calls and 60,000 directory reads
per build, most of a one-changed build's system time). :func:`walk` lists and stamps
``catalog.yaml`` and every file under the input folders once; the no-op test digests the stamps
(:meth:`Scan.digest`), the loader finds the descriptors in it and takes its answers for "is this
a file" and "where does this path really lead", and the build keys take its stamps.

What it answers holds for the moment of the walk, as the no-op digest always did: a file changed
during the build shows in the next one. A walk that meets a symbolic link gives no scan (its
target's changes would not show in the stamps, and real paths would need resolving): the callers
then ask the file system, as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

INPUT_FOLDERS = ("datasets", "schemas", "pipelines", "reports")


@dataclass
class Scan:
    """The input files of the catalogue at ``root`` (a resolved path's text), each with its
    ``os.stat_result``, and the folders among them; no symbolic link anywhere in them."""

    root: str
    files: dict[str, os.stat_result]
    folders: set[str]

    def covers(self, path: str) -> bool:
        """``path`` (absolute, normalised) lies in a folder the walk listed whole."""
        cut = len(self.root) + 1
        head = path[cut:].split(os.sep, 1)[0]
        return path.startswith(self.root + os.sep) and head in INPUT_FOLDERS

    def is_file(self, path: Path | str) -> bool:
        text = os.fspath(path)
        if text in self.files:
            return True
        return False if self.covers(text) else os.path.isfile(text)

    def is_dir(self, path: Path | str) -> bool:
        text = os.fspath(path)
        if text in self.folders:
            return True
        return False if self.covers(text) else os.path.isdir(text)

    def stat(self, path: Path | str) -> os.stat_result:
        """The file's stamp as the walk saw it (FileNotFoundError: it had none)."""
        text = os.fspath(path)
        found = self.files.get(text)
        if found is not None:
            return found
        if self.covers(text):
            raise FileNotFoundError(text)
        return os.stat(text)

    def real_paths(self) -> dict[str, str]:
        """Real paths of everything the walk saw (a load's memo, :func:`govdata.catalog.paths.real_path`):
        with no link under a resolved root, each is its own."""
        memo = {p: p for p in self.folders}
        memo.update((p, p) for p in self.files)
        return memo

    def descriptors(self, names: tuple[str, ...]) -> list[Path]:
        """``datasets/<publisher>/<dataset>/<descriptor>`` as :func:`govdata.catalog.loader.discover`
        finds them (hidden folders left out, publishers then datasets in order of their paths' text;
        a folder without a descriptor gives its first name, reported missing by the loader)."""
        base = os.path.join(self.root, "datasets") + os.sep
        cut = len(base)
        nested: dict[str, list[str]] = {}
        for folder in self.folders:
            if not folder.startswith(base):
                continue
            parts = folder[cut:].split(os.sep)
            if len(parts) == 2 and not parts[0].startswith(".") and not parts[1].startswith("."):
                nested.setdefault(base + parts[0], []).append(folder)
        found = []
        for publisher in sorted(nested):
            for folder in sorted(nested[publisher]):
                name = next((n for n in names if f"{folder}{os.sep}{n}" in self.files), names[0])
                found.append(Path(folder, name))
        return found

    def digest(self, extra: str) -> str:
        """A digest of every stamp (size, mtime, ctime, inode: as git's index trusts them) with
        paths relative to the root, and ``extra`` (a file gone during the walk is left out)."""
        import hashlib  # a build's (a check takes no digest: no OpenSSL loaded for it, govdata/sha.py)

        h = hashlib.sha256(extra.encode())
        cut = len(self.root) + 1
        for path in sorted(self.files):
            st = self.files[path]
            h.update(f"{path[cut:]}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n".encode())
        return h.hexdigest()


def walk(root: Path, skip: Path | None = None) -> Scan | None:
    """Walk ``catalog.yaml`` and the input folders of the catalogue at ``root`` (resolved), leaving
    ``skip`` (the build folder, when it lies inside) out; None when a symbolic link is met."""
    top = str(root)
    left_out = str(skip) if skip is not None else None
    files: dict[str, os.stat_result] = {}
    folders: set[str] = set()
    stack = [os.path.join(top, f) for f in INPUT_FOLDERS]
    listed = [os.path.join(top, "catalog.yaml")]
    if any(os.path.islink(p) for p in [*stack, *listed]):
        return None
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        folders.add(folder)
        for e in entries:
            if e.is_symlink():
                return None
            if e.is_dir():
                if e.path != left_out:
                    stack.append(e.path)
            else:
                listed.append(e.path)
    for path in listed:
        try:
            files[path] = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            continue  # gone since it was listed (or no catalog.yaml): not a file now
    return Scan(top, files, folders)
