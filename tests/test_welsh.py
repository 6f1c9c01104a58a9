"""Welsh without a flaw (issue 12): the rules a machine can check, on the texts people see.

Every Welsh text is checked as it is rendered (screens, reminders, emails, the report's summary
and document), with every council's name and every theme's title put in, for the mutations a
Welsh reader notices first (tests/support/welsh_grammar.py), for English command names where a
Welsh one exists, for toasts within Telegram's 200 characters, and for catalogs that hold every
key.
"""

from __future__ import annotations

import asyncio
import re
import string
import tomllib
from datetime import date
from pathlib import Path

import pytest
from aiogram.filters import Command

from bot.app import RESPONDENT_COMMANDS, load_texts
from bot.auditor import report_commands as auditor_handlers
from bot.cli.words import LOCALES as CLI_LOCALES
from bot.demo import chat
from bot.reminders import remind_command as reminder_handlers
from bot.reminders.telegram_reminder import telegram_reminder
from bot.respondent import answering as respondent_handlers
from bot.respondent import commands as common_handlers
from bot.respondent import preview as preview_handlers
from bot.respondent.screens import Context, render
from bot.services.mail import compose
from bot.services.reminder_words import council_values
from bot.services.reminder_words import load_texts as reminder_texts
from flows import (
    AcceptPrivacy,
    Answer,
    ChooseLanguage,
    ShowReview,
    SurveyState,
    current_screen,
    step,
)
from reports import Report, build_report, render_html, render_summary
from reports.language import written_in
from reports.national import build_national, rubric_advice
from reports.national_render import render_national_html, render_national_summary
from reports.text import messages as report_texts
from rubric.catalog import Messages
from rubric.loader import load_questionnaire
from rubric.schema import GROUPS, LANGS, Group
from storage.councils import COUNCILS
from storage.opening import open_database
from storage.reporting import report_input
from storage.repository import Repository
from storage.rows import Council
from tests.support.reports import (
    add_people,
    open_db,
    release,
    small_advice,
    small_questionnaire,
)
from tests.support.welsh_grammar import (
    RETIRED,
    Target,
    check,
    english_flaws,
    every_flaw,
    numeral_flaws,
    plain,
    quotation_flaws,
    retired_flaws,
    targets,
)

