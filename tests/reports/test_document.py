"""The council report an auditor can publish, on the real questionnaire and advice: golden files
in both languages, the same content in each, what makes it usable on a phone and with a screen
reader, and the PDF (text extracted and read back).

Regenerate the golden files with ``UPDATE_GOLDEN=1 ./dev test tests/test_report_document.py``.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, PdfObject

from reports.document import build_document
from reports.pdf import html_to_pdf, render_pdf
from reports.render import CHART_W, FONT, render_html
from reports.results import Report
from rubric.advice import load_advice
from rubric.loader import load_questionnaire
from rubric.schema import Lang
from tests.support.report_rows import People, report

GOLDEN = Path(__file__).with_name("golden")
PHONE_CONTENT_PX = 375 - 2 * 0.6 * 16
"""A 375 px phone less the report's side padding on narrow screens (0.6em each side)."""

CHOICES = ("sa", "a", "n", "d", "sd", "dk")


def _varied(seed: int, n: int) -> dict[str, dict[str, int]]:
    """Deterministic answers that differ from question to question."""
    out: dict[str, dict[str, int]] = {}
    for k, q in enumerate(load_questionnaire().questions):
        if q.kind == "agree":
            counts: dict[str, int] = {}
            for i in range(n):
                choice = CHOICES[(i * (k + 2) + seed + k * k) % 6]
                counts[choice] = counts.get(choice, 0) + 1
            out[q.id] = counts
        elif q.kind == "level":
            counts = {}
            for i in range(n):
                choice = ("1", "1", "2", "3", "2", "dk")[(i + seed + k) % 6]
                counts[choice] = counts.get(choice, 0) + 1
            out[q.id] = counts
    return out


def powys_people() -> list[People]:
    """Powys as the 2018 report counts it (23 officers of whom 10 responded, five of them in
    the Corporate Management Team; 73 members of whom 15), and two councils for Wales."""
    return [
        People("officer", 5, team="CMT", invited=8, answers=_varied(1, 5)),
        People("officer", 5, invited=15, answers=_varied(2, 5)),
        People("member", 15, invited=73, answers=_varied(3, 15)),
        People("officer", 20, council="cardiff", invited=30, answers=_varied(4, 20)),
        People("member", 12, council="gwynedd", invited=20, answers=_varied(5, 12)),
    ]


def html_for(lang: Lang) -> str:
    return render_html(report(powys_people(), lang), lang)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_golden_council_report(lang: Lang) -> None:
    _golden(f"council-report-{lang}.html", html_for(lang))


def test_both_languages_carry_the_same_content() -> None:
    advice = load_advice()
    en = build_document(report(powys_people(), "en"), advice)
    cy = build_document(report(powys_people(), "cy"), advice)
    assert len(en.key_messages) == len(cy.key_messages)
    assert 3 <= len(en.key_messages) <= 6
    assert [(t.theme_id, [f.kind for f in t.findings]) for t in en.themes] == [
        (t.theme_id, [f.kind for f in t.findings]) for t in cy.themes
    ]
    assert [(r.id, [e.pct for e in r.evidence]) for r in en.recommendations] == [
        (r.id, [e.pct for e in r.evidence]) for r in cy.recommendations
    ]
    assert en.recommendations, "the golden data should make some recommendations"
    assert [g.id for g in en.good_practice] == [g.id for g in cy.good_practice]
    assert [m.shares for m in en.maturity] == [m.shares for m in cy.maturity]
    # Every figure quoted in English is quoted in Welsh.

    def figures(texts: Iterable[str]) -> list[str]:
        return sorted(re.findall(r"\d+%", " ".join(texts)))

    assert figures(en.key_messages) == figures(cy.key_messages)
    for a, b in zip(en.themes, cy.themes, strict=True):
        assert figures(f.sentence for f in a.findings) == figures(f.sentence for f in b.findings)


