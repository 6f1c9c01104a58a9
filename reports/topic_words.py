"""Which topics a comment is about: the rule that reads the lexicon (`rubric.comment_topics`).

A comment is about a topic when one of its words begins with one of the topic's stems (or
consecutive words begin with a phrase's stems), read with the keywords of the language it is
written in (`reports.language.written_in`; both lists when that cannot be told). Case and
accents are ignored, and words are split at apostrophes and hyphens, so "gwasanaethau'n" is
"gwasanaethau" and "under-represented" is two words. A Welsh stem also matches its mutated
forms, since a Welsh word changes its first letter after many words: soft ("data" after "o":
"o ddata"), nasal ("fy nata"), aspirate ("a thechnoleg"), and an h before a vowel ("ei
hamser"); only a phrase's first word is mutated. Pure: the same comment and lexicon, the same
topics, in the lexicon's order.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reports.language import written_in
from reports.results import Report
from rubric.comment_topics import OTHER, CommentTopic, Lexicon, load_topics
from rubric.schema import LANGS, Lang
from storage.councils import mutate

RECURS = 2
"""A topic is shown in a theme's section when at least this many comments are about it."""

_WORD = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """Lower case without accents: "Wahân" -> "wahan"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> tuple[str, ...]:
    """The comment's words, folded, split at anything that is not a letter."""
    return tuple(_WORD.findall(fold(text)))


def welsh_forms(stem: str) -> frozenset[str]:
    """A Welsh stem as it may stand in running text: radical, soft, nasal, aspirate, and with
    an h before a vowel."""
    forms = {stem} | {mutate(stem, m) for m in ("soft", "nasal", "aspirate")}
    if stem[:1] in "aeiouwy":
        forms.add("h" + stem)
    return frozenset(f for f in forms if f)


Phrase = tuple[frozenset[str], ...]
"""The forms each word of a keyword may begin with."""


@lru_cache(maxsize=4096)
def phrase(keyword: str, lang: Lang) -> Phrase:
    first, *rest = fold(keyword).split()
    head = welsh_forms(first) if lang == "cy" else frozenset({first})
    return (head, *(frozenset({w}) for w in rest))


def _contains(found: tuple[str, ...], stems: Phrase) -> bool:
    n = len(stems)
    return any(
        all(any(found[i + j].startswith(f) for f in stems[j]) for j in range(n))
        for i in range(len(found) - n + 1)
    )


def matches(topic: CommentTopic, found: tuple[str, ...], langs: tuple[Lang, ...]) -> bool:
    """Whether the words `found` hold one of the topic's keywords in one of `langs`."""
    keywords = {"en": topic.keywords.en, "cy": topic.keywords.cy}
    return any(_contains(found, phrase(k, lang)) for lang in langs for k in keywords[lang])


def assign(comment: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The ids of the topics `comment` is about, in the lexicon's order; ``("other",)`` when
    it is about none of them."""
    lang = written_in(comment)
    langs: tuple[Lang, ...] = (lang,) if lang else LANGS
    found = words(comment)
    ids = tuple(t.id for t in lexicon.topics if matches(t, found, langs))
    return ids or (OTHER,)


def topic_count(report: Report, theme_id: str, topic_id: str) -> int:
    """How many of a theme's shown comments are about the topic (repeats each counted), by
    the packaged lexicon: what a ``comment_topic`` claim's figure must be (at least
    `RECURS`)."""
    theme = next((t for t in report.themes if t.theme_id == theme_id), None)
    if theme is None:
        return 0
    lexicon = load_topics()
    return sum(1 for c in theme.comments if topic_id in assign(c, lexicon))
