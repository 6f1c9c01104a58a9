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
responses count, with every earlier release's shown cells held at once: every class of people
that all the outputs together tell apart (the same figures, in every release, count them) must be
empty or hold ``k`` people, and none below ``UNANIMITY_SAFE_SIZE`` views may be unanimous
(`exposures`). That covers sums and signed differences (one who left and one who joined) over
any sequence of reports, and the export, checked the same way as one more output. A release
moves in safe steps (`make_release`): everyone now, or those counted last time with the
newcomers of each group and team that has ``k`` of them; never showing fewer figures than the
last (the final release: never fewer cells, unless a withdrawal forces it, else it repeats the
last release). Response-rate counts are not figures about views and move freely.

Wales. The Wales figures come from a Wales release, which moves only when more than
``WALES_MIN_OTHERS`` councils have moved on (`wales_may_move`), and each reader's copy leaves out
a question whose figure moved by fewer councils' steps than that (`wales_pooled`). Each council
contributes only its released "all respondents" figure for a question, and only where its own
report shows it. A council's report compares it with the rest of Wales: the
other councils' figures, never its own, and only when at least ``WALES_MIN_OTHERS`` councils
other than its own contribute, so the comparator is never one other council. A reader who
covers several councils (an auditor of a region) can subtract all of theirs, so their copy
shows a figure only where at least that many councils outside all of them contribute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reports.anonymity import MAX_ATOMS, MIN_GROUP_SIZE, Candidate, derivable_small_sets, suppress
from rubric.schema import GROUPS, Group, Question, Questionnaire
from storage.reporting import (
    ExportRow,
    FigureRow,
    NewRelease,
    PastRelease,
    ReleaseGroupRow,
    ReleaseSizeRow,
    Roll,
    WalesStep,
)

WALES_MIN_OTHERS = 2
"""The fewest councils besides the reader's own that a Wales figure must pool."""

LEVELS = ("1", "2", "3")

Sizes = dict[str, int]
"""atom -> people"""


def atom(group: str, team: str | None) -> str:
    return f"{group}|{team or ''}"


def as_group(text: str) -> Group:
    """An atom's group: any audience's name (``officer``, ``member``, ``cmt``)."""
    if not text or "|" in text:
        raise ValueError(f"not a group: {text!r}")
    return text


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
    # Officers and members always; any other audience whose people are here, by its name.
    others = sorted({group_of(a) for a in atoms} - set(GROUPS))
    for g in (*GROUPS, *others):
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


# --- the rule between outputs: every class the outputs can tell apart ---------------------

UNANIMITY_SAFE_SIZE = 20
"""Below this many views, a group's figures for a question are not shown when all its views,
or all but fewer than ``k``, fall in one answer (the bot passes its setting)."""


def bands(questionnaire: Questionnaire, question: Question, counts: Mapping[str, int]) -> Sizes:
    """A question's views as the report shows them: agree / neither / disagree for a statement,
    the level for a characteristic ("Don't know" is no view)."""
    if question.kind == "level":
        return {level: counts.get(level, 0) for level in LEVELS}
    scale = questionnaire.scales["agree"]
    return {
        "agree": sum(counts.get(o, 0) for o in scale.agree),
        "neither": sum(counts.get(o, 0) for o in scale.neither),
        "disagree": sum(counts.get(o, 0) for o in scale.disagree),
    }


def reveals_unanimity(
    counts: Mapping[str, int], k: int = MIN_GROUP_SIZE, safe_size: int = UNANIMITY_SAFE_SIZE
) -> bool:
    """True when figures of these views (band -> people) would tell each of them what the
    others answered: fewer than `safe_size` views, and all of them, or all but fewer than `k`,
    in one band. (Group attribute disclosure: a minimum cell size does not prevent it, since
    everyone knows who sits on a team, and the fewer than `k` who differ know themselves.)"""
    views = sum(counts.values())
    if views == 0 or views >= safe_size:
        return False
    return views - max(counts.values()) < k