def test_welsh_report_uses_the_welsh_terms_and_mutations() -> None:
    html = html_for("cy")
    for term in ("Negeseuon allweddol", "Argymhellion", "Arfer da", "Yr hyn a ganfuwyd gennym",
                 "Atodiad", "Dylai'r Awdurdod", "Aeddfedrwydd", "Cynnwys"):  # fmt: skip
        assert term.replace("'", "&#39;") in html, term
    assert "yng Nghyngor Sir Powys" in html and "yn Cyngor" not in html
    for english in ("Key messages", "Recommendations", "The Authority should", "Annex", "Evidence"):
        assert english not in html


class _Doc(HTMLParser):
    """Collects what the accessibility checks look at."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[tuple[dict[str, str | None] | None, bool]] = []
        self.comments: list[dict[str, str | None]] = []
        self.svg_fonts: list[tuple[float, float]] = []
        self._viewbox_w = 0.0
        self._table: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            parent = self.stack[-1][1] if self.stack else None
            self.tables.append((parent, False))
            self._table = len(self.tables) - 1
        if tag == "caption" and self._table is not None:
            self.tables[self._table] = (self.tables[self._table][0], True)
        if tag == "li" and self.stack and "comments" in (self.stack[-1][1].get("class") or ""):
            self.comments.append(a)
        if tag == "svg" and a.get("viewbox"):
            self._viewbox_w = float((a["viewbox"] or "0 0 0 0").split()[2])
        if tag == "text" and a.get("font-size"):
            self.svg_fonts.append((float(a["font-size"] or 0), self._viewbox_w))
        if tag not in ("meta", "rect", "br", "input", "img"):
            self.stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_tables_are_captioned_and_reachable_by_keyboard(lang: Lang) -> None:
    doc = _Doc()
    doc.feed(html_for(lang))
    assert len(doc.tables) >= 6
    for parent, captioned in doc.tables:
        assert captioned
        assert parent is not None and parent.get("role") == "region"
        assert parent.get("tabindex") == "0" and parent.get("aria-labelledby")


def test_comments_are_marked_with_the_language_they_are_written_in() -> None:
    doc = _Doc()
    doc.feed(html_for("en"))
    langs = [c.get("lang") for c in doc.comments]
    assert langs == ["en", "cy"] or langs == ["cy", "en"], langs


def test_chart_text_is_at_least_12px_on_a_phone() -> None:
    """The grid is drawn across the phone's width: a viewBox unit is PHONE_CONTENT_PX / width
    pixels, and the smallest label must come out at 12 px or more."""
    doc = _Doc()
    doc.feed(html_for("cy"))
    assert doc.svg_fonts
    smallest = min(size * PHONE_CONTENT_PX / width for size, width in doc.svg_fonts)
    assert smallest >= 12, smallest
    assert FONT * PHONE_CONTENT_PX / CHART_W >= 12


@pytest.fixture(scope="module", params=["en", "cy"])
def powys_pdf(request: pytest.FixtureRequest) -> tuple[Lang, Report, bytes]:
    """Powys's report as a PDF, made once for every test of this module that reads one (a PDF
    of a dozen pages takes seconds)."""
    lang: Lang = request.param
    built = report(powys_people(), lang)
    return lang, built, render_pdf(built, lang)


@pytest.mark.timeout(300)
def test_pdf_holds_the_response_rate_table_page_numbers_and_embedded_fonts(
    powys_pdf: tuple[Lang, Report, bytes],
) -> None:
    lang, built, pdf = powys_pdf
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert 8 <= len(pages) <= 22, len(pages)  # 10.5 pt body text, a cover (issue 22)
    text = "\n".join(pages)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    if lang == "en":
        assert any("Number invited" in line for line in lines)
        assert "Officers 23 10 43%" in lines
        assert any(line.startswith("Elected Members 73 15 21%") for line in lines)
        assert any(line.startswith("Total 96 25 26%") for line in lines)
        # Page 1 is the cover, with no number on it.
        assert "Page 1 of" not in pages[0] and "also available in English" in pages[0]
        assert "Page 2 of" in pages[1] and f"Page {len(pages)} of {len(pages)}" in pages[-1]
        assert "Key messages" in pages[1] and "Contents" in pages[1]
    else:
        assert any("Nifer a wahoddwyd" in line for line in lines)
        assert "Swyddogion 23 10 43%" in lines
        assert any(line.startswith("Cyfanswm 96 25 26%") for line in lines)
        assert "Tudalen 1 o" not in pages[0] and "ar gael yn Gymraeg" in pages[0]
        assert "Tudalen 2 o" in pages[1]
        assert "Negeseuon allweddol" in pages[1]
    # The annex is in it, its comments in both languages (reports.pdf drops the `lang` that a
    # comment in the document's own language inherits anyway), and every font is embedded.
    assert (built.themes[0].statements[0].text.split()[0]) in text
    comments = [c for theme in built.themes for c in theme.comments]
    assert len(comments) == 2
    flat = " ".join(text.split())
    for comment in comments:
        assert " ".join(comment.split()) in flat, comment
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        fonts = resources.get("/Font", {})
        for ref in fonts.values():
            descendant = ref.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor


SMALL_HTML = (
    "<!doctype html><html lang='en'><head><title>t</title></head><body><p>Powys</p></body></html>"
)


def test_pdf_gives_the_garbage_collector_back_as_it_found_it() -> None:
    """reports.pdf holds Python's collector off while WeasyPrint works (it walked the render's
    million objects again and again); it must come back on, and stay off if it was off. (What
    the collector is left as does not depend on the document: a page of it is enough.)"""
    import gc

    html = SMALL_HTML
    assert gc.isenabled()
    html_to_pdf(html, "en", "t")
    assert gc.isenabled()
    gc.disable()
    try:
        html_to_pdf(html, "en", "t")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pdf_title_is_the_report_title(powys_pdf: tuple[Lang, Report, bytes]) -> None:
    """`render_pdf` is `html_to_pdf` of `render_html`, with the report's title."""
    _, built, pdf = powys_pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title == built.title


