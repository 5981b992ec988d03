"""Branch coverage per stage of the platform, from the combined coverage data of a test run.

    python scripts/coverage_by_stage.py [--fail-under STAGE=PERCENT ...]

A stage is a sub-package of ``src/govdata`` (``catalog``, ``checks``, ``publish``, ...); the
modules at the package's top level are reported as ``(top level)``. The percentage is coverage.py's:
statements and branches covered over statements and branches.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path


def by_stage(report: dict) -> dict[str, list[int]]:
    stages: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, data in report["files"].items():
        parts = Path(name).parts
        inside = parts[parts.index("govdata") + 1:] if "govdata" in parts else parts
        stage = inside[0] if len(inside) > 1 else "(top level)"
        s = data["summary"]
        stages[stage][0] += s["covered_lines"] + s.get("covered_branches", 0)
        stages[stage][1] += s["num_statements"] + s.get("num_branches", 0)
    return stages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fail-under", action="append", default=[], metavar="STAGE=PERCENT")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        subprocess.run([sys.executable, "-m", "coverage", "json", "-q", "-o", str(out)], check=True)
        report = json.loads(out.read_text(encoding="utf-8"))
    stages = by_stage(report)
    print(f"{'stage':<14}{'covered':>9}{'of':>8}{'branch cov.':>13}")
    for stage, (covered, total) in sorted(stages.items()):
        print(f"{stage:<14}{covered:>9}{total:>8}{100 * covered / max(total, 1):>12.1f}%")
    print(f"{'total':<14}{'':>17}{report['totals']['percent_covered']:>12.1f}%")
    failed = []
    for rule in args.fail_under:
        stage, _, percent = rule.partition("=")
        covered, total = stages.get(stage, [0, 0])
        if 100 * covered / max(total, 1) < float(percent):
            failed.append(f"{stage}: {100 * covered / max(total, 1):.1f}% < {percent}%")
    for line in failed:
        print(f"coverage below the floor: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
