"""The real bot on a disk that fills up: every tap is acknowledged and told, in the person's
language, that the last answer was not saved; the cause is logged once, not once per tap; and
once the disk has room, the same tap is saved.

The full disk is a 1 MB tmpfs holding the database (root and mount are needed); the second test
needs neither: it limits the running bot's file size with RLIMIT_FSIZE instead."""

from __future__ import annotations

import asyncio
import errno
import resource
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from standin import Phone, StandIn
from tests.support.bot_process import TOKEN, BotProcess, answered_tap, seed_roster
from tests.support.chat import QUESTIONS, asked, current_question, shows
from tests.support.machine import can_mount, tmpfs
from tests.support.stored import stored_answers

NOT_SAVED = {
    "en": "Sorry, your last answer was not saved. Please tap the button again in a moment.",
    "cy": "Mae'n ddrwg gennym, ni chafodd eich ateb diwethaf ei gadw."
    " Tapiwch y botwm eto mewn munud.",
}
NOT_SAVED_TYPED = "Sorry, your last answer was not saved. Please send it again in a moment."
LOGGED = "a write to the database"


@pytest.fixture
async def api() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, bot_username="datatool_bot") as server:
        yield server
        assert server.violations == [], "the bot sent what Telegram would refuse"


def fill(folder: Path) -> Path:
    """Writes a file in `folder` until the disk is full; returns it."""
    filler = folder / "filler.bin"
    with filler.open("wb", buffering=0) as out:
        chunk = b"\0" * 4096
        while True:
            try:
                out.write(chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                return filler


@contextmanager
def disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk", "1m") as folder:
        yield folder


async def begin(phone: Phone, code: str, lang: str) -> None:
    await phone.send(f"/start {code}")
    await phone.wait_for("Dewiswch eich iaith", timeout=20)
    if lang == "en":
        await phone.tap("English")
        await phone.wait_for("Your privacy", timeout=20)
        await phone.tap("Continue")
    else:
        await phone.tap("Cymraeg")
        await phone.wait_for("Eich preifatrwydd", timeout=20)
        await phone.tap("Parhau")
    await phone.wait_for(lambda m: asked(m) == QUESTIONS[0], timeout=20)


async def test_a_full_disk_tells_each_tap_it_was_not_saved_and_logs_once(
    api: StandIn, tmp_path: Path
) -> None:
    if not can_mount():
        pytest.skip("needs root to mount a tmpfs; see the RLIMIT_FSIZE test below")
    with disk(tmp_path) as folder:
        process = BotProcess(api=api, db_path=folder / "datatool.sqlite3", workdir=tmp_path)
        tokens = await seed_roster(
            process.db_path,
            [
                ("powys", "officer", "Ann Jones", "en", None),
                ("powys", "officer", "Cai Evans", None, None),
            ],
        )
        await process.start()
        try:
            ann, cai = api.phone(9101, "Ann"), api.phone(9102, "Cai")
            await begin(ann, tokens["ann.jones@powys.example"], "en")
            await begin(cai, tokens["cai.evans@powys.example"], "cy")
            filler = fill(folder)

            # Ten taps on a full disk: each acknowledged with the notice, nothing stored.
            for n in range(5):
                for phone, lang in ((ann, "en"), (cai, "cy")):
                    option = "a" if n % 2 else "sa"
                    tap = await phone.tap(f"a:{QUESTIONS[0]}:{option}", current_question(phone))
                    assert await answered_tap(api, tap, timeout=20) == NOT_SAVED[lang]
                    assert api.state.callbacks[tap].show_alert
            await ann.send("Some typed text")
            await ann.wait_for(NOT_SAVED_TYPED, timeout=20)
            await asyncio.gather(ann.wait_quiet(), cai.wait_quiet())
            assert not any(shows(m, QUESTIONS[1]) for m in ann.bot_messages + cai.bot_messages)
            assert all(asked(m) != QUESTIONS[1] for m in ann.bot_messages)
            log = process.log()
            assert log.count(LOGGED) == 1, log
            assert "the disk is full" in log or "disk I/O error" in log, log
            assert "Traceback" not in log and "OperationalError" not in log

            # Room again: the same tap is saved and the survey goes on.
            filler.unlink()
            await ann.tap(f"a:{QUESTIONS[0]}:sa", current_question(ann))
            await ann.wait_for(lambda m: shows(m, QUESTIONS[1]), timeout=20)
            await cai.tap(f"a:{QUESTIONS[0]}:d", current_question(cai))
            await cai.wait_for(lambda m: shows(m, QUESTIONS[1]), timeout=20)
        finally:
            await process.stop()
        stored = stored_answers(process.sqlite_path)
        assert stored["ann.jones@powys.example"] == {QUESTIONS[0]: ("sa", None)}
        assert stored["cai.evans@powys.example"] == {QUESTIONS[0]: ("d", None)}
        assert "Traceback" not in process.log()


async def test_a_file_size_limit_on_the_bot_is_told_the_same_way(
    api: StandIn, tmp_path: Path
) -> None:
    """Without a tmpfs: once the bot runs, its files may grow no further (RLIMIT_FSIZE set on
    its process with prlimit). Python ignores SIGXFSZ, so a write past the limit fails with
    EFBIG, which SQLite reports as a failed write, instead of killing the bot."""
    process = BotProcess(api=api, db_path=tmp_path / "datatool.sqlite3", workdir=tmp_path)
    tokens = await seed_roster(process.db_path, [("powys", "officer", "Ann Jones", "en", None)])
    await process.start()
    try:
        ann = api.phone(9201, "Ann")
        await begin(ann, tokens["ann.jones@powys.example"], "en")
        await ann.wait_quiet()
        assert process.proc is not None
        wal = Path(str(process.db_path) + "-wal").stat().st_size
        # The limit is per file, and the log is a file too: it must stay under the limit.
        if process.log_path.stat().st_size + 16384 > wal:
            pytest.skip("the bot's log is as large as its WAL: a size limit would stop the log")
        # The soft limit only: lowering the hard one could not be undone without privilege.
        unlimited = resource.RLIM_INFINITY
        resource.prlimit(process.proc.pid, resource.RLIMIT_FSIZE, (wal, unlimited))
        for option in ("sa", "a", "sa"):
            tap = await ann.tap(f"a:{QUESTIONS[0]}:{option}", current_question(ann))
            assert await answered_tap(api, tap, timeout=20) == NOT_SAVED["en"]
        await ann.wait_quiet()
        resource.prlimit(process.proc.pid, resource.RLIMIT_FSIZE, (unlimited, unlimited))
        log = process.log()
        assert log.count(LOGGED) == 1, log
        assert "Traceback" not in log
        await ann.tap(f"a:{QUESTIONS[0]}:sa", current_question(ann))
        await ann.wait_for(lambda m: shows(m, QUESTIONS[1]), timeout=20)
    finally:
        await process.stop()
    assert stored_answers(process.sqlite_path)["ann.jones@powys.example"] == {
        QUESTIONS[0]: ("sa", None)
    }
