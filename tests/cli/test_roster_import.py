"""A careless or hostile roster: what `datatool roster import` refuses, normalises and reports,
with each problem's line counted as the file's own lines."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.roster_csv import read_roster, write_invitations
from bot.cli.spreadsheet import csv_text, safe_cell
from storage.opening import open_database
from storage.roster import new_token
from storage.rows import Invitation

HEADER = "council,group,name,email,language,team\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "TELEGRAM_API_URL", "AUDITOR_IDS", "SEND_RATE", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATATOOL_DB", str(tmp_path / "test.sqlite3"))
    return tmp_path


def _import(env: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    path = env / "roster.csv"
    path.write_bytes(text.encode("utf-8"))
    code = main(["roster", "import", str(path)])
    captured = capsys.readouterr()
    return code, (captured.err if code else captured.out).splitlines()


async def _rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    async with await open_database(db_path) as db:
        return [tuple(r) for r in await db.fetchall(sql)]


def test_line_breaks_and_control_characters_are_refused_with_their_lines(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        HEADER
        + "powys,officer,Ann Jones,ann@powys.example,en,CMT\n"  # line 2
        + 'powys,officer,"Evil\r\nBcc: all@example.org",evil@powys.example,en,\n'  # 3-4
        + "powys,officer,Bell\x07Ringer,bell@powys.example,en,\n"  # line 5
        + "\n"  # line 6, blank
        + 'powys,officer,Tab Person,"tab@powys.example\t",en,\n'  # line 7
        + 'powys,officer,Two Lines,two@powys.example,en,"Team\nB"\n'  # lines 8-9
        + "powys,officer,Last One,last@powys.example,en,\n"  # line 10
        + "powys,officer,Nul\x00Char,nul@powys.example,en,\n"  # line 11
    )
    code, err = _import(env, text, capsys)
    assert code == 1
    path = env / "roster.csv"
    assert err == [
        f"datatool: {path}: line 3: name: contains a line break (U+000D)",
        f"datatool: {path}: line 5: name: contains a control character (U+0007)",
        f"datatool: {path}: line 7: email: contains a control character (U+0009)",
        f"datatool: {path}: line 8: team: contains a line break (U+000A)",
        f"datatool: {path}: line 11: name: contains a control character (U+0000)",
    ]
    assert asyncio.run(_rows(env / "test.sqlite3", "SELECT COUNT(*) FROM invitees")) == [(0,)]


def test_duplicate_email_names_both_physical_lines(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        HEADER
        + "powys,officer,Ann Jones,ann@powys.example,en,\n"  # line 2
        + "\n"  # line 3, blank: a row index would now be one behind
        + "powys,member,Fine,ok@powys.example,en,\n"  # line 4
        + "Cyngor Sir Powys,officer,Ann Again,ANN@powys.example,cy,\n"  # line 5
    )
    code, err = _import(env, text, capsys)
    assert code == 1
    assert err == [
        f"datatool: {env / 'roster.csv'}: line 5: ann@powys.example at powys is listed twice,"
        " also on line 2"
    ]


def test_a_quoted_line_break_in_an_earlier_row_moves_the_line_numbers(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "council,group,name,email,language\n"
        'powys,officer,"Ann\r\nJones",ann@powys.example,en\n'  # lines 2-3: refused
        "powis,officer,Typo,typo@powys.example,en\n"  # line 4: fine for the file
    )
    rows_or_error = None
    path = env / "roster.csv"
    path.write_bytes(text.encode())
    try:
        read_roster(path)
    except Exception as exc:
        rows_or_error = str(exc)
    assert rows_or_error == f"{path}: line 2: name: contains a line break (U+000D)"
    # Without the refused row, the unknown council is named by its own line, 3.
    path.write_text(
        'council,group,name,email,language\npowys,officer,"Ann",ann@powys.example,en\n'
        "powis,officer,Typo,typo@powys.example,en\n",
        encoding="utf-8",
    )
    assert main(["roster", "import", str(path)]) == 1
    assert "line 3: unknown council 'powis'" in capsys.readouterr().err


def test_names_and_teams_are_normalised_and_bidi_controls_refused(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decomposed = "Sio\u0302n Wyn"  # o + combining circumflex
    text = (
        HEADER
        + "powys,officer,Ann Jones,ann@powys.example,en,CMT\n"
        + "powys,officer,Bryn\u00a0 Hughes,bryn@powys.example,en,C\u200bMT\n"
        + f"powys,officer,{decomposed},sion@powys.example,cy,\ufeffCMT \n"
    )
    code, out = _import(env, text, capsys)
    assert code == 0, out
    rows = asyncio.run(_rows(env / "test.sqlite3", "SELECT name, team FROM invitees ORDER BY id"))
    assert rows == [("Ann Jones", "CMT"), ("Bryn Hughes", "CMT"), ("Si\u00f4n Wyn", "CMT")]

    code, err = _import(
        env,
        HEADER
        + "powys,officer,Ann \u202eJones,ann2@powys.example,en,\n"
        + "powys,officer,Ok,ok@powys.example,en,\u2067CMT\u2069\n"
        + "powys,officer,Ok Two,ok2\u200b@powys.example,en,\n",
        capsys,
    )
    assert code == 1
    assert [line.split(": ", 2)[2] for line in err] == [
        "line 2: name: contains a right-to-left or left-to-right control (U+202E)",
        "line 3: team: contains a right-to-left or left-to-right control (U+2067)",
        "line 4: email: contains an invisible formatting character (U+200B)",
    ]


def test_bad_encoding_and_wrong_field_counts_name_their_lines(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = env / "roster.csv"
    path.write_bytes(
        (HEADER + "powys,officer,Ann,ann@powys.example,en,\n").encode() + b"powys,officer,\xff\n"
    )
    assert main(["roster", "import", str(path)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"datatool: {path}: line 3: not UTF-8 text (save it as CSV UTF-8)"
    )
    code, err = _import(env, HEADER + "powys,officer,Ann,ann@powys.example\n", capsys)
    assert code == 1 and err == [
        f"datatool: {env / 'roster.csv'}: line 2: 4 fields where the header has 6 columns"
    ]


# --- the files datatool writes -------------------------------------------------------------


FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+SUM(1+1)",
    "-2+3",
    "@cmd|' /C calc'!A0",
    "\t=1",
    "\r=1",
]


def test_every_formula_start_is_neutralised() -> None:
    for cell in FORMULAS:
        assert safe_cell(cell) == "'" + cell
    for plain in ("Ann Jones", "CMT", "a@b.cy", "", "1", "https://t.me/x?start=-abc"):
        assert safe_cell(plain) == plain
    assert safe_cell(None) == "" and safe_cell(3) == "3"
    text = csv_text(["=h"], [["=a", 'say "hi"']])
    assert list(csv.reader(io.StringIO(text))) == [["'=h"], ["'=a", 'say "hi"']]


def test_invitations_csv_neutralises_formula_names(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invitations = [
        Invitation(
            council_slug="powys",
            group="officer",
            name=name,
            email=f"p{i}@powys.example",
            language=None,
            token=f"-tok{i}" if i == 0 else f"tok{i}",
        )
        for i, name in enumerate(FORMULAS[:4])
    ]
    rows = list(csv.DictReader(io.StringIO(write_invitations(invitations, "datatool_bot"))))
    assert [r["name"] for r in rows] == ["'" + n for n in FORMULAS[:4]]
    assert rows[0]["token"] == "'-tok0"  # a code from before this rule: still made safe
    assert rows[0]["link"] == "https://t.me/datatool_bot?start=-tok0"
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in r)


def test_codes_never_start_like_a_formula() -> None:
    tokens = [new_token() for _ in range(5000)]
    assert all(t[0].isascii() and t[0].isalnum() for t in tokens)
    assert all(
        len(t) == 32
        and set(t) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        for t in tokens
    )
    assert len(set(tokens)) == len(tokens)
    # Without the redraw, about 1 in 64 codes would start with '-': 5000 draws would show ~78.
    assert any("-" in t for t in tokens)


async def test_invites_file_from_a_hostile_roster_opens_as_plain_text(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from standin import StandIn

    roster = HEADER + "".join(
        f'powys,officer,"{quoted}",p{i}@powys.example,en,"{quoted}"\n'
        for i, quoted in enumerate(n.replace('"', '""') for n in FORMULAS[:4])
    )
    (env / "roster.csv").write_text(roster, encoding="utf-8")
    async with StandIn(token="123:ABC", bot_username="audit_data_bot") as api:
        monkeypatch.setenv("BOT_TOKEN", "123:ABC")
        monkeypatch.setenv("TELEGRAM_API_URL", api.base_url)
        code = await asyncio.to_thread(
            lambda: (
                main(["roster", "import", "roster.csv"])
                or main(["invites", "powys", "--out", "inv.csv"])
            )
        )
    assert code == 0, capsys.readouterr().err
    rows = list(csv.reader((env / "inv.csv").open(encoding="utf-8-sig", newline="")))
    assert rows[0] == ["council", "group", "name", "email", "language", "token", "link"]
    assert sorted(r[2] for r in rows[1:]) == sorted("'" + n for n in FORMULAS[:4])
    for row in rows[1:]:
        assert not row[5].startswith(("=", "+", "-", "@", "'")), row  # codes need no quote
        assert row[6] == f"https://t.me/audit_data_bot?start={row[5]}"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_every_unknown_council_and_duplicate_is_reported_at_once(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _import(
        env,
        HEADER
        + "powis,officer,Typo,typo@powys.example,en,\n"  # line 2
        + "powys,officer,Ann,ann@powys.example,en,\n"  # line 3
        + "Atlantis,officer,Nobody,no@atlantis.example,en,\n"  # line 4
        + "powys,member,Ann Again,Ann@Powys.example,en,\n",  # line 5
        capsys,
    )
    assert code == 1
    assert [line.split(": ", 2)[2] for line in err] == [
        "line 2: unknown council 'powis'",
        "line 4: unknown council 'Atlantis'",
        "line 5: ann@powys.example at powys is listed twice, also on line 3",
    ]
