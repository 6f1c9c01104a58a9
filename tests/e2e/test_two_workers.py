"""Two webhook workers behind one URL (a round-robin balancer), sharing one PostgreSQL
database, with two dozen respondents answering at once and one worker killed with -9 half-way:
every response is counted exactly once, every typed answer sits on its own question, and the
two keep to Telegram's overall send rate together."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from standin import StandIn
from storage.opening import open_database
from tests.support.balancer import Balancer
from tests.support.bot_process import WEBHOOK_PATH, BotProcess, seed_roster
from tests.support.chat import QUESTIONS
from tests.support.survey_runner import begin, finish_survey, typed

PEOPLE = 20


async def _stored(url: str) -> tuple[dict[str, dict[str, tuple[str | None, str | None]]], int]:
    """email -> question -> (choice, text) of submitted responses; and how many responses."""
    async with await open_database(url) as db:
        rows = await db.fetchall(
            "SELECT i.email, a.question_id, a.choice, a.text FROM answers a"
            " JOIN responses r ON r.id = a.response_id JOIN invitees i ON i.id = r.invitee_id"
            " WHERE r.submitted_at IS NOT NULL"
        )
        responses = await db.fetchone("SELECT COUNT(*) FROM responses")
    found: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    for email, qid, choice, text in rows:
        found.setdefault(email, {})[qid] = (choice, text)
    assert responses is not None
    return found, responses[0]


async def _shared(worker: BotProcess, workers: int, timeout: float = 20.0) -> None:
    """Waits until the worker divides the send rate by `workers`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while f"{workers} worker(s) share the send rate" not in worker.log():
        assert loop.time() < deadline, f"{worker.name} never counted {workers} workers"
        await asyncio.sleep(0.2)


@pytest.mark.timeout(360)
async def test_two_workers_one_killed_every_response_counted_once(
    api: StandIn, tmp_path: Path, postgres_url: str
) -> None:
    # A tap made just before a kill can only be answered once a worker is back, and starting
    # one takes longer than Telegram's 15 s for a query on a busy machine: here the queries
    # live for a minute, so that the test is about losing nothing, not about the machine.
    api.state.callback_timeout = 60.0
    emails = [f"officer.{n:03d}@powys.example" for n in range(PEOPLE)]
    codes = await seed_roster(
        postgres_url, [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(PEOPLE)]
    )
    a = BotProcess(api=api, db_path=postgres_url, workdir=tmp_path, webhook=True, name="a")
    b = BotProcess(api=api, db_path=postgres_url, workdir=tmp_path, webhook=True, name="b")
    balancer = await Balancer(
        [f"http://127.0.0.1:{a.listen_port}", f"http://127.0.0.1:{b.listen_port}"]
    ).start()
    a.webhook_url = b.webhook_url = balancer.url(WEBHOOK_PATH)
    try:
        await a.start()
        await b.start()
        await asyncio.gather(_shared(a, 2), _shared(b, 2))

        rng = random.Random(1515)
        phones = [api.phone(8000 + n, f"Officer{n}") for n in range(PEOPLE)]
        await asyncio.gather(*(begin(p, codes[e]) for p, e in zip(phones, emails, strict=True)))
        runs = [asyncio.create_task(finish_survey(p, rng.random)) for p in phones]
        await asyncio.sleep(2.0)  # everyone mid-survey, both workers busy
        served_before = balancer.served[f"http://127.0.0.1:{a.listen_port}"]
        await a.kill()
        async with asyncio.timeout(240):
            await asyncio.gather(*runs)
        await asyncio.gather(*(p.wait_quiet(timeout=30) for p in phones))
    finally:
        await a.kill()
        await b.kill()
        await balancer.stop()

    stored, responses = await _stored(postgres_url)
    assert responses == PEOPLE, "one response each"
    assert sorted(stored) == sorted(emails), "everyone's response was submitted"
    for phone, email in zip(phones, emails, strict=True):
        mine = stored[email]
        assert set(mine) == set(QUESTIONS), (email, sorted(set(QUESTIONS) - set(mine)))
        for qid, (_, text) in mine.items():
            if text is not None:
                assert text == typed(phone, qid), "a typed answer counted for its own question"
    a_url, b_url = (f"http://127.0.0.1:{w.listen_port}" for w in (a, b))
    assert served_before > 0 and balancer.served[b_url] > 0, "both workers took updates"
    assert balancer.failed[a_url] > 0, "deliveries to the killed worker failed and went on"
    # Every send is paced by one bucket per worker, whose share follows the workers alive
    # (bot.telegram.session.SendPacer): the two together never ask more of Telegram than it allows.
    assert api.flood.answered_429 == 0, "the two kept to the overall rate together"
    for worker in (a, b):
        assert "Traceback" not in worker.log(), worker.log()[-3000:]
