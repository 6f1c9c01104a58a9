"""The reports room's words: its gettext catalogs (reports/locales/{en,cy}) and how a group of
respondents is named in each language."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rubric.catalog import Messages
from rubric.schema import Lang

LOCALES = Path(__file__).with_name("locales")


@lru_cache(maxsize=1)
def messages() -> Messages:
    """Both catalogs, read once (they are package data and never change while running)."""
    return Messages(LOCALES)


def team_slug(team: str) -> str:
    """The catalog key part for a team that has a proper name of its own ("CMT" -> "cmt")."""
    return re.sub(r"[^a-z0-9]", "", team.casefold())


@lru_cache(maxsize=2)
def _keys(lang: Lang) -> frozenset[str]:
    return frozenset(messages().keys(lang))


def _known(lang: Lang, key: str) -> bool:
    return key in _keys(lang)


def team_label(lang: Lang, team: str) -> str:
    """A team's heading: a known team by its full name, any other as written."""
    key = f"team.{team_slug(team)}.label"
    return messages()(lang, key) if _known(lang, key) else messages()(lang, "cell.team", team=team)


def team_members(lang: Lang, team: str) -> str:
    """A team's members in running text: "members of the Corporate Management Team",
    "aelodau'r Tîm Rheoli Corfforaethol". The Welsh form starts with "aelodau", so it takes no
    mutation after "o" or "gan" whatever the team is called."""
    key = f"team.{team_slug(team)}.members"
    if _known(lang, key):
        return messages()(lang, key)
    return messages()(lang, "team.members", team=team)


_VOWELS = "aeiouwyâêîôûŵŷáéíóúàèìòù"
_ASPIRATE = {"c": "ch", "p": "ph", "t": "th"}


def after_a(word: str) -> str:
    """Welsh "and" before a word: "ac" before a vowel, else "a" with the aspirate mutation
    (c, p, t -> ch, ph, th): "ac arweinyddiaeth", "a phenderfyniadau", "a Chyngor Sir Powys"."""
    first = word[:1]
    if first.lower() in _VOWELS:
        return f"ac {word}"
    mutated = _ASPIRATE.get(first.lower())
    if mutated and word[1:2].lower() != "h":
        head = mutated.capitalize() if first.isupper() else mutated
        return f"a {head}{word[1:]}"
    return f"a {word}"


def join_words(lang: Lang, items: list[str], *, lower: bool = False) -> str:
    """A list in running text: "leadership, open data and data analytics"; in Welsh with "a"
    or "ac" and its mutation before the last item. `lower` lowers each item's first letter
    (headings such as "Open data" inside a sentence)."""
    words = [w[:1].lower() + w[1:] if lower else w for w in items]
    if len(words) < 2:
        return "".join(words)
    head = ", ".join(words[:-1])
    return f"{head} and {words[-1]}" if lang == "en" else f"{head} {after_a(words[-1])}"
