"""The glue between a respondent's stored survey and the pure flows.

Each update is: the stored state (read once, with everything else the update needs, by the
``OncePerUpdate`` middleware), one event applied with ``flows.step``, what changed stored in one
transaction (with the update's ``handled_updates`` row), and only then the next screen. So
whatever the bot has shown is already on disk, and a restart resumes from exactly what is stored.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flows import Answer, Event, Screen, Step, SurveyState, current_screen, step
from rubric.schema import Questionnaire
from storage.repository import Repository
from storage.rows import Council, Invitee, StoredAnswer, SurveyRecord


@dataclass(frozen=True)
class Respondent:
    """An invitee bound to the Telegram account that sent the update."""

    invitee: Invitee
    council: Council


@functools.lru_cache(maxsize=256)
def _chosen(choice: str | None) -> Answer:
    """A chosen (or skipped) answer: frozen, so one instance serves every state that has it."""
    return Answer.model_construct(choice=choice, text=None)


def _answer(stored: StoredAnswer) -> Answer:
    if stored.text is None:
        return _chosen(stored.choice)
    return Answer.model_construct(choice=stored.choice, text=stored.text)


def state_of(
    invitee: Invitee, record: SurveyRecord | None, answers: dict[str, StoredAnswer]
) -> SurveyState:
    """The flows' state for a stored response. Built without validating again: every field
    comes typed from storage's row models."""
    return SurveyState.model_construct(
        group=invitee.group,
        language=record.language if record else None,
        privacy_accepted=record.privacy_accepted if record else False,
        cursor=record.cursor if record else None,
        reviewing=record.reviewing if record else False,
        submitted=record.submitted if record else False,
        answers={qid: _answer(a) for qid, a in answers.items()},
    )


async def load_state(repo: Repository, invitee: Invitee) -> SurveyState:
    record, answers = await repo.survey(invitee.id)
    return state_of(invitee, record, answers)


async def apply(
    repo: Repository,
    questionnaire: Questionnaire,
    invitee: Invitee,
    event: Event,
    before: SurveyState,
    *,
    questionnaire_version: int | None = None,
    retired: frozenset[str] = frozenset(),
) -> Step:
    """Apply one event to ``before`` (the stored state, read under the person's lock) and
    persist its outcome in one transaction; returns the step. ``questionnaire_version`` is the
    version ``questionnaire`` is (None: the packaged one), pinned on a response made now;
    ``retired`` the question ids of other versions (`flows.step`)."""
    result = step(questionnaire, before, event, retired=retired)
    after = result.state
    changed = (
        result.saved
        or after.language != before.language
        or after.privacy_accepted != before.privacy_accepted
        or after.cursor != before.cursor
        or after.reviewing != before.reviewing
        or after.submitted != before.submitted
    )
    if changed:
        await repo.save_survey(
            invitee.id,
            language=after.language,
            privacy_accepted=after.privacy_accepted,
            cursor=after.cursor,
            reviewing=after.reviewing,
            submitted=after.submitted,
            answers={
                qid: StoredAnswer.model_construct(question_id=qid, choice=a.choice, text=a.text)
                for qid, a in result.saved.items()
            },
            questionnaire_version=questionnaire_version,
        )
    return result


async def where(repo: Repository, questionnaire: Questionnaire, invitee: Invitee) -> Screen:
    return current_screen(questionnaire, await load_state(repo, invitee))
