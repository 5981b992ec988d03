#!/usr/bin/env bash
# One command: set up, build the sample catalogue and serve it at http://127.0.0.1:8001
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/govdata build
exec .venv/bin/govdata serve --port "${PORT:-8001}"