def _dictionary(value: object) -> DictionaryObject:
    got = value.get_object() if isinstance(value, PdfObject) else value
    assert isinstance(got, DictionaryObject), got
    return got


def _structure(node: object) -> Iterator[DictionaryObject]:
    """Every element of a PDF's structure tree under `node`, depth first."""
    node = node.get_object() if isinstance(node, PdfObject) else node
    if isinstance(node, ArrayObject):
        for kid in node:
            yield from _structure(kid)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from _structure(node["/K"])


def test_pdf_is_tagged_in_its_language_with_its_title(
    powys_pdf: tuple[Lang, Report, bytes],
) -> None:
    """Read from the PDF itself: tagged (marked content and a structure tree of the HTML's
    headings, tables and figures, each chart with its text), the report's language and title,
    and the title shown in place of the file's name."""
    lang, built, pdf = powys_pdf
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.root_object
    assert str(root["/Lang"]) == lang
    assert _dictionary(root["/MarkInfo"])["/Marked"] == BooleanObject(True)
    assert _dictionary(root["/ViewerPreferences"])["/DisplayDocTitle"] == BooleanObject(True)
    assert reader.metadata is not None and reader.metadata.title == built.title
    elements = list(_structure(root["/StructTreeRoot"]))
    kinds = Counter(str(e["/S"]) for e in elements)
    assert kinds["/Document"] == 1 and kinds["/H1"] >= 1 and kinds["/H2"] >= 6, kinds
    assert kinds["/Table"] >= 6 and kinds["/TH"] and kinds["/Caption"] >= 6, kinds
    assert kinds["/L"] and kinds["/LI"] and kinds["/P"], kinds
    figures = [e for e in elements if str(e["/S"]) == "/Figure"]
    assert figures and all(str(e.get("/Alt", "")).strip() for e in figures)


def test_pdfs_asked_for_at_once_are_made_one_at_a_time() -> None:
    """WeasyPrint over the process's one font configuration is not safe in two threads at once
    (two auditors' PDFs together corrupted the bot's heap): a second PDF waits for the first,
    and both come out whole."""
    from concurrent.futures import ThreadPoolExecutor

    html = SMALL_HTML
    with ThreadPoolExecutor(max_workers=4) as pool:
        pdfs = list(pool.map(lambda _: html_to_pdf(html, "en", "t"), range(4)))
    assert all(p.startswith(b"%PDF") for p in pdfs)
    assert all("Powys" in PdfReader(io.BytesIO(p)).pages[0].extract_text() for p in pdfs)
