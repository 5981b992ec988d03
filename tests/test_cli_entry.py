"""``govdata check`` without Click (govdata/entry.py): a plain command line is parsed and run
without importing Click, with the same output and exit code; anything else is Click's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from govdata.entry import parse_check
from tests.conftest import GOVDATA, REPO


def _run(args: list[str], via_click: bool, cwd=None) -> subprocess.CompletedProcess:
    """``govdata ARGS`` in a child process: the entry point, or Click's command directly."""
    entry = "govdata.cli" if via_click else "govdata.entry"
    code = f"import sys; from {entry} import main; sys.argv = ['govdata', *{args!r}]; main()"
    env = dict(os.environ, GOVDATA_NO_CACHE="1")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd)


def test_plain_command_lines_are_parsed_without_click(tmp_path):
    folder = str(tmp_path)
    assert parse_check(["check"]) == {
        "paths": [],
        "root": None,
        "fmt": "text",
        "lang": "zh",
        "strict": False,
        "changed_since": None,
        "out": "_build",
    }
    got = parse_check(["check", folder, "--format=json", "--lang", "en", "--strict", "--out", "o", "--root", folder])
    assert got == {
        "paths": [folder],
        "root": folder,
        "fmt": "json",
        "lang": "en",
        "strict": True,
        "changed_since": None,
        "out": "o",
    }
    assert parse_check(["check", "--changed-since", "origin/main", "--format", "github"])["changed_since"] == (
        "origin/main"
    )
    assert parse_check(["check", "--", folder])["paths"] == [folder]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["build"],
        ["--version"],
        ["check", "--help"],
        ["check", "-h"],
        ["check", "--format", "yaml"],  # not a choice
        ["check", "--format"],  # no value
        ["check", "--format", "--strict"],
        ["check", "--lang=fr"],
        ["check", "--strict=yes"],
        ["check", "--no-such-option"],
        ["check", "no/such/path"],
        ["check", ""],
        ["check", "-"],
        ["check", "--root", str(REPO / "catalog.yaml")],  # a folder option naming a file
        ["check", str(REPO / "datasets"), "--changed-since", "main"],  # Click's usage error
    ],
)
def test_anything_else_is_clicks(argv):
    assert parse_check(argv) is None


def test_a_check_prints_and_exits_as_the_click_command(base_catalog, tmp_path):
    """The same report, byte for byte, and the same exit code, with findings (corpus cases) and
    without; in every output format."""
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(base_catalog, root, symlinks=True)
    for case in ("clean", "duplicate-primary-key", "out-of-range"):
        shutil.copytree(REPO / "tests" / "corpus" / case, root / "datasets" / "hz-amr" / case)
        (root / "datasets" / "hz-amr" / case / "expected.yaml").unlink()
    datasets = root / "datasets" / "hz-amr"
    runs = [
        (["check", str(datasets / "clean"), "--format", "json"], 0),
        (["check", str(datasets / "duplicate-primary-key"), "--lang", "en"], 1),
        (["check", "--root", str(root), "--format=markdown"], 1),
        (["check", str(datasets / "out-of-range"), "--format", "github", "--strict"], 1),
    ]
    for args, code in runs:
        fast, slow = (
            _run([*args, "--out", str(tmp_path / "out")], False),
            _run([*args, "--out", str(tmp_path / "out")], True),
        )
        assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
        assert fast.returncode == code and fast.stdout.strip()


def test_errors_and_usage_are_reported_as_before(tmp_path):
    """No catalogue above the folder: the platform's error, exit 1; a usage error: Click's, exit 2."""
    lost = _run(["check", "--root", str(tmp_path)], via_click=False)
    assert lost.returncode == 1 and lost.stderr.startswith("govdata: ") and not lost.stdout
    assert (lost.returncode, lost.stderr) == (lambda r: (r.returncode, r.stderr))(
        _run(["check", "--root", str(tmp_path)], via_click=True)
    )
    usage = subprocess.run([*GOVDATA, "check", "--format", "yaml"], capture_output=True, text=True)
    assert usage.returncode == 2 and "'yaml' is not one of" in usage.stderr


def test_a_check_that_ends_the_process_leaves_its_database_open(tmp_path, monkeypatch):
    """``run_check(..., ending=True)`` (the entry point, which then ends the process without
    teardown): the scratch database in memory is not closed (closing it is 5-15 ms of a cold
    small check), its work folder is removed; the report is the one a closing check writes."""
    import shutil

    from govdata import entry

    root = tmp_path / "repo"
    shutil.copytree(REPO / "tests" / "corpus" / "clean", root / "datasets" / "hz-amr" / "clean")
    shutil.copy(REPO / "catalog.yaml", root / "catalog.yaml")
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "pipelines").mkdir()
    (root / "datasets" / "hz-amr" / "clean" / "expected.yaml").unlink()
    monkeypatch.setattr(entry, "_left_open", [])
    args = dict(
        paths=[], root=str(root), fmt="json", lang="en", strict=False, changed_since=None, out=str(tmp_path / "o")
    )
    closing = entry.run_check(**args)
    assert entry._left_open == []
    ending = entry.run_check(**args, ending=True)
    assert ending == closing
    (run,) = entry._left_open
    assert run._con.execute("SELECT 42").fetchone() == (42,)  # still open
    assert run._tmp is not None and not (tmp_path / run._tmp.name).exists()
    run.close()


DEFERRED = """
import sys, threading
from govdata.entry import _defer
_defer("colorsys")
import colorsys
assert "rgb_to_hsv" not in vars(colorsys)  # not imported yet
got = []
threads = [threading.Thread(target=lambda: got.append(colorsys.rgb_to_hsv(1.0, 0.0, 0.0))) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert got == [(0.0, 1.0, 1.0)] * 8, got
assert sys.modules["colorsys"].rgb_to_hsv is colorsys.rgb_to_hsv and colorsys.__file__
from colorsys import hls_to_rgb
print("ok")
"""


def test_a_deferred_module_is_imported_at_its_first_use_once():
    """entry._defer (``inspect``: dataclasses and pluggy import it, a plain check never uses it):
    the stand-in imports the module when an attribute is first read, from any thread, and then
    holds its names."""
    out = subprocess.run([sys.executable, "-c", DEFERRED], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
