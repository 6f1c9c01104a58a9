"""Issue 9's eight ways a determined reader got at one person's answers, each tried through the
real dispatcher in this process (and the real `datatool` command line) against the stand-in's
rules. (An update the bot cannot read, whose content must never reach the log, is a process
test: tests/e2e/test_malformed_update.py.)

MIN_GROUP_SIZE is 3 here, so that a few phones make every group large or small as needed, and
UNANIMITY_SAFE_SIZE 2: these phones all agree, and the unanimity rule (issue 27) has its own
tests in test_confidentiality_steps.py."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.bot_process import Person, answer_in_english, seed_roster
from tests.support.mocked_bot import AUDITOR_ID, InProcessBot, Telegram

K = "3"
SAFE = 2


async def _answer(api: Telegram, user_id: int, token: str, first: str = "Agree") -> None:
    """One respondent in English: `first` for the first statement, Agree for the others,
    Level 2, and a comment naming them."""
    await answer_in_english(api, user_id, token, statement=lambda n: first if n == 1 else "Agree")


async def _report(api: Telegram, council: str = "powys") -> tuple[str, str]:
    auditor = api.phone(AUDITOR_ID, "Auditor", language_code="en")
    before = len(auditor.documents)
    await auditor.send(f"/report {council} en html")
    document = await auditor.wait_for(
        lambda m: m.document is not None and len(auditor.documents) > before
    )
    summary = [m for m in auditor.bot_messages if "Figures from" in m.text][-1]
    assert document.document is not None
    return summary.text, document.document.data.decode()


def _figures(html: str) -> str:
    """The report's figures: without the lines that say when and how current it is, and
    without the response rates, which may move freely."""
    html = re.sub(r'<p class="meta">.*?</p>', "", html)
    return re.sub(r'<section id="rates">.*?</section>', "", html, flags=re.S)


def _block(html: str, qid: str) -> str:
    """One statement's part of the annex: from its anchor to the next statement's."""
    start = html.index(f'id="q-{qid}"')
    end = html.find('id="q-', start + 1)
    return html[start : end if end != -1 else len(html)]


async def test_reports_hold_for_one_group_questions_small_bases_time_and_wales(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    people: list[Person] = [("powys", "officer", f"Officer {i}", None, None) for i in range(3)]
    people += [("powys", "member", f"Member {i}", None, None) for i in range(5)]
    people += [("cardiff", "officer", "Olwen Officer", None, None)]
    people += [("cardiff", "member", f"Cardiff {i}", None, None) for i in range(3)]
    api = telegram
    tokens = await seed_roster(datatool.db_path, people)
    await datatool.start(min_group_size=int(K), unanimity_safe_size=SAFE)
    powys_members = sorted(e for e in tokens if e.startswith("member."))
    # Two of the first four members say "Don't know" to the first statement.
    await asyncio.gather(
        *(_answer(api, 7010 + i, tokens[f"officer.{i}@powys.example"]) for i in range(3)),
        *(
            _answer(api, 7001 + i, tokens[e], "Don't know" if i < 2 else "Agree")
            for i, e in enumerate(powys_members[:4])
        ),
        _answer(api, 7100, tokens["olwen.officer@cardiff.example"]),
        *(_answer(api, 7101 + i, tokens[f"cardiff.{i}@cardiff.example"]) for i in range(3)),
    )
    # 1. p_protocols is asked of officers only, and Cardiff has one officer: no figure at all,
    # not even for "all respondents".
    _, cardiff = await _report(api, "cardiff")
    protocols = _block(cardiff, "p_protocols")
    assert "not shown" in protocols and not re.search(r"<td[^>]*>\d", protocols)
    summary, html = await _report(api)
    # Figures move in steps of at least K people of a group (issue 27): how many the release
    # counts depends on the order the phones finished in.
    counted = re.search(r"Figures from (\d) responses", summary)
    assert counted is not None and 3 <= int(counted[1]) <= 7, summary
    # 2. The first statement: four members, two views: withheld, and so are the officers
    # (all respondents minus officers would be those two views).
    first = _block(html, "v_vision")
    assert "Elected members</th><td>" not in first  # two views: withheld
    bases = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', first))
    if "All respondents" in bases and "Officers" in bases:  # then members' views are K or none
        members_views = int(bases["All respondents"]) - int(bases["Officers"])
        assert members_views == 0 or members_views >= int(K), bases
    # 4. The rest of Wales would be Cardiff alone for Powys (and Powys alone for Cardiff), so
    # no rest-of-Wales figure.
    assert "(rest of Wales –)" in summary
    row = '<th scope="row">Rest of Wales</th>'
    assert row not in html and row not in cardiff

    # 3. Over time: one more member, then a withdrawal; the figures do not move.
    await _answer(api, 7005, tokens[powys_members[4]])
    summary2, html2 = await _report(api)
    # The release stays, or moves by at least K newcomers (those waiting, with this one).
    counted2 = re.search(r"Figures from (\d) responses", summary2)
    assert counted2 is not None
    moved = int(counted2[1]) - int(counted[1])
    assert moved == 0 or moved >= int(K), (summary, summary2)
    if not moved:
        assert _figures(html2) == _figures(html)
    html = html2
    member = api.phone(7001, "R7001")
    await member.send("/forget")
    await member.wait_for("withdraw")
    await member.tap(member.last.button_texts[0])  # type: ignore[union-attr]
    await member.wait_for("Done")
    _, html3 = await _report(api)

    def numbers(html: str) -> str:
        # Less the comments, which a withdrawal erases: the annex's list and the theme's
        # comment topics (their counts are of the listed comments, and tell nothing more).
        figures = re.sub(r'<ul class="comments">.*?</ul>', "", _figures(html), flags=re.S)
        return re.sub(r'<div class="comment-topics">.*?(?=</section>)', "", figures, flags=re.S)

    assert numbers(html3) == numbers(html)  # the released figures stand
    comments = set(re.findall(r"COMMENT-OF-\d+", html))
    assert set(re.findall(r"COMMENT-OF-\d+", html3)) == comments - {"COMMENT-OF-7001"}
    assert "COMMENT-OF-7005" not in html3  # the newcomer's comment waits for the release
    await datatool.stop()


async def _datatool(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``datatool ARGS`` (its ``main``, in a thread: it runs its own event loop), on the
    environment the test set; its exit status and what it wrote to stderr. (The command line
    as its own process is tested in tests/cli.)"""
    capsys.readouterr()
    status = await asyncio.to_thread(main, list(args))
    return status, capsys.readouterr().err


