"""The operator in Welsh: ``datatool`` speaks Welsh when DATATOOL_LANG=cy or the locale is Welsh,
from bot/cli/locales; ``--lang`` stays the report's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.words import operator_lang
from tests.support.welsh_grammar import check, targets

ENGLISH_COMMANDS = ("usage:", "positional arguments", "options:", "show this help", "error:")


@pytest.fixture
def welsh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "DATATOOL_LANG", "BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATATOOL_LANG", "cy")
    monkeypatch.setenv("DATATOOL_DB", str(tmp_path / "datatool.sqlite3"))
    return tmp_path


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "en"),
        ({"LANG": "cy_GB.UTF-8"}, "cy"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LC_ALL": "cy_GB.UTF-8", "LANG": "en_GB.UTF-8"}, "cy"),
        ({"DATATOOL_LANG": "cy", "LANG": "en_GB.UTF-8"}, "cy"),
        ({"DATATOOL_LANG": "en", "LANG": "cy_GB.UTF-8"}, "en"),
        ({"DATATOOL_LANG": "CY"}, "cy"),
    ],
)
def test_the_operators_language_comes_from_datatool_lang_then_the_locale(
    environ: dict[str, str], lang: str
) -> None:
    assert operator_lang(environ) == lang


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["roster", "import", "--help"],
        ["invites", "--help"],
        ["export", "--help"],
        ["report", "--help"],
        ["survey", "open", "--help"],
        ["remind", "--help"],
        ["demo", "--help"],
    ],
)
def test_help_is_in_welsh(welsh: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("defnydd: datatool")
    assert "dewisiadau:" in out and "dangos y neges gymorth hon" in out
    assert not [w for w in ENGLISH_COMMANDS if w in out]
    assert check(out, targets([], [])) == []


def test_the_csv_columns_are_described_in_welsh(
    welsh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["roster", "import", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Colofnau'r CSV: council (slug neu enw'r cyngor), group (officer neu member)" in out


def test_errors_and_messages_are_in_welsh(welsh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["nonsense"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "datatool: gwall: GORCHYMYN: dewis annilys: 'nonsense'" in err

    assert main(["survey", "open", "powys", "--closes", "2026-02-30"]) == 1
    assert "rhaid i ddyddiad edrych fel 2026-12-31, nid '2026-02-30'" in capsys.readouterr().err

    assert main(["survey", "open", "powis"]) == 1
    err = capsys.readouterr().err
    assert "nid wyf yn adnabod cyngor o'r enw 'powis'; oeddech chi'n golygu powys?" in err

    assert main(["survey", "open", "powys", "--closes", "2026-12-31"]) == 0
    assert capsys.readouterr().out == "powys: mae'r arolwg ar agor tan ddiwedd 2026-12-31\n"

    assert main(["status", "powys"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Cyngor Sir Powys\ngrŵp")
    assert "na ellir eu cyrraedd" in out and "cyfanswm" in out


def test_a_malformed_setting_is_named_in_welsh(
    welsh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "ftp://example.org")
    assert main(["status", "powys"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "datatool: mae TELEGRAM_API_URL yn annilys: rhaid iddo ddechrau gyda http:// neu https://\n"
    )


def test_the_report_keeps_its_own_language(welsh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["survey", "open", "powys"]) == 0  # creates the database
    capsys.readouterr()
    assert main(["report", "powys", "--out", str(welsh / "r.html")]) == 0
    assert "ysgrifennwyd yr adroddiad Saesneg ar gyfer powys" in capsys.readouterr().out
    assert '<html lang="en">' in (welsh / "r.html").read_text(encoding="utf-8")
