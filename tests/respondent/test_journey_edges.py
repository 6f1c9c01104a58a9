"""What phones and people really do: wrong codes, stray text, old buttons, double taps, a language
switch, going back, changing an answer, withdrawing, a survey not open yet or closed; through the
real dispatcher in this process. (A kill -9 in the middle of a survey, and the resume after it,
is tests/e2e/test_resume_after_kill.py.)"""

from __future__ import annotations

from pathlib import Path

from rubric.loader import load_questionnaire
from standin import Phone
from storage.opening import open_database
from tests.support.bot_process import Person, answer_everything, seed_roster
from tests.support.mocked_bot import InProcessBot, Telegram
from tests.support.stored import Answers, answers_of

PEOPLE: list[Person] = [
    ("powys", "officer", "Ann Jones", None, None),
    ("powys", "member", "Ifan Rees", "cy", None),
]


async def answers_to(db_path: Path | str, email: str) -> Answers:
    return (await answers_of(db_path, email))[1]


async def _begin(telegram: Telegram, user_id: int, token: str, lang: str = "en") -> Phone:
    phone = telegram.phone(user_id, "Ann")
    await phone.send(f"/start {token}")
    await phone.wait_for("Dewiswch")
    await phone.tap("English" if lang == "en" else "Cymraeg")
    await phone.wait_for("privacy" if lang == "en" else "preifatrwydd")
    await phone.tap("Continue" if lang == "en" else "Parhau")
    await phone.wait_for("Question 1/" if lang == "en" else "Cwestiwn 1 o")
    return phone


async def test_codes_wrong_taken_or_missing(telegram: Telegram, datatool: InProcessBot) -> None:
    tokens = await seed_roster(datatool.db_path, PEOPLE)
    await datatool.start()
    stranger = telegram.phone(2001, "Eve")
    await stranger.send("/start")
    no_code = await stranger.wait_for("personal link")
    assert no_code.text.index("ddolen bersonol") < no_code.text.index(
        "personal link"
    )  # Welsh first
    await stranger.send("/start not-a-real-code")
    await stranger.wait_for("don't recognise")
    await stranger.send("/start " + "x" * 300)
    await stranger.wait_for("don't recognise")
    await stranger.send("hello?")
    await stranger.wait_for("invitation")

    owner = telegram.phone(2002, "Ann")
    await owner.send(f"/start {tokens['ann.jones@powys.example']}")
    await owner.wait_for("Dewiswch")
    await stranger.send(f"/start {tokens['ann.jones@powys.example']}")
    taken = await stranger.wait_for("another Telegram account")
    assert "Ann" not in taken.text and "ann.jones" not in taken.text


