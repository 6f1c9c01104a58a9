"""The national report through the real dispatcher (in this process) and the real command line.

Submitted surveys are written straight into the bot's SQLite file (the respondent journey has
its own tests; here hundreds of taps would only slow the test down), then auditors ask the bot
for `/report wales`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import load_texts
from bot.cli.main import main
from reports.survey_dates import long_date
from rubric.loader import load_questionnaire
from rubric.schema import Lang
from standin import Phone, StoredMessage
from storage.opening import open_database
from storage.repository import Repository
from tests.support.auditors import speaks_english
from tests.support.bot_process import datatool_command
from tests.support.mocked_bot import AUDITOR_ID, TOKEN, InProcessBot, Telegram
from tests.support.reports import add_people

CARDIFF_AUDITOR = 7103
STRANGER = 7104
AGREE = ("sa", "a", "n", "d", "a", "dk", "sd")


def answers(shift: int) -> Callable[[int], dict[str, tuple[str | None, str | None]]]:
    """Every question of the real questionnaire answered, varied by person."""
    questionnaire = load_questionnaire()

    def of(i: int) -> dict[str, tuple[str | None, str | None]]:
        out: dict[str, tuple[str | None, str | None]] = {}
        for n, q in enumerate(questionnaire.questions):
            j = i + shift + n
            if q.kind == "agree":
                out[q.id] = (AGREE[j % len(AGREE)], None)
            elif q.kind == "level":
                out[q.id] = (str(j % 3 % 2 + 1), None)
            else:
                out[q.id] = (None, f"Comment {j}")
        return out

    return of


async def seed(db_path: Path) -> None:
    async with await open_database(db_path) as db:
        await add_people(
            db, "powys", "officer", invited=9, submitted=6, team="CMT", answers=answers(0)
        )
        await add_people(db, "powys", "member", invited=12, submitted=6, answers=answers(3))
        await add_people(db, "cardiff", "officer", invited=10, submitted=7, answers=answers(1))
        await add_people(db, "gwynedd", "member", invited=8, submitted=3, answers=answers(2))
        await add_people(db, "ceredigion", "officer", invited=4, submitted=0)
        repo = Repository(db)
        cardiff = await repo.find_council("cardiff")
        assert cardiff is not None
        assert await repo.add_auditor(CARDIFF_AUDITOR, cardiff.id)
        # Survey windows, still open today: the fieldwork runs from Gwynedd's opening to
        # Cardiff's closing.
        for slug, opens, closes in WINDOWS:
            found = await repo.find_council(slug)
            assert found is not None
            await repo.set_window(found.id, TODAY + timedelta(closes), TODAY + timedelta(opens))


TODAY = datetime.now(ZoneInfo("Europe/London")).date()  # the survey's time zone
WINDOWS = (("powys", -10, 20), ("cardiff", -5, 30), ("gwynedd", -12, 10), ("ceredigion", -3, 9))


def fieldwork_words(lang: Lang) -> tuple[str, str]:
    """The fieldwork's first and last days as the report writes them."""
    return long_date(TODAY - timedelta(12), lang), long_date(TODAY + timedelta(30), lang)


async def ask(api: Telegram, phone: Phone, command: str, expect: int = 1) -> list[StoredMessage]:
    """Everything the bot said in reply (all said when the send returns): ``expect`` messages."""
    mark = api.state.seq
    await phone.send(command)
    said = [m for m in phone.bot_messages if m.seq > mark]
    assert len(said) == expect, (command, [m.shown[:80] for m in said])
    return said


def document_html(replies: list[StoredMessage]) -> tuple[str, str]:
    [doc] = [m.document for m in replies if m.document is not None]
    return doc.file_name, doc.data.decode()


