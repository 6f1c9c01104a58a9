"""One failed message never stops a reminder run: a bad name, a refused recipient, a refused
DATA command and a 400 from Telegram are each recorded against their person with the reason,
tried again with a cap, and everyone else is still reached. Real `datatool remind` processes,
the strict Bot API stand-in and a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.app import create_bot
from bot.cli.main import main
from bot.config import Settings
from bot.reminders.sender import TelegramReminders
from bot.services.reminder_run import FAILURE_CAP, run_reminders
from standin import StandIn
from storage.opening import open_database
from storage.reminders import ReminderBook
from storage.repository import Repository
from tests.e2e.test_reminders import (
    Inbox,
    _free_port,
    base_env,
    datatool,
    email_of,
    open_directly,
    reminders_in,
    seed,
    smtp_env,
)
from tests.support.bot_process import TOKEN

EVIL = "Evil Person\r\nBcc: everyone@example.org"


@dataclass
class PickyInbox(Inbox):
    """Refuses some recipients for good (550), some for now (450), and the DATA of others."""

    later: set[str] = field(default_factory=set)
    refuse_data: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.later:
            return "450 4.2.1 mailbox busy, try later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if any(r.lower() in self.refuse_data for r in envelope.rcpt_tos):
            return "554 5.7.1 message refused by policy"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def picky() -> Iterator[tuple[PickyInbox, int]]:
    inbox = PickyInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
async def api() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, bot_username="datatool_bot") as server:
        yield server
        # The one refusal this file provokes on purpose: a chat that never wrote to the bot.
        assert {v.description for v in server.violations} <= {"Bad Request: chat not found"}


def _plant_evil_name(db_path: Path, email: str) -> None:
    """A name with a line break, as a database filled before roster import refused them has."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE invitees SET name = ? WHERE email = ?", (EVIL, email))
    conn.close()


