"""PDF documents: HTML templates under templates/pdf/ rendered by WeasyPrint (imported lazily: it is heavy).

Templates name their assets "static:<path>" (fonts, stylesheets, images), resolved from the project's static
folders; "data:" URIs are allowed (QR codes). Nothing else is fetched: rendering never goes to the network.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def _fetcher():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("static:"):
                path = finders.find(url.removeprefix("static:"))
                if not path:
                    raise ValueError(f"No static file {url}")
                return super().fetch(Path(path).as_uri(), headers)
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"Refusing to fetch {url} while rendering a PDF")

    return StaticOnlyFetcher(allowed_protocols={"file", "data"})


def render_pdf(template: str, context: dict, **options) -> bytes:
    """`options` go to WeasyPrint's write_pdf (e.g. pdf_variant="pdf/a-3b")."""
    from weasyprint import HTML

    html = render_to_string(template, {"SITE_URL": settings.SITE_URL, **context})
    return HTML(string=html, url_fetcher=_fetcher()).write_pdf(**options)
