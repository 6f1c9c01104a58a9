"""The access matrix: every auditor command, for several councils, from every kind of person.

One bot (the real dispatcher, in this process: tests/support/mocked_bot.py) serves the whole
matrix; each command's reply is everything the bot sent by the time it was handled, not what
came before a quiet spell. Strangers, respondents and auditors of another council
must get the one refusal, word for word the same whether the council asked about has answers,
has only invitations, has nothing, or does not exist: no document, no figures, no hint.
Full auditors (from AUDITOR_IDS or added for every council) get the summary and the document;
an auditor of Cardiff gets Cardiff and nothing of Powys.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.app import load_texts
from standin import Phone, StoredMessage
from storage.opening import open_database
from storage.repository import Repository
from tests.support.auditors import speaks_english
from tests.support.bot_process import answer_everything, seed_roster
from tests.support.mocked_bot import AUDITOR_ID, InProcessBot, Telegram

STRANGER = 7001
RESPONDENT = 7002
CARDIFF_AUDITOR = 7003
ADDED_AUDITOR = 7004  # add_auditor(id, None): every council

REPORT = ("/report", "/adroddiad")
STATUS = ("/status", "/statws")
REMIND = ("/remind", "/atgoffa")
# powys has a submitted answer set, cardiff only invitations, ceredigion nothing at all,
# atlantis does not exist and powis is a near miss that would draw suggestions.
COUNCILS = ("powys", "cardiff", "ceredigion", "atlantis", "powis")


def matrix() -> list[str]:
    """Every auditor command with every council, with no argument, and with a language."""
    commands = [f"{c} {council}" for c in (*REPORT, *STATUS, *REMIND) for council in COUNCILS]
    commands += [*REPORT, *STATUS, *REMIND]
    commands += ["/report powys en", "/report powys cy", "/adroddiad cardiff cy"]
    return commands


@dataclass
class Reply:
    command: str
    messages: list[StoredMessage]

    @property
    def texts(self) -> list[str]:
        return [m.shown for m in self.messages]

    @property
    def documents(self) -> list[StoredMessage]:
        return [m for m in self.messages if m.document is not None]


async def ask(telegram: Telegram, phone: Phone, command: str, *, expect: int = 1) -> Reply:
    """Sends one command and returns everything the bot said to this phone in reply (it has
    all been said when the send returns): exactly ``expect`` messages."""
    mark = telegram.state.seq
    await phone.send(command)
    said = [m for m in phone.bot_messages if m.seq > mark]
    assert len(said) == expect, (phone.user_id, command, [m.shown[:80] for m in said])
    return Reply(command, said)


async def _bind_and_submit(api: Telegram, token: str) -> Phone:
    phone = api.phone(RESPONDENT, "Rhian", language_code="cy")
    await phone.send(f"/start {token}")
    await phone.wait_for("Dewiswch")
    await phone.tap("Cymraeg")
    await phone.wait_for(lambda m: bool(m.buttons) and "Dewiswch" not in m.text)
    await phone.tap("Parhau")
    await answer_everything(phone, "cy")
    await phone.tap("Cyflwyno")
    await phone.wait_for("Diolch")
    await phone.wait_quiet()
    return phone


async def _refused_everything(api: Telegram, phone: Phone, refusal: str) -> None:
    before = len(phone.documents)
    replies = [await ask(api, phone, command) for command in matrix()]
    for reply in replies:
        assert reply.texts == [refusal], (phone.user_id, reply.command, reply.texts)
    assert len(phone.documents) == before


async def test_access_matrix(telegram: Telegram, datatool: InProcessBot) -> None:
    api = telegram
    tokens = await seed_roster(
        datatool.db_path,
        [
            ("powys", "officer", "Rhian Morgan", "cy", "CMT"),
            ("powys", "officer", "Owen Price", None, "CMT"),
            ("cardiff", "officer", "Sara Jones", None, "Finance"),
            ("cardiff", "member", "Dai Evans", None, None),
        ],
    )
    async with await open_database(datatool.db_path) as db:
        repo = Repository(db)
        cardiff = await repo.find_council("cardiff")
        assert cardiff is not None
        assert await repo.add_auditor(CARDIFF_AUDITOR, cardiff.id)
        assert await repo.add_auditor(ADDED_AUDITOR, None)
    await datatool.start()
    respondent = await _bind_and_submit(api, tokens["rhian.morgan@powys.example"])

    texts = load_texts()
    refusal = {lang: texts(lang, "auditor.denied") for lang in ("en", "cy")}
    assert refusal["en"] != refusal["cy"]
    stranger = api.phone(STRANGER, "Stranger", language_code="en")
    cardiff_auditor = await speaks_english(api.phone(CARDIFF_AUDITOR, "Cardiff"))

    # Strangers (language unknown: both, Welsh first) and respondents (in their own language)
    # learn nothing, whatever they ask.
    await asyncio.gather(
        _refused_everything(api, stranger, texts.both("auditor.denied")),
        _refused_everything(api, respondent, refusal["cy"]),
        _cardiff_auditor(api, cardiff_auditor, refusal["en"]),
    )
    # No document was even sent their way (not one Telegram refused either).
    refused = {str(STRANGER), str(RESPONDENT)}
    assert not [c for c in api.calls_to("sendDocument") if str(c.params["chat_id"]) in refused]
    full = [
        await speaks_english(api.phone(AUDITOR_ID, "Auditor", language_code="en")),
        await speaks_english(api.phone(ADDED_AUDITOR, "Added", language_code="en")),
    ]
    await asyncio.gather(*(_full_auditor(api, phone, refusal) for phone in full))


async def _cardiff_auditor(api: Telegram, phone: Phone, refusal: str) -> None:
    """Cardiff, all of it; Powys and Ceredigion, the same refusal a stranger gets."""
    for command in (*REPORT, *STATUS, *REMIND):
        for council in ("powys", "ceredigion"):
            reply = await ask(api, phone, f"{command} {council}")
            assert reply.texts == [refusal], (reply.command, reply.texts)

    for command in REPORT:
        reply = await ask(api, phone, f"{command} cardiff html", expect=2)
        assert "Cardiff" in reply.texts[0] and refusal not in reply.texts
        [document] = reply.documents
        assert document.document is not None
        assert document.document.file_name.startswith("datatool-cardiff-")
        assert "Powys" not in document.document.data.decode()
    for command in STATUS:
        reply = await ask(api, phone, f"{command} cardiff")
        assert "Cardiff" in reply.texts[0] and not reply.documents
        everything = await ask(api, phone, command)
        assert "Cardiff" in everything.texts[0]
        assert all("Powys" not in t for t in everything.texts)
    for command in REMIND:
        reply = await ask(api, phone, f"{command} cardiff", expect=2)
        assert all("Cardiff" in t for t in reply.texts), reply.texts
        assert refusal not in reply.texts
    # An unknown name is answered as unknown, and the suggestions hold only Cardiff's council.
    for command in (*REPORT, *STATUS, *REMIND):
        reply = await ask(api, phone, f"{command} powis")
        assert not reply.documents
        assert all("Powys" not in t and "powys" not in t for t in reply.texts), reply.texts
    assert all(d.file_name.startswith("datatool-cardiff-") for d in phone.documents)


async def _full_auditor(api: Telegram, phone: Phone, refusal: dict[str, str]) -> None:
    for command in REPORT:
        for council, name in (("powys", "Powys County Council"), ("cardiff", "Cardiff")):
            # HTML here (cheap); the PDF is /report's default, asked for below.
            reply = await ask(api, phone, f"{command} {council} html", expect=2)
            assert name in reply.texts[0], reply.texts
            [document] = reply.documents
            assert document.document is not None
            assert document.document.file_name.startswith(f"datatool-{council}-")
            assert "<html" in document.document.data.decode().lower()
    welsh = await ask(api, phone, "/report powys cy", expect=2)
    assert "Cyngor Sir Powys" in welsh.texts[0] and len(welsh.documents) == 1
    assert welsh.documents[0].document is not None
    assert welsh.documents[0].document.data.startswith(b"%PDF-")

    for command in STATUS:
        reply = await ask(api, phone, f"{command} powys")
        assert "Powys" in reply.texts[0] and "Cardiff" not in reply.texts[0]
        everything = await ask(api, phone, command)
        joined = "\n".join(everything.texts)
        assert "Powys" in joined and "Cardiff" in joined
    for command in REMIND:
        reply = await ask(api, phone, f"{command} powys", expect=2)
        assert all("Powys" in t for t in reply.texts), reply.texts
    for command in (*REPORT, *STATUS, *REMIND):
        reply = await ask(api, phone, f"{command} atlantis")
        assert not reply.documents and "atlantis" in reply.texts[0]
        assert refusal["en"] not in reply.texts