Q = load_questionnaire()
BOT = load_texts()
REMINDERS = reminder_texts()
REPORTS = report_texts()
CATALOGS: dict[str, Messages] = {
    "bot": BOT,
    "reminders": REMINDERS,
    "reports": REPORTS,
    "cli": Messages(CLI_LOCALES),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TITLES = [t.title.cy for t in Q.themes] + [c.title.cy for c in Q.characteristics]
ON = date(2026, 11, 27)

ENGLISH_COMMANDS = {
    "report": "adroddiad",
    "status": "statws",
    "remind": "atgoffa",
    "help": "cymorth",
    "language": "iaith",
    "privacy": "preifatrwydd",
    "forget": "anghofio",
    "preview": "rhagolwg",
    "quit": "gadael",
    "exit": "gadael",
}
"""Every English command that has a Welsh name; Welsh text names the Welsh one."""
ENGLISH_COMMAND = re.compile(r"/(" + "|".join(ENGLISH_COMMANDS) + r")\b")


@pytest.fixture(scope="module")
def councils(tmp_path_factory: pytest.TempPathFactory) -> list[Council]:
    """The 22 councils as the database holds them, with their mutated forms."""

    async def read() -> list[Council]:
        db = await open_database(tmp_path_factory.mktemp("welsh") / "welsh.sqlite3")
        try:
            return await Repository(db).councils()
        finally:
            await db.close()

    found = asyncio.run(read())
    assert len(found) == 22
    return found


def _targets(councils: list[Council]) -> list[Target]:
    return targets([c.name_cy for c in councils], TITLES)


SLUGS = [c.slug for c in COUNCILS] + ["wales"]
"""A council's slug (and the national report's) never stands in a Welsh line."""
NUMBERS = (*range(1, 11), 20, 100)
"""Every number a count is said with, for the forms Welsh mutates after (1, 2, 3, 6)."""


def _flaws(texts: list[str], wanted: list[Target]) -> list[str]:
    """Every flaw of every rule: mutations, numbers, quotation marks, English, retired terms."""
    return sorted({str(flaw) for text in set(texts) for flaw in every_flaw(text, wanted, SLUGS)})


def _council_values(council: Council) -> dict[str, str]:
    return {
        "council": council.name_cy,
        "council_soft": council.name_cy_soft,
        "council_nasal": council.name_cy_nasal,
        "council_aspirate": council.name_cy_aspirate,
    }


def _filled(texts: Messages, key: str, council: Council, theme: str, n: int = 7) -> str:
    """A catalog text with every placeholder given a value as the code gives it."""
    raw = texts("cy", key)
    values: dict[str, object] = {name: "X" for name in PLACEHOLDER.findall(raw)}
    values.update({k: v for k, v in _council_values(council).items() if k in values})
    for name in ("theme", "title"):
        if name in values:
            values[name] = theme
    for name in COUNTS:
        if name in values:
            values[name] = n
    return raw.format(**values)


COUNTS = ("n", "min", "count", "total", "index", "threshold", "length", "max", "made", "of")


# --- the checker itself ---------------------------------------------------------------


FLAWED = [
    "Faint o ymatebwyr a osododd Cyngor Sir Powys ar bob lefel.",
    "Ni ddangosir rhai sylwadau o dan Gweledigaeth, arweinyddiaeth a diwylliant.",
    "Ni ddangosir rhai sylwadau o dan Diogelu data.",
    "Defnyddiwch y ddolen, neu gofynnwch i'r tîm archwilio.",
    "Teipiwch eich ateb, neu tapiwch ‘Hepgor’.",
    "Ymatebion o Cyngor Sir Powys",
    "Mae ymatebwyr yn Cyngor Sir Powys yn cytuno",
    "Mae ymatebwyr yng Cyngor Sir Powys yn cytuno",
    "cymharu Cymru a Cyngor Sir Powys",
    "cynghorau o Cymru",
    "cynghorau yn Cymru",
    "a cyflwynwyd gan swyddogion",
    "Rydych yn gyflwyno",
]
SOUND = [
    "Faint o ymatebwyr a osododd Gyngor Sir Powys ar bob lefel.",
    "Ni ddangosir rhai sylwadau o dan y thema ‘Diogelu data’.",
    "Defnyddiwch y ddolen, neu ofynnwch i'r tîm archwilio.",
    "Teipiwch eich ateb, neu dapiwch ‘Hepgor’.",
    "Ymatebion i'r offeryn data o Gyngor Sir Powys",
    "Mae ymatebwyr yng Nghyngor Sir Powys yn cytuno",
    "cymharu Cymru a Chyngor Sir Powys",
    "cynghorau yng Nghymru, i Gymru, o Gymru, ledled Cymru, ar gyfer Cymru",
    "a gyflwynwyd gan swyddogion; a chyflwyno",
    "Rydych yn cyflwyno; mae'n cytuno; yn defnyddio data",
    "i'ch cyngor, o'r Cyngor, a'i rhannu, wedi'i defnyddio",
    "lle ymatebodd Cyngor Sir Powys",
]


@pytest.mark.parametrize("text", FLAWED)
def test_the_checker_finds_each_flaw_the_issue_found(text: str) -> None:
    assert check(text, targets(["Cyngor Sir Powys"], TITLES)), text


@pytest.mark.parametrize("text", SOUND)
def test_the_checker_passes_sound_welsh(text: str) -> None:
    assert check(text, targets(["Cyngor Sir Powys"], TITLES)) == [], text


# --- mutations in every rendered Welsh text -----------------------------------------------


def _plural_keys(catalog: Messages) -> set[str]:
    return {str(m.id[0]) for m in catalog.catalogs["cy"] if isinstance(m.id, tuple)}


async def test_no_flaw_in_any_catalog_text_with_every_council_theme_and_number(
    councils: list[Council],
) -> None:
    """Every catalog text with every council, every theme and the numbers 1-10, 20 and 100
    where it counts; a plural text in the form its number chooses."""
    wanted = _targets(councils)
    texts = []
    for name, catalog in CATALOGS.items():
        plurals = _plural_keys(catalog)
        for key in sorted(catalog.keys("cy") - plurals):
            if key.endswith(".plural"):
                continue
            for council in councils:
                for theme in TITLES:
                    texts.append(_filled(catalog, key, council, theme))
            texts += [_filled(catalog, key, councils[0], TITLES[0], n) for n in NUMBERS]
        for key in sorted(plurals):
            forms = catalog.catalogs["cy"][key].string
            assert isinstance(forms, tuple | list), key
            names = {f for form in forms for _, f, _, _ in string.Formatter().parse(form) if f}
            values: dict[str, object] = {name: "X" for name in names - {"n"}}
            values |= {name: 7 for name in COUNTS if name in values}
            values |= {k: v for k, v in _council_values(councils[0]).items() if k in values}
            if "councils" in values:
                values["councils"] = councils[0].name_cy
            texts += [catalog.plural("cy", key, n, **values) for n in NUMBERS]
    assert len(texts) > 22 * 4 * 100
    found = _flaws(texts, wanted)
    assert found == [], "\n".join(found)


def test_no_mutation_flaw_in_the_questionnaire(councils: list[Council]) -> None:
    texts = [Q.title.cy]
    texts += [t.intro.cy for t in Q.themes]
    texts += [level.cy for c in Q.characteristics for level in c.levels]
    for q in Q.questions:
        texts += [x.cy for x in (q.text, q.member_text, q.finding) if x is not None]
    assert _flaws(texts, _targets(councils)) == []


def _screens(council: Council, group: Group) -> list[str]:
    """Every screen of a survey taken in Welsh, from the privacy notice to the thanks."""
    ctx = Context(
        questionnaire=Q,
        texts=BOT,
        lang="cy",
        group=group,
        council_name=council.name_cy,
        min_group_size=5,
    )
    state = step(Q, SurveyState(group=group), ChooseLanguage(lang="cy")).state
    shown = [render(current_screen(Q, state), ctx).text]
    state = step(Q, state, AcceptPrivacy()).state
    for question in Q.questions_for(group):
        shown.append(render(current_screen(Q, state), ctx).text)
        scale = Q.scale(question)
        answer = Answer(text="Dim digon o amser.") if scale is None else Answer(choice="dk")
        update = {"answers": {**state.answers, question.id: answer}, "cursor": None}
        state = state.model_copy(update=update)
    review = step(Q, state, ShowReview())
    shown.append(render(review.screen, ctx).text)
    done = review.state.model_copy(update={"submitted": True})
    shown.append(render(current_screen(Q, done), ctx).text)
    return shown


async def test_no_mutation_flaw_on_any_respondent_screen(councils: list[Council]) -> None:
    wanted = _targets(councils)
    texts = [text for council in councils for g in GROUPS for text in _screens(council, g)]
    assert len(texts) > 22 * 2 * 30
    found = _flaws(texts, wanted)
    assert found == [], "\n".join(found)


async def test_no_mutation_flaw_in_reminders_or_emails(councils: list[Council]) -> None:
    wanted = _targets(councils)
    texts = []
    for council in councils:
        for last_call in (False, True):
            text, markup = telegram_reminder(
                REMINDERS, council, "cy", last_call=last_call, closes_on=ON
            )
            texts.append(text)
            texts += [b.text for row in markup.inline_keyboard for b in row]
        for kind in ("invite", "reminder", "last"):
            mail = compose(
                REMINDERS,
                sender="arolwg@archwilio.cymru",
                to="person@example.org",
                name="Ceri",
                lang="cy",
                kind=kind,
                link="https://t.me/datatool_bot?start=abc",
                council=council,
                closes_on=ON,
            )
            texts.append(str(mail["Subject"]))
            for part in mail.walk():
                if part.get_content_type() in ("text/plain", "text/html"):
                    texts.append(part.get_content())
        names = council_values(council, "cy")
        for key in ("chase.started", "chase.closed"):
            texts.append(REMINDERS("cy", key, **names))
        texts.append(
            REMINDERS("cy", "chase.done", telegram=3, email=2, unreachable=1, skipped=4, **names)
        )
    found = _flaws(texts, wanted)
    assert found == [], "\n".join(found)


SMALL = ("powys", "caerphilly", "cardiff")
"""Councils given too few respondents, so that what is withheld is said with their names."""


def _answers(i: int) -> dict[str, tuple[str | None, str | None]]:
    choices = ("sa", "a", "n", "d", "sd", "dk")
    return {
        "v1": (choices[i % 6], None),
        "v2": (choices[(i * 2) % 5], None),
        "s1": (choices[i % 4], None),
        "s2": (choices[(i + 1) % 3], None),
        "vlevel": (str(i % 3 + 1), None),
        "vtext": (None, "Mae angen mwy o amser a hyfforddiant ar staff." if i % 2 else None),
        "stext": (None, "Services still work in silos and do not share." if i % 3 == 0 else None),
    }


async def _welsh_reports(tmp_path: Path, councils: list[Council]) -> list[Report]:
    """Every council's Welsh report, from a real database through the public functions."""
    questionnaire = small_questionnaire()
    db = await open_db(tmp_path)
    try:
        for c in councils:
            small = c.slug in SMALL
            await add_people(
                db, c.slug, "officer", invited=10, submitted=2 if small else 8, answers=_answers
            )
            await add_people(
                db, c.slug, "member", invited=10, submitted=0 if small else 6, answers=_answers
            )
        # (The councils answer alike on purpose; the unanimity rule has its own tests.)
        await release(db, questionnaire, unanimity_safe_size=0)
        reports = []
        for c in councils:
            rows = await report_input(db, c.id)
            reports.append(build_report(questionnaire, rows, c, "cy", 5, generated_on=ON))
        return reports
    finally:
        await db.close()


_COMMENTS = re.compile(r'<ul class="comments[^"]*">.*?</ul>', re.DOTALL)
_ENGLISH_ON_PURPOSE = re.compile(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', re.DOTALL)
"""The cover's contact block and "also available in English", marked lang="en": English by
design, beside their Welsh."""
_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)


def _our_words(html: str) -> str:
    """The document without its stylesheet and without the respondents' own words."""
    return _ENGLISH_ON_PURPOSE.sub("", _COMMENTS.sub("", _STYLE.sub("", html)))


async def test_no_mutation_flaw_in_any_welsh_report(
    councils: list[Council], tmp_path: Path
) -> None:
    wanted = _targets(councils)
    texts = []
    for report in await _welsh_reports(tmp_path, councils):
        texts.append(render_summary(report, "cy"))
        texts.append(_our_words(render_html(report, "cy")))
    assert any("Gyngor" in t for t in texts) and any("Nghyngor" in t for t in texts)
    found = _flaws(texts, wanted)
    assert found == [], "\n".join(found)


async def test_no_mutation_flaw_in_the_welsh_national_report(
    councils: list[Council], tmp_path: Path
) -> None:
    """The national report in Welsh with its recommendations and good practice (the rubric's
    texts, as the council reports' own rules choose them)."""
    reports = {r.council.slug: r for r in await _welsh_reports(tmp_path, councils)}
    advice = rubric_advice(reports, small_advice())
    national = build_national(
        small_questionnaire(), councils, reports, "cy", 5, generated_on=ON, advice=advice
    )
    assert national.recommendations and national.examples
    texts = [
        render_national_summary(national, "cy"),
        _our_words(render_national_html(national, "cy")),
    ]
    assert _flaws(texts, _targets(councils)) == []


# --- commands ----------------------------------------------------------------------------


def _welsh_texts() -> list[str]:
    texts = [
        catalog("cy", key)
        for catalog in CATALOGS.values()
        for key in catalog.keys("cy")
        if not key.endswith(".plural")
    ]
    texts += [line for line in chat.INTRO.splitlines() if "Teipiwch" in line or "Rydych" in line]
    return texts


def _registered_commands() -> set[str]:
    names: set[str] = {"start"}
    rooms = (auditor_handlers, reminder_handlers, common_handlers, respondent_handlers)
    for entries in [m.handlers.entries for m in rooms] + [preview_handlers.commands.entries]:
        for _, filters, _ in entries:
            for f in filters:
                if isinstance(f, Command):
                    names |= {str(c) for c in f.commands}
    return names | {c.lstrip("/") for c in chat.QUIT}


def test_no_english_command_is_named_in_welsh_text() -> None:
    named = [
        (m.group(0), text[:60]) for text in _welsh_texts() for m in ENGLISH_COMMAND.finditer(text)
    ]
    assert named == []


def test_every_command_named_in_welsh_text_exists_in_welsh() -> None:
    registered = _registered_commands()
    for english, welsh in ENGLISH_COMMANDS.items():
        assert {english, welsh} <= registered, (english, welsh)
    # Not after another "/": the host of a URL ("https://example.org") is not a command.
    named = {
        m.group(1) for text in _welsh_texts() for m in re.finditer(r"(?<![\w</])/([a-z]+)\b", text)
    }
    assert named and named <= registered
    assert [c for c, _ in RESPONDENT_COMMANDS["cy"]] == [
        "start",
        "iaith",
        "cymorth",
        "preifatrwydd",
        "anghofio",
    ]


def test_the_demo_auditor_asks_for_the_welsh_report_in_welsh() -> None:
    source = Path(chat.__file__).with_name("run.py").read_text(encoding="utf-8")
    assert '"/adroddiad {REPORT_COUNCIL} cy"' in source


# --- toasts ------------------------------------------------------------------------------

TOAST_LIMIT = 200
"""Telegram's limit for a callback answer (0-200 characters)."""


def _toast_keys() -> list[str]:
    """Every text the bot may send as a callback answer: the survey's notices (all but the
    too-long one, which answers a typed message), the toasts, and the tap that was not saved."""
    keys = [k for k in BOT.keys("en") if k.startswith(("notice.", "toast."))]
    return sorted({*keys, "error.not_saved"} - {"notice.too_long"})


@pytest.mark.parametrize("key", _toast_keys())
def test_every_toast_fits_telegram_in_each_language_and_in_both(key: str) -> None:
    for lang in LANGS:
        assert len(BOT(lang, key).encode("utf-16-le")) // 2 <= TOAST_LIMIT, (lang, key)
    both = BOT.both(key, separator=" / ")
    assert len(both.encode("utf-16-le")) // 2 <= TOAST_LIMIT, key


# --- catalogs ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_every_welsh_catalog_key_is_present_and_translated(name: str) -> None:
    catalog = CATALOGS[name]
    assert catalog.keys("cy") == catalog.keys("en")
    for message in catalog.catalogs["cy"]:
        if not message.id:
            continue
        strings = (
            tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)
        )
        assert all(s and s.strip() for s in strings), message.id
        if isinstance(message.id, tuple):
            assert len(strings) == 6, f"{message.id[0]}: Welsh needs six plural forms"
    for key in catalog.keys("en"):
        if isinstance(catalog.catalogs["en"][key].id, tuple):
            continue
        en_string, cy_string = (
            catalog.catalogs["en"][key].string,
            catalog.catalogs["cy"][key].string,
        )
        assert isinstance(en_string, str) and isinstance(cy_string, str), key
        english = {f for _, f, _, _ in string.Formatter().parse(en_string) if f}
        welsh = {f for _, f, _, _ in string.Formatter().parse(cy_string) if f}
        forms = {"council", "council_soft", "council_nasal", "council_aspirate"}
        # A library's English words (pydantic's ``error``, ``msg``) are said in English only:
        # the Welsh says what went wrong in its own words, never with English inside.
        assert welsh - forms <= english - forms, key
        assert (english - forms) - (welsh - forms) <= LIBRARY_ENGLISH, key


