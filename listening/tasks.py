from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def listening_data_purge_task() -> dict[str, int]:
    from .services.retention import listening_data_purge  # noqa: PLC0415 — import on run

    counts = listening_data_purge()
    return {"requests": counts.requests, "bookings": counts.bookings, "places": counts.places}
