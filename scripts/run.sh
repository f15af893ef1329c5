#!/usr/bin/env bash
# Starts web (gunicorn), a Celery worker and Celery beat in one foreground command.
# Ctrl-C (or any of the three exiting) stops all three.
#
# By default this is a one-machine deployment: DEBUG off (friendly error pages, no URL list
# on a 404), static files collected and served by whitenoise, a secret key made once and kept
# in var/secret_key. It serves plain HTTP on 127.0.0.1, so the production TLS settings
# (HTTPS redirect, HSTS, secure-only cookies) are turned off here, explicitly, unless set.
# DEBUG=1 runs the same processes for development.
#
# The demo meeting and its demo accounts are loaded only when the DEMO setting is on: by
# default on the embedded SQLite database (no DATABASE_URL), on a database of your own only
# with DEMO=1. Loading never changes an account that already exists.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
PORT=${PORT:-8000}
DEBUG=${DEBUG:-0}
# Links in emails and calendar feeds follow the address served here unless SITE_URL is set;
# the worker and beat render mail outside any request, so they need it from the environment.
SITE_URL=${SITE_URL:-http://127.0.0.1:${PORT}}
export PORT DEBUG SITE_URL
if [ "$DEBUG" != 1 ]; then
  if [ -z "${SECRET_KEY:-}" ]; then export SECRET_KEY_FILE=${SECRET_KEY_FILE:-var/secret_key}; fi
  export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0} SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0} \
    SECURE_COOKIES=${SECURE_COOKIES:-0}
fi
run() { $UV run --frozen --no-sync "$@"; }

mkdir -p var
run python manage.py migrate --noinput -v0
demo=$(run python manage.py load_demo --if-enabled)
printf '%s\n' "$demo"
if [ "$DEBUG" != 1 ]; then run python manage.py collectstatic --noinput -v0; fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  echo "stopped web, worker and beat"
}
trap cleanup INT TERM EXIT

# Started directly, not through run(): a backgrounded shell function is a subshell, so $!
# would name the subshell and the TERM below would miss the process (uv passes it on).
# Until the processes install their own handlers they ignore the terminal's SIGINT (as every
# background job of a script does); the TERM stops them even then.
$UV run --frozen --no-sync gunicorn config.wsgi:application --bind "127.0.0.1:${PORT}" \
  --workers "${WEB_CONCURRENCY:-2}" --access-logfile - --graceful-timeout 5 &
pids+=($!)
$UV run --frozen --no-sync celery -A config worker --pool=solo --loglevel=INFO &
pids+=($!)
$UV run --frozen --no-sync celery -A config beat --loglevel=INFO \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler &
pids+=($!)

if [ "$DEBUG" = 1 ]; then
  mode="development (DEBUG=1)"
else
  mode="one-machine deployment (DEBUG off; DEBUG=1 make run for development)"
fi
echo "Trainee Career Events: http://127.0.0.1:${PORT}/ — ${mode}"
if [ "$SITE_URL" != "http://127.0.0.1:${PORT}" ]; then echo "Links in emails point to ${SITE_URL}/"; fi
logins=$(printf '%s\n' "$demo" | grep -E '^(trainee|mentor|staff): .* / password ' || true)
if [ -n "$logins" ]; then
  echo "Demo logins:"
  printf '%s\n' "$logins" | sed 's/^/  /'
else
  echo "No demo loaded (DEMO=1 make run loads the demo meeting and its accounts)."
fi
echo "Ctrl-C stops web, worker and beat."
wait -n "${pids[@]}"
