from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from standin import StandIn
from tests.support.bot_process import TOKEN, BotProcess


@pytest.fixture
async def api() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, bot_username="datatool_bot") as server:
        yield server
        assert server.violations == [], "the bot sent what Telegram would refuse"


@pytest.fixture
async def bot_process(api: StandIn, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(api=api, db_path=tmp_path / "datatool.sqlite3", workdir=tmp_path)
    yield process
    await process.kill()
