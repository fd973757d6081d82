import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives, get_connection


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def deliver_email(message: dict) -> None:
    """Send one e-mail rendered by the web process; retried with backoff while the SMTP server is down."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        reply_to=message.get("reply_to") or None,
        headers=message.get("headers") or None,
        connection=get_connection(),
    )
    for content, mimetype in message.get("alternatives", []):
        email.attach_alternative(content, mimetype)
    email.send()
