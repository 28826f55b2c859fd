#!/usr/bin/env bash
# Set up, migrate, load demo data, and run web + Celery worker + beat on
# http://127.0.0.1:8000. Ctrl-C stops all three.
#   ADDRESS=0.0.0.0 PORT=8080 scripts/start.sh   listen elsewhere (PORT=host:port works too)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PY=.venv/bin/python
ADDRESS=${ADDRESS:-127.0.0.1}
PORT=${PORT:-8000}
case "$PORT" in *:*) BIND=$PORT ;; *) BIND="$ADDRESS:$PORT" ;; esac

$PY manage.py migrate --noinput
$PY manage.py load_demo_data

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "==> stopping web, worker and beat"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

.venv/bin/celery -A civicportal worker --loglevel=INFO --concurrency=2 &
pids+=($!)
.venv/bin/celery -A civicportal beat --loglevel=INFO --pidfile= &
pids+=($!)
$PY manage.py runserver "$BIND" &
pids+=($!)

echo "==> portal on http://$BIND/ (demo password: civic-demo-2026); Ctrl-C stops it"
wait -n "${pids[@]}"
