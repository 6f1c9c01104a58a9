"""Councils as the database holds them, and found by what a person calls them."""

from __future__ import annotations

import difflib

from storage.councils import COUNCILS, fold, short_name_cy, short_name_en
from storage.database import Row
from storage.rows import Council
from storage.store import Store

_ALIASES = {c.slug: c.aliases for c in COUNCILS}
_LEADING_WORDS = ("the-", "cyngor-", "gyngor-", "nghyngor-", "chyngor-")
_TRAILING_WORDS = ("-council", "-county-borough", "-county", "-city", "-cbc")


def match_key(text: str) -> str:
    """What a council name is compared by: folded (accents, case, spaces vs hyphens), with
    the words that every name shares ("Cyngor", "Council", "County") taken off."""
    key = fold(text)
    changed = True
    while changed:
        changed = False
        for word in _LEADING_WORDS:
            if key.startswith(word) and len(key) > len(word):
                key, changed = key[len(word) :], True
        for word in _TRAILING_WORDS:
            if key.endswith(word) and len(key) > len(word):
                key, changed = key[: -len(word)], True
    return key


def council_keys(council: Council) -> set[str]:
    """Every key under which `council` is found: its slugs, its names in both languages (full,
    short, mutated), and its known aliases."""
    names = {
        council.slug,
        council.slug_cy,
        council.name_en,
        council.name_cy,
        council.name_cy_soft,
        council.name_cy_nasal,
        council.name_cy_aspirate,
        short_name_en(council.name_en),
        short_name_cy(council.name_cy),
        *_ALIASES.get(council.slug, ()),
    }
    return {fold(n) for n in names} | {match_key(n) for n in names}


def council_of(row: Row) -> Council:
    return Council(**dict(row))


def find_in(councils: list[Council], query: str) -> Council | None:
    wanted = {fold(query), match_key(query)} - {""}
    return next((c for c in councils if wanted & council_keys(c)), None)


class CouncilBook(Store):
    """The councils: all of them, one by id, one by name, the nearest names."""

    async def councils(self) -> list[Council]:
        rows = await self.db.fetchall("SELECT * FROM councils ORDER BY slug")
        return [council_of(r) for r in rows]

    async def council(self, council_id: int) -> Council | None:
        row = await self.db.fetchone("SELECT * FROM councils WHERE id = ?", (council_id,))
        return None if row is None else council_of(row)

    async def find_council(self, query: str) -> Council | None:
        """The council that `query` names: a slug, an English or Welsh name or short name, in any
        case, with or without accents, spaces or hyphens ("CARDIFF", "Cyngor Sir Powys",
        "bro-morgannwg", "Vale of Glamorgan", "ynys mon")."""
        return find_in(await self.councils(), query)

    async def suggest_councils(self, query: str, n: int = 3) -> list[Council]:
        """The councils whose names are closest to a query that matched none ("powis")."""
        by_key: dict[str, Council] = {}
        for council in await self.councils():
            for key in council_keys(council):
                by_key.setdefault(key, council)
        close = difflib.get_close_matches(match_key(query), list(by_key), n=len(by_key), cutoff=0.6)
        found: list[Council] = []
        for key in close:
            council = by_key[key]
            if council not in found:
                found.append(council)
            if len(found) == n:
                break
        return found
