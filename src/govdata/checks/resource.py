"""The data checks of one resource: its source (a committed file or a pipeline's output) prepared
(:mod:`.source`) and loaded (:mod:`.table`), by the fast path (a big plain CSV proven clean in
one pass, :mod:`.proof`) or the precise one; then its cells, keys, columns and confidentiality
(:func:`examine`). :mod:`.runner` runs these over a catalogue."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from govdata import duck as duckdb

from govdata.catalog.model import Catalog, Dataset, Resource
from govdata.checks.bytescan import ByteFacts, byte_pass
from govdata.checks.collect import MAX_FINDINGS_PER_RESOURCE
from govdata.checks.declared import at_descriptor, name_clashes, too_wide
from govdata.checks.fieldsmatch import Matched, by_name, match_fields
from govdata.checks.loaded import LoadedTable, one_row
from govdata.checks.metadata import normalise_schema
from govdata.checks.prepared import Prepared
from govdata.checks.privacy import SCANNED_NONE, CellScanner, candidate_counts, check_privacy, scanner_for
from govdata.checks.proof import Proof, prove
from govdata.checks.rules import blank_row
from govdata.checks.source import declared_findings, fast_path, prepare
from govdata.checks.structure import LABEL_CODES, ColumnMissing, Label, MissingValues, fast_header, scan_structure
from govdata.checks.table import COMBINED_BYTES, WIDE_COLUMNS, TableChecks, planned_counts
from govdata.findings import Finding, Notice, ResourceStats, Where
from govdata.threads import Later, Pool

if TYPE_CHECKING:
    from govdata.pipelines import CommittedRead


def _source_for(
    root: Path, ds: Dataset, res: Resource, workdir: Path, where: Where, cache: Path | None = None
) -> tuple[Path | None, list[Finding], dict[str, Any], CommittedRead | None]:
    """The file the checks read, their findings so far, the resource keys it is read under, and for a
    pipeline whose first step reads a committed file, that step (the file is read as any resource's
    and the other steps run over its rows: :mod:`.pipelined`)."""
    if not res.pipeline:
        return res.source, [], res.raw, None
    # imported for a pipeline's resource only (workbooks, XML: a plain file's check never needs them)
    from govdata.checks.pipelined import pipeline_error, read_as
    from govdata.pipelines import PipelineError, committed_read, run_pipeline

    params = res.raw.get("pipeline_params")
    try:
        read = committed_read(root, res.pipeline, ds.dir, params)
        if read is not None:
            return read.path, [], read_as(read), read
        out_dir = workdir / "pipelines" / ds.name
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"{res.name}.csv"
        run_pipeline(root, res.pipeline, ds.dir, out, params, cache)
    except PipelineError as exc:
        return None, [pipeline_error(ds, res, exc, where)], res.raw, None
    return out, [], res.raw, None


def _capped(
    findings: list[Finding], where: Where, limit: int = MAX_FINDINGS_PER_RESOURCE
) -> tuple[list[Finding], list[Notice]]:
    if len(findings) <= limit:
        return findings, []
    return findings[:limit], [Notice.more(len(findings) - limit, limit, **where)]


@dataclass
class Checked:
    """What the data checks found for one resource (reported once the descriptor checks agree)."""

    dataset: str
    resource: str
    report_it: bool
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    stats: ResourceStats | None = None
    table: LoadedTable | None = None


def _load_fast(
    tables: TableChecks,
    pool: Pool,
    src: Path,
    raw: dict[str, Any],
    expected: Sequence[str],
    where: Where,
    ds: Dataset,
    res: Resource,
    schema: dict[str, Any],
    report_it: bool,
    by_name: bool = False,
) -> tuple[Prepared | None, LoadedTable | None]:
    """Big plain UTF-8 CSV: DuckDB reads it while the byte pass (NUL, blank lines, hash) runs in a
    thread. A file with nothing to report is proven so in one streaming pass (proof.py); any other
    is materialised for the precise statements. Returns (None, None) when anything is off, and
    the precise path (Python structure pass) takes over."""
    if len(expected) > WIDE_COLUMNS:  # a wide file is held long (table.WIDE_COLUMNS), never streamed
        return None, None
    prep = fast_header(src, expected, where)
    if prep is None or any(f.code in LABEL_CODES for f in prep.findings):
        return None, None
    digest = isinstance(raw.get("hash"), str)
    data_file = where["file"]
    lt: LoadedTable | None = None
    proof: Proof | None = None
    reading: Later[ByteFacts]
    scanner: CellScanner | None = None
    if schema.get("foreignKeys"):  # foreign-key findings need row numbers: always materialised
        reading = pool.submit(byte_pass, src, digest, utf8=False)
    else:
        streamed = tables.stream(ds.name, res.name, data_file, schema, prep)
        scanner = scanner_for(streamed) if report_it else None

        def read_bytes() -> ByteFacts:
            found = byte_pass(src, digest, utf8=False, feed=scanner.feed if scanner else None)
            if scanner is not None:
                scanner.finish()
            return found

        def scanned() -> CellScanner | None:
            reading.result()  # the scanner has seen every byte
            return scanner

        reading = pool.submit(read_bytes)
        into = None
        if (ds.name, res.name) in tables.typed_into and not by_name:  # by name: published in declared order
            schema_name, into = tables.typed_into[(ds.name, res.name)]
            tables.con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema_name}")
        try:
            proof = prove(tables, streamed, report_it, scanned, into)
        except duckdb.Error:
            tables.unload(streamed)
            proof = None
        if proof is not None and proof.clean:
            streamed.rows = proof.rows
            tables.keep(streamed)
            lt = streamed
    if lt is None:
        lt = tables.load(ds.name, res.name, data_file, schema, prep)
        if lt is not None and proof is not None:
            lt.passed = proof.passed  # the same file, read alike: what the proof counted zero needs no statement
    facts = reading.result()
    if lt is None or facts.nul is not None or facts.blank_line or facts.spaced_quote:
        if lt is not None:
            tables.drop(lt)
        return None, None
    if not lt.streamed and scanner is not None and scanner.usable and scanner.hold_none():
        # the proof failed for another reason, but the byte pass saw every cell: no personal data
        # to look for again in SQL (its candidate scan is ~15 % of a 100,000-row check)
        lt.passed = lt.passed | {SCANNED_NONE}
    prep.findings[:0] = declared_findings(src, raw, facts.sha256, facts.size, where)
    prep.sha256, prep.bytes = facts.sha256, facts.size
    return prep, lt


def check_resource(
    catalog: Catalog,
    tables: TableChecks,
    pool: Pool,
    ds: Dataset,
    res: Resource,
    workdir: Path,
    report_it: bool,
) -> Checked:
    """Read one resource's data and check what can be checked of it alone (structure, encoding,
    the declaration against the data); its table, when it could be loaded, waits for
    :func:`examine` and the run's foreign keys."""
    out = Checked(ds.name, res.name, report_it)
    where: Where = {"file": ds.rel_file, "dataset": ds.name, "resource": res.name}
    src, findings, raw, read = _source_for(
        catalog.root, ds, res, workdir, where, catalog.verdicts.directory("pipelines")
    )
    if src is None:
        out.findings = findings
        return out
    data_file = (
        src.relative_to(catalog.root).as_posix()
        if src.is_relative_to(catalog.root)
        else f"{ds.dir.relative_to(catalog.root).as_posix()}/<pipeline {res.pipeline}>"
    )
    where["file"] = data_file
    assert res.schema is not None, "only resources with a schema have their data checked (runner._check_data)"
    schema = normalise_schema(res.schema)
    if _sheet(src, raw):
        schema = _empty_cells_missing(schema)
    clash = name_clashes(ds, res, schema, where)
    if clash:
        out.findings = findings + clash
        return out
    findings += too_wide(ds, res, schema, where)
    res_dir = workdir / "sources" / ds.name / res.name  # made when a file is written there (prepared.work_file)
    label_key = "title" if res.raw.get("header_labels") == "titles" else "name"
    expected = [Label(f.get(label_key) or f["name"], f["name"]) for f in schema.get("fields", [])]
    declared = schema
    mode = by_name(schema, raw)  # fieldsMatch other than exact: labels map to fields by name
    matched: Matched | None = None
    fast = not res.pipeline and fast_path(src, res.raw)
    if mode and fast:  # a plain CSV: its first line is the header
        head = fast_header(src, [], where)
        if head is None:
            fast = False
        else:
            matched = match_fields(schema, head.header, label_key, mode, where)
            if matched.stop:
                out.findings = findings + matched.findings
                return out
            schema, expected = matched.schema, matched.expected
    prep, lt = (
        _load_fast(tables, pool, src, res.raw, expected, where, ds, res, schema, report_it, matched is not None)
        if fast
        else (None, None)
    )
    if prep is None:
        if mode and matched is None:  # the header is read as the file is prepared, then mapped by name
            prep, lt, matched = _load_by_name(
                tables, src, res_dir, where, ds, res, schema, raw, read, catalog.root, label_key, mode
            )
        else:
            prep, lt = _load_precise(tables, src, res_dir, expected, where, ds, res, schema, raw, read, catalog.root)
    if matched is not None:
        # under name matching a blank label is a label like any other (extra, or tolerated)
        prep.findings = [f for f in prep.findings if f.code != "blank-label"] + matched.findings
        if lt is not None:
            lt.declared = declared
    stats = ResourceStats(ds.name, res.name, data_file, rows_read=prep.rows_read, rows_with_findings=len(prep.bad_rows))
    if lt is not None and not prep.scanned:
        if not lt.streamed:  # a streamed table was proven to have neither
            tables.check_cell_size(lt)
            for row in tables.remove_blank_rows(lt):
                prep.bad_rows.add(row)
                prep.findings.append(blank_row.finding(row, **where))
        stats.rows_with_findings = len(prep.bad_rows)
        stats.rows_read = tables.row_count(lt) + len(prep.bad_rows)
    out.findings, out.notices = _capped(findings + prep.findings, where)
    out.stats = stats
    if lt is None:
        stats.rows_with_findings = stats.rows_read
        return out
    out.table = lt
    return out


