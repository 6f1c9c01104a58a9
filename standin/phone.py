"""Simulated Telegram users ("phones") that write to the bot and read what it answers.

:func:`user_send` and :func:`user_tap` are the two things a person can do; they create the
updates the bot receives. :class:`Phone` wraps them for in-process tests and the demo, with
waits for the bot's answers. The HTTP control API in ``server.py`` calls the same functions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from standin.methods import message_dict, new_callback, user_entities
from standin.state import CallbackQuery, Document, State, StoredMessage

Match = str | Callable[[StoredMessage], bool]


def user_send(state: State, user_id: int, text: str, **details: Any) -> dict[str, Any]:
    """The user types ``text``; returns the Telegram message put in a new update.

    Writing to the bot makes the chat known and, as on Telegram, unblocks the bot.
    """
    if not text:
        raise ValueError("a phone cannot send an empty message")
    user = state.user(user_id, **details)
    user.known = True
    user.blocked = False
    msg = StoredMessage(
        message_id=state.next_message_id(user_id),
        chat_id=user_id,
        from_bot=False,
        date=int(time.time()),
        text=text,
        entities=user_entities(text),
    )
    msg.seq = state.next_seq()
    state.messages(user_id)[msg.message_id] = msg
    body = message_dict(state, msg)
    state.touch(user_id)
    state.push_update({"message": body})
    return body


def group_send(state: State, group_id: int, user_id: int, text: str) -> dict[str, Any]:
    """``user_id`` writes ``text`` in the group chat ``group_id`` (negative), where the bot is a
    member; the bot may then send to the group."""
    if group_id >= 0:
        raise ValueError("group chat ids are negative")
    group = state.user(group_id, first_name="Group")
    group.title, group.known = f"Group {-group_id}", True
    state.user(user_id)
    msg = StoredMessage(
        message_id=state.next_message_id(group_id),
        chat_id=group_id,
        from_bot=False,
        date=int(time.time()),
        text=text,
        entities=user_entities(text),
        sender=user_id,
    )
    msg.seq = state.next_seq()
    state.messages(group_id)[msg.message_id] = msg
    body = message_dict(state, msg)
    state.touch(group_id)
    state.push_update({"message": body})
    return body


def find_button(
    state: State, user_id: int, label: str, message_id: int | None = None
) -> tuple[StoredMessage, str]:
    """The newest bot message with a callback button whose text or data is ``label``."""
    chat = state.messages(user_id)
    if message_id is not None:
        candidates = [chat[message_id]] if message_id in chat else []
    else:
        candidates = sorted(
            (m for m in chat.values() if m.from_bot), key=lambda m: m.message_id, reverse=True
        )
    for msg in candidates:
        for row in msg.buttons:
            for text, data in row:
                if data is not None and label in (text, data):
                    return msg, data
    shown = [m.button_texts for m in candidates[:3]]
    raise LookupError(f"no button {label!r} in chat {user_id}; newest buttons: {shown}")


def user_tap(state: State, user_id: int, label: str, message_id: int | None = None) -> str:
    """The user taps a button (by its text or callback_data); returns the callback query id."""
    msg, data = find_button(state, user_id, label, message_id)
    body = new_callback(state, user_id, msg, data)
    state.touch(user_id)
    state.push_update({"callback_query": body})
    return str(body["id"])


class Phone:
    """One simulated user in a private chat with the bot."""

    def __init__(self, state: State, user_id: int) -> None:
        self._state = state
        self.user_id = user_id
        self._mark = state.seq

    @property
    def user(self) -> Any:
        return self._state.users[self.user_id]

    # acting ----------------------------------------------------------------------------------
    async def send(self, text: str) -> dict[str, Any]:
        """Type ``text`` (commands get ``bot_command`` entities); returns the message sent."""
        self._mark = self._state.seq
        return user_send(self._state, self.user_id, text)

    async def tap(self, button: str, message: StoredMessage | int | None = None) -> str:
        """Tap the button with this text or callback_data on the newest message showing it."""
        message_id = message.message_id if isinstance(message, StoredMessage) else message
        self._mark = self._state.seq
        return user_tap(self._state, self.user_id, button, message_id)

    def block(self) -> None:
        """The user blocks the bot: sends to them get 403 until they write again."""
        self.user.blocked = True

    def unblock(self) -> None:
        self.user.blocked = False

    # reading ---------------------------------------------------------------------------------
    @property
    def messages(self) -> list[StoredMessage]:
        """The whole chat, oldest first, with edits applied."""
        chat = self._state.messages(self.user_id)
        return [chat[k] for k in sorted(chat)]

    @property
    def bot_messages(self) -> list[StoredMessage]:
        return [m for m in self.messages if m.from_bot]

    @property
    def last(self) -> StoredMessage | None:
        """The bot's newest message."""
        found = self.bot_messages
        return found[-1] if found else None

    @property
    def documents(self) -> list[Document]:
        return [m.document for m in self.bot_messages if m.document is not None]

    @property
    def answers(self) -> list[CallbackQuery]:
        """This user's button taps, with the bot's answers (toasts) once given."""
        return [q for q in self._state.callbacks.values() if q.user_id == self.user_id]

    async def wait_for(self, match: Match, timeout: float = 5.0) -> StoredMessage:
        """The first bot message sent or edited since this phone's last send/tap that matches.

        ``match`` is a substring of the visible text (or caption), or a predicate.
        """
        test: Callable[[StoredMessage], bool] = (
            (lambda m: match in m.shown) if isinstance(match, str) else match
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            fresh = sorted(
                (m for m in self.bot_messages if m.seq > self._mark), key=lambda m: m.seq
            )
            for msg in fresh:
                if test(msg):
                    return msg
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [m.shown[:80] for m in fresh[-5:]]
                raise TimeoutError(
                    f"phone {self.user_id}: no message matching {match!r}; got {seen}"
                )
            await self._state.chat_changed(self.user_id).wait(min(remaining, 0.1))

    async def wait_quiet(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until the bot has taken this user's updates and said nothing for ``quiet`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = time.monotonic()
            idle = now - self._state.last_activity(self.user_id)
            if not self._state.has_undelivered(self.user_id) and idle >= quiet:
                return
            if loop.time() >= deadline:
                raise TimeoutError(f"phone {self.user_id}: the bot did not go quiet")
            await asyncio.sleep(0.02)
