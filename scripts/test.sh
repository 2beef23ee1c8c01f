#!/usr/bin/env bash
# Installs what the tests need (Chromium from Debian, the pip test extras), runs the static
# checks (ruff, mypy) and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
.venv/bin/ruff check classroom signaling devices bench tests
.venv/bin/mypy classroom signaling devices
exec .venv/bin/python -m pytest "$@"
