"""Issue 9's eight ways a determined reader got at one person's answers, each tried through the
real bot process (and the real `datatool` command line) against the stand-in.

MIN_GROUP_SIZE is 3 here, so that a few phones make every group large or small as needed."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import sqlite3
import subprocess
from pathlib import Path

from standin import StandIn, StoredMessage
from standin.phone import group_send
from tests.support.bot_process import (
    AUDITOR_ID,
    BotProcess,
    Person,
    datatool_command,
    question_kind,
    seed_roster,
)

K = "3"


async def _answer(api: StandIn, user_id: int, token: str, first: str = "Agree") -> None:
    """One respondent in English: `first` for the first statement, Agree for the others,
    Level 2, and a comment naming them."""
    phone = api.phone(user_id, f"R{user_id}")
    await phone.send(f"/start {token}")
    await phone.wait_for("Dewiswch")
    await phone.tap("English")
    await phone.wait_for(lambda m: bool(m.buttons) and "Dewiswch" not in m.text)
    await phone.tap("Continue")
    statements = 0
    current = await phone.wait_for(lambda m: "Question " in m.text)
    while "Check your answers" not in current.text:
        kind = question_kind(current)
        if kind == "agree":
            statements += 1
            await phone.tap(first if statements == 1 else "Agree", current)
        elif kind == "level":
            await phone.tap("Level 2", current)
        else:
            await phone.send(f"COMMENT-OF-{user_id}")

        def next_screen(m: StoredMessage, seen: int = current.message_id) -> bool:
            return m.message_id > seen and ("Question " in m.text or "Check your answers" in m.text)

        current = await phone.wait_for(next_screen)
    await phone.tap("Submit")
    await phone.wait_for("Thank you")


async def _report(api: StandIn, council: str = "powys") -> tuple[str, str]:
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
    api: StandIn, bot_process: BotProcess
) -> None:
    people: list[Person] = [("powys", "officer", f"Officer {i}", None, None) for i in range(3)]
    people += [("powys", "member", f"Member {i}", None, None) for i in range(5)]
    people += [("cardiff", "officer", "Olwen Officer", None, None)]
    people += [("cardiff", "member", f"Cardiff {i}", None, None) for i in range(3)]
    tokens = await seed_roster(bot_process.db_path, people)
    bot_process.env["MIN_GROUP_SIZE"] = K
    await bot_process.start()
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
    assert "too few gave a view" in protocols and not re.search(r"<td[^>]*>\d", protocols)
    summary, html = await _report(api)
    assert "Figures from 7 responses." in summary
    # 2. The first statement: four members, two views: withheld, and so are the officers
    # (all respondents minus officers would be those two views).
    first = _block(html, "v_vision")
    assert "Elected members</th><td colspan" in first and "too few gave a view" in first
    assert '<th scope="row">All respondents</th><td>5</td>' in first
    assert '<th scope="row">Officers</th><td>3</td>' in _block(html, "v_resource")
    # 4. The rest of Wales would be Cardiff alone for Powys (and Powys alone for Cardiff), so
    # no rest-of-Wales figure.
    assert "(rest of Wales –)" in summary
    row = '<th scope="row">Rest of Wales</th>'
    assert row not in html and row not in cardiff

    # 3. Over time: one more member, then a withdrawal; the figures do not move.
    await _answer(api, 7005, tokens[powys_members[4]])
    summary2, html2 = await _report(api)
    assert "Figures from 7 responses; 1 more since." in summary2
    assert _figures(html2) == _figures(html)
    member = api.phone(7001, "R7001")
    await member.send("/forget")
    await member.wait_for("withdraw")
    await member.tap(member.last.button_texts[0])  # type: ignore[union-attr]
    await member.wait_for("Done")
    _, html3 = await _report(api)

    def numbers(html: str) -> str:
        return re.sub(r'<ul class="comments">.*?</ul>', "", _figures(html), flags=re.S)

    assert numbers(html3) == numbers(html)  # the released figures stand
    comments = set(re.findall(r"COMMENT-OF-\d+", html))
    assert set(re.findall(r"COMMENT-OF-\d+", html3)) == comments - {"COMMENT-OF-7001"}
    assert "COMMENT-OF-7005" not in html3  # the newcomer's comment waits for the release
    await bot_process.stop()


def _datatool(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATATOOL_", "MIN_"))}
    env.update(DATATOOL_DB=str(db), MIN_GROUP_SIZE=K)
    return subprocess.run(
        [*datatool_command(), *args], env=env, capture_output=True, text=True, timeout=60
    )


async def test_export_is_k_anonymous_and_erasure_erases(
    api: StandIn, bot_process: BotProcess, tmp_path: Path
) -> None:
    people: list[Person] = [("powys", "officer", f"Officer {i}", None, "CMT") for i in range(3)]
    people += [
        ("powys", "member", f"Member {i}", None, "Cabinet" if i == 0 else None) for i in range(4)
    ]
    tokens = await seed_roster(bot_process.db_path, people)
    bot_process.env["MIN_GROUP_SIZE"] = K
    await bot_process.start()
    emails = sorted(tokens)
    await asyncio.gather(*(_answer(api, 7200 + n, tokens[e]) for n, e in enumerate(emails)))

    # 7. Erasure: the withdrawn comment is in neither the database nor its -wal file.
    phone = api.phone(7200, "R7200")
    await phone.send("/forget")
    await phone.wait_for("withdraw")
    await phone.tap(phone.last.button_texts[0])  # type: ignore[union-attr]
    await phone.wait_for("Done")
    await phone.wait_quiet()
    db = bot_process.sqlite_path
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
    await bot_process.stop()

    # 5. The export: refused before the close, then k-anonymous, comments apart, sorted.
    out = tmp_path / "powys.csv"
    refused = _datatool(db, "export", "powys", "--out", str(out))
    assert refused.returncode == 1 and "when the survey closes" in refused.stderr
    assert _datatool(db, "survey", "close", "powys").returncode == 0
    done = _datatool(db, "export", "powys", "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and "v_barriers" not in rows[0] and "response" not in rows[0]
    classes: dict[tuple[str, str, str], int] = {}
    for r in rows:
        key = (r["group"], r["team"], r["language"])
        classes[key] = classes.get(key, 0) + 1
    assert all(n >= int(K) for n in classes.values()), classes
    assert not any(r["team"] == "Cabinet" for r in rows)  # one member: generalised
    comments = (tmp_path / "powys-comments.csv").read_text(encoding="utf-8")
    assert "COMMENT-OF-7201" in comments and "COMMENT-OF-7200" not in comments
    values = [[r[c] for c in rows[0]] for r in rows]
    assert values == sorted(values)


async def test_group_chats_get_one_line_and_nothing_else(
    api: StandIn, bot_process: BotProcess
) -> None:
    tokens = await seed_roster(
        bot_process.db_path, [("powys", "officer", f"Officer {i}", None, None) for i in range(3)]
    )
    await bot_process.start()
    code = next(iter(tokens.values()))
    group = -424242
    group_send(api.state, group, AUDITOR_ID, "/report powys")
    group_send(api.state, group, 7300, f"/start {code}")
    group_send(api.state, group, 7300, "a remark in the group")
    phone = api.phone(7300, "R7300")
    await phone.wait_quiet()
    await asyncio.sleep(0.5)
    sent = [m for m in api.state.messages(group).values() if m.from_bot]
    assert len(sent) == 2  # one line per command, nothing for the remark
    for m in sent:
        assert m.document is None and "\n" not in m.text
        assert m.text.startswith("Ysgrifennwch ataf mewn sgwrs breifat")
        assert "write to me in a private chat" in m.text
    await bot_process.stop()
    with sqlite3.connect(bot_process.db_path) as conn:
        assert conn.execute(
            "SELECT COUNT(*) FROM invitees WHERE telegram_id IS NOT NULL"
        ).fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM releases").fetchone() == (0,)


async def test_a_malformed_update_is_skipped_and_its_content_never_logged(
    api: StandIn, bot_process: BotProcess
) -> None:
    await bot_process.start()
    secret = "Gwenllian-SECRET-ANSWER-42"
    # A message whose chat is not a chat: aiogram cannot parse the batch it arrives in.
    api.state.push_update(
        {
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": secret,
                "text": secret,
                "from": {"id": 7400, "is_bot": False, "first_name": secret},
            }
        }
    )
    phone = api.phone(7401, "Next")
    await phone.send("/help")
    await phone.wait_for(lambda m: bool(m.text))  # polling moved past the bad update
    await bot_process.stop()
    log = bot_process.log()
    assert "could not be read; skipped" in log
    assert secret not in log and "Gwenllian" not in log
    assert "is handled" not in log  # aiogram.event is above INFO
