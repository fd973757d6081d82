from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_deadlines() -> int:
    """Beat task: move every due deadline on (reminders, notices, escalations) and queue their e-mails; queue again
    any e-mail left unsent. Safe to run twice at once (SKIP LOCKED, conditional updates, one notification per
    person and step)."""
    from labelsp.deadlines.services import notifications_redeliver, sweep

    moved = sweep()
    notifications_redeliver()
    return moved


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_notifications(ids: list[int]) -> int:
    """E-mail the notifications `ids` not yet e-mailed (idempotent)."""
    from labelsp.deadlines.services import notification_deliver

    return sum(notification_deliver(pk) for pk in ids)
