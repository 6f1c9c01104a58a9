"""The confidentiality rule, written once: which figures a release of a council's answers shows.

The rule. No figure (share, count, distribution, median, level, comment) rests on fewer than
``k`` (``MIN_GROUP_SIZE``) people's answers, in one report or in the difference between any two;
and none can be worked out from shown ones.

Per question. The people a figure rests on are those of the group who were *asked* the question
(its audience: a question for officers is asked of no elected member) and, for shares, counts,
medians and levels, those of them who *gave a view* (not "Don't know"). So a group's figures
for a question are shown only when at least ``k`` of its people were asked it and at least ``k``
gave a view, and `reports.anonymity.suppress` hides more until no set of (group, team) atoms with
1 to k-1 people asked, or 1 to k-1 views, follows from the shown groups by adding and
subtracting. "All respondents" of a question asked of officers only is the officers.

Figures of different questions are different unknowns, so a sum over questions (a theme's
pooled share, a characteristic's levels) that adds only shown figures shows nothing new.

Comments carry no group, so the people one rests on are everyone asked the question: its
comments are shown when at least ``k`` were asked, and the same check applies between releases.

Over time: releases. What reports show comes from a stored release, a snapshot of which
responses count, and moves forward only when the pair (each earlier release, the new one) passes
the same check, with atoms split by who is in both, only the old, only the new: in practice when
every group whose figures change has gained or lost at least ``k`` people asked and with a view.
The final release at the survey's close counts everyone; where the difference from an earlier
release would rest on fewer than ``k``, the final release hides more (suppression with the
earlier releases' shown figures fixed), so a late submission or a withdrawal at the close still
exposes nobody. Response-rate counts are not figures about views and move freely.

Wales. Each council contributes only its released "all respondents" figure for a question, and
only where its own report shows it. A council's report compares it with the rest of Wales: the
other councils' figures, never its own, and only when at least ``WALES_MIN_OTHERS`` councils
other than its own contribute, so the comparator is never one other council. A reader who
covers several councils (an auditor of a region) can subtract all of theirs, so their copy
shows a figure only where at least that many councils outside all of them contribute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from reports.anonymity import MAX_ATOMS, MIN_GROUP_SIZE, Candidate, derivable_small_sets, suppress
from rubric.schema import GROUPS, Group, Question, Questionnaire
from storage.reporting import (
    ExportRow,
    FigureRow,
    History,
    LiveRows,
    NewRelease,
    ReleaseGroupRow,
    ReleaseSizeRow,
)

WALES_MIN_OTHERS = 2
"""The fewest councils besides the reader's own that a Wales figure must pool."""

LEVELS = ("1", "2", "3")

Sizes = dict[str, int]
"""atom -> people"""


def atom(group: str, team: str | None) -> str:
    return f"{group}|{team or ''}"


def as_group(text: str) -> Group:
    if text == "officer":
        return "officer"
    if text == "member":
        return "member"
    raise ValueError(f"not a group: {text!r}")


def group_of(atom_key: str) -> Group:
    return as_group(atom_key.split("|", 1)[0])


def view_options(questionnaire: Questionnaire, question: Question) -> frozenset[str] | None:
    """The answers that are a view (the base of shares); None for free text."""
    if question.kind == "text":
        return None
    if question.kind == "level":
        return frozenset(LEVELS)
    scale = questionnaire.scales["agree"]
    return frozenset((*scale.agree, *scale.neither, *scale.disagree))


def figure_questions(questionnaire: Questionnaire) -> list[Question]:
    return list(questionnaire.questions)


