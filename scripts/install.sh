#!/usr/bin/env bash
# Install everything the portal needs on a fresh Debian machine, idempotently:
# Debian packages (chromium for the browser tests, fonts, WeasyPrint's libraries, poppler, Java for the HTML
# checker), a Python virtualenv with the pinned packages, the pinned npm packages, the compiled front-end
# assets and the compiled translation catalogues.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(chromium fonts-noto-core fonts-noto-extra libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
                 poppler-utils default-jre-headless gettext)

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv"
  "$PYTHON" -m venv .venv
fi
echo "==> Installing Python packages"
.venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'

echo "==> Installing npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "==> Building front-end assets and translations"
.venv/bin/python scripts/build_assets.py
.venv/bin/python scripts/messages.py compile >/dev/null
