"""The bot in this process: the dispatcher exactly as ``datatool run`` builds it, on a real
database, fed updates with ``dp.feed_update``, and Telegram played by the stand-in's own rules.

As aiogram's own tests do (``tests/mocked_bot.py``), the bot talks to a session that never
opens a socket. Here that session (`MockedSession`, a `BaseSession` through its public API only)
encodes each call as aiogram's form would, and hands it to the stand-in's Bot API methods
(`standin.methods`) on a stand-in state of its own (`Telegram`): the same checks as over HTTP
(HTML that Telegram parses, 4096 characters, 64 bytes of callback data, a chat that exists, an
edit that changes something...) and the same answers, so the bot reads real messages back and a
refusal reaches it as aiogram's ``TelegramBadRequest``. Every refusal of a Telegram rule is
recorded (`Telegram.violations`), as is every call (`Telegram.calls`, `MockedSession.requests`).

What a phone does is delivered at once: ``await phone.send(...)`` returns once the bot has
handled the update and everything it sent is in the chat, so a test reads the chat instead of
waiting for it to go quiet. Updates sent inside ``async with telegram.held():`` are delivered
together when it ends, each in its own task, as polling hands them over (a double tap).

What needs a process (kill -9, restart, signals, the webhook server, several workers) is
tested in ``tests/e2e`` against the real ``datatool run``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, Update

from bot.app import build_dispatcher, create_bot, register_commands
from bot.config import Settings
from standin import StandIn
from standin.methods import METHODS, SENDS, Params, Upload, new_callback
from standin.phone import Match, Phone, group_send
from standin.state import (
    ApiError,
    Call,
    FloodControl,
    Injected,
    StoredMessage,
    Violation,
)
from storage.database import Database
from storage.opening import open_database
from storage.repository import Repository

TOKEN = "123456:TEST-token-for-the-stand-in"
AUDITOR_ID = 900001


class Telegram(StandIn):
    """Telegram as the stand-in plays it, without starting its HTTP server: the same state
    (users, chats, messages), calls and violations, the Bot API methods with Telegram's rules,
    and phones whose sends and taps reach the bot in this process. The overall flood limit is
    counted but not enforced: the bot's own send pacer (tested in
    tests/telegram/test_send_pacer.py) runs here at a rate no test waits on."""

    def __init__(self, token: str = TOKEN, bot_username: str = "datatool_bot") -> None:
        super().__init__(
            token=token, bot_username=bot_username, flood=FloodControl(global_enforced=False)
        )
        self._deliver: Callable[[], Any] | None = None
        self._held = 0

    def new_phone(self, user_id: int) -> InProcessPhone:
        return InProcessPhone(self, user_id)

    # what the bot calls --------------------------------------------------------------------
    async def answer(self, method: str, params: Params) -> tuple[int, str]:
        """One Bot API call, answered as the stand-in's HTTP route answers it: the status and
        the JSON body."""
        state = self.state
        state.calls.append(Call(method, params.loggable(), time.time()))
        key = method.lower()
        handler = METHODS.get(key)
        if handler is None:
            return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"})
        if key in SENDS and str(params.raw("chat_id")).lstrip("-").isdigit():
            limited = state.flood.check(int(params.raw("chat_id")))
            if limited is not None:
                kind, retry_after = limited
                state.injected.append(Injected(method, kind, time.time()))
                return 429, json.dumps(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {retry_after}",
                        "parameters": {"retry_after": retry_after},
                    }
                )
        try:
            result = handler(state, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            if error.violation:
                state.violations.append(Violation(method, error.description, params.loggable()))
            return error.error_code, json.dumps(error.payload())
        return 200, json.dumps({"ok": True, "result": result})

    # delivering what people do ---------------------------------------------------------------
    def attach(self, deliver: Callable[[], Any] | None) -> None:
        """The running bot's way of taking updates (None: no bot runs; updates wait)."""
        self._deliver = deliver

    @property
    def holding(self) -> bool:
        return self._held > 0

    async def deliver(self) -> None:
        """Hands every update waiting to the bot, if one is running, and returns once each is
        handled (updates that come of handling them too)."""
        if self._deliver is not None and not self._held:
            await self._deliver()

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Updates made inside wait, and reach the bot together at the end (each in its own
        task, as long polling hands a batch over): two taps a few milliseconds apart."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
        await self.deliver()

    def take_pending(self) -> list[dict[str, Any]]:
        """The updates to deliver, as getUpdates would give them (then confirmed)."""
        state = self.state
        batch = list(state.redeliveries) + list(state.pending)
        state.redeliveries.clear()
        state.pending.clear()
        return batch

    async def forge_tap(self, phone: Phone, data: str, message: StoredMessage | None = None) -> str:
        """A tap with callback data the bot never sent (a modified client), on ``message`` or
        the newest; returns the query id once the bot handled it."""
        target = message or phone.last
        assert target is not None
        body = new_callback(self.state, phone.user_id, target, data)
        self.state.push_update({"callback_query": body})
        await self.deliver()
        query_id: str = body["id"]
        return query_id

    def answered_tap(self, query_id: str) -> str | None:
        """The toast the bot answered the tap with (None: answered without one)."""
        query = self.state.callbacks[query_id]
        if not query.answered:
            raise AssertionError(f"tap {query.data!r} was never answered")
        return query.answer_text

    async def group_send(self, group_id: int, user_id: int, text: str) -> None:
        """``user_id`` writes ``text`` in the group chat ``group_id``, where the bot is."""
        group_send(self.state, group_id, user_id, text)
        await self.deliver()


