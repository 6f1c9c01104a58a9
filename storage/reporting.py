"""Report queries: counts aggregated in SQL, never one Python object per answer.

Every figure a report shows comes from a release (`storage.releases`): counts per (council,
group, team, question, choice) done by the database with GROUP BY, of the responses the release
counts. Only submitted responses count: an unfinished survey is neither a response received nor an
opinion. The response rates are counted now, not released: they say who took part, not what
anyone thinks.

The rows carry no person: no invitee id, name, email or Telegram id. Comments carry not even a
group, so that nothing downstream can attribute one by accident.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from rubric.schema import Group


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResponseCountRow(_Row):
    """Invitees and submitted responses of one (council, group, team)."""

    council_slug: str
    group: Group
    team: str | None
    invited: int
    submitted: int


class AnswerCountRow(_Row):
    """How many submitted responses of one (council, group, team) chose `choice` for a question."""

    council_slug: str
    group: Group
    team: str | None
    question_id: str
    choice: str
    n: int


class CommentRow(_Row):
    """One free-text answer, with nothing that says who wrote it."""

    question_id: str
    text: str


class ReportRows(_Row):
    """What a report for one council needs: every council's response counts (the response
    rates move freely), and from the council's current release the groups, the shown figures
    and the comments; and every council's released "all respondents" figures (for Wales)."""

    council_slug: str
    responses: tuple[ResponseCountRow, ...]
    """Every council's, now (the council's own are those with its slug)."""
    release: ReleaseInfo | None = None
    """None: nobody's answers have been released yet."""
    groups: tuple[ReleaseGroup, ...] = ()
    """The release's respondents per (group, team)."""
    cells: tuple[tuple[str, str], ...] = ()
    """(question id, cell) shown by the release."""
    figures: tuple[ReleasedFigure, ...] = ()
    wales: tuple[WalesFigure, ...] = ()
    wales_steps: tuple[WalesStep, ...] = ()
    """Every Wales release's pooled releases, question by question (see `WalesStep`)."""
    comments: tuple[CommentRow, ...] = ()
    """The release's members' comments, for the questions whose comments it shows."""

    def council_responses(self) -> tuple[ResponseCountRow, ...]:
        return tuple(r for r in self.responses if r.council_slug == self.council_slug)


class ReleaseInfo(_Row):
    id: int
    responses: int
    """Submitted responses the figures count."""
    pending: int
    """Submitted responses since, not yet counted."""
    final: bool
    withdrawn: int = 0
    """People earlier releases counted who withdrew before this one was made, and whom it no
    longer counts (its figures may hide more because of them)."""


class ReleaseGroup(_Row):
    group: Group
    team: str | None
    respondents: int


class ReleasedFigure(_Row):
    question_id: str
    cell: str
    choice: str
    n: int


class WalesFigure(_Row):
    """One council's released "all respondents" count of one answer to one question."""

    council_slug: str
    responses: int
    question_id: str
    choice: str
    n: int


class WalesStep(_Row):
    """In Wales release `wales_release`, council `council_slug` was pooled from its release
    `release`, whose "all respondents" figure for `question_id` is shown."""

    wales_release: int
    council_slug: str
    release: int
    question_id: str


ReportRows.model_rebuild()


# --- releases (storage.releases) and the export (storage.export) --------------------


class ReleaseGroupRow(_Row):
    group: Group
    team: str | None
    respondents: int


class ReleaseSizeRow(_Row):
    group: Group
    team: str | None
    question_id: str
    asked: int
    views: int


class FigureRow(_Row):
    """A shown cell's count of one answer to one question."""

    question_id: str
    cell: str
    choice: str
    n: int


class LiveRows(_Row):
    """A council's submitted responses now (or those of them in one release): counts only."""

    groups: tuple[ReleaseGroupRow, ...]
    answers: tuple[AnswerCountRow, ...]
    members: tuple[int, ...] = ()


