"""The stand-in's HTTP server: Telegram's Bot API routes plus a control API for other processes.

``/bot{token}/{method}`` answers as api.telegram.org does (JSON, form or multipart requests;
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description",
"parameters"}``). ``/_standin/...`` lets a demo or test in another process act as users,
read chats, set faults and read the violations.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from aiohttp import web

from standin.methods import FAULTY, METHODS, SENDS, Params, Upload, message_dict
from standin.phone import Phone, user_send, user_tap
from standin.state import (
    ApiError,
    Call,
    Faults,
    FloodControl,
    Injected,
    State,
    StoredMessage,
    Violation,
    allowed_update_types,
    update_user,
)
from standin.webhook import WebhookDelivery

MAX_UPLOAD = 50 * 1024 * 1024
LONG_POLL_MAX_TIMEOUT = 50
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


async def read_params(request: web.Request) -> Params:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    values: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse JSON encoded request")
            values.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    values[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    values[key] = value
    return Params(values)


def _message_view(state: State, msg: StoredMessage) -> dict[str, Any]:
    data = message_dict(state, msg)
    data["from_bot"] = msg.from_bot
    data["html"] = msg.html
    data["edits"] = msg.edits
    return data


class StandIn:
    """A local Bot API server as strict as Telegram, for tests and the offline demo.

    ``async with StandIn() as api:`` then point the bot at ``api.base_url``
    (aiogram: ``TelegramAPIServer.from_base(api.base_url)``).
    """

    def __init__(
        self,
        token: str = "123:ABC",
        bot_username: str = "datatool_bot",
        *,
        bot_first_name: str = "Datatool",
        host: str = "127.0.0.1",
        port: int = 0,
        callback_timeout: float = 15.0,
        strict_html: bool = True,
        faults: Faults | None = None,
        flood: FloodControl | None = None,
        webhook_timeout: float = 60.0,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        self.state = State(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            callback_timeout=callback_timeout,
            strict_html=strict_html,
            faults=faults or Faults(),
            flood=flood or FloodControl(),
        )
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._phones: dict[int, Phone] = {}
        self.webhook = WebhookDelivery(
            self.state, timeout=webhook_timeout, retry_delay=webhook_retry_delay
        )
        self.app = self._build_app()

    # lifecycle -------------------------------------------------------------------------------
    async def start(self) -> StandIn:
        self.state.changed = type(self.state.changed)()  # bind to the running loop
        self._runner = web.AppRunner(
            self.app, handle_signals=False, access_log=None, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]  # the port the system chose for port 0
        await self.webhook.start()
        return self

    async def stop(self) -> None:
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # what tests read and set --------------------------------------------------------------------
    @property
    def violations(self) -> list[Violation]:
        return self.state.violations

    @property
    def calls(self) -> list[Call]:
        return self.state.calls

    @property
    def injected(self) -> list[Injected]:
        return self.state.injected

    @property
    def faults(self) -> Faults:
        return self.state.faults

    @property
    def flood(self) -> FloodControl:
        return self.state.flood

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.state.calls if c.method.lower() == method.lower()]

    def phone(
        self,
        user_id: int,
        first_name: str | None = None,
        language_code: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
    ) -> Phone:
        """The simulated user ``user_id`` (created on first use; given details are updated)."""
        self.state.user(
            user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
            last_name=last_name,
        )
        if user_id not in self._phones:
            self._phones[user_id] = self.new_phone(user_id)
        return self._phones[user_id]

    def new_phone(self, user_id: int) -> Phone:
        """The phone of a user seen for the first time (a subclass may give another kind)."""
        return Phone(self.state, user_id)

    def chat(self, chat_id: int) -> list[StoredMessage]:
        messages = self.state.messages(chat_id)
        return [messages[k] for k in sorted(messages)]

    def redeliver(self, update_id: int) -> None:
        """Queue an already delivered update again (same update_id), as Telegram does."""
        self.state.redeliver(update_id)

    # HTTP ----------------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._bot_method)
        app.router.add_get("/_standin/state", self._c_state)
        app.router.add_get("/_standin/violations", self._c_violations)
        app.router.add_get("/_standin/calls", self._c_calls)
        app.router.add_get("/_standin/faults", self._c_faults)
        app.router.add_post("/_standin/faults", self._c_faults)
        app.router.add_post("/_standin/phones/{user_id}/send", self._c_send)
        app.router.add_post("/_standin/phones/{user_id}/tap", self._c_tap)
        app.router.add_post("/_standin/phones/{user_id}/block", self._c_block)
        app.router.add_get("/_standin/chats/{chat_id}/messages", self._c_messages)
        app.router.add_get("/_standin/files/{file_id}", self._c_file)
        app.router.add_post("/_standin/redeliver/{update_id}", self._c_redeliver)
        return app

    async def _bot_method(self, request: web.Request) -> web.StreamResponse:
        state = self.state
        method = request.match_info["method"]
        if request.match_info["token"] != state.token:
            return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        try:
            params = await read_params(request)
        except ApiError as error:
            return _json(error.payload(), error.error_code)
        state.calls.append(Call(method, params.loggable(), time.time()))
        key = method.lower()
        try:
            if key == "getupdates":
                result: Any = await self._get_updates(request, params)
                return _json({"ok": True, "result": result})
            handler = METHODS.get(key)
            if handler is None:
                return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
            if key in FAULTY:
                early = await self._inject(request, key, method, params)
                if early is not None:
                    return early
            result = handler(state, params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            if error.violation:
                state.violations.append(Violation(method, error.description, params.loggable()))
            return _json(error.payload(), error.error_code)
        return _json({"ok": True, "result": result})

    async def _inject(
        self, request: web.Request, key: str, method: str, params: Params
    ) -> web.StreamResponse | None:
        """Delay, injected faults and flood control; a response here replaces the call's."""
        state = self.state
        faults = state.faults
        if faults.delay_ms:
            await asyncio.sleep(faults.delay_ms / 1000)
        fault = faults.draw()
        if fault == "429":
            state.injected.append(Injected(method, "429", time.time()))
            return _retry_after(faults.retry_after)
        if fault == "5xx":
            state.injected.append(Injected(method, "5xx", time.time()))
            return _json({"ok": False, "error_code": 502, "description": "Bad Gateway"}, 502)
        if fault == "drop":
            state.injected.append(Injected(method, "drop", time.time()))
            if faults.drop_after_apply:
                with contextlib.suppress(ApiError):
                    METHODS[key](state, params)
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if key in SENDS:
            try:
                chat_id = int(params.raw("chat_id"))
            except (TypeError, ValueError):
                return None
            limited = state.flood.check(chat_id)
            if limited is not None:
                kind, retry_after = limited
                state.injected.append(Injected(method, kind, time.time()))
                return _retry_after(retry_after)
        return None

    async def _get_updates(self, request: web.Request, params: Params) -> list[dict[str, Any]]:
        """Long poll; a newer getUpdates ends an older one with 409, as on Telegram.

        A poll whose client has gone (a bot that stopped or crashed) ends quietly and takes
        nothing, so a restarted bot is not blamed for a conflict and loses no update.
        """
        state = self.state

        def orphaned() -> bool:
            return request.transport is None or request.transport.is_closing()

        if state.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.int("offset")
        limit = min(max(params.int("limit", 100) or 100, 1), 100)
        # Telegram clamps the long poll to 0..50 s (telegram-bot-api's LONG_POLL_MAX_TIMEOUT).
        timeout = min(max(params.int("timeout", 0) or 0, 0), LONG_POLL_MAX_TIMEOUT)
        allowed = allowed_update_types(params.raw("allowed_updates"))
        if allowed is not None:
            state.allowed_updates = allowed
        state.poll_generation += 1
        generation = state.poll_generation
        state.changed.fire()  # an older long poll wakes and answers 409
        if offset is not None:
            state.confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if orphaned():
                return []
            if generation != state.poll_generation:
                raise ApiError(409, CONFLICT)
            batch: list[dict[str, Any]] = []
            while state.redeliveries and len(batch) < limit:
                batch.append(state.redeliveries.popleft())
            batch.extend(state.pending[: limit - len(batch)])
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                # A delivery is activity in the chat: a phone waiting for the bot to go quiet
                # must not see silence while the bot is still handling what it just received.
                for update in batch:
                    user_id = update_user(update)
                    if user_id is not None:
                        state.touch(user_id)
                return batch
            # Wake now and then to notice a client that went away (a killed bot), so that
            # stopping the stand-in never waits out a long poll nobody is listening to.
            await state.changed.wait(min(remaining, 0.25))

    # control API ---------------------------------------------------------------------------------
    async def _c_state(self, request: web.Request) -> web.Response:
        state = self.state
        return _json(
            {
                "base_url": self.base_url,
                "violations": len(state.violations),
                "calls": len(state.calls),
                "injected": [i._asdict() for i in state.injected],
                "faults": state.faults.as_dict(),
                "flood": {
                    "chat_over": state.flood.chat_over,
                    "global_over": state.flood.global_over,
                    "answered_429": state.flood.answered_429,
                },
                "pending_updates": len(state.pending),
            }
        )

    async def _c_violations(self, request: web.Request) -> web.Response:
        return _json({"ok": True, "result": [v._asdict() for v in self.state.violations]})

    async def _c_calls(self, request: web.Request) -> web.Response:
        return _json({"ok": True, "result": [c._asdict() for c in self.state.calls]})

    async def _c_faults(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                self.state.faults.update(await request.json())
            except (KeyError, ValueError, TypeError) as error:
                return _json({"ok": False, "description": f"bad fault setting: {error}"}, 400)
        return _json({"ok": True, "result": self.state.faults.as_dict()})

    async def _c_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        user_id = int(request.match_info["user_id"])
        details = {k: body.get(k) for k in ("first_name", "language_code", "username", "last_name")}
        try:
            message = user_send(self.state, user_id, str(body.get("text", "")), **details)
        except ValueError as error:
            return _json({"ok": False, "description": str(error)}, 400)
        self.phone(user_id)
        return _json({"ok": True, "result": message})

    async def _c_tap(self, request: web.Request) -> web.Response:
        body = await request.json()
        user_id = int(request.match_info["user_id"])
        try:
            query_id = user_tap(self.state, user_id, str(body["button"]), body.get("message_id"))
        except (LookupError, KeyError) as error:
            return _json({"ok": False, "description": str(error)}, 404)
        return _json({"ok": True, "result": {"callback_query_id": query_id}})

    async def _c_block(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        user = self.state.user(int(request.match_info["user_id"]))
        user.blocked = bool(body.get("blocked", True))
        return _json({"ok": True, "result": {"blocked": user.blocked}})

    async def _c_messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat_id"])
        if chat_id not in self.state.users:
            return _json({"ok": True, "result": []})
        views = [_message_view(self.state, m) for m in self.chat(chat_id)]
        return _json({"ok": True, "result": views})

    async def _c_file(self, request: web.Request) -> web.Response:
        document = self.state.documents.get(request.match_info["file_id"])
        if document is None:
            return _json({"ok": False, "description": "file not found"}, 404)
        return web.Response(
            body=document.data,
            content_type=document.mime_type,
            headers={"Content-Disposition": f'attachment; filename="{document.file_name}"'},
        )

    async def _c_redeliver(self, request: web.Request) -> web.Response:
        try:
            self.redeliver(int(request.match_info["update_id"]))
        except KeyError:
            return _json({"ok": False, "description": "unknown update_id"}, 404)
        return _json({"ok": True, "result": True})


def _retry_after(seconds: int) -> web.Response:
    return _json(
        {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {seconds}",
            "parameters": {"retry_after": seconds},
        },
        429,
    )
