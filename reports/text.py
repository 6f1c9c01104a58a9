"""The reports room's words: its gettext catalogs (reports/locales/{en,cy}) and how a group of
respondents is named in each language."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rubric.catalog import Messages
from rubric.models import Lang

LOCALES = Path(__file__).with_name("locales")


@lru_cache(maxsize=1)
def messages() -> Messages:
    """Both catalogs, read once (they are package data and never change while running)."""
    return Messages(LOCALES)


def team_slug(team: str) -> str:
    """The catalog key part for a team that has a proper name of its own ("CMT" -> "cmt")."""
    return re.sub(r"[^a-z0-9]", "", team.casefold())


def _known(lang: Lang, key: str) -> bool:
    return key in messages().keys(lang)


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
