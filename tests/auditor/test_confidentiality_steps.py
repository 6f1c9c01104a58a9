"""Issue 27's six ways one person's answers still came back, and issue 21's empty operator's
report, each tried as the attack through the real dispatcher in this process (and the real
`datatool` command line, its ``main`` in a thread beside the running bot) against the stand-in's
rules.

MIN_GROUP_SIZE is 3 here, so that a few phones make every group large or small as needed. Where
the attack is about differences, UNANIMITY_SAFE_SIZE is 2 (no group is too small to be
unanimous), so that the figures the attacker subtracts are shown at all; the unanimous group
has its own test, at the default of 20.

Each attacker reads what a reader holds (the HTML reports, the export's CSV, the database file
for erasure) and works out counts from the shown percentages and bases, as a person would."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.bot_process import Person, answer_in_english, seed_roster
from tests.support.mocked_bot import InProcessBot, Telegram

K = 3
NEITHER = "Neither agree nor disagree"
L3 = "Level 3"
BANDS = ("agree", "neither", "disagree", "dk")
AGREE = {"Strongly agree": "agree", "Agree": "agree", "Disagree": "disagree"}
AGREE |= {"Strongly disagree": "disagree", "Neither agree nor disagree": "neither"}


@dataclass
class Cli:
    """``datatool`` on the test's database: the command line's own ``main``, in a thread of its
    own (it runs its own event loop) beside the bot, with the operator's environment."""

    db: str | Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    async def run(self, *args: str, safe: int = 2) -> tuple[int, str, str]:
        """(exit status, stdout, stderr)."""
        for name in list(os.environ):
            if name.startswith(("DATATOOL_", "MIN_", "UNAN")):
                self.monkeypatch.delenv(name)
        self.monkeypatch.setenv("DATATOOL_DB", str(self.db))
        self.monkeypatch.setenv("MIN_GROUP_SIZE", str(K))
        self.monkeypatch.setenv("UNANIMITY_SAFE_SIZE", str(safe))
        self.capsys.readouterr()
        status = await asyncio.to_thread(main, list(args))
        said = self.capsys.readouterr()
        return status, said.out, said.err


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    monkeypatch.chdir(tmp_path)
    return Cli(tmp_path / "datatool.sqlite3", monkeypatch, capsys)


async def _answer(
    api: Telegram, user_id: int, token: str, choice: str, level: str, comment: str = ""
) -> None:
    """One respondent in English: `choice` for every statement, `level` for every key
    characteristic, and a comment (naming them, unless given)."""
    await answer_in_english(
        api, user_id, token, statement=lambda n: choice, level=level, comment=comment or None
    )


async def _forget(api: Telegram, user_id: int) -> None:
    phone = api.phone(user_id, f"R{user_id}")
    await phone.send("/forget")
    await phone.wait_for("withdraw")
    await phone.tap(phone.last.button_texts[0])  # type: ignore[union-attr]
    await phone.wait_for("Done")