def candidates(atoms: Iterable[str], question: Question | None = None) -> list[Candidate]:
    """The groups a report may show, as sets of atoms: all respondents, each group and each
    named team; for a question, only the atoms of the groups it is asked of."""
    atoms = sorted(set(atoms))
    if question is not None:
        atoms = [a for a in atoms if question.asks(group_of(a))]
    out = [Candidate(key="all", atoms=frozenset(atoms), priority=3)]
    for g in GROUPS:
        if question is None or question.asks(g):
            out.append(
                Candidate(key=g, atoms=frozenset(a for a in atoms if group_of(a) == g), priority=2)
            )
    if len(atoms) <= MAX_ATOMS:
        for a in atoms:
            grp, team = a.split("|", 1)
            if team:
                out.append(Candidate(key=f"team:{grp}:{team}", atoms=frozenset({a}), priority=1))
    return out


class QuestionSizes(BaseModel):
    """Per atom: people asked a question and people who gave a view on it."""

    model_config = ConfigDict(frozen=True)

    asked: dict[str, int]
    views: dict[str, int] | None


def sizes_of(
    questionnaire: Questionnaire,
    question: Question,
    respondents: Mapping[str, int],
    counts: Mapping[str, Mapping[str, int]],
) -> QuestionSizes:
    """`counts`: atom -> choice -> n for this question."""
    asked = {a: (n if question.asks(group_of(a)) else 0) for a, n in respondents.items()}
    options = view_options(questionnaire, question)
    if options is None:
        return QuestionSizes(asked=asked, views=None)
    views = {
        a: (sum(n for c, n in counts.get(a, {}).items() if c in options) if asked[a] else 0)
        for a in asked
    }
    return QuestionSizes(asked=asked, views=views)


def shown_cells(
    sizes: QuestionSizes,
    question: Question,
    k: int,
    fixed: Sequence[frozenset[str]] = (),
    atoms: Iterable[str] | None = None,
) -> dict[str, frozenset[str]]:
    """The cells shown for one question (key -> atoms), the rule applied."""
    cands = candidates(sizes.asked if atoms is None else atoms, question)
    decisions = suppress(sizes.asked, cands, k, views=sizes.views, fixed=fixed)
    return {c.key: c.atoms for c in cands if decisions[c.key].shown}


def leaks(sizes: QuestionSizes, shown: Iterable[frozenset[str]], k: int) -> bool:
    sets = list(shown)
    weights = [sizes.asked] if sizes.views is None else [sizes.asked, sizes.views]
    return any(derivable_small_sets(w, sets, k) for w in weights)


# --- live answers -> a release -----------------------------------------------------------


class _Live:
    def __init__(self, live: LiveRows) -> None:
        self.respondents: Sizes = defaultdict(int)
        for g in live.groups:
            self.respondents[atom(g.group, g.team)] += g.respondents
        self.counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for a in live.answers:
            per = self.counts[a.question_id][atom(a.group, a.team)]
            per[a.choice] = per.get(a.choice, 0) + a.n

    def sizes(self, questionnaire: Questionnaire, q: Question) -> QuestionSizes:
        return sizes_of(questionnaire, q, self.respondents, self.counts.get(q.id, {}))


def _past_sizes(past: History, q: Question) -> QuestionSizes:
    rows = [s for s in past.sizes if s.question_id == q.id]
    asked = {atom(s.group, s.team): s.asked for s in rows}
    views = None if q.kind == "text" else {atom(s.group, s.team): s.views for s in rows}
    return QuestionSizes(asked=asked, views=views)


def _past_shown(past: History, q: Question) -> list[frozenset[str]]:
    """The atoms of each cell an earlier release showed for `q` (zero-size atoms drop out)."""
    atoms = [atom(g.group, g.team) for g in past.groups]
    out = []
    for qid, key in past.cells:
        if qid != q.id:
            continue
        if key == "all":
            out.append(frozenset(atoms))
        elif key in GROUPS:
            out.append(frozenset(a for a in atoms if group_of(a) == key))
        else:
            _, g, team = key.split(":", 2)
            out.append(frozenset({atom(g, team)}))
    return out


