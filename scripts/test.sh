#!/usr/bin/env bash
# Installs what the tests need (Chromium from Debian, the pip test extras) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
exec .venv/bin/python -m pytest "$@"
