"""The operator in Welsh: ``datatool`` speaks Welsh when DATATOOL_LANG=cy or the locale is Welsh,
from bot/cli/locales; ``--lang`` stays the report's language."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.words import operator_lang, say
from storage.councils import COUNCILS
from tests.support.welsh_grammar import every_flaw, targets

SLUGS = [c.slug for c in COUNCILS] + ["wales"]
WANTED = targets([c.name_cy for c in COUNCILS], [])
COMMAND_WORDS: tuple[str, ...] = tuple(
    re.findall(
        r"\S+",
        "run roster import invites auditors status survey open close backup report export remind"
        " demo add remove list",
    )
)
"""The commands' own names, which --help lists as they are typed."""

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
    assert _flaws(out, COMMAND_WORDS) == []


def test_the_csv_columns_are_described_in_welsh(
    welsh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["roster", "import", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Colofnau'r CSV: ‘council’ (enw'r cyngor, neu ei enw byr fel ‘powys’)," in out
    assert "‘group’ (‘officer’ neu ‘member’: swyddog neu aelod)" in out


def test_errors_and_messages_are_in_welsh(welsh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["nonsense"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "datatool: gwall: GORCHYMYN: dewis annilys: ‘nonsense’ (dewiswch o blith ‘run’," in err

    assert main(["survey", "open", "powys", "--closes", "2026-02-30"]) == 1
    assert "rhaid i ddyddiad edrych fel 2026-12-31, nid ‘2026-02-30’" in capsys.readouterr().err

    assert main(["survey", "open", "powis"]) == 1
    err = capsys.readouterr().err
    assert "nid wyf yn adnabod cyngor o'r enw ‘powis’; oeddech chi'n golygu Powys?" in err

    assert main(["survey", "open", "powys", "--closes", "2026-12-31"]) == 0
    out = capsys.readouterr().out
    assert out == "Cyngor Sir Powys: mae'r arolwg ar agor tan ddiwedd 2026-12-31\n"

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


def test_a_welsh_operators_report_is_in_welsh_unless_they_ask_for_english(
    welsh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["survey", "open", "powys"]) == 0  # creates the database
    capsys.readouterr()
    assert main(["report", "powys", "--out", str(welsh / "r.html")]) == 0
    out = capsys.readouterr().out
    assert "ysgrifennwyd yr adroddiad Cymraeg ar gyfer Cyngor Sir Powys" in out
    assert '<html lang="cy">' in (welsh / "r.html").read_text(encoding="utf-8")
    assert main(["report", "powys", "--lang", "en", "--out", str(welsh / "e.html")]) == 0
    assert "ysgrifennwyd yr adroddiad Saesneg ar gyfer Cyngor Sir Powys" in capsys.readouterr().out
    assert '<html lang="en">' in (welsh / "e.html").read_text(encoding="utf-8")
    assert main(["report", "cymru", "--out", str(welsh / "w.html")]) == 0
    assert "ysgrifennwyd yr adroddiad Cymraeg ar gyfer Cymru gyfan" in capsys.readouterr().out


def test_an_english_operators_report_is_in_english(
    welsh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATATOOL_LANG", "en")
    assert main(["survey", "open", "powys"]) == 0
    assert main(["report", "powys", "--out", str(welsh / "r.html")]) == 0
    assert "wrote the en report for powys" in capsys.readouterr().out
    assert '<html lang="en">' in (welsh / "r.html").read_text(encoding="utf-8")


def _flaws(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    return [str(f) for f in every_flaw(text, WANTED, SLUGS, allowed)]


_CHOICES = re.compile(r"dewiswch o blith (.*)\)")


def _commands(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The commands under ``argv``, as argparse itself lists them when a command is wrong."""
    # A command that takes a value runs with it, harmlessly: no database, no token.
    with contextlib.suppress(SystemExit):
        main([*argv, "dim-o-gwbl"])
    found = _CHOICES.search(capsys.readouterr().err)
    return re.findall(r"‘([^’]+)’", found.group(1)) if found else []


def _every_command(capsys: pytest.CaptureFixture[str]) -> list[list[str]]:
    out: list[list[str]] = []
    todo: list[list[str]] = [[]]
    while todo:
        argv = todo.pop()
        out.append(argv)
        todo += [[*argv, name] for name in _commands(argv, capsys)]
    return out


def test_every_help_and_every_parser_error_passes_every_welsh_rule(
    welsh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command's --help (found as argparse lists them, so a new command is read too), and
    what argparse says to each wrong use, read with every rule: mutations, numbers, quotation
    marks, English words and slugs, retired terms."""
    commands = _every_command(capsys)
    assert len(commands) > 15
    names = tuple({name for argv in commands for name in argv})
    texts = []
    for argv in commands:
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        texts.append(capsys.readouterr().out)
        with pytest.raises(SystemExit):
            main([*argv, "--dim-o-gwbl"])
        texts.append(capsys.readouterr().err)
    for argv in (
        ["survey"],
        ["survey", "open"],
        ["roster"],
        ["roster", "import"],
        ["export", "powys"],
        ["auditors"],
        ["auditors", "frob"],
        ["auditors", "add", "x"],
        ["report", "powys", "--lang", "fr"],
        ["invites", "powys", "--out"],
        ["remind", "--dry-run=3"],
    ):
        with pytest.raises(SystemExit):
            main(argv)
        texts.append(capsys.readouterr().err)
    flaws = {flaw for text in texts for flaw in _flaws(text, names)}
    assert sorted(flaws) == []
    joined = "\n".join(texts)
    for english in ("council", "file", "OUT", "CLOSES", "survey_command", "action:", "locale"):
        assert english not in joined.replace("‘", " ").split(), english
    assert "CYNGOR" in joined and "FFEIL" in joined and "DYDDIAD" in joined


def test_every_message_of_a_welsh_session_passes_every_welsh_rule(
    welsh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A session in Welsh, each command's output and error read with every rule, with councils
    named as the operator may name them (slug, Welsh name, English name, a typo)."""
    roster = welsh / "rhestr.csv"
    roster.write_text(
        "council,group,name,email,language\n"
        + "caerdydd,officer,Ann,ann@caerdydd.example,cy\n"
        + "cardiff,member,Ben,ben@caerdydd.example,en\n",
        encoding="utf-8",
    )
    runs = [
        ["roster", "import", str(roster)],
        ["status", "caerdydd"],
        ["status", "cymru"],
        ["survey", "open", "caerdydd", "--closes", "2026-12-31"],
        ["survey", "open", "Cyngor Sir Penfro", "--opens", "2026-12-01"],
        ["survey", "open", "caerdyd"],
        ["survey", "open", "newpor"],
        ["survey", "open", "cymru"],
        ["survey", "open", "powys", "--opens", "2026-12-31", "--closes", "2026-12-01"],
        ["survey", "open", "powys", "--closes", "31/12/2026"],
        ["auditors", "add", "42", "--council", "caerdydd"],
        ["auditors", "add", "42", "--council", "caerdydd"],
        ["auditors", "list"],
        ["auditors", "remove", "42", "--council", "caerdydd"],
        ["auditors", "remove", "42"],
        ["auditors", "add"],
        ["export", "caerdydd", "--out", str(welsh / "allforio.csv")],
        ["report", "caerdydd", "--out", str(welsh / "r.html")],
        ["report", "cymru", "--out", str(welsh / "w.html")],
        ["survey", "close", "caerdydd"],
        ["export", "caerdydd", "--out", str(welsh / "allforio.csv")],
        ["backup", str(welsh / "datatool.sqlite3")],
        ["backup", str(welsh / "copi.sqlite3")],
    ]
    texts = []
    for argv in runs:
        main(argv)
        out = capsys.readouterr()
        texts += [out.out, out.err]
    joined = "\n".join(texts)
    assert "Cyngor Caerdydd" in joined and "oeddech chi'n golygu" in joined
    assert "Cymru gyfan" in joined
    assert sorted({f for text in texts for f in _flaws(text)}) == []


async def test_a_whole_survey_taken_in_welsh_in_the_chat_passes_every_welsh_rule(
    welsh: Path,
) -> None:
    """The terminal chat in Welsh, from the choice of language to the thanks, read with every
    rule (the first screen asks the language in both, so the reading starts after it)."""
    import io

    from rich.console import Console

    from bot.demo import chat

    out = io.StringIO()
    console = Console(file=out, highlight=False, soft_wrap=True, width=100)
    # Welsh, Continue, the second button of each of the 37 questions, then Submit (button 38).
    typed = ["1", "1", *["2"] * 37, "38", "/gadael"]
    stdin = io.StringIO("\n".join(typed) + "\n")
    assert await chat.run_chat(welsh / "demo", stdin=stdin, console=console) == 0
    text = out.getvalue()
    welsh_part = text[text.index("Eich preifatrwydd") :]
    assert "Cwestiwn 37 o 37" in welsh_part and "Diolch." in welsh_part
    intro = say("cy", "demo.intro")  # the chat's own words; then the bot's, in both at first
    assert text.startswith(intro) and _flaws(intro) == []
    assert _flaws(welsh_part) == []


def test_every_counted_noun_is_known_to_the_checker_and_right_at_every_number() -> None:
    """The command line's nouns (bot/cli/counting.py) against the checker's own list: each is
    there with the same gender, and each count from 1 to 10, 20 and 100 passes it."""
    from bot.cli.counting import NOUNS, counted
    from tests.support.welsh_grammar import NOUN_GENDERS, numeral_flaws

    for key, noun in NOUNS.items():
        first = noun.cy.split()[0]
        assert NOUN_GENDERS.get(first) == noun.gender, key
        for n in (*range(1, 11), 20, 100):
            assert numeral_flaws(f"mewn {counted('cy', n, key)}") == [], (key, n)
    assert counted("cy", 2, "council") == "2 gyngor"
    assert counted("cy", 3, "council") == "3 chyngor"
    assert counted("cy", 6, "council") == "6 chyngor"
    assert counted("cy", 2, "more_problem") == "2 broblem arall"
    assert counted("cy", 3, "more_problem") == "3 problem arall"
    assert counted("cy", 6, "more_problem") == "6 phroblem arall"
    assert counted("cy", 1, "more_problem") == "1 broblem arall"
    assert counted("cy", 2, "invitation") == "2 wahoddiad"
    assert counted("cy", 2, "field") == "2 faes"
    assert (counted("cy", 2, "request"), counted("cy", 3, "request")) == ("2 gais", "3 chais")
    assert (
        counted("en", 1, "council") == "1 council" and counted("en", 2, "council") == "2 councils"
    )
