"""A cold ``govdata check`` of a small dataset pays only for what it uses (issue 14: a new dataset
in a pull request has no cached verdict, so start-up is most of a 1,000-row check)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, edited_yaml

# what a plain CSV's check must not import: DuckDB's Python layer (the engine alone, ``_duckdb``,
# is what the gate uses: govdata/duck.py), the pipelines' workbooks and XML, importlib.metadata
# (only read when an installed distribution may declare a plugin)
# Click (a plain `govdata check` is parsed by govdata/entry.py), zipfile (a compressed resource's),
# concurrent.futures and so logging (plain threads: govdata/threads.py), hashlib and so OpenSSL (a
# few small files hashed: govdata/sha.py; a file's own hash when its resource declares one), tempfile
# (with shutil, bz2, lzma, random: govdata/workdir.py), decimal (the compiled schemas test for it
# without it: govdata/schemacode.py)
NOT_IMPORTED = (
    "duckdb",
    "govdata.pipelines",
    "govdata.checks.excel",
    "xml.etree.ElementTree",
    "importlib.metadata",
    "click",
    "zipfile",
    "concurrent.futures",
    "logging",
    "hashlib",
    "tempfile",
    "decimal",
)


def _catalogue(tmp_path):
    """The repository's catalogue file with one dataset: the corpus's clean plain CSV (no foreign key)."""
    root = tmp_path / "catalogue"
    root.mkdir()
    shutil.copy(REPO / "catalog.yaml", root / "catalog.yaml")
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "pipelines").mkdir()
    shutil.copytree(REPO / "tests" / "corpus" / "clean", root / "datasets" / "hz-amr" / "clean")
    (root / "datasets" / "hz-amr" / "clean" / "expected.yaml").unlink()
    with edited_yaml(root / "datasets" / "hz-amr" / "clean" / "datapackage.yaml") as d:
        del d["resources"][0]["schema"]["foreignKeys"]  # its target is a pipeline's output
    return root


def _cold_check(tmp_path, *args: str) -> tuple[dict, dict]:
    root = _catalogue(tmp_path)
    # the modules are listed by an exit handler: the command ends the process itself (entry._exit)
    code = (
        "import atexit, json, sys\n"
        "from govdata.entry import main\n"
        f"sys.argv = ['govdata', 'check', '--root', {str(root)!r}, '--out', {str(tmp_path / 'out')!r}, "
        f"'--format', 'json', *{list(args)!r}]\n"
        f"atexit.register(lambda: print(json.dumps({{m: m in sys.modules for m in {NOT_IMPORTED!r}}} | "
        "{'yaml.reader pattern': getattr(sys.modules['yaml.reader'].Reader.NON_PRINTABLE, 'compiled', 1) is not None, "
        "'inspect': 'signature' in vars(sys.modules.get('inspect') or sys)}), "
        "file=sys.stderr))\n"
        "main()\n"
    )
    env = dict(os.environ, GOVDATA_NO_CACHE="1")
    for measured in ("COVERAGE_PROCESS_START", "COVERAGE_PROCESS_CONFIG"):  # coverage imports inspect, hashlib…
        env.pop(measured, None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout), json.loads(out.stderr.strip().splitlines()[-1])


def test_a_cold_check_of_a_plain_csv_imports_only_what_it_uses(tmp_path):
    report, imported = _cold_check(tmp_path)
    assert report["datasets"] == ["clean"] and report["valid"] and report["errors"] == 0
    # the pure-Python YAML reader's pattern is never compiled (govdata/yamlimport.py); inspect is
    # never loaded (dataclasses import it, entry.py defers it: every dataclass on the way has a
    # docstring, and a check without plugins makes no pluggy manager)
    assert imported == dict.fromkeys(NOT_IMPORTED, False) | {"yaml.reader pattern": False, "inspect": False}


def test_the_engine_alone_shares_its_classes_with_the_package():
    """Code that imports ``duckdb`` (the builder, the server) and the gate's ``govdata.duck`` share
    connections and catch each other's errors."""
    import duckdb

    from govdata import duck

    assert duck.Error is duckdb.Error and duck.DuckDBPyConnection is duckdb.DuckDBPyConnection
    con = duck.connect()
    assert isinstance(con, duckdb.DuckDBPyConnection)
    try:
        con.execute("SELECT * FROM no_such_table")
    except duckdb.Error as exc:
        assert isinstance(exc, duck.Error)
    else:
        raise AssertionError("the statement should have failed")


