"""A small, precise checker for the Welsh mutations a reader notices first.

Welsh changes a word's first consonant after certain words. A checker that tried to decide every
word would drown in exceptions (an adjective after predicative "yn", "am byth", "gan mwyaf"), so
this one only judges words it can decide reliably: the councils' names ("Cyngor …"), "Cymru",
the questionnaire's theme and key characteristic titles, and a list of verbs the project's texts
use. For those it knows what must follow each trigger word:

- soft mutation after i, o, gan, ar, am, dan, heb, drwy, wrth, at, neu ("i Gyngor", "neu dapiwch");
- aspirate after "a" / "â" / "gyda" = and, with ("a Chyngor", "a Chymru"); after "a" a verb may
  also be the relative "a" with soft mutation ("a gyflwynwyd"), so a verb there needs only to be
  mutated one way or the other;
- soft on the object after the relative "a" and an inflected verb ("a osododd Gyngor Sir Powys");
- nasal after "yn" = in, which itself becomes "yng"/"ym"/"yn" ("yng Nghyngor", "yng Nghymru");
  "yn" before a verb-noun is the aspect marker and mutates nothing ("yn cytuno"), so a known
  verb-noun after "yn" must stay radical.

A word in quotation marks (‘Cyflwyno’) or after punctuation is a citation, not running text, and
is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from html import unescape

SOFT: dict[str, str] = {
    "c": "g",
    "p": "b",
    "t": "d",
    "g": "",
    "b": "f",
    "d": "dd",
    "m": "f",
    "ll": "l",
    "rh": "r",
}
ASPIRATE: dict[str, str] = {"c": "ch", "p": "ph", "t": "th"}
NASAL: dict[str, str] = {"c": "ngh", "p": "mh", "t": "nh", "g": "ng", "b": "m", "d": "n"}

SOFT_TRIGGERS = frozenset({"i", "o", "gan", "ar", "am", "dan", "heb", "drwy", "wrth", "at", "neu"})
ASPIRATE_TRIGGERS = frozenset({"a", "â", "gyda"})
NASAL_TRIGGERS = frozenset({"yn", "yng", "ym"})

VERBS = (
    # verb-nouns
    "cyflwyno",
    "parhau",
    "gorffen",
    "dileu",
    "cadw",
    "tynnu",
    "teipio",
    "tapio",
    "defnyddio",
    "dangos",
    "cymharu",
    "cyrraedd",
    "darllen",
    "gwneud",
    "gweld",
    "gwella",
    "cysylltu",
    "dechrau",
    "paratoi",
    "rhannu",
    "llywio",
    "casglu",
    "diogelu",
    "datblygu",
    "deall",
    "gofyn",
    "dewis",
    "methu",
    "cau",
    "cynnal",
    "gadael",
    "mynd",
    # imperatives
    "tapiwch",
    "teipiwch",
    "gofynnwch",
    "defnyddiwch",
    "dewiswch",
    "pwyswch",
    "gwiriwch",
    "byrhewch",
    "dewch",
    # inflected forms after the relative "a"
    "cyflwynwyd",
    "gosododd",
    "daeth",
    "gasglwyd",
    "gwahoddwyd",
    "cesglir",
)
VERB_NOUNS = frozenset(VERBS[: VERBS.index("tapiwch")])


def mutated(word: str, table: dict[str, str]) -> str:
    return _mutated(word, tuple(table.items()))


@cache
def _mutated(word: str, items: tuple[tuple[str, str], ...]) -> str:
    """``word`` with its first consonant mutated by ``table``, keeping a capital."""
    table = dict(items)
    lower = word.lower()
    for radical in sorted(table, key=len, reverse=True):
        if lower.startswith(radical):
            out = table[radical] + word[len(radical) :]
            if word[:1].isupper():
                out = out[:1].upper() + out[1:]
            return out
    return word


def radical_starts(word: str, table: dict[str, str]) -> bool:
    """True when ``table`` changes ``word`` at all (a vowel or "s" never mutates)."""
    return mutated(word, table).lower() != word.lower()


@dataclass(frozen=True)
class Target:
    """A phrase the checker can decide, in its radical form."""

    phrase: str
    kind: str
    """"place" (a council, Cymru), "title" (a theme or key characteristic) or "verb"."""


@dataclass(frozen=True)
class Flaw:
    trigger: str
    found: str
    expected: str
    context: str

    def __str__(self) -> str:
        return f"{self.trigger} {self.found!r}: expected {self.expected!r} in …{self.context}…"


_TAG = re.compile(r"<[^>]+>")
_TRIGGER = re.compile(
    r"(?<![\w'’-])("
    + "|".join(sorted(SOFT_TRIGGERS | ASPIRATE_TRIGGERS | NASAL_TRIGGERS, key=len, reverse=True))
    + r")(?= )",
    re.IGNORECASE,
)
"""A trigger word followed by a space; "a'i", "o'r", "'n" and "i," are other words or end a
phrase, and "'n" after a vowel is the aspect marker, which decides nothing here."""


def plain(text: str) -> str:
    """Visible text: tags dropped, entities decoded."""
    return unescape(_TAG.sub(" ", text))


def targets(
    council_names: Iterable[str], titles: Iterable[str], verbs: Iterable[str] = VERBS
) -> list[Target]:
    out = [Target("Cymru", "place"), Target("cyngor", "place")]
    out += [Target(name, "place") for name in council_names]
    out += [Target(title, "title") for title in titles]
    out += [Target(verb, "verb") for verb in verbs]
    # Longest first, so "Cyngor Sir Powys" is judged before "cyngor".
    return sorted(out, key=lambda t: len(t.phrase), reverse=True)


def _starts_with(text: str, phrase: str) -> bool:
    if not text.lower().startswith(phrase.lower()):
        return False
    rest = text[len(phrase) :]
    return not rest[:1].isalpha()


def _forms(target: Target, table: dict[str, str]) -> str:
    return _forms_of(target.phrase, tuple(table.items()))


@cache
def _forms_of(phrase: str, items: tuple[tuple[str, str], ...]) -> str:
    first, _, rest = phrase.partition(" ")
    return _mutated(first, items) + (" " + rest if rest else "")


_FIRST = re.compile(r"[\w-]+")


@lru_cache(maxsize=8)
def _index(wanted: tuple[Target, ...]) -> dict[str, list[Target]]:
    """Targets by the first word of any of their forms (lower case), longest phrase first."""
    index: dict[str, list[Target]] = {}
    for target in wanted:
        for table in ({}, SOFT, ASPIRATE, NASAL):
            found = _FIRST.match(_forms(target, table))
            first = found.group(0).lower() if found else ""
            if target not in index.setdefault(first, []):
                index[first].append(target)
    return index


def check(text: str, wanted: Iterable[Target]) -> list[Flaw]:
    """Every flaw in ``text`` (Welsh, tags allowed) for the targets given."""
    text = plain(text)
    index = _index(tuple(wanted))
    flaws: list[Flaw] = []
    for match in _TRIGGER.finditer(text):
        trigger = match.group(0)
        key = trigger.lower()
        following = text[match.end() + 1 : match.end() + 160]
        first = _FIRST.match(following)
        context = text[max(0, match.start() - 30) : match.end() + 40].replace("\n", " ")
        if key == "a":
            flaws += _object_after_verb(following, index, context)
        if first is None:
            continue
        for target in index.get(first.group(0).lower(), []):
            flaw = _judge(key, target, following)
            if flaw is not None:
                found, expected = flaw
                flaws.append(Flaw(trigger, found, expected, context))
                break
            if _matches_any_form(target, following):
                break
    return flaws


_PRETERITE = re.compile(r"(\w+(?:odd|asant|on))\s+(.*)", re.DOTALL)


def _object_after_verb(following: str, index: dict[str, list[Target]], context: str) -> list[Flaw]:
    """ "… a osododd Gyngor Sir Powys": the relative "a" stands for the subject, so what follows
    its inflected verb is the object, which takes the soft mutation."""
    found = _PRETERITE.match(following)
    if found is None:
        return []
    verb, rest = found.groups()
    first = _FIRST.match(rest)
    for target in index.get(first.group(0).lower(), []) if first else []:
        if target.kind == "verb":
            continue
        if _starts_with(rest, target.phrase) and radical_starts(target.phrase, SOFT):
            return [Flaw(f"a {verb}", target.phrase, _forms(target, SOFT), context)]
        if _matches_any_form(target, rest):
            return []
    return []


def _matches_any_form(target: Target, following: str) -> bool:
    return any(
        _starts_with(following, _forms(target, table)) for table in ({}, SOFT, ASPIRATE, NASAL)
    )


def _judge(trigger: str, target: Target, following: str) -> tuple[str, str] | None:
    """(what was written, what should be) when ``following`` is ``target`` wrongly mutated."""
    phrase = target.phrase
    radical = _starts_with(following, phrase)
    soft, aspirate, nasal = (_forms(target, t) for t in (SOFT, ASPIRATE, NASAL))
    if trigger in SOFT_TRIGGERS:
        if radical and radical_starts(phrase, SOFT):
            return phrase, soft
        return None
    if trigger in ASPIRATE_TRIGGERS:
        if not (radical and radical_starts(phrase, ASPIRATE)):
            return None
        if target.kind == "verb" and trigger == "a":
            return phrase, f"{aspirate} / {soft}"
        return phrase, aspirate
    # nasal triggers
    if target.kind == "verb":
        if (
            trigger == "yn"
            and phrase in VERB_NOUNS
            and radical_starts(phrase, SOFT)
            and _starts_with(following, soft)
        ):
            return soft, phrase  # "yn" before a verb-noun mutates nothing
        return None
    if target.kind == "place":
        right = f"{_nasal_yn(phrase)} {nasal}"
        for wrong in (phrase, soft, aspirate):
            if wrong != nasal and _starts_with(following, wrong):
                return f"{trigger} {wrong}", right
        if _starts_with(following, nasal) and trigger != _nasal_yn(phrase):
            return f"{trigger} {nasal}", right
        return None
    if radical and radical_starts(phrase, NASAL):
        return phrase, nasal
    return None


def _nasal_yn(phrase: str) -> str:
    """ "yn" itself changes before a nasal mutation: "yng Nghymru", "ym Mhowys", "yn Nhorfaen"."""
    first = phrase[:1].lower()
    return {"c": "yng", "g": "yng", "p": "ym", "b": "ym"}.get(first, "yn")
