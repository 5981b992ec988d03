"""A resource made by a pipeline whose first step reads a committed file of the dataset
(``read_csv``/``read_excel``; what ``govdata new`` writes for Chinese dates, full-width digits and
thousands separators): the gate reads that file as it reads any resource (:func:`read_as`: the
step's encoding, delimiter, header and comment rows, sheet as a dialect for :func:`.source.prepare`),
so an extra cell, a blank or short row, an unterminated quote or a byte that is not UTF-8 is
reported as on a plain resource, at the agency's file and row. The pipeline's other steps (cell
rewrites only, :data:`govdata.pipelines.steps.CELL_TRANSFORMS`) then run over the rows that pass
read (:func:`run_steps`), each row kept at its place, so the row map carries the type findings of
the normalised values back to the file's rows. Any other pipeline runs as a whole
(:func:`govdata.pipelines.run_pipeline`) and its output is checked."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterator, Sequence

from govdata.catalog.model import Dataset, Resource
from govdata.checks.prepared import Prepared, work_file
from govdata.checks.structure import LABEL_CODES, MAX_CELL_CHARS, MissingValues, scan_structure
from govdata.csvlimit import field_size_limit
from govdata.findings import Finding, Where
from govdata.pipelines import CommittedRead, PipelineError, transform_rows


def pipeline_error(ds: Dataset, res: Resource, exc: PipelineError, where: Where) -> Finding:
    """A pipeline that cannot run, at the resource's ``pipeline`` key in the descriptor."""
    at: Where = {**where, "file": ds.rel_file}
    return Finding(
        "pipeline-error",
        str(exc),
        key=f"resources.{res.index}.pipeline",
        line=ds.line("resources", res.index, "pipeline"),
        **at,
    )


def read_as(read: CommittedRead) -> dict[str, Any]:
    """The resource keys under which :func:`.source.prepare` reads the file as step 1 reads it."""
    dialect: dict[str, Any] = {}
    if read.header_rows:
        dialect["headerRows"] = read.header_rows
    if read.comment_rows:
        dialect["commentRows"] = read.comment_rows
    if read.excel:
        fmt = "xls" if read.path.suffix.lower() == ".xls" else "xlsx"
        if read.fill_merged:
            dialect["excel"] = {"fillMergedCells": True}
        return {"format": fmt, "sheet": read.sheet, "dialect": dialect}
    dialect["delimiter"] = read.delimiter or ","  # read_csv's default, whatever the file's suffix
    raw: dict[str, Any] = {"format": "csv", "dialect": dialect}
    if read.encoding:
        raw["encoding"] = read.encoding
    return raw


def _keys(header: list[str], width: int) -> list[str]:
    """The row keys the steps name columns by (the header's labels, stripped, as read_csv keys
    them); a blank or repeated label (reported already) gets a key no step can name."""
    keys: list[str] = []
    for i in range(width):
        label = header[i].strip() if i < len(header) else ""
        keys.append(label if label and label not in keys else f"\x00{i + 1}")
    return keys


class _Irregular(Exception):
    """A row the structure pass has to read (another width, a csv error)."""


def _rewrite(root: Path, ds: Dataset, res: Resource, source: Path, out: Path, header: list[str], strict: bool) -> None:
    """Steps 2 onwards over the rows of ``source`` into ``out`` (its header line kept). ``strict``:
    raise :class:`_Irregular` at a row of another width than the header's, or one csv cannot read."""
    assert res.pipeline is not None
    with (
        field_size_limit(MAX_CELL_CHARS + 1),
        source.open("r", encoding="utf-8", newline="") as fh,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.reader(fh, strict=True)
        first = next(reader, [])
        width = len(first)
        keys = _keys(header, width)
        writer = csv.writer(dst, lineterminator="\r\n")  # CRLF: a cell holding a bare CR is quoted too
        writer.writerow(first)

        def rows() -> Iterator[dict[str, Any]]:
            try:
                for cells in reader:
                    if strict and len(cells) != width:
                        raise _Irregular
                    yield dict(zip(keys, cells))
            except csv.Error:
                raise _Irregular from None

        for row in transform_rows(root, res.pipeline, ds.dir, rows()):
            writer.writerow(["" if row.get(k) is None else row[k] for k in keys])


def run_steps(
    root: Path,
    ds: Dataset,
    res: Resource,
    prep: Prepared,
    workdir: Path,
    expected: Sequence[str],
    where: Where,
    missing: MissingValues,
) -> Prepared:
    """The pipeline's steps after the first over the prepared rows of its committed file, written
    as the copy the table checks read (the rows and the row map unchanged). A big plain file the
    structure pass skipped (:func:`.source.prepare`) is rewritten as read while every row has the
    header's width (DuckDB's strict read and the blank-row check then stand in for the pass, as on
    a plain resource); at the first row that has not, the structure pass runs."""
    if prep.path is None:
        return prep
    out, source = work_file(workdir, "pipelined.csv"), prep.path
    try:
        if not prep.scanned:
            try:
                _rewrite(root, ds, res, source, out, prep.header, strict=True)
                prep.path = out
                return prep
            except _Irregular:
                scanned = scan_structure(source, workdir, expected, where, missing)
                scanned.findings[:0] = [f for f in prep.findings if f.code not in LABEL_CODES]
                scanned.sha256, scanned.bytes, scanned.encoding = prep.sha256, prep.bytes, prep.encoding
                prep = scanned
                if scanned.path is None:
                    return prep
                source = scanned.path
        _rewrite(root, ds, res, source, out, prep.header, strict=False)
    except PipelineError as exc:
        prep.findings.append(pipeline_error(ds, res, exc, where))
        prep.path = None
        return prep
    prep.path = out
    return prep
