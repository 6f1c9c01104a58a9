"""The Bot API methods the stand-in answers, with Telegram's rules and error descriptions.

Each handler takes the :class:`~standin.state.State` and the request's :class:`Params`
and returns the ``result`` or raises :class:`~standin.state.ApiError`. getUpdates lives in
``server.py`` because it waits.
"""

from __future__ import annotations

import builtins
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from standin.html_check import TelegramRuleError, check_text, utf16_len
from standin.state import (
    UPDATE_TYPES,
    ApiError,
    CallbackQuery,
    Document,
    State,
    StoredMessage,
    bad_request,
)

MAX_BUTTONS = 100
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class Upload:
    """A file part of a multipart request."""

    def __init__(self, filename: str, content_type: str, data: bytes) -> None:
        self.filename = filename
        self.content_type = content_type
        self.data = data

    def describe(self) -> dict[str, Any]:
        return {"filename": self.filename, "size": len(self.data)}


class Params:
    """Request parameters from JSON, a form or the query string, typed on access.

    Form values are strings and structured values JSON-encoded strings, as Telegram accepts.
    """

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return value is not None and value != ""

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, Upload):
            raise bad_request(f'field "{name}" must be of type String')
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: builtins.str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def float(self, name: builtins.str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def bool(self, name: builtins.str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: builtins.str, what: builtins.str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what} JSON object") from None
        return value

    def loggable(self) -> dict[builtins.str, Any]:
        return {k: (v.describe() if isinstance(v, Upload) else v) for k, v in self.values.items()}


def _rule(error: TelegramRuleError) -> ApiError:
    return ApiError(400, error.description)


def _now() -> int:
    return int(time.time())


def check_markup(params: Params) -> dict[str, Any] | None:
    """Validate ``reply_markup`` (JSON string or object) as Telegram does."""
    markup = params.json("reply_markup", "reply keyboard")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        # reply keyboards and removals are passed through unchecked
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    rows = [
        [{k: v for k, v in b.items() if v is not None} if isinstance(b, dict) else b for b in row]
        for row in rows
    ]
    markup = {**markup, "inline_keyboard": rows}
    count = 0
    for row in rows:
        for button in row:
            count += 1
            if not isinstance(button, dict) or "text" not in button:
                raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
            if not str(button["text"]).strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            actions = [
                k
                for k in (
                    "callback_data",
                    "url",
                    "switch_inline_query",
                    "switch_inline_query_current_chat",
                    "web_app",
                    "login_url",
                    "pay",
                    "callback_game",
                    "copy_text",
                    "switch_inline_query_chosen_chat",
                )
                if button.get(k) is not None
            ]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in actions:
                data = button["callback_data"]
                if not isinstance(data, str):
                    raise bad_request(
                        "can't parse inline keyboard button: "
                        'Field "callback_data" must be of type String'
                    )
                if not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
    if count > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return markup


def _message_dict(state: State, msg: StoredMessage) -> dict[str, Any]:
    user = state.users[msg.chat_id]
    data: dict[str, Any] = {
        "message_id": msg.message_id,
        "from": state.bot_user()
        if msg.from_bot
        else (state.users[msg.sender] if msg.sender is not None else user).as_user(),
        "chat": user.as_chat(),
        "date": msg.date,
    }
    if msg.edit_date is not None:
        data["edit_date"] = msg.edit_date
    if msg.document is not None:
        data["document"] = msg.document.as_dict()
        if msg.caption:
            data["caption"] = msg.caption
            if msg.caption_entities:
                data["caption_entities"] = msg.caption_entities
    else:
        data["text"] = msg.text
        if msg.entities:
            data["entities"] = msg.entities
    if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
        data["reply_markup"] = msg.reply_markup
    return data


def message_dict(state: State, msg: StoredMessage) -> dict[str, Any]:
    """A stored message as a Telegram ``Message`` object."""
    return _message_dict(state, msg)


def _target(state: State, params: Params) -> int:
    if not params.has("chat_id"):
        raise bad_request("chat_id is empty")
    user = state.known_user(params.raw("chat_id"))
    return user.id


def _sendable(state: State, params: Params) -> int:
    chat_id = _target(state, params)
    if state.users[chat_id].blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user", violation=False)
    return chat_id


def _store(state: State, msg: StoredMessage) -> StoredMessage:
    msg.seq = state.next_seq()
    state.messages(msg.chat_id)[msg.message_id] = msg
    state.touch(msg.chat_id)
    state.changed.fire()
    return msg


def get_me(state: State, params: Params) -> Any:
    return {
        **state.bot_user(),
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def set_webhook(state: State, params: Params) -> Any:
    """As Telegram: an HTTPS URL (here also plain HTTP to this machine, since the bot under test
    listens without TLS), a secret of 1-256 characters of A-Za-z0-9_-, 1-100 connections."""
    url = params.str("url", "") or ""
    if not url:
        return delete_webhook(state, params)
    parts = urlsplit(url)
    plain_local = parts.scheme == "http" and parts.netloc.rsplit(":", 1)[0] in _LOOPBACK
    if parts.scheme != "https" and not plain_local:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not parts.hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    secret = params.str("secret_token", "") or ""
    if params.has("secret_token") and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    connections = params.int("max_connections", 40) or 40
    if not 1 <= connections <= 100:
        raise bad_request("bad max_connections")
    allowed = params.json("allowed_updates", "Array of String")
    if allowed is not None:
        if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
            raise bad_request("can't parse allowed updates")
        state.webhook_allowed = [a for a in allowed if a in UPDATE_TYPES]
    if params.bool("drop_pending_updates"):
        state.pending.clear()
        state.redeliveries.clear()
    state.webhook_url = url
    state.webhook_secret = secret
    state.webhook_max_connections = connections
    state.poll_generation += 1  # a long poll still waiting ends (409, as on Telegram)
    state.changed.fire()
    return True


def delete_webhook(state: State, params: Params) -> Any:
    if params.bool("drop_pending_updates"):
        state.pending.clear()
        state.redeliveries.clear()
    state.webhook_url = ""
    state.webhook_secret = ""
    state.changed.fire()
    return True


def get_webhook_info(state: State, params: Params) -> Any:
    info: dict[str, Any] = {
        "url": state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending) + len(state.redeliveries),
    }
    if state.webhook_url:
        info["max_connections"] = state.webhook_max_connections
        if state.webhook_allowed:
            info["allowed_updates"] = list(state.webhook_allowed)
        if state.webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = state.webhook_last_error
    return info


def _scope_key(params: Params) -> tuple[str, str]:
    scope = params.json("scope", "BotCommandScope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = params.str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


def set_my_commands(state: State, params: Params) -> Any:
    commands = params.json("commands", "commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    clean: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict) or "command" not in item:
            raise bad_request("can't parse BotCommand: Can't find field \"command\"")
        if "description" not in item:
            raise bad_request("can't parse BotCommand: Can't find field \"description\"")
        command, description = str(item["command"]), str(item["description"])
        if not COMMAND_RE.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not description.strip():
            raise bad_request("command description must be non-empty")
        if utf16_len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": command, "description": description})
    state.commands[_scope_key(params)] = clean
    return True


def get_my_commands(state: State, params: Params) -> Any:
    return list(state.commands.get(_scope_key(params), []))


def delete_my_commands(state: State, params: Params) -> Any:
    state.commands.pop(_scope_key(params), None)
    return True


def send_message(state: State, params: Params) -> Any:
    chat_id = _sendable(state, params)
    try:
        parsed = check_text(params.str("text"), params.str("parse_mode"), strict=state.strict_html)
    except TelegramRuleError as error:
        raise _rule(error) from None
    markup = check_markup(params)
    msg = StoredMessage(
        message_id=state.next_message_id(chat_id),
        chat_id=chat_id,
        from_bot=True,
        date=_now(),
        text=parsed.text,
        entities=parsed.entities,
        html=params.str("text"),
        reply_markup=markup,
    )
    return message_dict(state, _store(state, msg))


def send_document(state: State, params: Params) -> Any:
    chat_id = _sendable(state, params)
    try:
        parsed = check_text(
            params.str("caption"),
            params.str("parse_mode"),
            caption=True,
            strict=state.strict_html,
        )
    except TelegramRuleError as error:
        raise _rule(error) from None
    markup = check_markup(params)
    raw = params.raw("document")
    if isinstance(raw, str) and raw.startswith("attach://"):
        raw = params.raw(raw.removeprefix("attach://"))
    if isinstance(raw, Upload):
        if not raw.data:
            raise bad_request("file must be non-empty")
        file_id, unique_id = state.new_file_ids()
        document = Document(
            file_id=file_id,
            file_unique_id=unique_id,
            file_name=raw.filename,
            mime_type=raw.content_type or "application/octet-stream",
            data=raw.data,
        )
        state.documents[file_id] = document
    elif isinstance(raw, str) and raw in state.documents:
        document = state.documents[raw]
    elif raw in (None, ""):
        raise bad_request("there is no document in the request")
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    msg = StoredMessage(
        message_id=state.next_message_id(chat_id),
        chat_id=chat_id,
        from_bot=True,
        date=_now(),
        document=document,
        caption=parsed.text or None,
        caption_entities=parsed.entities,
        html=params.str("caption"),
        reply_markup=markup,
    )
    return message_dict(state, _store(state, msg))


def _editable(state: State, params: Params) -> StoredMessage:
    if params.has("inline_message_id"):
        raise bad_request("message to edit not found")
    chat_id = _target(state, params)
    message_id = params.int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    msg = state.messages(chat_id).get(message_id)
    if msg is None:
        raise bad_request("message to edit not found")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return msg


def _edited(state: State, msg: StoredMessage) -> Any:
    msg.edit_date = _now()
    msg.edits += 1
    msg.seq = state.next_seq()
    state.touch(msg.chat_id)
    state.changed.fire()
    return message_dict(state, msg)


def check_inline_markup(params: Params) -> dict[str, Any] | None:
    """An edit takes an inline keyboard only; a reply keyboard there is refused."""
    markup = check_markup(params)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def edit_message_text(state: State, params: Params) -> Any:
    msg = _editable(state, params)
    if msg.document is not None:
        raise bad_request("there is no text in the message to edit")
    try:
        parsed = check_text(params.str("text"), params.str("parse_mode"), strict=state.strict_html)
    except TelegramRuleError as error:
        raise _rule(error) from None
    markup = check_inline_markup(params)
    if parsed.text == msg.text and parsed.entities == msg.entities and markup == msg.reply_markup:
        raise bad_request(NOT_MODIFIED)
    msg.text, msg.entities, msg.html, msg.reply_markup = (
        parsed.text,
        parsed.entities,
        params.str("text"),
        markup,
    )
    return _edited(state, msg)


def edit_message_reply_markup(state: State, params: Params) -> Any:
    msg = _editable(state, params)
    markup = check_inline_markup(params)
    if markup == msg.reply_markup or (not markup and not msg.reply_markup):
        raise bad_request(NOT_MODIFIED)
    msg.reply_markup = markup
    return _edited(state, msg)


def answer_callback_query(state: State, params: Params) -> Any:
    query_id = params.str("callback_query_id") or ""
    query = state.callbacks.get(query_id)
    too_old = (
        query is None or query.answered or time.monotonic() - query.created > state.callback_timeout
    )
    if too_old:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    assert query is not None
    text = params.str("text")
    if text is not None and utf16_len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer_text = text
    query.show_alert = params.bool("show_alert")
    state.changed.fire()
    state.chat_changed_now(query.user_id)
    return True


def send_chat_action(state: State, params: Params) -> Any:
    _sendable(state, params)
    action = params.str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def get_chat(state: State, params: Params) -> Any:
    user = state.known_user(params.raw("chat_id"))
    return {
        **user.as_chat(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def ok(state: State, params: Params) -> Any:
    return True


Handler = Callable[[State, Params], Any | Awaitable[Any]]

METHODS: dict[str, Handler] = {
    "getme": get_me,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "sendmessage": send_message,
    "senddocument": send_document,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "answercallbackquery": answer_callback_query,
    "sendchataction": send_chat_action,
    "getchat": get_chat,
    "close": ok,
    "logout": ok,
}

# Calls that fault injection and flood control apply to.
SENDS = frozenset({"sendmessage", "senddocument"})
FAULTY = SENDS | {"editmessagetext", "editmessagereplymarkup"}


def new_callback(state: State, user_id: int, msg: StoredMessage, data: str) -> dict[str, Any]:
    """Record a button tap and build the ``callback_query`` update body."""
    query = CallbackQuery(
        id=state.new_callback_id(),
        user_id=user_id,
        message_id=msg.message_id,
        data=data,
        created=time.monotonic(),
    )
    state.callbacks[query.id] = query
    return {
        "id": query.id,
        "from": state.users[user_id].as_user(),
        "message": message_dict(state, msg),
        "chat_instance": f"-{user_id}{state.bot_id}",
        "data": data,
    }


_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")


def user_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities Telegram attaches to a user's message."""
    entities = []
    for match in _COMMAND.finditer(text):
        entities.append(
            {
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
                "type": "bot_command",
            }
        )
    return entities
