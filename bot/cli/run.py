"""``datatool run``: the bot itself (long polling, or a webhook with ``WEBHOOK_URL``, and the
reminder schedule beside it).

Before it serves anyone it checks what an operator most often gets wrong, and says so in one
line: a database with nobody invited (a typo in ``DATATOOL_DB`` makes a new, empty one, whose
real invitees would all be told their code is unknown; ``--allow-empty`` to serve it anyway), a
second ``datatool run`` on the same SQLite file (one process per file: a lock file beside it),
a refused token, a port already in use; a Bot API it cannot reach is waited for, and said.
Then one log line names what is being served: the version, the database (never a password),
the bot, the mode, and how many councils and invitees it has.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.app import run
from bot.cli.common import Failure, open_repo
from bot.cli.telegram import open_bot, telegram_failures
from bot.cli.words import t
from bot.config import Settings
from bot.telegram.webhook import ListenFailed
from storage.database import is_postgres

log = logging.getLogger("bot.run")
UNTIL_REACHED = 1 << 62
"""Tries of the first call to the Bot API: as many as it takes (a refused token ends at once)."""


@contextmanager
def one_process(settings: Settings) -> Iterator[None]:
    """Holds ``DATATOOL_DB.lock`` (an exclusive ``flock``, released by the kernel however the
    process ends) for as long as the bot runs on a SQLite file: a second ``datatool run`` on the
    same file stops with a line that says so, instead of two pollers fighting over the updates.
    PostgreSQL is made for several workers, and takes no lock."""
    if is_postgres(settings.datatool_db):
        yield
        return
    path = Path(settings.datatool_db + ".lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise Failure(
                t("err.already_running", db=settings.database_label, pid=holder)
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


async def loaded(settings: Settings) -> tuple[int, int]:
    """(councils with invitees, invitees) in the database, migrating it if need be."""
    async with open_repo(settings) as repo:
        counts = [sum(r.invited for r in await repo.status(c.id)) for c in await repo.councils()]
    return sum(1 for n in counts if n), sum(counts)


def mode(settings: Settings) -> str:
    if settings.webhook_url is None:
        return "polling"
    host, port = settings.listen_address
    return f"webhook on {host}:{port}{settings.webhook_path}"


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.main import version_line

    settings.token()
    councils, invitees = await loaded(settings)
    if not invitees and not args.allow_empty:
        raise Failure(t("err.no_invitees", db=settings.database_label))
    with one_process(settings):
        # An unreachable Bot API (the network not up yet after a reboot) is waited for, and said:
        # WARNING with its URL at once, ERROR after a minute (bot.telegram.session.Reachability).
        async with open_bot(settings, attempts=UNTIL_REACHED) as bot:
            me = await bot.get_me()
        log.info(
            "%s: database %s, bot @%s, %s, %d invitee(s) in %d council(s)",
            version_line(),
            settings.database_label,
            me.username,
            mode(settings),
            invitees,
            councils,
        )
        try:
            async with telegram_failures(settings):
                await run(settings)
        except ListenFailed as exc:
            raise Failure(t("err.cannot_listen", address=exc.address, cause=exc.cause)) from None
    return 0