class RollPerson(_Row):
    """One person a release may count, or has counted: a submitted response now (`response_id`
    set), or someone an earlier release counted who has withdrawn since (`response_id` None,
    `departure` their withdrawal's random key; no answer of theirs is kept). `releases`: the
    stored releases that count them. `group` and `team`: as the roster has them now (for
    someone who withdrew, as the last release that counted them did)."""

    response_id: int | None
    departure: str | None = None
    group: Group
    team: str | None
    language: str | None
    releases: tuple[CountedIn, ...]


class CountedIn(_Row):
    """A release that counted the person, and the group and team it counted them under."""

    release: int
    group: Group
    team: str | None


class RollChoice(_Row):
    response_id: int
    question_id: str
    choice: str


class Roll(_Row):
    """A council's people as the rule between releases needs them: who is counted where, and
    each submitted response's chosen options (never leaving `reports.confidentiality`)."""

    people: tuple[RollPerson, ...]
    choices: tuple[RollChoice, ...]


class PastRelease(_Row):
    """An earlier release: which cells it showed, and whether it is final."""

    id: int
    final: bool
    responses: int
    cells: tuple[tuple[str, str], ...]


class History(_Row):
    """An earlier release, as the check between releases needs it."""

    id: int
    groups: tuple[ReleaseGroupRow, ...]
    sizes: tuple[ReleaseSizeRow, ...]
    cells: tuple[tuple[str, str], ...]
    overlap: LiveRows
    """Those of its members who still count now, with their answers."""


class NewRelease(_Row):
    responses: int
    final: bool
    groups: tuple[ReleaseGroupRow, ...]
    sizes: tuple[ReleaseSizeRow, ...]
    cells: tuple[tuple[str, str], ...]
    figures: tuple[FigureRow, ...]
    members: tuple[int, ...]
    repeats: int | None = None
    """Set: this (final) release repeats that earlier release's figures, cells and members."""


class ReleaseRow(_Row):
    id: int
    council_id: int
    made_at: str
    responses: int
    final: bool


class ExportRow(BaseModel):
    """One row of the export (see `storage.export`)."""

    model_config = ConfigDict(frozen=True)

    group: Group | None
    """None: generalised (left out) because too few rows share it."""
    team: str | None
    language: str | None
    answers: dict[str, str]
    """question id -> option id; skipped, unanswered and free text are absent."""
    questionnaire_version: int | None = None
    """The questionnaire version the response answered (None: the packaged one)."""
    response: int | None = None
    """Which response the row is, for the rule's check only (`reports.confidentiality.
    export_release`); never written to the file."""


class Fetcher(Protocol):
    """The part of `storage.database.Database` these queries use. (Teams are grouped by the
    trimmed expression, not its alias: PostgreSQL would group by the column of that name.)"""

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]: ...


# A team written as blanks is no team; teams are compared as written otherwise.
_TEAM = "NULLIF(TRIM(i.team), '')"
COUNTED_IN = (
    "COALESCE(m.grp, i.grp),"
    f" CASE WHEN m.grp IS NULL THEN {_TEAM} ELSE NULLIF(TRIM(m.team), '') END"
)
"""A release member's group and team as the release counted them (``m`` release_members,
``i`` invitees): the roster's own only for members recorded before releases kept them."""

_RESPONSE_COUNTS = f"""
SELECT c.slug, i.grp, {_TEAM} AS team, COUNT(*) AS invited, COUNT(r.submitted_at) AS submitted
FROM invitees AS i
JOIN councils AS c ON c.id = i.council_id
LEFT JOIN responses AS r ON r.invitee_id = i.id
WHERE (CAST(:council_id AS BIGINT) IS NULL OR i.council_id = :council_id)
GROUP BY c.slug, i.grp, {_TEAM}
ORDER BY c.slug, i.grp, team
"""