def _counts(n: int, pct: str) -> int:
    """The count behind a shown percentage of `n` (the report rounds half up)."""
    shown = int(pct.rstrip("%"))
    return next(c for c in range(n + 1) if (200 * c + n) // (2 * n) == shown)


Table = dict[tuple[str, str], tuple[int, int, int, int]]
"""(question id, row label) -> (agree, neither, disagree, don't know), as counts."""


def _table(html: str) -> Table:
    """Every shown row of every statement in the annex, read back into counts."""
    out: Table = {}
    for qid, body in re.findall(r'<tbody id="q-([^"]+)">(.*?)</tbody>', html, flags=re.S):
        for label, n, a, ne, d, dk in re.findall(
            r'<th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+%)</td><td>(\d+%)</td>'
            r"<td>(\d+%)</td><td>(\d+)</td>",
            body,
        ):
            base = int(n)
            out[(qid, label)] = (_counts(base, a), _counts(base, ne), _counts(base, d), int(dk))
    return out


def _pinned(before: tuple[int, ...], after: tuple[int, ...]) -> bool:
    """Whether after minus before gives fewer than K people's answers away: each person gives
    one answer, so a band that fell by 1 to K-1 says what that few who left chose, and one that
    rose by 1 to K-1 what that few who joined chose."""
    diff = [b - a for a, b in zip(before, after, strict=True)]
    down = -sum(d for d in diff if d < 0)
    up = sum(d for d in diff if d > 0)
    return 0 < down < K or 0 < up < K


def _differencing(first: Table, second: Table) -> list[tuple[str, str]]:
    """The rows, shown in both, whose difference pins someone's answers down."""
    return [key for key in first.keys() & second.keys() if _pinned(first[key], second[key])]


async def _settled(cli: Cli, tmp: Path, expected: str, *args: str) -> None:
    """Until the report shows `expected`: a submission's release is moved just after the
    respondent's thank-you, so a reader a moment later may still see the one before."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while expected not in await _report_file(cli, tmp, "settling", *args):
        assert loop.time() < deadline, f"never: {expected}"
        await asyncio.sleep(0.2)


async def _report_file(cli: Cli, tmp: Path, name: str, *args: str, safe: int = 2) -> str:
    out = tmp / f"{name}.html"
    status, _, err = await cli.run("report", *args, "--lang", "en", "--out", str(out), safe=safe)
    assert status == 0, err
    return out.read_text(encoding="utf-8")


async def test_one_out_one_in_gives_nobody_away_and_the_command_line_reads_first(
    telegram: Telegram, any_datatool: InProcessBot, cli: Cli, tmp_path: Path
) -> None:
    """Issue 27 point 1 (and a forged withdrawal), issue 21 §1: the report made first from the
    command line, on SQLite and on PostgreSQL, while the bot runs and after it stops."""
    api, bot = telegram, any_datatool
    cli.db = bot.db_path
    people: list[Person] = [("powys", "officer", f"Officer {i}", None, None) for i in range(4)]
    people += [("powys", "member", f"Member {i}", None, None) for i in range(3)]
    tokens = await seed_roster(bot.db_path, people)
    await bot.start(min_group_size=K, unanimity_safe_size=2)
    # The leaver disagrees with everything and puts level 1 everywhere; the newcomer (officer
    # 3, later) the opposite; the others are in between.
    await asyncio.gather(
        _answer(api, 7100, tokens["officer.0@powys.example"], "Strongly disagree", "Level 1"),
        _answer(api, 7101, tokens["officer.1@powys.example"], "Agree", "Level 2"),
        _answer(api, 7102, tokens["officer.2@powys.example"], NEITHER, "Level 2"),
    )
    # Then the members: figures move in steps of at least K people of a group.
    await asyncio.gather(
        *(
            _answer(api, 7200 + i, tokens[f"member.{i}@powys.example"], "Agree", "Level 2")
            for i in range(3)
        )
    )
    # Issue 21: nobody has sent /report, and the command line (which only reads) comes first.
    await _settled(cli, tmp_path, "Figures from 6 responses", "powys")
    r1 = await _report_file(cli, tmp_path, "r1", "powys")
    assert "Figures from 6 responses" in r1 and "No figures yet" not in r1
    first = _table(r1)
    assert ("v_vision", "Officers") in first  # the figures the attacker will subtract
    wales = await _report_file(cli, tmp_path, "wales", "wales")
    assert "No figures yet" not in wales

    # A forged "yes" to a withdrawal nobody was asked to confirm withdraws nobody.
    phone = api.phone(7101, "R7101")
    api.answered_tap(await api.forge_tap(phone, "f:1"))
    await phone.wait_for("Nothing has been deleted")

    # One out, one in.
    await _forget(api, 7100)
    await _answer(api, 7103, tokens["officer.3@powys.example"], "Strongly agree", "Level 3")
    r2 = await _report_file(cli, tmp_path, "r2", "powys")
    assert not _differencing(first, _table(r2)), _differencing(first, _table(r2))
    await bot.stop()
    # Stopped: the command line reads the same release.
    r3 = await _report_file(cli, tmp_path, "r3", "powys")
    assert _table(r3) == _table(r2)
    assert not _differencing(first, _table(r3))


async def _export(cli: Cli, slug: str, tmp: Path) -> tuple[list[dict[str, str]], str]:
    out = tmp / f"{slug}.csv"
    status, said, err = await cli.run("export", slug, "--out", str(out))
    assert status == 0, err
    return list(csv.DictReader(out.open(encoding="utf-8"))), said


def _bands(rows: list[dict[str, str]], qid: str) -> tuple[int, int, int, int]:
    agree = {"sa", "a"}
    disagree = {"d", "sd"}
    c = Counter(
        "agree"
        if r[qid] in agree
        else "disagree"
        if r[qid] in disagree
        else "neither"
        if r[qid] == "n"
        else "dk"
        if r[qid] == "dk"
        else ""
        for r in rows
    )
    return (c["agree"], c["neither"], c["disagree"], c["dk"])


async def test_the_export_is_a_release_like_the_others(
    telegram: Telegram, datatool: InProcessBot, cli: Cli, tmp_path: Path
) -> None:
    api = telegram
    """Issue 27 points 2 and 3, issue 21's Gwynedd: the export against an earlier report, the
    export against the final report, and a final that shows what the last figures showed."""
    people: list[Person] = [("powys", "officer", f"Officer {i}", None, None) for i in range(4)]
    people += [("powys", "member", f"Member {i}", None, None) for i in range(3)]
    people += [("cardiff", "officer", f"Officer {i}", None, None) for i in range(6)]
    people += [("cardiff", "member", "Councillor", "cy", None)]
    tokens = await seed_roster(datatool.db_path, people)
    await datatool.start(min_group_size=K, unanimity_safe_size=2)
    mixed = ("Agree", NEITHER, "Disagree")
    await asyncio.gather(
        *(
            _answer(api, 7300 + i, tokens[f"officer.{i}@powys.example"], mixed[i], "Level 2")
            for i in range(3)
        ),
        # Cardiff's councillor first, then its officers: the figures count all respondents,
        # and cannot show officers (all respondents minus officers is the councillor).
        _answer(
            api,
            7410,
            tokens["councillor@cardiff.example"],
            "Strongly disagree",
            "Level 1",
            "Mae angen mwy o ddata agored arnom.",
        ),
    )
    await asyncio.gather(
        *(
            _answer(api, 7310 + i, tokens[f"member.{i}@powys.example"], mixed[i], "Level 2")
            for i in range(3)
        ),
        *(
            _answer(api, 7400 + i, tokens[f"officer.{i}@cardiff.example"], mixed[i % 3], "Level 2")
            for i in range(6)
        ),
    )
    await _settled(cli, tmp_path, "Figures from 6 responses", "powys")
    r1 = _table(await _report_file(cli, tmp_path, "powys-r1", "powys"))
    # Point 2: one more officer, then the close and the export.
    await _answer(api, 7303, tokens["officer.3@powys.example"], "Strongly agree", "Level 3")
    await datatool.stop()
    for slug in ("powys", "cardiff"):
        assert (await cli.run("survey", "close", slug))[0] == 0
    final = await _report_file(cli, tmp_path, "powys-final", "powys")
    # Issue 21: the final shows at least what the last figures showed, and says why the late
    # response is not in it, in words that are true.
    assert r1.keys() <= _table(final).keys()
    assert "Final figures, from 6 responses; 1 more since." in final
    assert (
        "came in after the last figures" in final and "fewer than 3 people responded" not in final
    )
    rows, said = await _export(cli, "powys", tmp_path)
    assert len(rows) == 6  # every response the final figures count: none silently dropped
    officers = [r for r in rows if r["group"] == "officer"] if rows[0]["group"] else rows
    label = "Officers" if rows[0]["group"] else "All respondents"
    for qid, row in r1:
        if row == label and officers[0].get(qid, "") != "":
            assert not _pinned(r1[(qid, row)], _bands(officers, qid)), qid

    # Point 3: Cardiff's final report shows all respondents (7) and hides officers (6), since
    # all minus officers would be the one councillor; the export minus it must not be them.
    cardiff_html = await _report_file(cli, tmp_path, "cardiff-final", "cardiff")
    cardiff = _table(cardiff_html)
    counted = re.search(r"Final figures, from (\d+) responses", cardiff_html)
    assert counted is not None
    rows, said = await _export(cli, "cardiff", tmp_path)
    assert len(rows) == int(counted[1]), said  # no row silently dropped (the councillor's)
    for (qid, row), figures in cardiff.items():
        if row == "All respondents" and any(r.get(qid) for r in rows):
            assert figures == _bands(rows, qid), qid  # all respondents minus the export: nobody
    assert "blank" in said or "coarsely" in said or all(r["group"] for r in rows)


async def _wales_rows(api: Telegram, auditor: int) -> dict[str, tuple[int, ...]]:
    phone = api.phone(auditor, "Powys auditor", language_code="en")
    before = len(phone.documents)
    await phone.send("/report powys en html")
    document = await phone.wait_for(
        lambda m: m.document is not None and len(phone.documents) > before, timeout=30
    )
    assert document.document is not None
    table = _table(document.document.data.decode())
    return {qid: figures for (qid, row), figures in table.items() if row == "Rest of Wales"}


async def test_wales_does_not_move_by_one_councils_figures_for_a_one_council_auditor(
    telegram: Telegram, datatool: InProcessBot, cli: Cli
) -> None:
    api = telegram
    """Issue 27 point 4: an auditor of Powys only, before and after Newport's officers submit."""
    people: list[Person] = []
    councils = ("powys", "cardiff", "conwy", "gwynedd", "ceredigion")
    for slug in (*councils, "newport"):
        people += [(slug, "officer", f"Officer {i}", None, None) for i in range(3)]
    tokens = await seed_roster(datatool.db_path, people)
    status, _, err = await cli.run("auditors", "add", "700001", "--council", "powys")
    assert status == 0, err
    await datatool.start(min_group_size=K, unanimity_safe_size=2)
    mixed = ("Agree", NEITHER, "Disagree")
    for c, slug in enumerate(councils):  # one council after another, as surveys run
        await asyncio.gather(
            *(
                _answer(api, 7500 + 10 * c + i, tokens[f"officer.{i}@{slug}.example"], mixed[i], L3)
                for i in range(3)
            )
        )
    before = await _wales_rows(api, 700001)
    assert before  # Cardiff and Conwy besides Powys: Wales is shown
    await asyncio.gather(
        *(
            _answer(
                api, 7600 + i, tokens[f"officer.{i}@newport.example"], "Strongly agree", "Level 3"
            )
            for i in range(3)
        )
    )
    after = await _wales_rows(api, 700001)
    # Wales(t2) - Wales(t1) would be Newport's own figures: Wales has not moved by them.
    # (Wales moves only once more than two councils have moved on: if it did, the step pools
    # others' steps with Newport's, and is not Newport's row.)
    newport = (3, 0, 0, 0)  # its three officers strongly agree with everything
    alone = [
        qid
        for qid in before.keys() & after.keys()
        if tuple(b - a for a, b in zip(before[qid], after[qid], strict=True)) == newport
    ]
    assert not alone, sorted(alone)
    await datatool.stop()


def _leftover(db: Path) -> list[tuple[int, str, str, int]]:
    """The database holder's attack: each stored release's figures minus the raw answers of
    the members it still lists; whatever is left is someone who withdrew."""
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT release_id, question_id, choice, SUM(n) FROM release_figures"
            " WHERE cell = 'all' GROUP BY release_id, question_id, choice"
        ).fetchall()
        raw = dict(
            ((r, q, c), n)
            for r, q, c, n in conn.execute(
                "SELECT m.release_id, a.question_id, a.choice, COUNT(*) FROM release_members m"
                " JOIN answers a ON a.response_id = m.response_id WHERE a.choice IS NOT NULL"
                " GROUP BY m.release_id, a.question_id, a.choice"
            )
        )
    return [
        (r, q, c, n - raw.get((r, q, c), 0)) for r, q, c, n in stored if n != raw.get((r, q, c), 0)
    ]


