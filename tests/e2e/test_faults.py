"""The real bot process under faults: kill -9 mid-answer, a flaky Bot API, a locked database,
and an online backup while people answer. (Repeated, reordered and doubled updates, which need
no process, are tests/respondent/test_redelivery.py.)"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

from standin import Phone, StandIn
from tests.support.bot_process import BotProcess, datatool_command, seed_roster
from tests.support.chat import (
    KINDS,
    OPTIONS,
    QUESTIONS,
    asked,
    begin,
    current_question,
    question_after,
    shows,
)
from tests.support.stored import stored_answers

# --- people ---------------------------------------------------------------------------------


def email(n: int) -> str:
    return f"officer.{n:03d}@powys.example"


async def seed_officers(db_path: Path, count: int) -> dict[int, str]:
    """``count`` English-speaking Powys officers; returns person number -> code."""
    tokens = await seed_roster(
        db_path, [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(count)]
    )
    return {n: tokens[email(n)] for n in range(count)}


def pick(rng: random.Random, person: int, qid: str) -> tuple[str | None, str | None]:
    """A (choice, text) answer for this question."""
    if KINDS[qid] == "text":
        return None, f"note {person} on {qid} #{rng.randrange(10_000)}"
    return rng.choice(OPTIONS[KINDS[qid]]), None


async def give(phone: Phone, qid: str, answer: tuple[str | None, str | None]) -> None:
    choice, text = answer
    if text is not None:
        await phone.send(text)
    else:
        message = current_question(phone)
        assert message is not None and asked(message) == qid
        await phone.tap(f"a:{qid}:{choice}", message)


@dataclass
class Attempt:
    qid: str
    answer: tuple[str | None, str | None]
    mark: int  # the stand-in's sequence number just before the tap or message


@dataclass
class Person:
    number: int
    phone: Phone
    attempts: list[Attempt] = field(default_factory=list)
    acknowledged: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


async def answer_some(api: StandIn, person: Person, rng: random.Random, count: int) -> None:
    """Answer up to ``count`` questions back to back, each after the previous was acknowledged."""
    for _ in range(count):
        message = current_question(person.phone)
        if message is None:
            return
        qid = asked(message)
        assert qid is not None
        answer = pick(rng, person.number, qid)
        person.attempts.append(Attempt(qid, answer, api.state.seq))
        await give(person.phone, qid, answer)
        nxt = question_after(qid)
        await person.phone.wait_for(partial(shows, qid=nxt), timeout=30)


def note_acknowledged(person: Person) -> None:
    """An attempt is acknowledged once the bot showed the question after it."""
    for attempt in person.attempts:
        nxt = question_after(attempt.qid)
        if any(m.seq > attempt.mark and shows(m, nxt) for m in person.phone.bot_messages):
            person.acknowledged[attempt.qid] = attempt.answer


def acknowledged_count(people: list[Person]) -> int:
    for person in people:
        note_acknowledged(person)
    return sum(len(p.acknowledged) for p in people)


async def until_acknowledged(
    people: list[Person], count: int, tasks: list[asyncio.Task[None]], timeout: float = 120
) -> None:
    """Waits until ``count`` answers among ``people`` were acknowledged (or every task ended:
    then all that they sent was). The timeout only catches a hung bot."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while acknowledged_count(people) < count and not all(t.done() for t in tasks):
        assert loop.time() < deadline, "the bot stopped acknowledging answers"
        await asyncio.sleep(0.01)


async def all_quiet(people: list[Person]) -> None:
    await asyncio.gather(*(p.phone.wait_quiet(quiet=0.3, timeout=30) for p in people))


# --- kill -9 ----------------------------------------------------------------------------------


MOMENTS = 20
PARTS = 4
"""The twenty kills are made in four runs of five, each on a bot and database of its own, so
that xdist hands them to both workers: the same twenty moments, killed and checked the same
way, in a quarter of the time on the longest worker."""


