"""A write the database refused (disk full, a lock held too long, a read-only file).

Nothing about the person's tap was wrong, and a moment later the same tap may well be saved, so
they are told exactly that, in their language: the last answer was not saved, tap again shortly.
The tap is acknowledged (no endless spinner), and the cause is logged once, not once per tap:
when the disk is full every tap fails, and a log line per tap would help fill it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Update

from rubric.catalog import Messages
from rubric.schema import Lang
from storage.faults import cause
from storage.repository import Repository

log = logging.getLogger(__name__)
LOG_EVERY = 60.0
"""Seconds between two log lines about the same cause."""


class WriteFaults:
    """Logs each cause of failed writes at most once a minute, with a count of the rest. The
    dispatcher holds one, as ``write_faults`` in its workflow data."""

    def __init__(
        self, *, every: float = LOG_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every = every
        self._clock = clock
        self._logged: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def note(self, exc: BaseException, where: str) -> bool:
        """Records one failed write; True when it was logged (the first, or after a pause)."""
        words = cause(exc)
        now = self._clock()
        last = self._logged.get(words)
        if last is not None and now - last < self.every:
            self._quiet[words] = self._quiet.get(words, 0) + 1
            return False
        more = self._quiet.pop(words, 0)
        since = f"; {more} more failed writes since the last report" if more else ""
        log.error("a write to the database %s failed: %s%s", where, words, since)
        self._logged[words] = now
        return True


async def language_of(repo: Repository, user_id: int) -> Lang | None:
    """The person's language as stored (reading still works when writing does not): the one
    they chose for the survey, for their account, or the roster's."""
    try:
        invitee, _, account_lang = await repo.whois(user_id)
        if invitee is not None:
            record, _ = await repo.survey(invitee.id)
            if record is not None and record.language is not None:
                return record.language
        return account_lang or (invitee.language if invitee is not None else None)
    except Exception:  # the database may be failing altogether: then both languages
        return None


async def tell_not_saved(bot: Bot, update: Update, texts: Messages, repo: Repository) -> None:
    """Tells the person who sent `update` that it was not saved, in their language (both, Welsh
    first, if it is not known); a tap is answered with an alert, a message with a message."""
    query = update.callback_query
    message = update.message
    user = query.from_user if query is not None else (message.from_user if message else None)
    if user is None:
        return
    lang = await language_of(repo, user.id)
    key = "error.not_saved" if query is not None else "error.not_saved_typed"
    if query is not None:
        text = texts(lang, key) if lang else texts.both(key, separator=" / ")
        try:
            await bot.answer_callback_query(query.id, text=text[:200], show_alert=True)
            return
        except TelegramAPIError:
            pass  # answered already, or too old: say it in the chat instead
    text = texts(lang, key) if lang else texts.both(key)
    try:
        await bot.send_message(user.id, text)
    except TelegramAPIError:
        log.warning("could not tell user of update %s that it was not saved", update.update_id)
