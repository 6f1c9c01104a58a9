"""The composition: builds the bot and the dispatcher, registers the command menus, and runs
the bot, by long polling or as a webhook, with the one schedule (reminders, and the reports of
closed surveys) beside it. It is the one module that knows every room; the rooms, the plumbing
(``bot.telegram``) and the services (``bot.services``) know nothing of it.

Everything long-lived (the repository, the questionnaire, the catalogs, the settings, the one
reminder sender) is put in the dispatcher's workflow data here, once and in plain sight, so
handlers receive it by name and nothing is global or made on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, BotCommandScopeDefault, ErrorEvent

from bot.auditor import report_commands as auditor
from bot.auditor.delivery import deliver_closed_report
from bot.auditor.gate import auditor_router
from bot.config import Settings
from bot.reminders import remind_command as reminders
from bot.reminders.sender import TelegramReminders, TelegramSender
from bot.respondent import answering as respondent
from bot.respondent import commands as common
from bot.respondent import preview
from bot.respondent.respondent_survey import Survey
from bot.respondent.screens import ScreenCache, ScreenCaches
from bot.services.preview import Previews
from bot.services.reminder_run import new_owner
from bot.services.reminder_words import load_texts as load_reminder_texts
from bot.services.schedule import reminder_loop
from bot.services.wording import say
from bot.telegram.faults import WriteFaults, tell_not_saved
from bot.telegram.middlewares import (
    OncePerUpdate,
    PersonIsolation,
    PrivateChatsOnly,
    Throttle,
    WhoIsThis,
)
from bot.telegram.polling import ConfirmingPolling
from bot.telegram.session import (
    KeepResponseModels,
    MalformedUpdates,
    RetryMiddleware,
    SendPacer,
    json_session,
)
from bot.telegram.webhook import serve_webhook
from rubric.catalog import Messages
from rubric.loader import load_questionnaire
from rubric.schema import Lang, Questionnaire
from storage.faults import is_write_fault
from storage.opening import open_database
from storage.questionnaires import Questionnaires
from storage.repository import Repository

log = logging.getLogger(__name__)
LOCALES = Path(__file__).parent / "locales"
DRAIN_SECONDS = 10.0
"""The longest a stop waits for the updates in flight (whatever is cut short comes again)."""

RESPONDENT_COMMANDS: dict[Lang, list[tuple[str, str]]] = {
    "en": [
        ("start", "cmd.start"),
        ("language", "cmd.language"),
        ("help", "cmd.help"),
        ("privacy", "cmd.privacy"),
        ("forget", "cmd.forget"),
    ],
    "cy": [
        ("start", "cmd.start"),
        ("iaith", "cmd.language"),
        ("cymorth", "cmd.help"),
        ("preifatrwydd", "cmd.privacy"),
        ("anghofio", "cmd.forget"),
    ],
}


def load_texts() -> Messages:
    return Messages(LOCALES)


def create_bot(
    settings: Settings, session: BaseSession | None = None, *, attempts: int = 10
) -> Bot:
    """The bot with its session: every call retried (``attempts``) and every send paced. A
    one-off command asks once for a few attempts, so an unreachable API fails in seconds."""
    if session is None:
        session = json_session(TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(KeepResponseModels())
    session.middleware(MalformedUpdates())
    session.middleware(RetryMiddleware(attempts=attempts, api_url=settings.telegram_api_url))
    session.middleware(SendPacer(settings.reply_rate))
    return Bot(
        settings.token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_dispatcher(
    settings: Settings,
    repo: Repository,
    *,
    questionnaire: Questionnaire | None = None,
    texts: Messages | None = None,
) -> Dispatcher:
    """One person's updates run one at a time (``PersonIsolation``: a double tap arrives
    as two concurrent updates); then each update is claimed once, throttled per person, and
    told who sent it and in which language, before any router sees it. Its long polling
    (`ConfirmingPolling`, confirming only what is stored) is ``dp["polling"]``."""
    questionnaire = questionnaire or load_questionnaire()
    texts = texts or load_texts()
    dp = Dispatcher(
        # The person's lock (in this process, and in the database for every worker sharing it)
        # wraps the middlewares below, so an update is read and recorded under it.
        events_isolation=PersonIsolation(repo),
        repo=repo,
        settings=settings,
        questionnaire=questionnaire,
        texts=texts,
        screens=(screens := ScreenCache(questionnaire, texts)),
        questionnaires=Questionnaires(repo, questionnaire),
        screen_caches=(screen_caches := ScreenCaches(screens)),
        reminder_texts=load_reminder_texts(),
        reminder_sender=TelegramSender(settings.send_rate),
        write_faults=WriteFaults(),
        previews=Previews(),
    )
    polling = dp["polling"] = ConfirmingPolling(dp)
    dp.update.outer_middleware(OncePerUpdate(repo, settled=polling.settle))
    dp.update.outer_middleware(PrivateChatsOnly())
    dp.update.outer_middleware(Throttle(rate=settings.flood_rate, repo=repo))
    dp.update.outer_middleware(WhoIsThis(repo, survey_of=Survey.of, screens_of=screen_caches.of))
    dp.include_routers(
        auditor_router(auditor.handlers, reminders.handlers, preview.commands),
        preview.taps.router(),
        respondent.handlers.router(),
        common.handlers.router(),
    )
    dp.errors.register(_on_error)
    return dp


async def _on_error(
    event: ErrorEvent, texts: Messages, bot: Bot, repo: Repository, write_faults: WriteFaults
) -> bool:
    """Log the failure (ids only: never answers or names) and tell the person their answers
    are safe, so nobody is left waiting on a silent bot. A write the database refused is told
    as such: the last answer was not saved, tap again shortly (see bot.telegram.faults)."""
    update = event.update
    if is_write_fault(event.exception):
        write_faults.note(event.exception, repo.location)
        await tell_not_saved(bot, update, texts, repo)
        return True
    # The frames, but not the exception's message: a message can quote what a person typed.
    frames = "".join(traceback.format_tb(event.exception.__traceback__))
    log.error("update %s failed: %s\n%s", update.update_id, type(event.exception).__name__, frames)
    user = update.callback_query.from_user if update.callback_query else None
    if update.message is not None and update.message.from_user is not None:
        user = update.message.from_user
    try:
        # A message, not a callback answer: the handler may have answered the tap already.
        if user is not None:
            await bot.send_message(user.id, say(texts, None, "error.generic"))
    except Exception:
        log.warning("could not tell the user about the failure of update %s", update.update_id)
    return True


async def register_commands(bot: Bot, texts: Messages) -> None:
    """The command menu in English (default) and in Welsh (for Welsh-language clients)."""
    for lang, commands in RESPONDENT_COMMANDS.items():
        await bot.set_my_commands(
            [BotCommand(command=c, description=texts(lang, key)) for c, key in commands],
            scope=BotCommandScopeDefault(),
            language_code=None if lang == "en" else lang,
        )


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set ``stop``, logged by name (aiogram's own handler would log it
    through its dispatcher logger, whose text arguments `bot.telegram.logs` withholds)."""
    loop = asyncio.get_running_loop()

    def on_signal(signum: signal.Signals) -> None:
        log.info("stopping: %s received", signum.name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)


