"""The operator's command line, run as the operator runs it."""

from __future__ import annotations

import asyncio
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.spreadsheet import safe_cell as neutralise
from standin import StandIn
from storage.opening import open_database
from storage.repository import Repository

ROSTER = """council,group,name,email,language,team
powys,officer,Ann Jones,ann@powys.example,en,CMT
Cyngor Sir Powys,member,Ifan Rees,IFAN@powys.example,cy,
cardiff,officer,Bea Lloyd,bea@cardiff.example,,
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "TELEGRAM_API_URL", "AUDITOR_IDS", "SEND_RATE", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "test.sqlite3"
    monkeypatch.setenv("DATATOOL_DB", str(db))
    return tmp_path


async def _count(db_path: Path, sql: str) -> int:
    async with await open_database(db_path) as db:
        row = await db.fetchone(sql)
        return int(row[0]) if row else 0


def test_roster_import_is_all_or_nothing(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = env / "roster.csv"
    good.write_text(ROSTER, encoding="utf-8")
    assert main(["roster", "import", str(good)]) == 0
    assert "3 added" in capsys.readouterr().out
    assert main(["roster", "import", str(good)]) == 0
    assert "3 unchanged" in capsys.readouterr().out

    bad = env / "bad.csv"
    bad.write_text(
        ROSTER.replace("cardiff,officer,Bea", "cardiff,officer,Bea")
        + "powys,member,New Person,new@powys.example,en,\n"
        + "powis,officer,Typo,typo@powys.example,en,\n",
        encoding="utf-8",
    )
    assert main(["roster", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 6" in err and "powis" in err
    assert asyncio.run(_count(env / "test.sqlite3", "SELECT COUNT(*) FROM invitees")) == 3

    wrong_group = env / "group.csv"
    wrong_group.write_text(
        "council,group,name,email,language\npowys,chief,X,x@powys.example,en\n", encoding="utf-8"
    )
    assert main(["roster", "import", str(wrong_group)]) == 1
    assert "line 2" in capsys.readouterr().err


def test_missing_token_is_one_clear_line(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "datatool: BOT_TOKEN is not set: put the token from @BotFather in .env"
    ]


def test_malformed_setting_names_it(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SEND_RATE", "fast")
    assert main(["status", "powys"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("datatool: SEND_RATE is malformed") and "Traceback" not in err


@pytest.mark.parametrize(
    ("secret", "line"),
    [
        (None, "datatool: WEBHOOK_SECRET is not set: WEBHOOK_URL needs it"),
        ("has spaces!", "datatool: WEBHOOK_SECRET is malformed"),
        ("x" * 257, "datatool: WEBHOOK_SECRET is malformed"),
    ],
)
def test_webhook_secret_is_required_and_checked(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    secret: str | None,
    line: str,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram/update")
    if secret is None:
        monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    else:
        monkeypatch.setenv("WEBHOOK_SECRET", secret)
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(line), err
    assert secret is None or secret not in err[0], "the secret is never printed"


def test_malformed_webhook_listen_names_it(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WEBHOOK_LISTEN", "8080")
    assert main(["status", "powys"]) == 2
    assert capsys.readouterr().err.startswith("datatool: WEBHOOK_LISTEN is malformed")


def test_backup_of_postgresql_points_at_pg_dump(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATATOOL_DB", "postgresql://datatool:pw@127.0.0.1:1/none")
    assert main(["backup", "copy.sqlite3"]) == 1
    err = capsys.readouterr().err
    assert "pg_dump" in err and "pw" not in err


def test_unknown_council_suggests(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["auditors", "list"]) == 0  # creates the database; status only reads it
    assert main(["status", "powis"]) == 1
    assert "did you mean powys" in capsys.readouterr().err


def test_status_survey_window_and_backup(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "roster.csv").write_text(ROSTER, encoding="utf-8")
    main(["roster", "import", "roster.csv"])
    assert main(["status", "Powys"]) == 0
    out = capsys.readouterr().out
    assert "officer" in out and "member" in out
    assert main(["survey", "open", "powys", "--closes", "2026-12-31"]) == 0
    assert "until the end of 2026-12-31" in capsys.readouterr().out
    assert main(["survey", "open", "powys", "--closes", "31/12/2026"]) == 1
    assert main(["survey", "open", "powys", "--opens", "2027-01-04", "--closes", "2027-01-31"]) == 0
    assert "from 2027-01-04 until the end of 2027-01-31" in capsys.readouterr().out
    assert main(["survey", "open", "powys", "--opens", "2027-02-04", "--closes", "2027-01-31"]) == 1
    assert main(["survey", "close", "bro-morgannwg"]) == 0
    assert "vale-of-glamorgan: survey closed" in capsys.readouterr().out
    assert main(["backup", "copy.sqlite3"]) == 0
    assert asyncio.run(_count(env / "copy.sqlite3", "SELECT COUNT(*) FROM invitees")) == 3


def test_auditors_add_list_remove(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["auditors", "add", "42", "--council", "powys"]) == 0
    assert main(["auditors", "add", "43"]) == 0
    capsys.readouterr()
    assert main(["auditors", "list"]) == 0
    out = capsys.readouterr().out
    assert "42\tpowys" in out and "43\tall councils" in out
    assert main(["auditors", "remove", "42", "--council", "powys"]) == 0
    assert "removed: 42" in capsys.readouterr().out
    main(["auditors", "list"])
    assert capsys.readouterr().out.splitlines() == ["43\tall councils"]


async def test_invites_use_the_bot_username(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (env / "roster.csv").write_text(ROSTER, encoding="utf-8")
    async with StandIn(token="123:ABC", bot_username="audit_data_bot") as api:
        monkeypatch.setenv("BOT_TOKEN", "123:ABC")
        monkeypatch.setenv("TELEGRAM_API_URL", api.base_url)
        code = await asyncio.to_thread(
            lambda: (
                main(["roster", "import", "roster.csv"])
                or main(["invites", "powys", "--out", "inv.csv"])
            )
        )
        assert code == 0
    rows = list(csv.DictReader((env / "inv.csv").open(encoding="utf-8-sig")))
    assert sorted(r["email"] for r in rows) == ["ann@powys.example", "ifan@powys.example"]
    for row in rows:
        assert row["link"] == f"https://t.me/audit_data_bot?start={row['token']}"
        assert len(row["token"]) >= 22  # 128 bits in base64url
    # The stand-in has stopped: one clear line, no traceback.
    assert await asyncio.to_thread(lambda: main(["invites", "powys", "--out", "x.csv"])) == 1
    async with await open_database(env / "test.sqlite3") as db:
        tokens = {i.email: i.token for i in await Repository(db).invitees(17)}
    assert tokens == {r["email"]: r["token"] for r in rows}  # codes kept, not reissued


def test_export_neutralises_formulas() -> None:
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("+1") == "'+1" and neutralise("@x") == "'@x" and neutralise("-2") == "'-2"
    assert neutralise("Agree") == "Agree"


OFFLINE_COMMANDS = [
    ["--help"],
    ["status", "powys"],
    ["roster", "import", "missing.csv"],
    ["export", "powys", "--out", "x.csv"],
    ["report", "powys", "--out", "r.html"],
    ["auditors", "list"],
    ["survey", "close", "powys"],
    ["questionnaire", "export", "q.xlsx"],
]


def test_commands_that_never_talk_to_telegram_never_load_aiogram(env: Path) -> None:
    """What makes ``datatool --help`` and the offline commands start at once (see README).
    One interpreter runs them one after another and says after each what it has loaded: the
    first that loaded aiogram or aiohttp is named (one interpreter, not one each: seconds of
    start-up saved, the same finding)."""
    probe = (
        "import sys\nfrom bot.cli.main import main\n"
        f"for argv in {OFFLINE_COMMANDS!r}:\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "    loaded = sorted({m.split('.')[0] for m in sys.modules} & {'aiogram', 'aiohttp'})\n"
        "    print('LOADED', argv, loaded, flush=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=env, timeout=120
    )
    said = [line for line in result.stdout.splitlines() if line.startswith("LOADED ")]
    assert len(said) == len(OFFLINE_COMMANDS), result.stdout + result.stderr
    for argv, line in zip(OFFLINE_COMMANDS, said, strict=True):
        assert line == f"LOADED {argv!r} []", result.stdout + result.stderr
