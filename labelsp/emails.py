"""Sending e-mails: rendered in the web process, delivered by a Celery worker (retries, no blocked request)."""

from django.core.mail import EmailMessage


def queue_email(message: EmailMessage) -> None:
    """Queue an already rendered message for delivery.

    The message is fully serialised (no database reference), so it is safe to queue at once rather than
    on commit. With CELERY_TASK_ALWAYS_EAGER (demo, tests) it is sent in-process.
    """
    from labelsp.accounts.tasks import deliver_email

    deliver_email.delay(
        {
            "subject": str(message.subject),
            "body": str(message.body),
            "from_email": message.from_email,
            "to": list(message.to),
            "reply_to": list(message.reply_to),
            "headers": dict(message.extra_headers),
            "alternatives": [
                (str(content), mimetype) for content, mimetype in getattr(message, "alternatives", [])
            ],
        }
    )
