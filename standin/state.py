"""What the stand-in remembers: users, chats, messages, updates, callback queries, limits.

Everything here is plain data plus the bookkeeping rules (update ids, message ids, flood
buckets); the Bot API semantics live in ``methods.py`` and the HTTP layer in ``server.py``.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class ApiError(Exception):
    """A Bot API refusal: becomes ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        violation: bool = True,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters
        # True when the bot broke a Telegram rule (recorded in ``violations``).
        self.violation = violation

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class Violation(NamedTuple):
    """A refusal the bot provoked by breaking one of Telegram's rules."""

    method: str
    description: str
    payload: dict[str, Any]


class Call(NamedTuple):
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    time: float


class Injected(NamedTuple):
    """One fault the stand-in injected on purpose (not the bot's fault)."""

    method: str
    kind: str  # "429", "5xx", "drop", "flood_chat", "flood_global"
    time: float


@dataclass
class Faults:
    """Fault injection; all shares are 0..1 and drawn from a seeded random generator.

    They apply to send and edit calls (sendMessage, sendDocument, editMessageText,
    editMessageReplyMarkup). ``drop_after_apply`` makes a dropped call take effect before the
    connection closes, as when Telegram delivered but the answer was lost.
    """

    share_429: float = 0.0
    retry_after: int = 1
    share_5xx: float = 0.0
    share_drop: float = 0.0
    drop_after_apply: bool = False
    delay_ms: int = 0
    seed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def reseed(self, seed: int) -> None:
        self.seed = seed
        self._rng.seed(seed)

    def draw(self) -> str | None:
        """Which fault (if any) this call gets: "429", "5xx", "drop" or None."""
        roll = self._rng.random()
        for kind, share in (("429", self.share_429), ("5xx", self.share_5xx)):
            if roll < share:
                return kind
            roll -= share
        if roll < self.share_drop:
            return "drop"
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "share_429": self.share_429,
            "retry_after": self.retry_after,
            "share_5xx": self.share_5xx,
            "share_drop": self.share_drop,
            "drop_after_apply": self.drop_after_apply,
            "delay_ms": self.delay_ms,
            "seed": self.seed,
        }

    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key == "seed":
                self.reseed(int(value))
            elif key in self.as_dict():
                setattr(self, key, type(getattr(self, key))(value))
            else:
                raise KeyError(key)


class Bucket:
    """Token bucket: ``capacity`` messages at once, refilled at ``rate`` per second."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """Take one token; return 0 if there was one, else the seconds until there is."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class FloodControl:
    """Telegram's limits: about 1 message/s per chat (short bursts allowed), ~30/s overall.

    Both limits are always counted (``chat_over``, ``global_over``); they answer 429 only when
    enforced. The global one is enforced by default, the per-chat one is not.
    """

    chat_enforced: bool = False
    chat_burst: float = 20.0
    chat_rate: float = 1.0
    global_enforced: bool = True
    global_burst: float = 30.0
    global_rate: float = 30.0
    chat_over: int = 0
    global_over: int = 0
    answered_429: int = 0
    _chat: dict[int, Bucket] = field(default_factory=dict, repr=False)
    _global: Bucket | None = field(default=None, repr=False)

    def check(self, chat_id: int) -> tuple[str, int] | None:
        """Count one message to ``chat_id``; return (kind, retry_after) if it must get 429."""
        if self._global is None:
            self._global = Bucket(self.global_burst, self.global_rate)
        bucket = self._chat.setdefault(chat_id, Bucket(self.chat_burst, self.chat_rate))
        chat_wait = bucket.take()
        global_wait = self._global.take()
        if chat_wait:
            self.chat_over += 1
        if global_wait:
            self.global_over += 1
        if chat_wait and self.chat_enforced:
            self.answered_429 += 1
            return "flood_chat", max(1, round(chat_wait + 0.5))
        if global_wait and self.global_enforced:
            self.answered_429 += 1
            return "flood_global", max(1, round(global_wait + 0.5))
        return None


