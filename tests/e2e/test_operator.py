"""Issue 26, ``datatool run`` as an operator starts and stops it (real processes, the Bot API
stand-in): one line says what is served, a second ``datatool run`` on the same SQLite file is
stopped with a line that says why, and a signal is logged by its name."""

from __future__ import annotations

import asyncio
import os
from importlib.metadata import version
from pathlib import Path

from standin import StandIn
from tests.support.bot_process import BotProcess, datatool_command, seed_roster


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
        second = await asyncio.create_subprocess_exec(
            *datatool_command(),
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(60):
            _, err = await second.communicate()
        assert second.returncode == 1
        assert first.proc is not None
        assert err.decode().strip().splitlines()[-1] == (
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
