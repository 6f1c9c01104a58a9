"""The questionnaire file, its loader, and the refusals that keep a broken questionnaire out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from rubric import (
    DEFAULT_PATH,
    LANGS,
    Questionnaire,
    QuestionnaireError,
    Text,
    load_questionnaire,
)

SEED = Path("/work/shared/seed/powys-use-of-data-2018.txt")

# Finding topics of the Powys report -> the statement that answers each, and a word its English
# finding clause must contain (so that a renamed or reworded item is noticed).
POWYS_FINDINGS = {
    "data treated as a key resource like money, people and buildings": ("v_resource", "money"),
    "staff clear about their data protection responsibilities": ("p_clear", "responsibilities"),
    "data protection seen as a barrier to sharing": ("p_barrier", "barrier"),
    "data protection seen as a framework for sharing safely": ("p_framework", "framework"),
    "sufficient staff with the skills to make the most of data": ("s_skills", "skills"),
    "data used to inform decisions": ("d_inform", "inform"),
    "data use embedded in the culture": ("d_culture", "culture"),
    "quality of information given to decision makers": ("d_quality", "quality"),
    "format of information given to decision makers": ("d_format", "format"),
}
# What a good auditor also asks about.
AUDITOR_TOPICS = {
    "v_vision": "vision",
    "v_silos": "silos",
    "v_standards": "standards",
    "p_partners": "partners",
    "s_analytics": "analytics",
    "s_upskill": "upskilling",
    "d_open": "open data",
    "d_act": "change of direction",
}

# Texts allowed to read the same in both languages (proper names); none are needed today.
SAME_IN_BOTH: frozenset[str] = frozenset()
ENGLISH_WORDS = re.compile(r"\b(the|and|of|with|your|council|is|are|to)\b")


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_questionnaire()


def texts(node: object, where: str = "") -> Iterator[tuple[str, Text]]:
    """Every Text in the questionnaire, with where it sits."""
    if isinstance(node, Text):
        yield where, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from texts(getattr(node, name), f"{where}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from texts(value, f"{where}.{key}")
    elif isinstance(node, (tuple, list)):
        for i, value in enumerate(node):
            label = getattr(value, "id", i)
            yield from texts(value, f"{where}[{label}]")


# The real questionnaire ---------------------------------------------------------------------


def test_default_questionnaire_loads_and_is_cached(q: Questionnaire) -> None:
    assert load_questionnaire() is q
    again = load_questionnaire(DEFAULT_PATH)
    assert again == q and again is not q


def test_counts(q: Questionnaire) -> None:
    assert [t.id for t in q.themes] == ["vision", "protection", "skills", "decisions"]
    assert {c.id for c in q.characteristics} == {
        "leadership",
        "standards",
        "customer_data",
        "protection",
        "analytics",
        "decisions_data",
        "open_data",
    }
    assert 25 <= len(q.questions) <= 40
    for group in ("officer", "member"):
        assert 25 <= len(q.questions_for(group)) <= 40
    for theme in q.themes:
        kinds = [x.kind for x in q.questions if x.theme == theme.id]
        assert 5 <= kinds.count("agree") <= 8, theme.id
        assert kinds.count("text") == 1, theme.id
        text_q = next(x for x in q.questions if x.theme == theme.id and x.kind == "text")
        assert text_q.optional
        # statements, then level questions, then the free-text question
        assert kinds == sorted(kinds, key=["agree", "level", "text"].index), theme.id


def test_questions_run_in_theme_order(q: Questionnaire) -> None:
    order = [t.id for t in q.themes]
    positions = [order.index(x.theme) for x in q.questions]
    assert positions == sorted(positions)


def test_each_characteristic_asked_once_in_its_theme(q: Questionnaire) -> None:
    levels = [x for x in q.questions if x.kind == "level"]
    assert None not in {x.characteristic for x in levels}
    assert sorted(c for x in levels if (c := x.characteristic) is not None) == sorted(
        c.id for c in q.characteristics
    )
    for x in levels:
        assert x.characteristic is not None
        characteristic = q.characteristic(x.characteristic)
        assert characteristic.theme == x.theme
        assert characteristic.title.en in x.text.en
        assert characteristic.title.cy in x.text.cy


def test_scales(q: Questionnaire) -> None:
    agree = q.scales["agree"]
    assert [o.id for o in agree.options] == ["sa", "a", "n", "d", "sd", "dk"]
    assert agree.agree == ("sa", "a") and agree.disagree == ("d", "sd")
    assert agree.neither == ("n",) and agree.excluded == ("dk",)
    sa, n = agree.option("sa"), agree.option("n")
    assert sa is not None and sa.label.cy == "Cytuno'n gryf"
    assert n is not None and n.label.cy == "Ddim yn cytuno nac yn anghytuno"
    level = q.scales["level"]
    assert [o.id for o in level.options] == ["1", "2", "3", "dk"]
    two = level.option("2")
    assert two is not None and two.label.cy == "Lefel 2"
    assert level.excluded == ("dk",)
    assert q.thresholds.most == 0.6 and q.thresholds.low_response_rate == 0.3


@pytest.mark.parametrize("topic", sorted(POWYS_FINDINGS))
def test_every_powys_finding_has_a_statement(q: Questionnaire, topic: str) -> None:
    qid, word = POWYS_FINDINGS[topic]
    statement = q.question(qid)
    assert statement is not None, topic
    assert statement.kind == "agree"
    assert statement.finding is not None and word in statement.finding.en


@pytest.mark.parametrize("qid", sorted(AUDITOR_TOPICS))
def test_auditor_topics_are_asked(q: Questionnaire, qid: str) -> None:
    statement = q.question(qid)
    assert statement is not None and statement.finding is not None
    assert AUDITOR_TOPICS[qid] in statement.text.en.lower()


def test_powys_resource_finding_reads_as_the_report(q: Questionnaire) -> None:
    finding = q.question("v_resource").finding  # type: ignore[union-attr]
    assert finding is not None
    assert (
        finding.en
        == "the Authority treats data as a key resource similar to money, people and buildings"
    )
    assert (
        finding.cy
        == "yr Awdurdod yn trin data fel adnodd allweddol tebyg i arian, pobl ac adeiladau"
    )


def test_members_get_their_own_wording_where_needed(q: Questionnaire) -> None:
    quality = q.question("d_quality")
    assert quality is not None and quality.member_text is not None
    for lang in LANGS:
        assert quality.prompt(lang, "member") != quality.prompt(lang, "officer")
    protocols = q.question("p_protocols")
    assert protocols is not None and not protocols.asks("member") and protocols.asks("officer")


def test_finding_clauses_follow_agree_that(q: Questionnaire) -> None:
    for x in q.questions:
        if x.kind != "agree":
            assert x.finding is None
            continue
        assert x.finding is not None
        en, cy = x.finding.en, x.finding.cy
        assert not en.endswith(".") and not cy.endswith("."), x.id
        assert not re.match(r"(?i)that\b", en), x.id
        # Welsh follows "cytuno bod": no second "bod"/"fod", no finite "mae"
        assert not re.match(r"(?i)(bod|fod|mae|that)\b", cy), x.id
        assert en[0].islower() or en.startswith("Authority"), x.id
        assert "Authority" in en or "yr Awdurdod" not in cy, x.id


def test_level_descriptors_are_the_reports_in_full(q: Questionnaire) -> None:
    for c in q.characteristics:
        assert len(c.levels) == 3
        for level in c.levels:
            assert len(level.en.split()) >= 12, (c.id, level.en)
    if not SEED.exists():
        pytest.skip("the Powys report seed is not available here")

    def normal(s: str) -> str:
        s = re.sub(r"(\w)- (\w)", r"\1-\2", s)  # "decision- making": a line-break artefact
        return re.sub(r"\s+", " ", s)

    report = normal(SEED.read_text(encoding="utf-8"))
    for c in q.characteristics:
        for level in c.levels:
            assert normal(level.en) in report, (c.id, level.en)


def test_welsh_is_really_translated(q: Questionnaire) -> None:
    found = list(texts(q))
    assert len(found) > 100
    for where, text in found:
        if text.en not in SAME_IN_BOTH:
            assert text.en != text.cy, where
        assert not ENGLISH_WORDS.search(text.cy), (where, text.cy)


def test_welsh_uses_the_agreed_terms(q: Questionnaire) -> None:
    titles = {t.id: t.title.cy for t in q.themes}
    assert titles == {
        "vision": "Gweledigaeth, arweinyddiaeth a diwylliant",
        "protection": "Diogelu data",
        "skills": "Sgiliau a chapasiti",
        "decisions": "Penderfyniadau ar sail tystiolaeth",
    }
    assert q.characteristic("decisions_data").title.cy == "Penderfyniadau a yrrir gan ddata"
    assert q.characteristic("analytics").title.cy == "Dadansoddeg data"
    for where, text in texts(q):
        assert "yn Cyngor" not in text.cy and "yn cyngor" not in text.cy, where


def test_callback_data_fits(q: Questionnaire) -> None:
    for x in q.questions:
        scale = q.scale(x)
        options = [o.id for o in scale.options] if scale else []
        for option in options:
            assert len(f"a:{x.id}:{option}".encode()) < 64
        for action in ("back", "skip", "change", "review", "submit", "privacy"):
            assert len(f"n:{action}:{x.id}".encode()) < 64


# Refusals -----------------------------------------------------------------------------------


def variant(tmp_path: Path, old: str, new: str) -> Path:
    """The real questionnaire with one exact, unique edit."""
    source = DEFAULT_PATH.read_text(encoding="utf-8")
    assert source.count(old) == 1, f"edit target {old!r} is not unique"
    path = tmp_path / "questionnaire.toml"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert isinstance(info.value, ValueError)
    return str(info.value)


def test_missing_welsh_text_is_refused(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        'text.cy = "Mae eich cyngor yn defnyddio data i lywio ei benderfyniadau."\n',
        "",
    )
    message = refused(path)
    assert "(id 'd_inform') -> text -> cy" in message
    assert "Field required" in message


def test_blank_welsh_text_is_refused(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        'title = { en = "Open data", cy = "Data agored" }',
        'title = { en = "Open data", cy = "  " }',
    )
    message = refused(path)
    assert "(id 'open_data') -> title -> cy" in message and "blank" in message


def test_duplicate_question_id_is_refused(tmp_path: Path) -> None:
    message = refused(variant(tmp_path, 'id = "v_leaders"', 'id = "v_vision"'))
    assert "duplicate question id 'v_vision'" in message


def test_unknown_theme_is_refused(tmp_path: Path) -> None:
    old = 'id = "s_roles"\nkind = "agree"\ntheme = "skills"'
    message = refused(variant(tmp_path, old, old.replace('"skills"', '"skils"')))
    assert "question s_roles names unknown theme 'skils'" in message


def test_unknown_characteristic_is_refused(tmp_path: Path) -> None:
    message = refused(variant(tmp_path, 'characteristic = "open_data"', 'characteristic = "open"'))
    assert "lv_open names unknown characteristic 'open'" in message


def test_long_button_label_is_refused(tmp_path: Path) -> None:
    long = "Ddim yn cytuno o gwbl, byth, dim un tamaid"
    message = refused(variant(tmp_path, 'cy = "Anghytuno\'n gryf"', f'cy = "{long}"'))
    assert "scales -> agree -> options[4]" in message
    assert "longer than 32 characters" in message


def test_level_question_without_characteristic_is_refused(tmp_path: Path) -> None:
    message = refused(variant(tmp_path, 'characteristic = "leadership"\n', ""))
    assert "(id 'lv_leadership')" in message
    assert "needs a characteristic" in message


def test_characteristic_asked_twice_is_refused(tmp_path: Path) -> None:
    path = variant(tmp_path, 'characteristic = "open_data"', 'characteristic = "decisions_data"')
    message = refused(path)
    assert "'decisions_data'): asked by 2 level questions" in message
    assert "'open_data'): asked by 0 level questions" in message


def test_characteristic_asked_in_another_theme_is_refused(tmp_path: Path) -> None:
    path = variant(tmp_path, 'characteristic = "analytics"', 'characteristic = "standards"')
    message = refused(path)
    assert "lv_analytics" in message and "of theme 'vision'" in message


def test_questions_out_of_theme_order_are_refused(tmp_path: Path) -> None:
    old = 'id = "d_barriers"\nkind = "text"\ntheme = "decisions"'
    message = refused(variant(tmp_path, old, old.replace('"decisions"', '"vision"')))
    assert "keep questions in theme order" in message


def test_broken_toml_and_missing_file_are_refused(tmp_path: Path) -> None:
    assert "not valid TOML" in refused(variant(tmp_path, 'version = "2026.1"', "version = "))
    assert "cannot read" in refused(tmp_path / "absent.toml")


def test_several_problems_are_all_named(tmp_path: Path) -> None:
    source = DEFAULT_PATH.read_text(encoding="utf-8")
    source = source.replace('cy = "Lefel 1"', 'cy = ""').replace('cy = "Lefel 3"', 'cy = ""')
    path = tmp_path / "questionnaire.toml"
    path.write_text(source, encoding="utf-8")
    message = refused(path)
    assert "2 problems" in message
    assert "options[0] (id '1') -> label -> cy" in message
    assert "options[2] (id '3') -> label -> cy" in message
