"""Relevance, not only support: a sibling's passage or sentence can never answer (issue 13).

The unit tests run on the bundled corpus's own passages (chunked, not embedded: fast); the pipeline
tests at the end use the shared real index of ``fixtures_answer``.
"""

from __future__ import annotations

import re

import pytest
from fixtures_answer import corpus_workspace, rulebook_chunks  # noqa: F401  (fixtures)

from rag.answer.pipeline import answer_question
from rag.answer.relevance import (
    heading_names_focus,
    is_meta,
    labels,
    off_question,
    out_of_scope_ask,
    passage_off_question,
    question_focus,
)
from rag.answer.shape import question_shape
from rag.answer.verify import chunk_units
from rag.types import Chunk, Document

Book = dict[str, tuple[Chunk, Document]]


def _heading(chunk: Chunk) -> str:
    return chunk.section.rsplit(" > ", 1)[-1]


def _sentences(chunk: Chunk) -> list[str]:
    return [u.text for u in chunk_units(chunk.text)]


# --- sibling pairs ---------------------------------------------------------------------------------
FAMILIES = [
    # (question template, system, rule ids of the siblings, member each rule states)
    ("ACR TI-RADS {m}: at what size is FNA advised?", "ACR-TI-RADS",
     {f"TIRADS.LEVEL.TR{i}": f"TR{i}" for i in range(1, 6)}),
    ("甲状腺结节 TI-RADS {m}类 多大需要细针穿刺？", "ACR-TI-RADS",
     {f"ZHTIRADS.LEVEL.TR{i}": str(i) for i in range(1, 6)}),
    ("What is the malignancy likelihood of BI-RADS {m}?", "BI-RADS",
     {"BIRADS.CAT.4A": "4A", "BIRADS.CAT.4B": "4B", "BIRADS.CAT.4C": "4C", "BIRADS.CAT.5": "5"}),
    ("How is Lung-RADS {m} managed?", "Lung-RADS-v2022",
     {"LR22.CAT.3": "3", "LR22.CAT.4A": "4A", "LR22.CAT.4B": "4B", "LR22.CAT.4X": "4X"}),
    ("Which colorectal cancers are stage {m}?", "AJCC8-colorectal",
     {"CRC8.STAGE.M1a": "IVA", "CRC8.STAGE.M1b": "IVB", "CRC8.STAGE.M1c": "IVC"}),
    ("What is {m} in lung cancer (8th edition)?", "AJCC8-lung",
     {"LUNG8.T.T1a": "T1a", "LUNG8.T.T1b": "T1b", "LUNG8.T.T1c": "T1c", "LUNG8.T.T2a": "T2a", "LUNG8.T.T2b": "T2b"}),
    ("LI-RADS {m}: what does it mean?", "LI-RADS-v2018",
     {"LIRADS.CAT.LR-3": "LR-3", "LIRADS.CAT.LR-4": "LR-4", "LIRADS.CAT.LR-5": "LR-5"}),
]


@pytest.mark.parametrize(("template", "system", "members"), FAMILIES, ids=[f[1] + ("-zh" if "类" in f[0] else "")
                                                                           for f in FAMILIES])
def test_a_siblings_passage_and_sentences_never_answer(rulebook_chunks: Book, template: str,  # noqa: F811
                                                        system: str, members: dict[str, str]) -> None:
    for asked_rule, asked in members.items():
        focus = question_focus(template.format(m=asked), system)
        assert focus, f"no focus read from {template.format(m=asked)!r}"
        for rule, member in members.items():
            chunk, _ = rulebook_chunks[rule]
            heading, text = _heading(chunk), chunk.text
            passage_why = passage_off_question(focus, heading, text, system)
            sentence_whys = [off_question(focus, s, [heading], system) for s in _sentences(chunk)]
            if rule == asked_rule:
                assert passage_why is None, (asked, heading, passage_why)
                assert heading_names_focus(focus, heading, system)
                assert all(w is None for w in sentence_whys), (asked, list(zip(_sentences(chunk), sentence_whys, strict=True)))
            else:
                assert passage_why is not None, f"{member}'s passage offered for a {asked} question"
                assert all(w is not None for w in sentence_whys), (asked, member, sentence_whys)


def test_no_fna_row_of_tr1_cannot_answer_a_tr4_question() -> None:
    focus = question_focus("甲状腺结节 TI-RADS 4类 多大需要细针穿刺？", "ACR-TI-RADS")
    assert focus.labels == {"tr": frozenset({"4"})}
    assert off_question(focus, "不需要细针穿刺。", ["TR1：良性"], "ACR-TI-RADS")
    assert off_question(focus, "不需要细针穿刺。", ["TR2：不可疑"], "ACR-TI-RADS")
    assert off_question(focus, "最大径≥1.5 cm时行细针穿刺。", ["TR4：中度可疑"], "ACR-TI-RADS") is None


@pytest.mark.parametrize(("question", "good", "bad"), [
    ("Which TI-RADS level is 4 to 6 points?", "Level TR4 is a total of 4 to 6 points.", "A total of 7 points or more."),
    ("总分7分以上是TR几级？", "总分≥7分。", "总分4–6分。"),
    ("Colorectal cancer with 5 positive lymph nodes: which N?", "N2a: 4 to 6 regional lymph nodes.",
     "N1b: 2 to 3 regional lymph nodes."),
])
def test_quantities_must_be_held(question: str, good: str, bad: str) -> None:
    system = "ACR-TI-RADS" if "TI-RADS" in question or "TR" in question else "AJCC8-colorectal"
    focus = question_focus(question, system)
    assert off_question(focus, good, [], system) is None
    assert off_question(focus, bad, [], system)