@dataclass
class User:
    id: int
    first_name: str
    language_code: str | None = None
    username: str | None = None
    last_name: str | None = None
    blocked: bool = False
    known: bool = False  # has written to the bot at least once
    title: str | None = None  # set: this is a group chat (negative id), not a person

    def as_user(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def as_chat(self) -> dict[str, Any]:
        if self.title is not None:
            return {"id": self.id, "type": "group", "title": self.title}
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class Document:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    data: bytes

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


@dataclass
class StoredMessage:
    """A message in a private chat, as it stands now (edits applied)."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: Document | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    edit_date: int | None = None
    edits: int = 0
    seq: int = 0  # changes whenever the message is created or edited
    sender: int | None = None  # in a group chat: the user who wrote it

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard as rows of (text, callback_data)."""
        if not self.reply_markup:
            return []
        return [
            [(b.get("text", ""), b.get("callback_data")) for b in row]
            for row in self.reply_markup.get("inline_keyboard", [])
        ]

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    @property
    def shown(self) -> str:
        """What the reader sees as the message body: text, or a document's caption."""
        return (self.caption or "") if self.document else self.text


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False


class Notifier:
    """Wakes every waiter whenever something changes (a new update, a bot message)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        if timeout <= 0:
            return False
        try:
            async with asyncio.timeout(timeout):  # no task per wait, unlike wait_for
                await self._event.wait()
        except TimeoutError:
            return False
        return True


UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_ALLOWED_UPDATES = UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
"""Telegram's default: every update type except these three."""


def allowed_update_types(raw: Any) -> frozenset[str] | None:
    """What getUpdates' ``allowed_updates`` asks for, as the Bot API reads it: None (keep what
    was asked before) for a missing or malformed value, the default for an empty list or one
    naming no known type."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else None
        except ValueError:
            return None
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        return None
    named = frozenset(x.lower() for x in raw) & UPDATE_TYPES
    return named or DEFAULT_ALLOWED_UPDATES


@dataclass
class State:
    """All the stand-in knows; one per :class:`~standin.server.StandIn`."""

    token: str
    bot_username: str
    bot_first_name: str = "Datatool"
    callback_timeout: float = 15.0
    strict_html: bool = True
    users: dict[int, User] = field(default_factory=dict)
    chats: dict[int, dict[int, StoredMessage]] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    callbacks: dict[str, CallbackQuery] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    redeliveries: deque[dict[str, Any]] = field(default_factory=deque)
    history: dict[int, dict[str, Any]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    injected: list[Injected] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    flood: FloodControl = field(default_factory=FloodControl)
    webhook_url: str = ""
    allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
    """The update types the bot asked for (getUpdates' ``allowed_updates``); others are dropped
    as they happen, as Telegram does."""
    webhook_secret: str = ""
    webhook_allowed: list[str] = field(default_factory=list)
    webhook_max_connections: int = 40
    webhook_last_error: tuple[int, str] | None = None
    webhook_delivered: int = 0
    webhook_failed: int = 0
    next_update_id: int = 100_000_001
    _message_ids: dict[int, int] = field(default_factory=dict)
    _seq: int = 0
    _callback_counter: int = 0
    _file_counter: int = 0
    _last_activity: dict[int, float] = field(default_factory=dict)
    _chat_notifiers: dict[int, Notifier] = field(default_factory=dict, repr=False)
    changed: Notifier = field(default_factory=Notifier)
    poll_generation: int = 0

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ids -----------------------------------------------------------------------------------
    def next_message_id(self, chat_id: int) -> int:
        value = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = value
        return value

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    @property
    def seq(self) -> int:
        return self._seq

    def new_callback_id(self) -> str:
        self._callback_counter += 1
        return f"{self.bot_id}{self._callback_counter:012d}"

    def new_file_ids(self) -> tuple[str, str]:
        self._file_counter += 1
        return f"BQACAgQAAxkBAAI{self._file_counter:08d}", f"AgAD{self._file_counter:06d}"

    # users and chats ------------------------------------------------------------------------
    def user(self, user_id: int, **details: Any) -> User:
        user = self.users.get(user_id)
        if user is None:
            user = User(id=user_id, first_name=details.pop("first_name", None) or "User")
            self.users[user_id] = user
        for key, value in details.items():
            if value is not None:
                setattr(user, key, value)
        return user

    def known_user(self, chat_id: Any) -> User:
        """The private chat ``chat_id`` if the user has written to the bot, else 400."""
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        user = self.users.get(key)
        if user is None or not user.known:
            raise bad_request("chat not found")
        return user

    def messages(self, chat_id: int) -> dict[int, StoredMessage]:
        return self.chats.setdefault(chat_id, {})

    def touch(self, chat_id: int) -> None:
        self._last_activity[chat_id] = time.monotonic()
        self.chat_changed_now(chat_id)

    def chat_changed(self, chat_id: int) -> Notifier:
        """Fired whenever something happens in one chat (a bot message sent or edited, a tap
        answered): a phone waits on its own chat's, so forty phones do not all wake, and scan
        their chats, on every Bot API call."""
        notifier = self._chat_notifiers.get(chat_id)
        if notifier is None:
            notifier = self._chat_notifiers[chat_id] = Notifier()
        return notifier

    def chat_changed_now(self, chat_id: int) -> None:
        notifier = self._chat_notifiers.get(chat_id)
        if notifier is not None:
            notifier.fire()

    def last_activity(self, chat_id: int) -> float:
        return self._last_activity.get(chat_id, 0.0)

    # updates -------------------------------------------------------------------------------
    def push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, **body}
        self.next_update_id += 1
        if not set(body) & self.allowed_updates:
            return update  # a type the bot did not ask for: never delivered
        self.pending.append(update)
        self.history[update["update_id"]] = update
        self.changed.fire()
        return update

    def redeliver(self, update_id: int) -> None:
        """Deliver ``update_id`` again on the next getUpdates, as after a lost confirmation."""
        self.redeliveries.append(self.history[update_id])
        self.changed.fire()

    def confirm(self, offset: int) -> None:
        if offset < 0:
            keep = -offset
            self.pending = self.pending[-keep:] if keep else []
            return
        self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def has_undelivered(self, user_id: int | None = None) -> bool:
        queued = list(self.pending) + list(self.redeliveries)
        if user_id is None:
            return bool(queued)
        return any(update_user(u) == user_id for u in queued)


def update_user(update: dict[str, Any]) -> int | None:
    for key in ("message", "callback_query", "edited_message"):
        if key in update:
            sender = update[key].get("from") or {}
            return sender.get("id")
    return None
