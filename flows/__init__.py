"""flows: the survey conversation as pure logic (no Telegram, no SQL, no I/O).

``flows.survey.step(questionnaire, state, event) -> Step`` is the one transition function;
``flows.survey.current_screen`` says where a (possibly rebuilt) state stands.
"""

from flows import survey
from flows.survey import *  # noqa: F403 - the package's API is flows.survey's

__all__ = survey.__all__