async def test_export_is_k_anonymous_and_erasure_erases(
    telegram: Telegram,
    datatool: InProcessBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    people: list[Person] = [("powys", "officer", f"Officer {i}", None, "CMT") for i in range(3)]
    people += [
        ("powys", "member", f"Member {i}", None, "Cabinet" if i == 0 else None) for i in range(4)
    ]
    api = telegram
    tokens = await seed_roster(datatool.db_path, people)
    await datatool.start(min_group_size=int(K), unanimity_safe_size=SAFE)
    emails = sorted(tokens)
    # The officers, then the members: figures move in steps of at least K of a group (issue 27).
    for batch in ("officer", "member"):
        await asyncio.gather(
            *(_answer(api, 7200 + n, tokens[e]) for n, e in enumerate(emails) if batch in e)
        )
    db = datatool.sqlite_path
    for _ in range(100):  # the last submission's release is made just after its thank-you
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT MAX(responses) FROM releases").fetchone() == (7,):
                break
        await asyncio.sleep(0.1)

    # 7. Erasure: the withdrawn comment is in neither the database nor its -wal file.
    phone = api.phone(7200, "R7200")
    await phone.send("/forget")
    await phone.wait_for("withdraw")
    await phone.tap(phone.last.button_texts[0])  # type: ignore[union-attr]
    await phone.wait_for("Done")
    await phone.wait_quiet()
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists():
            assert b"COMMENT-OF-7200" not in path.read_bytes(), path
    assert b"COMMENT-OF-7201" in db.read_bytes() + db.with_name(db.name + "-wal").read_bytes()
    # A stranger's /start leaves no account row, and their /forget says so truthfully.
    stranger = api.phone(7999, "Stranger")
    await stranger.send("/start")
    await stranger.wait_for(lambda m: bool(m.text))
    await stranger.send("/forget")
    await stranger.wait_for("nothing stored")
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT COUNT(*) FROM accounts WHERE telegram_id = 7999"
        ).fetchone() == (0,)
    await datatool.stop()

    # 5. The export: refused before the close, then k-anonymous, comments apart, sorted.
    out = tmp_path / "powys.csv"
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("DATATOOL_", "MIN_", "UNANIMITY_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATATOOL_DB", str(db))
    monkeypatch.setenv("MIN_GROUP_SIZE", K)
    monkeypatch.setenv("UNANIMITY_SAFE_SIZE", str(SAFE))
    status, err = await _datatool(capsys, "export", "powys", "--out", str(out))
    assert status == 1 and "when the survey closes" in err
    assert (await _datatool(capsys, "survey", "close", "powys"))[0] == 0
    status, err = await _datatool(capsys, "export", "powys", "--out", str(out))
    assert status == 0, err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and "v_barriers" not in rows[0] and "response" not in rows[0]
    classes: dict[tuple[str, str, str], int] = {}
    for r in rows:
        key = (r["group"], r["team"], r["language"])
        classes[key] = classes.get(key, 0) + 1
    assert all(n >= int(K) for n in classes.values()), classes
    assert not any(r["team"] == "Cabinet" for r in rows)  # one member: generalised
    comments = (tmp_path / "powys-comments.csv").read_text(encoding="utf-8")
    # The withdrawn comment is gone; the others are there unless, beside earlier reports, they
    # would pick out fewer than K people's comments (which depends on the steps releases took).
    assert "COMMENT-OF-7200" not in comments
    assert set(re.findall(r"COMMENT-OF-(\d+)", comments)) <= {str(7200 + n) for n in range(1, 7)}
    values = [[r[c] for c in rows[0]] for r in rows]
    assert values == sorted(values)


async def test_group_chats_get_one_line_and_nothing_else(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    tokens = await seed_roster(
        datatool.db_path, [("powys", "officer", f"Officer {i}", None, None) for i in range(3)]
    )
    await datatool.start()
    code = next(iter(tokens.values()))
    group = -424242
    await telegram.group_send(group, AUDITOR_ID, "/report powys")
    await telegram.group_send(group, 7300, f"/start {code}")
    await telegram.group_send(group, 7300, "a remark in the group")
    sent = [m for m in telegram.state.messages(group).values() if m.from_bot]
    assert len(sent) == 2  # one line per command, nothing for the remark
    for m in sent:
        assert m.document is None and "\n" not in m.text
        assert m.text.startswith("Ysgrifennwch ataf mewn sgwrs breifat")
        assert "write to me in a private chat" in m.text
    await datatool.stop()
    with sqlite3.connect(datatool.sqlite_path) as conn:
        assert conn.execute(
            "SELECT COUNT(*) FROM invitees WHERE telegram_id IS NOT NULL"
        ).fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM releases").fetchone() == (0,)
