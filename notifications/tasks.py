from celery import shared_task

from .services import TransientDeliveryError, notification_deliver, notifications_dispatch_due


@shared_task(bind=True, acks_late=True, max_retries=6, ignore_result=True)
def notification_deliver_task(self, notification_id: int) -> str:
    try:
        return notification_deliver(notification_id=notification_id)
    except TransientDeliveryError as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 900)) from exc


@shared_task(acks_late=True, ignore_result=True)
def notifications_dispatch_due_task() -> dict[str, int]:
    return notifications_dispatch_due()
