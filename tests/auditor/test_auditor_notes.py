"""The auditor's notes reach /report: the summary, the PDF and the HTML, in each language, and
/report COUNCIL final is refused while a paragraph is in one language only. The real
dispatcher in this process (tests.support.mocked_bot), on a real SQLite file."""

from __future__ import annotations

import io

from pypdf import PdfReader

from bot.services.report_notes import store_notes
from reports.notes import Notes, RecommendationNote, SectionNote
from standin import StoredMessage
from storage.opening import open_database
from tests.reports.test_document import powys_people
from tests.support.mocked_bot import AUDITOR_ID, InProcessBot, Telegram
from tests.support.report_rows import fill

WORDS = {
    "en": "Multiple responses say the findings should have been apparent to the Authority.",
    "cy": "Dywed sawl ymateb y dylai'r canfyddiadau fod wedi bod yn amlwg i'r Awdurdod.",
}


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


async def test_report_shows_the_auditors_words_and_final_refuses_one_language(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    async with await open_database(datatool.db_path) as db:
        await fill(db, powys_people())
    await datatool.start()
    repo = datatool.repo
    assert repo is not None
    powys = await repo.find_council("powys")
    assert powys is not None
    auditor = telegram.phone(AUDITOR_ID, "A")

    async def say(text: str) -> list[StoredMessage]:
        before = len(auditor.bot_messages)
        await auditor.send(text)
        return auditor.bot_messages[before:]

    await store_notes(
        repo,
        powys,
        Notes(sections={"vision": SectionNote(en=WORDS["en"], cy=WORDS["cy"])}),
    )
    for lang, mark in (("en", "Auditor's commentary"), ("cy", "Sylwadau'r archwilydd")):
        summary, pdf = await say(f"/report powys {lang}")
        assert WORDS[lang] in summary.text and mark in summary.text
        assert pdf.document is not None
        assert WORDS[lang] in _pdf_text(pdf.document.data)
        _, html = await say(f"/report powys {lang} html")
        assert html.document is not None
        assert WORDS[lang].replace("'", "&#39;") in html.document.data.decode()

    # A rewording in English only: the final version is refused, naming it.
    await store_notes(
        repo,
        powys,
        Notes(
            sections={"vision": SectionNote(en=WORDS["en"], cy=WORDS["cy"])},
            recommendations={"standards": RecommendationNote(action="reword", en="Set standards.")},
        ),
    )
    (refusal,) = await say("/report powys final en")
    assert "recommendation.standards" in refusal.text
    assert "one language only" in refusal.text and refusal.document is None

    await store_notes(
        repo,
        powys,
        Notes(sections={"close": SectionNote(en="We will return.", cy="Byddwn yn ôl.")}),
    )
    summary, html = await say("/report powys terfynol cy html")
    assert "Terfynol" in summary.text and "Byddwn yn ôl." in summary.text
    assert html.document is not None
    assert html.document.file_name.endswith("-final.html")
    assert "Terfynol: y fersiwn i&#39;w chyhoeddi" in html.document.data.decode()
