#!/usr/bin/env bash
# Set up the project on a machine that has Python 3.11 and the package registries:
# a virtual environment in .venv with the exact versions of uv.lock.
#   scripts/setup.sh            runtime only
#   scripts/setup.sh --test     plus test tools (and Debian's chromium for browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/uv ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
fi
export UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=.venv
extras=()
if [ "${1:-}" = "--test" ]; then
  extras=(--extra test --extra bench)
  # Debian's chromium for the browser tests, and CJK fonts so that pages render (and are
  # screenshotted) as Chinese readers see them
  if { ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } \
     && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
      || echo "warning: could not install chromium / fonts-noto-cjk; browser tests will be skipped" >&2
  fi
fi
# bytecode compiled once here: a CLI run then never compiles a library on import
.venv/bin/uv sync --locked --inexact "${extras[@]}" --quiet --compile-bytecode
.venv/bin/python -m compileall -q src
# and the methods of the gate's dataclasses (govdata/dcbytecode.py)
.venv/bin/python -c "from govdata import dcbytecode as d; d.install(); import govdata.checks.runner, govdata.render; d.save(always=True)"
