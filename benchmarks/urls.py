"""The benchmark servers' URLconf (benchmarks/settings.py): the site plus two baseline views.
Never mounted by config.urls, so production has neither."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as app_urlpatterns
from events.models import Event

WRITE_TABLE = "bench_write_one_row"


def one_query(request):
    """The floor: the cheapest Django view that still asks the database once. It reads
    `request.user`, so with a session cookie it pays what any logged-in page pays first."""
    return HttpResponse(f"{request.user.is_authenticated} {Event.objects.count()}")


@require_POST
@login_required
def write_one_row(request):
    """The rush's floor: what a logged-in POST that writes one row costs, with no lock."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {WRITE_TABLE} (user_id) VALUES (%s)", [request.user.pk])
    return HttpResponse("ok")


def write_table_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {WRITE_TABLE}")
        cursor.execute(f"CREATE TABLE {WRITE_TABLE} (user_id bigint NOT NULL)")


def write_table_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {WRITE_TABLE}")
        return cursor.fetchone()[0]


urlpatterns = [
    path("bench/one-query", one_query),
    path("bench/write-one-row", write_one_row),
    *app_urlpatterns,
]