def test_parent_and_child_labels_answer_each_other() -> None:
    focus = question_focus("What are the subcategories of BI-RADS 4?", "BI-RADS")
    assert off_question(focus, "BI-RADS 4 may be subdivided into 4A, 4B and 4C.", [], "BI-RADS") is None
    n2 = question_focus("How is N2 subdivided in the 9th edition of lung staging?", "TNM9-lung")
    assert off_question(n2, "N2a is one N2 station; N2b is several.", [], "TNM9-lung") is None
    stage = question_focus("Which lung cancers are stage IIIA?", "AJCC8-lung")
    assert off_question(stage, "T4 N0 M0 is stage IIIB.", [], "AJCC8-lung")
    assert off_question(stage, "T1 N1 is stage IIA.", [], "AJCC8-lung")  # IIA is not a parent of IIIA


def test_labels_read_chinese_and_english_forms() -> None:
    assert labels("TI-RADS 4类", "ACR-TI-RADS") == {"tr": frozenset({"4"})}
    assert labels("TR4：中度可疑", "ACR-TI-RADS") == {"tr": frozenset({"4"})}
    assert labels("Category 4A — low suspicion")["cat"] == frozenset({"4A"})
    assert labels("PI-RADS DWI评分4分和5分", "PI-RADS-v2.1")["cat"] == frozenset({"4", "5"})
    assert "cat" not in labels("LDCT in 3 months")  # a time is not a category


def test_meta_sentences_are_never_answers() -> None:
    assert is_meta("Summary in the project's own words.")
    assert is_meta("本文用项目自己的话概述肺癌分期要点。")
    assert off_question(question_focus("What is TR4?", "ACR-TI-RADS"), "Summary in the project's own words.", [])
    assert not is_meta("TR4 is 4 to 6 points.")


@pytest.mark.parametrize("question", ["What is the first-line chemotherapy regimen for stage IV lung cancer?",
                                      "What dose of tamoxifen is used?", "非小细胞肺癌有哪些靶向药物？",
                                      "What is the 5-year survival of stage IIIA lung cancer?"])
def test_asks_a_staging_corpus_cannot_answer(question: str) -> None:
    assert out_of_scope_ask(question, ["T1a: tumour ≤1 cm.", "Stage IIIA: T1 N2 M0."])
    assert out_of_scope_ask(question, ["Recommended treatment: first-line chemotherapy regimen X; drug dose 5 mg; "
                                       "5-year survival 60%; side effects; targeted drugs; 靶向药"]) is None


@pytest.mark.parametrize("question", ["What is the management of LR-3?", "How is a BI-RADS 3 finding managed?",
                                      "What does the yp prefix mean after neoadjuvant therapy?",
                                      "Lung-RADS 4A类结节怎么处理？"])
def test_in_scope_management_questions_are_not_out_of_scope(question: str) -> None:
    assert out_of_scope_ask(question, ["Management is LDCT in 3 months."]) is None


def test_question_shapes() -> None:
    assert question_shape("甲状腺结节 TI-RADS 4类 多大需要细针穿刺？").size
    assert question_shape("What are the subcategories of BI-RADS 4?").members
    assert question_shape("What changed for N2 between the 8th and 9th edition?").change
    assert not question_shape("What is TR4?").size


# --- through the pipeline (shared real index) -------------------------------------------------------
@pytest.mark.slow  # reads the session's real corpus index
def test_tr4_question_is_answered_with_the_tr4_size(corpus_workspace) -> None:  # noqa: F811
    answer = answer_question(corpus_workspace, "甲状腺结节 TI-RADS 4类 多大需要细针穿刺？")
    assert not answer.refused
    assert "1.5" in answer.text, answer.text
    assert "不需要细针穿刺" not in answer.text
    assert all("TR1" not in _heading(c.source.chunk) and "TR2" not in _heading(c.source.chunk) for c in answer.citations)


@pytest.mark.slow  # reads the session's real corpus index
def test_subcategory_question_lists_all_members(corpus_workspace) -> None:  # noqa: F811
    answer = answer_question(corpus_workspace, "What are the subcategories of BI-RADS category 4?")
    assert re.search(r"4A.*4B.*4C", answer.text), answer.text


@pytest.mark.slow  # reads the session's real corpus index
def test_chinese_question_answered_from_english_passage_is_labelled(corpus_workspace) -> None:  # noqa: F811
    answer = answer_question(corpus_workspace, "BI-RADS 4类分为哪几个亚类？")
    assert not answer.refused, answer.text
    assert re.search(r"4A.*4B.*4C", answer.text), answer.text
    assert answer.text.startswith("中文语料未涵盖")
    assert {c.as_contract()["language"] for c in answer.citations} == {"en"}


@pytest.mark.slow  # reads the session's real corpus index
def test_no_answer_sentence_is_a_corpus_note(corpus_workspace) -> None:  # noqa: F811
    for question in ("Which patients is LI-RADS CT/MRI meant for?", "Lung-RADS 2类的处理建议是什么？"):
        answer = answer_question(corpus_workspace, question)
        assert "own words" not in answer.text and "自己的话" not in answer.text


def test_points_question_reaches_the_level_that_holds_them() -> None:
    from rag.answer.intent import understand

    intent = understand("总分7分以上是TR几级？")
    assert intent.system == "ACR-TI-RADS"
    focus = question_focus(intent.question, intent.system)
    assert off_question(focus, "总分≥7分。", ["TR5：高度可疑"], intent.system) is None
    assert off_question(focus, "总分4–6分。", ["TR4：中度可疑"], intent.system)