async def test_national_report_through_the_bot(telegram: Telegram, datatool: InProcessBot) -> None:
    api = telegram
    await seed(datatool.sqlite_path)
    await datatool.start()
    texts = load_texts()

    auditor = await speaks_english(api.phone(AUDITOR_ID, "Auditor", language_code="en"))
    # The PDF by default (issue 10); the HTML, whose contents are checked here, with `html`.
    replies = await ask(api, auditor, "/report wales", expect=2)
    [pdf] = [m.document for m in replies if m.document is not None]
    assert pdf.file_name.endswith(".pdf") and pdf.data.startswith(b"%PDF-")
    replies = await ask(api, auditor, "/report wales html", expect=2)
    assert "the national picture" in replies[0].shown
    assert "22 of the 43 people invited there have responded (51%)" in replies[0].shown
    name, html = document_html(replies)
    assert name.startswith("datatool-wales-") and name.endswith(".html")
    assert 'lang="en"' in html and "<svg" in html and "<script" not in html.lower()
    # The 18 councils with no roster are named once, in one sentence, not as empty rows.
    assert "Not taking part" not in html and "18 councils are not taking part" in html
    assert html.count("Wrexham County Borough Council") == 1
    # It leads with the key messages, then how it was made: councils, tool, fieldwork.
    assert html.index('id="key-messages"') < html.index('id="method"') < html.index('id="rates"')
    method = html[html.index('id="method"') :].split("</section>")[0]
    start, end = fieldwork_words("en")
    assert f"Fieldwork runs from {start} to {end}" in method
    assert "4 of the 22 councils in Wales, where 43 officers and elected members" in method
    assert 'id="theme-shares"' in html and "Don&#39;t know" in html.split('id="theme-shares"')[1]
    for council in ("Powys County Council", "Cardiff Council", "Gwynedd Council"):
        assert council in html
    assert "Gwynedd Council" in html.split("No figures are shown for")[1]  # 3 respondents
    # The recommendations and good practice of the council reports' own rules (rubric/).
    assert 'id="recommendations"' in html and "Good practice examples for councils" in html
    assert "Camden" in html and "reports." in html.split('id="good-practice"')[1]

    # The report's language is the auditor's unless asked for, whatever the command is called.
    replies = await ask(api, auditor, "/adroddiad cymru html", expect=2)
    assert "the national picture" in replies[0].shown
    for command in (
        "/adroddiad cymru cy html",
        "/report Cymru html cy",
        "/adroddiad wales cy html",
    ):
        replies = await ask(api, auditor, command, expect=2)
        assert "darlun cenedlaethol" in replies[0].shown, command
        _, welsh = document_html(replies)
        assert 'lang="cy"' in welsh and "Nid yw 18 cyngor yn cymryd rhan" in welsh
        assert "Cymru gyfan" in welsh and "Cynhelir y gwaith maes o {} tan {}".format(
            *fieldwork_words("cy")
        ) in welsh.replace("&#39;", "'")

    # A council's report gives its own survey window in its method, in either language.
    cases: tuple[tuple[str, Lang, str], ...] = (
        ("/report powys html", "en", "The survey opened on {} and closes at the end of {}."),
        ("/adroddiad powys cy html", "cy", "Agorodd yr arolwg ar {}, a bydd yn cau ar ddiwedd {}."),
    )
    for command, lang, words in cases:
        _, council_html = document_html(await ask(api, auditor, command, expect=2))
        method = council_html[council_html.index('<section id="method">') :]
        opened, closes = (
            long_date(TODAY - timedelta(10), lang),
            long_date(TODAY + timedelta(20), lang),
        )
        assert words.format(opened, closes) in method.split("</section>")[0], command

    [status] = await ask(api, auditor, "/status wales")
    assert "Powys" in status.shown and "Cardiff" in status.shown
    [remind] = await ask(api, auditor, "/remind wales")
    assert "names every council" in remind.shown

    # An auditor of Cardiff is answered as for a council that does not exist; others are refused.
    cardiff = await speaks_english(api.phone(CARDIFF_AUDITOR, "Cardiff", language_code="en"))
    for command, query in (("/report wales", "wales"), ("/adroddiad cymru", "cymru")):
        [reply] = await ask(api, cardiff, command)
        [unknown] = await ask(api, cardiff, "/report atlantis")
        assert reply.shown == texts("en", "auditor.unknown_council", query=query)
        assert unknown.shown == texts("en", "auditor.unknown_council", query="atlantis")
    [reply] = await ask(api, cardiff, "/status wales")
    assert reply.shown == texts("en", "auditor.unknown_council", query="wales")
    assert not cardiff.documents
    stranger = api.phone(STRANGER, "Stranger", language_code="en")
    [reply] = await ask(api, stranger, "/report wales")
    # A stranger's language is not known: the refusal comes in both, Welsh first.
    assert reply.shown == texts.both("auditor.denied") and not stranger.documents


def test_national_report_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once as its own process, as the operator runs it; the other cases in this process
    (aiogram's import alone takes seconds on a busy machine)."""
    db = tmp_path / "datatool.sqlite3"
    asyncio.run(seed(db))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATATOOL_"))}
    env.update(DATATOOL_DB=str(db), BOT_TOKEN=TOKEN)
    done = subprocess.run(
        [*datatool_command(), "report", "wales", "--lang", "cy", "--out", "cymru.html"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    welsh = (tmp_path / "cymru.html").read_text(encoding="utf-8")
    assert 'lang="cy"' in welsh and "Cyngor Sir Powys" in welsh and "<svg" in welsh
    assert "Ddim yn cymryd rhan" not in welsh and "Nid yw 18 cyngor yn cymryd rhan" in welsh

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATATOOL_DB", str(db))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert main(["report", "Cymru", "--out", "wales.html"]) == 0
    english = (tmp_path / "wales.html").read_text(encoding="utf-8")
    assert 'lang="en"' in english and "Powys County Council" in english
    capsys.readouterr()
    # Without --out, the A4 PDF (issue 10).
    assert main(["report", "wales"]) == 0
    [default] = list(tmp_path.glob("datatool-wales-*.pdf"))
    assert default.read_bytes().startswith(b"%PDF-")
    # `wales` wherever a council is named: every council, or a clear refusal.
    assert main(["status", "wales"]) == 0
    out = capsys.readouterr().out
    assert "Powys County Council" in out and "Cardiff Council" in out and "Conwy" not in out
    assert main(["auditors", "add", "4242", "--council", "cymru"]) == 0
    assert "4242 for all councils" in capsys.readouterr().out
    assert main(["export", "wales", "--out", "x.csv"]) == 1
    assert "names every council" in capsys.readouterr().err
