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


# --- numbers and their nouns -----------------------------------------------------------------

NOUN_GENDERS: dict[str, str] = {
    # masculine
    "cyngor": "m",
    "gwahoddiad": "m",
    "gwahoddedig": "m",
    "maes": "m",
    "cais": "m",
    "ymateb": "m",
    "ymatebydd": "m",
    "cwestiwn": "m",
    "sylw": "m",
    "arolwg": "m",
    "diwrnod": "m",
    "swyddog": "m",
    "aelod": "m",
    "nod": "m",
    "adroddiad": "m",
    "grŵp": "m",
    "person": "m",
    "datganiad": "m",
    "tîm": "m",
    "nodyn": "m",
    "cynnig": "m",
    "gwall": "m",
    "cod": "m",
    "ffigur": "m",
    "mis": "m",
    "rhif": "m",
    "argymhelliad": "m",
    "disgrifydd": "m",
    # feminine
    "problem": "f",
    "colofn": "f",
    "llinell": "f",
    "rhes": "f",
    "gwaith": "f",
    "eiliad": "f",
    "awr": "f",
    "wythnos": "f",
    "ffeil": "f",
    "neges": "f",
    "dogfen": "f",
    "thema": "f",
    "lefel": "f",
    "tudalen": "f",
    "dolen": "f",
    "canran": "f",
    "enghraifft": "f",
    "gorsaf": "f",
}
"""Nouns the project counts, with their gender; the checker judges a number before these only
(an independent list: the command line's own table, bot/cli/counting.py, is what it checks)."""

_NUMERAL_WORDS = {
    "un": (1, None),
    "dau": (2, "m"),
    "dwy": (2, "f"),
    "tri": (3, "m"),
    "tair": (3, "f"),
    "pedwar": (4, "m"),
    "pedair": (4, "f"),
    "chwe": (6, None),
}
"""A spelled number, its value and the gender it belongs to (None: either)."""
_FEMININE_OF = {"dau": "dwy", "tri": "tair", "pedwar": "pedair"}
_MASCULINE_OF = {v: k for k, v in _FEMININE_OF.items()}

_NUMBER_NOUN = re.compile(
    r"(?<![\w.,:/%-])(\d+|" + "|".join(_NUMERAL_WORDS) + r") ([^\W\d_]+)",
    re.IGNORECASE,
)


def after_number(n: int, radical: str, gender: str) -> str:
    """How ``radical`` (a noun of ``gender``) is written after the number ``n``: soft after 2,
    and after 1 when feminine (not ll, rh); aspirate after 3 when masculine, and after 6."""
    if n == 2 or (n == 1 and gender == "f" and radical[:2] not in ("ll", "rh")):
        return mutated(radical, SOFT)
    if (n == 3 and gender == "m") or n == 6:
        return mutated(radical, ASPIRATE)
    return radical


@cache
def _noun_forms() -> dict[str, str]:
    """Every written form of a counted noun (radical, soft, aspirate, nasal) -> its radical."""
    forms: dict[str, str] = {}
    for radical in NOUN_GENDERS:
        for table in (SOFT, ASPIRATE, NASAL, {}):
            forms.setdefault(mutated(radical, table), radical)
    for radical in NOUN_GENDERS:
        forms[radical] = radical  # a radical is never read as another noun's mutation
    return forms


def numeral_flaws(text: str) -> list[Flaw]:
    """A counted noun after a number with the wrong mutation or a number of the wrong gender:
    "2 cyngor" (2 gyngor), "3 cyngor" (3 chyngor), "2 problem" (2 broblem), "dau broblem"
    (dwy broblem), "tri problem" (tair problem)."""
    text = plain(text)
    flaws = []
    for match in _NUMBER_NOUN.finditer(text):
        number, word = match.group(1), match.group(2)
        radical = _noun_forms().get(word.lower())
        if radical is None:
            continue
        gender = NOUN_GENDERS[radical]
        context = text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
        spelled = number.lower()
        if spelled in _NUMERAL_WORDS:
            n, belongs = _NUMERAL_WORDS[spelled]
            if belongs is not None and belongs != gender:
                right = (_FEMININE_OF if gender == "f" else _MASCULINE_OF)[spelled]
                want = after_number(n, radical, gender)
                flaws.append(Flaw(number, f"{number} {word}", f"{right} {want}", context))
                continue
        else:
            n = int(number)
        want = after_number(n, radical, gender)
        if word.lower() != want:
            flaws.append(Flaw(number, f"{number} {word}", f"{number} {want}", context))
    return flaws


# --- quotation marks ----------------------------------------------------------------------

_STRAIGHT = re.compile(r"\"|`|“|”|(?<![\w’'])'(?=[^\s'])|(?<=[^\s'])'(?![\w’])")
"""A straight or curly double quote, a backtick, or a straight single quote that opens or
closes a quotation: not an apostrophe inside or after a word ("o'r", "Cymru'n", "i'w")."""


def quotation_flaws(text: str) -> list[Flaw]:
    """Welsh quotes with ‘…’: no "…", “…”, `…` or '…'. A straight single quote inside a
    citation is what the operator types, as typed (‘${group} = 'officer'’, XLSForm's syntax),
    not a quotation of the text's own."""
    text = plain(text)
    cited = [m.span() for m in re.finditer(r"‘[^’]*’", text)]
    return [
        Flaw(m.group(0), m.group(0), "‘…’", text[max(0, m.start() - 30) : m.end() + 30])
        for m in _STRAIGHT.finditer(text)
        if not (m.group(0) == "'" and any(a < m.start() < b for a, b in cited))
    ]