_ANSWER_COUNTS_SELECT = f"""
SELECT c.slug, i.grp, {_TEAM} AS team, a.question_id, a.choice, COUNT(*) AS n
FROM invitees AS i
JOIN councils AS c ON c.id = i.council_id
JOIN responses AS r ON r.invitee_id = i.id
JOIN answers AS a ON a.response_id = r.id
WHERE r.submitted_at IS NOT NULL
  AND a.choice IS NOT NULL
"""
_ANSWER_COUNTS_TAIL = f"""
GROUP BY c.slug, i.grp, {_TEAM}, a.question_id, a.choice
ORDER BY c.slug, i.grp, team, a.question_id, a.choice
"""
# Two statements rather than one with "(:council_id IS NULL OR ...)": that OR keeps SQLite
# from starting at the council's invitees, and one council's report would read every answer.
_ANSWER_COUNTS = _ANSWER_COUNTS_SELECT + _ANSWER_COUNTS_TAIL
_ANSWER_COUNTS_ONE = (
    _ANSWER_COUNTS_SELECT + "  AND i.council_id = :council_id" + _ANSWER_COUNTS_TAIL
)

# Ordered by question and text, never by time or response: the order of writing is itself a clue
# to who wrote what. The report shuffles them (seeded) for display.
_COMMENTS = """
SELECT a.question_id, TRIM(a.text) AS text
FROM answers AS a
JOIN responses AS r ON r.id = a.response_id
JOIN invitees AS i ON i.id = r.invitee_id
WHERE r.submitted_at IS NOT NULL
  AND i.council_id = :council_id
  AND a.text IS NOT NULL
  AND TRIM(a.text) <> ''
ORDER BY a.question_id, text
"""
_RELEASED_COMMENTS = """
SELECT a.question_id, TRIM(a.text) AS text
FROM release_members AS m
JOIN answers AS a ON a.response_id = m.response_id
JOIN release_cells AS c
  ON c.release_id = m.release_id AND c.question_id = a.question_id AND c.cell = 'all'
WHERE m.release_id = :release_id
  AND a.text IS NOT NULL
  AND TRIM(a.text) <> ''
ORDER BY a.question_id, text
"""


async def response_counts(db: Fetcher, council_id: int | None = None) -> list[ResponseCountRow]:
    """Invited and submitted per (council, group, team); every council unless one is named."""
    rows = await db.fetchall(_RESPONSE_COUNTS, {"council_id": council_id})
    return [
        ResponseCountRow(council_slug=r[0], group=r[1], team=r[2], invited=r[3], submitted=r[4])
        for r in rows
    ]


async def answer_counts(db: Fetcher, council_id: int | None = None) -> list[AnswerCountRow]:
    """Chosen options of submitted responses, counted per (council, group, team, question)."""
    if council_id is None:
        rows = await db.fetchall(_ANSWER_COUNTS, {})
    else:
        rows = await db.fetchall(_ANSWER_COUNTS_ONE, {"council_id": council_id})
    # Tens of thousands of rows for Wales: pydantic's compiled validator builds these small
    # models faster than `model_construct` (pure Python) would, and checks them too.
    return [
        AnswerCountRow(
            council_slug=r[0], group=r[1], team=r[2], question_id=r[3], choice=r[4], n=r[5]
        )
        for r in rows
    ]


async def comments(db: Fetcher, council_id: int) -> list[CommentRow]:
    """The council's non-empty free-text answers from submitted responses, unattributed."""
    rows = await db.fetchall(_COMMENTS, {"council_id": council_id})
    return [CommentRow(question_id=r[0], text=r[1]) for r in rows]


class CouncilKey(Protocol):
    """What `national_input` needs of a council (`storage.rows.Council` has it)."""

    @property
    def id(self) -> int: ...

    @property
    def slug(self) -> str: ...


async def national_input(
    db: Fetcher, councils: Iterable[CouncilKey], *, wales: bool = True, comments: bool = False
) -> dict[str, ReportRows]:
    """Each council's report input for `reports.national`: what its own report reads
    (`report_input`: its current release, every council's response counts, the Wales figures),
    so the national report can show nothing a council's report does not; without the comments
    unless asked, since the national report quotes none. The rows every council's input shares
    (the response counts, the Wales figures) are read once and shared; each table of the
    councils' releases is read in one query for all of them. `wales` is kept for callers; the
    release input always carries the Wales figures."""
    return await _inputs(db, [(c.id, c.slug) for c in councils], comments=comments)


