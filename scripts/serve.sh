#!/usr/bin/env bash
# Installs classbridge and starts it with embedded defaults (SQLite in ./data, a simulated room).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/classbridge serve "$@"
