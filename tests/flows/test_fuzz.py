"""Random conversations (hypothesis stateful): taps on old and forged buttons, typing anywhere,
language switches and resumes from a state rebuilt as the database would hold it."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from flows.conversation import (
    MAX_TEXT,
    AcceptPrivacy,
    Answer,
    AskScreen,
    Back,
    Change,
    Choose,
    ChooseLanguage,
    DoneScreen,
    Event,
    LanguageScreen,
    PrivacyScreen,
    Resume,
    ReviewScreen,
    ShowReview,
    Skip,
    Submit,
    SurveyState,
    Type,
    current_screen,
    step,
)
from rubric.schema import GROUPS, Group
from tests.flows.test_flows import sample_questionnaire

Q = sample_questionnaire()
QUESTION_IDS = [*(qu.id for qu in Q.questions), "nope", "", "@privacy"]
OPTION_IDS = [*sorted({o.id for s in Q.scales.values() for o in s.options}), "zz", ""]
TEXTS = st.one_of(
    st.sampled_from(["", "   ", "\n", "Iawn", "  ok  ", "x" * MAX_TEXT, "x" * (MAX_TEXT + 1)]),
    st.text(max_size=30),
)

ANY_EVENT: st.SearchStrategy[Event] = st.one_of(
    st.builds(ChooseLanguage, lang=st.sampled_from(["en", "cy"])),
    st.just(AcceptPrivacy()),
    st.builds(
        Choose, question_id=st.sampled_from(QUESTION_IDS), option_id=st.sampled_from(OPTION_IDS)
    ),
    st.builds(Type, text=TEXTS),
    st.builds(Skip, question_id=st.sampled_from(QUESTION_IDS)),
    st.builds(Back, question_id=st.sampled_from(QUESTION_IDS)),
    st.just(ShowReview()),
    st.builds(Change, question_id=st.sampled_from(QUESTION_IDS)),
    st.just(Submit()),
    st.just(Resume()),
)


class Conversation(RuleBasedStateMachine):
    """One respondent; ``store`` is what the bot would have written from every ``saved``."""

    def __init__(self) -> None:
        super().__init__()
        self.group: Group = "officer"
        self.state = SurveyState(group=self.group)
        self.store: dict[str, Answer] = {}
        self.accepted: dict[str, Answer] = {}
        """The last answer each question accepted (an event with no notice)."""
        self.last_event: Event = Resume()

    @initialize(group=st.sampled_from(GROUPS))
    def begin(self, group: Group) -> None:
        self.group = group
        self.state = SurveyState(group=group)

    # Events.

    def apply(self, event: Event) -> None:
        before_state = self.state
        before_screen = current_screen(Q, before_state)
        result = step(Q, before_state, event)
        self.last_event = event
        note_event(f"{type(event).__name__} -> {result.notice or result.screen.kind}")

        assert result.screen == current_screen(Q, result.state)
        assert result.state.group == self.group

        if result.notice is not None:
            assert result.saved == {}
            assert result.state.answers == before_state.answers
        for qid, answer in result.saved.items():
            assert before_state.answers.get(qid) != answer, "saved holds only changes"
        self.store.update(result.saved)
        assert result.state.answers == self.store

        if result.notice is None and isinstance(before_screen, AskScreen):
            asked = before_screen.question
            match event:
                case Choose(question_id=qid, option_id=option_id):
                    assert qid == asked.id
                    self.accepted[qid] = Answer(choice=option_id)
                case Type(text=text):
                    assert asked.kind == "text"
                    assert 0 < len(text.strip()) <= MAX_TEXT
                    self.accepted[asked.id] = Answer(text=text.strip())
                case Skip(question_id=qid):
                    assert qid == asked.id and asked.optional
                    self.accepted[qid] = Answer()
        if result.notice is None and isinstance(event, Choose | Type | Skip):
            assert isinstance(before_screen, AskScreen)
        assert self.store == self.accepted

        if isinstance(event, Submit) and result.notice is None:
            assert isinstance(before_screen, ReviewScreen) and before_screen.can_submit
        if result.state.submitted:
            assert isinstance(result.screen, DoneScreen) or result.state.language is None
        if before_state.submitted:
            assert result.state.submitted and result.state.answers == before_state.answers
            if not isinstance(event, ChooseLanguage | Resume):
                assert result.notice == "already_submitted"
        if isinstance(event, Resume):
            assert result.state == before_state and result.saved == {}
        if isinstance(event, ChooseLanguage):
            assert result.state.language == event.lang
            if before_state.language is not None:
                assert type(result.screen) is type(before_screen)
                if isinstance(before_screen, AskScreen):
                    assert isinstance(result.screen, AskScreen)
                    assert result.screen.question == before_screen.question
        self.state = result.state

    @rule(event=ANY_EVENT)
    def anything(self, event: Event) -> None:
        self.apply(event)

    @rule()
    def tap_again(self) -> None:
        """A double tap, or Telegram delivering the same update twice."""
        self.apply(self.last_event)

    @rule(data=st.data())
    def follow_the_screen(self, data: st.DataObject) -> None:
        """What a careful person taps: a button the current screen offers."""
        screen = current_screen(Q, self.state)
        event: Event
        if isinstance(screen, LanguageScreen):
            event = ChooseLanguage(lang=data.draw(st.sampled_from(["en", "cy"])))
        elif isinstance(screen, PrivacyScreen):
            event = AcceptPrivacy()
        elif isinstance(screen, AskScreen):
            question = screen.question
            scale = Q.scale(question)
            choices: list[Event] = [Back(question_id=question.id)]
            if scale is None:
                choices.append(Type(text=data.draw(TEXTS)))
            else:
                choices += [Choose(question_id=question.id, option_id=o.id) for o in scale.options]
            if screen.can_skip:
                choices.append(Skip(question_id=question.id))
            event = data.draw(st.sampled_from(choices))
        elif isinstance(screen, ReviewScreen):
            choices = [Submit(), *(Change(question_id=i.question.id) for i in screen.items)]
            event = data.draw(st.sampled_from(choices))
        else:
            event = Resume()
        self.apply(event)

    @rule(exact=st.booleans())
    def resume(self, exact: bool) -> None:
        """The bot restarts: the state is rebuilt from the database row and answers rows,
        either exactly or with the cursor lost (then it is derived)."""
        before = current_screen(Q, self.state)
        rebuilt = SurveyState(
            group=self.group,
            language=self.state.language,
            privacy_accepted=self.state.privacy_accepted,
            cursor=self.state.cursor if exact else None,
            reviewing=self.state.reviewing if exact else False,
            submitted=self.state.submitted,
            answers=dict(self.store),
        )
        if exact:
            assert current_screen(Q, rebuilt) == before
        self.state = rebuilt
        self.apply(Resume())

    # Invariants on every state reached.

    @invariant()
    def screen_is_valid(self) -> None:
        questions = Q.questions_for(self.group)
        screen = current_screen(Q, self.state)
        if self.state.language is None:
            assert isinstance(screen, LanguageScreen)
        elif not self.state.privacy_accepted:
            assert isinstance(screen, PrivacyScreen)
        if isinstance(screen, AskScreen):
            assert screen.question in questions
            assert 1 <= screen.index <= screen.total == len(questions)
            assert questions[screen.index - 1] == screen.question
            assert screen.current == self.store.get(screen.question.id)
            assert screen.can_skip == screen.question.optional
            assert screen.from_review == self.state.reviewing
        if isinstance(screen, ReviewScreen):
            assert [i.question for i in screen.items] == list(questions)
            assert [i.answer for i in screen.items] == [self.store.get(q.id) for q in questions]
            assert set(screen.missing) <= {q.id for q in questions if not q.optional}
        if isinstance(screen, DoneScreen):
            assert self.state.submitted
            assert all(
                qu.id in self.store and not self.store[qu.id].skipped
                for qu in questions
                if not qu.optional
            )


TestConversation = Conversation.TestCase
TestConversation.settings = settings(
    max_examples=300,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
