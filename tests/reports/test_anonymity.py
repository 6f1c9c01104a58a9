"""Suppression: small groups are hidden, and nothing hidden can be worked out by subtraction."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.anonymity import Candidate, Decision, derivable_small_sets, suppress


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


def _shown(decisions: dict[str, Decision], candidates: list[Candidate]) -> list[Candidate]:
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


def test_a_group_with_too_few_views_is_hidden_and_cannot_be_subtracted_out() -> None:
    """Six officers of whom four said "Don't know": two views are too few, and the members'
    figures would give them away by subtraction from all respondents."""
    sizes = {"officer|": 6, "member|": 9}
    views = {"officer|": 2, "member|": 9}
    decisions = suppress(sizes, _candidates(sizes), 5, views=views)
    assert decisions["officer"].reason == "small"
    assert decisions["member"].reason == "complementary"
    assert decisions["all"].shown


def test_figures_shown_before_are_part_of_the_span() -> None:
    """A release with one newcomer: its total minus the earlier total is that person."""
    sizes = {"officer|#both": 5, "officer|#new": 1}
    new_total = Candidate(key="all", atoms=frozenset(sizes), priority=3)
    decisions = suppress(sizes, [new_total], 5, fixed=[frozenset({"officer|#both"})])
    assert not decisions["all"].shown
