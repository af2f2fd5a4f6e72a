"""Shared by the consent tests: images, scans, the texts, a person with a photo."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ddr.accountability.consent.models import ConsentText
from ddr.accountability.consent.selectors import active_text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image(fmt: str = "JPEG", name: str = "photo.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def scan(name: str = "formulaire.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def text(kind: str = "declaration", language: str = "fr") -> ConsentText:
    found = active_text(kind, language)
    assert found is not None, "the migration ships the French and English texts"
    return found


def answer(**overrides: Any) -> dict[str, Any]:
    import datetime as dt

    return {"language": "bm", "outcome": "thumbprint", "recorded_on": dt.date(2024, 5, 2), **overrides}
