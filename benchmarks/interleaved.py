"""A cold ``govdata check`` of one catalogue under several src/ folders, and ``frictionless
validate`` of its file, interleaved round by round; CPU (user + system of the process and its
children, ``wait4``) and wall, median and minimum. On a shared machine the CPU columns are the
steadier ones.

    python -m benchmarks.interleaved ROUNDS ROOT LABEL=SRC... [fl=CSV]

``LABEL=SRC``: run ``python -m govdata check --root ROOT --format json`` with ``PYTHONPATH=SRC``
(``GOVDATA_NO_CACHE=1``); ``fl=CSV``: ``frictionless validate --schema shape.schema.json CSV`` in
``benchmarks/data`` (write the schema there first, as ``benchmarks.run --gate-shapes`` does).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def main(argv: list[str]) -> None:
    rounds, root, specs = int(argv[0]), argv[1], [a.split("=", 1) for a in argv[2:]]
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in specs}
    for _ in range(rounds):
        for label, value in specs:
            if label == "fl":
                cmd = [
                    str(Path(sys.executable).parent / "frictionless"),
                    "validate",
                    "--schema",
                    "shape.schema.json",
                    value,
                ]
                env, cwd = dict(os.environ), str(DATA)
            else:
                cmd = [sys.executable, "-m", "govdata", "check", "--root", root, "--format", "json"]
                env, cwd = dict(os.environ, GOVDATA_NO_CACHE="1", PYTHONPATH=value), None
            with tempfile.TemporaryFile() as sink:  # frictionless exits 1 when stdout is /dev/null
                start = time.perf_counter()
                proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=sink, stderr=sink)
                _, status, usage = os.wait4(proc.pid, 0)
                wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) not in (0, 1):
                raise SystemExit(f"{' '.join(cmd)} failed")
            runs[label].append((wall, usage.ru_utime + usage.ru_stime))
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for label, got in runs.items():
        walls, cpus = [w for w, _ in got], [c for _, c in got]
        print(
            f"{label:8} wall median {statistics.median(walls):.3f} min {min(walls):.3f}  "
            f"CPU median {statistics.median(cpus):.3f} min {min(cpus):.3f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
