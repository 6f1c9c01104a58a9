"""The 22 Welsh principal councils, as data.

Every council is known from the start (the database is seeded from this list at open), so that an
operator can import a roster or ask for a report without first registering councils. Names come
from /work/shared/welsh.md. The Welsh name always starts with "Cyngor", and Welsh grammar needs
its mutated forms in running text ("i Gyngor Sir Powys", "yng Nghyngor Sir Powys",
"a Chyngor Sir Powys"), so they are derived here once rather than in every template.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, NamedTuple

Mutation = Literal["soft", "nasal", "aspirate"]


class CouncilData(NamedTuple):
    slug: str
    """English slug: `powys`, `vale-of-glamorgan`."""
    slug_cy: str
    """Welsh slug: the council's place name in Welsh, without "Cyngor (Bwrdeistref Sirol|Dinas)".
    "Sir" is kept where the place name does not stand alone (`sir-gar`, `sir-ddinbych`)."""
    name_en: str
    name_cy: str
    aliases: tuple[str, ...] = ()
    """Other names people use for the council (matched by `Repository.find_council`)."""
    short_cy: str = ""
    """The place's name in Welsh as a table or a list gives it, where dropping "Cyngor" (and
    "Bwrdeistref Sirol", "Dinas") does not give it: "Powys", not "Sir Powys"; "Sir Benfro" (the
    county, soft after "Sir"), not "Sir Penfro" (the council's own name keeps the radical)."""


COUNCILS: tuple[CouncilData, ...] = (
    CouncilData(
        "blaenau-gwent",
        "blaenau-gwent",
        "Blaenau Gwent County Borough Council",
        "Cyngor Bwrdeistref Sirol Blaenau Gwent",
    ),
    CouncilData(
        "bridgend",
        "pen-y-bont-ar-ogwr",
        "Bridgend County Borough Council",
        "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr",
    ),
    CouncilData(
        "caerphilly",
        "caerffili",
        "Caerphilly County Borough Council",
        "Cyngor Bwrdeistref Sirol Caerffili",
    ),
    CouncilData("cardiff", "caerdydd", "Cardiff Council", "Cyngor Caerdydd"),
    CouncilData(
        "carmarthenshire",
        "sir-gar",
        "Carmarthenshire County Council",
        "Cyngor Sir Gâr",
        ("sir-gaerfyrddin",),
    ),
    CouncilData(
        "ceredigion",
        "ceredigion",
        "Ceredigion County Council",
        "Cyngor Sir Ceredigion",
        short_cy="Ceredigion",
    ),
    CouncilData("conwy", "conwy", "Conwy County Borough Council", "Cyngor Bwrdeistref Sirol Conwy"),
    CouncilData(
        "denbighshire", "sir-ddinbych", "Denbighshire County Council", "Cyngor Sir Ddinbych"
    ),
    CouncilData("flintshire", "sir-y-fflint", "Flintshire County Council", "Cyngor Sir y Fflint"),
    CouncilData("gwynedd", "gwynedd", "Gwynedd Council", "Cyngor Gwynedd"),
    CouncilData(
        "isle-of-anglesey",
        "ynys-mon",
        "Isle of Anglesey County Council",
        "Cyngor Sir Ynys Môn",
        ("anglesey",),
        short_cy="Ynys Môn",
    ),
    CouncilData(
        "merthyr-tydfil",
        "merthyr-tudful",
        "Merthyr Tydfil County Borough Council",
        "Cyngor Bwrdeistref Sirol Merthyr Tudful",
        ("merthyr",),
    ),
    CouncilData("monmouthshire", "sir-fynwy", "Monmouthshire County Council", "Cyngor Sir Fynwy"),
    CouncilData(
        "neath-port-talbot",
        "castell-nedd-port-talbot",
        "Neath Port Talbot County Borough Council",
        "Cyngor Bwrdeistref Sirol Castell-nedd Port Talbot",
        ("npt",),
    ),
    CouncilData("newport", "casnewydd", "Newport City Council", "Cyngor Dinas Casnewydd"),
    CouncilData(
        "pembrokeshire",
        "sir-benfro",
        "Pembrokeshire County Council",
        "Cyngor Sir Penfro",
        short_cy="Sir Benfro",
    ),
    CouncilData("powys", "powys", "Powys County Council", "Cyngor Sir Powys", short_cy="Powys"),
    CouncilData(
        "rhondda-cynon-taf",
        "rhondda-cynon-taf",
        "Rhondda Cynon Taf County Borough Council",
        "Cyngor Bwrdeistref Sirol Rhondda Cynon Taf",
        ("rct", "rhondda-cynon-taff"),
    ),
    CouncilData("swansea", "abertawe", "Swansea Council", "Cyngor Abertawe"),
    CouncilData(
        "torfaen", "torfaen", "Torfaen County Borough Council", "Cyngor Bwrdeistref Sirol Torfaen"
    ),
    CouncilData(
        "vale-of-glamorgan", "bro-morgannwg", "Vale of Glamorgan Council", "Cyngor Bro Morgannwg"
    ),
    CouncilData(
        "wrexham", "wrecsam", "Wrexham County Borough Council", "Cyngor Bwrdeistref Sirol Wrecsam"
    ),
)

# Initial-consonant mutations (longest prefix first: "ll" and "rh" before "l"/"r").
_MUTATIONS: dict[Mutation, tuple[tuple[str, str], ...]] = {
    "soft": (
        ("ll", "l"),
        ("rh", "r"),
        ("c", "g"),
        ("p", "b"),
        ("t", "d"),
        ("g", ""),
        ("b", "f"),
        ("d", "dd"),
        ("m", "f"),
    ),
    "nasal": (("c", "ngh"), ("p", "mh"), ("t", "nh"), ("g", "ng"), ("b", "m"), ("d", "n")),
    "aspirate": (("c", "ch"), ("p", "ph"), ("t", "th")),
}


def mutate(text: str, mutation: Mutation) -> str:
    """Mutate the first letter of `text`, keeping its capital: `mutate("Cyngor", "nasal")` is
    `"Nghyngor"`. Only the first word mutates: "Sir Powys" after it is a genitive and stays."""
    lower = text.lower()
    for radical, mutated in _MUTATIONS[mutation]:
        if lower.startswith(radical):
            rest = text[len(radical) :]
            if not mutated:
                return rest[:1].upper() + rest[1:] if text[:1].isupper() else rest
            return (mutated.capitalize() if text[:1].isupper() else mutated) + rest
    return text


_NON_WORD = re.compile(r"[^a-z0-9]+")

WALES_NAMES = frozenset({"wales", "cymru", "cymru-gyfan", "all-wales", "all-of-wales"})
"""What names the whole of Wales (the national report) wherever a council could be named,
compared folded: "Wales", "Cymru", "Cymru gyfan", "all of Wales"."""


def names_wales(query: str) -> bool:
    """Whether `query` means every council at once rather than one of them."""
    return fold(query) in WALES_NAMES


def fold(text: str) -> str:
    """Slug form of a name: accents dropped, lower case, every run of other characters one hyphen.
    `fold("Cyngor Sir Ynys Môn") == "cyngor-sir-ynys-mon"`."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub("-", ascii_only.lower()).strip("-")


_EN_SUFFIXES = (" County Borough Council", " County Council", " City Council", " Council")


def short_name_en(name_en: str) -> str:
    """`"Powys County Council"` -> `"Powys"`; `"Vale of Glamorgan Council"` ->
    `"Vale of Glamorgan"`."""
    for suffix in _EN_SUFFIXES:
        if name_en.endswith(suffix):
            return name_en[: -len(suffix)]
    return name_en


_CY_PREFIXES = ("Cyngor Bwrdeistref Sirol ", "Cyngor Dinas ", "Cyngor ")


_SHORT_CY = {c.name_cy: c.short_cy for c in COUNCILS if c.short_cy}


def short_name_cy(name_cy: str) -> str:
    """`"Cyngor Sir Powys"` -> `"Powys"`, `"Cyngor Sir Penfro"` -> `"Sir Benfro"`,
    `"Cyngor Sir Gâr"` -> `"Sir Gâr"`, `"Cyngor Dinas Casnewydd"` -> `"Casnewydd"`."""
    if name_cy in _SHORT_CY:
        return _SHORT_CY[name_cy]
    for prefix in _CY_PREFIXES:
        if name_cy.startswith(prefix):
            return name_cy[len(prefix) :]
    return name_cy


def by_slug(slug: str) -> CouncilData:
    return next(c for c in COUNCILS if c.slug == slug)


def short_name(slug: str, lang: str) -> str:
    """The council of ``slug`` by its place's name in ``lang``: "Caerdydd" / "Cardiff"."""
    council = by_slug(slug)
    return short_name_cy(council.name_cy) if lang == "cy" else short_name_en(council.name_en)
