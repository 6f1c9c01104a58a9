"""The commands that only read work on a read-only copy and change nothing; any command that
cannot open or write its database says so in one line naming the file and the cause."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bot.cli.main import main
from rubric.loader import load_questionnaire
from storage.database import load_migrations
from storage.opening import open_database
from storage.repository import Repository
from storage.rows import RosterRow, StoredAnswer
from tests.support.bot_process import datatool_command
from tests.support.machine import read_only_copy


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "TELEGRAM_API_URL", "AUDITOR_IDS", "SEND_RATE", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


async def _seed(path: Path) -> None:
    questionnaire = load_questionnaire()
    first = questionnaire.questions_for("officer")[0]
    choice, text = {"agree": ("a", None), "level": ("2", None)}.get(first.kind, (None, "Yes"))
    async with await open_database(path) as db:
        repo = Repository(db)
        await repo.import_roster(
            [
                RosterRow(
                    council="powys",
                    group="officer",
                    name=f"Officer {n}",
                    email=f"o{n}@powys.example",
                    language="en",
                )
                for n in range(6)
            ]
        )
        for invitee in await repo.invitees(17):
            answer = StoredAnswer(question_id=first.id, choice=choice, text=text)
            await repo.save_survey(
                invitee.id,
                language="en",
                privacy_accepted=True,
                cursor=None,
                reviewing=False,
                submitted=True,
                answers={first.id: answer},
            )
        # Closed, with its final figures released (as `datatool survey close` does): the
        # export is made from them.
        from bot.config import Settings
        from bot.services.report_builder import advance_releases

        await repo.close_survey(17)
        await advance_releases(repo, questionnaire, Settings(_env_file=None))


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_read_commands_work_on_a_read_only_copy_and_change_nothing(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = env / "live.sqlite3"
    asyncio.run(_seed(source))
    conn = sqlite3.connect(source)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()  # a clean close leaves no -wal or -shm behind
    assert sorted(p.name for p in env.glob("live.sqlite3*")) == ["live.sqlite3"]
    out = env / "out"
    out.mkdir()
    with read_only_copy([source], env / "ro") as folder:
        db = folder / "live.sqlite3"
        monkeypatch.setenv("DATATOOL_DB", str(db))
        before = _digest(folder)
        with pytest.raises(OSError):
            (folder / "probe").write_text("x")  # really read-only, even for root

        assert main(["status", "powys"]) == 0
        assert "officer" in capsys.readouterr().out
        assert main(["report", "powys", "--out", str(out / "r.html")]) == 0
        assert (out / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        assert main(["export", "powys", "--out", str(out / "e.csv")]) == 0
        assert len((out / "e.csv").read_text(encoding="utf-8").splitlines()) == 7
        assert main(["backup", str(out / "copy.sqlite3")]) == 0
        with sqlite3.connect(out / "copy.sqlite3") as conn:
            assert conn.execute("SELECT COUNT(*) FROM invitees").fetchone() == (6,)
        capsys.readouterr()

        # Nothing was written: the same bytes, and no -wal, -shm or journal beside the file.
        assert _digest(folder) == before

        # A command that writes says why it cannot, in one line naming the file.
        assert main(["survey", "close", "powys"]) == 1
        line = _one_line(capsys.readouterr().err)
        assert line == f"datatool: cannot open or write the database {db}: it is read-only"
        monkeypatch.setenv("BOT_TOKEN", "123:ABC")
        monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")
        assert main(["run"]) == 1  # the bot too: before it ever talks to Telegram
        line = _one_line(capsys.readouterr().err)
        assert line.startswith("datatool: cannot ") and str(db) in line, line
        assert line.endswith("read-only"), line
        assert main(["backup", str(folder / "copy.sqlite3")]) == 1
        line = _one_line(capsys.readouterr().err)
        assert line.startswith(f"datatool: cannot write the backup {folder / 'copy.sqlite3'}: ")
        assert _digest(folder) == before


def test_a_schema_behind_is_one_line_and_not_upgraded_by_a_read(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = env / "old.sqlite3"
    asyncio.run(_seed(db))
    before_latest, latest = (m.version for m in load_migrations()[-2:])
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (latest,))
    monkeypatch.setenv("DATATOOL_DB", str(db))
    for command in (["status", "powys"], ["export", "powys", "--out", "x.csv"], ["backup", "b"]):
        assert main(command) == 1
        line = _one_line(capsys.readouterr().err)
        assert line == (
            f"datatool: {db} has schema version {before_latest}, this datatool needs {latest}:"
            " run a command that writes (such as `datatool run`) once to upgrade it"
        )
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone() == (
            before_latest,
        )


def test_missing_damaged_and_unwritable_databases_are_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = env / "nowhere" / "datatool.sqlite3"
    monkeypatch.setenv("DATATOOL_DB", str(missing))
    assert main(["status", "powys"]) == 1
    assert _one_line(capsys.readouterr().err) == (
        f"datatool: cannot open the database {missing}: no such file"
        " (check DATATOOL_DB, or import a roster first)"
    )
    assert not missing.parent.exists()  # a read never creates the folder or the file

    damaged = env / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database, just some text " * 200)
    monkeypatch.setenv("DATATOOL_DB", str(damaged))
    for command, verb in ((["status", "powys"], "open"), (["auditors", "list"], "open or write")):
        assert main(command) == 1
        assert _one_line(capsys.readouterr().err) == (
            f"datatool: cannot {verb} the database {damaged}: it is not a SQLite database"
        )

    # As the operator meets it: a separate process, nothing but the one line on stderr.
    result = subprocess.run(
        [*datatool_command(), "report", "powys"],
        capture_output=True,
        text=True,
        cwd=env,
        env={"PATH": "/usr/bin:/bin", "DATATOOL_DB": str(damaged)},
        timeout=60,
    )
    assert result.returncode == 1
    assert _one_line(result.stderr).endswith("it is not a SQLite database")