async def report_input(db: Fetcher, council_id: int) -> ReportRows:
    """Everything `reports.build_report` needs for one council: its current release (see
    `storage.releases.advance`, which the caller runs first), every council's response counts
    and every council's released figures for Wales."""
    found = await db.fetchall("SELECT slug FROM councils WHERE id = ?", (council_id,))
    if not found:
        raise LookupError(f"no council with id {council_id}")
    slug = found[0][0]
    return (await _inputs(db, [(council_id, slug)]))[slug]


async def _inputs(
    db: Fetcher, councils: list[tuple[int, str]], *, comments: bool = True
) -> dict[str, ReportRows]:
    """The report inputs of `councils` ((id, slug)): the shared rows once, then each table of
    the councils' latest releases in one query, split by release. The row models are built
    with validation: pydantic's compiled validator makes a small model in about half the time
    `model_construct` (pure Python) takes. Each council's `ReportRows` is put together from
    those validated rows without validating again, which would copy the shared tuples (the
    Wales figures, the response counts) once per council: they stay one object, which
    `reports.aggregate` reads once for all 22 reports."""
    wales = tuple(
        WalesFigure(council_slug=r[0], responses=r[1], question_id=r[2], choice=r[3], n=r[4])
        for r in await db.fetchall(_WALES_RELEASED)
    )
    steps = tuple(
        WalesStep(wales_release=r[0], council_slug=r[1], release=r[2], question_id=r[3])
        for r in await db.fetchall(_WALES_STEPS)
    )
    responses = tuple(
        ResponseCountRow(council_slug=r[0], group=r[1], team=r[2], invited=r[3], submitted=r[4])
        for r in await db.fetchall(_RESPONSE_COUNTS, {"council_id": None})
    )
    wanted = {council_id for council_id, _ in councils}
    latest = {
        r[0]: (r[1], r[2], bool(r[3]))
        for r in await db.fetchall(_LATEST_RELEASES)
        if r[0] in wanted
    }
    ids = sorted(release_id for release_id, _, _ in latest.values())
    groups: dict[int, list[ReleaseGroup]] = {i: [] for i in ids}
    cells: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    figures: dict[int, list[ReleasedFigure]] = {i: [] for i in ids}
    comments_of: dict[int, list[CommentRow]] = {i: [] for i in ids}
    pending: dict[int, int] = {}
    withdrawn: dict[int, int] = {}
    if ids:
        marks = ", ".join("?" * len(ids))
        for r in await db.fetchall(_PENDING.format(marks=marks), ids):
            pending[r[0]] = r[1]
        for r in await db.fetchall(_WITHDRAWN.format(marks=marks), ids):
            withdrawn[r[0]] = r[1]
        for r in await db.fetchall(_RELEASE_GROUPS.format(marks=marks), ids):
            groups[r[0]].append(ReleaseGroup(group=r[1], team=r[2] or None, respondents=r[3]))
        for r in await db.fetchall(_RELEASE_CELLS.format(marks=marks), ids):
            cells[r[0]].append((r[1], r[2]))
        for r in await db.fetchall(_RELEASE_FIGURES.format(marks=marks), ids):
            figures[r[0]].append(ReleasedFigure(question_id=r[1], cell=r[2], choice=r[3], n=r[4]))
        quoted = await db.fetchall(_RELEASE_COMMENTS.format(marks=marks), ids) if comments else []
        for r in quoted:
            comments_of[r[0]].append(CommentRow(question_id=r[1], text=r[2]))
    out = {}
    for council_id, slug in councils:
        if council_id not in latest:
            out[slug] = ReportRows.model_construct(
                council_slug=slug, responses=responses, wales=wales, wales_steps=steps
            )
            continue
        release_id, counted, final = latest[council_id]
        out[slug] = ReportRows.model_construct(
            council_slug=slug,
            responses=responses,
            release=ReleaseInfo(
                id=release_id,
                responses=counted,
                pending=pending.get(release_id, 0),
                final=final,
                withdrawn=withdrawn.get(release_id, 0),
            ),
            groups=tuple(groups[release_id]),
            cells=tuple(cells[release_id]),
            figures=tuple(figures[release_id]),
            wales=wales,
            wales_steps=steps,
            comments=tuple(comments_of[release_id]),
        )
    return out


