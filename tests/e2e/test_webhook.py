"""The real bot process in webhook mode, fed by the stand-in's webhook delivery: the journey,
forged deliveries refused, SIGTERM draining, and kill -9 mid-survey with everyone finishing."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from standin import StandIn
from storage.opening import open_database
from tests.support.bot_process import (
    WEBHOOK_SECRET,
    BotProcess,
    answer_everything,
    seed_roster,
)
from tests.support.chat import QUESTIONS
from tests.support.stored import stored_answers
from tests.support.survey_runner import begin, finish_survey, typed


@pytest.fixture
async def worker(api: StandIn, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(
        api=api, db_path=tmp_path / "datatool.sqlite3", workdir=tmp_path, webhook=True
    )
    yield process
    await process.kill()


@pytest.fixture
async def any_worker(api: StandIn, tmp_path: Path, database_url: str) -> AsyncIterator[BotProcess]:
    """A webhook worker on SQLite, and (a second run of the test) on PostgreSQL."""
    process = BotProcess(api=api, db_path=database_url, workdir=tmp_path, webhook=True)
    yield process
    await process.kill()


async def _health(worker: BotProcess) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{worker.listen_port}/healthz") as response,
    ):
        return response.status


async def _submitted(db_path: Path | str) -> dict[str, int]:
    async with await open_database(db_path) as db:
        rows = await db.fetchall(
            "SELECT i.email, COUNT(a.question_id) FROM responses r"
            " JOIN invitees i ON i.id = r.invitee_id LEFT JOIN answers a ON a.response_id = r.id"
            " WHERE r.submitted_at IS NOT NULL GROUP BY i.email"
        )
    return {r[0]: r[1] for r in rows}


async def test_the_journey_over_a_webhook(api: StandIn, any_worker: BotProcess) -> None:
    worker = any_worker
    tokens = await seed_roster(worker.db_path, [("powys", "officer", "Ann Jones", None, None)])
    await worker.start()
    [hook] = api.calls_to("setWebhook")
    assert hook.params["url"] == worker.own_url
    assert hook.params["secret_token"] == WEBHOOK_SECRET
    allowed = hook.params["allowed_updates"]
    allowed = json.loads(allowed) if isinstance(allowed, str) else allowed
    assert {"message", "callback_query"} <= set(allowed)
    assert await _health(worker) == 200

    phone = api.phone(1001, "Ann")
    await phone.send(f"/start {tokens['ann.jones@powys.example']}")
    await phone.wait_for("Dewiswch eich iaith")
    await phone.tap("English")
    await phone.wait_for("Your privacy")
    await phone.tap("Continue")
    asked = await answer_everything(phone, "en")
    await phone.tap("Submit")
    await phone.wait_for("Thank you")
    await phone.wait_quiet()
    assert await _submitted(worker.db_path) == {"ann.jones@powys.example": asked}
    assert api.calls_to("getUpdates") == [], "a webhook worker never polls"
    assert api.webhook.attempts and all(code == 200 for _, code in api.webhook.attempts)
    assert await worker.stop() == 0
    assert api.state.webhook_url == worker.own_url, "stopping one worker keeps the webhook"


async def test_forged_deliveries_are_refused_and_not_handled(
    api: StandIn, worker: BotProcess
) -> None:
    tokens = await seed_roster(worker.db_path, [("powys", "officer", "Ann Jones", None, None)])
    await worker.start()
    forged = {
        "update_id": 42,
        "message": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": 666, "type": "private", "first_name": "Mallory"},
            "from": {"id": 666, "is_bot": False, "first_name": "Mallory"},
            "text": f"/start {tokens['ann.jones@powys.example']}",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as http:
        for headers in (
            {},
            {"X-Telegram-Bot-Api-Secret-Token": "guessed"},
            {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET[:-1]},
        ):
            async with http.post(worker.own_url, json=forged, headers=headers) as response:
                assert response.status == 401
    async with await open_database(worker.db_path) as db:
        assert await db.fetchone("SELECT 1 FROM handled_updates WHERE update_id = 42") is None
        assert await db.fetchone("SELECT 1 FROM invitees WHERE telegram_id = 666") is None
    assert not [c for c in api.calls_to("sendMessage") if str(c.params.get("chat_id")) == "666"]
    # The real Telegram, with the secret, is still served.
    phone = api.phone(1001, "Ann")
    await phone.send(f"/start {tokens['ann.jones@powys.example']}")
    await phone.wait_for("Dewiswch eich iaith")


async def test_sigterm_finishes_the_updates_in_flight(api: StandIn, worker: BotProcess) -> None:
    tokens = await seed_roster(worker.db_path, [("powys", "officer", "Ann Jones", None, None)])
    await worker.start()
    api.faults.delay_ms = 1500  # every send takes a while: the update is in flight
    phone = api.phone(1001, "Ann")
    await phone.send(f"/start {tokens['ann.jones@powys.example']}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not api.calls_to("sendMessage") and loop.time() < deadline:
        await asyncio.sleep(0.02)
    assert worker.proc is not None
    worker.proc.terminate()
    async with asyncio.timeout(20):
        assert await worker.proc.wait() == 0
    assert "Dewiswch eich iaith" in (phone.last.text if phone.last else "")
    assert not api.state.has_undelivered(1001), "the update was acknowledged once handled"
    async with await open_database(worker.db_path) as db:
        row = await db.fetchone("SELECT finished_at FROM handled_updates")
    assert row is not None and row[0] is not None


async def test_kill_nine_of_a_webhook_worker_mid_survey_everyone_finishes(
    api: StandIn, worker: BotProcess
) -> None:
    people = 12
    codes = await seed_roster(
        worker.db_path,
        [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(people)],
    )
    await worker.start()
    rng = random.Random(15)
    # A tap made just before a kill can only be answered once a worker is back, and starting
    # one takes longer than Telegram's 15 s for a query on a busy machine: here the queries
    # live for a minute, so that the test is about losing nothing, not about the machine.
    api.state.callback_timeout = 60.0
    phones = [api.phone(7000 + n, f"Officer{n}") for n in range(people)]
    await asyncio.gather(
        *(begin(p, codes[f"officer.{n:03d}@powys.example"]) for n, p in enumerate(phones))
    )
    runs = [asyncio.create_task(finish_survey(p, rng.random)) for p in phones]
    for _ in range(2):
        await asyncio.sleep(rng.uniform(0.5, 1.5))
        await worker.kill()  # mid-survey: some updates are in flight, none acknowledged
        await asyncio.sleep(0.3)  # deliveries fail meanwhile and are retried
        await worker.start()
    async with asyncio.timeout(120):
        await asyncio.gather(*runs)
    stored = stored_answers(Path(worker.db_path))
    counted = await _submitted(Path(worker.db_path))
    assert len(counted) == people, "everyone finished"
    for n, phone in enumerate(phones):
        mine = stored[f"officer.{n:03d}@powys.example"]
        assert set(mine) == set(QUESTIONS), "every question answered, none twice"
        for qid, (_, text) in mine.items():
            if text is not None:
                assert text == typed(phone, qid), "a typed answer is stored for its question"
    assert any(not isinstance(code, int) for _, code in api.webhook.attempts), (
        "some delivery hit the dead worker and was retried"
    )
    assert "Traceback" not in worker.log()


async def test_healthz_is_503_while_the_database_is_unreachable(
    api: StandIn, tmp_path: Path, postgres_url: str
) -> None:
    worker = BotProcess(api=api, db_path=postgres_url, workdir=tmp_path, webhook=True)
    await worker.start()
    name = postgres_url.rsplit("/", 1)[-1]
    admin = await asyncpg.connect(postgres_url.rsplit("/", 1)[0] + "/postgres")
    try:
        assert await _health(worker) == 200
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        assert await _health(worker) == 503
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while await _health(worker) != 200:
            assert loop.time() < deadline, "healthz did not recover with the database"
            await asyncio.sleep(0.2)
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
        await worker.kill()
