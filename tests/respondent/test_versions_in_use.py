"""Versions in use (issue 25): a response is pinned to the questionnaire version it was made
under, and the person answers that version to the end, whatever is imported meanwhile; someone
who starts later answers the newest; a tap naming a question their version lacks is stale. On
SQLite and on PostgreSQL, through the real dispatcher in this process."""

from __future__ import annotations

from rubric.loader import load_questionnaire
from rubric.schema import Questionnaire
from standin.phone import Phone
from storage.opening import open_database
from storage.repository import Repository
from tests.support.bot_process import seed_roster
from tests.support.mocked_bot import InProcessBot, Telegram


def reworded(first: str, version: str, *, drop: str | None = None) -> Questionnaire:
    """The packaged questionnaire with its first statement reworded (both languages) and,
    with ``drop``, one statement removed."""
    raw = load_questionnaire().model_dump(mode="json")
    raw["version"] = version
    raw["questions"][0]["text"] = {"en": f"{first} (en)", "cy": f"{first} (cy)"}
    if drop is not None:
        raw["questions"] = [q for q in raw["questions"] if q["id"] != drop]
        for theme in raw.get("themes", []):
            if drop in theme.get("questions", []):
                theme["questions"].remove(drop)
    return Questionnaire.model_validate(raw)


async def add_version(db_path: object, questionnaire: Questionnaire) -> int:
    async with await open_database(db_path) as db:  # type: ignore[arg-type]
        return await Repository(db).add_questionnaire_version(questionnaire)


async def pinned(db_path: object, email: str) -> int | None:
    async with await open_database(db_path) as db:  # type: ignore[arg-type]
        row = await db.fetchone(
            "SELECT r.questionnaire_version FROM responses r"
            " JOIN invitees i ON i.id = r.invitee_id WHERE i.email = ?",
            (email,),
        )
    assert row is not None
    return None if row[0] is None else int(row[0])


async def start_in_english(telegram: Telegram, user_id: int, name: str, code: str) -> Phone:
    """A person binds their code, chooses English and passes the privacy notice."""
    phone = telegram.phone(user_id, name)
    await phone.send(f"/start {code}")
    await phone.wait_for("Dewiswch eich iaith")
    await phone.tap("English")
    await phone.wait_for("Your privacy")
    await phone.tap("Continue")
    return phone


async def test_a_response_answers_its_own_version_to_the_end(
    telegram: Telegram, any_datatool: InProcessBot
) -> None:
    tokens = await seed_roster(
        any_datatool.db_path,
        [
            ("powys", "officer", "Ann Jones", None, None),
            ("powys", "officer", "Bob Hill", None, None),
        ],
    )
    second = await add_version(any_datatool.db_path, reworded("Second wording", "2027.1"))
    await any_datatool.start()
    ann = await start_in_english(telegram, 1001, "Ann", tokens["ann.jones@powys.example"])
    await ann.wait_for("Second wording (en)")
    assert await pinned(any_datatool.db_path, "ann.jones@powys.example") == second

    # A newer version, without the second statement: Ann keeps hers, Bob starts on it.
    third = await add_version(
        any_datatool.db_path, reworded("Third wording", "2027.2", drop="v_resource")
    )
    await ann.tap(ann.last.button_texts[0])  # type: ignore[union-attr]
    asked = await ann.wait_for("Your council treats data as a key resource")
    assert "Third wording" not in " ".join(m.text for m in ann.bot_messages)
    assert asked is not None

    bob = await start_in_english(telegram, 1002, "Bob", tokens["bob.hill@powys.example"])
    await bob.wait_for("Third wording (en)")
    assert await pinned(any_datatool.db_path, "bob.hill@powys.example") == third

    # Bob's version has no v_resource: a tap naming it is stale, and nothing is stored.
    last = bob.last
    assert last is not None
    answered = await telegram.forge_tap(bob, "a:v_resource:a", last)
    assert "no longer current" in (telegram.answered_tap(answered) or "")
    async with await open_database(any_datatool.db_path) as db:
        rows = await db.fetchall(
            "SELECT a.question_id FROM answers a JOIN responses r ON r.id = a.response_id"
            " JOIN invitees i ON i.id = r.invitee_id WHERE i.email = ?",
            ("bob.hill@powys.example",),
        )
    assert [r[0] for r in rows] == []


def test_the_export_keeps_every_versions_questions() -> None:
    """The export's columns: the answered version's questions, then every other version's it
    lacks, so a question a later version removed keeps its column."""
    from bot.cli.reports import export_columns

    packaged = load_questionnaire()
    without = reworded("Later", "2027.2", drop="v_resource")
    columns = export_columns(without, [without], packaged)
    assert "v_resource" in columns and columns.index("v_resource") == len(columns) - 1
    assert columns[:-1] == [q.id for q in without.questions if q.kind != "text"]
