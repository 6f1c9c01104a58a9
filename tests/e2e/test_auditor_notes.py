"""The auditor's notes reach /report: the summary, the PDF and the HTML, in each language, and
/report COUNCIL final is refused while a paragraph is in one language only. The real
dispatcher fed in process (`feed_update`) against the Bot API stand-in, on a real SQLite file."""

from __future__ import annotations

import io
from pathlib import Path

from aiogram.types import Update
from pypdf import PdfReader

from bot.app import build_dispatcher, create_bot
from bot.config import Settings
from bot.services.report_notes import store_notes
from reports.notes import Notes, RecommendationNote, SectionNote
from standin import StandIn, StoredMessage
from storage.opening import open_database
from storage.repository import Repository
from tests.reports.test_document import powys_people
from tests.support.bot_process import AUDITOR_ID, TOKEN
from tests.support.report_rows import fill

WORDS = {
    "en": "Multiple responses say the findings should have been apparent to the Authority.",
    "cy": "Dywed sawl ymateb y dylai'r canfyddiadau fod wedi bod yn amlwg i'r Awdurdod.",
}


def _update(uid: int, text: str, update_id: int) -> Update:
    command = text.split()[0]
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": uid, "type": "private"},
                "from": {"id": uid, "is_bot": False, "first_name": "A"},
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
            },
        }
    )


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


async def test_report_shows_the_auditors_words_and_final_refuses_one_language(
    api: StandIn, tmp_path: Path
) -> None:
    db_path = tmp_path / "datatool.sqlite3"
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        telegram_api_url=api.base_url,
        datatool_db=db_path,
        auditor_ids=frozenset({AUDITOR_ID}),
    )
    api.state.user(AUDITOR_ID, first_name="A").known = True
    async with await open_database(db_path) as db:
        await fill(db, powys_people())
        repo = Repository(db)
        powys = await repo.find_council("powys")
        assert powys is not None
        dp = build_dispatcher(settings, repo)
        bot = create_bot(settings)
        serial = iter(range(1, 100))

        async def say(text: str) -> list[StoredMessage]:
            before = len(api.chat(AUDITOR_ID))
            await dp.feed_update(bot, _update(AUDITOR_ID, text, next(serial)))
            return api.chat(AUDITOR_ID)[before:]

        try:
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
                    recommendations={
                        "standards": RecommendationNote(action="reword", en="Set standards.")
                    },
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
        finally:
            await bot.session.close()
