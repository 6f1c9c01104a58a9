"""Auditors get the report and the status through the real dispatcher (in this process); nobody
else learns anything."""

from __future__ import annotations

import asyncio

from tests.support.bot_process import Person, answer_everything, seed_roster
from tests.support.mocked_bot import AUDITOR_ID, InProcessBot, Telegram


async def _finish(api: Telegram, user_id: int, token: str, lang: str) -> None:
    phone = api.phone(user_id, f"R{user_id}")
    await phone.send(f"/start {token}")
    await phone.wait_for("Dewiswch")
    await phone.tap("English" if lang == "en" else "Cymraeg")
    await phone.wait_for(lambda m: bool(m.buttons) and "Dewiswch" not in m.text)
    await phone.tap("Continue" if lang == "en" else "Parhau")
    await answer_everything(phone, lang)  # type: ignore[arg-type]
    await phone.tap("Submit" if lang == "en" else "Cyflwyno")
    await phone.wait_for("Thank you" if lang == "en" else "Diolch")


async def test_report_reaches_auditors_only(telegram: Telegram, datatool: InProcessBot) -> None:
    api = telegram
    people: list[Person] = [("powys", "officer", f"Officer {i}", None, "CMT") for i in range(6)]
    people += [("powys", "member", f"Member {i}", None, None) for i in range(8)]
    tokens = await seed_roster(datatool.db_path, people)
    await datatool.start()
    emails = sorted(tokens)
    await asyncio.gather(
        *(
            _finish(api, 5000 + n, tokens[e], "en" if n % 2 else "cy")
            for n, e in enumerate(emails[:12])
        )
    )

    auditor = api.phone(AUDITOR_ID, "Auditor", language_code="en")
    # Neither the command nor the bot knows the auditor's language: both reports, Welsh first.
    await auditor.send("/report powys html")
    both = await auditor.wait_for(lambda m: len(auditor.documents) == 2)
    assert both is not None
    first, second = auditor.documents
    assert 'lang="cy"' in first.data.decode() and 'lang="en"' in second.data.decode()
    await auditor.wait_quiet()

    await auditor.send("/report powys en")
    summary = await auditor.wait_for("Powys County Council")
    assert "Officers" in summary.text and "Elected Members" in summary.text
    document = await auditor.wait_for(lambda m: m.document is not None)
    assert document.document is not None
    assert document.document.file_name.startswith("datatool-powys-")
    assert document.document.file_name.endswith(".pdf")
    assert document.document.data.startswith(b"%PDF-")

    await auditor.send("/report powys cy html")
    welsh = await auditor.wait_for("Cyngor Sir Powys")
    assert "Swyddogion" in welsh.text
    doc_cy = await auditor.wait_for(
        lambda m: m.document is not None and m.message_id > welsh.message_id
    )
    assert doc_cy.document is not None and doc_cy.document.file_name.endswith(".html")
    html = doc_cy.document.data.decode()
    assert "<script" not in html.lower()
    assert 'lang="cy"' in html

    await auditor.send("/report powis")
    suggestion = await auditor.wait_for("powys")
    assert "Powys" in suggestion.text

    await auditor.send("/status powys")
    status = await auditor.wait_for("Powys")
    assert "12" in status.text and "14" in status.text

    respondent = api.phone(5000)
    stranger = api.phone(777, "Stranger")
    for phone in (respondent, stranger):
        await phone.send("/report powys")
        refusal = await phone.wait_for(lambda m: True)
        assert refusal.document is None
        assert "Powys" not in refusal.text and "%" not in refusal.text
        await phone.send("/status")
        refusal = await phone.wait_for(lambda m: True)
        assert "Powys" not in refusal.text
        await phone.wait_quiet()
        assert not phone.documents
