#!/usr/bin/env bash
# Installs what the tests need (Chromium from Debian, the pip test extras, TypeScript from
# npm), runs the static checks (ruff, mypy, tsc over both front ends' JS) and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
.venv/bin/ruff check classroom signaling devices bench tests
.venv/bin/mypy classroom signaling devices
npx --no-install tsc -p web/jsconfig.json
# The PostgreSQL variants of the database tests must run here, never skip (tests/support/postgres.py).
export TEST_REQUIRE_POSTGRES=1
exec .venv/bin/python -m pytest "$@"
