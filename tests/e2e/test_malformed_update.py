"""An update the bot cannot read (aiogram cannot parse it) is skipped by the polling of the real
``datatool run``, which carries on with the next one, and its content never reaches the log."""

from __future__ import annotations

from standin import StandIn
from tests.support.bot_process import BotProcess


async def test_a_malformed_update_is_skipped_and_its_content_never_logged(
    api: StandIn, bot_process: BotProcess
) -> None:
    await bot_process.start()
    secret = "Gwenllian-SECRET-ANSWER-42"
    # A message whose chat is not a chat: aiogram cannot parse the batch it arrives in.
    api.state.push_update(
        {
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": secret,
                "text": secret,
                "from": {"id": 7400, "is_bot": False, "first_name": secret},
            }
        }
    )
    phone = api.phone(7401, "Next")
    await phone.send("/help")
    await phone.wait_for(lambda m: bool(m.text))  # polling moved past the bad update
    await bot_process.stop()
    log = bot_process.log()
    assert "could not be read; skipped" in log
    assert secret not in log and "Gwenllian" not in log
    assert "is handled" not in log  # aiogram.event is above INFO