async def test_after_forget_the_database_gives_nobody_back(
    telegram: Telegram, datatool: InProcessBot, cli: Cli
) -> None:
    api = telegram
    """Issue 27 point 5: erasure from the database, and a notice that says what remains."""
    people: list[Person] = [("powys", "officer", f"Officer {i}", None, None) for i in range(3)]
    people += [("powys", "member", f"Member {i}", None, None) for i in range(3)]
    tokens = await seed_roster(datatool.db_path, people)
    await datatool.start(min_group_size=K, unanimity_safe_size=2)
    mixed = ("Agree", NEITHER, "Disagree")
    await asyncio.gather(
        _answer(api, 7700, tokens["officer.0@powys.example"], "Strongly disagree", "Level 1"),
        *(
            _answer(api, 7700 + i, tokens[f"officer.{i}@powys.example"], mixed[i], "Level 2")
            for i in (1, 2)
        ),
    )
    await asyncio.gather(  # then the members: figures move in steps of K people of a group
        *(
            _answer(api, 7710 + i, tokens[f"member.{i}@powys.example"], mixed[i], "Level 2")
            for i in range(3)
        ),
    )
    db = datatool.sqlite_path
    await _settled(cli, db.parent, "Figures from 6 responses", "powys")  # a release counts them
    assert not _leftover(db)
    await _forget(api, 7700)
    # What remains, as the notice says: the figures shown now still count them, until replaced.
    assert _leftover(db)
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT telegram_id, opened_at, token FROM invitees WHERE email = ?",
            ("officer.0@powys.example",),
        ).fetchone()
    assert row == (None, None, None)
    # While the figures reports show still count them, the notice says so, in both languages.
    phone = api.phone(7701, "R7701")
    await phone.send("/privacy")
    notice = (await phone.wait_for("Privacy")).text
    assert "until they are replaced" in notice
    await phone.send("/iaith")
    await phone.wait_for("Dewiswch")
    await phone.tap("Cymraeg")
    await phone.wait_quiet()
    await phone.send("/preifatrwydd")
    welsh = (await phone.wait_for("Preifatrwydd")).text
    assert "nes iddynt gael eu disodli" in welsh
    await datatool.stop()
    # At the close the final figures replace them: then nothing stored gives them back.
    assert (await cli.run("survey", "close", "powys"))[0] == 0
    assert not _leftover(db), _leftover(db)
    final = await _report_file(cli, tmp_path_of(db), "final", "powys")
    assert "1 person counted in earlier figures has since withdrawn" in final


