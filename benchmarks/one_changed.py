"""One-changed and no-op builds of a generated catalogue, two code trees interleaved, CPU per build.

    python -m benchmarks.many --datasets 3000 --dest /tmp/many --skip check,noop,one,serve
    python -m benchmarks.one_changed --root /tmp/many/n3000 --runs 4 before=/tmp/base/src after=src

Each run changes one dataset's title (``benchmarks.many.change_one``, a different dataset each
time), builds with each tree in turn (``PYTHONPATH=<src>``), then builds again with nothing
changed; one JSON line per build: CPU seconds (user + system of the build and what it waited for,
``wait4``), wall seconds, load average. The platform's source digest is fixed for every tree
(``govdata.sourcecode.digest``), so that the trees share one build folder without rebuilding every
dataset when the code changes; a tree that changes how keys, pieces or the parse cache are made
still rebuilds or parses again on its first run: drop the first round. The slope between two
sizes (ms per reused dataset) is what grows with the catalogue.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.many import change_one

# govdata's command (its console script's entry point, as installed) with the platform's source digest fixed
FIXED = (
    "import sys, govdata.sourcecode as s; s.digest = lambda: {digest!r}; "
    "from govdata.entry import main; sys.argv[0] = 'govdata'; main()"
)
DIGEST = "b10k" * 16


def run(root: Path, src: str, digest: str = DIGEST) -> dict:
    env = dict(os.environ, PYTHONPATH=src, GOVDATA_COVERAGE="0")
    started = time.perf_counter()
    cmd = [sys.executable, "-c", FIXED.format(digest=digest), "build", "--root", str(root), "--quiet"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    if rc:
        print(err[-2000:], file=sys.stderr)
    return {
        "cpu": round(usage.ru_utime + usage.ru_stime, 2),
        "user": round(usage.ru_utime, 2),
        "sys": round(usage.ru_stime, 2),
        "wall": round(time.perf_counter() - started, 2),
        "rc": rc,
        "load": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, required=True, help="a catalogue of benchmarks.many, built once")
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument(
        "--digest",
        default=DIGEST,
        help="the source digest every tree builds with (the real digest of the code that built the catalogue: "
        "no rebuild of every dataset on the first run)",
    )
    ap.add_argument(
        "--each",
        type=int,
        default=1,
        help="one-changed builds per tree in a row each round (a tree that uses what its own previous build "
        "left, as the serving snapshot's patch, shows its steady cost from the second: 'seq' 1)",
    )
    ap.add_argument("trees", nargs="+", help="name=path/to/src, built in turn")
    args = ap.parse_args()
    trees = [t.split("=", 1) for t in args.trees]
    n = len(list((args.root / "datasets/xh-edu").iterdir()))
    i = int(time.time()) % n
    for r in range(args.runs):
        for name, src in trees:
            where = str(Path(src).resolve())
            for seq in range(args.each):
                i = (i + 7919) % n
                change_one(args.root, i)
                found = run(args.root, where, args.digest)
                print(json.dumps({"tree": name, "round": r, "kind": "one", "seq": seq, **found}))
                sys.stdout.flush()
            print(json.dumps({"tree": name, "round": r, "kind": "noop", **run(args.root, where, args.digest)}))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
