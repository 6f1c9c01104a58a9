"""Shared builders for the report tests: a small questionnaire and a database filled in bulk.

The questionnaire is built here (not read from rubric/questionnaire.toml) so that the golden
files change only when the reports change. People are inserted with plain SQL in one
transaction: the report tests need hundreds of submitted surveys, not the respondent journey.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from rubric.advice import Advice
from rubric.schema import (
    Characteristic,
    FindingThresholds,
    Option,
    Question,
    Questionnaire,
    Scale,
    Text,
    Theme,
)
from storage.database import Database
from storage.opening import open_database
from storage.rows import Council

V = TypeVar("V")


def present(value: V | None) -> V:
    """`value`, which the test knows is there (a result shown, a row found)."""
    assert value is not None
    return value


NOW = "2026-11-20T10:00:00Z"
_serial = itertools.count(1)


def T(en: str, cy: str) -> Text:
    return Text(en=en, cy=cy)


def small_questionnaire() -> Questionnaire:
    agree = Scale(
        options=(
            Option(id="sa", label=T("Strongly agree", "Cytuno'n gryf")),
            Option(id="a", label=T("Agree", "Cytuno")),
            Option(id="n", label=T("Neither", "Dim y naill na'r llall")),
            Option(id="d", label=T("Disagree", "Anghytuno")),
            Option(id="sd", label=T("Strongly disagree", "Anghytuno'n gryf")),
            Option(id="dk", label=T("Don't know", "Ddim yn gwybod")),
        ),
        agree=("sa", "a"),
        neither=("n",),
        disagree=("d", "sd"),
    )
    level = Scale(
        options=(
            Option(id="1", label=T("Level 1", "Lefel 1")),
            Option(id="2", label=T("Level 2", "Lefel 2")),
            Option(id="3", label=T("Level 3", "Lefel 3")),
            Option(id="dk", label=T("Don't know", "Ddim yn gwybod")),
        )
    )
    return Questionnaire(
        version="test",
        title=T("Use of data", "Defnyddio data"),
        themes=(
            Theme(
                id="vision",
                title=T(
                    "Vision, leadership & culture", "Gweledigaeth, arweinyddiaeth a diwylliant"
                ),
                intro=T("A strong data culture matters.", "Mae diwylliant data cryf yn bwysig."),
            ),
            Theme(
                id="skills",
                title=T("Skills & capacity", "Sgiliau a chapasiti"),
                intro=T("Skills matter.", "Mae sgiliau'n bwysig."),
            ),
        ),
        characteristics=(
            Characteristic(
                id="leadership",
                title=T("Leadership", "Arweinyddiaeth"),
                theme="vision",
                levels=(
                    T("Risk averse.", "Gwrth-risg."),
                    T("Recognises value.", "Cydnabod gwerth."),
                    T("Strong culture.", "Diwylliant cryf."),
                ),
            ),
        ),
        scales={"agree": agree, "level": level},
        questions=(
            Question(
                id="v1",
                kind="agree",
                theme="vision",
                text=T(
                    "My council treats data as a key resource.",
                    "Mae fy nghyngor yn trin data fel adnodd allweddol.",
                ),
                finding=T(
                    "the Authority treats data as a key resource",
                    "yr Awdurdod yn trin data fel adnodd allweddol",
                ),
            ),
            Question(
                id="v2",
                kind="agree",
                theme="vision",
                text=T(
                    "My council has a clear data vision.",
                    "Mae gan fy nghyngor weledigaeth glir ar gyfer data.",
                ),
                finding=T(
                    "the Authority has a clear data vision",
                    "gan yr Awdurdod weledigaeth glir ar gyfer data",
                ),
            ),
            Question(
                id="vlevel",
                kind="level",
                theme="vision",
                characteristic="leadership",
                text=T(
                    "Which level best describes leadership?",
                    "Pa lefel sy'n disgrifio'r arweinyddiaeth orau?",
                ),
            ),
            Question(
                id="vtext",
                kind="text",
                theme="vision",
                optional=True,
                text=T("What holds your council back?", "Beth sy'n dal eich cyngor yn ôl?"),
            ),
            Question(
                id="s1",
                kind="agree",
                theme="skills",
                text=T(
                    "My council has enough staff with data skills.",
                    "Mae gan fy nghyngor ddigon o staff â sgiliau data.",
                ),
                finding=T(
                    "the Authority has sufficient staff with the skills to maximise "
                    "the use of data",
                    "gan yr Awdurdod ddigon o staff â'r sgiliau i wneud y defnydd gorau o ddata",
                ),
            ),
            Question(
                id="s2",
                kind="agree",
                theme="skills",
                audience=("officer",),
                text=T("Analysts are valued.", "Mae dadansoddwyr yn cael eu gwerthfawrogi."),
                finding=T("analysts are valued", "dadansoddwyr yn cael eu gwerthfawrogi"),
            ),
            Question(
                id="stext",
                kind="text",
                theme="skills",
                optional=True,
                audience=("officer",),
                text=T("Which skills are missing?", "Pa sgiliau sydd ar goll?"),
            ),
        ),
        thresholds=FindingThresholds(),
    )


async def open_db(where: Path | str) -> Database:
    """A SQLite file in the folder `where`, or the PostgreSQL database at the URL `where`."""
    return await open_database(where if isinstance(where, str) else where / "reports.sqlite3")


async def council(db: Database, slug: str) -> Council:
    rows = await db.fetchall("SELECT * FROM councils WHERE slug = ?", (slug,))
    return Council(**dict(rows[0]))


Answers = Mapping[str, tuple[str | None, str | None]]
"""question id -> (choice, text)"""


async def add_people(
    db: Database,
    slug: str,
    group: str,
    *,
    invited: int,
    submitted: int,
    team: str | None = None,
    started: int = 0,
    answers: Callable[[int], Answers] | None = None,
) -> None:
    """`invited` invitees of one group (and team); the first `submitted` have submitted a survey
    answered by ``answers(i)``, the next `started` have an unsubmitted one with the same answers."""
    async with db.transaction() as conn:
        (council_id,) = present(
            await conn.fetchone("SELECT id FROM councils WHERE slug = ?", (slug,))
        )
        for i in range(invited):
            serial = next(_serial)
            (invitee_id,) = present(
                await conn.fetchone(
                    "INSERT INTO invitees (council_id, grp, name, email, team, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (council_id, group, f"Person {serial}", f"p{serial}@example.org", team, NOW),
                )
            )
            if i >= submitted + started:
                continue
            (response_id,) = present(
                await conn.fetchone(
                    "INSERT INTO responses (invitee_id, language, privacy_accepted, started_at,"
                    " updated_at, submitted_at) VALUES (?, 'en', 1, ?, ?, ?) RETURNING id",
                    (invitee_id, NOW, NOW, NOW if i < submitted else None),
                )
            )
            for qid, (choice, text) in (answers(i) if answers else {}).items():
                await conn.execute(
                    "INSERT INTO answers (response_id, question_id, choice, text, answered_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (response_id, qid, choice, text, NOW),
                )


async def release(
    db: Database,
    questionnaire: Questionnaire,
    min_group_size: int = 5,
    *,
    final: bool = False,
    slugs: tuple[str, ...] | None = None,
    unanimity_safe_size: int | None = None,
) -> None:
    """Moves every council's release (or the named ones') forward, as the bot does before a
    report (`bot.services.report_builder.advance_releases`), without the survey window, then
    the Wales release. `unanimity_safe_size`: 0 shows unanimous groups (for tests of what is
    said about figures, whose groups are unanimous on purpose)."""
    from reports.confidentiality import UNANIMITY_SAFE_SIZE, make_release, wales_may_move
    from storage import releases

    safe = UNANIMITY_SAFE_SIZE if unanimity_safe_size is None else unanimity_safe_size

    def decide(roll, history, is_final):  # type: ignore[no-untyped-def]
        return make_release(
            questionnaire, roll, min_group_size, history, final=is_final, unanimity_safe_size=safe
        )

    rows = await db.fetchall("SELECT id, slug FROM councils ORDER BY id")
    for council_id, slug in rows:
        if slugs is None or slug in slugs:
            await releases.advance(db, council_id, decide, min_group_size, final=final)
    await releases.advance_wales(db, wales_may_move)


def small_advice() -> Advice:
    """The rubric's advice (`rubric/recommendations.toml`, `good_practice.toml`) tied to the
    small questionnaire: each recommendation of a theme it has, with that theme's statements
    and its one characteristic, the real texts and triggers; every example, illustrating it."""
    from rubric.advice import check_advice, load_advice

    real, questionnaire = load_advice(), small_questionnaire()
    statements = {
        theme.id: tuple(
            q.id for q in questionnaire.questions if q.theme == theme.id and q.kind == "agree"
        )
        for theme in questionnaire.themes
    }
    characteristic = questionnaire.characteristics[0].id
    advice = Advice(
        recommendations=tuple(
            r.model_copy(
                update={"statements": statements[r.theme], "characteristics": (characteristic,)}
            )
            for r in real.recommendations
            if r.theme in statements
        ),
        good_practice=tuple(
            g.model_copy(update={"characteristics": (characteristic,)}) for g in real.good_practice
        ),
        narrative=real.narrative.model_copy(
            update={"topics": tuple(t for t in real.narrative.topics if t.theme in statements)}
        ),
    )
    assert check_advice(advice, questionnaire) == []
    return advice