def says_all_or_none(
    part: int, whole: int, k: int = MIN_GROUP_SIZE, safe_size: int = UNANIMITY_SAFE_SIZE
) -> bool:
    """True when a sentence "N of WHOLE ..." about a group would say "all", "none", "100%" or
    "0%" (or all but, or none but, fewer than `k`) of a group smaller than `safe_size`: the
    narrative must not say it. (A figure the release shows never does, for the bands it shows;
    a sentence that adds bands, or counts one answer, must ask.)"""
    if whole <= 0 or whole >= safe_size:
        return False
    return part < k or whole - part < k


class _Piece(BaseModel):
    """People alike for every output: the same group and team now and in each release that
    counted them, the same reply language, counted now or not."""

    model_config = ConfigDict(frozen=True)

    atom: str
    language: str
    counted: tuple[tuple[int, str], ...]
    """(release, the atom it counted them under)"""
    live: bool

    def atom_in(self, release: int | None) -> str | None:
        """Their atom in `release` (None: a release made now), or None if it does not count
        them."""
        if release is None:
            return self.atom if self.live else None
        return next((a for r, a in self.counted if r == release), None)

    def groups(self) -> set[Group]:
        return {group_of(self.atom), *(group_of(a) for _, a in self.counted)}


class _People:
    """A council's people as pieces. Everything the outputs can tell apart is a union of
    pieces."""

    def __init__(self, questionnaire: Questionnaire, roll: Roll) -> None:
        self.q = questionnaire
        self.piece_of: dict[int | str, str] = {}
        self.pieces: dict[str, _Piece] = {}
        self.size: dict[str, int] = defaultdict(int)
        for p in roll.people:
            piece = _Piece(
                atom=atom(p.group, p.team),
                language=p.language or "",
                counted=tuple(sorted((c.release, atom(c.group, c.team)) for c in p.releases)),
                live=p.response_id is not None,
            )
            key = piece.model_dump_json()
            self.pieces[key] = piece
            self.size[key] += 1
            who = p.response_id if p.response_id is not None else f"gone:{p.departure}"
            self.piece_of[who] = key
        # piece -> question -> choice -> n (submitted responses only: no answer of someone who
        # withdrew is kept anywhere)
        self.counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        self.atom_counts: dict[str, dict[str, dict[str, int]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        for c in roll.choices:
            key_of = self.piece_of.get(c.response_id)
            if key_of is None:
                continue
            per = self.counts[c.question_id][key_of]
            per[c.choice] = per.get(c.choice, 0) + 1
            at = self.atom_counts[c.question_id][self.pieces[key_of].atom]
            at[c.choice] = at.get(c.choice, 0) + 1
        self.live_atoms: Sizes = defaultdict(int)
        for key, piece in self.pieces.items():
            if piece.live:
                self.live_atoms[piece.atom] += self.size[key]

    def sizes(self, question: Question) -> QuestionSizes:
        """Per piece: people asked `question` (under any group they were counted in); those of
        them counted now who gave a view. The views of someone who withdrew are not known
        (erased), so they count as none: that only makes a class look smaller, so the check
        errs on the side of hiding."""
        asked = {
            key: (
                self.size[key]
                if any(question.asks(g) for g in piece.groups())
                # A withdrawn comment simply disappears (erasure chosen over that clue, see
                # the README), so for comments someone who withdrew counts for nothing.
                and (piece.live or question.kind != "text")
                else 0
            )
            for key, piece in self.pieces.items()
        }
        options = view_options(self.q, question)
        if options is None:
            return QuestionSizes(asked=asked, views=None)
        per = self.counts.get(question.id, {})
        views = {
            key: (sum(n for c, n in per.get(key, {}).items() if c in options) if asked[key] else 0)
            for key in asked
        }
        return QuestionSizes(asked=asked, views=views)

    def cell(self, key: str, question: Question, release: int | None) -> frozenset[str]:
        """The pieces of cell `key` for `question` in stored release `release`, or (None) in a
        release made of everyone counted now."""
        out = []
        for piece_key, piece in self.pieces.items():
            a = piece.atom_in(release)
            if a is not None and question.asks(group_of(a)) and _in_cell(key, a):
                out.append(piece_key)
        return frozenset(out)


def _in_cell(key: str, atom_key: str) -> bool:
    if key == "all":
        return True
    if ":" not in key:  # a group: officers, members or another audience
        return group_of(atom_key) == key
    _, grp, team = key.split(":", 2)
    return atom_key == atom(grp, team)


def exposures(
    sizes: QuestionSizes,
    sets: Sequence[frozenset[str]],
    k: int,
    views_by_band: Mapping[str, Mapping[str, int]] | None = None,
    safe_size: int = UNANIMITY_SAFE_SIZE,
) -> int:
    """How many classes of people the outputs `sets` (each a figure summed over its pieces) tell
    apart that give someone away: a class of 1 to k-1 people (asked, or with a view), or, with
    `views_by_band` (piece -> band -> views), a class of fewer than `safe_size` views whose views
    are all, or all but fewer than `k`, in one band (`reveals_unanimity`). Zero is the rule.

    Why classes. A class is the people no output tells apart (the same sets hold them); any sum
    and difference of the outputs, with any signs and coefficients, is constant on each class, so
    it is a combination of class totals. When every class is empty or holds at least `k` people,
    no combination isolates fewer than `k`: not a set (the check of issue 9), and not "one who
    left minus one who joined", whose +1/-1 counts would give both away, since each person gives
    one answer. And since a combination's count can only reach its largest or smallest possible
    value when each class in it is unanimous, no class being unanimous means no combination pins
    anyone's answer down. It covers every sequence of outputs at once (triples, the export), not
    pair by pair."""
    classes: dict[tuple[bool, ...], list[str]] = defaultdict(list)
    for piece, n in sizes.asked.items():
        if n <= 0:
            continue
        signature = tuple(piece in s for s in sets)
        if any(signature):
            classes[signature].append(piece)
    found = 0
    for pieces in classes.values():
        asked = sum(sizes.asked[p] for p in pieces)
        if 0 < asked < k:
            found += 1
            continue
        if sizes.views is None:
            continue
        views = sum(sizes.views.get(p, 0) for p in pieces)
        if 0 < views < k or (views == 0 and views_by_band is not None and asked < safe_size):
            # (No view at all: the figures would say that each of them answered "Don't know".)
            found += 1
        elif views_by_band is not None:
            total: dict[str, int] = defaultdict(int)
            for p in pieces:
                for band, n in views_by_band.get(p, {}).items():
                    total[band] += n
            if reveals_unanimity(total, k, safe_size):
                found += 1
    return found


_PRIORITY = {"all": 3, "officer": 2, "member": 2}


def _choose(
    sizes: QuestionSizes,
    wanted: Mapping[str, frozenset[str]],
    fixed: Sequence[frozenset[str]],
    k: int,
    views_by_band: Mapping[str, Mapping[str, int]] | None = None,
    safe_size: int = UNANIMITY_SAFE_SIZE,
) -> list[str]:
    """Which of the `wanted` cells (key -> pieces) to show beside the `fixed` outputs: hides one
    more until nothing is exposed, a team before a group, a smaller before a larger, preferring
    one whose hiding helps; "all respondents" last."""

    def size(key: str) -> int:
        return sum(sizes.asked.get(p, 0) for p in wanted[key])

    shown = list(wanted)
    while shown:
        now = exposures(sizes, [*fixed, *(wanted[c] for c in shown)], k, views_by_band, safe_size)
        if not now:
            break
        order = sorted(shown, key=lambda c: (_PRIORITY.get(c, 1), size(c), c))

        def after(victim: str) -> int:
            rest = [*fixed, *(wanted[c] for c in shown if c != victim)]
            return exposures(sizes, rest, k, views_by_band, safe_size)

        victim = next((c for c in order if _PRIORITY.get(c, 1) < 3 and after(c) < now), order[0])
        shown.remove(victim)
    return shown


def _past_cells(people: _People, q: Question, past: PastRelease) -> list[frozenset[str]]:
    return [people.cell(key, q, past.id) for qid, key in past.cells if qid == q.id]


def make_release(
    questionnaire: Questionnaire,
    roll: Roll,
    k: int = MIN_GROUP_SIZE,
    history: Sequence[PastRelease] = (),
    *,
    final: bool = False,
    unanimity_safe_size: int = UNANIMITY_SAFE_SIZE,
) -> NewRelease | None:
    """The release to store, or None when the release should not move (yet).

    A release shows per question the cells that pass: at least `k` asked and `k` views, no
    unanimous view below `unanimity_safe_size`, and, with every earlier release's shown cells,
    no class of fewer than `k` people told apart (`exposures`), hiding more where needed. It is
    made only when it shows at least as many cells as the last release (the final release: at
    least every cell the last showed), so figures do not go backwards because a few came in
    late. It counts everyone submitted now if it can; else, in
    steps, those the last release counted and the newcomers of each group and team that has at
    least `k` of them (the others wait); else the last release stays, and at the close the
    final release repeats it (`repeats`). Only a withdrawal since the last release makes the
    final release show fewer cells (the person's groups, which would otherwise change by their
    answers alone): then it counts everyone, and hides what it must."""
    live = [p for p in roll.people if p.response_id is not None]
    last = history[-1] if history else None
    if not live and last is None:
        return None
    departed_since_last = last is not None and any(
        p.response_id is None and any(c.release == last.id for c in p.releases) for p in roll.people
    )

    def enough(new: NewRelease) -> bool:
        """A final release shows every cell the last one did; one before the close, at least as
        many (a cell that must now be hidden for one question does not hold all back)."""
        assert last is not None
        if final:
            return set(last.cells) <= set(new.cells)
        return len(new.cells) >= len(last.cells)

    everyone = _release_of(questionnaire, roll, k, history, final, unanimity_safe_size)
    if last is None:
        return everyone
    options = [everyone]
    counted = {p.response_id for p in live if any(c.release == last.id for c in p.releases)}
    newcomers: dict[str, set[int]] = defaultdict(set)
    for p in live:
        if p.response_id is not None and p.response_id not in counted:
            newcomers[atom(p.group, p.team)].add(p.response_id)
    keep = counted | {i for ids in newcomers.values() if len(ids) >= k for i in ids}
    if len(keep) < len(live) and (keep - counted or departed_since_last):
        some = Roll(
            people=tuple(p for p in roll.people if p.response_id is None or p.response_id in keep),
            choices=tuple(c for c in roll.choices if c.response_id in keep),
        )
        options.append(_release_of(questionnaire, some, k, history, final, unanimity_safe_size))
    allowed = [o for o in options if enough(o) or (final and departed_since_last)]
    if allowed:  # the one that shows most, then counts most
        return max(allowed, key=lambda o: (len(o.cells), o.responses))
    if not final or last.final:
        return None
    return NewRelease(
        responses=last.responses,
        final=True,
        groups=(),
        sizes=(),
        cells=last.cells,
        figures=(),
        members=(),
        repeats=last.id,
    )


def _release_of(
    questionnaire: Questionnaire,
    roll: Roll,
    k: int,
    history: Sequence[PastRelease],
    final: bool,
    unanimity_safe_size: int,
) -> NewRelease:
    """The release of everyone `roll` counts now, hiding what the rule needs hidden."""
    live = [p for p in roll.people if p.response_id is not None]
    people = _People(questionnaire, roll)
    figures: dict[tuple[str, str, str], int] = defaultdict(int)
    sizes_rows: list[ReleaseSizeRow] = []
    cells_shown: list[tuple[str, str]] = []
    live_atoms = [a for a, n in people.live_atoms.items() if n > 0]
    for q in figure_questions(questionnaire):
        sizes = people.sizes(q)
        fixed = [c for past in history for c in _past_cells(people, q, past)]
        wanted: dict[str, frozenset[str]] = {}
        per_piece = people.counts.get(q.id, {})
        views_by_band = (
            None
            if q.kind == "text"
            else {p: bands(questionnaire, q, c) for p, c in per_piece.items()}
        )
        for cand in candidates(live_atoms, q):
            members = people.cell(cand.key, q, None)
            asked = sum(sizes.asked.get(p, 0) for p in members)
            views = asked if sizes.views is None else sum(sizes.views.get(p, 0) for p in members)
            if asked < k or views < k:
                continue
            if q.kind != "text":
                counts: dict[str, int] = defaultdict(int)
                for p in members:
                    for choice, n in people.counts.get(q.id, {}).get(p, {}).items():
                        counts[choice] += n
                if reveals_unanimity(bands(questionnaire, q, counts), k, unanimity_safe_size):
                    continue
            wanted[cand.key] = members
        for key in _choose(sizes, wanted, fixed, k, views_by_band, unanimity_safe_size):
            cells_shown.append((q.id, key))
            if q.kind == "text":
                continue
            for a in live_atoms:
                if q.asks(group_of(a)) and _in_cell(key, a):
                    for choice, n in people.atom_counts.get(q.id, {}).get(a, {}).items():
                        figures[(q.id, key, choice)] += n
        for a in sorted(people.live_atoms):
            asked_n = people.live_atoms[a] if q.asks(group_of(a)) else 0
            options = view_options(questionnaire, q)
            per = people.atom_counts.get(q.id, {}).get(a, {})
            views_n = asked_n if options is None else sum(n for c, n in per.items() if c in options)
            sizes_rows.append(
                ReleaseSizeRow(
                    group=group_of(a),
                    team=a.split("|", 1)[1] or None,
                    question_id=q.id,
                    asked=asked_n,
                    views=views_n if asked_n else 0,
                )
            )
    return NewRelease(
        responses=len(live),
        final=final,
        groups=tuple(
            ReleaseGroupRow(group=group_of(a), team=a.split("|", 1)[1] or None, respondents=n)
            for a, n in sorted(people.live_atoms.items())
        ),
        sizes=tuple(sizes_rows),
        cells=tuple(cells_shown),
        figures=tuple(
            FigureRow(question_id=q, cell=c, choice=ch, n=n)
            for (q, c, ch), n in sorted(figures.items())
        ),
        members=tuple(sorted(p.response_id for p in live if p.response_id is not None)),
    )


def wales_may_move(pooled: Mapping[int, int], latest: Mapping[int, int]) -> bool:
    """Whether the Wales release may move from the councils' releases it pools (`pooled`) to
    their latest (`latest`, council -> release): only when more than WALES_MIN_OTHERS councils
    have moved on, so that for a reader of any one council the step pools at least
    WALES_MIN_OTHERS councils besides theirs, and is never one council's new figure minus its
    previous one. Each council's own release moves only in safe steps too (`make_release`), so
    even a reader who subtracts every council but one learns no fewer than `k` people's answers."""
    changed = {c for c in {*pooled, *latest} if pooled.get(c) != latest.get(c)}
    return len(changed) > WALES_MIN_OTHERS


def wales_pooled(
    contributions: Mapping[str, Mapping[str, Mapping[str, int]]],
    own: str,
    reader_covers: Iterable[str] = (),
    steps: Sequence[WalesStep] = (),
) -> dict[str, dict[str, int]]:
    """question -> choice -> n for the rest of Wales: every other contributing council's
    released "all" figure (never `own`'s: a council is compared with the others, and its
    comparator is the same whichever report shows it), for the questions where at least
    WALES_MIN_OTHERS councils contribute besides `own` and every council the reader covers
    (`reader_covers`: they see those councils' own figures, so the figure less theirs must
    still pool two). Each contribution is a figure its own report shows, so at least
    MIN_GROUP_SIZE people's views. `contributions`: council -> question -> choice -> n
    (released and shown only).

    `steps` (every Wales release, `storage.reporting.WalesStep`): a question is also left out
    when, since any earlier Wales release, its figure changed by fewer than WALES_MIN_OTHERS
    councils the reader does not see and one of them came in or went out whole, so that the
    figure now minus the figure then is never one council's whole figure. (One council's step,
    its figure now minus its previous one, rests on at least `k` people who joined or left,
    since its own releases move only so: `make_release`.)"""
    known = {own, *reader_covers}
    by_question: dict[str, set[str]] = defaultdict(set)
    for slug, questions in contributions.items():
        for qid in questions:
            by_question[qid].add(slug)
    pooled_in: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for step in steps:
        pooled_in[step.wales_release][step.question_id][step.council_slug] = step.release
    current = max(pooled_in, default=None)
    out: dict[str, dict[str, int]] = {}
    for qid, slugs in by_question.items():
        if len(slugs - known) < WALES_MIN_OTHERS:
            continue
        if current is not None:
            now = pooled_in[current].get(qid, {})
            moved_alone = False
            for wales_release, questions in pooled_in.items():
                then = questions.get(qid, {})
                changed = {c for c in {*now, *then} if now.get(c) != then.get(c)} - known
                whole = {c for c in changed if (c in now) != (c in then)}
                if wales_release != current and whole and len(changed) < WALES_MIN_OTHERS:
                    moved_alone = True
            if moved_alone:
                continue
        total: dict[str, int] = defaultdict(int)
        for slug in slugs - {own}:
            for choice, n in contributions[slug][qid].items():
                total[choice] += n
        out[qid] = dict(total)
    return out


def change_shown(then: int | None, now: int | None, k: int = MIN_GROUP_SIZE) -> bool:
    """Whether a change between two rounds may be said for one group and question: only from
    two figures that both rounds' reports show, each resting on at least `k` views (`then`,
    `now`: the views of each shown figure; None where a report does not show it). Both are
    public already, so the line beside them tells a reader nothing they could not work out;
    a figure withheld in either round is never compared, so no change line hints at it
    (docs/method.md, "Change between rounds")."""
    return then is not None and now is not None and then >= k and now >= k


__all__ = [
    "QUASI",
    "UNANIMITY_SAFE_SIZE",
    "WALES_MIN_OTHERS",
    "QuestionSizes",
    "anonymise_export",
    "bands",
    "candidates",
    "change_shown",
    "exposures",
    "leaks",
    "make_release",
    "reveals_unanimity",
    "says_all_or_none",
    "shown_cells",
    "sizes_of",
    "view_options",
    "wales_may_move",
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


# --- the export, a release like the others ---------------------------------------------


class ExportWithheld(BaseModel):
    """What the export leaves out, and why: `question` None for the rows' labels."""

    model_config = ConfigDict(frozen=True)

    question: str | None
    reason: Literal["labels", "difference", "unanimous", "few"]
    rows: int = 0


_LEVELS: tuple[tuple[str, ...], ...] = (
    ("group", "team", "language"),
    ("group", "team"),
    ("group",),
    (),
)


def export_release(
    questionnaire: Questionnaire,
    roll: Roll,
    history: Sequence[PastRelease],
    rows: Sequence[ExportRow],
    k: int = MIN_GROUP_SIZE,
    *,
    unanimity_safe_size: int = UNANIMITY_SAFE_SIZE,
) -> tuple[list[ExportRow], list[ExportWithheld]]:
    """The export's rows (one per person the final release counts: never dropped) and what it
    withholds. The export is checked as one more output beside every release and the final
    report (`history`, the final last): each set of rows that share their labels (group, team,
    language) gives, question by question, the sums of its people's answers, and with every
    shown figure it must tell apart no class of fewer than `k` people (`exposures`). The labels
    are made coarser for every row at once (the language dropped, then the team, then the
    group) to the level where the fewest questions fail; a question that still fails is left
    blank in every row, and a question on which a set of rows of fewer than
    `unanimity_safe_size` is unanimous (`reveals_unanimity`) is left blank in those rows. A
    team held by fewer than `k` rows of its group is blanked first. Fewer than `k` rows in all:
    no row."""
    if len(rows) < k:
        return [], ([ExportWithheld(question=None, reason="few", rows=len(rows))] if rows else [])
    people = _People(questionnaire, roll)
    own: dict[int | None, Group] = {r.response: as_group(str(r.group)) for r in rows}
    teams: dict[tuple[object, ...], int] = defaultdict(int)
    for r in rows:
        teams[(r.group, r.team)] += 1
    base = [
        r if teams[(r.group, r.team)] >= k else r.model_copy(update={"team": None}) for r in rows
    ]
    questions = [q for q in questionnaire.questions if q.kind != "text"]
    checked = {q.id for q in questions}
    best: tuple[int, int, list[ExportRow], list[str], dict[str, list[tuple[object, ...]]]] | None
    best = None
    for level, fields in enumerate(_LEVELS):
        labelled = [r.model_copy(update={f: None for f in QUASI if f not in fields}) for r in base]
        classes: dict[tuple[object, ...], list[ExportRow]] = defaultdict(list)
        for r in labelled:
            classes[tuple(getattr(r, f) for f in QUASI)].append(r)
        if any(len(members) < k for members in classes.values()):
            continue
        failing: list[str] = []
        unanimous: dict[str, list[tuple[object, ...]]] = {}
        for q in questions:
            sizes = people.sizes(q)
            sets = [c for past in history for c in _past_cells(people, q, past)]
            for label, members in classes.items():
                ids = [m.response for m in members if q.asks(own[m.response])]
                pieces = frozenset(people.piece_of[i] for i in ids if i in people.piece_of)
                counts: dict[str, int] = defaultdict(int)
                for m in members:
                    if q.id in m.answers:
                        counts[m.answers[q.id]] += 1
                if reveals_unanimity(bands(questionnaire, q, counts), k, unanimity_safe_size):
                    unanimous.setdefault(q.id, []).append(label)
                    continue
                if pieces:
                    sets.append(pieces)
            per_piece = people.counts.get(q.id, {})
            by_band = {p: bands(questionnaire, q, c) for p, c in per_piece.items()}
            if exposures(sizes, sets, k, by_band, unanimity_safe_size):
                failing.append(q.id)
        score = (len(failing), level)
        if best is None or score < best[:2]:
            best = (len(failing), level, labelled, failing, unanimous)
    withheld: list[ExportWithheld] = []
    if best is None:  # no level gives every set of labels k rows: one set of rows, unlabelled
        labelled = [r.model_copy(update=dict.fromkeys(QUASI)) for r in base]
        failing, unanimous, level = [q.id for q in questions], {}, len(_LEVELS)
    else:
        _, level, labelled, failing, unanimous = best
    if level:
        withheld.append(ExportWithheld(question=None, reason="labels", rows=len(labelled)))
    out = []
    for r in labelled:
        label = tuple(getattr(r, f) for f in QUASI)
        answers = {
            qid: choice
            for qid, choice in r.answers.items()
            if qid in checked and qid not in failing and label not in unanimous.get(qid, [])
        }
        out.append(r.model_copy(update={"answers": answers, "response": None}))
    for qid in failing:
        withheld.append(ExportWithheld(question=qid, reason="difference", rows=len(out)))
    for qid, labels in unanimous.items():
        if qid in failing:
            continue
        n = sum(1 for r in labelled if tuple(getattr(r, f) for f in QUASI) in labels)
        withheld.append(ExportWithheld(question=qid, reason="unanimous", rows=n))

    def order(r: ExportRow) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
        return (r.group or "", r.team or "", r.language or "", tuple(sorted(r.answers.items())))

    return sorted(out, key=order), withheld
