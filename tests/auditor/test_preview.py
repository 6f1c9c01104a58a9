"""``/preview``: an auditor answers a draft questionnaire in their own chat, through the real
dispatcher in this process, with nothing stored; everyone else gets the gate's one refusal.
On SQLite and on PostgreSQL (the versions are read from the database)."""

from __future__ import annotations

from rubric.loader import load_questionnaire
from rubric.schema import Audience, Questionnaire, Text
from tests.support.bot_process import answer_everything, seed_roster
from tests.support.mocked_bot import AUDITOR_ID, InProcessBot, Telegram

REWORDED = "Your council has a clear vision for its data (preview wording)."


def _draft() -> Questionnaire:
    """The seed with a third audience, the CMT, asked only one statement, and one reworded."""
    raw = load_questionnaire().model_dump(mode="json")
    raw["version"] = "2027.1"
    raw["audiences"].append(
        Audience(
            id="cmt", label=Text(en="Corporate management team", cy="Tîm rheoli corfforaethol")
        ).model_dump()
    )
    for q in raw["questions"]:
        if q["id"] == "v_vision":
            q["text"]["en"] = REWORDED
        if q["id"] == "v_resource":
            q["audience"] = ["officer", "member", "cmt"]
        if q["kind"] == "text" and q["theme"] == "vision":
            q["audience"] = ["officer", "member", "cmt"]
    return Questionnaire.model_validate(raw)


async def _count(bot: InProcessBot, table: str) -> int:
    assert bot.db is not None
    row = await bot.db.fetchone(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def test_an_auditor_previews_a_draft_and_nothing_is_kept(
    telegram: Telegram, any_datatool: InProcessBot
) -> None:
    await seed_roster(any_datatool.db_path, [("powys", "officer", "Ann Jones", None, None)])
    await any_datatool.start()
    assert any_datatool.repo is not None
    draft = await any_datatool.repo.add_questionnaire_version(_draft(), draft=True)

    auditor = telegram.phone(AUDITOR_ID, "Aud")
    await auditor.send("/preview")  # the newest draft, as its first audience (officers)
    await auditor.wait_for("Rhagolwg")
    banner = auditor.bot_messages[-2]
    assert f"fersiwn {draft} o'r holiadur (2027.1, drafft)" in banner.text
    assert f"version {draft} (2027.1, a draft), as Officers are asked it" in banner.text
    assert "/preview stop" in banner.text and "/rhagolwg stopio" in banner.text
    await auditor.tap("English")
    privacy = await auditor.wait_for("Your privacy")
    assert privacy.text.startswith("Rhagolwg: ni chedwir dim · Preview: nothing is kept")
    await auditor.tap("Continue")
    first = await auditor.wait_for("Question 1")
    assert REWORDED in first.text
    await auditor.send("/preview stop")
    await auditor.wait_for("The preview has ended")

    # As the CMT: only what the draft asks them, to the end.
    await auditor.send(f"/preview {draft} cmt")
    await auditor.wait_for("Tîm rheoli corfforaethol")
    await auditor.tap("English")
    await auditor.wait_for("Your privacy")
    await auditor.tap("Continue")
    asked = await answer_everything(auditor, "en")
    assert asked == 2
    await auditor.tap("Submit")
    await auditor.wait_for("End of the preview")
    assert "Thank you" not in auditor.bot_messages[-1].text

    for table in ("responses", "answers", "releases"):
        assert await _count(any_datatool, table) == 0, table
    # After the preview, a typed text is no answer to anything.
    await auditor.send("/preview stop")
    await auditor.wait_for("There is no preview running")


async def test_preview_names_what_it_cannot_show(
    telegram: Telegram, any_datatool: InProcessBot
) -> None:
    await any_datatool.start()
    assert any_datatool.repo is not None
    auditor = telegram.phone(AUDITOR_ID, "Aud")
    await auditor.send("/rhagolwg")
    said = await auditor.wait_for("Nid oes holiadur drafft")
    assert "There is no draft questionnaire to preview" in said.text
    number = await any_datatool.repo.add_questionnaire_version(_draft(), draft=True)
    await auditor.send(f"/preview {number + 1}")
    await auditor.wait_for(f"There is no questionnaire version {number + 1}")
    await auditor.send(f"/preview {number} cabinet")
    said = await auditor.wait_for("has no tool for the group")
    assert "Its audiences are officer, member, cmt." in said.text


async def test_anyone_else_gets_the_one_refusal(
    telegram: Telegram, any_datatool: InProcessBot
) -> None:
    tokens = await seed_roster(
        any_datatool.db_path, [("powys", "officer", "Ann Jones", "en", None)]
    )
    await any_datatool.start()
    assert any_datatool.repo is not None
    await any_datatool.repo.add_questionnaire_version(_draft(), draft=True)
    respondent = telegram.phone(4242, "Ann")
    await respondent.send(f"/start {tokens['ann.jones@powys.example']}")
    await respondent.wait_for("Dewiswch")
    for command in ("/preview", "/rhagolwg 1 cmt"):
        mark = len(respondent.bot_messages)
        await respondent.send(command)
        said = await respondent.wait_for("not available to you")
        assert len(respondent.bot_messages) == mark + 1 and "Rhagolwg" not in said.text
    stranger = telegram.phone(4343, "Stranger")
    await stranger.send("/preview")
    await stranger.wait_for("not available to you")


async def test_the_whole_officers_journey_fits_telegrams_limits(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    """Every question of the longest tool, and its review, under the banner (the ``telegram``
    fixture refuses any message Telegram would); a typed answer goes to the preview too."""
    await datatool.start()
    assert datatool.repo is not None
    number = await datatool.repo.add_questionnaire_version(_draft(), draft=True)
    auditor = telegram.phone(AUDITOR_ID, "Aud", language_code="en")
    await auditor.send(f"/rhagolwg {number} officer")
    await auditor.wait_for("Dewiswch eich iaith")
    await auditor.tap("Cymraeg")
    await auditor.wait_for("Eich preifatrwydd")
    await auditor.tap("Parhau")
    comment = "Mae angen rhannu data yn well, a " + "llawer mwy o hyfforddiant. " * 30
    asked = await answer_everything(auditor, "cy", comment=comment)
    assert asked == len(_draft().questions_for("officer"))
    review = auditor.last
    assert review is not None and review.text.startswith("Rhagolwg: ni chedwir dim")
    await auditor.tap("Cyflwyno")
    await auditor.wait_for("Diwedd y rhagolwg")
    assert await _count(datatool, "answers") == 0
