"""A respondent's whole journey through the real bot process and the strict stand-in."""

from __future__ import annotations

from pathlib import Path

from standin import StandIn
from storage.opening import open_database
from tests.support.bot_process import BotProcess, answer_everything, seed_roster


async def _stored(
    db_path: Path | str, email: str
) -> tuple[bool, dict[str, tuple[str | None, str | None]]]:
    async with await open_database(db_path) as db:
        rows = await db.fetchall(
            "SELECT a.question_id, a.choice, a.text, r.submitted_at FROM answers a"
            " JOIN responses r ON r.id = a.response_id JOIN invitees i ON i.id = r.invitee_id"
            " WHERE i.email = ?",
            (email,),
        )
    submitted = bool(rows) and all(r[3] is not None for r in rows)
    return submitted, {r[0]: (r[1], r[2]) for r in rows}


async def test_whole_survey_in_english(api: StandIn, any_bot_process: BotProcess) -> None:
    """On SQLite and on PostgreSQL."""
    bot_process = any_bot_process
    tokens = await seed_roster(
        bot_process.db_path, [("powys", "officer", "Ann Jones", None, "CMT")]
    )
    await bot_process.start()
    phone = api.phone(1001, "Ann")
    await phone.send(f"/start {tokens['ann.jones@powys.example']}")
    choose = await phone.wait_for("Dewiswch eich iaith")
    assert choose.button_texts == ["Cymraeg", "English"]
    await phone.tap("English")
    privacy = await phone.wait_for("Your privacy")
    assert "Powys County Council" in privacy.text
    await phone.tap("Continue")
    asked = await answer_everything(phone, "en")
    review = phone.last
    assert review is not None and "Submit" in review.button_texts
    await phone.tap("Submit")
    await phone.wait_for("Thank you")
    submitted, answers = await _stored(bot_process.db_path, "ann.jones@powys.example")
    assert submitted
    assert len(answers) == asked
    assert answers["v_resource"] == ("a", None)
    assert answers["v_barriers"] == (None, "We need better data sharing.")
    assert all("Dewiswch" not in m.text or m is choose for m in phone.bot_messages)
    menus = {c.params.get("language_code"): c.params for c in api.calls_to("setMyCommands")}
    assert set(menus) == {None, "cy"}
    assert "iaith" in str(menus["cy"]["commands"]) and "language" in str(menus[None]["commands"])
    assert await bot_process.stop() == 0


async def test_whole_survey_in_welsh_has_no_english(api: StandIn, bot_process: BotProcess) -> None:
    tokens = await seed_roster(bot_process.db_path, [("powys", "member", "Ifan Rees", "cy", None)])
    await bot_process.start()
    phone = api.phone(1002, "Ifan", language_code="cy")
    await phone.send(f"/start {tokens['ifan.rees@powys.example']}")
    await phone.wait_for("Dewiswch eich iaith")
    await phone.tap("Cymraeg")
    await phone.wait_for("Eich preifatrwydd")
    await phone.tap("Parhau")
    await answer_everything(phone, "cy", comment="Mae angen rhannu data yn well.")
    await phone.tap("Cyflwyno")
    await phone.wait_for("Diolch")
    english = (
        "Question",
        "Your answer",
        "Back",
        "Submit",
        "Thank you",
        "Continue",
        "Agree",
        "Skip",
    )
    for message in phone.bot_messages[1:]:
        words = message.text + " " + " ".join(message.button_texts)
        assert not any(w in words for w in english), words
    submitted, _ = await _stored(bot_process.db_path, "ifan.rees@powys.example")
    assert submitted
