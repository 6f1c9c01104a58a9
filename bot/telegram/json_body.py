"""aiogram's aiohttp session, speaking JSON both ways.

aiogram sends every Bot API call as a form: each field encoded on its own, the keyboard dumped to
a JSON string inside it, the whole percent-encoded (urllib's ``quote_plus``, in Python). Telegram
takes the same call as one JSON body (``application/json``), which orjson writes in one pass; its
answers are read with orjson too, from the bytes as they came (aiogram decodes them to text
first). Under the answer-path benchmark (py-spy, the real bot process) the form encoding was
about a tenth of the bot's thread and the JSON decoding of Telegram's answers about a twentieth.
A call that uploads a file still goes as aiogram's multipart form. An answer the bot never reads
(`bot.telegram.unread`) is only checked for Telegram's ``ok``, not built into aiogram's models.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import BytesPayload, ClientError, FormData

from bot.telegram.unread import Unread


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class JsonSession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("json_loads", orjson.loads)
        kwargs.setdefault("json_dumps", _dumps)
        super().__init__(**kwargs)

    def build_form_data(  # type: ignore[override]
        self, bot: Bot, method: TelegramMethod[TelegramType]
    ) -> FormData | BytesPayload:
        """The call as one JSON object, by aiogram's own rules for each value (``prepare_value``:
        the bot's defaults filled in, enums and dates as Telegram wants them, fields without a
        value left out), nested objects as objects; a file to upload makes it aiogram's form."""
        files: dict[str, InputFile] = {}
        body: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":
                continue  # as aiogram's form: a field without a value is not sent
            body[key] = prepared
        if files:
            return super().build_form_data(bot, method)
        return BytesPayload(orjson.dumps(body), content_type="application/json")

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        """aiogram's own (``AiohttpSession.make_request``), but the answer read as bytes, which
        orjson takes as they are."""
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        body = self.build_form_data(bot=bot, method=method)
        try:
            seconds = self.timeout if timeout is None else timeout
            # As aiogram's: aiohttp takes a number of seconds as a total timeout.
            async with session.post(url, data=body, timeout=seconds) as resp:  # type: ignore[arg-type]
                raw = await resp.read()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot,
            method=method,
            status_code=resp.status,
            content=raw,  # type: ignore[arg-type]  # orjson reads bytes
        )
        return cast(TelegramType, response.result)

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        """An answer nobody reads (`Unread`) that says ``ok``: taken as it is. Anything else, an
        error above all, goes through aiogram's checks and exceptions."""
        if isinstance(method, Unread) and status_code == 200:
            try:
                data = orjson.loads(content)
            except orjson.JSONDecodeError:
                data = None
            if isinstance(data, dict) and data.get("ok") is True:
                # Not Response[...]: subscripting the generic is a cache look-up on every call.
                return Response.model_construct(ok=True, result=data.get("result"))
        return super().check_response(bot, method, status_code, content)