_LATEST_RELEASES = """
SELECT council_id, id, responses, final
FROM releases
WHERE id IN (SELECT MAX(id) FROM releases GROUP BY council_id)
"""

# The tables of a set of releases ({marks}: one placeholder per release id), each row led by
# its release's id; per release, in the order one release's own query would give.
_RELEASE_GROUPS = """
SELECT release_id, grp, team, respondents FROM release_groups
WHERE release_id IN ({marks})
ORDER BY release_id, grp, team
"""
_RELEASE_CELLS = """
SELECT release_id, question_id, cell FROM release_cells
WHERE release_id IN ({marks})
ORDER BY release_id, question_id, cell
"""
_RELEASE_FIGURES = """
SELECT release_id, question_id, cell, choice, n FROM release_figures
WHERE release_id IN ({marks})
ORDER BY release_id, question_id, cell, choice
"""
_RELEASE_COMMENTS = """
SELECT m.release_id, a.question_id, TRIM(a.text) AS text
FROM release_members AS m
JOIN answers AS a ON a.response_id = m.response_id
JOIN release_cells AS c
  ON c.release_id = m.release_id AND c.question_id = a.question_id AND c.cell = 'all'
WHERE m.release_id IN ({marks})
  AND a.text IS NOT NULL
  AND TRIM(a.text) <> ''
ORDER BY m.release_id, a.question_id, text
"""

# The Wales figures: each council's "all respondents" figures from the release the current
# Wales release pools (it moves only in safe steps: `storage.releases.advance_wales`).
_WALES_RELEASED = """
SELECT c.slug, r.responses, f.question_id, f.choice, f.n
FROM wales_members AS m
JOIN releases AS r ON r.id = m.release_id
JOIN councils AS c ON c.id = m.council_id
JOIN release_figures AS f ON f.release_id = r.id AND f.cell = 'all'
WHERE m.wales_release_id = (SELECT MAX(id) FROM wales_releases)
ORDER BY c.slug, f.question_id, f.choice
"""
# Every Wales release: per council, the release it pooled and the questions that release's
# "all respondents" figure is shown for, so that a reader's copy can leave out a question whose
# Wales figure moved by one council's step since any Wales release (`wales_pooled`).
_WALES_STEPS = """
SELECT m.wales_release_id, c.slug, m.release_id, k.question_id
FROM wales_members AS m
JOIN councils AS c ON c.id = m.council_id
JOIN release_cells AS k ON k.release_id = m.release_id AND k.cell = 'all'
ORDER BY m.wales_release_id, c.slug, k.question_id
"""

# Per release, the withdrawals recorded against the council's earlier releases that it does not
# count (a release that repeats an earlier one still counts theirs).
_WITHDRAWN = """
SELECT l.id, COUNT(DISTINCT d.departure)
FROM releases AS l
JOIN releases AS e ON e.council_id = l.council_id AND e.id < l.id
JOIN release_departed AS d ON d.release_id = e.id
WHERE l.id IN ({marks})
  AND NOT EXISTS (SELECT 1 FROM release_departed AS x
                  WHERE x.release_id = l.id AND x.departure = d.departure)
GROUP BY l.id
"""

# Per release, the council's submitted responses that it does not count: the release's
# council's responses without a membership row in it.
_PENDING = """
SELECT l.id, COUNT(*)
FROM releases AS l
JOIN invitees AS i ON i.council_id = l.council_id
JOIN responses AS r ON r.invitee_id = i.id
LEFT JOIN release_members AS m ON m.release_id = l.id AND m.response_id = r.id
WHERE l.id IN ({marks}) AND r.submitted_at IS NOT NULL AND m.response_id IS NULL
GROUP BY l.id
"""
