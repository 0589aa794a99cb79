"""One way to make a PDF: a template rendered to HTML, then by WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.template.loader import render_to_string


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: bytes


def _offline_fetcher():
    """Reports carry their stylesheet inline and use the machine's fonts:
    nothing is ever fetched, from the internet or elsewhere."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"Niet opgehaald: {url}")

    return OfflineFetcher()


def render_to_pdf(template: str, context: dict) -> Rendered:
    """The HTML (for tests to read) and the PDF bytes. WeasyPrint is imported
    here, so that pages without PDFs never load it."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    return Rendered(html, HTML(string=html, url_fetcher=_offline_fetcher()).write_pdf())


def pdf_response(rendered: Rendered, filename: str) -> HttpResponse:
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
