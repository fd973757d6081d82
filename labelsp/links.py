"""Absolute links for what leaves the site (e-mails, PDFs, QR codes, feeds, exports): SITE_URL + a path."""

from django.conf import settings


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
