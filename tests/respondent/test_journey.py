"""A respondent's whole journey, through the real dispatcher in this process and Telegram's
rules as the stand-in plays them (tests/support/mocked_bot.py). The same journey through the
real ``datatool run`` process, over HTTP, is tests/e2e/test_journey.py."""

from __future__ import annotations

from tests.support.bot_process import answer_everything, seed_roster
from tests.support.chat import ENGLISH_SCREEN_WORDS
from tests.support.mocked_bot import InProcessBot, Telegram
from tests.support.stored import answers_of


async def test_whole_survey_in_english(telegram: Telegram, any_datatool: InProcessBot) -> None:
    """On SQLite and on PostgreSQL."""
    tokens = await seed_roster(
        any_datatool.db_path, [("powys", "officer", "Ann Jones", None, "CMT")]
    )
    await any_datatool.start()
    phone = telegram.phone(1001, "Ann")
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
    submitted, answers = await answers_of(any_datatool.db_path, "ann.jones@powys.example")
    assert submitted
    assert len(answers) == asked
    assert answers["v_resource"] == ("a", None)
    assert answers["v_barriers"] == (None, "We need better data sharing.")
    assert all("Dewiswch" not in m.text or m is choose for m in phone.bot_messages)
    menus = {c.params.get("language_code"): c.params for c in telegram.calls_to("setMyCommands")}
    assert set(menus) == {None, "cy"}
    assert "iaith" in str(menus["cy"]["commands"]) and "language" in str(menus[None]["commands"])


async def test_whole_survey_in_welsh_has_no_english(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    tokens = await seed_roster(datatool.db_path, [("powys", "member", "Ifan Rees", "cy", None)])
    await datatool.start()
    phone = telegram.phone(1002, "Ifan", language_code="cy")
    await phone.send(f"/start {tokens['ifan.rees@powys.example']}")
    await phone.wait_for("Dewiswch eich iaith")
    await phone.tap("Cymraeg")
    await phone.wait_for("Eich preifatrwydd")
    await phone.tap("Parhau")
    await answer_everything(phone, "cy", comment="Mae angen rhannu data yn well.")
    await phone.tap("Cyflwyno")
    await phone.wait_for("Diolch")
    for message in phone.bot_messages[1:]:
        words = message.text + " " + " ".join(message.button_texts)
        assert not any(w in words for w in ENGLISH_SCREEN_WORDS), words
    submitted, _ = await answers_of(datatool.db_path, "ifan.rees@powys.example")
    assert submitted
