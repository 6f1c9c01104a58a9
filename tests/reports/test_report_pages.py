"""The council report's PDF page by page, as the read of the demo's pages found it wanting
(docs/report-pages.md), checked from the PDF itself (pypdf, with each run's position): no page
ends with a heading, the maturity section's heading and lead sit on the page of its heat map,
and the national report's tables start on the page of their heading and caption."""

from __future__ import annotations

import io
import re
from functools import cache
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.document import build_document
from reports.national_render import render_national_html
from reports.pdf import html_to_pdf, render_pdf
from reports.render import render_html
from reports.text import messages
from rubric.schema import Lang
from tests.reports.test_document import powys_people
from tests.reports.test_national import national
from tests.support.pdf_runs import Run, pdf_runs
from tests.support.report_rows import report
from tests.support.reports import small_advice


@cache
def _pages(lang: Lang) -> tuple[tuple[Run, ...], tuple[float, ...], tuple[str, ...]]:
    document = build_document(report(powys_people(), lang))
    html = render_html(document, lang)
    headings = tuple(
        " ".join(unescape(re.sub(r"<[^>]+>", "", h)).split())
        for h in re.findall(r"<h[234][^>]*>(.*?)</h[234]>", html, flags=re.S)
    )
    runs, heights = pdf_runs(render_pdf(document, lang))
    return runs, heights, headings


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_no_page_ends_with_a_heading(lang: Lang) -> None:
    runs, heights, headings = _pages(lang)
    for page in range(2, len(heights) + 1):
        body = [r for r in runs if r.page == page and 60 < r.y < heights[page - 1] - 40]
        if not body:
            continue
        lowest = min(body, key=lambda r: r.y)
        last = [r for r in body if abs(r.y - lowest.y) < 1]
        text = " ".join(r.text for r in last)
        is_heading = lowest.size >= 11 - 0.01 and any(text in h for h in headings)
        assert not is_heading, f"page {page} ends with the heading {text!r}"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_maturity_heading_is_on_the_page_of_its_heat_map(lang: Lang) -> None:
    runs, _, _ = _pages(lang)
    heading = messages()(lang, "report.heading.maturity")
    level = messages()(lang, "maturity.col.level", n=1)
    pages = [r.page for r in runs if r.text == heading and r.size > 13]
    assert len(pages) == 1, pages
    on_it = {r.text for r in runs if r.page == pages[0]}
    assert level in on_it


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_national_tables_start_on_the_page_of_their_heading_and_caption(
    tmp_path: Path, lang: Lang
) -> None:
    """The demo's national PDF left "What the levels mean" alone on a page (the table, kept
    whole, went to the next) and a theme table's caption at the foot of a page."""
    national_report = await national(tmp_path, lang, rubric=small_advice())
    html = render_national_html(national_report, lang)
    reader = PdfReader(io.BytesIO(html_to_pdf(html, lang, national_report.title)))
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]

    def page_of(text: str) -> int:
        found = [i for i, p in enumerate(pages) if text in p]
        assert found, text
        return found[0]

    t = messages()
    levels = page_of(t(lang, "national.heading.levels"))
    first = national_report.maturity[0]
    assert page_of(" ".join(first.descriptors[0].split()[:4])) == levels
    wales = t(lang, "national.all_wales")
    for _, title in national_report.theme_table.themes if national_report.theme_table else ():
        caption = page_of(t(lang, "national.theme_table.caption", theme=title))
        assert wales in pages[caption], title
