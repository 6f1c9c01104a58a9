"""Rounds (issue 25): `datatool survey open COUNCIL --round LABEL` makes a council's next round
on the newest questionnaire version, refused while the round before is open and when the label
is taken, in both languages; a council's first window is its first round; someone who has not
started answers the current round's version. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from bot.cli.main import main
from rubric.loader import load_questionnaire
from rubric.schema import Questionnaire
from storage.opening import open_database
from storage.repository import Repository
from storage.rows import RosterRow

FUTURE = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> str:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATATOOL_LANG", "en")
    monkeypatch.setenv("DATATOOL_DB", database_url)
    return database_url


async def _setup(url: str) -> tuple[str, int]:
    """Ann invited to Powys; a questionnaire version published, and a draft after it; her
    code and the published version's number."""
    async with await open_database(url) as db:
        repo = Repository(db)
        await repo.import_roster(
            [RosterRow(council="powys", group="officer", name="Ann", email="ann@powys.example")]
        )
        powys = await repo.find_council("powys")
        assert powys is not None
        [invitation] = await repo.ensure_tokens(powys.id)
        raw = load_questionnaire().model_dump(mode="json")
        raw["version"] = "2027.1"
        version = await repo.add_questionnaire_version(Questionnaire.model_validate(raw))
        # A draft after it is never what a round or a respondent is pinned to.
        raw["version"] = "2027.2-draft"
        await repo.add_questionnaire_version(Questionnaire.model_validate(raw), draft=True)
    return invitation.token, version


async def _rounds(url: str) -> list[tuple[str, int | None, bool]]:
    async with await open_database(url) as db:
        repo = Repository(db)
        powys = await repo.find_council("powys")
        assert powys is not None
        return [
            (r.label, r.questionnaire_version, r.created_at is not None)
            for r in await repo.rounds(powys.id)
        ]


async def _version_for(url: str, token: str) -> int | None:
    async with await open_database(url) as db:
        repo = Repository(db)
        assert await repo.bind(token, 5001) == "bound"
        return (await repo.update_context(5001)).questionnaire_version


def test_a_round_opens_on_the_newest_version_once_the_one_before_has_closed(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token, version = asyncio.run(_setup(env))
    assert main(["survey", "open", "powys", "--closes", FUTURE]) == 0
    year = str(date.today().year)
    assert asyncio.run(_rounds(env)) == [(year, None, False)]
    capsys.readouterr()

    assert main(["survey", "open", "powys", "--round", "2027", "--closes", FUTURE]) == 1
    err = capsys.readouterr().err
    assert "the round before is still open: close it first (datatool survey close powys)" in err
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    assert main(["survey", "open", "powys", "--round", "2027", "--closes", FUTURE]) == 1
    assert "mae'r cylch cynt ar agor o hyd" in capsys.readouterr().err
    monkeypatch.setenv("DATATOOL_LANG", "en")

    assert main(["survey", "close", "powys"]) == 0
    assert main(["survey", "open", "powys", "--round", "2027", "--closes", FUTURE]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == [
        f"powys: round 2027 made, on questionnaire version {version}",
        f"powys: survey open until the end of {FUTURE}",
    ]
    assert asyncio.run(_rounds(env)) == [(year, None, False), ("2027", version, True)]
    assert asyncio.run(_version_for(env, token)) == version

    assert main(["survey", "close", "powys"]) == 0
    capsys.readouterr()
    assert main(["survey", "open", "powys", "--round", "2027"]) == 1
    assert "already has a round 2027" in capsys.readouterr().err
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    assert main(["survey", "open", "powys", "--round", "2027"]) == 1
    assert "Cyngor Sir Powys: mae cylch 2027 yn bodoli eisoes" in capsys.readouterr().err


def test_the_welsh_help_names_the_round_in_welsh(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    with pytest.raises(SystemExit):
        main(["survey", "open", "--help"])
    assert "--round CYLCH" in capsys.readouterr().out
