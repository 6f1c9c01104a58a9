"""Which groups' figures a report may show: small-group and complementary suppression.

The rule (issue 3): no figure for a group of fewer than ``min_size`` respondents, and no hidden
figure that can be worked out from shown ones.

How it is enforced. The council's respondents fall into *atoms*: the finest groups the report
knows, one per (group, team) with "no team" as a team of its own. Every group the report could
show (all respondents, officers, elected members, a team) is a set of atoms, and every figure it
shows for that group (a count per answer, a base, a "don't know" count) is the sum of that figure
over its atoms. So whatever can be derived from the shown groups by adding and subtracting is
exactly the linear span of their atom vectors. A report leaks if some set of atoms with 1 to
``min_size - 1`` respondents in total lies in that span (it is then a small group whose figures
can be computed, such as "officers who are not in the CMT" = officers - CMT). Atoms with no
respondents are dropped: there is nobody to protect and their figures are known to be zero.

`suppress` starts by showing every candidate group of at least ``min_size`` respondents and,
while some small set of atoms is still derivable, hides one more shown group: a team before a
group and a smaller before a larger, preferring one whose hiding alone removes the leak found.
The council's "all respondents" group (the highest priority) is never chosen while anything else
is shown, so it stays whenever it is large enough: alone, its span holds only itself. Every
check is exact (rational arithmetic), and small sets are enumerated completely, so the guarantee
covers every way of subtracting, not just "total minus the others".

Response counts (invited, responses received) are not subject to this rule: see
`reports.aggregate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict

MIN_GROUP_SIZE = 5
"""The default smallest group whose figures a report shows; the bot passes its setting."""

MAX_ATOMS = 20
"""More atoms than this (a roster with very many teams) and teams are not shown at all: the
exhaustive leak search stays small, and so many teams would not fit a report anyway."""

Reason = Literal["small", "complementary", "empty"]


class Candidate(BaseModel):
    """A group the report would like to show: its key, atoms and a hiding priority (lower is
    hidden first when complementary suppression needs a victim)."""

    model_config = ConfigDict(frozen=True)

    key: str
    atoms: frozenset[str]
    priority: int


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    size: int
    shown: bool
    reason: Reason | None = None


class _Span:
    """The row space of some 0/1 vectors over the atoms, in reduced echelon form."""

    def __init__(self, atoms: Sequence[str], vectors: Iterable[frozenset[str]]) -> None:
        self.atoms = list(atoms)
        self.rows: list[tuple[int, list[Fraction]]] = []  # (pivot column, row)
        for vector in vectors:
            self._add(self._vector(vector))

    def _vector(self, members: frozenset[str]) -> list[Fraction]:
        return [Fraction(1 if a in members else 0) for a in self.atoms]

    def _reduce(self, vector: list[Fraction]) -> list[Fraction]:
        v = list(vector)
        for pivot, row in self.rows:
            if v[pivot]:
                factor = v[pivot]
                v = [x - factor * y for x, y in zip(v, row, strict=True)]
        return v

    def _add(self, vector: list[Fraction]) -> None:
        v = self._reduce(vector)
        pivot = next((i for i, x in enumerate(v) if x), None)
        if pivot is None:
            return
        v = [x / v[pivot] for x in v]
        reduced = []
        for p, row in self.rows:
            if row[pivot]:
                factor = row[pivot]
                row = [x - factor * y for x, y in zip(row, v, strict=True)]
            reduced.append((p, row))
        self.rows = [*reduced, (pivot, v)]

    def contains(self, members: frozenset[str]) -> bool:
        return not any(self._reduce(self._vector(members)))


def derivable_small_sets(
    sizes: Mapping[str, int], shown: Iterable[frozenset[str]], min_size: int
) -> list[frozenset[str]]:
    """Every set of atoms with 1..min_size-1 respondents whose figures follow from `shown`."""
    atoms = sorted(a for a, n in sizes.items() if n > 0)
    span = _Span(atoms, (frozenset(s) & frozenset(atoms) for s in shown))
    found: list[frozenset[str]] = []

    def walk(start: int, chosen: frozenset[str], total: int) -> None:
        for i in range(start, len(atoms)):
            size = total + sizes[atoms[i]]
            if size >= min_size:
                continue
            members = chosen | {atoms[i]}
            if span.contains(members):
                found.append(members)
            walk(i + 1, members, size)

    walk(0, frozenset(), 0)
    return found


def suppress(
    sizes: Mapping[str, int],
    candidates: Sequence[Candidate],
    min_size: int = MIN_GROUP_SIZE,
    *,
    views: Mapping[str, int] | None = None,
    fixed: Sequence[frozenset[str]] = (),
) -> dict[str, Decision]:
    """Which candidates may be shown. `sizes` gives each atom's respondents (those asked the
    question); `views`, when given, how many of them gave a view (the base of every share).
    A candidate needs at least `min_size` of both, and no set of atoms with 1 to min_size-1 of
    either may follow from the shown candidates together with the `fixed` sets (figures that
    were shown before, in an earlier release, and cannot be taken back)."""
    if min_size < 1:
        raise ValueError("min_size must be at least 1")
    weights = [sizes] if views is None else [sizes, views]

    def size_of(c: Candidate) -> int:
        return sum(sizes.get(a, 0) for a in c.atoms)

    def base_of(c: Candidate) -> int:
        return min(sum(w.get(a, 0) for a in c.atoms) for w in weights)

    def leaks_in(sets: list[frozenset[str]]) -> list[tuple[Mapping[str, int], frozenset[str]]]:
        return [(w, leak) for w in weights for leak in derivable_small_sets(w, sets, min_size)]

    def derivable(w: Mapping[str, int], sets: list[frozenset[str]], leak: frozenset[str]) -> bool:
        atoms = frozenset(a for a, n in w.items() if n > 0)
        return _Span(sorted(atoms), (s & atoms for s in sets)).contains(leak)

    decisions: dict[str, Decision] = {}
    shown: list[Candidate] = []
    for c in candidates:
        n, base = size_of(c), base_of(c)
        if n == 0:
            decisions[c.key] = Decision(key=c.key, size=0, shown=False, reason="empty")
        elif base < min_size:
            decisions[c.key] = Decision(key=c.key, size=n, shown=False, reason="small")
        else:
            shown.append(c)

    while shown:
        leaks = leaks_in([*fixed, *(c.atoms for c in shown)])
        if not leaks:
            break
        weight, leak = leaks[0]
        order = sorted(shown, key=lambda c: (c.priority, size_of(c), c.key))
        top = max(c.priority for c in order)

        def cures(
            victim: Candidate, weight: Mapping[str, int] = weight, leak: frozenset[str] = leak
        ) -> bool:
            rest = [*fixed, *(c.atoms for c in shown if c is not victim)]
            return not derivable(weight, rest, leak)

        victim = next((c for c in order if c.priority < top and cures(c)), order[0])
        shown.remove(victim)
        decisions[victim.key] = Decision(
            key=victim.key, size=size_of(victim), shown=False, reason="complementary"
        )

    for c in shown:
        decisions[c.key] = Decision(key=c.key, size=size_of(c), shown=True)
    return {c.key: decisions[c.key] for c in candidates}
