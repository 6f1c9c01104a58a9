"""The reasons other layers give, in Welsh: a roster's refused rows, ``datatool remind``'s
summary, the database's failures, a malformed setting (pydantic's error types) and the demo's
running commentary. Each layer gives a code with its parameters; the command line words it from
bot/cli/locales in the operator's language (docs/welsh-review-cli.md)."""

from __future__ import annotations

import ast
import asyncio
import io
import re
import sqlite3
import string
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from rich.console import Console

from bot.cli import reminders as remind_cli
from bot.cli.counting import counted
from bot.cli.main import main
from bot.cli.reasons import error_reason, fault_reason, pydantic_reason
from bot.cli.words import say
from bot.demo import chat
from bot.services.reminder_run import SKIP_WORDS, FailedSend, Summary
from standin import StandIn
from storage.councils import COUNCILS
from storage.faults import Fault, FaultCode, fault, fault_at
from storage.rows import RosterRow
from tests.support.welsh_grammar import every_flaw, targets

HEADER = "council,group,name,email,language,team\n"

NEW_PREFIXES = (
    "roster.",
    "pyd.",
    "config.",
    "db.",
    "fault.",
    "remind.",
    "demo.",
    "export.",
    "migrate.",
)
NEW_KEYS = (
    "err.roster_file",
    "err.every_council",
    "help.status_council",
    # issue 26, the operator's day
    "cli.version",
    "help.allow_empty",
    "help.roster_remove",
    "help.json",
    "help.remind_json",
    "help.migrate_to",
    "err.closes_past",
    "err.kept_closes_past",
    "err.not_on_roster",
    "err.no_invitees",
    "err.already_running",
    "err.cannot_listen",
    "msg.removed",
    "msg.removed_answered",
)
SAME_IN_BOTH = {
    "err.roster_file",
    "fault.other",
    "remind.why.smtp_refused",
    "remind.why.telegram_400",
}
"""Keys that are only a layout of their values, the same in both languages."""

SAMPLES: dict[str, object] = {
    "path": "/srv/roster.csv",
    "question": "v_vision",
    "rows": 12,
    "min": 5,
    "db": "/srv/datatool.sqlite3",
    "line": 7,
    "n": 3,
    "fields": 4,
    "names": "‘group’, ‘email’",
    "reason": "rheswm",
    "field": "name",
    "email": "ann@powys.example",
    "council": "Cyngor Sir Powys",
    "query": "powis",
    "char": "U+000D",
    "value": "‘nope’",
    "error": "relative URL without a base",
    "expected": "‘officer’ neu ‘member’",
    "gt": 0,
    "ge": 1,
    "lt": 65536,
    "le": 30,
    "min_length": 2,
    "max_length": 256,
    "msg": "neges pydantic",
    "type": "date_parsing",
    "first": "‘a’, ‘b’",
    "last": "‘c’",
    "cause": "mae'r ddisg yn llawn",
    "detail": "/srv/data",
    "version": 7,
    "wanted": 8,
    "default": "cy",
    "option": "--o",
    "matches": "--out, --opens",
    "scope": "pob cyngor",
    "done": 10,
    "submitted": 25,
    "respondents": 40,
    "seconds": "12.5",
    "command": "/adroddiad powys cy",
    "name": "powys-adroddiad-cy.pdf",
    "description": "Bad Request: can't parse entities",
    "said": "[]",
    "method": "sendMessage",
    "folder": "/srv/datatol",
    "closes": "2026-12-01",
    "emails": "ann@powys.example, bob@powys.example",
    "pid": 4242,
    "address": "127.0.0.1:18443",
    "target": "postgresql://datatool:***@db.example.org/datatool",
    "invitees": 2002,
    "responses": 600,
    "answers": 22000,
    "group": "‘cmt’",
    "known": "‘officer’, ‘member’",
}
ENGLISH_WORDS = re.compile(
    r"\b(the|is|are|not|cannot|and|or|of|to|with|must|should|sent|file|line|council|"
    r"reminded|failed|skipped|unreachable|report|saved|auditor|bot did)\b"
)
"""Words that would betray an untranslated sentence (command names, column names and the
values in the samples are not among them)."""


