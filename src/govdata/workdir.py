"""A check's private work folder, without :mod:`tempfile`.

``tempfile`` imports ``shutil`` (with ``bz2``, ``lzma``) and ``random``: ~3.5 ms of CPU of a cold
1,000-row ``govdata check`` (issue 14), for one folder that a small plain file mostly leaves
empty. :class:`WorkDir` makes it where ``tempfile.mkdtemp`` would (``TMPDIR``, ``TEMP``, ``TMP``,
then the usual folders), private to the user (mode 0700), and removes it: empty folders one by
one, anything else with ``shutil.rmtree`` (imported then).
"""

from __future__ import annotations

import os

_tempdir: str | None = None


def _candidates() -> list[str]:
    found = [d for name in ("TMPDIR", "TEMP", "TMP") if (d := os.environ.get(name))]
    found += ["/tmp", "/var/tmp", "/usr/tmp"] if os.name == "posix" else []
    try:
        found.append(os.getcwd())
    except OSError:
        found.append(os.curdir)
    return found


def _make(prefix: str) -> str:
    global _tempdir
    for base in [_tempdir] if _tempdir else _candidates():
        base = os.path.abspath(base)
        for _ in range(100):
            path = os.path.join(base, prefix + os.urandom(6).hex())
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                continue
            except OSError:
                break  # not a folder one may write into: the next candidate
            _tempdir = base
            return path
    import tempfile  # nowhere usable: tempfile's own search, and its error

    return tempfile.mkdtemp(prefix=prefix)


class WorkDir:
    """A new private folder (``name``), removed with what it holds by :meth:`cleanup`."""

    def __init__(self, prefix: str = "govdata-") -> None:
        self.name = _make(prefix)

    def cleanup(self) -> None:
        try:
            for entry in os.scandir(self.name):
                if not entry.is_dir(follow_symlinks=False):
                    raise OSError("not only folders")
                os.rmdir(entry.path)  # empty (DuckDB's spill folder, unused)
            os.rmdir(self.name)
        except FileNotFoundError:
            pass
        except OSError:
            import shutil

            shutil.rmtree(self.name, ignore_errors=True)
