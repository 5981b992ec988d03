"""What preparing a source file hands to the table checks (:class:`Prepared`), and where the
preparation steps write the files they make (:func:`work_file`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from govdata.findings import Finding


@dataclass
class Prepared:
    """A resource's data as a clean UTF-8 CSV plus what was learned reading it."""

    path: Path | None  # None when the data could not be read at all
    header: list[str] = field(default_factory=list)
    rows_read: int = 0
    bad_rows: set[int] = field(default_factory=set)  # row numbers reported by the structure pass
    row_map: list[int] | None = None  # cleaned-copy row i -> original row number (None: i + 2)
    kept_bad: list[int] = field(default_factory=list)  # cleaned-copy rows that are also in bad_rows (ragged rows)
    findings: list[Finding] = field(default_factory=list)
    encoding: str = "utf-8"
    sha256: str = ""
    bytes: int = 0
    scanned: bool = True  # False: the structure pass was skipped (DuckDB's strict read stands in)
    # personal data in rows of the committed file the table leaves out (a title, a signature): the gate
    # reports them with the resource's findings (govdata new, reading the file, does not stop on them)
    outside: list[Finding] = field(default_factory=list)

    def row_number(self, index: int) -> int:
        return self.row_map[index] if self.row_map is not None else index + 2


def work_file(workdir: Path, name: str) -> Path:
    """A file to write in ``workdir``, made only when needed (most resources need none: a folder
    per resource cost a catalogue of small files seconds of mkdir and rmdir)."""
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir / name