@pytest.fixture
def welsh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "BOT_TOKEN",
        "TELEGRAM_API_URL",
        "AUDITOR_IDS",
        "SEND_RATE",
        "SMTP_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    monkeypatch.setenv("DATATOOL_DB", str(tmp_path / "datatool.sqlite3"))
    return tmp_path


def _new_keys() -> list[str]:
    keys = {str(k) for k in _catalog("en")}
    return sorted(k for k in keys if k.startswith(NEW_PREFIXES) or k in NEW_KEYS)


def _catalog(lang: str) -> dict[str, str]:
    from bot.cli.words import catalog

    return catalog(lang)


COUNTED = {
    "invitations": "invitation",
    "responses": "anonymous_response",
    "comments": "comment",
    "problems": "more_problem",
    "fields": "field",
    "columns": "column",
    "rows": "row",
    "invitees": "invitee",
    "councils": "council",
    "surveys": "survey",
    "respondents": "respondent",
    "requests": "request",
    "times": "time",
}
"""Placeholders that hold a number with its noun (bot/cli/counting.py), by the noun."""
NUMBERS = (*range(1, 11), 20, 100)


def _filled(lang: str, key: str, n: int = 3) -> str:
    raw = _catalog(lang)[key]
    names = {f for _, f, _, _ in string.Formatter().parse(raw) if f}
    missing = names - set(SAMPLES) - set(COUNTED)
    assert not missing, (key, missing)
    values = {name: SAMPLES[name] for name in names if name in SAMPLES}
    values |= {name: counted(lang, n, COUNTED[name]) for name in names if name in COUNTED}
    return say(lang, key, **values)  # type: ignore[arg-type]


SLUGS = [c.slug for c in COUNCILS] + ["wales"]


def _flaws(text: str) -> list[str]:
    wanted = targets([c.name_cy for c in COUNCILS], [])
    return [str(f) for f in every_flaw(text, wanted, SLUGS)]


# --- every new sentence, in both languages --------------------------------------------------


def test_every_new_key_renders_in_both_languages_and_the_welsh_is_sound() -> None:
    keys = _new_keys()
    assert len(keys) > 100
    for key in keys:
        english, welsh = _filled("en", key), _filled("cy", key)
        assert "{" not in english and "{" not in welsh, key
        for n in NUMBERS:
            assert _flaws(_filled("cy", key, n)) == [], (key, n)
        if key in SAME_IN_BOTH:
            continue
        assert welsh != english, key
        # Sample values are Welsh or neutral, so an English word here is untranslated text.
        leftover = ENGLISH_WORDS.findall(welsh.replace("datatool run", "").replace("e-bost", ""))
        assert leftover == [], (key, welsh)


def test_every_skip_reason_of_the_run_has_its_words_in_both_languages() -> None:
    for code, english in SKIP_WORDS.items():
        assert say("en", f"remind.skip.{code}", times="3 times") == english, code
        assert say("cy", f"remind.skip.{code}", times="3 gwaith") != english, code


