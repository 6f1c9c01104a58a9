"""People who answer the whole survey however often the bot under them is killed: each step is
retried as a person would (typing /start to carry on) when no answer comes."""

from __future__ import annotations

from collections.abc import Callable

from standin import Phone, StoredMessage
from tests.support.chat import KINDS, OPTIONS, REVIEW, asked, begin, current_question

__all__ = ["begin", "finish_survey", "typed"]


def typed(phone: Phone, qid: str) -> str:
    """The text a person types for question ``qid``: it names the question, so an answer
    applied to the wrong question shows."""
    return f"note from {phone.user_id} on {qid}"


async def finish_survey(phone: Phone, rand: Callable[[], float], *, wait: float = 8.0) -> None:
    """Answers every question and submits; returns once the bot said thank you."""
    while True:
        last = phone.last
        if last is not None and "Thank you" in last.text:
            return
        try:
            if last is not None and REVIEW in last.text and "Submit" in last.button_texts:
                await phone.tap("Submit", last)
                await phone.wait_for("Thank you", timeout=wait)
                continue
            message = current_question(phone)
            if message is None:
                raise TimeoutError
            qid = asked(message)
            assert qid is not None
            if KINDS[qid] == "text":
                await phone.send(typed(phone, qid))
            else:
                options = OPTIONS[KINDS[qid]]
                choice = options[int(rand() * len(options))]
                await phone.tap(f"a:{qid}:{choice}", message)

            def moved_on(m: StoredMessage, qid: str = qid) -> bool:
                return REVIEW in m.text or asked(m) not in (None, qid)

            await phone.wait_for(moved_on, timeout=wait)
        except (TimeoutError, LookupError):
            # No answer (the bot was down), or the question's buttons were gone: carry on.
            await phone.send("/start")
            try:
                await phone.wait_for(lambda m: asked(m) is not None or REVIEW in m.text, wait)
            except TimeoutError:
                continue