def _status_sizes(old: QuestionSizes, both: QuestionSizes, new: QuestionSizes) -> QuestionSizes:
    """Atoms split by who counts in both releases, only the old or only the new."""

    def split(o: Mapping[str, int], b: Mapping[str, int], n: Mapping[str, int]) -> Sizes:
        out: Sizes = {}
        for a in set(o) | set(b) | set(n):
            out[f"{a}#both"] = b.get(a, 0)
            out[f"{a}#old"] = max(o.get(a, 0) - b.get(a, 0), 0)
            out[f"{a}#new"] = max(n.get(a, 0) - b.get(a, 0), 0)
        return out

    asked = split(old.asked, both.asked, new.asked)
    views = None
    if old.views is not None and both.views is not None and new.views is not None:
        views = split(old.views, both.views, new.views)
    return QuestionSizes(asked=asked, views=views)


def _over(atoms: Iterable[str], *statuses: str) -> frozenset[str]:
    return frozenset(f"{a}#{s}" for a in atoms for s in statuses)


def make_release(
    questionnaire: Questionnaire,
    live: LiveRows,
    k: int = MIN_GROUP_SIZE,
    history: Sequence[History] = (),
    *,
    final: bool = False,
) -> NewRelease | None:
    """The release to store, or None when a release that is not final may not move forward yet
    (some group's figures would change by fewer than ``k`` people)."""
    now = _Live(live)
    atoms = [a for a, n in now.respondents.items() if n > 0]
    figures: list[FigureRow] = []
    sizes_rows: list[ReleaseSizeRow] = []
    cells_shown: list[tuple[str, str]] = []
    for q in figure_questions(questionnaire):
        sizes = now.sizes(questionnaire, q)
        shown = shown_cells(sizes, q, k, atoms=atoms)
        pairs = []
        for past in history:
            old = _past_sizes(past, q)
            both = _Live(past.overlap).sizes(questionnaire, q)
            status = _status_sizes(old, both, sizes)
            old_sets = [_over(a, "both", "old") for a in _past_shown(past, q)]
            pairs.append((status, old_sets))
        for status, old_sets in pairs:
            new_sets = [_over(a, "both", "new") for a in shown.values()]
            if not leaks(status, [*old_sets, *new_sets], k):
                continue
            if not final:
                return None
            # The final release: hide more until this pair tells nothing.
            keep = _final_cells(status, old_sets, shown, k)
            shown = {key: shown[key] for key in keep}
        for key, members in shown.items():
            cells_shown.append((q.id, key))
            if q.kind == "text":
                continue
            for a in sorted(members):
                for choice, n in now.counts.get(q.id, {}).get(a, {}).items():
                    figures.append(FigureRow(question_id=q.id, cell=key, choice=choice, n=n))
        for a in sorted(sizes.asked):
            sizes_rows.append(
                ReleaseSizeRow(
                    group=group_of(a),
                    team=a.split("|", 1)[1] or None,
                    question_id=q.id,
                    asked=sizes.asked[a],
                    views=sizes.views[a] if sizes.views is not None else sizes.asked[a],
                )
            )
    merged: dict[tuple[str, str, str], int] = defaultdict(int)
    for f in figures:
        merged[(f.question_id, f.cell, f.choice)] += f.n
    return NewRelease(
        responses=sum(now.respondents.values()),
        final=final,
        groups=tuple(
            ReleaseGroupRow(group=group_of(a), team=a.split("|", 1)[1] or None, respondents=n)
            for a, n in sorted(now.respondents.items())
        ),
        sizes=tuple(sizes_rows),
        cells=tuple(cells_shown),
        figures=tuple(
            FigureRow(question_id=q, cell=c, choice=ch, n=n)
            for (q, c, ch), n in sorted(merged.items())
        ),
        members=live.members,
    )