def test_yaml_anchors_and_aliases_are_refused_without_the_event_scan_for_plain_text():
    """The alias-bomb guard scans YAML events only when the text could hold an anchor or alias."""
    from govdata.catalog.safeyaml import loads_yaml
    from govdata.errors import UnsafeInputError

    for text, line in (("a: &x [1, 2]\nb: *x\n", 1), ("a: &x 1\n", 1), ("a: [1]\nb: *x\n", 2)):
        with pytest.raises(UnsafeInputError, match=f"d.yaml:{line}: YAML anchors and aliases"):
            loads_yaml(text, "d.yaml")
    data, lines = loads_yaml("title: 'a & b * c'\nkeywords: [x*y]\nn: 3\n", "d.yaml")
    assert data == {"title": "a & b * c", "keywords": ["x*y"], "n": 3} and lines[("n",)] == 3
    data, _ = loads_yaml("名称: 行政处罚\n", "d.yaml")
    assert data == {"名称": "行政处罚"}


def test_the_pure_yaml_readers_pattern_is_pyyamls_compiled_on_first_use():
    """govdata/yamlimport.py defers exactly PyYAML's pattern: the pure-Python loaders still refuse
    the characters YAML does not allow, as the compiled pattern does."""
    import ast
    import re

    import yaml

    from govdata import yamlimport

    source = open(yaml.reader.__file__, encoding="utf-8").read()
    line = next(x for x in source.splitlines() if "NON_PRINTABLE = re.compile(" in x)
    assert ast.literal_eval(line.split("re.compile(", 1)[1].rsplit(")", 1)[0]) == yamlimport.READER_PATTERN
    compiled = re.compile(yamlimport.READER_PATTERN)
    for text in ("plain", "行政处罚", "tab\tok", "bell\x07", "\ufffe", "\U0001f600", "\x85\x84", ""):
        lazy, real = yamlimport.OnFirstUse(yamlimport.READER_PATTERN).search(text), compiled.search(text)
        assert (lazy and lazy.span()) == (real and real.span())
    with pytest.raises(yaml.reader.ReaderError, match="#x0007"):
        yaml.safe_load("a: \x07")
    assert yaml.safe_load("a: 行政") == {"a": "行政"}


def test_small_inputs_are_hashed_without_openssl_to_the_same_digest():
    import hashlib

    from govdata import sha

    for data in (b"", b"abc", "行政处罚".encode(), bytes(range(256)) * 5000):
        h = sha.sha256(data)
        h.update(b"more")
        assert h.hexdigest() == hashlib.sha256(data + b"more").hexdigest()


def test_the_scratch_database_is_set_up_as_before(tmp_path):
    """Its settings given at connect time (three statements fewer) are the ones the SET statements gave."""
    from govdata.checks.runner import connect_scratch

    con = connect_scratch(tmp_path, memory_limit="256MB")
    try:
        zone, limit, spill, order = con.execute(
            "SELECT current_setting('TimeZone'), current_setting('memory_limit'), "
            "current_setting('temp_directory'), current_setting('preserve_insertion_order')"
        ).fetchone()
    finally:
        con.close()
    assert (zone, spill, order) == ("UTC", str(tmp_path / "duckdb-spill"), True) and limit.startswith("244")
    assert (tmp_path / "duckdb-spill").is_dir()
