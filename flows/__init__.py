"""flows: the survey conversation as pure logic (no Telegram, no SQL, no I/O).

``flows.conversation.step(questionnaire, state, event) -> Step`` is the one transition function;
``flows.conversation.current_screen`` says where a (possibly rebuilt) state stands.
"""

from flows import conversation
from flows.conversation import *  # noqa: F403 - the package's API is flows.conversation's

__all__ = conversation.__all__
