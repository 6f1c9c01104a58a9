"""A PDF's text as runs with their page, size and height on the page, read by pypdf's text
visitor (sizes in points after the text and page matrices): what the typography and page-layout
tests check a report's PDF by."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader


@dataclass(frozen=True)
class Run:
    page: int
    text: str
    size: float
    y: float


def pdf_runs(pdf: bytes) -> tuple[tuple[Run, ...], tuple[float, ...]]:
    """Every run of text (pages counted from 1) and each page's height."""
    reader = PdfReader(io.BytesIO(pdf))
    runs: list[Run] = []
    heights = []
    for number, page in enumerate(reader.pages, start=1):
        heights.append(float(page.mediabox.height))

        def visit(
            text: str, cm: list[float], tm: list[float], font: object, size: float, n: int = number
        ) -> None:
            if text.strip():
                scale = abs(tm[3] * cm[3])
                runs.append(Run(n, " ".join(text.split()), size * scale, tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
    return tuple(runs), tuple(heights)
