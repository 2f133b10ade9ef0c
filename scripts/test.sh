#!/usr/bin/env bash
# Install everything, then run every check: lint, catalogues, the whole suite on SQLite (browser tests
# included), and the suite again, browser tests aside, on a fresh PostgreSQL database (the browser tests run
# beside that second run).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash scripts/install.sh

echo "==> Lint"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> Types (mypy: strict on the engine, the questionnaire and the case lifecycle; elsewhere a baseline that only goes down)"
.venv/bin/python scripts/mypy_baseline.py

echo "==> Translation catalogues"
.venv/bin/python scripts/messages.py check

echo "==> Tests on SQLite, two processes (browser tests next)"
.venv/bin/pytest -q -p no:cacheprovider -n 2 -m "not browser"

# The browser tests wait on chromium and a live server most of the time (about 0.8 of a core on average), so
# where PostgreSQL is reachable they run beside the PostgreSQL run instead of before it (a few minutes less).
browser_tests=(.venv/bin/pytest -q -p no:cacheprovider -m browser)

PG_HOST=${PORTAL_TEST_PG_HOST:-127.0.0.1}
PG_PORT=${PORTAL_TEST_PG_PORT:-5432}
if pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
  db="portal_test_$$"
  browser_log=$(mktemp)
  echo "==> Browser tests on SQLite (Debian's chromium, axe-core), beside the PostgreSQL run; their output follows it"
  "${browser_tests[@]}" > "$browser_log" 2>&1 &
  browser_pid=$!  # pytest itself, so the trap below stops it if this script ends early
  echo "==> Tests on PostgreSQL (fresh database $db, browser tests aside)"
  psql -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -c "CREATE DATABASE $db" >/dev/null
  trap 'kill "$browser_pid" 2>/dev/null || true; rm -f "$browser_log"; psql -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
  pg_status=0
  PORTAL_TEST_DATABASE_URL="postgresql://postgres@$PG_HOST:$PG_PORT/$db" \
    .venv/bin/pytest -q -p no:cacheprovider -n 2 -m "not browser" || pg_status=$?
  browser_status=0
  wait "$browser_pid" || browser_status=$?
  echo "==> Browser tests on SQLite: their output"
  cat "$browser_log"
  if [ "$pg_status" -ne 0 ] || [ "$browser_status" -ne 0 ]; then
    echo "Failed: PostgreSQL run exit $pg_status, browser tests exit $browser_status" >&2
    exit 1
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $PG_HOST:$PG_PORT; CI needs it." >&2
  exit 1
else
  echo "==> Browser tests on SQLite (Debian's chromium, axe-core)"
  "${browser_tests[@]}"
  echo "==> PostgreSQL is not reachable at $PG_HOST:$PG_PORT: skipping the PostgreSQL run"
fi

echo "==> All checks passed in $(( $(date +%s) - started )) s"
