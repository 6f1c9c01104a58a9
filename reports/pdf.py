"""The council report as an A4 PDF, from the very HTML document `reports.render.render_html`
makes, by WeasyPrint (fonts embedded and subset, no network).

The HTML keeps to what browsers and the W3C validator accept; the page rules only a paged-media
engine understands (page numbers in the margin, the contents list's page numbers, the running
title) are a second stylesheet given to WeasyPrint here, so neither output carries the other's
rules. Only WeasyPrint's public API is used: its own user-agent stylesheet stays as it is (a
leaner copy, given through its private ``_ua_stylesheets`` hook, saved about 9% of a large PDF:
not worth a hook an upgrade may rename or drop), and everything of ours is a user stylesheet.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from reports.render import render_html
from reports.results import CouncilDocument, Report
from reports.text import messages
from rubric.advice import Advice
from rubric.schema import Lang

PAGE_CSS = """
@page {{
  size: A4;
  margin: 16mm 15mm 18mm 15mm;
  @top-right {{ content: {title}; font-size: 8.5pt; color: #444; }}
  @bottom-center {{ content: {page} " " counter(page) " {of} " counter(pages);
                   font-size: 9pt; color: #333; }}
}}
@page :first {{ @top-right {{ content: none; }} @bottom-center {{ content: none; }} }}
"""

OVERRIDES = """
html {{ font-family: "DejaVu Sans", sans-serif; }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; }}
p.meta, .note, .evidence, footer, .reworded {{ font-size: 10.5pt; }}
h1 {{ font-size: 22pt; margin-top: 0; }}
h2 {{ font-size: 15pt; margin-top: 6mm; bookmark-level: 1; }}
h3 {{ font-size: 12pt; margin-top: 4mm; bookmark-level: 2; }}
h4 {{ font-size: 11pt; margin: 2.5mm 0 1mm; bookmark-level: none; }}
section.cover {{ break-after: page; }}
section.cover h1 {{ font-size: 26pt; margin-top: 40mm; }}
section.cover p.cover-council {{ font-size: 18pt; }}
section.cover p.cover-date {{ font-size: 13pt; }}
section.cover .cover-contact {{ display: block; margin-top: 55mm; }}
section.cover .cover-contact address {{ display: inline-block; width: 48%; vertical-align: top;
                                        font-size: 9.5pt; line-height: 1.45; }}
table {{ font-size: 9pt; border-collapse: separate; border-spacing: 0; }}
th, td {{ padding: 0.6mm 1.4mm; border: none; border-bottom: 0.2mm solid #b4b4b4; }}
thead th {{ border-bottom: 0.4mm solid #555; }}
.table-wrap {{ margin: 1mm 0 2mm; }}
table.rates th, table.rates td {{ padding: 0.6mm 0.7mm; }}
nav.contents a {{ color: inherit; text-decoration: none; }}
nav.contents a::after {{ content: leader(".") " " target-counter(attr(href url), page); }}
table.statements {{ table-layout: fixed; font-size: 9pt; line-height: 1.25; break-inside: auto; }}
table.statements tbody {{ break-inside: avoid; }}
table.statements th, table.statements td {{ padding: 0.35mm 1.2mm; border: none; }}
table.statements th:first-child {{ width: 27%; }}
table.statements td.bar, table.statements th.bar {{ width: 20%; }}
table.statements tr.statement th {{ padding-top: 0.8mm; border-top: 0.3mm solid #8a8a8a; }}
span.bar {{ height: 2.6mm; }}
td.bar {{ vertical-align: middle; }}
table.descriptors {{ font-size: 8pt; line-height: 1.25; break-inside: auto; }}
table.descriptors tr {{ break-inside: avoid; }}
table.descriptors th[scope="row"] {{ width: 17%; }}
table.descriptors td, table.descriptors th {{ font-size: 8pt; }}
table.descriptors thead th, table.descriptors th[scope="row"] {{ font-size: 9pt; }}
caption {{ font-size: 9.5pt; }}
figure.grid svg {{ width: 112mm; }}
figure.theme-chart svg {{ width: 110mm; }}
figure.theme-chart p.chart-label {{ font-size: 10.5pt; }}
section.maturity > h2, section.maturity > h2 + p {{ break-after: avoid; }}
figure.grid {{ break-inside: avoid; }}
ul.comments {{ border-left: 0.6mm solid #c8c8c8; }}
ul.comments li {{ margin: 0.6mm 0; padding: 0 1.5mm; border: none; font-size: 10.5pt;
                  line-height: 1.35; }}
"""
"""WeasyPrint takes these as a user stylesheet, which yields to the document's own rules; each
declaration is made !important (`_important`) so that the print layout wins over the screen one.
Tables are ruled between rows only, with separate borders: WeasyPrint's collapsed borders cost
about a tenth of the PDF's time in a large report. The annex's statement tables are ruled only
above each statement, and the comments share one rule down their list: WeasyPrint draws each
border of each box on its own, and per cell and per comment those were ≈2,400 borders, ≈8% of
the PDF's Python calls."""


def _important(css: str) -> str:
    return re.sub(r"(?<!important);", " !important;", css)


def _css_string(text: str) -> str:
    """A CSS string literal that cannot end early, whatever the text holds."""
    return (
        '"'
        + "".join(ch if ch.isalnum() or ch in " :,.-'" else f"\\{ord(ch):06x}" for ch in text)
        + '"'
    )


def _inherited_lang_dropped(html: str, lang: Lang) -> str:
    """The HTML less the `lang` of comments written in the document's own language: the same
    document (the attribute says what the element inherits anyway), but WeasyPrint shares one
    computed style between like siblings only when they carry no attributes it reads, and a
    `lang` is one. The comments in the other language keep theirs, and the HTML keeps all."""
    return html.replace(f'<li lang="{lang}">', "<li>")


@lru_cache(maxsize=1)
def _fonts() -> object:
    """One font configuration for the process: fontconfig is asked about the fonts once."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=4)
def _page_css(lang: Lang, title: str) -> object:
    from weasyprint import CSS

    t = messages()
    page = PAGE_CSS.format(
        title=_css_string(title),
        page=_css_string(t(lang, "pdf.page")),
        of=t(lang, "pdf.of").replace('"', ""),
    )
    overrides = _important(OVERRIDES.replace("{{", "{").replace("}}", "}"))
    return CSS(string=page + overrides, font_config=_fonts())


_ONE_AT_A_TIME = threading.Lock()
"""One PDF at a time in a process: WeasyPrint, with the one font configuration the process
shares (Pango, fontconfig, HarfBuzz underneath), is not safe in two threads at once. Two
auditors' reports made together in the bot's worker threads corrupted the heap
(``realloc(): invalid next size``, and the bot process died). A second PDF waits for the first."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while WeasyPrint works, and given back as it
    was (taken under `_ONE_AT_A_TIME`, so no other PDF is pausing it). A large report allocates
    about a million objects that live until it is written, and the collector walked them again
    and again as they grew: 7–15% of the benchmark's PDF. They are freed as before, by the next
    collection after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html: str, lang: Lang, title: str) -> bytes:
    """The PDF of a report's HTML (as `render_html` made it), tagged (WeasyPrint's public
    `pdf_tags`): a structure tree of the HTML's headings, lists, tables and figures (an SVG's
    `<title>` its alternative text), marked content, the document's language as the HTML's
    `lang` and its title shown in the window, so that a screen reader reads the PDF as it reads
    the HTML. It costs about a tenth more time and half again the bytes of an untagged PDF.
    Not the `pdf/ua-1` variant: that declares PDF/UA conformance, which nothing here checks."""
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with _ONE_AT_A_TIME, _collector_paused():
        from weasyprint import HTML

        document = HTML(string=_inherited_lang_dropped(html, lang), base_url=None)
        pdf = document.write_pdf(
            stylesheets=[_page_css(lang, title)], font_config=_fonts(), pdf_tags=True
        )
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(report: Report | CouncilDocument, lang: Lang, advice: Advice | None = None) -> bytes:
    """The full report as an A4 PDF."""
    base = report.report if isinstance(report, CouncilDocument) else report
    return html_to_pdf(render_html(report, lang, advice), lang, base.title)
