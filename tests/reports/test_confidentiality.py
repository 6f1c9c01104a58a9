"""The confidentiality rule against a determined reader, over random rosters and histories.

Hypothesis builds rosters over four councils (officers and elected members, teams, both
languages, an officers-only question, "Don't know" answers, comments) and a random sequence of
submissions, withdrawals (/forget), survey closes and report requests. At every request the
real code moves the releases forward and builds every council's report, and the export of every
closed council. Then an attacker who knows the whole roster and who submitted when solves the
shown figures as linear equations, over one report and over every pair of reports, and must
never determine the answers of a set of 1 to k-1 people: neither everything about them (the
people asked) nor their views (the base of every share).

The attacker here is written independently of `reports.anonymity`: people, not atoms, and
plain Gaussian elimination. First the test checks that every shown figure is exactly the sum
over the people the test says it covers, so the equations are the report's own.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.reports import Refused, export_tables
from bot.config import Settings
from bot.services.report_builder import advance_releases
from reports import build_report
from reports.results import Report
from storage.database import Database
from storage.opening import open_database
from storage.repository import Repository
from tests.support.reports import NOW, council, small_questionnaire

COUNCILS = ("powys", "cardiff", "conwy", "gwynedd")
AGREE = ("sa", "a", "n", "d", "sd", "dk")
LEVEL = ("1", "2", "3", "dk")
VIEWS = {"sa", "a", "n", "d", "sd", "1", "2", "3"}
Q = small_questionnaire()
QUESTIONS = {q.id: q for q in Q.questions}
FIGURE_QUESTIONS = [q.id for q in Q.questions if q.kind != "text"]

person = st.fixed_dictionaries(
    {
        "council": st.sampled_from([0, 0, 0, 0, 1, 2, 3]),  # Powys is the one watched
        "group": st.sampled_from(["officer", "member"]),
        "team": st.sampled_from([None, None, "T"]),
        "language": st.sampled_from(["en", "cy"]),
        "v1": st.sampled_from(AGREE),
        "v2": st.sampled_from(["a", "a", "d", "dk", "dk"]),  # many "Don't know"
        "s1": st.sampled_from(AGREE),
        "s2": st.sampled_from(AGREE),
        "vlevel": st.sampled_from(LEVEL),
        "vtext": st.booleans(),
        "stext": st.booleans(),
    }
)
event = st.one_of(
    st.tuples(st.just("submit"), st.integers(0, 200)),
    st.tuples(st.just("submit"), st.integers(0, 200)),
    st.tuples(st.just("submit"), st.integers(0, 200)),
    st.tuples(st.just("forget"), st.integers(0, 200)),
    st.tuples(st.just("report"), st.just(0)),
    st.tuples(st.just("close"), st.integers(0, len(COUNCILS) - 1)),
)


@dataclass
class Person:
    index: int
    council: str
    group: str
    team: str | None
    language: str
    answers: dict[str, str | None]
    comments: dict[str, str]

    def asked(self, qid: str) -> bool:
        return QUESTIONS[qid].asks(self.group)  # type: ignore[arg-type]


@dataclass
class Seen:
    """One report as the attacker holds it: per question, each shown figure's people."""

    council: str
    release: int | None
    figures: dict[str, list[frozenset[int]]] = field(default_factory=lambda: defaultdict(list))
    comments: dict[str, set[str]] = field(default_factory=dict)
    members: frozenset[int] = frozenset()
    live: frozenset[int] = frozenset()


