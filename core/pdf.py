"""HTML to PDF with WeasyPrint, reading only our own static files: never the network."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings


class PdfUnavailable(Exception):
    """WeasyPrint's system libraries (Pango) are missing on this machine."""


def html_to_document(html: str) -> Any:
    """The HTML laid out in pages (WeasyPrint's Document): its `pages`, then `write_pdf()`."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # raised when Pango cannot be loaded
        raise PdfUnavailable(str(exc)) from exc

    static = (Path(settings.BASE_DIR) / "static").resolve()

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = Path(unquote(urlparse(url).path)).resolve()
            if not path.is_relative_to(static):
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    fetcher = StaticOnly(allowed_protocols=["file"])
    return HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=fetcher).render()


def html_to_pdf(html: str) -> bytes:
    pdf: bytes = html_to_document(html).write_pdf()
    return pdf
