"""A number and its noun, as a Welsh speaker says them: "2 gyngor", "3 chyngor", "2 broblem".

Welsh keeps the noun singular after a number ("25 ymateb") and changes its first consonant
after some numbers, by the noun's gender: soft after "dau" / "dwy" (2) and after "un" (1) for a
feminine noun, aspirate after "tri" (3, masculine only: "tair" mutates nothing) and after "chwe"
(6). The command line and the demo count many things, so each noun is given once here, with its
gender and its English forms, and every count goes through :func:`counted`; a catalog sentence
takes the whole counted phrase (``{councils}`` = "2 gyngor" / "2 councils"), never ``{n}`` before
a noun of its own. The reports count in their own catalog's six plural forms (Babel), which hold
the same mutations written out.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from bot.cli.words import operator_lang
from storage.councils import mutate

Gender = Literal["m", "f"]
Mutation = Literal["soft", "aspirate"]


class Noun(NamedTuple):
    cy: str
    """The radical singular; only its first word mutates ("ymateb dienw")."""
    gender: Gender
    en: str
    en_plural: str


NOUNS: dict[str, Noun] = {
    "council": Noun("cyngor", "m", "council", "councils"),
    "invitee": Noun("gwahoddedig", "m", "invitee", "invitees"),
    "invitation": Noun("gwahoddiad", "m", "invitation", "invitations"),
    "more_problem": Noun("problem arall", "f", "more problem", "more problems"),
    "field": Noun("maes", "m", "field", "fields"),
    "column": Noun("colofn", "f", "column", "columns"),
    "row": Noun("rhes", "f", "row", "rows"),
    "request": Noun("cais", "m", "request", "requests"),
    "anonymous_response": Noun("ymateb dienw", "m", "anonymised response", "anonymised responses"),
    "comment": Noun("sylw", "m", "comment", "comments"),
    "survey": Noun("arolwg", "m", "survey", "surveys"),
    "respondent": Noun("ymatebydd", "m", "respondent", "respondents"),
    "time": Noun("gwaith", "f", "time", "times"),
}
"""Every noun the command line and the demo count (docs/welsh-review-terms.md)."""

AFTER_NUMBER: dict[int, dict[Gender, Mutation]] = {
    1: {"f": "soft"},
    2: {"m": "soft", "f": "soft"},
    3: {"m": "aspirate"},
    6: {"m": "aspirate", "f": "aspirate"},
}
"""The mutation a noun takes after a number, by its gender: un broblem, dau gyngor / dwy
broblem, tri chyngor / tair problem, chwe chyngor / chwe phroblem. Like the reports' plural
forms, it follows the number itself (2, not 22, which is said "dau ddeg dau")."""


def welsh_after(n: int, noun: Noun) -> str:
    """The Welsh noun as it stands after the number ``n``."""
    mutation = AFTER_NUMBER.get(n, {}).get(noun.gender)
    if mutation is None:
        return noun.cy
    if n == 1 and noun.cy[:2].lower() in ("ll", "rh"):
        return noun.cy  # "un llinell", "un rhes": "un" leaves ll and rh alone
    return mutate(noun.cy, mutation)


def counted(lang: str, n: int, noun: str) -> str:
    """``n`` and its noun in ``lang``: "2 gyngor", "1 council", "3 councils"."""
    found = NOUNS[noun]
    if lang == "cy":
        return f"{n} {welsh_after(n, found)}"
    return f"{n} {found.en if n == 1 else found.en_plural}"


def count(n: int, noun: str) -> str:
    """``n`` and its noun in the operator's language."""
    return counted(operator_lang(), n, noun)
