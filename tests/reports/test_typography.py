"""The PDF as a reader meets it, read back from the PDF itself (pypdf's text visitor, sizes in
points after the text and page matrices): body text at least 10.5 pt, tables at least 9 pt,
the level descriptors at least 8 pt; a cover; no page inside a section left more than half
empty."""

from __future__ import annotations

from functools import cache

import pytest

from reports.document import build_document
from reports.pdf import render_pdf
from reports.results import CouncilDocument
from rubric.schema import Lang
from tests.reports.test_document import powys_people
from tests.support.pdf_runs import Run, pdf_runs
from tests.support.report_rows import report


@cache
def _built(lang: Lang) -> tuple[CouncilDocument, tuple[Run, ...], tuple[float, ...]]:
    document = build_document(report(powys_people(), lang))
    runs, heights = pdf_runs(render_pdf(document, lang))
    return document, runs, heights


def _sizes_within(runs: tuple[Run, ...], texts: list[str], longer: int = 40) -> list[float]:
    """The sizes of the runs that are part of one of `texts`, each run (a line, or the part of
    one in one font) longer than `longer` characters so that it cannot be a label elsewhere."""
    joined = [" ".join(t.split()) for t in texts]
    return [r.size for r in runs if len(r.text) > longer and any(r.text in t for t in joined)]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_text_sizes_read_from_the_pdf(lang: Lang) -> None:
    document, runs, _ = _built(lang)
    assert min(r.size for r in runs) >= 8 - 0.01
    body = _sizes_within(runs, [*document.key_messages, document.good_practice_intro])
    body += _sizes_within(runs, [f.sentence for t in document.themes for f in t.findings])
    assert body and min(body) >= 10.5 - 0.01, sorted(set(body))
    report_ = document.report
    cells = _sizes_within(runs, [s.text for t in report_.themes for s in t.statements])
    cells = [s for s in cells if s < 12]  # the statements as table rows, not as headings
    assert cells and min(cells) >= 9 - 0.01, sorted(set(cells))
    descriptors = _sizes_within(
        runs, [d for row in report_.maturity for d in row.descriptors], longer=12
    )
    assert descriptors and min(descriptors) >= 8 - 0.01
    # Anything under 9 pt is a level descriptor or the running title in the page margin.
    small = [r for r in runs if r.size < 9 - 0.01]
    allowed = [d for row in report_.maturity for d in row.descriptors] + [report_.title]
    assert all(any(r.text in " ".join(a.split()) for a in allowed) for r in small), [
        r.text for r in small if not any(r.text in a for a in allowed)
    ][:5]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_cover_then_no_half_empty_page_inside_a_section(lang: Lang) -> None:
    document, runs, heights = _built(lang)
    cover = " ".join(r.text for r in runs if r.page == 1)
    assert document.report.title.split(":")[0] in cover
    assert "Mae'r ddogfen hon hefyd ar gael yn Gymraeg" in cover
    assert "This document is also available in English" in cover
    for line in ("24 Cathedral Road", "CF11 9LJ", "029 2032 0500", "24 Heol y Gadeirlan"):
        assert line in cover, line
    annex = "Annex" if lang == "en" else "Atodiad"
    annex_page = min(r.page for r in runs if r.text.startswith(annex) and r.size > 13)
    last = max(r.page for r in runs)
    for page in range(2, last):
        if page == annex_page - 1:
            continue  # the annex starts on a page of its own
        height = heights[page - 1]
        body = [r.y for r in runs if r.page == page and 60 < r.y < height - 40]
        assert body and min(body) < height / 2, f"page {page} is more than half empty"
