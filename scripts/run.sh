#!/usr/bin/env bash
# Starts web (gunicorn), a Celery worker and Celery beat in one foreground command.
# Ctrl-C (or any of the three exiting) stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
PORT=${PORT:-8000}
run() { $UV run --frozen --no-sync "$@"; }

mkdir -p var
run python manage.py migrate --noinput -v0
run python manage.py load_demo
if [ "${DEBUG:-0}" != 1 ]; then run python manage.py collectstatic --noinput -v0; fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  echo "stopped web, worker and beat"
}
trap cleanup INT TERM EXIT

run gunicorn config.wsgi:application --bind "127.0.0.1:${PORT}" --workers "${WEB_CONCURRENCY:-2}" \
  --access-logfile - --graceful-timeout 5 &
pids+=($!)
run celery -A config worker --pool=solo --loglevel=INFO &
pids+=($!)
run celery -A config beat --loglevel=INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler &
pids+=($!)

echo "Trainee Career Events: http://127.0.0.1:${PORT}/  (Ctrl-C stops web, worker and beat)"
echo "Demo logins are printed above (trainee, mentor, staff)."
wait -n "${pids[@]}"
