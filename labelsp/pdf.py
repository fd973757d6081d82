"""PDF documents: HTML templates under templates/pdf/ rendered by WeasyPrint (imported lazily: it is heavy).

Templates name their assets "static:<path>" (fonts, images), resolved from the project's static folders; "data:"
URIs are allowed (QR codes). Nothing else is fetched: rendering never goes to the network.

Every document gets the house stylesheet static/css/pdf.css (and any `stylesheets` a caller adds), parsed once per
process and thread together with its web fonts: parsing the stylesheet and loading the Marianne fonts cost a
WeasyPrint render more than laying out a one-page document does (see `make bench`). A stylesheet edited on disk is
parsed again (its modification time is part of the cache key), so `make demo` picks up changes.
"""

import atexit
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

HOUSE_STYLESHEET = "css/pdf.css"

_cache = threading.local()
# Release the main thread's fonts before the interpreter tears WeasyPrint's modules down (their finaliser needs them).
atexit.register(lambda: _cache.__dict__.clear())


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


def _state():
    """This thread's font configuration, URL fetcher and parsed stylesheets (a FontConfiguration is not meant to
    be shared between threads)."""
    if not hasattr(_cache, "fonts"):
        from weasyprint.text.fonts import FontConfiguration

        _cache.fonts = FontConfiguration()
        _cache.fetcher = _fetcher()
        _cache.stylesheets = {}
    return _cache


def stylesheet(name: str):
    """The parsed static stylesheet `name` (e.g. "css/pdf.css"), its @font-face fonts loaded once."""
    from weasyprint import CSS

    state = _state()
    path = finders.find(name)
    if not path:
        raise ValueError(f"No static stylesheet {name}")
    key = (path, Path(path).stat().st_mtime_ns)
    if key not in state.stylesheets:
        state.stylesheets = {k: v for k, v in state.stylesheets.items() if k[0] != path}
        state.stylesheets[key] = CSS(
            filename=path, url_fetcher=state.fetcher, font_config=state.fonts, base_url=Path(path).as_uri()
        )
    return state.stylesheets[key]


def render_pdf(template: str, context: dict, *, stylesheets: tuple[str, ...] = (), **options) -> bytes:
    """Render `template` with the house stylesheet then `stylesheets` (static paths); `options` go to WeasyPrint's
    write_pdf (e.g. pdf_variant="pdf/a-3b")."""
    from weasyprint import HTML

    state = _state()
    html = render_to_string(template, {"SITE_URL": settings.SITE_URL, **context})
    sheets = [stylesheet(name) for name in (HOUSE_STYLESHEET, *stylesheets)]
    return HTML(string=html, url_fetcher=state.fetcher).write_pdf(
        stylesheets=sheets, font_config=state.fonts, **options
    )
