"""One way to make a PDF: a template rendered to HTML, then by WeasyPrint."""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

STYLESHEET = "reports/print.css"
# PDFs of anonymised figures only, without personal data: kept in the cache
# by their HTML, so that the same report asked for again (a second download,
# a colleague) is not laid out again. Every other PDF (the inzage, an
# evaluation) holds personal data and is never kept.
BEWAARD = {"reports/gemeenterapportage_pdf.html"}
BEWAARTIJD = 60 * 60  # seconds

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: bytes


def _offline_fetcher():
    """Reports link to nothing, their stylesheet is given to WeasyPrint and
    they use the machine's fonts: nothing is ever fetched, from the internet
    or elsewhere."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"Niet opgehaald: {url}")

    return OfflineFetcher()


_per_thread = threading.local()


def _printer():
    """The stylesheet parsed and the fonts set up once, not for every PDF:
    about 25 ms of each. Once per thread, because Pango's font map is not
    made to be shared between threads. A change to the stylesheet shows after
    a restart, as a change to the code does."""
    if not hasattr(_per_thread, "stylesheet"):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        css = render_to_string(STYLESHEET)
        _per_thread.font_config = FontConfiguration()
        _per_thread.stylesheet = CSS(string=css, font_config=_per_thread.font_config)
        _per_thread.versie = hashlib.sha256(css.encode()).hexdigest()[:16]
    return _per_thread


def render_to_pdf(template: str, context: dict) -> Rendered:
    """The HTML (for tests to read) and the PDF bytes. WeasyPrint is imported
    here, so that pages without PDFs never load it. A report in ``BEWAARD``
    comes from the cache when the same HTML (and stylesheet) was laid out
    before; a cache that is down costs time, never the PDF."""
    from weasyprint import HTML

    printer = _printer()
    html = render_to_string(template, context)
    key = None
    if template in BEWAARD:
        key = f"pdf:{printer.versie}:{hashlib.sha256(html.encode()).hexdigest()}"
        if (pdf := _cache(cache.get, key)) is not None:
            return Rendered(html, pdf)
    pdf = HTML(string=html, url_fetcher=_offline_fetcher()).write_pdf(
        stylesheets=[printer.stylesheet], font_config=printer.font_config
    )
    if key:
        _cache(cache.set, key, pdf, BEWAARTIJD)
    return Rendered(html, pdf)


def _cache(call, *args):
    try:
        return call(*args)
    except Exception:  # the cache server down or full: lay the PDF out anyway
        logger.warning("De cache voor PDF's is niet bereikbaar.", exc_info=True)
        return None


def pdf_response(rendered: Rendered, filename: str) -> HttpResponse:
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