def _load_precise(
    tables: TableChecks,
    src: Path,
    res_dir: Path,
    expected: Sequence[str],
    where: Where,
    ds: Dataset,
    res: Resource,
    schema: dict[str, Any],
    raw: dict[str, Any],
    read: CommittedRead | None,
    root: Path,
) -> tuple[Prepared, LoadedTable | None]:
    """The file prepared (:func:`source.prepare`, under the resource keys ``raw``) and loaded; for
    a pipeline whose first step reads a committed file (``read``), its other steps run over the rows
    read. The Python structure pass runs when preparing skipped it but the header is wrong or
    DuckDB's strict read refuses the file."""
    missing = ColumnMissing.of(schema)
    prep = prepare(src, res_dir, raw, expected, where, missing, schema.get("fields") or [])
    return _load_prepared(tables, prep, res_dir, expected, where, ds, res, schema, read, root, missing)


def _load_prepared(
    tables: TableChecks,
    prep: Prepared,
    res_dir: Path,
    expected: Sequence[str],
    where: Where,
    ds: Dataset,
    res: Resource,
    schema: dict[str, Any],
    read: CommittedRead | None,
    root: Path,
    missing: MissingValues,
) -> tuple[Prepared, LoadedTable | None]:
    """The rest of :func:`_load_precise`, once the file is prepared."""
    data_file = where["file"]
    prep.findings += prep.outside  # carried through the rescans below with the other findings
    prep.findings = [at_descriptor(ds, res, f) if f.code == "dialect-error" else f for f in prep.findings]
    if read is not None:  # the pipeline's other steps over the rows read
        from govdata.checks.pipelined import run_steps

        prep = run_steps(root, ds, res, prep, res_dir, expected, where, missing)
    if prep.path is not None and not prep.scanned and any(f.code in LABEL_CODES for f in prep.findings):
        # a wrong header: cells map to fields by position (as in Frictionless) through the precise pass
        scanned = _rescan(prep, res_dir, expected, where, missing)
        scanned.findings[:0] = [f for f in prep.findings if f.code not in LABEL_CODES]
        prep = scanned
    if len(prep.header) == 1 < len(expected) and any(f.code in LABEL_CODES for f in prep.findings):
        prep.path = None  # one column where the schema has several: another delimiter; rows would be noise
    if prep.path is None:
        return prep, None
    lt = tables.load(ds.name, res.name, data_file, schema, prep)
    if not prep.scanned and lt is None:  # DuckDB's strict read refused it: find out exactly where
        prep.findings = [f for f in prep.findings if f.code != "source-error"]
        scanned = _rescan(prep, res_dir, expected, where, missing)
        scanned.findings[:0] = prep.findings
        prep = scanned
        if prep.path is not None:
            lt = tables.load(ds.name, res.name, data_file, schema, prep)
    elif lt is None and prep.row_map is None:
        # Python's reading found nothing wrong but DuckDB's refused the file: the checks read the
        # copy Python's reading writes (one verdict, that of the structure pass)
        refused = [f for f in prep.findings if f.code == "source-error"]
        scanned = _rescan(prep, res_dir, expected, where, missing, rewrite_always=True)
        if scanned.path is not None and scanned.path != prep.path:
            scanned.findings[:0] = [f for f in prep.findings if f.code != "source-error"]
            prep = scanned
            lt = tables.load(ds.name, res.name, data_file, schema, prep)
            if lt is None:
                prep.findings = [f for f in prep.findings if f.code != "source-error"] + refused
    return prep, lt