def _final_cells(
    status: QuestionSizes,
    old_sets: list[frozenset[str]],
    shown: Mapping[str, frozenset[str]],
    k: int,
) -> list[str]:
    priority: dict[str, int] = {"all": 3, "officer": 2, "member": 2}
    cands = [
        Candidate(key=key, atoms=_over(atoms, "both", "new"), priority=priority.get(key, 1))
        for key, atoms in shown.items()
    ]
    decisions = suppress(status.asked, cands, k, views=status.views, fixed=old_sets)
    return [c.key for c in cands if decisions[c.key].shown]


def wales_pooled(
    contributions: Mapping[str, Mapping[str, Mapping[str, int]]],
    own: str,
    reader_covers: Iterable[str] = (),
) -> dict[str, dict[str, int]]:
    """question -> choice -> n for the rest of Wales: every other contributing council's
    released "all" figure (never `own`'s: a council is compared with the others, and its
    comparator is the same whichever report shows it), for the questions where at least
    WALES_MIN_OTHERS councils contribute besides `own` and every council the reader covers
    (`reader_covers`: they see those councils' own figures, so the figure less theirs must
    still pool two). Each contribution is a figure its own report shows, so at least
    MIN_GROUP_SIZE people's views. `contributions`: council -> question -> choice -> n
    (released and shown only)."""
    known = {own, *reader_covers}
    by_question: dict[str, set[str]] = defaultdict(set)
    for slug, questions in contributions.items():
        for qid in questions:
            by_question[qid].add(slug)
    out: dict[str, dict[str, int]] = {}
    for qid, slugs in by_question.items():
        if len(slugs - known) < WALES_MIN_OTHERS:
            continue
        total: dict[str, int] = defaultdict(int)
        for slug in slugs - {own}:
            for choice, n in contributions[slug][qid].items():
                total[choice] += n
        out[qid] = dict(total)
    return out


__all__ = [
    "QUASI",
    "WALES_MIN_OTHERS",
    "QuestionSizes",
    "anonymise_export",
    "candidates",
    "leaks",
    "make_release",
    "shown_cells",
    "sizes_of",
    "view_options",
    "wales_pooled",
]


# --- the export ----------------------------------------------------------------------------

QUASI = ("group", "team", "language")
"""The export's columns that say who a row might be; every other column is an answer."""


def anonymise_export(rows: Sequence[ExportRow], k: int = MIN_GROUP_SIZE) -> list[ExportRow]:
    """The export's rows, k-anonymous on (group, team, language): every combination of those
    values that appears is shared by at least `k` rows. A rare value is generalised to blank:
    first the team, then the language, then the group, and rows still rare after that are left
    out (with fewer than `k` rows in all, there is no row). Rows come sorted by their values,
    answers included, which says nothing about who answered or when. Comments are never in
    the rows."""
    if len(rows) < k:
        return []
    out = list(rows)

    def classes(items: list[ExportRow], keys: tuple[str, ...]) -> dict[tuple[object, ...], int]:
        counts: dict[tuple[object, ...], int] = defaultdict(int)
        for r in items:
            counts[tuple(getattr(r, f) for f in keys)] += 1
        return counts

    # A team held by fewer than k rows of its group is blanked first.
    teams = classes(out, ("group", "team"))
    out = [r if teams[(r.group, r.team)] >= k else r.model_copy(update={"team": None}) for r in out]
    for field in ("language", "team", "group"):
        sizes = classes(out, QUASI)
        out = [
            r
            if sizes[tuple(getattr(r, f) for f in QUASI)] >= k
            else r.model_copy(update={field: None})
            for r in out
        ]
    # Whatever is still rare (the rows blanked last, fewer than k together) is left out.
    sizes = classes(out, QUASI)
    out = [r for r in out if sizes[tuple(getattr(r, f) for f in QUASI)] >= k]

    def order(r: ExportRow) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
        return (
            r.group or "",
            r.team or "",
            r.language or "",
            tuple(sorted(r.answers.items())),
        )

    return sorted(out, key=order)
