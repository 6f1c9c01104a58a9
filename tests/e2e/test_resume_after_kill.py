"""A kill -9 of the real ``datatool run`` in the middle of a survey: after the restart the person
carries on at the question they had reached, and nothing they answered is lost or doubled."""

from __future__ import annotations

from pathlib import Path

from standin import Phone, StandIn
from tests.support.bot_process import BotProcess, Person, answer_everything, seed_roster
from tests.support.stored import Answers, answers_of

PEOPLE: list[Person] = [("powys", "officer", "Ann Jones", None, None)]


async def answers_to(db_path: Path | str, email: str) -> Answers:
    return (await answers_of(db_path, email))[1]


async def _begin(api: StandIn, user_id: int, token: str) -> Phone:
    phone = api.phone(user_id, "Ann")
    await phone.send(f"/start {token}")
    await phone.wait_for("Dewiswch")
    await phone.tap("English")
    await phone.wait_for("privacy")
    await phone.tap("Continue")
    await phone.wait_for("Question 1/")
    return phone


async def test_kill_mid_survey_and_resume(api: StandIn, bot_process: BotProcess) -> None:
    tokens = await seed_roster(bot_process.db_path, PEOPLE)
    await bot_process.start()
    phone = await _begin(api, 3001, tokens["ann.jones@powys.example"])
    for number in range(2, 6):
        await phone.tap("Agree")
        await phone.wait_for(f"Question {number}/")
    shown = phone.last
    assert shown is not None and "Question 5/" in shown.text
    await bot_process.kill()
    await bot_process.start()
    await phone.send("/start")
    again = await phone.wait_for("Question 5/")
    assert again.text.split("\n")[2] == shown.text.split("\n")[2]
    answers = await answers_to(bot_process.db_path, "ann.jones@powys.example")
    assert len(answers) == 4 and all(v == ("a", None) for v in answers.values())
    await answer_everything(phone, "en")
    await phone.tap("Submit")
    await phone.wait_for("Thank you")