async def run_polling(
    settings: Settings, *, background: list[Callable[..., object]] | None = None
) -> None:
    """``datatool run``: long polling until SIGINT/SIGTERM, with the reminder schedule beside it.
    On a signal the polling stops, the updates in flight get `DRAIN_SECONDS` to finish, and
    only then is the database closed."""
    async with await open_database(settings.datatool_db) as db:
        repo = Repository(db)
        bot = create_bot(settings)
        dp = build_dispatcher(settings, repo)
        polling: ConfirmingPolling = dp["polling"]
        tasks: list[asyncio.Task[object]] = []
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        stop_on_signals(stop)
        try:
            await bot.delete_webhook(drop_pending_updates=False)
            await register_commands(bot, dp["texts"])
            for start in background or []:
                tasks.append(asyncio.create_task(start(bot=bot, dp=dp, repo=repo)))  # type: ignore[arg-type]
            log.info("polling for updates")
            # Everything built so far (the questionnaire, the catalogs, aiogram's models) lives
            # as long as the process: out of the collector's way, it is not walked again at
            # every full collection while people answer (a few per cent of each answer).
            gc.freeze()
            poller = asyncio.create_task(polling.run(bot, polling_timeout=10))
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({poller, stopped}, return_when=asyncio.FIRST_COMPLETED)
            poller.cancel()
            stopped.cancel()
            await asyncio.gather(stopped, return_exceptions=True)
            with contextlib.suppress(asyncio.CancelledError):
                await poller  # an error of the polling itself is raised here
            log.info("stopping: finishing %s update(s) in flight", len(polling.in_flight))
            if not await polling.finish(DRAIN_SECONDS):
                log.warning("updates still in flight after %.0f s: they come again", DRAIN_SECONDS)
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            for background_task in tasks:
                background_task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await bot.session.close()


async def run_webhook(
    settings: Settings, *, background: list[Callable[..., object]] | None = None
) -> None:
    """``datatool run`` with ``WEBHOOK_URL``: listens on ``WEBHOOK_LISTEN``, then tells Telegram
    where to post; serves until SIGTERM or SIGINT. Every worker sets the same webhook, so
    starting a second one behind the same URL changes nothing."""
    async with await open_database(settings.datatool_db) as db:
        repo = Repository(db)
        bot = create_bot(settings)
        dp = build_dispatcher(settings, repo)
        await serve_webhook(
            settings, dp, bot, repo, background or [], register_commands, owner=new_owner()
        )


async def run_schedule(*, bot: Bot, dp: Dispatcher, repo: Repository, **options: Any) -> None:
    """The one schedule (``bot.services.schedule.reminder_loop``: due reminders, and closed
    surveys' reports to their auditors), given the bot's way to Telegram and the dispatcher's
    settings, sender and catalogs. ``options``: the loop's clock, sleep, rounds and owner."""
    settings: Settings = dp["settings"]
    texts: Messages = dp["reminder_texts"]
    questionnaire: Questionnaire = dp["questionnaire"]
    await reminder_loop(
        telegram=TelegramReminders(bot, dp["reminder_sender"], texts),
        deliver=partial(deliver_closed_report, bot, repo, questionnaire, settings),
        repo=repo,
        settings=settings,
        texts=texts,
        **options,
    )


async def run(settings: Settings) -> None:
    """``datatool run``: the bot, by long polling or (with ``WEBHOOK_URL``) as a webhook, with
    the one schedule beside it."""
    if settings.webhook_url is not None:
        await run_webhook(settings, background=[run_schedule])
    else:
        await run_polling(settings, background=[run_schedule])