def tmp_path_of(db: Path) -> Path:
    return db.parent


async def test_a_unanimous_small_group_is_not_shown_and_no_sentence_says_all(
    telegram: Telegram, datatool: InProcessBot, cli: Cli, tmp_path: Path
) -> None:
    api = telegram
    """Issue 27 point 6: a team everyone knows, all of one view."""
    people: list[Person] = [("powys", "officer", f"Chief {i}", None, "CMT") for i in range(3)]
    people += [("powys", "officer", f"Officer {i}", None, None) for i in range(3)]
    people += [("powys", "member", f"Member {i}", None, None) for i in range(3)]
    tokens = await seed_roster(datatool.db_path, people)
    await datatool.start(min_group_size=K)
    mixed = ("Agree", NEITHER, "Disagree")
    await asyncio.gather(
        *(
            _answer(api, 7800 + i, tokens[f"chief.{i}@powys.example"], "Strongly agree", "Level 3")
            for i in range(3)
        ),
        *(
            _answer(api, 7810 + i, tokens[f"officer.{i}@powys.example"], mixed[i], "Level 2")
            for i in range(3)
        ),
        *(
            _answer(api, 7820 + i, tokens[f"member.{i}@powys.example"], mixed[i], "Level 1")
            for i in range(3)
        ),
    )
    await datatool.stop()
    html = await _report_file(cli, tmp_path, "powys", "powys", safe=20)
    table = _table(html)
    assert not [key for key in table if key[1] == "Corporate Management Team"]
    # (The response rates may say 100%: who took part is not a view.)
    views = re.sub(r'<section id="rates">.*?</section>', "", html, flags=re.S)
    words = re.sub(r"<style>.*?</style>|<[^>]+>", " ", views, flags=re.S)
    # (Nor the note on rounding, which says shares "may not add up to 100%".)
    words = words.replace("may not add up to 100%", "")
    assert "100%" not in words and "(3 of 3)" not in words
    assert "all of them, or all but fewer than 3, gave the same answer" in html
