#!/usr/bin/env bash
# Prepare a checkout: virtual environment, Python packages, .env, and (for tests)
# Debian's chromium + fonts-nanum and axe-core from npm. Safe to run again: each
# step is skipped when already done.
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --dev    runtime + test tools (browser, axe-core)
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
PYTHON=${PYTHON:-python3.11}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"' || {
  echo "error: Python 3.11 is required (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi

reqs=requirements.txt
[ $DEV = 1 ] && reqs=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt "$reqs" | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "==> installing Python packages ($reqs)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$reqs"
  touch "$stamp"
fi

if [ ! -f .env ]; then
  echo "==> writing .env from .env.example (DEBUG on, fresh SECRET_KEY)"
  key=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
  sed "s/^SECRET_KEY=$/SECRET_KEY=$key/" .env.example > .env
fi

if [ $DEV = 1 ]; then
  # The font list is read whole before it is searched: with `fc-list | grep -q` under
  # pipefail, grep stops at the first match, fc-list dies of SIGPIPE (141) and the check
  # fails at random, running apt-get again on a machine that has everything.
  fonts=$(fc-list : family 2>/dev/null || true)
  if [ ! -x "$CHROMIUM" ] || ! grep -qi nanum <<<"$fonts"; then
    echo "==> installing Debian's chromium and fonts-nanum (browser tests)"
    SUDO=""
    [ "$(id -u)" != 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-nanum >/dev/null
  fi
  if [ ! -f node_modules/axe-core/axe.min.js ]; then
    echo "==> installing axe-core from the npm registry"
    npm ci --no-audit --no-fund --silent
  fi
fi