# --- comments marked with their language ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Mae gwasanaethau'n dal i weithio ar wahân a dydyn nhw ddim yn rhannu data.", "cy"),
        ("Does dim digon o ddadansoddwyr, a does dim amser i hyfforddi.", "cy"),
        ("Diffyg arian", "cy"),
        ("Services still work in silos and do not share what they know.", "en"),
        ("Not enough staff.", "en"),
        ("GDPR", None),
        ("12345 !!!", None),
    ],
)
def test_a_comment_is_marked_with_the_language_it_was_written_in(
    text: str, lang: str | None
) -> None:
    assert written_in(text) == lang


async def test_the_welsh_report_marks_each_comment_with_its_language(
    councils: list[Council], tmp_path: Path
) -> None:
    ceredigion = [c for c in councils if c.slug == "ceredigion"]
    [report] = await _welsh_reports(tmp_path, ceredigion)
    html = render_html(report, "cy")
    # A comment said by several is shown once with how many said it (issue 22).
    assert '<li lang="cy">Mae angen mwy o amser a hyfforddiant ar staff.' in html
    assert '<li lang="en">Services still work in silos and do not share.' in html


LIBRARY_ENGLISH = {"error", "msg"}
"""Placeholders that hold a library's English message (pydantic's, the csv module's)."""


