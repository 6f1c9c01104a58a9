"""The bot's log never holds what people said or who they are: no answers, comments, names,
emails, Telegram names or invitation codes (the log may be shipped to places the survey's
personal data may not go)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from standin import StandIn
from tests.support.bot_process import TOKEN, BotProcess, answer_everything, seed_roster

COMMENT = "PURPLE-ELEPHANT-7731 our data is kept in spreadsheets"


@pytest.fixture
async def api() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, bot_username="datatool_bot") as server:
        yield server


async def test_the_log_holds_no_personal_data(api: StandIn, tmp_path: Path) -> None:
    process = BotProcess(api=api, db_path=tmp_path / "datatool.sqlite3", workdir=tmp_path)
    tokens = await seed_roster(
        process.db_path, [("powys", "officer", "Zebedee Quillfeather", "en", "CMT")]
    )
    code = tokens["zebedee.quillfeather@powys.example"]
    await process.start()
    try:
        phone = api.phone(
            4242, "Xanthippe", language_code="en", username="secret_handle", last_name="Obscura"
        )
        await phone.send(f"/start {code}")
        await phone.wait_for("Dewiswch eich iaith")
        await phone.tap("English")
        await phone.wait_for("Your privacy")
        await phone.tap("Continue")
        await answer_everything(phone, "en", comment=COMMENT)
        await phone.tap("Submit")
        await phone.wait_for("Thank you")
        await phone.send("a stray remark MAGENTA-GIRAFFE")
        await phone.send("/start someone-elses-code-QWERTY")
        await phone.wait_quiet()
    finally:
        await process.stop()
    log = process.log()
    assert "polling for updates" in log, "the log is empty: nothing was checked"
    for secret in (
        "PURPLE-ELEPHANT",
        "spreadsheets",
        "MAGENTA-GIRAFFE",
        "QWERTY",
        "Zebedee",
        "Quillfeather",
        "zebedee.quillfeather",
        "@powys.example",
        "Xanthippe",
        "Obscura",
        "secret_handle",
        code,
    ):
        assert secret.lower() not in log.lower(), f"{secret!r} is in the bot's log"
    # Nor any answer: the option labels a person chose.
    for label in ("Strongly agree", "Level 2", "'a'", "choice="):
        assert label not in log, label
