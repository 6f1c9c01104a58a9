"""A theme's comments grouped by what they are about, for its section of the report.

The comments are the theme's shown ones (`ThemeSection.comments`), which have passed the
comment rule already (a question's comments only when at least ``MIN_GROUP_SIZE`` people were
asked it): a theme whose comments are withheld has none here, and the counts tell nothing the
annex's full list does not. Each comment is placed by `reports.topic_words.assign`; a topic
two or more comments are about is shown with how many (a ``comment_topic`` claim, rechecked in
`reports.claims`) and the few said most often, repeats counted once (`collapse`). A comment
quoted under one topic is not quoted again under the next, though it is counted in both (a
topic left with nothing to quote is shown by its count sentence alone, after the others).
Comments about no topic ("other") come last, when two or more are.
"""

from __future__ import annotations

import re
from typing import Any

from reports.claims import checked
from reports.results import Claim, Report, ThemeSection, TopicGroup
from reports.text import messages
from reports.topic_words import RECURS, assign
from rubric.comment_topics import OTHER, Lexicon, load_topics

QUOTES = 3
"""The most comments quoted under one topic."""


def same(comment: str) -> str:
    """What two comments share when they are one: the words, in any case and spacing, without
    the punctuation at the end."""
    return re.sub(r"[\s.!?…]+$", "", " ".join(comment.split()).casefold())


def collapse(comments: tuple[str, ...]) -> list[tuple[str, int]]:
    """Comments with repeats counted once: (the first wording seen, how many gave it), the
    most often said first, then in the order given. Two comments are one when they differ
    only in case, spacing or the punctuation at their end. The comments are those the report
    already shows (the comment rule has passed them), so the count tells nothing the list of
    copies did not."""
    counts: dict[str, list[Any]] = {}
    for comment in comments:
        key = same(comment)
        if key in counts:
            counts[key][1] += 1
        else:
            counts[key] = [comment, 1, len(counts)]
    ordered = sorted(counts.values(), key=lambda v: (-v[1], v[2]))
    return [(text, n) for text, n, _ in ordered]


def by_topic(comments: tuple[str, ...], lexicon: Lexicon) -> dict[str, tuple[str, ...]]:
    """Each topic's comments (a comment under every topic it is about), in the lexicon's
    order, then "other"; topics no comment is about are left out."""
    placed = {c: assign(c, lexicon) for c in dict.fromkeys(comments)}
    order = [t.id for t in lexicon.topics] + [OTHER]
    groups = {tid: tuple(c for c in comments if tid in placed[c]) for tid in order}
    return {tid: found for tid, found in groups.items() if found}


def topic_claims(report: Report, theme: ThemeSection) -> list[tuple[TopicGroup, Claim]]:
    """The theme's recurring topics, the most commented first (the lexicon's order between
    equals, "other" last), each with its checked claim. The packaged lexicon, which the
    claim's predicate reads too."""
    lexicon = load_topics()
    lang, t = report.lang, messages()
    groups = by_topic(theme.comments, lexicon)
    ranked = sorted(
        ((tid, found) for tid, found in groups.items() if len(found) >= RECURS),
        key=lambda g: (g[0] == OTHER, -len(g[1])),
    )
    quoted: set[str] = set()
    out = []
    for tid, found in ranked:
        topic = lexicon.topic(tid)
        label = topic.label(lang) if topic else t(lang, "topics.other.label")
        about = topic.about(lang) if topic else t(lang, "topics.other.about")
        sentence = t.plural(lang, "topics.count", len(found), about=about)
        claim = checked(
            Claim(
                kind="comment_topic",
                sentence=sentence,
                subject=f"{theme.theme_id}/{tid}",
                figures=(len(found),),
            ),
            report,
        )
        quotes = [(c, n) for c, n in collapse(found) if same(c) not in quoted][:QUOTES]
        quoted.update(same(c) for c, _ in quotes)
        group = TopicGroup(
            topic_id=tid, label=label, count=len(found), sentence=sentence, quotes=tuple(quotes)
        )
        out.append((group, claim))
    return out
