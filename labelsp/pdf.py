"""PDF documents: HTML templates under templates/pdf/ rendered by WeasyPrint (imported lazily: it is heavy)."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def _static_fetcher(url, *args, **kwargs):
    """Resolve /static/ URLs from the project's static folders: rendering never goes to the network."""
    from weasyprint import default_url_fetcher

    if url.startswith("static:"):
        path = finders.find(url.removeprefix("static:"))
        if path:
            return default_url_fetcher(f"file://{path}", *args, **kwargs)
    if url.startswith(("http://", "https://")):
        raise ValueError(f"Refusing to fetch {url} while rendering a PDF")
    return default_url_fetcher(url, *args, **kwargs)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {"SITE_URL": settings.SITE_URL, **context})
    # Templates name their assets "static:<path>" (fonts, stylesheets, images): see _static_fetcher.
    return HTML(string=html, url_fetcher=_static_fetcher).write_pdf()
