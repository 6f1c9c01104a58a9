"""The one journey through the real ``datatool run`` process and the stand-in over HTTP: a
respondent answers everything and submits, and the process's log holds none of it.

Everything else a respondent or an auditor can do is tested in this process, through the same
dispatcher (tests/respondent, tests/auditor); this is what only the process shows: it starts,
registers its menus, polls, answers over HTTP, stops cleanly on SIGTERM, and its log (which may
be shipped to places the survey's personal data may not go) holds no answers, comments, names,
emails, Telegram names or invitation codes."""

from __future__ import annotations

from pathlib import Path

from standin import StandIn
from tests.support.bot_process import BotProcess, answer_everything, seed_roster
from tests.support.stored import answers_of

COMMENT = "PURPLE-ELEPHANT-7731 our data is kept in spreadsheets"


async def test_the_journey_through_the_process_and_a_log_without_personal_data(
    api: StandIn, tmp_path: Path
) -> None:
    process = BotProcess(api=api, db_path=tmp_path / "datatool.sqlite3", workdir=tmp_path)
    tokens = await seed_roster(
        process.db_path, [("powys", "officer", "Zebedee Quillfeather", None, "CMT")]
    )
    code = tokens["zebedee.quillfeather@powys.example"]
    await process.start()
    try:
        phone = api.phone(
            4242, "Xanthippe", language_code="en", username="secret_handle", last_name="Obscura"
        )
        await phone.send(f"/start {code}")
        choose = await phone.wait_for("Dewiswch eich iaith")
        assert choose.button_texts == ["Cymraeg", "English"]
        await phone.tap("English")
        privacy = await phone.wait_for("Your privacy")
        assert "Powys County Council" in privacy.text
        await phone.tap("Continue")
        asked = await answer_everything(phone, "en", comment=COMMENT)
        review = phone.last
        assert review is not None and "Submit" in review.button_texts
        await phone.tap("Submit")
        await phone.wait_for("Thank you")
        await phone.send("a stray remark MAGENTA-GIRAFFE")
        await phone.send("/start someone-elses-code-QWERTY")
        await phone.wait_quiet()
        menus = {c.params.get("language_code"): c.params for c in api.calls_to("setMyCommands")}
        assert set(menus) == {None, "cy"}
        assert "iaith" in str(menus["cy"]["commands"])
        assert "language" in str(menus[None]["commands"])
    finally:
        assert await process.stop() == 0
    submitted, answers = await answers_of(process.db_path, "zebedee.quillfeather@powys.example")
    assert submitted
    assert len(answers) == asked
    assert answers["v_resource"] == ("a", None)
    assert answers["v_barriers"] == (None, COMMENT)

    log = process.log()
    assert "polling for updates" in log, "the log is empty: nothing was checked"
    for secret in (
        "PURPLE-ELEPHANT",
        "spreadsheets",
        "MAGENTA-GIRAFFE",
        "QWERTY",
        "Zebedee",
        "Quillfeather",
        "zebedee.quillfeather",
        "@powys.example",
        "Xanthippe",
        "Obscura",
        "secret_handle",
        code,
    ):
        assert secret.lower() not in log.lower(), f"{secret!r} is in the bot's log"
    # Nor any answer: the option labels a person chose.
    for label in ("Strongly agree", "Level 2", "'a'", "choice="):
        assert label not in log, label
