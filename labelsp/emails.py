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


def send_templated_email(*, to: list[str], template: str, context: dict) -> None:
    """Render templates/emails/<template>_subject.txt, _body.txt and _body.html, then queue the message."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=f"[Services Publics +] {subject}",
        body=render_to_string(f"emails/{template}_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(render_to_string(f"emails/{template}_body.html", context), "text/html")
    queue_email(message)
