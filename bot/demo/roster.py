"""The demo's invitees: Powys as in Audit Wales' 2018 report, and a few other councils so that
the all-Wales comparison has something to compare with.

Powys invites 23 officers (eight of them in the Corporate Management Team, ``CMT``) and 73
elected members; 10 officers (five from CMT, so the team is big enough to be reported) and 15
members submit, as in the report. A few more start and stop part-way. Respondents alternate
between Welsh and English.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from rubric.schema import Group, Lang
from storage.rows import RosterRow

FIRST_NAMES = (
    "Alys", "Bethan", "Carys", "Dafydd", "Eleri", "Ffion", "Gareth", "Gwen", "Huw", "Ieuan",
    "Lowri", "Meinir", "Nia", "Owain", "Rhodri", "Rhian", "Sioned", "Steffan", "Tomos", "Wyn",
    "Anna", "Ben", "Claire", "David", "Emma", "James", "Kate", "Mark", "Sarah", "Tom",
)  # fmt: skip
SURNAMES = (
    "Davies", "Evans", "Griffiths", "Hughes", "Jenkins", "Jones", "Lewis", "Morgan", "Owen",
    "Parry", "Powell", "Price", "Pritchard", "Rees", "Roberts", "Thomas", "Vaughan", "Williams",
)  # fmt: skip

CMT = "CMT"


@dataclass(frozen=True)
class CouncilPlan:
    """How many a council invites and how many of them answer."""

    slug: str
    officers: int
    members: int
    officers_submit: int
    members_submit: int
    cmt: int = 0
    """Officers in the Corporate Management Team (the first ``cmt`` officers)."""
    cmt_submit: int = 0
    partial: int = 0
    """Invitees who start the survey and stop part-way."""


POWYS = CouncilPlan(
    "powys", officers=23, members=73, officers_submit=10, members_submit=15,
    cmt=8, cmt_submit=5, partial=3,
)  # fmt: skip
OTHERS = (
    CouncilPlan("ceredigion", 8, 10, officers_submit=5, members_submit=5, partial=1),
    CouncilPlan("gwynedd", 7, 12, officers_submit=5, members_submit=5, partial=1),
    CouncilPlan("monmouthshire", 9, 9, officers_submit=5, members_submit=5, partial=1),
)
QUICK_OTHERS = OTHERS[:1]
"""Each group that answers has at least five respondents, the smallest group a report shows."""


@dataclass(frozen=True)
class Person:
    """One invitee and what they will do in the demo."""

    row: RosterRow
    lang: Lang
    role: str
    """``submit``, ``partial`` or ``silent`` (never opens the invitation)."""

    @property
    def answers(self) -> bool:
        return self.role != "silent"


def council_people(plan: CouncilPlan, rng: random.Random, next_lang: list[Lang]) -> list[Person]:
    """Everyone a council invites, in roster order. ``next_lang`` alternates cy/en across the
    whole demo so that half the respondents answer in Welsh."""
    # The first ``cmt`` officers are CMT; ``cmt_submit`` of them submit, the rest of the
    # officers who submit come from outside CMT.
    outside = plan.officers_submit - plan.cmt_submit
    roles: dict[Group, list[str]] = {
        "officer": ["submit"] * plan.cmt_submit
        + ["silent"] * (plan.cmt - plan.cmt_submit)
        + ["submit"] * outside
        + ["silent"] * (plan.officers - plan.cmt - outside),
        "member": ["submit"] * plan.members_submit
        + ["silent"] * (plan.members - plan.members_submit),
    }
    silent = [(g, i) for g in roles for i, r in enumerate(roles[g]) if r == "silent"]
    for group, index in rng.sample(silent, min(plan.partial, len(silent))):
        roles[group][index] = "partial"

    people: list[Person] = []
    for group in ("officer", "member"):
        for index, role in enumerate(roles[group]):
            if role != "silent":
                lang = next_lang[0]
                next_lang[0] = "en" if lang == "cy" else "cy"
            else:
                lang = rng.choice(("cy", "en"))
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            row = RosterRow(
                council=plan.slug,
                group=group,
                name=name,
                email=f"{group}{index + 1:03d}@{plan.slug}.example",
                language=lang,
                team=CMT if group == "officer" and index < plan.cmt else None,
            )
            people.append(Person(row=row, lang=lang, role=role))
    return people


def demo_people(rng: random.Random, *, quick: bool = False) -> list[Person]:
    """The whole demo roster: Powys first, then the other councils."""
    next_lang: list[Lang] = ["cy"]
    people: list[Person] = []
    for plan in (POWYS, *(QUICK_OTHERS if quick else OTHERS)):
        people.extend(council_people(plan, rng, next_lang))
    return people