@pytest.mark.timeout(600)  # five restarts of the real process: minutes on a busy machine
@pytest.mark.parametrize("part", range(PARTS))
async def test_kill_nine_at_twenty_moments_loses_nothing_acknowledged(
    api: StandIn, bot_process: BotProcess, part: int
) -> None:
    # What this test proves is what is stored. A restart on a loaded machine can outlast
    # Telegram's window for answering a tap (about 15 s), and then Telegram refuses the late
    # answer as the stand-in does; that window is not what is under test here.
    api.state.callback_timeout = 600.0
    rng = random.Random(20261127 + part)
    codes = await seed_officers(bot_process.sqlite_path, 50)
    await bot_process.start()
    people = [Person(n, api.phone(5000 + n, f"Officer{n}")) for n in codes]
    await asyncio.gather(*(begin(p.phone, codes[p.number]) for p in people))

    floor = 0
    rounds = MOMENTS // PARTS
    for round_ in range(rounds):
        active = rng.sample(people, 30)
        # The kill lands after a set number of answers were acknowledged in this round, not
        # after a set time: with answers still in flight, on a fast machine or a loaded one.
        target = rng.randint(4, 12)
        floor += target
        before = acknowledged_count(active)
        tasks = [asyncio.create_task(answer_some(api, p, rng, rng.randint(1, 3))) for p in active]
        await until_acknowledged(active, before + target, tasks)
        await bot_process.kill()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await bot_process.start()
        await all_quiet(active)  # updates the dead process never took are handled now
        stored = stored_answers(bot_process.sqlite_path)
        for person in active:
            note_acknowledged(person)
            mine = stored.get(email(person.number), {})
            for qid, answer in person.acknowledged.items():
                assert mine.get(qid) == answer, (round_, person.number, qid)
            # Stored answers are a prefix of the questionnaire, each the value last sent.
            assert set(mine) == set(QUESTIONS[: len(mine)]), (round_, person.number, sorted(mine))
            for qid, answer in mine.items():
                last = [a.answer for a in person.attempts if a.qid == qid][-1]
                assert answer == last, (round_, person.number, qid)
        # Everyone continues from the right question after /start.
        for person in active:
            await person.phone.send("/start")
        for person in active:
            expected = QUESTIONS[len(stored.get(email(person.number), {}))]
            await person.phone.wait_for(partial(shows, qid=expected), timeout=15)

    total = sum(len(p.acknowledged) for p in people)
    assert total >= floor >= 4 * rounds, f"{total} answers acknowledged, {floor} before the kills"
    assert "Traceback" not in bot_process.log()


TEXT_QUESTIONS = [q for q in QUESTIONS if KINDS[q] == "text"]


async def answer_until(person: Person, rng: random.Random, stop: str) -> None:
    """Answer (each acknowledged before the next) up to question ``stop``, which is left."""
    while True:
        message = current_question(person.phone)
        assert message is not None
        qid = asked(message)
        assert qid is not None
        if qid == stop:
            return
        answer = pick(rng, person.number, qid)
        person.attempts.append(Attempt(qid, answer, 0))
        await give(person.phone, qid, answer)
        nxt = question_after(qid)
        await person.phone.wait_for(partial(shows, qid=nxt), timeout=30)


async def type_comment(
    api: StandIn,
    person: Person,
    rng: random.Random,
    qid: str,
    sent: list[Person],
    kill_after: int,
    enough: asyncio.Event,
) -> None:
    """Type the comment for ``qid`` within a fifth of a second; ``enough`` once
    ``kill_after`` people have."""
    await asyncio.sleep(rng.uniform(0, 0.2))
    answer = pick(rng, person.number, qid)
    person.attempts.append(Attempt(qid, answer, api.state.seq))
    await give(person.phone, qid, answer)
    sent.append(person)
    if len(sent) >= kill_after:
        enough.set()


@pytest.mark.timeout(600)
async def test_kill_nine_while_people_type_loses_no_comment_and_doubles_none(
    api: StandIn, bot_process: BotProcess
) -> None:
    """Typed comments sent just before a kill -9, most of them never acknowledged: each one is
    stored, on its own question, once. The bot confirms an update to Telegram only once its
    outcome is stored (bot.telegram.polling), so what the dead process had not stored comes
    again to the next; and the update's ``handled_updates`` row commits with the comment, so
    what it had stored is not applied again (to the question after)."""
    api.state.callback_timeout = 600.0  # as above: what is stored is under test, not the clock
    rng = random.Random(14)
    codes = await seed_officers(bot_process.sqlite_path, 16)
    await bot_process.start()
    people = [Person(n, api.phone(9000 + n, f"Typist{n}")) for n in codes]
    await asyncio.gather(*(begin(p.phone, codes[p.number]) for p in people))

    in_flight = 0
    for round_, text_qid in enumerate(TEXT_QUESTIONS):
        await asyncio.gather(*(answer_until(p, rng, text_qid) for p in people))
        marks = {p.number: api.state.seq for p in people}
        # Everyone types within a fifth of a second; the kill lands right after the k-th.
        sent: list[Person] = []
        kill_after = rng.randint(4, 12)
        enough = asyncio.Event()

        typing = [
            asyncio.create_task(type_comment(api, p, rng, text_qid, sent, kill_after, enough))
            for p in people
        ]
        await enough.wait()
        await bot_process.kill()
        typed_before_kill = list(sent)
        unacknowledged = [
            p
            for p in typed_before_kill
            if not any(
                m.seq > marks[p.number] and shows(m, question_after(text_qid))
                for m in p.phone.bot_messages
            )
        ]
        in_flight += len(unacknowledged)
        await asyncio.gather(*typing)  # the rest type while the bot is down
        await bot_process.start()
        await all_quiet(people)

        stored = stored_answers(bot_process.sqlite_path)
        for person in people:
            mine = stored.get(email(person.number), {})
            typed = [a.answer for a in person.attempts if a.qid == text_qid][-1]
            # None lost: the comment is stored, acknowledged before the kill or not.
            assert mine.get(text_qid) == typed, (round_, person.number, text_qid)
            # None doubled: every stored comment names its own question, the answers are a
            # prefix of the questionnaire, and each is the value last sent for it.
            assert set(mine) == set(QUESTIONS[: len(mine)]), (round_, person.number)
            for qid, (_, text) in mine.items():
                if text is not None:
                    assert f" on {qid} #" in text, (round_, person.number, qid, text)
            for qid, answer in mine.items():
                assert answer == [a.answer for a in person.attempts if a.qid == qid][-1]
            assert len(mine) == QUESTIONS.index(text_qid) + 1, (round_, person.number)
        # Everyone carries on from the question after their comment.
        for person in people:
            await person.phone.send("/start")
        expected = question_after(text_qid)
        for person in people:
            await person.phone.wait_for(partial(shows, qid=expected), timeout=30)

    assert in_flight >= len(TEXT_QUESTIONS), f"only {in_flight} comments were in flight at a kill"
    assert "Traceback" not in bot_process.log()


