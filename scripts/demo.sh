#!/usr/bin/env bash
# Install everything, then start the demo on SQLite with demo accounts of every role (printed on start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PORTAL_DATABASE_URL=${PORTAL_DATABASE_URL:-sqlite:///$PWD/instance/demo.db}
mkdir -p instance
exec .venv/bin/portal demo --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
