"""Benchmark (issue 14): the answer path, black box, against reference bots in the same run.

Each bot is a real process long-polling a fresh Bot API stand-in over loopback HTTP, all with
the same stand-in settings (strict as Telegram, its global 30/s flood control off). The same
40 phones start the survey, answer ``--warmup`` questions untimed, then every phone answers the
rest of the questionnaire (37 officer questions: agree, level and typed answers), each tapping
(or typing) as soon as the reply to its last answer is complete: the next question shown and
the tap answered. The bots:

- ``bare``: a bare aiogram handler (answer the tap, edit, send; no storage);
- ``bare_commit``: the same plus one durable aiosqlite commit per answer;
- ``dialog_survey``: aiogram-dialog-survey 0.3.2 as its README sets it up (memory storage, one
  edit per answer), from the ``peers`` dependency group, never a dependency of datatool;
- ``datatool``: ``datatool run`` with its own pacing and flood throttle opened up
  (``REPLY_RATE``/``FLOOD_RATE``, as benchmarks/workers.py), since the reference bots have
  neither.

The phones drive each bot by what it shows: a small adapter per bot reads which question a
message asks, and the phone taps the button labelled as it would ("Agree", "Level 2"). The
order of the bots alternates between rounds. Printed: answers/s, reply p50/p95, the bot
process's CPU per answer (steadier than wall time on a busy machine), Bot API calls per answer,
and the ratios datatool/bare and datatool/aiogram-dialog-survey.

    ./dev bench answer_path [--phones 40] [--rounds 2] [--warmup 2] [--only bare,datatool]

(The aiogram-dialog-survey bot comes from the ``peers`` dependency group, which ``./dev bench``
installs, after running its adapter's test, benchmarks/peer_tests/; run some other way without
that group, it is skipped with a line saying so.)
The in-process harness with ``--profile`` is ``benchmarks/answer_profile.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import itertools
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.workers import UNCAPPED
from rubric.loader import load_questionnaire
from standin import Phone, StandIn, StoredMessage
from standin.state import State
from tests.support.bot_process import TOKEN, BotProcess, seed_roster
from tests.support.chat import QUESTIONS, asked, begin

PEERS_DIR = Path(__file__).resolve().parent / "peers"
FIRST_PHONE = 4_000_000

# The questionnaire every bot asks: datatool's 37 officer questions, with the option buttons
# datatool shows (label, value). The reference bots get it as JSON (PEER_SPEC).
AGREE = [
    ("Strongly agree", "sa"),
    ("Agree", "a"),
    ("Neither agree nor disagree", "n"),
    ("Disagree", "d"),
    ("Strongly disagree", "sd"),
    ("Don't know", "dk"),
]
LEVEL = [("Level 1", "1"), ("Level 2", "2"), ("Level 3", "3"), ("Don't know", "dk")]
OPTIONS = {"agree": AGREE, "level": LEVEL, "text": []}
KINDS = [q.kind for q in load_questionnaire().questions_for("officer")]
CHOICE = {"agree": "Agree", "level": "Level 2"}  # what each phone taps (as the other benchmarks)


def spec() -> list[dict[str, object]]:
    return [
        {"id": q.id, "kind": q.kind, "text": q.text.en, "options": OPTIONS[q.kind]}
        for q in load_questionnaire().questions_for("officer")
    ]


# --- the adapters: which question (0-based) a bot message asks, read from what it shows -------

_BARE = re.compile(r"Question (\d+)/\d+")
_DIALOG = re.compile(r"Вопрос (\d+)/\d+")


def datatool_position(message: StoredMessage) -> int | None:
    """datatool: the question id in the buttons' callback data (``a:ID:…``, ``n:back:ID``)."""
    qid = asked(message)
    return QUESTIONS.index(qid) if qid in QUESTIONS else None


def bare_position(message: StoredMessage) -> int | None:
    """The bare bots: ``Question N/M`` opens a question; a record (``✓ N/M: …``) asks nothing."""
    found = _BARE.match(message.text)
    return int(found.group(1)) - 1 if found else None


def dialog_position(message: StoredMessage) -> int | None:
    """aiogram-dialog-survey: its numbering, ``Вопрос N/M``, opens the window's text."""
    found = _DIALOG.match(message.text)
    return int(found.group(1)) - 1 if found else None


@dataclass(frozen=True)
class Contender:
    name: str
    label: str
    position: Callable[[StoredMessage], int | None]
    script: str | None = None  # under benchmarks/peers/; None: ``datatool run``
    needs: str | None = None  # a module the bot imports that may not be installed