async def test_stray_text_old_buttons_double_taps_forgery(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    tokens = await seed_roster(datatool.db_path, PEOPLE)
    await datatool.start()
    phone = await _begin(telegram, 4001, tokens["ann.jones@powys.example"])
    first = phone.last
    assert first is not None

    await phone.send("I think so")  # typed where a button is expected
    hint = await phone.wait_for("one of the buttons")
    assert hint is not None
    await phone.wait_for("Question 1/")

    await phone.tap("Strongly agree", first)
    await phone.wait_for("Question 2/")
    record = next(m for m in phone.bot_messages if m.message_id == first.message_id)
    assert "Your answer: Strongly agree" in record.text and not record.buttons

    # A second tap on question 1 after it moved on (double tap delivered late): nothing changes.
    second = phone.last
    assert second is not None
    query = await telegram.forge_tap(phone, "a:v_vision:sd")
    assert telegram.answered_tap(query) is not None
    query = await telegram.forge_tap(phone, "a:v_vision:sa")
    assert "Already saved" in (telegram.answered_tap(query) or "")

    # Forged data: unknown question, unknown option, garbage, an over-long id.
    for data in ("a:nope:a", "a:v_resource:zz", "zzz", "n:evil:x", "a:" + "q" * 40 + ":a", "l:fr"):
        query = await telegram.forge_tap(phone, data)
        assert telegram.answered_tap(query) is not None
    await phone.wait_quiet()
    answers = await answers_to(datatool.db_path, "ann.jones@powys.example")
    assert answers == {"v_vision": ("sa", None)}

    # Two taps on the same button within a few milliseconds: stored once, one next question.
    async with telegram.held():
        await phone.tap("Agree", second)
        await phone.tap("Agree", second)
    await phone.wait_for("Question 3/")
    await phone.wait_quiet()
    question_3 = [m for m in phone.bot_messages if "Question 3/" in m.text]
    assert len(question_3) == 1
    assert (await answers_to(datatool.db_path, "ann.jones@powys.example"))["v_resource"] == (
        "a",
        None,
    )


async def test_language_switch_back_change_and_forget(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    tokens = await seed_roster(datatool.db_path, PEOPLE)
    await datatool.start()
    phone = await _begin(telegram, 5001, tokens["ann.jones@powys.example"])
    await phone.tap("Agree")
    await phone.wait_for("Question 2/")
    await phone.send("/iaith")
    await phone.wait_for("Dewiswch")
    await phone.tap("Cymraeg")
    await phone.wait_for("Cwestiwn 2 o")
    await phone.tap("Yn ôl")
    back = await phone.wait_for("Cwestiwn 1 o")
    assert "✓ Cytuno" in back.button_texts  # the stored answer is marked
    await phone.tap("Anghytuno")
    await phone.wait_for("Cwestiwn 2 o")
    assert (await answers_to(datatool.db_path, "ann.jones@powys.example"))["v_vision"] == (
        "d",
        None,
    )

    # A comment over the limit is refused with the limit stated, and the short one is kept.
    await answer_everything(phone, "cy", comment="Sylw byr.")
    position = [q.id for q in load_questionnaire().questions_for("officer")].index("v_barriers")
    await phone.tap(str(position + 1))
    await phone.wait_for(f"Cwestiwn {position + 1} o")
    await phone.send("x" * 2001)
    refusal = await phone.wait_for("2,000")
    assert "2,001" in refusal.text and "nod" in refusal.text
    assert (await answers_to(datatool.db_path, "ann.jones@powys.example"))["v_barriers"] == (
        None,
        "Sylw byr.",
    )

    await phone.send("/anghofio")
    await phone.wait_for("Ydych chi am dynnu'n ôl")
    await phone.tap("Dileu fy atebion")
    await phone.wait_for("wedi'u dileu")
    assert await answers_to(datatool.db_path, "ann.jones@powys.example") == {}
    await phone.send("/start")
    await phone.wait_for("ddolen bersonol")


async def test_review_change_then_submit(telegram: Telegram, datatool: InProcessBot) -> None:
    tokens = await seed_roster(datatool.db_path, PEOPLE)
    await datatool.start()
    phone = await _begin(telegram, 6001, tokens["ann.jones@powys.example"])
    await answer_everything(phone, "en", comment="<b>bold</b> & <script>")
    review = phone.last
    assert (
        review is not None
        and "&lt;b&gt;" not in review.text
        and "<b>bold</b> & <script>" in review.text
    )
    await phone.tap("2", review)
    await phone.wait_for("Question 2/")
    await phone.tap("Disagree")
    again = await phone.wait_for("Check your answers")
    assert "Disagree" in again.text
    await phone.tap("Submit", again)
    await phone.wait_for("Thank you")
    submitted_review = next(m for m in phone.bot_messages if m.message_id == again.message_id)
    assert not submitted_review.buttons  # no second Submit to tap
    await phone.send("more thoughts")
    await phone.wait_for(lambda m: "already submitted" in m.text or "Thank you" in m.text)
    answers = await answers_to(datatool.db_path, "ann.jones@powys.example")
    assert answers["v_resource"] == ("d", None)


async def test_survey_window_not_yet_open_then_closed(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    from datetime import date, timedelta

    from storage.repository import Repository

    tokens = await seed_roster(datatool.db_path, PEOPLE)
    async with await open_database(datatool.db_path) as db:
        repo = Repository(db)
        powys = await repo.find_council("powys")
        assert powys is not None
        opens = date.today() + timedelta(days=10)
        await repo.set_window(powys.id, opens + timedelta(days=20), opens)
    await datatool.start()
    phone = telegram.phone(7001, "Ifan")
    await phone.send(f"/start {tokens['ifan.rees@powys.example']}")
    early = await phone.wait_for(opens.isoformat())
    assert "yn agor ar" in early.text and "opens on" in early.text  # language not known yet
    async with await open_database(datatool.db_path) as db:
        await Repository(db).close_survey(powys.id)
    await phone.send("/start")
    closed = await phone.wait_for("wedi cau")
    assert "is closed" in closed.text  # both languages while the person has not chosen one
