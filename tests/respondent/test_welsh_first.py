"""Welsh first where the language is unknown (issue 12), through the real dispatcher in this
process.

An auditor whose language the bot does not know is answered in both languages, Welsh first,
unless their Telegram client says Welsh; their /help (/cymorth) lists the auditor commands, by
their Welsh names in Welsh. A person who floods the bot is told to slow down in their own
language. A tap from someone without an invitation gets a toast that fits, in both languages.
"""

from __future__ import annotations

from standin import Phone
from tests.support.bot_process import seed_roster
from tests.support.mocked_bot import AUDITOR_ID, InProcessBot, Telegram

ENGLISH_COMMANDS = ("/report", "/status", "/remind", "/help", "/language")


async def _reply(phone: Phone, text: str) -> str:
    before = max((m.message_id for m in phone.bot_messages), default=0)
    await phone.send(text)
    message = await phone.wait_for(lambda m: m.message_id > before)
    return "\n\n".join(m.text for m in phone.bot_messages if m.message_id >= message.message_id)


async def test_an_auditor_of_unknown_language_is_answered_in_both_welsh_first(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    await datatool.start()
    auditor = telegram.phone(AUDITOR_ID, "Auditor", language_code="en")

    shown = await _reply(auditor, "/help")
    assert "Gorchmynion archwilwyr" in shown and "Auditor commands" in shown
    assert shown.index("Gorchmynion archwilwyr") < shown.index("Auditor commands")
    welsh, english = shown.split("Auditor commands", 1)
    for command in ("/adroddiad CYNGOR [cy|en]", "/statws [CYNGOR]", "/atgoffa CYNGOR"):
        assert command in welsh
    for command in ("/report COUNCIL [en|cy]", "/status [COUNCIL]", "/remind COUNCIL"):
        assert command in english
    assert not [c for c in ENGLISH_COMMANDS if c + " " in welsh or c + ":" in welsh]
    assert "Atebwch bob cwestiwn" not in shown  # not the respondent's help

    usage = await _reply(auditor, "/report")
    assert usage.index("Defnydd: /adroddiad") < usage.index("Usage: /report")

    unknown = await _reply(auditor, "/status nowhere-at-all")
    assert unknown.index("Nid wyf yn adnabod") < unknown.index("I don't know")


async def test_an_auditor_whose_telegram_speaks_welsh_is_answered_in_welsh(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    await datatool.start()
    auditor = telegram.phone(AUDITOR_ID, "Archwilydd", language_code="cy")
    shown = await _reply(auditor, "/cymorth")
    assert "Gorchmynion archwilwyr" in shown and "Auditor commands" not in shown
    for command in ("/adroddiad CYNGOR [cy|en]", "/statws [CYNGOR]", "/atgoffa CYNGOR"):
        assert command in shown
    assert not [c for c in ENGLISH_COMMANDS if c in shown]
    usage = await _reply(auditor, "/atgoffa")
    assert usage.startswith("Defnydd: /atgoffa CYNGOR") and "Usage" not in usage


async def test_an_auditor_who_chose_english_is_answered_in_english(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    await datatool.start()
    auditor = telegram.phone(AUDITOR_ID, "Auditor", language_code="cy")
    await auditor.send("/language")
    await auditor.wait_for("Dewiswch eich iaith")
    await auditor.tap("English")
    await auditor.wait_quiet()
    shown = await _reply(auditor, "/help")
    assert "Auditor commands" in shown and "Gorchmynion" not in shown
    assert "/report COUNCIL [en|cy]" in shown


async def test_the_flood_notice_is_in_the_flooders_language(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    tokens = await seed_roster(
        datatool.db_path, [("powys", "officer", "Officer Flood", None, None)]
    )
    await datatool.start(flood_rate=0.5)
    phone = telegram.phone(9401, "Flood", language_code="cy")
    await phone.send(f"/start {tokens['officer.flood@powys.example']}")
    await phone.wait_for("Dewiswch eich iaith")
    await phone.tap("English")
    await phone.wait_for("Your privacy")
    for n in range(30):
        await phone.send(f"too fast {n}")
    notices = [m.text for m in phone.bot_messages if "quickly" in m.text or "gyflym" in m.text]
    assert notices and all("very quickly" in t and "gyflym" not in t for t in notices)

    message = next(m for m in reversed(phone.bot_messages) if m.buttons)
    taps = [await phone.tap(message.buttons[0][0][0], message) for _ in range(12)]
    toasts = [telegram.answered_tap(tap) for tap in taps]
    slowed = [t for t in toasts if t and ("quickly" in t or "gyflym" in t)]
    assert slowed and all("gyflym" not in t for t in slowed)


async def test_a_stranger_tapping_a_survey_button_gets_a_toast_that_fits_in_both(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    await datatool.start()
    stranger = telegram.phone(9402, "Stranger")
    await stranger.send("/start")
    await stranger.wait_for(lambda m: True)
    toast = telegram.answered_tap(await telegram.forge_tap(stranger, "n:resume:"))
    assert toast is not None and len(toast) <= 200
    assert toast.index("gwahoddiad") < toast.index("invitation")
    assert toast.rstrip().endswith((".", "!"))  # whole sentences, not cut at 200
