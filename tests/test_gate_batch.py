"""Small files of one shape checked together (checks/batch.py) report exactly what each file
checked alone reports: every corpus case (most share the clean case's schema, each with its own
planted faults) plus copies of them, in one catalogue, batched and not."""

from __future__ import annotations

import shutil

import yaml

from govdata.checks import batch
from govdata.checks.runner import run_checks
from tests.test_gate_corpus import CORPUS, _world


def _catalogue(base_catalog, tmp_path):
    root, _ = _world(base_catalog, tmp_path)
    cases = [
        c
        for c in sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
        if not c.startswith(("path-", "yaml-", "descriptor-", "schema-url"))
    ]
    for case in cases:
        for copy in ("", "-copy"):
            target = root / "datasets" / "hz-amr" / f"{case}{copy}"
            shutil.copytree(CORPUS / case, target)
            (target / "expected.yaml").unlink()
            descriptor = target / "datapackage.yaml"
            d = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
            if isinstance(d, dict) and copy:
                d["name"] = f"{case}{copy}"
                descriptor.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def _report(root):
    run = run_checks(root)
    try:
        return (
            sorted(
                (f.code, f.dataset or "", f.file or "", f.row or 0, f.field or "", f.message, f.cell or "")
                for f in run.report.findings
            ),
            sorted((s.dataset, s.rows_read, s.rows_with_findings) for s in run.report.stats),
            sorted((n.message, n.dataset or "") for n in run.report.notices),
        )
    finally:
        run.close()


def test_files_checked_together_report_as_files_checked_alone(base_catalog, tmp_path, monkeypatch):
    root = _catalogue(base_catalog, tmp_path)
    batches = []
    real = batch._batch
    monkeypatch.setattr(
        batch, "_batch", lambda tables, chunk, *a: batches.append(len(chunk)) or real(tables, chunk, *a)
    )
    together = _report(root)
    assert batches and max(batches) >= 8, "the corpus's files of the clean shape are checked together"
    monkeypatch.setattr(batch, "MIN_FILES", 10**9)
    alone = _report(root)
    assert together == alone
    codes = {x[0] for x in together[0]}
    assert {"type-error", "constraint-error", "primary-key", "personal-data", "foreign-key"} <= codes


def test_a_batch_that_cannot_run_leaves_its_files_to_their_own_statements(base_catalog, tmp_path, monkeypatch):
    """A batch statement that fails (a declared pattern DuckDB cannot compile fails them all) changes
    nothing: each file's own statements then report, as without batches."""
    root = _catalogue(base_catalog, tmp_path)
    monkeypatch.setattr(batch, "MIN_FILES", 10**9)
    alone = _report(root)
    monkeypatch.setattr(batch, "MIN_FILES", 2)
    monkeypatch.setattr(batch, "TAG", "no such column (")  # every batch statement fails to parse
    assert _report(root) == alone


def test_a_file_counted_ahead_in_one_statement_reports_as_counted_step_by_step(base_catalog, tmp_path, monkeypatch):
    """A small file no batch counts has its key, column and personal-data counts in one statement
    (resource.count_ahead) and reports what its steps' own statements report; when that statement
    cannot run, the steps' own statements do."""
    from govdata.checks import resource

    root = _catalogue(base_catalog, tmp_path)
    monkeypatch.setattr(batch, "MIN_FILES", 10**9)
    counted = []
    real = resource.count_ahead

    def spy(tables, c):
        real(tables, c)
        counted.append(bool(c.table is not None and c.table.counted))

    monkeypatch.setattr(resource, "count_ahead", spy)
    ahead = _report(root)
    assert sum(counted) >= 20, "the corpus's small files are counted ahead"
    monkeypatch.setattr(resource, "count_ahead", lambda tables, c: None)
    assert _report(root) == ahead
    monkeypatch.setattr(resource, "count_ahead", real)
    planned = resource.resource_counts
    monkeypatch.setattr(resource, "resource_counts", lambda *a: [*planned(*a), ("x", "no_such_function(1)")])
    assert _report(root) == ahead


def test_fewer_files_than_a_batch_compile_no_twin_plan(base_catalog, tmp_path, monkeypatch):
    """A check of fewer than MIN_FILES small files compiles no batch plan for them (a cold check
    of one file spent ~1.5 ms on its twin's plan before finding it had nothing to batch)."""
    root, _ = _world(base_catalog, tmp_path)
    shutil.copytree(CORPUS / "clean", root / "datasets" / "hz-amr" / "clean")
    (root / "datasets" / "hz-amr" / "clean" / "expected.yaml").unlink()
    twins = []
    real = batch._twin
    monkeypatch.setattr(batch, "_twin", lambda lt: twins.append(lt) or real(lt))
    run = run_checks(root, [root / "datasets" / "hz-amr" / "clean"])
    try:
        assert run.report.stats and not twins
    finally:
        run.close()


PARALLEL = """
import json, sys
from pathlib import Path
from govdata.checks import parallel, runner
calls = []
real = parallel.check
parallel.check = lambda *a: calls.append(a[4]) or real(*a)
run = runner.run_checks(Path(sys.argv[1]), report_only=True)
print(json.dumps({"processes": calls, "report": run.report.to_dict()}, ensure_ascii=False))
"""


def _in_process(root, processes: str) -> dict:
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, GOVDATA_CHECK_PROCESSES=processes, GOVDATA_NO_CACHE="1")
    out = subprocess.run([sys.executable, "-c", PARALLEL, str(root)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_a_catalogue_checked_in_processes_reports_as_one_process(base_catalog, tmp_path):
    """Every finding, statistic, notice and completeness score, in the same order."""
    root = _catalogue(base_catalog, tmp_path)
    one, three = _in_process(root, "1"), _in_process(root, "3")
    assert one["processes"] == [] and three["processes"] == [3]
    assert three["report"] == one["report"]
    assert list(three["report"]["completeness"]) == list(one["report"]["completeness"])
    assert len(one["report"]["findings"]) > 50 and one["report"]["resources"]
