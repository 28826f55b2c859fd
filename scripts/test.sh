#!/usr/bin/env bash
# Run the whole test suite (unit, HTTP, API, real worker, real browser).
# Uses the embedded default (SQLite, in-memory broker) unless DATABASE_URL /
# REDIS_URL are set, as .ci/run does for PostgreSQL + Redis.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/complaints -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
exec .venv/bin/pytest -p no:cacheprovider "$@"
