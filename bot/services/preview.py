"""An auditor trying a questionnaire version in their own chat before it is published
(``/preview N``): the respondent journey (`flows.step`) on that version, with its answers kept
in this process's memory, one preview per chat, and nowhere else.

Nothing of a preview reaches the database: no response, no answer, no release, no report
counts it, so a draft can be tried as often as wanted while a survey runs. A preview ends with
``/preview stop``, when its review is submitted, or when the process stops (it is a try-out,
so losing one on a restart costs nothing; with several workers behind one webhook, a tap
handled by another worker finds no preview and is answered as any stray tap is).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flows import Event, Step, SurveyState, step
from rubric.schema import Group, Lang, Questionnaire

STOP = ("stop", "stopio")
"""The word after /preview that ends it, in either language."""


@dataclass(frozen=True)
class Preview:
    """One chat's preview: which version, as which audience, and where the auditor is."""

    number: int
    draft: bool
    questionnaire: Questionnaire
    state: SurveyState

    @property
    def lang(self) -> Lang | None:
        return self.state.language


@dataclass(frozen=True)
class PreviewRequest:
    """What ``/preview`` asked: stop, or a version (None: the newest draft) and a group (None:
    the version's first audience)."""

    stop: bool = False
    number: int | None = None
    group: Group | None = None
    bad: str | None = None
    """A word that is neither a number nor an audience's name (said back as typed)."""


def parse_request(args: str | None) -> PreviewRequest:
    words = (args or "").split()
    if words and words[0].lower() in STOP:
        return PreviewRequest(stop=True)
    number: int | None = None
    group: str | None = None
    for word in words:
        if word.isdigit() and number is None:
            number = int(word)
        elif group is None and not word.isdigit():
            group = word.lower()
        else:
            return PreviewRequest(bad=word)
    return PreviewRequest(number=number, group=group)


def begin(
    number: int, draft: bool, questionnaire: Questionnaire, group: Group, lang: Lang | None
) -> Preview:
    """A preview at its start: the language screen unless the auditor's language is known."""
    return Preview(number, draft, questionnaire, SurveyState(group=group, language=lang))


class Previews:
    """The previews running in this process, by chat (the dispatcher's ``previews``)."""

    def __init__(self) -> None:
        self._by_chat: dict[int, Preview] = {}

    def get(self, chat_id: int) -> Preview | None:
        return self._by_chat.get(chat_id)

    def start(self, chat_id: int, preview: Preview) -> None:
        """Starts a preview, replacing the chat's earlier one."""
        self._by_chat[chat_id] = preview

    def stop(self, chat_id: int) -> Preview | None:
        return self._by_chat.pop(chat_id, None)

    def apply(self, chat_id: int, event: Event) -> tuple[Preview, Step] | None:
        """One event of the journey on the chat's preview (None: no preview here). A submitted
        preview has ended: it is taken away, and the step says so (``state.submitted``)."""
        preview = self._by_chat.get(chat_id)
        if preview is None:
            return None
        result = step(preview.questionnaire, preview.state, event)
        preview = replace(preview, state=result.state)
        if result.state.submitted:
            self._by_chat.pop(chat_id, None)
        else:
            self._by_chat[chat_id] = preview
        return preview, result