# --- English inside a Welsh line ------------------------------------------------------------

ENGLISH_WORDS = frozenset(
    """
    the and of for are was were not with from by this that these those must should will cannot
    could would has have been being it its into onto than then when where which while who whom
    whose why how what your you our we they them their there value values hour minute second
    range expected outside input invalid choice choose required argument arguments unrecognized
    unrecognised usage error errors options optional positional show help message exit file
    files folder out closes opens action council councils report reports survey surveys command
    commands default locale slug slugs polling long webhook wales none true false yes no only
    also each every any some more less most least failed sent skipped reminded unreachable saved
    wrote written invitation invitations invitee invitees response responses respondent
    respondents comment comments problems field fields request requests line lines column
    columns date dates number numbers name names language group groups officer officers member
    members email id
    """.split()  # noqa: SIM905
)
"""English words that betray an untranslated sentence; none is also a Welsh word ("is" =
lower, "can" = hundred, "had" = seed, "all" = can, "to" = roof, "problem" are left out)."""


def english_flaws(text: str, slugs: Iterable[str] = (), allowed: Iterable[str] = ()) -> list[Flaw]:
    """English words and council slugs in a Welsh line. A citation in ‘…’ (what the operator
    types, a column's name), a placeholder in capitals (CYNGOR, SMTP_HOST), a path, an address,
    an option (--out) and a command (/adroddiad) are not running text and are left alone;
    ``allowed`` names other literals the text may hold (the command line's command names).
    A slug counts in lower case only: "Powys" is the Welsh name, "powys" the slug."""
    text = re.sub(r"<code>.*?</code>", " ", text, flags=re.DOTALL)  # Telegram's citation
    text = re.sub(r"‘[^’]*’", " ", plain(text))
    slug_set = set(slugs)
    allowed_set = {a.lower() for a in allowed}
    flaws = []
    for token in text.split():
        word = token.strip(",;:()?!…[]|—–\"'")
        if re.fullmatch(r"[a-z]+(?:_[a-z]+)+", word):  # an internal name: survey_command
            if any(part in ENGLISH_WORDS for part in word.split("_")):
                flaws.append(Flaw("English", word, "Cymraeg", text[:80].replace("\n", " ")))
            continue
        if re.search(r"[./=@_:\\{}<>]|^[-/]|\d", word):
            continue
        if not word or word.lower() in allowed_set:
            continue
        # A placeholder in capitals is Welsh (CYNGOR) or a setting's name (SMTP_HOST, above);
        # an English one (COUNCIL, OUT, CLOSES) is English all the same.
        if word in slug_set or word.lower() in ENGLISH_WORDS:
            context = text[max(0, text.find(token) - 30) : text.find(token) + 40]
            flaws.append(Flaw("English", word, "Cymraeg", context.replace("\n", " ")))
    return flaws


# --- one term for each English term ------------------------------------------------------------

RETIRED: dict[str, str] = {
    "adnodd data": "offeryn data (the data tool)",
    "pwyswch": "tapiwch (tap)",
    "negeseuon atgoffa": "nodiadau atgoffa (reminders)",
    "cyd-fynd": "cyfateb (matches)",
    "ar sail data": "a yrrir gan ddata (data-driven)",
    "defnyddio data:": "y defnydd o ddata (use of data)",
    "defnydd llywodraeth leol": "y defnydd o ddata mewn llywodraeth leol",
    "fethu eu cyrraedd": "na ellir eu cyrraedd (unreachable)",
    "methu cyrraedd": "na ellir eu cyrraedd (unreachable)",
    "yn telegram": "ar Telegram",
    "yr hyn a welsom": "yr hyn a ganfuwyd gennym (what we found)",
    "rhoddodd": "mynegodd farn (gave a view)",
    "a roddodd farn": "a fynegodd farn (gave a view)",
    "rhoi barn": "mynegi barn (give a view)",
    "rhoi eu barn": "mynegi eu barn (give a view)",
    "cuddio": "atal (withhold)",
    "dal yn ôl": "atal (withhold)",
    "arolygu hir": "holi Telegram am negeseuon newydd (long polling; arolygu is to inspect)",
    "atalnodau": "comas (commas: wedi'u gwahanu gan gomas)",
    "yn erbyn efelychydd": "wedi'i gysylltu ag efelychydd (yn erbyn is opposing)",
    "webhook": "bachyn gwe (webhook)",
    "ag unrhyw ddatganiad": "ar gyfer unrhyw ddatganiad",
    "am i ba raddau": "am y graddau",
    "llwytho": "mewnforio (import: one verb, as in ‘mewnforiwyd’)",
}
"""Welsh renderings retired by issues 12 and 23, and the one term used instead
(docs/welsh-review-terms.md)."""


def retired_flaws(text: str) -> list[Flaw]:
    """Retired terms in running text (a setting's name, WEBHOOK_URL, is not running text)."""
    lower = re.sub(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", " ", plain(text)).lower()
    return [
        Flaw("term", retired, better, lower[max(0, lower.find(retired) - 30) :][:90])
        for retired, better in RETIRED.items()
        if retired in lower
    ]


def every_flaw(
    text: str,
    wanted: Iterable[Target],
    slugs: Iterable[str] = (),
    allowed: Iterable[str] = (),
) -> list[Flaw]:
    """Every rule at once, for a Welsh text as a reader sees it."""
    return [
        *check(text, wanted),
        *numeral_flaws(text),
        *quotation_flaws(text),
        *english_flaws(text, slugs, allowed),
        *retired_flaws(text),
    ]