def _load_by_name(
    tables: TableChecks,
    src: Path,
    res_dir: Path,
    where: Where,
    ds: Dataset,
    res: Resource,
    schema: dict[str, Any],
    raw: dict[str, Any],
    read: CommittedRead | None,
    root: Path,
    label_key: str,
    mode: str,
) -> tuple[Prepared, LoadedTable | None, Matched | None]:
    """:func:`_load_precise` for a schema whose labels map to fields by name (``fieldsMatch``): the
    file is prepared against its own header (one column per label), the labels are mapped
    (:func:`fieldsmatch.match_fields`), and the table is read under the schema of the file as it is."""
    # the columns' fields are known once the header is mapped: this first pass reads the header (and,
    # when nothing depends on the fields, is the only one: blank rows by the schema's missingValues);
    # a sheet whose header is its first row has its cells typed by the fields its labels name as
    # they are read
    mapped: list[list[str]] = []

    def fields_of(labels: list[str]) -> list[dict[str, Any]]:
        mapped.append(labels)
        found = match_fields(schema, labels, label_key, mode, where)
        return [] if found.stop else found.schema["fields"]

    sheet = _sheet(src, raw) and _header_first(raw)
    prep = prepare(
        src, res_dir, raw, [], where, [str(m) for m in schema.get("missingValues", [""])], fields_of if sheet else ()
    )
    if prep.path is None:
        return prep, None, None
    matched = match_fields(schema, prep.header, label_key, mode, where)
    typed = mapped == [prep.header]  # the sheet's cells were typed under the mapping of this header
    if not matched.stop and (
        isinstance(ColumnMissing.of(matched.schema), ColumnMissing) or _sheet(src, raw) and not typed
    ):
        # a field's own missingValues (blank rows are rows whose every cell is missing for its own
        # field) or an Excel sheet (its cells rendered and typed as the field of their column
        # reads them): prepared again, each column under the field its label names
        again = prepare(
            src, res_dir, raw, matched.expected, where, ColumnMissing.of(matched.schema), matched.schema["fields"]
        )
        if again.path is not None and again.header == prep.header:
            prep = again
    names = {i: label.field for i, label in enumerate(matched.expected, start=1)}
    # a ragged row's missing cells are named by the field of their column
    prep.findings = [
        dataclasses.replace(f, field=names[f.field_number])
        if f.code == "missing-cell" and f.field_number in names
        else f
        for f in prep.findings
        if f.code not in LABEL_CODES
    ]
    if matched.stop:
        prep.path = None
        return prep, None, matched
    missing = ColumnMissing.of(matched.schema)
    prep, lt = _load_prepared(
        tables, prep, res_dir, matched.expected, where, ds, res, matched.schema, read, root, missing
    )
    return prep, lt, matched


