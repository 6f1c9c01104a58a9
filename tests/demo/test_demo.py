"""``datatool demo``: the automatic demo (quick mode) and the terminal chat, each run as the
``datatool`` command a newcomer would type; and the demo's roster, answer plans and folder."""

from __future__ import annotations

import os
import random
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.demo.respondents import CMT_SKILLS, POWYS_DECKS, deal, plan_answers
from bot.demo.roster import CMT, Person, demo_people
from bot.demo.workspace import RECORD, fresh_database
from rubric.loader import load_questionnaire
from storage.councils import COUNCILS
from tests.support.bot_process import datatool_command
from tests.support.welsh_grammar import every_flaw, targets

POWYS_TABLE = [
    ["Officers", "23", "10", "43%"],
    ["Elected Members", "73", "15", "21%"],
    ["Total", "96", "25", "26%"],
]


def _clean_env() -> dict[str, str]:
    """No token, no Telegram URL, no database setting: the demo must need none of them."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "SMTP_", "AUDITOR_", "DATATOOL_", "TELEGRAM_"))
    } | {"PYTHONUNBUFFERED": "1", "COLUMNS": "100"}


def _datatool(
    args: list[str], cwd: Path, stdin: str = "", timeout: float = 150
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*datatool_command(), *args],
        cwd=cwd,
        env=_clean_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class _Rows(HTMLParser):
    """Table rows as lists of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


# --- the automatic demo --------------------------------------------------------------------


