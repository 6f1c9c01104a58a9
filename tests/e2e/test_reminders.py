"""Reminders end to end: the real `datatool` processes, the strict Bot API stand-in and a real
SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.app import build_dispatcher, create_bot, run_schedule
from bot.config import Settings
from bot.services.schedule import SCHEDULE_LEASE
from standin import StandIn, StoredMessage
from storage.leases import Leases
from storage.opening import open_database
from storage.reminders import ReminderBook
from storage.repository import Repository
from storage.rows import RosterRow
from tests.support.bot_process import (
    AUDITOR_ID,
    TOKEN,
    BotProcess,
    answer_everything,
    datatool_command,
    run_datatool_here,
)

REMINDER_WORDS = ("Reminder", "Nodyn atgoffa", "Last call", "Galwad olaf")


# --- a real SMTP server on loopback ----------------------------------------------------------


@dataclass
class Inbox:
    refuse: set[str] = field(default_factory=set)
    mails: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert envelope.original_content is not None
        self.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.mails if address in str(m["To"])]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    # Another xdist worker may take a free port between the look and the bind: look again.
    for tries_left in reversed(range(5)):
        port = _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            if not tries_left:
                raise
    try:
        yield inbox, port
    finally:
        controller.stop()


# --- helpers ---------------------------------------------------------------------------------


def base_env(api: StandIn, db_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "SMTP_", "AUDITOR_", "DATATOOL_", "TELEGRAM_", "SEND_"))
    }
    env.update(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.base_url,
        DATATOOL_DB=str(db_path),
        AUDITOR_IDS=str(AUDITOR_ID),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def smtp_env(port: int) -> dict[str, str]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_FROM": "survey@audit.wales",
        "SMTP_STARTTLS": "false",
    }


async def datatool(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    """``datatool ARGS`` in this process (`run_datatool_here`): what the command does, without
    an interpreter start per call. That the command runs as a process of its own is
    `test_a_kill_mid_run_then_a_rerun_sends_each_reminder_exactly_once`, which kills one."""
    return await run_datatool_here(env, cwd, *args)


def reminders_in(chat: list[StoredMessage]) -> list[StoredMessage]:
    return [m for m in chat if m.from_bot and any(w in m.text for w in REMINDER_WORDS)]


def email_of(name: str, council: str = "powys") -> str:
    return f"{name.lower().replace(' ', '.')}@{council}.example"


async def seed(
    db_path: Path,
    people: list[tuple[str, str, str | None]],
    *,
    clock: Callable[[], datetime] | None = None,
) -> dict[str, str]:
    """(council, name, roster language) officers; returns email -> token."""
    rows = [
        RosterRow(council=c, group="officer", name=n, email=email_of(n, c), language=lang)
        for c, n, lang in people
    ]
    async with await open_database(db_path) as db:
        repo = Repository(db, clock=clock) if clock else Repository(db)
        await repo.import_roster(rows)
        tokens: dict[str, str] = {}
        for council in {r.council for r in rows}:
            found = await repo.find_council(council)
            assert found is not None
            for invitation in await repo.ensure_tokens(found.id):
                tokens[invitation.email] = invitation.token
    return tokens


async def open_directly(
    api: StandIn, repo: Repository, token: str, telegram_id: int, lang: str | None
) -> None:
    """Someone who opened the bot and chose a language (written straight to the database, for
    tests that need many such people quickly)."""
    api.state.user(telegram_id, first_name=f"U{telegram_id}").known = True
    assert await repo.bind(token, telegram_id) == "bound"
    await repo.remember_account(telegram_id, lang)  # type: ignore[arg-type]
    invitee = await repo.invitee_by_token(token)
    assert invitee is not None
    await repo.save_survey(
        invitee.id,
        language=lang,  # type: ignore[arg-type]
        privacy_accepted=True,
        cursor=None,
        reviewing=False,
        submitted=False,
    )


# --- the deliberate chase across both channels -------------------------------------------------


async def test_chase_reaches_every_unfinished_person_once_in_their_language(
    api: StandIn, bot_process: BotProcess, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse.add(email_of("Gwen Morgan"))
    tokens = await seed(
        bot_process.sqlite_path,
        [
            ("powys", "Ann Jones", None),  # submits: gets nothing
            ("powys", "Bob Smith", None),  # opens, English, answers a little: Telegram, English
            ("powys", "Cai Evans", None),  # opens, Cymraeg: Telegram, Welsh
            ("powys", "Dai Price", "cy"),  # never opens, roster Welsh: email in Welsh only
            ("powys", "Eve Hughes", None),  # never opens, language unknown: email, both
            ("powys", "Fay Lewis", None),  # opens, then blocks the bot: marked blocked
            ("powys", "Gwen Morgan", "en"),  # never opens, her mail bounces: marked bounced
            ("cardiff", "Huw Owen", None),  # Cardiff's survey is closed: nothing
        ],
    )
    await bot_process.start()

    ann = api.phone(2001, "Ann")
    await ann.send(f"/start {tokens[email_of('Ann Jones')]}")
    await ann.wait_for("Dewiswch eich iaith")
    await ann.tap("English")
    await ann.wait_for("Your privacy")
    await ann.tap("Continue")
    await answer_everything(ann, "en")
    await ann.tap("Submit")
    await ann.wait_for("Thank you")

    bob = api.phone(2002, "Bob")
    await bob.send(f"/start {tokens[email_of('Bob Smith')]}")
    await bob.wait_for("Dewiswch eich iaith")
    await bob.tap("English")
    await bob.wait_for("Your privacy")
    await bob.tap("Continue")
    first = await bob.wait_for("Question ")
    await bob.tap("Agree", first)
    await bob.wait_for(lambda m: m.message_id > first.message_id and "Question " in m.text)

    cai = api.phone(2003, "Cai", language_code="cy")
    await cai.send(f"/start {tokens[email_of('Cai Evans')]}")
    await cai.wait_for("Dewiswch eich iaith")
    await cai.tap("Cymraeg")
    await cai.wait_for("Eich preifatrwydd")

    fay = api.phone(2006, "Fay")
    await fay.send(f"/start {tokens[email_of('Fay Lewis')]}")
    await fay.wait_for("Dewiswch eich iaith")
    await fay.tap("English")
    await fay.wait_for("Your privacy")
    fay.block()

    env = base_env(api, bot_process.sqlite_path, **smtp_env(port))
    async with await open_database(bot_process.sqlite_path) as db:
        cardiff = await Repository(db).find_council("cardiff")
        assert cardiff is not None
        await Repository(db).close_survey(cardiff.id)

    rc, out, err = await datatool(env, bot_process.workdir, "remind")
    assert rc == 0, err
    assert "sent by Telegram: 2" in out, out
    assert "sent by email: 2" in out, out
    assert "unreachable: 2" in out, out
    assert "survey closed: 1" in out, out

    assert reminders_in(ann.messages) == []
    (bob_reminder,) = reminders_in(bob.messages)
    assert "Reminder" in bob_reminder.text and "Nodyn" not in bob_reminder.text
    assert bob_reminder.button_texts == ["Continue the survey"]
    (cai_reminder,) = reminders_in(cai.messages)
    assert "Nodyn atgoffa" in cai_reminder.text and "Reminder" not in cai_reminder.text
    assert "yng Nghyngor Sir Powys" in cai_reminder.text
    assert cai_reminder.button_texts == ["Parhau â'r arolwg"]
    assert reminders_in(fay.messages) == []

    (dai_mail,) = inbox.to(email_of("Dai Price"))
    dai_text = dai_mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Annwyl Dai Price" in dai_text and "Dear" not in dai_text
    assert f"https://t.me/datatool_bot?start={tokens[email_of('Dai Price')]}" in dai_text
    assert dai_mail.get_body(("html",)) is not None
    (eve_mail,) = inbox.to(email_of("Eve Hughes"))
    eve_text = eve_mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert 0 <= eve_text.index("Annwyl") < eve_text.index("Dear")
    assert str(eve_mail["Subject"]).startswith("Arolwg Archwilio Cymru")
    eve_html = eve_mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f'href="https://t.me/datatool_bot?start={tokens[email_of("Eve Hughes")]}"' in eve_html
    assert inbox.to(email_of("Huw Owen", "cardiff")) == []
    assert inbox.to(email_of("Gwen Morgan")) == []

    async with await open_database(bot_process.sqlite_path) as db:
        repo = Repository(db)
        powys = await repo.find_council("powys")
        assert powys is not None
        by_email = {i.email: i for i in await repo.invitees(powys.id)}
        status = await repo.status(powys.id)
    assert by_email[email_of("Fay Lewis")].unreachable == "blocked"
    assert by_email[email_of("Gwen Morgan")].unreachable == "bounced"
    assert by_email[email_of("Dai Price")].emailed_at is not None
    assert by_email[email_of("Bob Smith")].unreachable is None
    (officers, _members) = status
    assert (officers.invited, officers.emailed, officers.opened) == (7, 2, 4)
    assert (officers.submitted, officers.unreachable) == (1, 2)
    # A second run straight after sends nothing.
    sends = len(api.calls_to("sendMessage"))
    rc, out, _ = await datatool(env, bot_process.workdir, "remind", "powys")
    assert "sent by Telegram: 0" in out and "sent by email: 0" in out, out
    assert "reminded in the last 24 hours: 4" in out, out
    assert len(api.calls_to("sendMessage")) == sends
    assert len(inbox.mails) == 2

    # The reminder's button takes Bob back to where he left off.
    await bob.tap("Continue the survey", bob_reminder)
    resumed = await bob.wait_for("Question ")
    assert "Question 2" in resumed.text or "2/" in resumed.text, resumed.text


async def test_window_and_no_smtp(api: StandIn, tmp_path: Path) -> None:
    """A closed council gets nothing; re-opened, its people are due again. Without SMTP_HOST
    the email channel is skipped and the summary says so; a dry run sends nothing."""
    db_path = tmp_path / "datatool.sqlite3"
    await seed_opened(api, db_path, 2, 6000)
    await seed(db_path, [("powys", "Dai Price", "cy")])
    async with await open_database(db_path) as db:
        repo = Repository(db)
        powys = await repo.find_council("powys")
        assert powys is not None
        await repo.close_survey(powys.id)
    env = base_env(api, db_path)
    rc, out, err = await datatool(env, tmp_path, "remind", "Powys")
    assert rc == 0, err
    assert "sent by Telegram: 0" in out and "survey closed: 3" in out, out
    assert "email channel skipped: SMTP_HOST is not set" in out
    async with await open_database(db_path) as db:
        await Repository(db).set_window(powys.id, date(2099, 12, 31))
    rc, out, err = await datatool(env, tmp_path, "remind", "powys", "--dry-run")
    assert rc == 0, err
    assert "would send by Telegram: 2" in out and "would send by email: 0" in out, out
    assert "not opened the bot, and email is not set up (no SMTP_HOST): 1" in out, out
    assert not api.calls_to("sendMessage")


# --- crashes and floods ------------------------------------------------------------------------


async def seed_opened(api: StandIn, db_path: Path, n: int, first_id: int) -> list[int]:
    tokens = await seed(db_path, [("powys", f"Person {i:03d}", None) for i in range(n)])
    ids = []
    async with await open_database(db_path) as db:
        repo = Repository(db)
        for i in range(n):
            telegram_id = first_id + i
            lang = "cy" if i % 2 else "en"
            await open_directly(api, repo, tokens[email_of(f"Person {i:03d}")], telegram_id, lang)
            ids.append(telegram_id)
    return ids


async def test_a_kill_mid_run_then_a_rerun_sends_each_reminder_exactly_once(
    api: StandIn, tmp_path: Path
) -> None:
    db_path = tmp_path / "datatool.sqlite3"
    ids = await seed_opened(api, db_path, 40, 3000)
    env = base_env(api, db_path, SEND_RATE="20")
    proc = await asyncio.create_subprocess_exec(
        *datatool_command(), "remind", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90  # catches a hung run only: start-up alone can take seconds
    while len(api.calls_to("sendMessage")) < 12:
        assert loop.time() < deadline and proc.returncode is None
        await asyncio.sleep(0.005)
    # From now on every send hangs at the stand-in; the ones already through get recorded.
    api.faults.delay_ms = 3000
    await asyncio.sleep(0.6)
    proc.kill()
    await proc.wait()
    killed_at = loop.time()
    delivered = [len(reminders_in(api.chat(i))) for i in ids]
    assert 0 < sum(delivered) < len(ids), delivered
    assert max(delivered) == 1

    api.faults.delay_ms = 0
    rc, out, err = await datatool(env, tmp_path, "remind")
    assert rc == 0, err
    await asyncio.sleep(max(0.0, killed_at + 3.2 - loop.time()))  # any hung send would land now
    counts = [len(reminders_in(api.chat(i))) for i in ids]
    assert counts == [1] * len(ids), counts
    assert f"sent by Telegram: {len(ids) - sum(delivered)}" in out, out


async def test_a_share_of_429s_makes_nobody_miss_their_reminder(
    api: StandIn, tmp_path: Path
) -> None:
    db_path = tmp_path / "datatool.sqlite3"
    ids = await seed_opened(api, db_path, 12, 4000)
    api.faults.share_429 = 0.2
    api.faults.retry_after = 1
    api.faults.reseed(7)
    rc, out, err = await datatool(base_env(api, db_path), tmp_path, "remind")
    assert rc == 0, err
    assert any(i.kind == "429" for i in api.injected)
    assert [len(reminders_in(api.chat(i))) for i in ids] == [1] * len(ids)
    assert f"sent by Telegram: {len(ids)}" in out, out
    # Each 429 was followed by the same message again: one accepted send per person.
    assert "failed" not in out


# --- the schedule inside `datatool run`, with the clock injected --------------------------------

LONDON = ZoneInfo("Europe/London")


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, y: int, m: int, d: int, hh: int = 10) -> None:
        self.now = datetime(y, m, d, hh, tzinfo=LONDON).astimezone(UTC)


async def _no_sleep(_: float) -> None:
    return None


async def test_the_schedule_follows_the_cadence_hours_and_window(
    api: StandIn, tmp_path: Path
) -> None:
    clock = Clock(datetime(2026, 11, 2, 10, tzinfo=LONDON).astimezone(UTC))  # a Monday
    db_path = tmp_path / "datatool.sqlite3"
    tokens = await seed(db_path, [("powys", "Cai Evans", "cy"), ("powys", "Ann Jones", "en")])
    api.state.user(AUDITOR_ID, first_name="Auditor").known = True
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        telegram_api_url=api.base_url,
        datatool_db=db_path,
        auditor_ids=frozenset({AUDITOR_ID}),
    )
    async with await open_database(db_path) as db:
        repo = Repository(db, clock=clock)
        await open_directly(api, repo, tokens[email_of("Cai Evans")], 5001, None)
        await open_directly(api, repo, tokens[email_of("Ann Jones")], 5002, "en")
        ann = await repo.invitee_by_token(tokens[email_of("Ann Jones")])
        assert ann is not None
        await repo.save_survey(
            ann.id, language="en", privacy_accepted=True, cursor=None, reviewing=False,
            submitted=True,
        )  # fmt: skip
        bot = create_bot(settings)
        dp = build_dispatcher(settings, repo)

        async def round_at(y: int, m: int, d: int, hh: int = 10) -> int:
            clock.set(y, m, d, hh)
            before = len(reminders_in(api.chat(5001)))
            await run_schedule(bot=bot, dp=dp, repo=repo, clock=clock, sleep=_no_sleep, rounds=1)
            return len(reminders_in(api.chat(5001))) - before

        try:
            assert await round_at(2026, 11, 3) == 0  # a day later: too soon
            assert await round_at(2026, 11, 5, 8) == 0  # three days, but before 9:00
            # Another worker on the same database holds the schedule's lease: not this one's turn.
            leases = Leases(db, clock=clock)
            assert await leases.hold(SCHEDULE_LEASE, "other-worker", timedelta(days=30))
            assert await round_at(2026, 11, 5, 10) == 0
            await leases.release(SCHEDULE_LEASE, "other-worker")
            assert await round_at(2026, 11, 5, 10) == 1  # three days, working hours
            assert "Nodyn atgoffa" in reminders_in(api.chat(5001))[-1].text  # roster Welsh
            assert await round_at(2026, 11, 5, 15) == 0  # never twice a day
            assert await round_at(2026, 11, 7, 11) == 0  # Saturday
            assert await round_at(2026, 11, 12, 10) == 1  # a week after the first
            # The window closes on Friday 20th: the last call goes two days before.
            await repo.set_window(ann.council_id, date(2026, 11, 20))
            assert await round_at(2026, 11, 17, 10) == 0  # r3 is not due until the 19th
            assert await round_at(2026, 11, 18, 10) == 1
            assert "Galwad olaf" in reminders_in(api.chat(5001))[-1].text
            assert "20 Tachwedd 2026" in reminders_in(api.chat(5001))[-1].text
            assert reminders_in(api.chat(5002)) == []  # Ann submitted
            # After the last day, nothing more; the auditor gets the report once.
            assert not api.chat(AUDITOR_ID)
            assert await round_at(2026, 11, 23, 10) == 0
            documents = [m for m in api.chat(AUDITOR_ID) if m.document is not None]
            assert len(documents) == 1
            assert await round_at(2026, 11, 24, 10) == 0
            assert len([m for m in api.chat(AUDITOR_ID) if m.document is not None]) == 1
            book = ReminderBook(db, clock=clock)
            assert await book.closed_unreported(date(2026, 11, 30)) == []
            steps = [r.step for r in await book.records((await repo.invitee_by_token(
                tokens[email_of("Cai Evans")])).id)]  # type: ignore[union-attr]  # fmt: skip
            assert steps == ["r1", "r2", "last"]
        finally:
            await bot.session.close()


# --- /remind for auditors, in-process against the stand-in ------------------------------------


async def test_remind_command_is_for_the_councils_auditors_only(
    api: StandIn, tmp_path: Path
) -> None:
    from aiogram.types import Update

    db_path = tmp_path / "datatool.sqlite3"
    await seed_opened(api, db_path, 2, 8000)
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        telegram_api_url=api.base_url,
        datatool_db=db_path,
        auditor_ids=frozenset({AUDITOR_ID}),
    )
    stranger, cardiff_auditor = 8101, 8102
    for uid in (AUDITOR_ID, stranger, cardiff_auditor):
        api.state.user(uid, first_name="A").known = True
    async with await open_database(db_path) as db:
        repo = Repository(db)
        cardiff = await repo.find_council("cardiff")
        assert cardiff is not None
        await repo.add_auditor(cardiff_auditor, cardiff.id)
        # The real dispatcher: the auditor filter, the one refusal, the shared sender.
        dp = build_dispatcher(settings, repo)
        bot = create_bot(settings)

        async def say(uid: int, text: str, update_id: int) -> str:
            command = text.split()[0]
            update = Update.model_validate(
                {
                    "update_id": update_id,
                    "message": {
                        "message_id": update_id,
                        "date": 0,
                        "chat": {"id": uid, "type": "private"},
                        "from": {"id": uid, "is_bot": False, "first_name": "A"},
                        "text": text,
                        "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
                    },
                }
            )
            await dp.feed_update(bot, update)
            return api.chat(uid)[-1].text

        try:
            assert "not available to you" in await say(stranger, "/remind powys", 1)
            assert "not available to you" in await say(cardiff_auditor, "/remind powys", 2)
            assert "Usage: /remind" in await say(AUDITOR_ID, "/remind", 3)
            assert "council called" in await say(AUDITOR_ID, "/remind powis", 4)
            done = await say(AUDITOR_ID, "/remind powys", 5)
            assert "2 by Telegram" in done and "Email is not set up" in done, done
            assert [len(reminders_in(api.chat(8000 + i))) for i in range(2)] == [1, 1]
            again = await say(AUDITOR_ID, "/remind powys", 6)
            assert "0 by Telegram" in again, again
        finally:
            await bot.session.close()
