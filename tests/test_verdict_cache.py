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


def test_json_schema_verdicts_are_cached_and_invalidated(tmp_path, monkeypatch):
    """catalog.yaml's and each descriptor's JSON Schema verdicts are memoised the same way: a warm
    run neither validates again nor imports jsonschema's validators, and any change is judged anew."""
    from govdata.catalog import loader

    root = copy_catalog(tmp_path / "repo", ["hz-air-quality-daily"])
    calls = []
    real_ds, real_cat = metadata._json_schema_findings, loader._catalog_errors
    monkeypatch.setattr(metadata, "_json_schema_findings", lambda ds: calls.append(ds.name) or real_ds(ds))
    monkeypatch.setattr(
        loader, "_catalog_errors", lambda raw, lines: calls.append("catalog.yaml") or real_cat(raw, lines)
    )

    first = _findings(root)
    assert sorted(calls) == ["catalog.yaml", "hz-air-quality-daily"]
    assert len(list((root / "_build" / "cache" / "jsonschema").glob("*.json"))) == 2
    assert _findings(root) == first and len(calls) == 2

    descriptor = next((root / "datasets").glob("*/hz-air-quality-daily/datapackage.yaml"))
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(text.replace("update_frequency:", "update_frequency: hourly\nx_unused:", 1), encoding="utf-8")
    changed = _findings(root)
    assert calls[2:] == ["hz-air-quality-daily"]  # catalog.yaml unchanged: still cached
    assert {code for code, *_ in changed} - {code for code, *_ in first}, "the new descriptor's problem is found"
    assert _findings(root) == changed and len(calls) == 3

    catalog_file = root / "catalog.yaml"
    catalog_file.write_text(catalog_file.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert _findings(root) == changed and calls[3:] == ["catalog.yaml"]


def test_the_cache_follows_the_output_folder(tmp_path):
    """`govdata build --out X` and `govdata check --out X` keep verdicts in X/cache, not in the
    repository's _build."""
    from govdata.publish.builder import build
    from tests.conftest import govdata

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions"])
    out = tmp_path / "elsewhere"
    build(root, out)
    assert list((out / "cache" / "frictionless").glob("*.json"))
    assert list((out / "cache" / "jsonschema").glob("*.json"))
    assert not (root / "_build").exists()
    checked = tmp_path / "checked"
    result = govdata("check", "--root", str(root), "--out", str(checked))
    assert result.returncode == 0, result.stdout + result.stderr
    assert list((checked / "cache" / "jsonschema").glob("*.json")) and not (root / "_build").exists()
