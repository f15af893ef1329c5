"""Thin Celery tasks over feedback.services."""

from celery import shared_task

from .services import feedback_requests_send


@shared_task(acks_late=True, ignore_result=True)
def feedback_requests_send_task() -> int:
    """On beat every few minutes: asks everyone checked in at a session that has ended. Safe
    to run twice or on two workers at once (see `feedback_requests_send`)."""
    return feedback_requests_send()
