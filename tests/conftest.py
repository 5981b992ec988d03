from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GOVDATA_SHARED", REPO.parent / "shared"))
GOVDATA = [sys.executable, "-m", "govdata"]


TRACKED_OUTPUTS = (REPO / "benchmarks" / "results", REPO / "docs")  # written by harnesses run on purpose


def _refuse_writes_to_tracked_outputs(event: str, args: tuple) -> None:
    """Tests never write the repository's recorded results or docs (benchmark figures, screenshots):
    an open for writing there fails the test that does it, instead of dirtying the work tree."""
    if event != "open" or not isinstance(args[0], (str, os.PathLike)):
        return
    mode, flags = args[1], args[2]
    writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool(flags & (os.O_WRONLY | os.O_RDWR))
    if writing and any(Path(os.path.abspath(args[0])).is_relative_to(d) for d in TRACKED_OUTPUTS):
        raise PermissionError(f"a test wrote {args[0]}: tracked results are written by harnesses run on purpose")


sys.addaudithook(_refuse_writes_to_tracked_outputs)


def pytest_collection_modifyitems(config, items):
    """Benchmark tests run only when asked for (``-m benchmark``); any other ``-m`` expression
    (``-m "not browser"``) keeps them out, which an ``addopts = -m`` would not (a second ``-m``
    replaces the first)."""
    if "benchmark" in (config.getoption("markexpr") or ""):
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("benchmark") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def govdata(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The ``govdata`` command in a child process, its output captured as text."""
    return subprocess.run([*GOVDATA, *args], capture_output=True, text=True, cwd=cwd, env=env)


def wait_until(condition, timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


@contextlib.contextmanager
def edited_yaml(path: Path):
    """Load a YAML descriptor, let the block change it, write it back (keys in their order)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    yield data
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "standards").is_dir():
        pytest.fail(f"../shared/standards not found at {SHARED} (set GOVDATA_SHARED)")
    return SHARED


def copy_catalog(dest: Path, datasets: list[str] | None = None) -> Path:
    """A copy of the repository's catalogue (all datasets, or only the named ones)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "catalog.yaml", dest / "catalog.yaml")
    for folder in ("schemas", "pipelines"):
        shutil.copytree(REPO / folder, dest / folder)
    for descriptor in sorted((REPO / "datasets").glob("*/*/datapackage.*")):
        ds_dir = descriptor.parent
        if datasets is None or ds_dir.name in datasets:
            shutil.copytree(ds_dir, dest / "datasets" / ds_dir.parent.name / ds_dir.name)
    return dest


@pytest.fixture(scope="module")
def base_catalog(tmp_path_factory) -> Path:
    """A catalogue of only the administrative divisions (what corpus cases point their foreign
    keys at), copied once per module; tests copy it again before changing it."""
    return copy_catalog(tmp_path_factory.mktemp("gate") / "base", ["zj-admin-divisions"])


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The repository's catalogue built once for the session; returns the live build folder."""
    from govdata.publish.builder import build

    out = tmp_path_factory.mktemp("build-out")
    build(REPO, out)
    return (out / "current").resolve()


@pytest.fixture(scope="session")
def datasette_app(built):
    from govdata.serve.app import make_datasette

    return make_datasette(built)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, out: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [*GOVDATA, "serve", "--root", str(root), "--out", str(out), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # generous: under coverage on a loaded CI machine, three interpreters (the supervisor and its
    # workers) import Datasette before the first answer
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(proc.stdout.read().decode())
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start in 120 s")


@pytest.fixture
def server_factory():
    procs = []

    def start(root: Path, out: Path) -> str:
        port = free_port()
        procs.append(start_server(root, out, port))
        return f"http://127.0.0.1:{port}"

    yield start
    for p in procs:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.fixture(scope="session")
def live_server(built):
    """A real `govdata serve` of the session build on a loopback port."""
    port = free_port()
    proc = start_server(REPO, built.parent.parent, port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