# --- a flaky Bot API ------------------------------------------------------------------------------


async def test_429_5xx_and_dropped_connections_lose_nothing(
    api: StandIn, bot_process: BotProcess
) -> None:
    codes = await seed_officers(bot_process.sqlite_path, 10)
    await bot_process.start()
    people = [Person(n, api.phone(7000 + n, f"F{n}")) for n in codes]
    await asyncio.gather(*(begin(p.phone, codes[p.number]) for p in people))
    api.faults.update(
        {"share_429": 0.08, "retry_after": 1, "share_5xx": 0.08, "share_drop": 0.08, "seed": 6}
    )
    rng = random.Random(6)
    await asyncio.gather(*(answer_some(api, p, rng, 12) for p in people))
    api.faults.update({"share_429": 0, "share_5xx": 0, "share_drop": 0})

    kinds = {i.kind for i in api.injected}
    assert {"429", "5xx", "drop"} <= kinds, kinds
    stored = stored_answers(bot_process.sqlite_path)
    for person in people:
        expected = {a.qid: a.answer for a in person.attempts}
        assert len(expected) == 12
        assert stored[email(person.number)] == expected
    # Still polling and answering after the storm.
    polls = len(api.calls_to("getUpdates"))
    await people[0].phone.send("/help")
    await people[0].phone.wait_for("/start")
    # The next poll comes once /help is recorded as handled, which is after its reply (the
    # offset confirms only what is recorded: bot.telegram.polling), so it may trail the reply.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while len(api.calls_to("getUpdates")) <= polls and loop.time() < deadline:
        await asyncio.sleep(0.02)
    assert len(api.calls_to("getUpdates")) > polls
    assert bot_process.proc is not None and bot_process.proc.returncode is None
    assert "Traceback" not in bot_process.log()


# --- a locked database, and an online backup ------------------------------------------------------


async def test_locked_database_makes_the_bot_wait_not_fail(
    api: StandIn, bot_process: BotProcess
) -> None:
    codes = await seed_officers(bot_process.sqlite_path, 1)
    await bot_process.start()
    phone = api.phone(8000, "L")
    await begin(phone, codes[0])

    blocker = sqlite3.connect(bot_process.sqlite_path, timeout=10, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    loop = asyncio.get_running_loop()
    held_from = loop.time()
    await phone.tap(f"a:{QUESTIONS[0]}:sa")
    await asyncio.sleep(3.0)
    assert not any(shows(m, QUESTIONS[1]) for m in phone.bot_messages), "answered under a lock?"
    blocker.execute("ROLLBACK")
    blocker.close()
    await phone.wait_for(lambda m: shows(m, QUESTIONS[1]), timeout=10)
    assert loop.time() - held_from >= 3.0
    assert stored_answers(bot_process.sqlite_path)[email(0)] == {QUESTIONS[0]: ("sa", None)}
    assert "Traceback" not in bot_process.log()


async def test_backup_while_people_answer_is_a_consistent_copy(
    api: StandIn, bot_process: BotProcess, tmp_path: Path
) -> None:
    codes = await seed_officers(bot_process.sqlite_path, 8)
    await bot_process.start()
    people = [Person(n, api.phone(8100 + n, f"B{n}")) for n in codes]
    await asyncio.gather(*(begin(p.phone, codes[p.number]) for p in people))
    rng = random.Random(8)
    answering = [asyncio.create_task(answer_some(api, p, rng, 15)) for p in people]
    await asyncio.sleep(0.5)
    before = stored_answers(bot_process.sqlite_path)
    copy = tmp_path / "copy.sqlite3"
    env = {**os.environ, "DATATOOL_DB": str(bot_process.db_path)}
    proc = await asyncio.create_subprocess_exec(
        *datatool_command(),
        "backup",
        str(copy),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, (out, err)
    await asyncio.gather(*answering)
    after = stored_answers(bot_process.sqlite_path)

    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not Path(str(copy) + "-wal").exists()
    copied = stored_answers(copy)
    for person in people:
        mine = copied.get(email(person.number), {})
        # A snapshot: every answer stored before the backup began, nothing that never existed,
        # and each respondent's answers a prefix of the questionnaire (no half transaction).
        assert before.get(email(person.number), {}).items() <= mine.items()
        assert mine.items() <= after[email(person.number)].items()
        assert set(mine) == set(QUESTIONS[: len(mine)])
