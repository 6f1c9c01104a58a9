"""rubric: the questionnaire as data (questionnaire.toml), its models, loader and catalogs."""

from rubric.loader import DEFAULT_PATH, QuestionnaireError, check_questionnaire, load_questionnaire
from rubric.schema import (
    DONT_KNOW,
    GROUPS,
    LANGS,
    MAX_BUTTON_LABEL,
    MAX_QUESTION_ID,
    Characteristic,
    FindingThresholds,
    Group,
    Lang,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
    Scale,
    Text,
    Theme,
)

__all__ = [
    "DEFAULT_PATH",
    "DONT_KNOW",
    "GROUPS",
    "LANGS",
    "MAX_BUTTON_LABEL",
    "MAX_QUESTION_ID",
    "Characteristic",
    "FindingThresholds",
    "Group",
    "Lang",
    "Option",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireError",
    "Scale",
    "Text",
    "Theme",
    "check_questionnaire",
    "load_questionnaire",
]
