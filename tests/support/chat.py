"""Reading a simulated phone's chat the way a person would: which question a message asks,
the newest question, the review; and the opening steps every journey shares."""

from __future__ import annotations

from rubric.loader import load_questionnaire
from standin import Phone, StoredMessage

QUESTIONS = [q.id for q in load_questionnaire().questions_for("officer")]
KINDS = {q.id: q.kind for q in load_questionnaire().questions_for("officer")}
OPTIONS = {"agree": ["sa", "a", "n", "d", "sd", "dk"], "level": ["1", "2", "3"]}
REVIEW = "Check your answers"
ENGLISH_SCREEN_WORDS = (
    "Question",
    "Your answer",
    "Back",
    "Submit",
    "Thank you",
    "Continue",
    "Agree",
    "Skip",
)
"""Words of the English survey screens that no Welsh screen has."""


# --- reading the chat -----------------------------------------------------------------------


def asked(message: StoredMessage) -> str | None:
    """The question a bot message asks, read from its buttons' callback data (None if none)."""
    for row in message.buttons:
        for _, data in row:
            if data and data.startswith("a:"):
                return data.split(":")[1]
            if data and data.startswith(("n:back:", "n:skip:")):
                return data.split(":")[2]
    return None


def question_after(qid: str) -> str | None:
    index = QUESTIONS.index(qid) + 1
    return QUESTIONS[index] if index < len(QUESTIONS) else None


def current_question(phone: Phone) -> StoredMessage | None:
    """The bot's newest message that asks a question (buttons still on it)."""
    for message in reversed(phone.bot_messages):
        if asked(message) is not None:
            return message
    return None


def shows(message: StoredMessage, qid: str | None) -> bool:
    return (REVIEW in message.text) if qid is None else asked(message) == qid


async def begin(phone: Phone, code: str) -> StoredMessage:
    """Open the invitation, choose English, accept the privacy notice: the first question."""
    await phone.send(f"/start {code}")
    await phone.wait_for("Dewiswch eich iaith", timeout=15)
    await phone.tap("English")
    await phone.wait_for("Your privacy", timeout=15)
    await phone.tap("Continue")
    return await phone.wait_for(lambda m: asked(m) == QUESTIONS[0], timeout=15)
