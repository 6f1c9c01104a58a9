"""Issue 26, ``datatool run`` as an operator starts and stops it (real processes, the Bot API
stand-in): one line says what is served, a second ``datatool run`` on the same SQLite file is
stopped with a line that says why, and a signal is logged by its name."""

from __future__ import annotations

import asyncio
import os
from importlib.metadata import version
from pathlib import Path

from standin import Phone, StandIn, StoredMessage
from tests.support.bot_process import (
    BotProcess,
    answered_tap,
    datatool_command,
    run_datatool,
    seed_roster,
)
from tests.support.chat import QUESTIONS, asked, begin, current_question, question_after


async def test_start_says_what_it_serves_one_process_per_file_and_signals_by_name(
    api: StandIn, tmp_path: Path
) -> None:
    db = tmp_path / "datatool.sqlite3"
    await seed_roster(
        db,
        [
            ("powys", "officer", "Ann Jones", "en", None),
            ("powys", "member", "Siân Rees", "cy", None),
            ("gwynedd", "officer", "Bea Lloyd", None, None),
        ],
    )
    first = BotProcess(api=api, db_path=db, workdir=tmp_path, command=[*datatool_command(), "run"])
    await first.start()
    try:
        line = next(x for x in first.log().splitlines() if "invitee(s)" in x)
        assert line.endswith(
            f"INFO bot.run: datatool {version('datatool')}: database {db}, bot @datatool_bot,"
            " polling, 3 invitee(s) in 2 council(s)"
        ), line

        # A second `datatool run` on the same file: one clear line, exit 1, the first unharmed.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATATOOL_", "BOT_"))}
        env |= {
            "BOT_TOKEN": "123456:TEST-token-for-the-stand-in",
            "TELEGRAM_API_URL": api.base_url,
            "DATATOOL_DB": str(db),
            "DATATOOL_LANG": "en",
        }
        code, _, err = await run_datatool(env, tmp_path, "run", timeout=60)
        assert code == 1
        assert first.proc is not None
        assert err.strip().splitlines()[-1] == (
            f"datatool: another datatool run (process {first.proc.pid}) is already serving"
            f" {db}: one process per SQLite file (stop it first, or use PostgreSQL for several"
            " workers)"
        )
        assert first.proc.returncode is None
    finally:
        code = await first.stop()
    assert code == 0
    log = first.log()
    assert "stopping: SIGTERM received" in log
    assert "<withheld> signal" not in log and "Traceback" not in log


async def _answer(phone: Phone, qid: str) -> StoredMessage:
    """Agrees with question ``qid`` (on the newest message asking it); the next question."""
    await phone.tap(f"a:{qid}:a", current_question(phone))
    following = question_after(qid)
    return await phone.wait_for(lambda m: asked(m) == following, timeout=15)


async def test_after_a_restore_a_button_ahead_of_the_database_shows_the_question_to_answer(
    api: StandIn, tmp_path: Path
) -> None:
    """The README's restore: a person answered past the backup; once it is restored, their
    chat is ahead of the database. Tapping the newest buttons says so and shows, at the bottom
    of the chat, the question the restored database is on; answering it carries on from there."""
    db = tmp_path / "datatool.sqlite3"
    tokens = await seed_roster(db, [("powys", "officer", "Ann Jones", "en", None)])
    bot = BotProcess(api=api, db_path=db, workdir=tmp_path)
    await bot.start()
    phone = api.phone(4001, "Ann")
    await begin(phone, tokens["ann.jones@powys.example"])
    await _answer(phone, QUESTIONS[0])
    backup = tmp_path / "backup.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATATOOL_")}
    code, _, err = await run_datatool(
        env | {"DATATOOL_DB": str(db)}, tmp_path, "backup", str(backup)
    )
    assert code == 0, err
    await _answer(phone, QUESTIONS[1])
    await _answer(phone, QUESTIONS[2])  # the chat now shows QUESTIONS[3]
    assert await bot.stop() == 0

    # The restore, as the README says: the bot stopped, the copy put in place of the file.
    for leftover in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    backup.replace(db)
    await bot.start()

    ahead = current_question(phone)
    assert ahead is not None and asked(ahead) == QUESTIONS[3]
    mark = api.state.seq
    query_id = await phone.tap(f"a:{QUESTIONS[3]}:a", ahead)
    toast = await answered_tap(api, query_id)
    assert toast == (
        "That button is no longer current: here is the question you are on, at the bottom of"
        " the chat."
    )
    shown = await phone.wait_for(lambda m: m.seq > mark and asked(m) == QUESTIONS[1], timeout=15)
    assert shown is phone.bot_messages[-1]
    await _answer(phone, QUESTIONS[1])  # and on from there, with no /start
    assert await bot.stop() == 0


async def test_an_unreachable_bot_api_at_start_is_waited_for_and_named(tmp_path: Path) -> None:
    """The network not up yet (or a wrong TELEGRAM_API_URL): a WARNING naming the URL and the
    setting, not INFO lines for ever, and the bot waits instead of exiting."""
    db = tmp_path / "datatool.sqlite3"
    await seed_roster(db, [("powys", "officer", "Ann Jones", "en", None)])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATATOOL_", "BOT_"))}
    url = "http://127.0.0.1:9"  # the discard port: nothing listens
    env |= {"BOT_TOKEN": "123:ABC", "TELEGRAM_API_URL": url, "DATATOOL_DB": str(db)}
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            *datatool_command(), "run", cwd=tmp_path, env=env, stdout=out, stderr=out
        )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while "TELEGRAM_API_URL" not in log.read_text(errors="replace"):
            assert proc.returncode is None, log.read_text()
            assert loop.time() < deadline, log.read_text()
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)
        assert proc.returncode is None  # still waiting for Telegram
    finally:
        proc.kill()
        await proc.wait()
    lines = log.read_text().splitlines()
    warned = [line for line in lines if "TELEGRAM_API_URL" in line]
    assert " WARNING bot.telegram.session: cannot reach the Bot API at " + url in warned[0]
    assert len(warned) == 1 and "Traceback" not in "\n".join(lines), lines
