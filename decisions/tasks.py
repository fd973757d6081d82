from celery import shared_task
from django.db import transaction


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_withdrawals() -> int:
    """Beat task: labels whose withdrawal reached its effective date become withdrawn (safe to run twice). The public
    list already hides them from that date by reading the withdrawal's date (services_lifecycle.public_labels)."""
    from decisions.services_lifecycle import withdrawals_take_effect

    with transaction.atomic():
        return withdrawals_take_effect()
