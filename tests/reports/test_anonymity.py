"""Suppression: small groups are hidden, and nothing hidden can be worked out by subtraction."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.aggregate import build_report
from reports.anonymity import Candidate, derivable_small_sets, suppress
from storage.models import Council
from storage.reporting import AnswerCountRow, ReportRows, ResponseCountRow
from tests.support.reports import small_questionnaire

POWYS = Council(
    id=1,
    slug="powys",
    slug_cy="powys",
    name_en="Powys County Council",
    name_cy="Cyngor Sir Powys",
    name_cy_soft="Gyngor Sir Powys",
    name_cy_nasal="Nghyngor Sir Powys",
    name_cy_aspirate="Chyngor Sir Powys",
)


def _candidates(sizes: dict[str, int]) -> list[Candidate]:
    atoms = list(sizes)
    out = [Candidate(key="all", atoms=frozenset(atoms), priority=3)]
    for g in ("officer", "member"):
        out.append(
            Candidate(key=g, atoms=frozenset(a for a in atoms if a.startswith(g)), priority=2)
        )
    for a in atoms:
        if not a.endswith("|"):
            out.append(Candidate(key=f"team:{a}", atoms=frozenset({a}), priority=1))
    return out


def _shown(decisions, candidates):
    keys = {k for k, d in decisions.items() if d.shown}
    return [c for c in candidates if c.key in keys]


def test_a_small_group_is_hidden_and_its_complement_too() -> None:
    sizes = {"officer|": 3, "member|": 15}
    decisions = suppress(sizes, _candidates(sizes), 5)
    assert decisions["officer"].reason == "small"
    assert decisions["member"].reason == "complementary"
    assert decisions["all"].shown


def test_a_team_is_shown_only_when_the_rest_of_its_group_is_large_enough_or_empty() -> None:
    leaky = {"officer|CMT": 6, "officer|": 4, "member|": 15}
    decisions = suppress(leaky, _candidates(leaky), 5)
    assert not decisions["team:officer|CMT"].shown
    assert decisions["officer"].shown and decisions["member"].shown

    whole = {"officer|CMT": 6, "officer|": 0, "member|": 15}
    assert suppress(whole, _candidates(whole), 5)["team:officer|CMT"].shown

    both = {"officer|CMT": 6, "officer|": 5, "member|": 15}
    assert suppress(both, _candidates(both), 5)["team:officer|CMT"].shown


def test_two_teams_cannot_together_expose_the_rest_of_their_group() -> None:
    sizes = {"officer|A": 6, "officer|B": 7, "officer|": 2, "member|": 9}
    decisions = suppress(sizes, _candidates(sizes), 5)
    shown = _shown(decisions, _candidates(sizes))
    assert derivable_small_sets(sizes, [c.atoms for c in shown], 5) == []
    assert sum(decisions[k].shown for k in ("team:officer|A", "team:officer|B", "officer")) < 3


def test_a_whole_council_below_the_minimum_shows_nothing() -> None:
    sizes = {"officer|": 2, "member|": 2}
    decisions = suppress(sizes, _candidates(sizes), 5)
    assert not any(d.shown for d in decisions.values())


sizes_strategy = st.dictionaries(
    keys=st.sampled_from(
        ["officer|", "officer|CMT", "officer|Finance", "member|", "member|Cabinet"]
    ),
    values=st.integers(min_value=0, max_value=12),
    min_size=1,
)


@settings(max_examples=300, deadline=None)
@given(sizes=sizes_strategy, min_size=st.integers(min_value=2, max_value=6))
def test_no_hidden_group_equals_a_shown_total_minus_other_shown_groups(
    sizes: dict[str, int], min_size: int
) -> None:
    """Every way of subtracting: for each shown group and every subset of the other shown
    groups, the difference is never a hidden (small) set of respondents."""
    candidates = _candidates(sizes)
    decisions = suppress(sizes, candidates, min_size)
    shown = _shown(decisions, candidates)
    # Small decisions are right.
    for c in candidates:
        n = sum(sizes.get(a, 0) for a in c.atoms)
        if 0 < n < min_size:
            assert not decisions[c.key].shown
    # "A total minus a sum of others", as multisets of people.
    for total in shown:
        others = [c for c in shown if c is not total]
        for k in range(1, len(others) + 1):
            for subset in itertools.combinations(others, k):
                remaining = dict.fromkeys(total.atoms, 1)
                ok = True
                for c in subset:
                    for a in c.atoms:
                        remaining[a] = remaining.get(a, 0) - 1
                        if remaining[a] < 0:
                            ok = False
                if not ok:
                    continue
                left = sum(sizes.get(a, 0) for a, m in remaining.items() if m == 1)
                assert not 0 < left < min_size, (total.key, [c.key for c in subset])
    # The council's overall figures survive whenever the council is large enough.
    assert decisions["all"].shown == (sum(sizes.values()) >= min_size)
    # And the stronger, linear-algebra statement.
    assert derivable_small_sets(sizes, [c.atoms for c in shown], min_size) == []


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.dictionaries(
        keys=st.sampled_from(["officer|", "officer|CMT", "member|", "member|Cabinet"]),
        values=st.integers(min_value=0, max_value=9),
        min_size=1,
    ),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_no_hidden_answer_count_can_be_recovered_from_a_report(
    sizes: dict[str, int], seed: int
) -> None:
    """On real answer figures: subtracting any shown groups' counts from another's never gives
    the counts of a hidden small group."""
    rng = __import__("random").Random(seed)
    responses, answers = [], []
    atom_counts: dict[str, dict[str, int]] = {}
    for atom, n in sizes.items():
        group, team = atom.split("|")
        responses.append(
            ResponseCountRow(
                council_slug="powys", group=group, team=team or None, invited=n + 2, submitted=n
            )
        )
        counts: dict[str, int] = {}
        for _ in range(n):
            choice = rng.choice(["sa", "a", "n", "d", "sd", "dk"])
            counts[choice] = counts.get(choice, 0) + 1
        atom_counts[atom] = counts
        answers += [
            AnswerCountRow(
                council_slug="powys",
                group=group,
                team=team or None,
                question_id="v1",
                choice=c,
                n=k,
            )
            for c, k in counts.items()
        ]
    rows = ReportRows(
        council_slug="powys", responses=tuple(responses), answers=tuple(answers), comments=()
    )
    report = build_report(small_questionnaire(), rows, POWYS, "en", 5, generated_on=date.today())
    statement = report.themes[0].statements[0]
    shown = {r.cell: (r.agree, r.neither, r.disagree, r.dk) for r in statement.results}
    shown.pop("wales", None)

    def atoms_of(key: str) -> set[str]:
        if key == "all":
            return set(sizes)
        if key in ("officer", "member"):
            return {a for a in sizes if a.startswith(key)}
        _, group, team = key.split(":", 2)
        return {f"{group}|{team}"}

    for atom, n in sizes.items():
        if not 0 < n < 5:
            continue
        for total in shown:
            rest = [k for k in shown if k != total]
            for k in range(len(rest) + 1):
                for subset in itertools.combinations(rest, k):
                    left = atoms_of(total)
                    if not all(atoms_of(s) <= left for s in subset):
                        continue
                    for s in subset:
                        left = left - atoms_of(s)
                    if sum(len(atoms_of(s)) for s in subset) != len(atoms_of(total)) - len(left):
                        continue  # overlapping subtrahends
                    small = {a for a in left if sizes[a]}
                    assert small != {atom}, (total, subset)