def _rows(db_path: Path) -> dict[str, tuple[str, str, str | None, int]]:
    """email -> (step, status, error, failures) of each invitee's only reminder row."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT i.email, m.step, m.status, m.error, m.failures FROM reminders m"
            " JOIN invitees i ON i.id = m.invitee_id ORDER BY m.id"
        ).fetchall()
    finally:
        conn.close()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


async def in_process(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    *args: str,
) -> tuple[int, str, str]:
    """`datatool ARGS` in this process (in a thread, beside the stand-in's loop): the same
    code as the command, without the seconds a new interpreter costs on a busy machine."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    code = await asyncio.to_thread(main, list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_remind_records_each_failure_and_reaches_everyone_else(
    api: StandIn,
    picky: tuple[PickyInbox, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, port = picky
    db_path = tmp_path / "datatool.sqlite3"
    # The people who fail come first (invitee order is the run's order): nobody after them
    # may be missed.
    people: list[tuple[str, str, str | None]] = [
        ("powys", "Evan Evil", "en"),  # a line break in the name: cannot be composed
        ("powys", "Gwen Morgan", "en"),  # 550 at RCPT: bounced, unreachable
        ("powys", "Tess Later", "en"),  # 450 at RCPT: failed for now
        ("powys", "Dewi Data", "cy"),  # 554 at DATA: this message refused
        ("powys", "Tom Ghost", "en"),  # bound to a Telegram chat that never wrote: 400
        ("powys", "Ann Jones", "en"),  # email, fine
        ("powys", "Bob Smith", "en"),  # Telegram, fine
    ]
    tokens = await seed(db_path, people)
    inbox.refuse.add(email_of("Gwen Morgan"))
    inbox.later.add(email_of("Tess Later"))
    inbox.refuse_data.add(email_of("Dewi Data"))
    async with await open_database(db_path) as db:
        repo = Repository(db)
        await open_directly(api, repo, tokens[email_of("Tom Ghost")], 7001, "en")
        await open_directly(api, repo, tokens[email_of("Bob Smith")], 7002, "en")
    api.state.users[7001].known = False  # the stand-in no longer knows Tom's chat: 400
    _plant_evil_name(db_path, email_of("Evan Evil"))
    env = base_env(api, db_path, **smtp_env(port))

    rc, out, err = await datatool(env, tmp_path, "remind", "powys")
    assert rc == 0, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    lines = out.splitlines()
    assert "sent by Telegram: 1" in lines and "sent by email: 1" in lines, out
    assert "unreachable: 1" in lines, out
    assert "failed (tried again by a later run): 4" in lines, out
    assert "  400: Bad Request: chat not found: 1" in lines, out
    assert "  SMTP 554: 5.7.1 message refused by policy: 1" in lines, out
    assert "  recipient refused for now: 450 4.2.1 mailbox busy, try later: 1" in lines, out
    assert any(
        line.startswith("  ValueError: Header values may not contain linefeed") for line in lines
    ), out
    assert "not reached this time:" in lines
    assert f"  {email_of('Tom Ghost')} (telegram, chase1): 400: Bad Request: chat not found" in (
        lines
    )
    assert "Bcc" not in out and "everyone@example.org" not in out

    # Everyone after the failures was reached, once; the injected header went nowhere.
    assert len(inbox.to(email_of("Ann Jones"))) == 1
    assert len(reminders_in(api.chat(7002))) == 1
    assert [m for m in inbox.mails if "everyone@example.org" in str(m)] == []
    assert len(inbox.mails) == 1

    rows = _rows(db_path)
    assert {e: r[1] for e, r in rows.items()} == {
        email_of("Evan Evil"): "failed",
        email_of("Gwen Morgan"): "failed",
        email_of("Tess Later"): "failed",
        email_of("Dewi Data"): "failed",
        email_of("Tom Ghost"): "failed",
        email_of("Ann Jones"): "sent",
        email_of("Bob Smith"): "sent",
    }
    assert rows[email_of("Gwen Morgan")][2] == "recipient refused: 550 5.1.1 no such mailbox"
    assert rows[email_of("Tom Ghost")][2] == "400: Bad Request: chat not found"
    assert all(rows[email_of(n)][3] == 1 for n in ("Evan Evil", "Tess Later", "Dewi Data"))

    # Tried again by each later run, up to the cap, then left alone and said so.
    for attempt in range(2, FAILURE_CAP + 1):
        rc, out, err = await in_process(monkeypatch, capsys, env, "remind", "powys")
        assert rc == 1, (attempt, out, err)  # only failures left: nothing could be sent
        assert "failed (tried again by a later run): 4" in out, out
        assert err.strip().splitlines()[-1] == (
            "datatool: nothing could be sent (powys): see the reasons above"
        )
    assert all(
        r[3] == FAILURE_CAP
        for e, r in _rows(db_path).items()
        if r[1] == "failed" and (e != email_of("Gwen Morgan"))
    )
    rc, out, err = await in_process(monkeypatch, capsys, env, "remind", "powys")
    assert rc == 0, (out, err)  # nothing was tried: not a failure of the run
    assert f"  failed {FAILURE_CAP} times, not tried again (correct their roster row): 4" in (
        out.splitlines()
    ), out
    assert len(inbox.mails) == 1 and len(reminders_in(api.chat(7002))) == 1

    # A corrected roster row earns a fresh try: the name is fixed, the email goes out.
    roster = tmp_path / "fix.csv"
    roster.write_text(
        f"council,group,name,email,language\npowys,officer,Evan Evans,{email_of('Evan Evil')},en\n",
        encoding="utf-8",
    )
    rc, out, err = await in_process(monkeypatch, capsys, env, "roster", "import", str(roster))
    assert rc == 0 and "1 updated" in out, (out, err)
    rc, out, err = await in_process(monkeypatch, capsys, env, "remind", "powys")
    assert rc == 0 and "sent by email: 1" in out, (out, err)
    (evan,) = inbox.to(email_of("Evan Evil"))
    assert "Evan Evans" in str(evan["To"])


async def test_a_run_where_nothing_can_be_sent_exits_1(
    api: StandIn, picky: tuple[PickyInbox, int], tmp_path: Path
) -> None:
    inbox, port = picky
    db_path = tmp_path / "datatool.sqlite3"
    await seed(db_path, [("cardiff", "Evan Evil", "en"), ("cardiff", "Gwen Morgan", None)])
    inbox.refuse.add(email_of("Gwen Morgan", "cardiff"))
    _plant_evil_name(db_path, email_of("Evan Evil", "cardiff"))
    rc, out, err = await datatool(base_env(api, db_path, **smtp_env(port)), tmp_path, "remind")
    assert rc == 1, (out, err)
    assert "sent by email: 0" in out and "unreachable: 1" in out, out
    assert err.strip().splitlines()[-1] == (
        "datatool: nothing could be sent (every council): see the reasons above"
    )
    assert _rows(db_path)[email_of("Evan Evil", "cardiff")][1] == "failed"  # not left 'sending'


LONDON = ZoneInfo("Europe/London")


async def test_the_schedule_retries_a_failed_invitation_after_a_gap_and_stops_at_the_cap(
    api: StandIn, picky: tuple[PickyInbox, int], tmp_path: Path
) -> None:
    inbox, port = picky
    now = [datetime(2026, 11, 2, 10, tzinfo=LONDON).astimezone(UTC)]  # a Monday, 10:00
    db_path = tmp_path / "datatool.sqlite3"
    await seed(db_path, [("powys", "Evan Evil", "en"), ("powys", "Ann Jones", "en")])
    _plant_evil_name(db_path, email_of("Evan Evil"))
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        telegram_api_url=api.base_url,
        datatool_db=db_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="survey@audit.wales",
        smtp_starttls=False,
    )
    bot = create_bot(settings)
    try:
        async with await open_database(db_path) as db:
            repo = Repository(db, clock=lambda: now[0])
            book = ReminderBook(db)

            async def round_() -> dict[str, int]:
                summary = await run_reminders(
                    repo,
                    TelegramReminders.of(bot, settings),
                    settings,
                    deliberate=False,
                    clock=lambda: now[0],
                )
                return {"email": summary.email, "failed": summary.failed, **summary.skipped}

            assert await round_() == {"email": 1, "failed": 1}  # Ann invited, Evan failed
            now[0] += timedelta(minutes=5)
            assert (await round_())["retry_later"] == 1  # too soon to try again
            for _ in range(FAILURE_CAP - 1):
                now[0] += timedelta(minutes=61)
                assert (await round_())["failed"] == 1
            now[0] += timedelta(minutes=61)
            assert (await round_())["gave_up"] == 1
            evan = await repo.invitee(1)
            assert evan is not None
            (record,) = await book.records(evan.id)
            assert (record.step, record.status, record.failures) == ("invite", "failed", 3)
            assert record.error is not None and "linefeed" in record.error
    finally:
        await bot.session.close()
    assert [str(m["To"]) for m in inbox.mails] == [f"Ann Jones <{email_of('Ann Jones')}>"]


# --- issue 26: a mail server that is down cannot stall a run ---------------------------------


@pytest.fixture
def black_hole() -> Iterator[tuple[int, list[socket.socket]]]:
    """A port that accepts connections and never says a word (a mail server that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


PEOPLE_BY_EMAIL: list[tuple[str, str, str | None]] = [
    ("powys", f"Person {i}", "en") for i in range(12)
]


@pytest.mark.parametrize("server", ["silent", "refusing"])
async def test_a_mail_server_that_is_down_stops_the_run_and_charges_nobody(
    server: str,
    api: StandIn,
    black_hole: tuple[int, list[socket.socket]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "datatool.sqlite3"
    await seed(db_path, PEOPLE_BY_EMAIL)
    port, accepted = black_hole
    if server == "refusing":
        port = _free_port()  # nothing listens there: every connection is refused
    env = base_env(api, db_path, **smtp_env(port), SMTP_TIMEOUT="0.5")
    env["DATATOOL_LANG"] = "en"

    rc, out, err = await in_process(monkeypatch, capsys, env, "remind", "powys")
    assert rc == 1, (out, err)  # tried, and nothing went out
    assert "Traceback" not in out + err
    lines = out.splitlines()
    assert any(
        line.startswith("email stopped: the mail server could not be reached several times in a")
        for line in lines
    ), out
    # The circuit opened on the first person's tries: everyone else was never tried.
    assert "failed (tried again by a later run): 1" in lines, out
    assert (
        "  not tried: the mail server could not be reached (the next run tries them): 11" in lines
    ), out
    if server == "silent":
        assert len(accepted) == 3  # three connections in a row, then no more
    # Charged to nobody: no try counted against anyone, and the rest left untouched.
    rows = _rows(db_path)
    assert len(rows) == 1 and [r[3] for r in rows.values()] == [0], rows

    # The same in Welsh, for a Welsh-speaking operator.
    env["DATATOOL_LANG"] = "cy"
    rc, out, err = await in_process(monkeypatch, capsys, env, "remind", "powys")
    assert "stopiwyd yr e-bost: ni ellid cyrraedd y gweinydd e-bost sawl gwaith yn olynol" in out
    assert "gadawyd y gweddill ar gyfer y rhediad nesaf" in out
