"""Reminder bookkeeping on real SQLite (claims, crash takeover, reports once) and the emails'
composition. (The one retry policy, and the sender that relies on it: tests/telegram/.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.reminders.telegram_reminder import telegram_reminder
from bot.services.mail import compose, invite_link
from bot.services.reminder_run import Summary, orphaned
from bot.services.reminder_words import load_texts
from storage.database import Database
from storage.reminders import Claim, ReminderBook
from storage.repository import Repository
from storage.rows import RosterRow

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)
TEXTS = load_texts()


async def _invitee(db: Database) -> int:
    repo = Repository(db)
    await repo.import_roster(
        [RosterRow(council="powys", group="officer", name="Ann", email="ann@powys.example")]
    )
    council = await repo.find_council("powys")
    assert council is not None
    return (await repo.invitees(council.id))[0].id


def test_both_catalogs_hold_every_key() -> None:
    assert TEXTS.keys("en") == TEXTS.keys("cy")
    assert len(TEXTS.keys("en")) >= 15


async def test_a_step_is_claimed_once(db: Database) -> None:
    invitee = await _invitee(db)
    book = ReminderBook(db, clock=lambda: NOW)
    assert await book.claim(invitee, "r1", "telegram", "h:1:a")
    assert not await book.claim(invitee, "r1", "telegram", "h:2:b")  # a live run has it
    await book.mark_sent(invitee, "r1", "h:1:a")
    assert not await book.claim(invitee, "r1", "telegram", "h:2:b", dead_owners=["h:1:a"])
    (record,) = await book.records(invitee)
    assert (record.status, record.sent_at) == ("sent", NOW)


async def test_a_dead_runs_claim_is_taken_over_and_a_failure_retried(db: Database) -> None:
    invitee = await _invitee(db)
    book = ReminderBook(db, clock=lambda: NOW)
    assert await book.claim(invitee, "r1", "telegram", "h:1:a")
    assert [c.owner for c in await book.open_claims()] == ["h:1:a"]
    assert await book.claim(invitee, "r1", "telegram", "h:2:b", dead_owners=["h:1:a"])
    await book.mark_failed(invitee, "r1", "h:2:b", "TelegramNetworkError")
    assert await book.claim(invitee, "r1", "telegram", "h:3:c")
    await book.mark_sent(invitee, "r1", "h:1:a")  # the dead run's late word changes nothing
    assert (await book.records(invitee))[0].status == "sending"


async def test_blocked_and_bounced_mark_the_person(db: Database) -> None:
    invitee = await _invitee(db)
    repo = Repository(db)
    book = ReminderBook(db, clock=lambda: NOW)
    await book.claim(invitee, "invite", "email", "h:1:a")
    await book.mark_failed(invitee, "invite", "h:1:a", "550", unreachable="bounced")
    found = await repo.invitee(invitee)
    assert found is not None and found.unreachable == "bounced" and found.emailed_at is None
    await book.claim(invitee, "chase1", "email", "h:1:a")
    await book.mark_sent(invitee, "chase1", "h:1:a")
    found = await repo.invitee(invitee)
    assert found is not None and found.emailed_at == NOW


async def test_a_closed_councils_report_is_due_once(db: Database) -> None:
    repo = Repository(db)
    powys = await repo.find_council("powys")
    cardiff = await repo.find_council("cardiff")
    assert powys is not None and cardiff is not None
    book = ReminderBook(db, clock=lambda: NOW)
    await repo.set_window(powys.id, date(2026, 11, 1))
    await repo.set_window(cardiff.id, date(2026, 11, 2))
    assert await book.closed_unreported(date(2026, 11, 2)) == [powys.id]
    await repo.close_survey(cardiff.id, at=NOW + timedelta(hours=1))  # not yet
    assert await book.closed_unreported(date(2026, 11, 2)) == [powys.id]
    await book.mark_report_sent(powys.id)
    assert await book.closed_unreported(date(2026, 11, 2)) == []
    await repo.add_auditor(11, powys.id)
    await repo.add_auditor(12, None)
    await repo.add_auditor(13, cardiff.id)
    chats = await book.auditor_chats(powys.id, extra_ids=[12, 99])
    assert [c for c, _ in chats] == [11, 12, 99]


def test_orphaned_claims() -> None:
    claims = [
        Claim(owner="elsewhere:1:a", claimed_at=NOW - timedelta(minutes=1)),
        Claim(owner="elsewhere:2:b", claimed_at=NOW - timedelta(hours=1)),
    ]
    assert orphaned(claims, "me:3:c", NOW) == {"elsewhere:2:b"}


def test_summary_lines_say_when_email_is_off() -> None:
    summary = Summary(email_enabled=False, telegram=3, skipped={"recent": 2})
    lines = summary.lines()
    assert "sent by Telegram: 3" in lines
    assert "email channel skipped: SMTP_HOST is not set" in lines
    assert "  reminded in the last 24 hours: 2" in lines


# --- the words ------------------------------------------------------------------------------------


async def test_email_in_welsh_only_when_the_roster_says_so(db: Database) -> None:
    council = await Repository(db).find_council("powys")
    assert council is not None
    link = invite_link("datatool_bot", "TOKEN_123")
    mail = compose(
        TEXTS, sender="s@audit.wales", to="a@b.example", name="Dai", lang="cy",
        kind="last", link=link, council=council, closes_on=date(2026, 11, 20),
    )  # fmt: skip
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Annwyl Dai" in text and "20 Tachwedd 2026" in text and "yng Nghyngor Sir Powys" in text
    assert "Dear" not in text and "Audit Wales survey" not in str(mail["Subject"])
    assert link in text and f'href="{link}"' in html and 'lang="cy"' in html


async def test_email_both_languages_welsh_first(db: Database) -> None:
    council = await Repository(db).find_council("vale-of-glamorgan")
    assert council is not None
    mail = compose(
        TEXTS, sender="s@audit.wales", to="a@b.example", name="Eve <x>", lang=None,
        kind="invite", link="https://t.me/b?start=T", council=council,
    )  # fmt: skip
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert text.index("Mae'r fersiwn Saesneg isod") < text.index("Annwyl") < text.index("Dear")
    assert "Mae croeso i chi ateb yn Gymraeg" in text
    assert "Cyngor Bro Morgannwg" in text and "Vale of Glamorgan Council" in text
    assert str(mail["Subject"]).index("Arolwg") < str(mail["Subject"]).index("Audit Wales")
    assert "Eve &lt;x&gt;" in html and "<x>" not in html


async def test_telegram_reminder_resumes(db: Database) -> None:
    council = await Repository(db).find_council("powys")
    assert council is not None
    text, markup = telegram_reminder(TEXTS, council, None, last_call=False, closes_on=None)
    assert text.index("Nodyn atgoffa") < text.index("Reminder")
    (button,) = markup.inline_keyboard[0]
    assert button.text == "Parhau â'r arolwg / Continue the survey"
    assert button.callback_data == "n:resume:"


# --- the sender ---------------------------------------------------------------------------------
