import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.error("healthz: database unreachable: %s", exc)
        return False
    return True


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            # One attempt, no back-off sleep: load balancers probe with short timeouts, and a
            # broker outage alone must not make the probe itself time out.
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:
        logger.warning("healthz: broker unreachable: %s", exc)
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    """Load-balancer probe: 503 only when the database does not answer."""
    database = _database_ok()
    body = {"database": "ok" if database else "error", "broker": "ok" if _broker_ok() else "error"}
    return JsonResponse(body, status=200 if database else 503)