# --- one English term, one Welsh term ---------------------------------------------------------

RETIRED_HERE = {
    "datatool": "offeryn data (no English product name in Welsh text)",
    "“": "‘…’ (one style of quotation marks)",
    '"': "‘…’ (one style of quotation marks)",
}
"""Retired in the respondents' and the reports' texts only: the operator's command is called
datatool in every language. The terms retired everywhere are the checker's
(tests/support/welsh_grammar.py RETIRED, docs/welsh-review-terms.md)."""


def test_one_welsh_term_for_each_english_term() -> None:
    texts = _welsh_texts() + [Q.title.cy] + [t.intro.cy for t in Q.themes]
    texts += [level.cy for c in Q.characteristics for level in c.levels]
    texts += [x.cy for q in Q.questions for x in (q.text, q.member_text, q.finding) if x]
    operator = {CATALOGS["cli"]("cy", key) for key in CATALOGS["cli"].keys("cy")}
    found = sorted(
        {
            (retired, text[:70])
            for text in texts
            for retired in RETIRED_HERE
            if retired in plain(text).lower() and text not in operator
        }
    )
    assert found == []


ROOT = Path(__file__).resolve().parents[1]


def _welsh_data() -> list[tuple[str, str]]:
    """Every Welsh string in every data file: each catalog's every form (plural forms too) and
    every ``cy`` value in rubric/*.toml (questionnaire, recommendations, good practice,
    narrative), by file."""
    from babel.messages.pofile import read_po

    found: list[tuple[str, str]] = []
    for po in sorted(ROOT.glob("*/**/locales/cy/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="cy"):
                if message.id:
                    strings = (
                        message.string if isinstance(message.string, tuple) else [message.string]
                    )
                    found += [(str(po.relative_to(ROOT)), str(x)) for x in strings]

    def walk(where: str, value: object, welsh: bool = False) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(where, inner, key == "cy")
        elif isinstance(value, list):
            for inner in value:
                walk(where, inner, welsh)
        elif welsh and isinstance(value, str):
            found.append((where, value))

    for toml in sorted((ROOT / "rubric").glob("*.toml")):
        walk(f"rubric/{toml.name}", tomllib.loads(toml.read_text(encoding="utf-8")))
    return found


def test_no_retired_term_in_any_data_file() -> None:
    data = _welsh_data()
    files = {where for where, _ in data}
    assert {"rubric/good_practice.toml", "rubric/narrative.toml"} <= files
    assert len(files) >= 8
    found = sorted({(where, str(flaw)) for where, text in data for flaw in retired_flaws(text)})
    assert found == []


def test_no_straight_quote_in_any_data_file() -> None:
    found = sorted(
        {(where, str(flaw)) for where, text in _welsh_data() for flaw in quotation_flaws(text)}
    )
    assert found == []


# --- each of the checker's rules, on the flaws issue 23 found ---------------------------------

REAL_NUMBER_FLAWS = [
    "rhestr: 61 gwahoddedig mewn 2 cyngor (powys, cardiff)",
    "mewn 3 cyngor",
    "mewn 6 cyngor",
    "a 2 problem arall",
    "a 6 problem arall",
    "ysgrifennwyd 2 gwahoddiad ar gyfer Cyngor Sir Powys",
    "2 maes, lle mae gan y pennawd 6",
    "anfonodd y bot 2 cais y byddai Telegram yn eu gwrthod",
    "anfonodd y bot 3 cais y byddai Telegram yn eu gwrthod",
    "Mae'r arolwg hwn yn gofyn 2 cwestiwn",
    "dau broblem",
    "tri problem",
    "pedwar problem",
    "1 gyngor",
]
SOUND_NUMBERS = [
    "2 gyngor, 3 chyngor, 6 chyngor, 4 cyngor, 20 cyngor, 100 cyngor, 1 cyngor",
    "1 broblem, 2 broblem, 3 problem, 6 phroblem, dwy broblem, tair problem, pedair problem",
    "2 wahoddiad, 2 faes, 2 gais, 3 chais, 1 llinell, 2 linell, 2 waith, 3 gwaith",
    "yn adroddiadau 4 o'r 4 cyngor; 25 ymateb; 2026-12-31 cyngor; 50% cyngor",
]


@pytest.mark.parametrize("text", REAL_NUMBER_FLAWS)
def test_the_checker_finds_a_noun_mutated_wrongly_after_a_number(text: str) -> None:
    assert numeral_flaws(text), text


def test_the_checker_passes_nouns_mutated_rightly_after_numbers() -> None:
    assert [str(f) for t in SOUND_NUMBERS for f in numeral_flaws(t)] == []


@pytest.mark.parametrize(
    "text",
    [
        "datatool auditors: gwall: action: dewis annilys: 'frob'",
        "rhedwch orchymyn sy'n ysgrifennu (fel `datatool run`) unwaith",
        'tapiwch "Parhau"',
        "tapiwch “Parhau”",
        "Un 'porth' i wasanaethau awdurdod lleol",
        "ysgrifennwch ‘${group} = 'officer'’ neu 'member'",
        'ysgrifennwch ‘${group} = "officer"’',
    ],
)
def test_the_checker_finds_a_quotation_not_in_welsh_quotation_marks(text: str) -> None:
    assert quotation_flaws(text), text


def test_the_checker_passes_welsh_quotation_marks_and_apostrophes() -> None:
    text = "tapiwch ‘Parhau’; o'r cyngor, Cymru'n, i'w rannu, a'r 'n"
    assert quotation_flaws(text.replace(" 'n", "")) == []


def test_the_checker_passes_straight_quotes_typed_inside_a_citation() -> None:
    """XLSForm's ``relevant`` is typed with straight quotes; cited, it stays as typed."""
    assert quotation_flaws("ysgrifennwch ‘${group} = 'officer'’ (neu ‘or’)") == []


@pytest.mark.parametrize(
    "text",
    [
        "ysgrifennwyd yr adroddiad Cymraeg ar gyfer wales yn w.pdf",
        "ysgrifennwyd yr adroddiad Saesneg ar gyfer cardiff yn r.pdf",
        "nid wyf yn adnabod cyngor o'r enw ‘caerdyd’; oeddech chi'n golygu cardiff, newport?",
        "mae WORK_START yn annilys: rhaid iddo fod yn amser fel 09:00"
        " (hour value is outside expected range of 0-23)",
        "defnydd: datatool invites [-h] [--out OUT] council",
        "defnydd: datatool survey open [-h] [--closes CLOSES] [--opens OPENS] council",
        "datatool survey: gwall: rhaid rhoi'r rhain hefyd: survey_command",
        "datatool auditors: gwall: action: dewis annilys",
        "Mae datatool yn siarad Cymraeg pan fydd DATATOOL_LANG=cy (neu locale Cymraeg yn LANG)",
        "Colofnau'r CSV: council (slug neu enw'r cyngor)",
    ],
)
def test_the_checker_finds_english_and_slugs_in_a_welsh_line(text: str) -> None:
    assert english_flaws(text, SLUGS, allowed=["invites", "survey", "open"]), text


def test_the_checker_passes_citations_placeholders_and_welsh_names() -> None:
    text = (
        "ysgrifennwyd yr adroddiad ar gyfer Cyngor Caerdydd yn /tmp/r.pdf; oeddech chi'n golygu"
        " Caerdydd, Casnewydd? Powys, fel ‘powys’; defnydd: datatool invites [--out FFEIL] CYNGOR;"
        " gosodwch SMTP_HOST neu DATATOOL_LANG=cy; e-bost ann@powys.example; <code>powys</code>"
    )
    assert english_flaws(text, SLUGS, allowed=["invites"]) == []


@pytest.mark.parametrize(
    "text",
    [
        "Gwneud penderfyniadau ar sail data i symud adnoddau",
        "rhedeg y bot (arolygu hir, neu webhook gyda WEBHOOK_URL)",
        "rhifau defnyddwyr Telegram, wedi'u gwahanu gan atalnodau",
        "Lle rhoddodd llai na 5 o bobl mewn grŵp farn",
        "heb ei ddangos: rhy ychydig a roddodd farn",
        "demo datatool: y bot go iawn yn erbyn efelychydd Telegram lleol",
        "Mae 60% o'r ymatebwyr yn cytuno bod X, yn fwy nag ag unrhyw ddatganiad arall.",
        "farn negyddol am i ba raddau y mae penderfyniadau'r Awdurdod yn seiliedig ar dystiolaeth",
    ],
)
def test_the_checker_finds_each_retired_term(text: str) -> None:
    assert retired_flaws(text), text


def test_the_retired_terms_name_what_to_write_instead() -> None:
    assert all(better and better != retired for retired, better in RETIRED.items())
