"""Issue 26, the operator's day: the mistakes an operator makes are caught and named in one line
(in English and in Welsh), and the command line follows the conventions an operator expects."""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import socket
import sqlite3
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from rubric.loader import load_questionnaire
from standin import StandIn
from storage.opening import open_database
from storage.repository import Repository

ROSTER = """council,group,name,email,language,team
powys,officer,Ann Jones,ann@powys.example,en,CMT
powys,member,Siân Rees,sian@powys.example,cy,
cardiff,officer,Bea Lloyd,bea@cardiff.example,,
"""
TOKEN = "123:ABC"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "BOT_TOKEN",
        "TELEGRAM_API_URL",
        "AUDITOR_IDS",
        "SMTP_HOST",
        "TIMEZONE",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "WEBHOOK_LISTEN",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "LOG_LEVEL",
        "LOG_FORMAT",
        "JOURNAL_STREAM",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATATOOL_LANG", "en")
    monkeypatch.setenv("DATATOOL_DB", str(tmp_path / "datatool.sqlite3"))
    return tmp_path


def _import(env: Path) -> None:
    (env / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert main(["roster", "import", str(env / "roster.csv")]) == 0


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


# --- 1. a typo in DATATOOL_DB ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "the folder {folder} does not exist (check DATATOOL_DB)"),
        ("cy", "nid yw'r ffolder {folder} yn bodoli (gwiriwch DATATOOL_DB)"),
    ],
)
def test_roster_import_refuses_a_folder_that_does_not_exist(
    env: Path,
    lang: str,
    said: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATATOOL_LANG", lang)
    (env / "roster.csv").write_text(ROSTER, encoding="utf-8")
    typo = env / "datatol" / "datatool.sqlite3"
    monkeypatch.setenv("DATATOOL_DB", str(typo))
    assert main(["roster", "import", "roster.csv"]) == 1
    err = _err(capsys)
    assert err.count("\n") == 1 and said.format(folder=typo.parent) in err, err
    assert not typo.parent.exists()


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "nobody is invited in the database"),
        ("cy", "nid oes neb wedi'i wahodd yn y gronfa ddata"),
    ],
)
def test_run_refuses_a_database_with_nobody_invited(
    env: Path,
    lang: str,
    said: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATATOOL_LANG", lang)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")  # never asked
    assert main(["run"]) == 1
    err = _err(capsys)
    assert err.count("\n") == 1 and said in err and "--allow-empty" in err, err


# --- 2. a port in use is not the database's fault -------------------------------------------


