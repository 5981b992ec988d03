"""Frictionless's verdict on a descriptor is memoised on disk, keyed by everything it depends on:
a cached verdict equals a fresh one, any change to the descriptor computes a new one, and
GOVDATA_NO_CACHE turns the cache off."""

from __future__ import annotations

from govdata.checks import metadata
from govdata.checks.runner import run_checks
from tests.conftest import copy_catalog


def _findings(root):
    run = run_checks(root)
    try:
        return sorted((f.code, f.file, f.line, f.message) for f in run.report.findings)
    finally:
        run.close()


def test_verdicts_are_cached_and_invalidated_by_any_change(tmp_path, monkeypatch):
    root = copy_catalog(tmp_path / "repo", ["hz-air-quality-daily"])
    calls = []
    real = metadata.check_frictionless
    monkeypatch.setattr(metadata, "check_frictionless", lambda ds: calls.append(ds.name) or real(ds))

    first = _findings(root)
    assert calls == ["hz-air-quality-daily"]
    assert list((root / "_build" / "cache" / "frictionless").glob("*.json"))
    assert _findings(root) == first
    assert calls == ["hz-air-quality-daily"], "an unchanged descriptor must not be judged again"

    descriptor = next((root / "datasets").glob("*/hz-air-quality-daily/datapackage.yaml"))
    text = descriptor.read_text(encoding="utf-8")
    assert "type: number" in text
    descriptor.write_text(text.replace("type: number", "type: numbre", 1), encoding="utf-8")
    changed = _findings(root)
    assert len(calls) == 2
    assert "schema-error" in {code for code, *_ in changed}
    assert changed == _findings(root) and len(calls) == 2  # the new verdict is cached in turn

    monkeypatch.setenv("GOVDATA_NO_CACHE", "1")
    assert _findings(root) == changed
    assert len(calls) == 3