# --- the attacker: exact linear algebra over people ------------------------------------


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [list(r) for r in rows]
    rank, col = 0, 0
    width = len(rows[0]) if rows else 0
    while rank < len(rows) and col < width:
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col]), None)
        if pivot is None:
            col += 1
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col]:
                f = rows[i][col] / rows[rank][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank, col = rank + 1, col + 1
    return rank


def exposed_sets(sets: list[frozenset[int]], k: int) -> list[frozenset[int]]:
    """Every set of 1..k-1 people whose sum follows from the sums over `sets`."""
    people = sorted(set().union(*sets)) if sets else []
    if not people:
        return []
    # People nobody can tell apart (the same sets hold them) form classes; anything the
    # attacker derives is constant on a class.
    signature: dict[int, tuple[bool, ...]] = {p: tuple(p in s for s in sets) for p in people}
    classes: dict[tuple[bool, ...], list[int]] = defaultdict(list)
    for p in people:
        classes[signature[p]].append(p)
    small = [tuple(c) for c in classes.values() if len(c) < k]
    matrix = [[Fraction(int(p in s)) for p in people] for s in sets]
    base = _rank(matrix)
    found = []
    for n in range(1, k):
        for combo in itertools.combinations(small, n):
            members = frozenset(p for c in combo for p in c)
            if not 0 < len(members) < k:
                continue
            row = [Fraction(int(p in members)) for p in people]
            if _rank([*matrix, row]) == base:
                found.append(members)
    return found


def attack(reports: list[Seen], people: list[Person], k: int) -> None:
    for qid in FIGURE_QUESTIONS:
        sets = [s for r in reports for s in r.figures.get(qid, [])]
        if not sets:
            continue
        asked = [frozenset(p for p in s if people[p].asked(qid)) for s in sets]
        views = [frozenset(p for p in s if people[p].answers.get(qid) in VIEWS) for s in asked]
        for space, name in ((asked, "people asked"), (views, "views")):
            leak = exposed_sets(list(set(space)), k)
            assert not leak, (qid, name, [(r.council, r.release) for r in reports], leak)


# --- running the real code --------------------------------------------------------------


async def _insert(db: Database, people: list[Person]) -> dict[int, int]:
    """Every person on the roster; returns person index -> invitee id."""
    ids = {}
    async with db.transaction() as conn:
        for p in people:
            row = await conn.fetchone(
                "INSERT INTO invitees (council_id, grp, name, email, team, telegram_id,"
                " created_at) SELECT id, ?, ?, ?, ?, ?, ? FROM councils WHERE slug = ?"
                " RETURNING id",
                (
                    p.group,
                    f"P{p.index}",
                    f"p{p.index}@x.org",
                    p.team,
                    5000 + p.index,
                    NOW,
                    p.council,
                ),
            )
            assert row is not None
            ids[p.index] = row[0]
    return ids


async def _submit(db: Database, invitee_id: int, p: Person) -> None:
    async with db.transaction() as conn:
        row = await conn.fetchone(
            "INSERT INTO responses (invitee_id, language, privacy_accepted, started_at,"
            " updated_at, submitted_at) VALUES (?, ?, 1, ?, ?, ?) RETURNING id",
            (invitee_id, p.language, NOW, NOW, NOW),
        )
        assert row is not None
        for qid, choice in p.answers.items():
            await conn.execute(
                "INSERT INTO answers (response_id, question_id, choice, text, answered_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (row[0], qid, choice, p.comments.get(qid), NOW),
            )


def _cell_people(key: str, members: frozenset[int], people: list[Person]) -> frozenset[int]:
    if key == "all":
        return members
    if key in ("officer", "member"):
        return frozenset(i for i in members if people[i].group == key)
    _, group, team = key.split(":", 2)
    return frozenset(i for i in members if people[i].group == group and people[i].team == team)


def _tally(ids: frozenset[int], qid: str, people: list[Person]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for i in ids:
        if people[i].asked(qid) and people[i].answers.get(qid) is not None:
            out[people[i].answers[qid]] += 1  # type: ignore[index]
    return out


def _read(
    report: Report,
    slug: str,
    members: frozenset[int],
    live: frozenset[int],
    released: dict[str, frozenset[int]],
    shows_all: dict[str, set[str]],
    people: list[Person],
    k: int,
    release_id: int | None,
) -> Seen:
    """The attacker's view of a report, after checking that each figure is what it says."""
    seen = Seen(council=slug, release=release_id, members=members, live=live)
    scale = Q.scales["agree"]
    wales_of: dict[str, frozenset[int]] = {}
    for qid in FIGURE_QUESTIONS:
        contributors = shows_all.get(qid, set())
        if len(contributors - {slug}) >= 2:
            wales_of[qid] = frozenset().union(
                *(_cell_people("all", released[c], people) for c in contributors)
            )
    for theme in report.themes:
        for s in theme.statements:
            assert ("wales" in {r.cell for r in s.results}) == (s.question_id in wales_of)
            for r in s.results:
                ids = (
                    wales_of[s.question_id]
                    if r.cell == "wales"
                    else _cell_people(r.cell, members, people)
                )
                t = _tally(ids, s.question_id, people)
                agree = sum(t[o] for o in scale.agree)
                neither = sum(t[o] for o in scale.neither)
                disagree = sum(t[o] for o in scale.disagree)
                assert (r.agree, r.neither, r.disagree, r.dk) == (agree, neither, disagree, t["dk"])
                assert r.n >= k
                seen.figures[s.question_id].append(ids)
        for qid in (q.id for q in Q.questions if q.theme == theme.theme_id and q.kind == "text"):
            mine = {
                people[i].comments[qid]
                for i in members & live
                if people[i].asked(qid) and qid in people[i].comments
            }
            shown = {c for c in theme.comments if c in mine}
            seen.comments[qid] = shown
        assert set(theme.comments) <= {
            people[i].comments[q]
            for i in members & live
            for q in people[i].comments
            if QUESTIONS[q].theme == theme.theme_id
        }
    for row in report.maturity:
        for lr in row.results:
            ids = (
                wales_of["vlevel"] if lr.cell == "wales" else _cell_people(lr.cell, members, people)
            )
            t = _tally(ids, "vlevel", people)
            assert lr.levels == (t["1"], t["2"], t["3"]) and lr.dk == t["dk"]
            seen.figures["vlevel"].append(ids)
    return seen


def _check_comments(a: Seen, b: Seen, people: list[Person], k: int) -> None:
    """A comment that appears between two reports of a council could be anyone's among at
    least k people (comments of people who withdrew are erased, and only disappear)."""
    if a.council != b.council or a.release == b.release:
        return
    for qid, shown in b.comments.items():
        new = shown - a.comments.get(qid, set())
        if not new:
            continue
        before = a.members if a.comments.get(qid) else frozenset()
        authors = {i for i in b.members if people[i].asked(qid) and i not in before}
        assert len(authors) >= k, (qid, a.release, b.release, new)


def _check_export(rows: list[Any], comments: list[Any], k: int) -> None:
    sizes: dict[tuple[Any, ...], int] = defaultdict(int)
    for r in rows:
        sizes[(r.group, r.team, r.language)] += 1
        assert not set(r.answers) & {"vtext", "stext"}  # comments are never on a row
    assert all(n >= k for n in sizes.values()), sizes
    keys = [
        (r.group or "", r.team or "", r.language or "", sorted(r.answers.items())) for r in rows
    ]
    assert keys == sorted(keys)  # the order is the answers', not the people's


async def run(people_raw: list[dict[str, Any]], events: list[tuple[str, int]], k: int) -> None:
    people = [
        Person(
            index=i,
            council=COUNCILS[p["council"]],
            group=p["group"],
            team=p["team"],
            language=p["language"],
            answers={
                qid: p[qid]
                for qid in ("v1", "v2", "s1", "s2", "vlevel")
                if QUESTIONS[qid].asks(p["group"])
            },
            comments={
                qid: f"comment {qid} {i}"
                for qid in ("vtext", "stext")
                if p[qid] and QUESTIONS[qid].asks(p["group"])
            },
        )
        for i, p in enumerate(people_raw)
    ]
    cfg = Settings(min_group_size=k, _env_file=None)
    with tempfile.TemporaryDirectory() as folder:
        db = await open_database(Path(folder) / "c.sqlite3")
        repo = Repository(db)
        try:
            ids = await _insert(db, people)
            councils = {slug: await council(db, slug) for slug in COUNCILS}
            submitted: set[int] = set()
            live: set[int] = set()
            release_members: dict[tuple[str, int], frozenset[int]] = {}
            reports: list[Seen] = []
            exports: dict[str, list[Any]] = {}
            closed: set[str] = set()
            for op, n in [*events, ("close_all", 0), ("report", 0)]:
                if op == "submit":
                    # The next person on the roster who has not submitted and still can.
                    waiting = [
                        q for q in people if q.index not in submitted and q.council not in closed
                    ]
                    if waiting:
                        p = waiting[n % min(len(waiting), 3)]
                        submitted.add(p.index)
                        live.add(p.index)
                        await _submit(db, ids[p.index], p)
                elif op == "forget" and live:
                    gone = sorted(live)[n % len(live)]
                    live.discard(gone)
                    await repo.forget(5000 + gone)
                elif op in ("close", "close_all"):
                    for slug in COUNCILS if op == "close_all" else (COUNCILS[n],):
                        closed.add(slug)
                        await repo.close_survey(councils[slug].id)
                elif op == "report":
                    await advance_releases(repo, Q, k, "Europe/London")
                    step: dict[str, tuple[Any, ...]] = {}
                    for slug in COUNCILS:
                        from storage.reporting import report_input

                        rows = await report_input(db, councils[slug].id)
                        rid = rows.release.id if rows.release else None
                        if rid is not None and (slug, rid) not in release_members:
                            release_members[(slug, rid)] = frozenset(
                                i for i in live if people[i].council == slug
                            )
                        step[slug] = (rows, rid)
                    released = {
                        slug: release_members.get((slug, rid), frozenset())
                        for slug, (_, rid) in step.items()
                    }
                    shows_all: dict[str, set[str]] = defaultdict(set)
                    for slug, (rows, _) in step.items():
                        for qid, cell in rows.cells:
                            if cell == "all" and qid in FIGURE_QUESTIONS:
                                shows_all[qid].add(slug)
                    for slug, (rows, rid) in step.items():
                        report = build_report(
                            Q, rows, councils[slug], "en", k, generated_on=date(2026, 12, 1)
                        )
                        seen = _read(
                            report,
                            slug,
                            released[slug],
                            frozenset(live),
                            released,
                            shows_all,
                            people,
                            k,
                            rid,
                        )
                        if not reports or all(
                            (r.council, r.release) != (seen.council, seen.release)
                            or r.live != seen.live
                            for r in reports
                        ):
                            reports.append(seen)
                        if slug in closed:
                            try:
                                out = await export_tables(repo, cfg, councils[slug])
                            except Refused:
                                continue
                            _check_export(out[0], out[1], k)
                            exports.setdefault(slug, [out[0]])
                            assert exports[slug][0] == out[0]  # one set of rows, ever
        finally:
            await db.close()
    # One report, then every pair.
    unique: dict[tuple[Any, ...], Seen] = {}
    for r in reports:
        figures = frozenset((q, frozenset(sets)) for q, sets in r.figures.items())
        unique.setdefault((r.council, figures), r)
    distinct = list(unique.values())
    for r in distinct:
        attack([r], people, k)
    for a, b in itertools.combinations(distinct, 2):
        attack([a, b], people, k)
    for a, b in itertools.permutations(reports, 2):
        _check_comments(a, b, people, k)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(person, min_size=8, max_size=40),
    events=st.lists(event, min_size=15, max_size=60),
    k=st.sampled_from([3, 4]),
)
def test_no_reader_of_reports_and_exports_learns_fewer_than_k_peoples_answers(
    people: list[dict[str, Any]], events: list[tuple[str, int]], k: int
) -> None:
    asyncio.run(run(people, events, k))


def test_the_export_generalises_rare_values_and_leaves_out_what_stays_rare() -> None:
    from reports.confidentiality import anonymise_export
    from storage.export import ExportRow

    def row(group: str, team: str | None, lang: str, v1: str) -> ExportRow:
        return ExportRow(group=group, team=team, language=lang, answers={"v1": v1})

    rows = [row("officer", "CMT", "en", "a") for _ in range(5)]
    rows += [row("officer", None, "en", "d") for _ in range(4)]
    rows += [row("officer", None, "cy", "sa")]  # the only Welsh officer
    rows += [row("member", "Cabinet", "en", "n") for _ in range(2)]  # a rare team
    rows += [row("member", None, "cy", "a") for _ in range(2)]
    out = anonymise_export(rows, 5)
    classes: dict[tuple[Any, ...], int] = defaultdict(int)
    for r in out:
        classes[(r.group, r.team, r.language)] += 1
    assert all(n >= 5 for n in classes.values())
    assert ("officer", "CMT", "en") in classes  # five: kept as it is
    assert not any(r.language == "cy" for r in out)  # one and two Welsh speakers: blanked
    assert not any(r.team == "Cabinet" for r in out)
    assert len(out) == 10  # the four members, still fewer than five together, are left out
    assert anonymise_export(rows[:4], 5) == []