@pytest.mark.e2e  # two real `datatool run` processes: the process lane, not the fast one
async def test_a_port_in_use_is_named_as_such(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real ``datatool run`` (the webhook installs signal handlers: the main thread's)."""
    import os

    from tests.support.bot_process import run_datatool

    await asyncio.to_thread(_import, env)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with StandIn(token=TOKEN, bot_username="datatool_bot") as api:
            lines = []
            for lang in ("en", "cy"):
                process_env = dict(os.environ) | {
                    "DATATOOL_LANG": lang,
                    "BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_URL": api.base_url,
                    "WEBHOOK_URL": "https://bot.example.org/telegram/update",
                    "WEBHOOK_SECRET": "s3cret_token-value",
                    "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                }
                code, _, err = await run_datatool(process_env, env, "run", timeout=60)
                assert code == 1 and "Traceback" not in err, err
                lines.append(err.strip().splitlines()[-1])
    assert lines[0].startswith(f"datatool: cannot listen on 127.0.0.1:{port} (WEBHOOK_LISTEN): ")
    assert "in use" in lines[0] and "database" not in lines[0], lines
    assert lines[1].startswith(f"datatool: ni ellir gwrando ar 127.0.0.1:{port} (WEBHOOK_LISTEN)")


# --- 5. a TIMEZONE typo ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "datatool: TIMEZONE is malformed: must be a time zone such as Europe/London\n"),
        (
            "cy",
            "datatool: mae TIMEZONE yn annilys:"
            " rhaid iddo fod yn gylchfa amser fel Europe/London\n",
        ),
    ],
)
@pytest.mark.parametrize("command", [["run"], ["status", "powys"]])
def test_a_timezone_typo_is_one_line_and_exit_2(
    env: Path,
    lang: str,
    line: str,
    command: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATATOOL_LANG", lang)
    monkeypatch.setenv("TIMEZONE", "Europe/Lundon")
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert main(command) == 2
    assert _err(capsys) == line


# --- 6. one process per SQLite file ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "another datatool run (process {pid}) is already serving {db}"),
        ("cy", "mae datatool run arall (proses {pid}) eisoes yn gweini {db}"),
    ],
)
def test_a_second_run_on_one_sqlite_file_is_stopped(
    env: Path,
    lang: str,
    said: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    from bot.cli.run import one_process
    from bot.config import load_settings

    _import(env)
    capsys.readouterr()
    monkeypatch.setenv("DATATOOL_LANG", lang)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")  # never asked
    with one_process(load_settings()):  # the first `datatool run`
        assert main(["run"]) == 1
    err = _err(capsys)
    db = env / "datatool.sqlite3"
    assert err.count("\n") == 1 and said.format(pid=os.getpid(), db=db) in err, err


# --- 8. the roster's way out -----------------------------------------------------------------


def _respond(db: Path, email: str) -> None:
    """The person has answered (a submitted response with one answer)."""
    with sqlite3.connect(db) as conn:
        (invitee,) = conn.execute("SELECT id FROM invitees WHERE email = ?", (email,)).fetchone()
        conn.execute(
            "INSERT INTO responses (invitee_id, started_at, updated_at, submitted_at)"
            " VALUES (?, '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z')",
            (invitee,),
        )
        (response,) = conn.execute("SELECT last_insert_rowid()").fetchone()
        conn.execute(
            "INSERT INTO answers (response_id, question_id, choice, answered_at)"
            " VALUES (?, 'q1', 'agree', '2026-12-01T10:00:00Z')",
            (response,),
        )
    conn.close()


def test_roster_remove_takes_people_off_all_or_none(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(env)
    db = env / "datatool.sqlite3"
    _respond(db, "sian@powys.example")
    capsys.readouterr()

    # A typo removes nobody.
    assert main(["roster", "remove", "powys", "ann@powys.example", "bob@powys.example"]) == 1
    assert "not on powys's roster: bob@powys.example; nobody was removed" in _err(capsys)
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    assert main(["roster", "remove", "powys", "bob@powys.example"]) == 1
    assert "nid yw ar restr powys: bob@powys.example; ni thynnwyd neb" in _err(capsys)
    monkeypatch.setenv("DATATOOL_LANG", "en")

    assert main(["roster", "remove", "powys", "ANN@powys.example", "sian@powys.example"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "powys: removed from the roster: 2"
    assert out[1].startswith("of whom had answered: 1 (their answers are deleted, as by /forget")
    with sqlite3.connect(db) as conn:
        left = [r[0] for r in conn.execute("SELECT email FROM invitees ORDER BY email")]
        answers = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    conn.close()
    assert left == ["bea@cardiff.example"] and answers == 0
    # Nobody removed is reminded: there is nobody left in Powys to plan for.
    assert main(["status", "powys", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["councils"][0]["total"]["invited"] == 0


# --- 9. the survey window --------------------------------------------------------------------


def test_survey_open_refuses_a_past_closing_date_and_keeps_the_one_set(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    past = (date.today() - timedelta(days=6)).isoformat()
    future = (date.today() + timedelta(days=30)).isoformat()
    assert main(["survey", "open", "ceredigion", "--closes", past]) == 1
    assert f"the closing date {past} has already passed" in _err(capsys)
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    assert main(["survey", "open", "ceredigion", "--closes", past]) == 1
    assert f"mae'r dyddiad cau {past} wedi mynd heibio" in _err(capsys)
    monkeypatch.setenv("DATATOOL_LANG", "en")

    assert main(["survey", "open", "ceredigion", "--closes", future]) == 0
    capsys.readouterr()
    assert main(["survey", "open", "ceredigion"]) == 0  # re-opened: the date is kept
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"ceredigion: survey open until the end of {future}"
    )


# --- 10. invitations -------------------------------------------------------------------------


async def test_invites_wales_writes_every_council_with_a_bom(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await asyncio.to_thread(_import, env)
    async with StandIn(token=TOKEN, bot_username="datatool_bot") as api:
        monkeypatch.setenv("BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_URL", api.base_url)
        code = await asyncio.to_thread(main, ["invites", "wales", "--out", "all.csv"])
        assert len(api.calls_to("getMe")) == 1  # one question to Telegram for all councils
    assert code == 0
    raw = (env / "all.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel then reads UTF-8: Siân, not SiÃ¢n
    rows = list(csv.DictReader((env / "all.csv").open(encoding="utf-8-sig")))
    assert sorted(r["council"] for r in rows) == ["cardiff", "powys", "powys"]
    assert "Siân Rees" in {r["name"] for r in rows}


# --- 11. conventions -------------------------------------------------------------------------


def test_version(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"datatool {version('datatool')}\n"


def test_status_and_auditors_as_json(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(env)
    monkeypatch.setenv("AUDITOR_IDS", "77")
    assert main(["auditors", "add", "42", "--council", "powys"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("DATATOOL_LANG", "cy")  # the keys are a script's, in every language
    assert main(["status", "wales", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    by_council = {c["council"]: c for c in status["councils"]}
    assert set(by_council) == {"powys", "cardiff"}
    assert by_council["powys"]["groups"]["member"]["invited"] == 1
    assert by_council["powys"]["total"] == {
        "invited": 2,
        "emailed": 0,
        "opened": 0,
        "started": 0,
        "submitted": 0,
        "unreachable": 0,
    }
    assert by_council["powys"]["name_cy"] == "Cyngor Sir Powys"
    assert main(["auditors", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "auditors": [
            {"telegram_id": 42, "council": "powys", "from": "datatool auditors"},
            {"telegram_id": 77, "council": None, "from": "AUDITOR_IDS"},
        ]
    }


async def test_remind_dry_run_lists_who(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await asyncio.to_thread(_import, env)
    capsys.readouterr()
    async with StandIn(token=TOKEN, bot_username="datatool_bot") as api:
        monkeypatch.setenv("BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_URL", api.base_url)
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", "9")  # never used: a dry run sends nothing
        code = await asyncio.to_thread(main, ["remind", "powys", "--dry-run", "--json"])
        out = capsys.readouterr().out
        code_text = await asyncio.to_thread(main, ["remind", "powys", "--dry-run"])
        text = capsys.readouterr().out
    assert (code, code_text) == (0, 0)
    summary = json.loads(out)
    assert summary["dry_run"] is True and summary["email"] == 2
    assert [(p["council"], p["email"], p["channel"]) for p in summary["planned"]] == [
        ("powys", "ann@powys.example", "email"),
        ("powys", "sian@powys.example", "email"),
    ]
    assert "would send:" in text.splitlines()
    assert "  powys\tann@powys.example\temail\tinvite" in text.splitlines(), text


def test_the_database_and_its_backups_are_the_owners_alone(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(env)
    assert main(["backup", str(env / "copy.sqlite3")]) == 0
    for path in (env / "datatool.sqlite3", env / "copy.sqlite3"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    wal = env / "datatool.sqlite3-wal"
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def _record(message: str, *, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            import sys

            info = sys.exc_info()
    return logging.LogRecord("bot.run", logging.ERROR, __file__, 1, message, (), info)


def test_logs_are_one_line_an_event_and_fit_where_they_go() -> None:
    from bot.cli.log_format import JsonFormatter, OneLineFormatter

    journal = OneLineFormatter(journal=True).format(_record("round failed", exc=True))
    assert "\n" not in journal
    assert journal.startswith("<3>ERROR bot.run: round failed | Traceback (most recent call")
    assert journal.endswith("ValueError: boom")
    plain = OneLineFormatter(journal=False).format(_record("x"))
    assert plain[:4].isdigit() and plain.endswith("ERROR bot.run: x")  # the time first
    entry = json.loads(JsonFormatter().format(_record("round failed", exc=True)))
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "ERROR",
        "bot.run",
        "round failed",
    )
    assert "\n" not in entry["exception"] and entry["exception"].endswith("ValueError: boom")


def test_log_settings_choose_the_format_and_level(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.log_format import JsonFormatter, OneLineFormatter

    _import(env)
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    assert main(["status", "powys"]) == 0
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if h.get_name() == "datatool"]
    assert root.level == logging.DEBUG
    assert isinstance(handler.formatter, OneLineFormatter) and handler.formatter.journal
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert main(["status", "powys"]) == 0
    (handler,) = [h for h in root.handlers if h.get_name() == "datatool"]
    assert isinstance(handler.formatter, JsonFormatter)
    monkeypatch.setenv("LOG_LEVEL", "loud")
    assert main(["status", "powys"]) == 2
    assert "LOG_LEVEL is malformed" in _err(capsys)
    for name in ("LOG_LEVEL", "LOG_FORMAT", "JOURNAL_STREAM"):
        monkeypatch.delenv(name)
    assert main(["status", "powys"]) == 0  # and back to the default, for the other tests


async def test_migrate_to_postgresql_keeps_everything(
    env: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await asyncio.to_thread(_import, env)
    db = env / "datatool.sqlite3"
    await asyncio.to_thread(_respond, db, "sian@powys.example")
    async with await open_database(db) as source:
        repo = Repository(source)
        powys = await repo.find_council("powys")
        assert powys is not None
        codes = {i.email: i.token for i in await repo.ensure_tokens(powys.id)}
        book = repo.reminder_book()
        ann = next(i for i in await repo.invitees(powys.id) if i.email == "ann@powys.example")
        assert await book.claim(ann.id, "invite", "email", "test:1:x")
        await book.mark_sent(ann.id, "invite", "test:1:x")
        version = await repo.add_questionnaire_version(load_questionnaire())
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["migrate-to", postgres_url]) == 0
    out = capsys.readouterr().out
    assert "3 invitees, 1 responses, 1 answers" in out and "now set DATATOOL_DB" in out
    from bot.config import without_password

    assert (
        without_password("postgresql://u:pw@db.example.org/d")
        == "postgresql://u:***@db.example.org/d"
    )

    async with await open_database(postgres_url) as target:
        repo = Repository(target)
        powys = await repo.find_council("powys")
        assert powys is not None
        assert {i.email: i.token for i in await repo.ensure_tokens(powys.id)} == codes
        records = await repo.reminder_book().records(ann.id)
        assert [(r.step, r.status) for r in records] == [("invite", "sent")]  # not re-emailed
        rows = await target.fetchall("SELECT COUNT(*) FROM answers")
        assert rows[0][0] == 1
        # New rows are numbered after the copied ones.
        await repo.import_roster([])
        stored = await repo.latest_questionnaire_version()
        assert stored is not None and stored.number == version
        assert await repo.add_questionnaire_version(stored.questionnaire) == version + 1
    # A second copy into the same database is refused: it would mix two surveys.
    assert await asyncio.to_thread(main, ["migrate-to", postgres_url]) == 1
    assert "already holds invitees or answers" in _err(capsys)