@pytest.mark.parametrize(
    ("kind", "ctx", "english", "welsh"),
    [
        (
            "int_parsing",
            {},
            "Input should be a valid integer, unable to parse string as an integer",
            "rhaid iddo fod yn rhif cyfan",
        ),
        (
            "float_parsing",
            {},
            "Input should be a valid number, unable to parse string as a number",
            "rhaid iddo fod yn rhif",
        ),
        (
            "bool_parsing",
            {},
            "Input should be a valid boolean, unable to interpret input",
            "rhaid iddo fod yn ‘true’ neu ‘false’"
            " (neu ‘1’ neu ‘0’, ‘yes’ neu ‘no’, ‘on’ neu ‘off’)",
        ),
        (
            "greater_than",
            {"gt": 0.0},
            "Input should be greater than 0",
            "rhaid iddo fod yn fwy na 0",
        ),
        (
            "greater_than_equal",
            {"ge": 2},
            "Input should be greater than or equal to 2",
            "rhaid iddo fod yn 2 neu'n fwy",
        ),
        (
            "less_than",
            {"lt": 65536},
            "Input should be less than 65536",
            "rhaid iddo fod yn llai na 65536",
        ),
        (
            "less_than_equal",
            {"le": 30.0},
            "Input should be less than or equal to 30",
            "rhaid iddo fod yn 30 neu'n llai",
        ),
        ("missing", {}, "Field required", "rhaid ei osod"),
        (
            "url_parsing",
            {"error": "relative URL without a base"},
            "Input should be a valid URL, relative URL without a base",
            "rhaid iddo fod yn URL dilys",
        ),
        (
            "value_error",
            {"error": ValueError("bad thing")},
            "bad thing",
            "nid yw'n ddilys",
        ),
        (
            "literal_error",
            {"expected": "'officer' or 'member'"},
            "Input should be 'officer' or 'member'",
            "rhaid iddo fod yn ‘officer’ neu ‘member’",
        ),
        (
            "literal_error",
            {"expected": "'a', 'b' or 'c'"},
            "Input should be 'a', 'b' or 'c'",
            "rhaid iddo fod yn ‘a’, ‘b’ neu ‘c’",
        ),
        ("string_too_short", {"min_length": 1}, "must not be empty", "ni chaiff fod yn wag"),
        (
            "config.url",
            {},
            "must start with http:// or https://",
            "rhaid iddo ddechrau gyda http:// neu https://",
        ),
        (
            "date_from_datetime_parsing",
            {"error": "x"},
            "is not valid (date_from_datetime_parsing): pydantic's words",
            "nid yw'n ddilys (math o wall: ‘date_from_datetime_parsing’)",
        ),
    ],
)
def test_pydantic_error_types_are_worded_from_type_and_ctx(
    kind: str,
    ctx: dict[str, Any],
    english: str,
    welsh: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for lang, expected in (("en", english), ("cy", welsh)):
        monkeypatch.setenv("DATATOOL_LANG", lang)
        assert error_reason(kind, ctx, "pydantic's words") == expected


def test_a_rows_pydantic_errors_keep_their_type_and_ctx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    row = {"council": "powys", "group": "officer", "name": "Ann", "email": "a@b.org"}
    for field, value, welsh in [
        ("email", "nope", "nid yw ‘nope’ yn gyfeiriad e-bost"),
        ("name", "A\u202eB", "mae'n cynnwys nod sy'n newid cyfeiriad y testun"),
    ]:
        with pytest.raises(ValidationError) as caught:
            RosterRow(**{**row, field: value})
        assert pydantic_reason(caught.value.errors()[0]).startswith(welsh)


# --- 1. a roster's refused rows --------------------------------------------------------------


def _import(env: Path, text: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    path = env / "rhestr.csv"
    path.write_bytes(text.encode("utf-8"))
    assert main(["roster", "import", str(path)]) == 1
    return capsys.readouterr().err.splitlines()


def test_a_bad_roster_is_refused_in_welsh_naming_each_physical_line(
    welsh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = welsh / "rhestr.csv"
    err = _import(
        welsh,
        HEADER
        + "powys,officer,Ann Jones,ann@powys.example,en,CMT\n"  # line 2: fine
        + 'powys,officer,"Evil\r\nBcc: all@example.org",evil@powys.example,en,\n'  # 3-4
        + "powys,officer,Bell\x07Ringer,bell@powys.example,en,\n"  # line 5
        + "powys,officer,Ann \u202eJones,ann2@powys.example,en,\n"  # line 6
        + "powys,officer,Ok Two,ok2\u200b@powys.example,en,\n"  # line 7
        + "powys,officer,Nobody,not-an-email,en,\n"  # line 8
        + "powys,chief,Boss,boss@powys.example,en,\n"  # line 9
        + "powys,officer,Fr,fr@powys.example,fr,\n"  # line 10
        + "powys,officer,,empty@powys.example,en,\n"  # line 11
        + "powys,officer,Short,short@powys.example\n",  # line 12
        capsys,
    )
    assert err == [
        f"datatool: {path}: llinell 3: ‘name’: mae'n cynnwys toriad llinell (U+000D)",
        f"datatool: {path}: llinell 5: ‘name’: mae'n cynnwys nod rheoli (U+0007)",
        f"datatool: {path}: llinell 6: ‘name’: mae'n cynnwys nod sy'n newid cyfeiriad y testun,"
        " o'r dde i'r chwith neu o'r chwith i'r dde (U+202E)",
        f"datatool: {path}: llinell 7: ‘email’: mae'n cynnwys nod fformatio anweledig (U+200B)",
        f"datatool: {path}: llinell 8: ‘email’: nid yw ‘not-an-email’ yn gyfeiriad e-bost",
        f"datatool: {path}: llinell 9: ‘group’: nid yw ‘chief’ yn un o gynulleidfaoedd yr"
        " holiadur cyfredol (‘officer’, ‘member’)",
        f"datatool: {path}: llinell 10: ‘language’: rhaid iddo fod yn ‘en’ neu ‘cy’",
        f"datatool: {path}: llinell 11: ‘name’: ni chaiff fod yn wag",
        f"datatool: {path}: llinell 12: 4 maes, lle mae gan y pennawd 6 cholofn",
    ]
    assert all(_flaws(line) == [] for line in err)


def test_unknown_councils_and_people_listed_twice_are_refused_in_welsh(
    welsh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _import(
        welsh,
        HEADER
        + "powis,officer,Typo,typo@powys.example,en,\n"  # line 2
        + "powys,officer,Ann,ann@powys.example,en,\n"  # line 3
        + "\n"  # line 4, blank
        + "Cyngor Sir Powys,member,Ann Again,ANN@powys.example,cy,\n",  # line 5
        capsys,
    )
    assert [line.split(": ", 2)[2] for line in err] == [
        "llinell 2: nid wyf yn adnabod cyngor o'r enw ‘powis’",
        "llinell 5: mae ann@powys.example ar y rhestr ddwywaith ar gyfer Cyngor Sir Powys,"
        " a hefyd ar linell 3",
    ]


def test_a_roster_files_own_problems_are_in_welsh(
    welsh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = welsh / "dim.csv"
    assert main(["roster", "import", str(missing)]) == 1
    assert capsys.readouterr().err == f"datatool: {missing}: nid yw'r ffeil yn bodoli\n"
    assert _import(welsh, "", capsys) == [f"datatool: {welsh / 'rhestr.csv'}: mae'r ffeil yn wag"]
    assert _import(welsh, "council,group,name\n", capsys) == [
        f"datatool: {welsh / 'rhestr.csv'}: llinell 1:"
        " mae'r pennawd heb y colofnau hyn: ‘email’, ‘language’"
    ]
    assert _import(welsh, HEADER, capsys) == [
        f"datatool: {welsh / 'rhestr.csv'}: nid oes unrhyw wahoddedigion yn y ffeil"
    ]
    (welsh / "rhestr.csv").write_bytes(HEADER.encode() + b"powys,officer,\xff\n")
    assert main(["roster", "import", str(welsh / "rhestr.csv")]) == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("llinell 2: nid yw'n destun UTF-8 (cadwch hi fel CSV UTF-8)")
    )
    many = HEADER + "".join(f"powys,chief,P{i},p{i}@powys.example,en,\n" for i in range(23))
    err = _import(welsh, many, capsys)
    assert len(err) == 21 and err[-1] == f"datatool: {welsh / 'rhestr.csv'}: a 3 problem arall"


# --- 2. datatool remind --------------------------------------------------------------------


def test_the_reminder_summary_is_worded_in_welsh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    summary = Summary(
        telegram=4,
        email=2,
        unreachable=1,
        failed=2,
        failures=[
            FailedSend(1, "b@powys.example", "email", "r1", "SMTP 550: mailbox unavailable"),
            FailedSend(2, "a@powys.example", "telegram", "invite", "400: chat not found"),
        ],
        skipped={"submitted": 5, "gave_up": 1, "recent": 2},
        email_enabled=True,
    )
    assert remind_cli.summary_lines(summary) == [
        "anfonwyd drwy Telegram: 4",
        "anfonwyd drwy e-bost: 2",
        "na ellir eu cyrraedd: 1",
        "wedi methu (bydd rhediad diweddarach yn rhoi cynnig arall arnynt): 2",
        "  400: chat not found: 1",
        "  SMTP 550: mailbox unavailable: 1",
        "hepgorwyd: 8",
        "  wedi cyflwyno eisoes: 5",
        "  wedi cael nodyn atgoffa yn ystod y 24 awr ddiwethaf: 2",
        "  wedi methu 3 gwaith, ni roddir cynnig arall (cywirwch eu rhes yn y rhestr): 1",
    ]
    assert remind_cli.people_lines(summary) == [
        "  a@powys.example (Telegram, gwahoddiad): 400: chat not found",
        "  b@powys.example (e-bost, nodyn atgoffa 1): SMTP 550: mailbox unavailable",
    ]
    dry = Summary(telegram=1, email_enabled=False, dry_run=True, skipped={"email_off": 2})
    assert remind_cli.summary_lines(dry)[:3] == [
        "byddai'n anfon drwy Telegram: 1",
        "byddai'n anfon drwy e-bost: 0",
        "hepgorwyd e-bost: nid yw SMTP_HOST wedi'i osod",
    ]
    # The log keeps its English lines; the operator's English is the same words.
    monkeypatch.setenv("DATATOOL_LANG", "en")
    assert remind_cli.summary_lines(summary) == summary.lines()
    assert remind_cli.summary_lines(dry) == dry.lines()


def test_why_a_send_failed_is_worded_by_its_code_around_the_outside_worlds_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.services.send_reasons import ENGLISH, because

    for code, english in ENGLISH.items():
        # The log's and the database's English is the command line's English.
        assert say("en", f"remind.why.{code}", detail="X") == english.format(detail="X"), code
    later = because("failed", "smtp_later", "450 4.2.1 <a@powys.example> busy", personal=True)
    assert later.error == "recipient refused for now: 450 4.2.1 <a@powys.example> busy"
    failure = FailedSend(
        1, "a@powys.example", "email", "r1", later.reason, later.code, later.detail_shown
    )
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    assert remind_cli.why(failure) == "gwrthodwyd y derbynnydd am y tro: 450 4.2.1 <<address>> busy"
    monkeypatch.setenv("DATATOOL_LANG", "en")
    assert remind_cli.why(failure) == later.reason, "English as the log has it"
    bare = FailedSend(2, "b@powys.example", "email", "r1", "OSError: [Errno 111] refused")
    assert remind_cli.why(bare) == "OSError: [Errno 111] refused", "only the outside world's"


async def test_datatool_remind_speaks_welsh(
    welsh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (welsh / "rhestr.csv").write_text(
        HEADER + "powys,officer,Ann,ann@powys.example,cy,\n", encoding="utf-8"
    )
    async with StandIn(token="123:ABC", bot_username="audit_data_bot") as api:
        monkeypatch.setenv("BOT_TOKEN", "123:ABC")
        monkeypatch.setenv("TELEGRAM_API_URL", api.base_url)
        code = await asyncio.to_thread(
            lambda: main(["roster", "import", "rhestr.csv"]) or main(["remind", "--dry-run"])
        )
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "rhediad prawf, dim wedi'i anfon: pob cyngor",
        "byddai'n anfon drwy Telegram: 0",
        "byddai'n anfon drwy e-bost: 0",
        "hepgorwyd e-bost: nid yw SMTP_HOST wedi'i osod",
        "na ellir eu cyrraedd: 0",
        "hepgorwyd: 1",
        "  heb agor y bot, ac nid yw e-bost wedi'i osod (dim SMTP_HOST): 1",
    ]


# --- 3. the database's failures ------------------------------------------------------------


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_database_failures_are_one_welsh_line(
    welsh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = welsh / "unman" / "datatool.sqlite3"
    monkeypatch.setenv("DATATOOL_DB", str(missing))
    assert main(["status", "powys"]) == 1
    assert _one_line(capsys.readouterr().err) == (
        f"datatool: ni ellir agor y gronfa ddata {missing}: nid yw'r ffeil yn bodoli"
        " (gwiriwch DATATOOL_DB, neu mewnforiwch restr yn gyntaf)"
    )
    damaged = welsh / "difrod.sqlite3"
    damaged.write_bytes(b"nid cronfa ddata mo hon " * 200)
    monkeypatch.setenv("DATATOOL_DB", str(damaged))
    assert main(["status", "powys"]) == 1
    assert _one_line(capsys.readouterr().err) == (
        f"datatool: ni ellir agor y gronfa ddata {damaged}: nid yw'n gronfa ddata SQLite"
    )
    assert main(["auditors", "list"]) == 1
    assert _one_line(capsys.readouterr().err) == (
        f"datatool: ni ellir agor y gronfa ddata {damaged} nac ysgrifennu iddi:"
        " nid yw'n gronfa ddata SQLite"
    )


def test_a_schema_behind_is_said_in_welsh(
    welsh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = welsh / "hen.sqlite3"
    monkeypatch.setenv("DATATOOL_DB", str(db))
    assert main(["survey", "open", "powys"]) == 0
    capsys.readouterr()
    with sqlite3.connect(db) as conn:
        latest = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (latest,))
        behind = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    assert main(["status", "powys"]) == 1
    assert _one_line(capsys.readouterr().err) == (
        f"datatool: mae gan {db} fersiwn {behind} o'r sgema, ond mae angen fersiwn {latest}"
        " ar y datatool hwn: rhedwch orchymyn sy'n ysgrifennu (fel ‘datatool run’) unwaith"
        " i'w huwchraddio"
    )


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (sqlite3.OperationalError("database or disk is full"), "disk_full"),
        (sqlite3.OperationalError("disk I/O error"), "disk_io"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "read_only"),
        (sqlite3.OperationalError("database is locked"), "locked"),
        (sqlite3.OperationalError("unable to open database file"), "cannot_open"),
        (sqlite3.DatabaseError("file is not a database"), "not_database"),
        (sqlite3.DatabaseError("database disk image is malformed"), "damaged"),
        (PermissionError(13, "Permission denied"), "no_permission"),
        (OSError(28, "No space left on device"), "other"),
    ],
)
def test_every_database_fault_has_its_welsh_cause(
    error: Exception, code: FaultCode, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = fault(error)
    assert found.code == code
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    welsh = fault_reason(found)
    if code == "other":
        assert welsh == "No space left on device"  # the operating system's own words
    else:
        assert welsh == say("cy", f"fault.{code}") and _flaws(welsh) == []
    monkeypatch.setenv("DATATOOL_LANG", "en")
    assert fault_reason(found) == say("en", f"fault.{code}", detail=found.detail)


def test_a_read_only_folder_is_named_in_welsh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    # As an unprivileged operator meets it (root may write anywhere): the folder refuses.
    monkeypatch.setattr("storage.faults.os.access", lambda path, mode: Path(path) != tmp_path)
    found = fault_at(tmp_path / "db.sqlite3", PermissionError(13, "Permission denied"))
    assert found == Fault("folder_read_only", str(tmp_path))
    assert fault_reason(found) == f"ni ellir ysgrifennu yn ei ffolder {tmp_path} (darllen yn unig)"


# --- 4. a malformed setting ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SEND_RATE", "abc", "mae SEND_RATE yn annilys: rhaid iddo fod yn rhif"),
        ("SEND_RATE", "50", "mae SEND_RATE yn annilys: rhaid iddo fod yn 30 neu'n llai"),
        ("SEND_RATE", "0", "mae SEND_RATE yn annilys: rhaid iddo fod yn fwy na 0"),
        ("MIN_GROUP_SIZE", "1", "mae MIN_GROUP_SIZE yn annilys: rhaid iddo fod yn 2 neu'n fwy"),
        ("REMIND_MAX", "tri", "mae REMIND_MAX yn annilys: rhaid iddo fod yn rhif cyfan"),
        ("SMTP_PORT", "70000", "mae SMTP_PORT yn annilys: rhaid iddo fod yn llai na 65536"),
        # pydantic's English ("hour value is outside expected range of 0-23") is not passed on.
        (
            "WORK_START",
            "25:00",
            "mae WORK_START yn annilys: rhaid iddo fod yn amser rhwng 00:00 a 23:59, fel 09:00",
        ),
        (
            "WORK_END",
            "abc",
            "mae WORK_END yn annilys: rhaid iddo fod yn amser rhwng 00:00 a 23:59, fel 09:00",
        ),
        (
            "AUDITOR_IDS",
            "a,b",
            "mae AUDITOR_IDS yn annilys: rhaid iddo fod yn rhifau defnyddwyr Telegram,"
            " wedi'u gwahanu gan gomas",
        ),
        (
            "SMTP_STARTTLS",
            "efallai",
            "mae SMTP_STARTTLS yn annilys: rhaid iddo fod yn ‘true’ neu ‘false’"
            " (neu ‘1’ neu ‘0’, ‘yes’ neu ‘no’, ‘on’ neu ‘off’)",
        ),
        (
            "WORK_DAYS",
            "1,9",
            "mae WORK_DAYS yn annilys: mae rhifau dyddiau'r wythnos yn rhedeg o 0 (dydd Llun)"
            " i 6 (dydd Sul)",
        ),
        (
            "WEBHOOK_LISTEN",
            "nowhere",
            "mae WEBHOOK_LISTEN yn annilys: rhaid iddo fod ar y ffurf GWESTEIWR:PORTH,"
            " fel 0.0.0.0:8080",
        ),
    ],
)
def test_a_malformed_setting_is_worded_in_welsh_from_its_error_type(
    welsh: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["status", "powys"]) == 2
    assert capsys.readouterr().err == f"datatool: {expected}\n"
    assert _flaws(expected) == []


def test_settings_of_ours_are_said_whole_in_welsh(
    welsh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://example.org/datatool")
    assert main(["status", "powys"]) == 2
    assert capsys.readouterr().err.startswith(
        "datatool: nid yw WEBHOOK_SECRET wedi'i osod: mae ei angen ar WEBHOOK_URL"
    )
    monkeypatch.setenv("WEBHOOK_URL", "not a url")
    assert main(["status", "powys"]) == 2
    assert capsys.readouterr().err == (
        "datatool: mae WEBHOOK_URL yn annilys: rhaid iddo fod yn URL cyhoeddus llawn,"
        " fel https://example.org/datatool\n"
    )
    # A DATATOOL_LANG that is neither cy nor en: the locale decides the words (Welsh here).
    monkeypatch.delenv("WEBHOOK_URL")
    monkeypatch.setenv("DATATOOL_LANG", "fr")
    monkeypatch.setenv("LANG", "cy_GB.UTF-8")
    assert main(["status", "powys"]) == 2
    assert capsys.readouterr().err == (
        "datatool: mae DATATOOL_LANG yn annilys: rhaid iddo fod yn ‘cy’ neu'n ‘en’\n"
    )


# --- 5. the demo's commentary ----------------------------------------------------------------


async def test_the_chat_demo_speaks_welsh_to_a_welsh_operator(
    welsh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    console = Console(file=out, highlight=False, soft_wrap=True, width=100)
    assert await chat.run_chat(welsh / "demo", stdin=io.StringIO("/gadael\n"), console=console) == 0
    text = out.getvalue()
    assert text.startswith(say("cy", "demo.intro"))
    assert "You are an officer" not in text and "Goodbye" not in text
    assert text.rstrip().endswith("Hwyl fawr!")
    # What the bot says stays as the bot says it: its first question, bilingual, Welsh first.
    assert "[1] Cymraeg  [2] English" in text


def test_the_chat_demo_is_bilingual_welsh_first_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATATOOL_LANG", "en")
    assert chat.operators("demo.intro") == chat.INTRO
    assert chat.INTRO.splitlines() == [
        "Rydych chi'n swyddog yng Nghyngor Sir Powys sydd wedi cael gwahoddiad i'r arolwg.",
        "You are an officer at Powys County Council, invited to the survey.",
        "Teipiwch rif i dapio botwm, neu deipiwch ateb. /gadael neu Ctrl-D i orffen.",
        "Type a number to tap a button, or type an answer. /quit or Ctrl-D to end.",
    ]
    assert chat.operators("demo.goodbye").replace("\n", " ") == "Hwyl fawr! Goodbye!"


PRINTERS = {"print", "Rule", "TextColumn", "Text", "StageError", "TimeoutError", "Failure"}


def _english_literals(path: Path) -> list[str]:
    """String literals with words in them handed straight to the console (or to an error the
    operator reads) in ``path``: each should come from the catalog instead."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in PRINTERS:
            continue
        for arg in node.args:
            parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
            for part in parts:
                words = part.value if isinstance(part, ast.Constant) else None
                if isinstance(words, str) and re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", words):
                    found.append(f"{path.name}:{node.lineno}: {words!r}")
    return found


def test_the_demo_prints_no_english_of_its_own() -> None:
    demo = Path(chat.__file__).parent
    files = [*demo.glob("*.py"), demo.parent / "cli" / "demo.py"]
    found = [line for f in files for line in _english_literals(f)]
    # The simulated phones' own timeout (a bug if ever seen) is the one sentence left.
    assert [f for f in found if "respondents.py" not in f] == []
