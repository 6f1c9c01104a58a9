"""Runs the real ``datatool run`` process against the local Bot API stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rubric.schema import Group, Lang
from standin import Phone, StandIn, StoredMessage
from storage.opening import open_database
from storage.repository import Repository
from storage.rows import RosterRow

TOKEN = "123456:TEST-token-for-the-stand-in"
AUDITOR_ID = 900001


def datatool_command() -> list[str]:
    script = Path(sys.executable).parent / "datatool"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli.main"]


async def run_datatool(
    env: dict[str, str], cwd: Path, *args: str, timeout: float = 45
) -> tuple[int, str, str]:
    """``datatool ARGS`` as a process of its own: (exit status, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        *datatool_command(),
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(timeout):
        out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def run_datatool_here(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    """``datatool ARGS`` as `run_datatool` runs it, but in this process: the command line's own
    ``main`` in a thread of its own (it runs its own event loop, beside the test's, where the
    stand-in answers), with exactly ``env`` as its environment and ``cwd`` as its folder, and
    what it writes to stdout and stderr (its log included) captured. No interpreter start,
    no imports: for the tests of what a command does, where no process is killed."""
    from bot.cli.log_format import HANDLER
    from bot.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    level = root.level
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = await asyncio.to_thread(main, list(args))
            except SystemExit as exit_:  # argparse's refusals
                status = exit_.code if isinstance(exit_.code, int) else 1
            finally:
                for handler in [h for h in root.handlers if h.get_name() == HANDLER]:
                    root.removeHandler(handler)  # the command's stderr handler, now gone
                root.setLevel(level)
    return status, out.getvalue(), err.getvalue()


WEBHOOK_SECRET = "stand-in_webhook-secret_0123456789"
WEBHOOK_PATH = "/telegram/update"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class BotProcess:
    """The bot as a separate OS process, so that it can be killed like a real deployment.

    With ``webhook=True`` it serves a webhook on its own port (``listen_port``) instead of
    polling; ``webhook_url`` is where Telegram is told to post (its own address, unless a
    balancer stands in front of several workers)."""

    api: StandIn
    db_path: Path | str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: asyncio.subprocess.Process | None = None
    starts: int = 0
    webhook: bool = False
    listen_port: int = 0
    webhook_url: str = ""
    name: str = "bot"
    # Another bot to run the same way (benchmarks/answer_path.py's reference bots); the default
    # is ``datatool run``. It gets the same environment: BOT_TOKEN, TELEGRAM_API_URL, ...
    command: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.webhook and not self.listen_port:
            self.listen_port = free_port()
        if self.webhook and not self.webhook_url:
            self.webhook_url = self.own_url

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file, for the tests that read it directly (not a PostgreSQL URL)."""
        assert isinstance(self.db_path, Path), self.db_path
        return self.db_path

    @property
    def own_url(self) -> str:
        return f"http://127.0.0.1:{self.listen_port}{WEBHOOK_PATH}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}-{self.starts}.log"

    async def start(self, timeout: float = 90.0) -> None:
        self.starts += 1
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("BOT_", "SMTP_", "AUDITOR_", "DATATOOL_", "TELEGRAM_"))
        }
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=self.api.base_url,
            DATATOOL_DB=str(self.db_path),
            AUDITOR_IDS=str(AUDITOR_ID),
            FLOOD_RATE="1000",  # simulated phones tap far faster than people
            PYTHONUNBUFFERED="1",
        )
        if self.webhook:
            env.update(
                WEBHOOK_URL=self.webhook_url,
                WEBHOOK_SECRET=WEBHOOK_SECRET,
                WEBHOOK_LISTEN=f"127.0.0.1:{self.listen_port}",
            )
        env.update(self.env)
        ready = "setWebhook" if self.webhook else "getUpdates"
        calls_before = len(self.api.calls_to(ready))
        log = self.log_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            *(self.command or [*datatool_command(), "run", "--allow-empty"]),
            cwd=self.workdir,
            env=env,
            stdout=log,
            stderr=log,
        )
        log.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.api.calls_to(ready)) <= calls_before:
            if self.proc.returncode is not None or loop.time() > deadline:
                raise RuntimeError(f"the bot did not start ({ready}):\n{self.log()}")
            await asyncio.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def kill(self) -> None:
        """SIGKILL: no clean-up, as when a machine dies."""
        if self.proc and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    async def stop(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(15):
                    await self.proc.wait()
            except TimeoutError:
                raise AssertionError(
                    f"the bot did not stop within 15 s of SIGTERM:\n{self.log()[-4000:]}"
                ) from None
        return self.proc.returncode or 0


Person = tuple[str, Group, str, Lang | None, str | None]
"""(council, group, name, language, team): one row of a roster `seed_roster` imports."""


async def seed_roster(db_path: Path | str, people: list[Person]) -> dict[str, str]:
    """Imports (council, group, name, language, team) people; returns email -> token."""
    rows = [
        RosterRow(
            council=council,
            group=group,
            name=name,
            email=f"{name.lower().replace(' ', '.')}@{council}.example",
            language=lang,
            team=team,
        )
        for council, group, name, lang, team in people
    ]
    async with await open_database(db_path) as db:
        repo = Repository(db)
        await repo.import_roster(rows)
        tokens: dict[str, str] = {}
        for council in {r.council for r in rows}:
            found = await repo.find_council(council)
            assert found is not None
            for invitation in await repo.ensure_tokens(found.id):
                tokens[invitation.email] = invitation.token
    return tokens


def question_kind(message: StoredMessage) -> str:
    texts = message.button_texts
    if any(t.endswith(("Agree", "Cytuno")) for t in texts):
        return "agree"
    if any("Level 1" in t or "Lefel 1" in t for t in texts):
        return "level"
    return "text"


async def answer_everything(
    phone: Phone, lang: Lang, *, comment: str = "We need better data sharing."
) -> int:
    """Walks a phone through every question from wherever it is; returns how many were asked."""
    progress = "Question " if lang == "en" else "Cwestiwn "
    review = "Check your answers" if lang == "en" else "Gwiriwch eich atebion"
    asked = 0
    current = await phone.wait_for(lambda m: progress in m.text or review in m.text)
    while review not in current.text:
        asked += 1
        kind = question_kind(current)
        if kind == "agree":
            await phone.tap("Agree" if lang == "en" else "Cytuno", current)
        elif kind == "level":
            await phone.tap("Level 2" if lang == "en" else "Lefel 2", current)
        else:
            await phone.send(comment)

        def next_screen(m: StoredMessage, seen: int = current.message_id) -> bool:
            return m.message_id > seen and (progress in m.text or review in m.text)

        current = await phone.wait_for(next_screen)
    return asked


async def answer_in_english(
    api: StandIn,
    user_id: int,
    token: str,
    *,
    statement: Callable[[int], str] = lambda n: "Agree",
    level: str = "Level 2",
    comment: str | None = None,
) -> None:
    """One respondent in English from their invitation to the thank-you: `statement(n)` for
    the n-th statement (from 1), `level` for every key characteristic, and `comment` (or one
    naming them, COMMENT-OF-id) for every free-text question."""
    phone = api.phone(user_id, f"R{user_id}")
    await phone.send(f"/start {token}")
    await phone.wait_for("Dewiswch")
    await phone.tap("English")
    await phone.wait_for(lambda m: bool(m.buttons) and "Dewiswch" not in m.text)
    await phone.tap("Continue")
    statements = 0
    current = await phone.wait_for(lambda m: "Question " in m.text, timeout=10)
    while "Check your answers" not in current.text:
        kind = question_kind(current)
        if kind == "agree":
            statements += 1
            await phone.tap(statement(statements), current)
        elif kind == "level":
            await phone.tap(level, current)
        else:
            await phone.send(comment or f"COMMENT-OF-{user_id}")

        def next_screen(m: StoredMessage, seen: int = current.message_id) -> bool:
            return m.message_id > seen and ("Question " in m.text or "Check your answers" in m.text)

        current = await phone.wait_for(next_screen, timeout=10)
    await phone.tap("Submit")
    await phone.wait_for("Thank you", timeout=10)


def forge_tap(api: StandIn, phone: Phone, data: str) -> str:
    """A tap with callback data the bot never sent (a modified client), on the newest message."""
    from standin.methods import new_callback

    message = phone.last
    assert message is not None
    body = new_callback(api.state, phone.user_id, message, data)
    api.state.touch(phone.user_id)
    api.state.push_update({"callback_query": body})
    query_id: str = body["id"]
    return query_id


async def answered_tap(api: StandIn, query_id: str, timeout: float = 5.0) -> str | None:
    """Waits until the bot answered the tap; returns the toast text."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        query = api.state.callbacks.get(query_id)
        if query is not None and query.answered:
            return query.answer_text
        await asyncio.sleep(0.02)
    raise TimeoutError(f"tap {query_id} was never answered")
