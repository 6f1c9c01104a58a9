"""Telegram accounts: who wrote (`whois`), a code bound to the account that opened it, the
account's language and whether it blocked the bot, and forgetting a person."""

from __future__ import annotations

from datetime import timedelta

from rubric.schema import Lang
from storage import releases
from storage.database import to_iso
from storage.rows import BindOutcome, Council, Invitee
from storage.store import Store

FORGET_ASK_LASTS = timedelta(hours=1)
"""How long a shown withdrawal confirmation stays good for its tap."""


class AccountBook(Store):
    """The accounts that wrote to the bot, and their binding to the roster."""

    async def whois(self, telegram_id: int) -> tuple[Invitee | None, Council | None, Lang | None]:
        """Everything the bot needs to know about who wrote, in one read: their invitation and
        council (if their account is bound to one) and their language (the one their survey is
        in, else their account's; None while unknown)."""
        row = await self.db.fetchone(
            'SELECT i.id, i.council_id, c.slug AS council_slug, i.grp AS "group", i.name,'
            " i.email, i.language, i.team, i.token, i.telegram_id, i.opened_at, i.emailed_at,"
            " i.unreachable, c.slug_cy, c.name_en, c.name_cy, c.name_cy_soft, c.name_cy_nasal,"
            " c.name_cy_aspirate, a.language AS account_language, r.language AS survey_language"
            " FROM (SELECT CAST(? AS BIGINT) AS tid) t"
            " LEFT JOIN invitees i ON i.telegram_id = t.tid"
            " LEFT JOIN responses r ON r.invitee_id = i.id"
            " LEFT JOIN councils c ON c.id = i.council_id"
            " LEFT JOIN accounts a ON a.telegram_id = t.tid",
            (telegram_id,),
        )
        assert row is not None
        language = row["survey_language"] or row["account_language"]
        if row["id"] is None:
            return None, None, language
        fields = dict(row)
        council = Council(
            id=fields["council_id"],
            slug=fields["council_slug"],
            **{k: fields[k] for k in Council.model_fields if k not in ("id", "slug")},
        )
        invitee = Invitee(**{k: fields[k] for k in Invitee.model_fields})
        return invitee, council, language

    async def bind(self, token: str, telegram_id: int) -> BindOutcome:
        """Ties a personal code to the Telegram account that opened it. A code works for one
        account only, and one account answers for one invitee only."""
        async with self.db.transaction() as conn:
            invitee = await conn.fetchone(
                "SELECT id, telegram_id FROM invitees WHERE token = ?", (token,)
            )
            if invitee is None:
                return "unknown"
            if invitee["telegram_id"] == telegram_id:
                return "already_yours"
            if invitee["telegram_id"] is not None:
                return "taken"
            if await conn.fetchone("SELECT 1 FROM invitees WHERE telegram_id = ?", (telegram_id,)):
                return "has_other"
            if await conn.execute(
                "UPDATE invitees SET telegram_id = ?, opened_at = COALESCE(opened_at, ?),"
                " unreachable = CASE WHEN unreachable = 'blocked' THEN NULL ELSE unreachable END"
                " WHERE id = ? AND telegram_id IS NULL",
                (telegram_id, self._now(), invitee["id"]),
            ):
                return "bound"
            # Bound by another worker since the read (PostgreSQL): the update waited for that
            # binding's row lock and then found the code taken.
            now_bound = await conn.fetchone(
                "SELECT telegram_id FROM invitees WHERE id = ?", (invitee["id"],)
            )
            return "already_yours" if now_bound and now_bound[0] == telegram_id else "taken"

    async def account_language(self, telegram_id: int) -> Lang | None:
        row = await self.db.fetchone(
            "SELECT language FROM accounts WHERE telegram_id = ?", (telegram_id,)
        )
        return None if row is None else row[0]

    async def remember_account(self, telegram_id: int, language: Lang | None = None) -> None:
        """Records a Telegram user who wrote to the bot (and their language, when given). A user
        who writes again has evidently unblocked the bot."""
        now = self._now()
        async with self.db.transaction() as conn:  # the invitation first: storage.postgres
            await conn.execute(
                "UPDATE invitees SET unreachable = NULL"
                " WHERE telegram_id = ? AND unreachable = 'blocked'",
                (telegram_id,),
            )
            await conn.execute(
                "INSERT INTO accounts (telegram_id, language, first_seen) VALUES (?, ?, ?)"
                " ON CONFLICT (telegram_id) DO UPDATE SET"
                " language = COALESCE(excluded.language, accounts.language), blocked_at = NULL",
                (telegram_id, language, now),
            )

    async def set_account_blocked(self, telegram_id: int) -> None:
        """The user blocked the bot: remembered on the account and on the invitee it answers for."""
        now = self._now()
        async with self.db.transaction() as conn:  # the invitation first: storage.postgres
            await conn.execute(
                "UPDATE invitees SET unreachable = 'blocked' WHERE telegram_id = ?",
                (telegram_id,),
            )
            await conn.execute(
                "INSERT INTO accounts (telegram_id, first_seen, blocked_at) VALUES (?, ?, ?)"
                " ON CONFLICT (telegram_id) DO UPDATE SET blocked_at = excluded.blocked_at",
                (telegram_id, now, now),
            )

    async def ask_forget(self, telegram_id: int) -> None:
        """Records that the withdrawal's confirmation was shown to this account: the confirming
        tap counts only while it is recorded (`confirm_forget`), so a forged tap withdraws
        nobody."""
        now = self._now()
        await self.db.execute(
            "INSERT INTO accounts (telegram_id, first_seen, forget_asked_at) VALUES (?, ?, ?)"
            " ON CONFLICT (telegram_id) DO UPDATE SET forget_asked_at = excluded.forget_asked_at",
            (telegram_id, now, now),
        )

    async def confirm_forget(self, telegram_id: int, within: timedelta = FORGET_ASK_LASTS) -> bool:
        """True (once) when the confirmation was shown to this account in the last `within`;
        clears it either way, so one showing confirms one withdrawal."""
        since = to_iso(self._clock() - within)
        taken = await self.db.execute(
            "UPDATE accounts SET forget_asked_at = NULL WHERE telegram_id = ?"
            " AND forget_asked_at IS NOT NULL AND forget_asked_at >= ?",
            (telegram_id, since),
        )
        await self.db.execute(
            "UPDATE accounts SET forget_asked_at = NULL WHERE telegram_id = ?", (telegram_id,)
        )
        return taken > 0

    async def forget(self, telegram_id: int) -> bool:
        """Forgets a person: their response and answers, the tie between their Telegram account
        and the roster, and the account itself. The roster row stays (the council invited them);
        their code is cleared with their account (``datatool invites`` makes a new one). The
        releases that counted them note only that someone of their group and team left
        (`storage.releases.record_departure`). True if there was anything to forget."""
        async with self.db.transaction() as conn:
            invitees = [
                r[0]
                for r in await conn.fetchall(
                    "SELECT id FROM invitees WHERE telegram_id = ?", (telegram_id,)
                )
            ]
            forgotten = await releases.withdraw(conn, invitees)
            # Nothing that says they took part stays on the roster row: not when they first
            # opened the bot, not the code that tied them to it (`datatool invites` makes a
            # new one, should they want to start again).
            forgotten += await conn.execute(
                "UPDATE invitees SET telegram_id = NULL, opened_at = NULL, token = NULL"
                " WHERE telegram_id = ?",
                (telegram_id,),
            )
            forgotten += await conn.execute(
                "DELETE FROM accounts WHERE telegram_id = ?", (telegram_id,)
            )
        if forgotten:
            # secure_delete has zeroed the deleted rows in the database pages; the -wal file
            # still holds their old pages until it is checkpointed and truncated.
            await self.db.checkpoint()
        return forgotten > 0
