"""Simulated respondents: what each one will answer, and a phone walking the survey with it.

Answers are planned before any phone moves (seeded), so running many phones at once cannot
change the outcome. Powys's answers to the statements the 2018 report comments on are dealt
from fixed decks, so its findings lean as the report's do: a mixed view of data as a key
resource, staff clear about data protection, around half of CMT agreeing that there are enough
skilled staff, and disagreement that data informs decisions.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.demo.roster import CMT, Person
from rubric.schema import Lang, Questionnaire
from standin import Phone, StoredMessage

AGREE = ("sa", "a", "n", "d", "sd", "dk")
LEVEL = ("1", "2", "3", "dk")
Weights = tuple[float, ...]

POSITIVE: Weights = (3, 5, 2, 1, 0.5, 0.5)
MIXED: Weights = (1, 3, 3, 3, 1, 1)
NEGATIVE: Weights = (0.5, 2, 2, 5, 2, 0.5)

POWYS_THEMES: dict[str, Weights] = {
    "vision": MIXED,
    "protection": POSITIVE,
    "skills": MIXED,
    "decisions": NEGATIVE,
}
POWYS_DECKS: dict[str, Weights] = {
    # counts out of 25, in AGREE order; dealt in proportion to each group
    "v_resource": (2, 7, 6, 6, 2, 2),  # 39% agree, 35% disagree: a mixed view
    "p_clear": (5, 12, 4, 2, 1, 1),  # 71% agree: most agree
    "d_inform": (0, 3, 4, 10, 6, 2),  # 70% disagree: respondents do not believe
}
CMT_SKILLS = ("sa", "a", "d", "sd", "dk")  # two agree, two disagree: around half
POWYS_LEVELS: Weights = (4, 4, 1, 1)
OTHER_LEVELS: Weights = (2, 5, 2, 1)
COMMENT_CHANCE = 0.3

COMMENTS: dict[str, dict[Lang, tuple[str, ...]]] = {
    "vision": {
        "en": (
            "Services still work in silos and do not share what they know.",
            "We need a corporate data strategy that everyone understands.",
        ),
        "cy": (
            "Mae gwasanaethau'n dal i weithio ar wahân a dydyn nhw ddim yn rhannu'r hyn maen "
            "nhw'n ei wybod.",
            "Mae angen strategaeth ddata gorfforaethol y mae pawb yn ei deall.",
        ),
    },
    "protection": {
        "en": (
            "Staff are unsure what they may share with health partners.",
            "Engaging with under-represented groups to gather data is hard.",
        ),
        "cy": (
            "Dydy staff ddim yn siŵr beth y cân nhw ei rannu â phartneriaid iechyd.",
            "Mae'n anodd ymgysylltu â grwpiau heb gynrychiolaeth ddigonol er mwyn casglu data.",
        ),
    },
    "skills": {
        "en": (
            "There are too few analysts and no time for training.",
            "Members would welcome training on reading performance data.",
        ),
        "cy": (
            "Does dim digon o ddadansoddwyr, a does dim amser i hyfforddi.",
            "Byddai aelodau'n croesawu hyfforddiant ar ddarllen data perfformiad.",
        ),
    },
    "decisions": {
        "en": (
            "Reports look back at last year rather than ahead.",
            "The warning signs were in our data before the problems in children's services "
            "became clear.",
        ),
        "cy": (
            "Mae adroddiadau'n edrych yn ôl ar y llynedd yn hytrach nag ymlaen.",
            "Roedd yr arwyddion rhybudd yn ein data cyn i'r problemau yn y gwasanaethau plant "
            "ddod yn amlwg.",
        ),
    },
}


@dataclass
class AnswerPlan:
    """What one respondent will answer: option ids and comments by question id."""

    choices: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    stop_after: int | None = None
    """Answer this many questions, then leave without submitting (None: finish and submit)."""


def deal(weights: Weights, n: int, rng: random.Random) -> list[str]:
    """``n`` option ids in proportion to ``weights`` (largest remainder), shuffled."""
    total = sum(weights)
    exact = [w * n / total for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    deck = [option for option, count in zip(AGREE, counts, strict=True) for _ in range(count)]
    rng.shuffle(deck)
    return deck


def plan_answers(
    questionnaire: Questionnaire, people: list[Person], rng: random.Random
) -> dict[str, AnswerPlan]:
    """An answer plan for everyone who opens the bot, keyed by email (unique in the demo)."""
    council_mood: dict[tuple[str, str], Weights] = {}
    plans: dict[str, AnswerPlan] = {}
    for person in people:
        if not person.answers:
            continue
        council = person.row.council
        plan = AnswerPlan()
        for question in questionnaire.questions:
            if question.kind == "agree":
                if council == "powys":
                    weights = POWYS_THEMES.get(question.theme, MIXED)
                else:
                    key = (council, question.theme)
                    weights = council_mood.setdefault(
                        key, rng.choice((POSITIVE, POSITIVE, MIXED, NEGATIVE))
                    )
                plan.choices[question.id] = rng.choices(AGREE, weights)[0]
            elif question.kind == "level":
                weights = POWYS_LEVELS if council == "powys" else OTHER_LEVELS
                plan.choices[question.id] = rng.choices(LEVEL, weights)[0]
            elif rng.random() < COMMENT_CHANCE:
                plan.comments[question.id] = rng.choice(COMMENTS[question.theme][person.lang])
        if person.role == "partial":
            plan.stop_after = rng.randint(3, 12)
        plans[person.row.email] = plan
    _deal_powys(people, plans, rng)
    return plans


def _deal_powys(people: list[Person], plans: dict[str, AnswerPlan], rng: random.Random) -> None:
    powys = [p for p in people if p.row.council == "powys" and p.role == "submit"]
    for group in ("officer", "member"):
        emails = [p.row.email for p in powys if p.row.group == group]
        for qid, weights in POWYS_DECKS.items():
            for email, option in zip(emails, deal(weights, len(emails), rng), strict=True):
                plans[email].choices[qid] = option
    cmt = [p.row.email for p in powys if p.row.team == CMT]
    skills = (list(CMT_SKILLS) * (len(cmt) // len(CMT_SKILLS) + 1))[: len(cmt)]
    rng.shuffle(skills)
    for email, option in zip(cmt, skills, strict=True):
        plans[email].choices["s_skills"] = option


# --- walking the survey on a phone ---------------------------------------------------------

Screen = tuple[str, str]
"""(``choice`` | ``text`` | ``review``, question id)."""


def _data(message: StoredMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


def screen_of(message: StoredMessage) -> Screen | None:
    """Which survey screen a bot message is, read from its buttons' callback data."""
    data = _data(message)
    if any(d.startswith("n:submit") for d in data):
        return ("review", "")
    for d in data:
        if d.startswith("a:"):
            return ("choice", d.split(":")[1])
    for prefix in ("n:skip:", "n:back:"):
        for d in data:
            if d.startswith(prefix):
                return ("text", d[len(prefix) :])
    return None


