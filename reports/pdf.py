"""One way to make a PDF: a template rendered to HTML, then by WeasyPrint."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.http import HttpResponse
from django.template.loader import render_to_string

STYLESHEET = "reports/print.css"


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

        _per_thread.font_config = FontConfiguration()
        _per_thread.stylesheet = CSS(
            string=render_to_string(STYLESHEET), font_config=_per_thread.font_config
        )
    return _per_thread


def render_to_pdf(template: str, context: dict) -> Rendered:
    """The HTML (for tests to read) and the PDF bytes. WeasyPrint is imported
    here, so that pages without PDFs never load it."""
    from weasyprint import HTML

    printer = _printer()
    html = render_to_string(template, context)
    pdf = HTML(string=html, url_fetcher=_offline_fetcher()).write_pdf(
        stylesheets=[printer.stylesheet], font_config=printer.font_config
    )
    return Rendered(html, pdf)


def pdf_response(rendered: Rendered, filename: str) -> HttpResponse:
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
