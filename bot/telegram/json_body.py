"""aiogram's aiohttp session, speaking JSON both ways.

aiogram sends every Bot API call as a form: each field encoded on its own, the keyboard dumped to
a JSON string inside it, the whole percent-encoded (urllib's ``quote_plus``, in Python). Telegram
takes the same call as one JSON body (``application/json``), which orjson writes in one pass; its
answers are read with orjson too. Under the answer-path benchmark (py-spy, the real bot process)
the form encoding was about a tenth of the bot's thread and the JSON decoding of Telegram's
answers about a twentieth. A call that uploads a file still goes as aiogram's multipart form.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import BytesPayload, FormData


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