def has_button(prefix: str) -> Callable[[StoredMessage], bool]:
    return lambda m: any(d.startswith(prefix) for d in _data(m))


POLL = 0.015


async def next_message(
    phone: Phone,
    chat: dict[int, StoredMessage],
    after: int,
    test: Callable[[StoredMessage], bool],
    timeout: float,
) -> StoredMessage:
    """The first new bot message (id above ``after``) passing ``test``.

    ``Phone.wait_for`` wakes on every change anywhere in the stand-in; with dozens of phones
    that costs more than the bot itself, so each phone here looks only at its own chat.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    checked = after
    while True:
        newest = max(chat, default=0)
        if newest > checked:
            for message_id in range(checked + 1, newest + 1):
                message = chat.get(message_id)
                if message is not None and message.from_bot and test(message):
                    return message
            checked = newest
        if loop.time() > deadline:
            last = phone.last
            raise TimeoutError(
                f"phone {phone.user_id}: no answer from the bot; last: "
                f"{last.shown[:100] if last else None!r}"
            )
        await asyncio.sleep(POLL)


async def walk(
    phone: Phone,
    chat: dict[int, StoredMessage],
    token: str,
    lang: Lang,
    plan: AnswerPlan,
    on_answer: Callable[[], None] = lambda: None,
    *,
    timeout: float = 60.0,
) -> bool:
    """Open the invitation, choose ``lang``, accept the privacy notice and answer by ``plan``.

    ``chat`` is the phone's chat in the stand-in (``api.state.messages(user_id)``). Returns
    True once the survey is submitted, False for a respondent who stops part-way.
    """
    await phone.send(f"/start {token}")
    choose = await next_message(phone, chat, 0, has_button("l:"), timeout)
    await phone.tap(f"l:{lang}", choose)
    privacy = await next_message(phone, chat, choose.message_id, has_button("n:privacy"), timeout)
    await phone.tap(privacy.buttons[0][0][1] or "", privacy)
    seen = privacy.message_id
    answered = 0
    while True:
        current = await next_message(phone, chat, seen, lambda m: screen_of(m) is not None, timeout)
        seen = current.message_id
        kind, qid = screen_of(current) or ("", "")
        if kind == "review":
            submit = next(d for d in _data(current) if d.startswith("n:submit"))
            await phone.tap(submit, current)
            await next_message(phone, chat, seen, lambda m: True, timeout)
            return True
        if plan.stop_after is not None and answered >= plan.stop_after:
            return False
        if kind == "choice":
            await phone.tap(f"a:{qid}:{plan.choices.get(qid, 'dk')}", current)
        elif qid in plan.comments:
            await phone.send(plan.comments[qid])
        else:
            await phone.tap(f"n:skip:{qid}", current)
        answered += 1
        on_answer()