def _sheet(src: Path, raw: dict[str, Any]) -> bool:
    return str(raw.get("format") or src.suffix.lstrip(".")).lower() in ("xlsx", "xls")


def _empty_cells_missing(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a sheet is checked under: an empty cell is missing whatever ``missingValues`` say,
    as Frictionless reads a sheet (openpyxl gives None for it, never ""); the sheet's CSV writes it
    as "", so "" is added to the lists that lack it."""
    from govdata.checks.sqltypes import field_missing

    shared = schema.get("missingValues", [""])
    fields = schema.get("fields") or []
    if "" in field_missing({}, shared) and all("" in field_missing(f, shared) for f in fields if isinstance(f, dict)):
        return schema
    out = dict(schema)
    if isinstance(shared, list) and "" not in shared:
        out["missingValues"] = [*shared, ""]
    out["fields"] = [
        {**f, "missingValues": [*f["missingValues"], ""]}
        if isinstance(f, dict) and isinstance(f.get("missingValues"), list) and "" not in f["missingValues"]
        else f
        for f in fields
    ]
    return out


def _header_first(raw: dict[str, Any]) -> bool:
    """A sheet's header is its first row: no header, comment or skipped rows declared."""
    dialect = raw.get("dialect")
    keys = dialect if isinstance(dialect, dict) else {}
    others = ("commentChar", "commentRows", "skipRows")
    return keys.get("headerRows", [1]) == [1] and not any(k in keys for k in others) and not raw.get("header_row")


def _rescan(
    prep: Prepared,
    res_dir: Path,
    expected: Sequence[str],
    where: Where,
    missing: MissingValues,
    rewrite_always: bool = False,
) -> Prepared:
    """The Python structure pass over a prepared file, keeping what preparing it learned (hash,
    size, encoding); its findings are the caller's to merge."""
    assert prep.path is not None, "a prepared file is rescanned (prepare reported why there is none)"
    scanned = scan_structure(prep.path, res_dir, expected, where, missing, rewrite_always=rewrite_always)
    scanned.sha256, scanned.bytes, scanned.encoding = prep.sha256, prep.bytes, prep.encoding
    return scanned


def examine(catalog: Catalog, tables: TableChecks, out: Checked) -> Checked:
    """The checks of a resource read into a table (:func:`check_resource`): cells, keys, columns,
    confidentiality (answered from a batch of files of the same shape when there was one)."""
    lt = out.table
    if lt is None:
        return out
    count_ahead(tables, out)
    tables.check_cells(lt)
    out.findings += tables.check_rows(lt, "cells")  # summary conditions (a plugin's), if any
    if out.report_it and not lt.streamed:  # a streamed table was proven to hold no such column
        out.findings += tables.check_columns(lt)
    if out.report_it:
        out.findings += check_privacy(tables, lt, catalog.raw.get("negative_list") or [])
    return out


def resource_counts(tables: TableChecks, report_it: bool, lt: LoadedTable) -> list[tuple[str, str]]:
    """What :func:`examine` will count over a plain table, for :func:`batch.check_together`."""
    scan = report_it and SCANNED_NONE not in lt.passed  # check_privacy asks no candidate count then
    return planned_counts(tables, lt, report_it) + (candidate_counts(lt) if scan else [])


def count_ahead(tables: TableChecks, c: Checked) -> None:
    """A small plain table no batch counted (:func:`batch.check_together`): what :func:`examine`
    will count over it (key, column and personal-data counts), as one statement instead of three
    (each statement's start costs ~1.5-2 ms of a cold check). When it cannot run, each step's own
    statement does, and says what is wrong."""
    lt = c.table
    if lt is None or lt.counted or lt.streamed or lt.long or not lt.prep.bytes or lt.prep.bytes > COMBINED_BYTES:
        return
    pairs = resource_counts(tables, c.report_it, lt)
    if len(pairs) < 2:
        return
    try:
        row = one_row(tables.con, "SELECT " + ", ".join(a for _, a in pairs) + f" FROM {lt.table}")
    except duckdb.Error:
        return
    lt.counted = {a: value for (_, a), value in zip(pairs, row)}