BOTS = [
    Contender(
        "bare",
        "bare aiogram handler (answer the tap, edit, send; no storage)",
        bare_position,
        script="bare.py",
    ),
    Contender(
        "bare_commit",
        "bare aiogram + one durable aiosqlite commit per answer",
        bare_position,
        script="bare_commit.py",
    ),
    Contender(
        "dialog_survey",
        "aiogram-dialog-survey 0.3.2 (memory storage, one edit)",
        dialog_position,
        script="dialog_survey.py",
        needs="aiogram_dialog_survey",
    ),
    Contender("datatool", "datatool", datatool_position),
]


def showing(
    chat: dict[int, StoredMessage], bot: Contender, want: int, mark: int
) -> StoredMessage | None:
    """The bot's newest message, sent or edited after ``mark``, that asks question ``want``."""
    for message in itertools.islice(reversed(chat.values()), 4):
        if message.from_bot and message.seq > mark and bot.position(message) == want:
            return message
    return None


async def reply(
    state: State, chat_id: int, bot: Contender, want: int, mark: int, query: str | None
) -> StoredMessage:
    """Waits until the reply is complete: question ``want`` shown, and the tap answered.

    Wakes only on a change in this chat, and reads only its newest few messages: forty phones
    waking on every Bot API call must not cost the shared cores more than the bots' own work."""
    chat = state.messages(chat_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        found = showing(chat, bot, want, mark)
        if found is not None and (query is None or state.callbacks[query].answered):
            return found
        remaining = deadline - loop.time()
        if remaining <= 0:
            newest = [m.text[:60] for m in itertools.islice(reversed(chat.values()), 3)]
            raise TimeoutError(f"{bot.name}, chat {chat_id}: no question {want + 1}; {newest}")
        await state.chat_changed(chat_id).wait(min(remaining, 0.5))


async def answer(
    state: State, phone: Phone, bot: Contender, current: StoredMessage
) -> StoredMessage:
    """Answers the question ``current`` asks (tap or type); returns the next question."""
    position = bot.position(current)
    assert position is not None
    kind = KINDS[position]
    mark = state.seq
    query = None
    if kind == "text":
        await phone.send(f"A note on question {position + 1} from {phone.user_id}.")
    else:
        query = await phone.tap(CHOICE[kind], current)
    return await reply(state, phone.user_id, bot, position + 1, mark, query)


async def start(api: StandIn, phone: Phone, bot: Contender, code: str | None) -> StoredMessage:
    if code is not None:  # datatool: invitation, language, privacy notice
        return await begin(phone, code)
    mark = api.state.seq
    await phone.send("/start")
    return await reply(api.state, phone.user_id, bot, 0, mark, None)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    bot: Contender
    round: int
    answers: int
    elapsed: float
    waits: list[float]
    bot_cpu: float
    driver_cpu: float
    calls: int
    load: tuple[float, float]
    faults: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.answers / self.elapsed

    def cut(self, percent: int) -> float:
        return statistics.quantiles(self.waits, n=100)[percent - 1] * 1000


async def run(
    bot: Contender, phones: int, warmup: int, answers: int, tmp: Path, rnd: int
) -> Result:
    workdir = tmp / f"{bot.name}-{rnd}"
    workdir.mkdir()
    db = workdir / "bot.sqlite3"
    async with StandIn(token=TOKEN) as api:
        api.flood.global_enforced = False  # measure the bots, not Telegram's 30/s cap
        codes: list[str | None] = [None] * phones
        if bot.script is None:
            tokens = await seed_roster(
                db, [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(phones)]
            )
            codes = [tokens[f"officer.{n:03d}@powys.example"] for n in range(phones)]
            process = BotProcess(api=api, db_path=db, workdir=workdir, env=UNCAPPED, name=bot.name)
        else:
            spec_path = workdir / "questions.json"
            spec_path.write_text(json.dumps(spec()), encoding="utf-8")
            process = BotProcess(
                api=api,
                db_path=db,
                workdir=workdir,
                name=bot.name,
                command=[sys.executable, str(PEERS_DIR / bot.script)],
                env={"PEER_SPEC": str(spec_path), "PEER_DB": str(db)},
            )
        await process.start()
        assert process.proc is not None
        try:
            people = [api.phone(FIRST_PHONE + n, f"P{n}") for n in range(phones)]

            async def warm(phone: Phone, code: str | None) -> StoredMessage:
                current = await start(api, phone, bot, code)
                for _ in range(warmup):
                    current = await answer(api.state, phone, bot, current)
                return current

            async def timed(phone: Phone, current: StoredMessage) -> list[float]:
                waits = []
                for _ in range(answers):
                    began = time.perf_counter()
                    current = await answer(api.state, phone, bot, current)
                    waits.append(time.perf_counter() - began)
                return waits

            try:
                shown = await asyncio.gather(
                    *(warm(p, c) for p, c in zip(people, codes, strict=True))
                )
            except TimeoutError as error:
                raise RuntimeError(f"{error}\n{bot.name}'s log:\n{process.log()[-3000:]}") from None
            calls_before = len(api.state.calls)
            bot_cpu, driver_cpu = process_cpu(process.proc.pid), time.process_time()
            began = time.perf_counter()
            waits = await asyncio.gather(*(timed(p, s) for p, s in zip(people, shown, strict=True)))
            elapsed = time.perf_counter() - began
            bot_cpu = process_cpu(process.proc.pid) - bot_cpu
            driver_cpu = time.process_time() - driver_cpu
            calls = sum(c.method != "getUpdates" for c in api.state.calls[calls_before:])
            faults = [f"{v.method}: {v.description}" for v in api.state.violations]
        finally:
            try:
                await process.stop()
            except TimeoutError:
                await process.kill()
    load = os.getloadavg()
    flat = [w for phone_waits in waits for w in phone_waits]
    return Result(bot, rnd, len(flat), elapsed, flat, bot_cpu, driver_cpu, calls, load[:2], faults)


def line(r: Result) -> str:
    per = r.answers
    return (
        f"| {r.bot.label} | {r.round} | {r.rate:.0f} | {r.cut(50):.1f} ms | {r.cut(95):.1f} ms "
        f"| {r.bot_cpu / per * 1000:.2f} ms | {r.driver_cpu / per * 1000:.2f} ms "
        f"| {r.calls / per:.1f} | {r.load[0]:.2f} |"
    )


def ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def summary(results: list[Result], bots: list[Contender]) -> None:
    print("\n| bot | answers/s | reply p50 | reply p95 | bot CPU per answer |")
    print("| --- | ---: | ---: | ---: | ---: |")
    rates: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for bot in bots:
        runs = [r for r in results if r.bot is bot]
        if not runs:
            continue
        rates[bot.name] = statistics.mean(r.rate for r in runs)
        cpus[bot.name] = statistics.mean(r.bot_cpu / r.answers for r in runs)
        p50 = statistics.mean(r.cut(50) for r in runs)
        p95 = statistics.mean(r.cut(95) for r in runs)
        each = " / ".join(f"{r.rate:.0f}" for r in runs)
        print(
            f"| {bot.label} | {rates[bot.name]:.0f} ({each}) | {p50:.1f} ms | {p95:.1f} ms "
            f"| {cpus[bot.name] * 1000:.2f} ms |"
        )
    if "datatool" not in rates:
        return
    dt = rates["datatool"]
    print()
    print(
        f"datatool / bare, answers/s: {ratio(dt, rates.get('bare'))} (goal >= {1 / 1.5:.2f}); "
        f"bot CPU per answer, bare / datatool: {ratio(cpus.get('bare', 0), cpus['datatool'])}"
    )
    print(
        f"datatool / bare + commit, answers/s: {ratio(dt, rates.get('bare_commit'))}; "
        f"datatool / aiogram-dialog-survey: {ratio(dt, rates.get('dialog_survey'))} (goal > 1)"
    )


async def main(phones: int, rounds: int, warmup: int, answers: int, only: set[str]) -> None:
    answers = min(answers, len(QUESTIONS) - 1 - warmup)  # the last answer still shows a question
    bots = [b for b in BOTS if b.name in only]
    for bot in [b for b in bots if b.needs and importlib.util.find_spec(b.needs) is None]:
        print(f"skipping {bot.name}: {bot.needs} is not installed (uv sync --group peers)")
        bots.remove(bot)
    print(
        f"{phones} phones, {warmup} warm-up answers each, then {answers} timed answers each "
        f"({phones * answers} per bot per round); load average {os.getloadavg()[0]:.2f}"
    )
    print(
        "\n| bot | round | answers/s | reply p50 | reply p95 | bot CPU per answer "
        "| driver + stand-in CPU per answer | Bot API calls per answer | load (1 min) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for rnd in range(1, rounds + 1):
            order = bots if rnd % 2 else list(reversed(bots))
            for bot in order:
                result = await run(bot, phones, warmup, answers, Path(folder), rnd)
                results.append(result)
                print(line(result), flush=True)
                for fault in result.faults[:5]:
                    print(f"    stand-in violation: {fault}")
    summary(results, bots)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2, help="each bot once per round")
    parser.add_argument("--warmup", type=int, default=2, help="untimed answers per phone")
    parser.add_argument("--answers", type=int, default=99, help="timed answers per phone (max)")
    parser.add_argument("--only", default=",".join(b.name for b in BOTS))
    args = parser.parse_args()
    asyncio.run(
        main(args.phones, args.rounds, args.warmup, args.answers, set(args.only.split(",")))
    )