@pytest.mark.timeout(200)
@pytest.mark.e2e
def test_quick_demo_reports_powys_as_audit_wales_did(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _datatool(["demo", "--quick", "--out", str(out)], cwd=tmp_path)
    assert done.returncode == 0, f"demo failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"

    english = out / "powys-report-en.html"
    welsh = out / "powys-report-cy.html"
    assert english.exists() and welsh.exists(), sorted(p.name for p in out.iterdir())
    assert str(english) in done.stdout and str(welsh) in done.stdout

    rows = table_rows(english.read_text(encoding="utf-8"))
    for expected in POWYS_TABLE:
        found = [r for r in rows if r[:1] == expected[:1] and r[1:3] == expected[1:3]]
        assert found, f"no row {expected} in {rows[:6]}"
        assert found[0][3].startswith(expected[3]), found[0]
    welsh_rows = table_rows(welsh.read_text(encoding="utf-8"))
    assert any(r[1:3] == ["23", "10"] for r in welsh_rows)
    assert "Swyddogion" in welsh.read_text(encoding="utf-8")
    # The auditor's default is the PDF, in both languages.
    for lang in ("en", "cy"):
        assert (out / f"powys-report-{lang}.pdf").read_bytes().startswith(b"%PDF-")

    # The auditor's summary message, printed readably (no Telegram HTML tags).
    assert "Officers: 10 of 23" in done.stdout
    assert "Swyddogion: 10 o 23" in done.stdout
    assert "<b>" not in done.stdout
    assert "surveys submitted" in done.stdout
    # A fresh database of its own, in the output folder, never datatool.sqlite3 of the cwd.
    dbs = list(out.glob("demo-*.sqlite3"))
    assert len(dbs) == 1 and (out / RECORD).read_text().split() == [dbs[0].name]
    assert not (tmp_path / "datatool.sqlite3").exists()


# --- the terminal chat -----------------------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.e2e
def test_chat_through_stdin_and_stdout(tmp_path: Path) -> None:
    typed = [
        "2",  # English
        "1",  # Continue (privacy)
        "2",  # Q1: Agree
        "4",  # Q2: Disagree
        "7",  # Q3: Back, to Q2
        "/language",
        "1",  # Cymraeg
    ]
    done = _datatool(
        ["demo", "--chat", "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        stdin="\n".join(typed) + "\n",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "[1] Cymraeg  [2] English" in out
    assert "Question 1/37" in out and "Question 3/37" in out
    assert "[1] Strongly agree" in out and "[7] Back" in out
    # Back from question 3 shows question 2 again, with the answer given ticked.
    after_back = out[out.index("Question 3/37") :]
    assert "Question 2/37" in after_back
    assert "[4] ✓ Disagree" in after_back
    # /language switches the conversation to Welsh where it stood.
    welsh = out[out.rindex("[1] Cymraeg  [2] English") :]
    assert "Cwestiwn 2" in welsh and "Yn ôl" in welsh
    assert "<b>" not in out and "<i>" not in out


@pytest.mark.timeout(60)
@pytest.mark.e2e
def test_chat_ends_on_quit_before_the_rest_of_input(tmp_path: Path) -> None:
    done = _datatool(["demo", "--chat", "--out", str(tmp_path)], cwd=tmp_path, stdin="/quit\n2\n")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "[1] Cymraeg  [2] English" in done.stdout
    assert "Your privacy" not in done.stdout


# --- the demo's people and answers ----------------------------------------------------------


@pytest.mark.parametrize("quick", [True, False])
def test_demo_roster_matches_the_powys_report(quick: bool) -> None:
    people = demo_people(random.Random(2018), quick=quick)
    powys = [p for p in people if p.row.council == "powys"]
    invited = Counter(p.row.group for p in powys)
    submit = Counter(p.row.group for p in powys if p.role == "submit")
    assert invited == {"officer": 23, "member": 73}
    assert submit == {"officer": 10, "member": 15}
    assert sum(1 for p in powys if p.role == "submit" and p.row.team == CMT) >= 5
    councils = {p.row.council for p in people}
    assert len(councils) >= 2 and "powys" in councils
    for council in councils - {"powys"}:
        theirs = Counter(
            p.row.group for p in people if p.row.council == council and p.role == "submit"
        )
        assert min(theirs.values()) >= 5, council
    answering = [p for p in people if p.answers]
    langs = Counter(p.lang for p in answering)
    assert abs(langs["cy"] - langs["en"]) <= 1
    assert len({p.row.email for p in people}) == len(people)


def test_powys_answers_lean_as_in_the_report() -> None:
    rng = random.Random(7)
    people = demo_people(rng)
    plans = plan_answers(load_questionnaire(), people, rng)
    powys = [p for p in people if p.row.council == "powys" and p.role == "submit"]

    def shares(qid: str, who: list[Person]) -> tuple[float, float]:
        options = [plans[p.row.email].choices[qid] for p in who]
        view = [o for o in options if o != "dk"]
        agree = sum(o in ("sa", "a") for o in view) / len(view)
        disagree = sum(o in ("d", "sd") for o in view) / len(view)
        return agree, disagree

    agree, disagree = shares("v_resource", powys)
    assert agree < 0.6 and disagree < 0.6 and not (agree >= 0.4 and disagree >= 0.4)
    assert shares("p_clear", powys)[0] >= 0.6
    assert shares("d_inform", powys)[1] >= 0.6
    cmt = [p for p in powys if p.row.team == CMT]
    agree, disagree = shares("s_skills", cmt)
    assert 0.4 <= agree <= 0.6 and 0.4 <= disagree <= 0.6
    assert sorted(plans[p.row.email].choices["s_skills"] for p in cmt) == sorted(CMT_SKILLS)
    comments = [c for plan in plans.values() for c in plan.comments.values()]
    assert comments and any("'" in c or "ŵ" in c or "ô" in c for c in comments)  # some Welsh
    partial = [p for p in people if p.role == "partial"]
    assert partial and all(plans[p.row.email].stop_after for p in partial)


def test_deal_keeps_proportions() -> None:
    deck = deal(POWYS_DECKS["p_clear"], 25, random.Random(1))
    assert Counter(deck) == Counter({"sa": 5, "a": 12, "n": 4, "d": 2, "sd": 1, "dk": 1})
    assert len(deal(POWYS_DECKS["v_resource"], 10, random.Random(1))) == 10


# --- the output folder -----------------------------------------------------------------------


def test_fresh_database_never_touches_what_the_demo_did_not_make(tmp_path: Path) -> None:
    theirs = tmp_path / "datatool.sqlite3"
    theirs.write_text("not the demo's")
    lookalike = tmp_path / "demo-20200101-000000.sqlite3"
    lookalike.write_text("named like the demo's, but not recorded")

    first = fresh_database(tmp_path, "demo")
    first.write_text("db")
    (tmp_path / f"{first.name}-wal").write_text("wal")
    second = fresh_database(tmp_path, "demo")
    assert not second.exists(), "the new path is free: the previous demo database is gone"
    assert not first.exists() and not (tmp_path / f"{first.name}-wal").exists()
    assert theirs.read_text() == "not the demo's"
    assert lookalike.exists()
    chat = fresh_database(tmp_path, "chat")
    chat.write_text("chat db")
    second.write_text("db")
    fresh_database(tmp_path, "chat")
    assert second.exists(), "a chat run removes only earlier chat databases"


@pytest.mark.timeout(200)
@pytest.mark.e2e
def test_quick_demo_for_a_welsh_operator_passes_every_welsh_rule(tmp_path: Path) -> None:
    """The demo's own lines (its title, the roster, the count of surveys, each auditor's
    command and each saved report) and the bot's Welsh summary, as a Welsh operator reads them:
    mutations, numbers with their noun's gender, quotation marks, no English, no slug."""
    out = tmp_path / "out"
    done = subprocess.run(
        [*datatool_command(), "demo", "--quick", "--out", str(out)],
        cwd=tmp_path,
        env=_clean_env() | {"DATATOOL_LANG": "cy"},
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("demo datatool: y bot go iawn, wedi'i gysylltu ag efelychydd")
    assert any(
        re.fullmatch(r"rhestr: \d+ gwahoddedig mewn 2 gyngor \(Powys, .+\)", x) for x in lines
    )
    # The bot's English summary (the demo asks for both) is the English auditor's, not ours.
    english = lines.index(next(x for x in lines if "‘/report powys en’" in x))
    welsh = lines.index(next(x for x in lines if "‘/adroddiad powys cy’" in x))
    read = lines[:english] + lines[welsh:]
    wanted = targets([c.name_cy for c in COUNCILS], [])
    slugs = [c.slug for c in COUNCILS] + ["wales"]
    flaws = sorted({str(f) for line in read for f in every_flaw(line, wanted, slugs)})
    assert flaws == []
