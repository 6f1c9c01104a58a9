"""The reports' HTML as a browser shows it, checked by axe-core: the council report (Powys, as the
demo makes it) and the national report, in both languages, open in headless Chromium at 1280 and
375 px wide (and each in Welsh with a change since the previous round, at 375 px); axe-core's
WCAG 2.0/2.1 A and AA rules and its best-practice rules (heading-order among them) must find
nothing.

The browser is Debian's Chromium (`/usr/bin/chromium`, package ``chromium``), driven by Playwright
(never `playwright install`: no browser is downloaded); axe-core is the `axe.min.js` that
axe-playwright-python ships. Playwright starts Chromium headless with a fresh profile
(`--user-data-dir` in a new temporary folder) and the flags below keep it off the network.
Without Chromium the tests skip, unless CI is set (as in `.ci/run`, which installs it): there
they fail, so that CI never passes without having looked.

The PDF's own accessibility (tagged, its language, its title) is read from the PDF in
tests/reports/test_document.py.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from reports.document import build_document
from reports.national_render import render_national_html
from reports.render import render_html
from rubric.schema import Lang
from tests.reports.test_claims import ADVICE
from tests.reports.test_document import html_for
from tests.reports.test_national import national
from tests.reports.test_rounds import national_with_change, two_rounds, wales_two_rounds
from tests.support.reports import small_advice

CHROMIUM_FLAGS = [
    "--no-sandbox",  # root in CI and in the sessions
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""With these, Chromium makes no connection of its own (the machine's network refuses them)."""

WIDTHS = (1280, 375)
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
"""axe-core's rules by tag: WCAG 2.0 and 2.1 at levels A and AA, and its best practices."""


def _council_change(lang: Lang, _folder: Path) -> str:
    _, current, change = two_rounds()[lang]
    return render_html(build_document(current, ADVICE, change), lang)


def _national(lang: Lang, folder: Path) -> str:
    return render_national_html(asyncio.run(national(folder, lang, rubric=small_advice())), lang)


def _national_change(lang: Lang, _folder: Path) -> str:
    councils, rounds = wales_two_rounds()
    return render_national_html(national_with_change(councils, rounds, lang)[1], lang)


DOCUMENTS: dict[str, Callable[[Path], str]] = {
    "council-en": lambda _: html_for("en"),
    "council-cy": lambda _: html_for("cy"),
    "national-en": lambda folder: _national("en", folder),
    "national-cy": lambda folder: _national("cy", folder),
    # The parts that only a second round shows (what changed, what is new, no longer asked).
    "council-change-cy": lambda folder: _council_change("cy", folder),
    "national-change-cy": lambda folder: _national_change("cy", folder),
}


def _chromium() -> str | None:
    return shutil.which("chromium") or next(
        (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    if executable is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI", "") not in ("", "0", "false"):
            pytest.fail(f"CI is set, but {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """Each document's HTML, made once in this module (by the first test that opens it), in a
    thread of its own: the reports are built over a real database with `asyncio.run`, which
    cannot run inside Playwright's synchronous API (an event loop of its own in this thread)."""
    made: dict[str, str] = {}

    def html(name: str) -> str:
        if name not in made:
            with ThreadPoolExecutor(1) as pool:
                made[name] = pool.submit(DOCUMENTS[name], tmp_path_factory.mktemp(name)).result()
        return made[name]

    return html


def violations(page: Page) -> list[str]:
    """axe-core's violations on the page, one line per element: rule, impact, target, help."""
    results: dict[str, Any] = (
        Axe()
        .run(page, options={"runOnly": {"type": "tag", "values": RULES}, "resultTypes": []})
        .response
    )
    assert results["testEngine"]["name"] == "axe-core"
    return [
        f"{v['id']} ({v['impact']}) at {' '.join(map(str, node['target']))}: {v['help']}"
        for v in results["violations"]
        for node in v["nodes"]
    ]


def _open(browser: Browser, html: str, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_content(html, wait_until="load")
    return page


CASES = [
    pytest.param(name, width, id=f"{name}-{width}")
    for name in DOCUMENTS
    for width in (WIDTHS if "change" not in name else (375,))
]
"""Every document at both widths; the second round's only on a phone (its parts are the first
round's parts and a few more, each check of a large document costs a second or two, and the
narrow screen is where a table overflows)."""


@pytest.mark.parametrize(("name", "width"), CASES)
def test_axe_finds_nothing(
    browser: Browser, documents: Callable[[str], str], name: str, width: int
) -> None:
    page = _open(browser, documents(name), width)
    try:
        assert page.evaluate("document.documentElement.lang") == name.rsplit("-", 1)[1]
        found = violations(page)
    finally:
        page.close()
    assert not found, f"{name} at {width} px:\n" + "\n".join(found)


def test_axe_finds_what_it_should(browser: Browser) -> None:
    """The checks have teeth: a page with a heading out of order, an image without a text, and
    a scrolling table that the keyboard cannot reach, at 375 px, fails each by its rule."""
    rows = "".join(f"<tr>{'<td>1234567890</td>' * 12}</tr>" for _ in range(3))
    html = (
        "<!doctype html><html lang='en'><head><title>t</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
        "<body><main><h1>Report</h1><h2>Part</h2><h4>Detail</h4><img src='data:,'>"
        f"<div style='overflow-x:auto'><table>{rows}</table></div></main></body></html>"
    )
    page = _open(browser, html, 375)
    try:
        rules = {line.split(" ", 1)[0] for line in violations(page)}
    finally:
        page.close()
    assert {"heading-order", "image-alt", "scrollable-region-focusable"} <= rules, rules