class InProcessPhone(Phone):
    """A stand-in phone whose sends and taps are handled before they return."""

    def __init__(self, telegram: Telegram, user_id: int) -> None:
        super().__init__(telegram.state, user_id)
        self.telegram = telegram

    async def send(self, text: str) -> dict[str, Any]:
        body = await super().send(text)
        await self.telegram.deliver()
        return body

    async def tap(self, button: str, message: StoredMessage | int | None = None) -> str:
        query_id = await super().tap(button, message)
        await self.telegram.deliver()
        return query_id

    async def wait_for(self, match: Match, timeout: float = 5.0) -> StoredMessage:
        """The first bot message since this phone's last send or tap that matches: it is there
        already, or the bot never sent it (TimeoutError at once; nothing is on its way)."""
        await self.telegram.deliver()
        return await super().wait_for(match, timeout=0)

    async def wait_quiet(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Nothing to wait for: every update is handled when the send or tap returns."""
        await self.telegram.deliver()
        assert self.telegram.holding or not self.telegram.state.has_undelivered(self.user_id)


class MockedSession(BaseSession):
    """aiogram's session for a Telegram in this process: each call encoded as aiogram's form
    encodes it (``prepare_value`` for every field, files read through ``InputFile.read``),
    answered by `Telegram.answer`, and read back through aiogram's ``check_response`` (its
    models, its exceptions)."""

    def __init__(self, telegram: Telegram) -> None:
        super().__init__()
        self.telegram = telegram
        self.requests: list[TelegramMethod[Any]] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        files: dict[str, InputFile] = {}
        values: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:  # as aiogram's form: a field without a value is not sent
                values[key] = prepared
        for key, upload in files.items():
            data = b"".join([chunk async for chunk in upload.read(bot)])
            values[key] = Upload(upload.filename or key, "application/octet-stream", data)
        status, content = await self.telegram.answer(method.__api_method__, Params(values))
        response = self.check_response(bot, method, status, content)
        return cast(TelegramType, response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the bot downloads no files")
        yield b""  # pragma: no cover  (makes this an async generator)

    async def close(self) -> None:
        return None


class _Errors(logging.Handler):
    """Keeps the bot's log records of level ERROR and above (a handler that failed, an update
    that could not be processed): where the process's log held no "Traceback" nor " ERROR "."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class InProcessBot:
    """The bot as ``datatool run`` builds it (`create_bot` with its session's middlewares,
    `build_dispatcher` with its routers, middlewares and workflow data, the command menus it
    registers at the start), on the database at ``db_path``, in this process."""

    telegram: Telegram
    db_path: Path | str
    settings: dict[str, Any] = field(default_factory=dict)
    """Settings other than the harness's (``min_group_size=3``, ``flood_rate=0.5``...)."""
    db: Database | None = None
    repo: Repository | None = None
    bot: Bot | None = None
    dp: Dispatcher | None = None
    session: MockedSession | None = None
    starts: int = 0
    _errors: _Errors = field(default_factory=_Errors)

    @property
    def sqlite_path(self) -> Path:
        assert isinstance(self.db_path, Path), self.db_path
        return self.db_path

    @property
    def errors(self) -> list[str]:
        """The ERROR records logged while it ran, as text."""
        return [f"{r.name}: {r.getMessage()}" for r in self._errors.records]

    async def start(self, **settings: Any) -> InProcessBot:
        self.settings.update(settings)
        values: dict[str, Any] = {
            "bot_token": TOKEN,
            "telegram_api_url": "http://telegram.invalid",
            "datatool_db": str(self.db_path),
            "auditor_ids": frozenset({AUDITOR_ID}),
            "flood_rate": 1000.0,  # simulated phones tap far faster than people
            "reply_rate": 1000.0,  # the pacer is tested on its own; no test waits on it
        }
        values.update(self.settings)
        config = Settings(_env_file=None, **values)
        self.db = await open_database(config.datatool_db)
        self.repo = Repository(self.db)
        self.session = MockedSession(self.telegram)
        self.bot = create_bot(config, self.session)
        self.dp = build_dispatcher(config, self.repo)
        await register_commands(self.bot, self.dp["texts"])
        logging.getLogger().addHandler(self._errors)
        self.telegram.attach(self.deliver)
        self.starts += 1
        await self.deliver()  # what waited while the bot was down
        return self

    async def stop(self) -> None:
        """Stops as `datatool run` does on SIGTERM: the session and the database closed."""
        self.telegram.attach(None)
        logging.getLogger().removeHandler(self._errors)
        if self.bot is not None:
            await self.bot.session.close()
        if self.db is not None:
            await self.db.close()
        self.db = self.repo = self.bot = self.dp = None

    async def deliver(self) -> None:
        while batch := self.telegram.take_pending():
            await asyncio.gather(*(self._handle(raw) for raw in batch))

    async def _handle(self, raw: dict[str, Any]) -> None:
        """One update as polling hands it over: parsed with the bot in its context, fed to
        the dispatcher, and a method a handler returned called (aiogram's ``call_answer``)."""
        assert self.bot is not None and self.dp is not None
        update = Update.model_validate(raw, context={"bot": self.bot})
        response = await self.dp.feed_update(self.bot, update)
        if isinstance(response, TelegramMethod):
            await self.bot(response)
