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
    misses_concept,
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


# --- qualifier families: editions, zones, nodule types, finding polarity ----------------------------
QUALIFIED = [
    # (question template, system, rule id → the member its passage is about)
    ("When is a {m} nodule Lung-RADS category 3?", "Lung-RADS-v2022",
     {"LR22.SOLID.3": "solid", "LR22.PARTSOLID.3": "part-solid", "LR22.GGN.3": "ground-glass"}),
    ("Which PI-RADS overall score 3 applies in the {m}?", "PI-RADS-v2.1",
     {"PIRADS.PZ.3": "peripheral zone", "PIRADS.TZ.3": "transition zone"}),
]


@pytest.mark.parametrize(("template", "system", "members"), QUALIFIED, ids=["nodule-type", "zone"])
def test_a_sibling_qualifiers_passage_and_sentences_never_answer(rulebook_chunks: Book, template: str,  # noqa: F811
                                                                  system: str, members: dict[str, str]) -> None:
    """Same label (category 3), different nodule type or zone: only the asked one's passage answers."""
    for asked_rule, asked in members.items():
        focus = question_focus(template.format(m=asked), system)
        for rule in members:
            chunk, _ = rulebook_chunks[rule]
            heading = _heading(chunk)
            passage_why = passage_off_question(focus, heading, chunk.text, system)
            sentence_whys = [off_question(focus, s, [heading], system) for s in _sentences(chunk)]
            if rule == asked_rule:
                assert passage_why is None, (asked, heading, passage_why)
                assert all(w is None for w in sentence_whys), (asked, sentence_whys)
            else:
                assert passage_why is not None, f"{rule} offered for a {asked} question"
                assert all(w is not None for w in sentence_whys), (asked, rule, sentence_whys)


@pytest.mark.parametrize(("question", "good", "bad"), [
    ("肺癌第8版与第7版相比T分期有哪些变化？", "第8版中侵犯膈肌由T3升为T4。", "第9版T分类与第8版相同，M1a、M1b定义也不变。"),
    ("What changed in T between the 7th and 8th edition?", "The 8th edition moved diaphragm invasion from T3 to T4.",
     "The 9th edition keeps the 8th edition's T categories."),
    ("What is new in the 9th edition for N2?", "N2 is subdivided into N2a and N2b.", "In the 8th edition N2 was one category."),
    ("Peripheral zone lesion, DWI 3 with positive DCE: overall PI-RADS score?",
     "PI-RADS overall score 4 in the peripheral zone: DWI score 3 with positive DCE.",
     "PI-RADS overall score 3 in the peripheral zone: DWI score 3 with negative or absent DCE."),
])
def test_a_sibling_edition_or_finding_never_answers(question: str, good: str, bad: str) -> None:
    """Editions are compared in pairs: a third edition, or the other polarity of a finding, is another question."""
    focus = question_focus(question)
    assert off_question(focus, good, []) is None
    assert off_question(focus, bad, [])
    assert off_question(focus, "A note.", [_heading_of(bad)]) if _heading_of(bad) else True


def _heading_of(sentence: str) -> str:
    """A heading naming what the bad sentence is about, to check the cited-section path too."""
    return "第9版与第8版的区别" if "第9版" in sentence else ""


def test_subsolid_names_both_part_solid_and_ground_glass() -> None:
    from rag.answer.qualifiers import qualifiers

    focus = question_focus("纯磨玻璃结节≤3 cm的临床T分期是什么？", "AJCC8-lung")
    assert passage_off_question(focus, "亚实性结节的临床T", "纯磨玻璃结节≤3 cm为cTis。", "AJCC8-lung") is None
    assert passage_off_question(focus, "实性结节的T", "实性结节按最大径定T。", "AJCC8-lung")
    assert qualifiers("its solid component is <6 mm") == {}  # a component is not a nodule type


@pytest.mark.parametrize(("question", "system", "good", "bad"), [
    ("What is the management of LR-3?", "LI-RADS-v2018", "Management is repeat diagnostic imaging in 3 to 6 months.",
     "When it is unclear which of two categories applies, the one reflecting lower certainty is chosen."),
    ("What is the malignancy likelihood range for BI-RADS 4B?", "BI-RADS", "Likelihood of malignancy >10 to ≤50%.",
     "The subcategories 4A, 4B and 4C are defined for mammography and breast ultrasound only."),
    ("What should I do with a TI-RADS total of exactly 1 point?", "ACR-TI-RADS", "A total of 1 point is flagged.",
     "The thresholds are inclusive: a nodule of exactly 1.5 cm meets the FNA threshold."),
    ("What follow-up interval goes with Lung-RADS category 3?", "Lung-RADS-v2022",
     "A category 3 finding that is stable at its 6-month LDCT becomes category 2.",  # a time answers "interval"
     "Category 3 findings include nodules with benign features."),
])
def test_a_further_sentence_must_speak_of_what_was_asked(question: str, system: str, good: str, bad: str) -> None:
    """Supported and label-clean is not enough: a sentence from a further passage must share the asked concept."""
    focus = question_focus(question, system)
    shape = question_shape(question)
    assert misses_concept(focus, good, "", shape, system) is None
    assert misses_concept(focus, bad, "", shape, system)


def test_site_words_are_context_not_the_concept() -> None:
    assert question_focus("结直肠癌N1c是什么意思？", "AJCC8-colorectal").terms == frozenset()
    assert "manag" in question_focus("What is the management of LR-3?", "LI-RADS-v2018").terms


@pytest.mark.slow  # reads the session's real corpus index
def test_edition_pair_question_is_not_answered_with_another_pair(corpus_workspace) -> None:  # noqa: F811
    answer = answer_question(corpus_workspace, "肺癌第8版与第7版相比T分期有哪些变化？")
    assert not answer.refused, answer.text
    assert "第9版" not in answer.text, answer.text


def _split(question: str, system: str | None, text: str, sections: list[str]) -> tuple[str, list[str]]:
    """Run the sentence gate on ``text`` citing passages [1..n] with these section headings."""
    from rag.answer.offquestion import split_off_question
    from rag.answer.verify import Segment, Source

    doc = Document(doc_id="d", title="Guideline", source="d.md", path="d.md", sha256="0", system=system or "")
    sources = [Source(n, Chunk(chunk_id=f"c{n}", doc_id="d", text="", section=sec, page=None, start=0, end=0), doc)
               for n, sec in enumerate(sections, start=1)]
    kept, off = split_off_question([Segment(text)], sources, question_focus(question, system), system, question)
    return " ".join(s.text for s in kept), [o.sentence for o in off]


def test_a_sentence_excluding_the_asked_finding_does_not_answer() -> None:
    """A sibling N row that *excludes* the asked finding is about another label; the right row survives."""
    kept, off = _split("Isolated tumour cells in an axillary sentinel node of breast cancer: N category?", "AJCC8-breast",
                       "pN1b: metastasis in internal mammary sentinel node(s), excluding isolated tumour cells [1]. "
                       "pN0(i+): isolated tumour cells only, clusters ≤0.2 mm, in regional node(s) [2].",
                       ["Regional nodes (pN) — pN1", "Regional nodes (pN) — pN0"])
    assert "pN0(i+)" in kept and "pN1b" not in kept, (kept, off)
    kept, off = _split("胃癌侵犯浆膜是T几？", "AJCC8-stomach",
                       "T3：肿瘤穿透浆膜下结缔组织，但未侵犯脏层腹膜（浆膜）[1]。T4a：肿瘤侵犯浆膜（脏层腹膜）[2]。",
                       ["T — T3", "T — T4a"])
    assert "T4a" in kept and "T3" not in kept, (kept, off)
    kept, _ = _split("Prostate cancer with bone metastasis: which M?", "AJCC8-prostate",
                     "M1b: metastasis in bone [1]. M1c: other sites, with or without bone disease [1].", ["M — M1"])
    assert kept.startswith("M1b")  # "with or without" excludes nothing


def test_a_sibling_of_the_answers_own_label_is_off_question() -> None:
    """The question names no M label; the first sentence establishes M1b, so a sentence naming only M1c is
    off-question, while one naming the M1b label again (or none) stays."""
    kept, off = _split("Prostate cancer with bone metastasis: which M?", "AJCC8-prostate",
                       "M1b: metastasis in bone [1]. M1c: metastasis in other sites, with or without bone disease [2]. "
                       "M1b is assigned on imaging or biopsy of bone [1].", ["M — M1b", "M — M1c"])
    assert "M1c" not in kept and "M1b is assigned" in kept, (kept, off)
    kept, _ = _split("Prostate cancer with bone metastases: M category?", "AJCC8-prostate",
                     "With metastases in several sites the most advanced is assigned; M1c is the most advanced [1]. "
                     "M1b: metastasis in bone [2].", ["M — rules", "M — M1b"])
    assert "M1b: metastasis in bone" in kept  # a lead that only mentions M1c does not answer with it
    kept, _ = _split("What are the M subcategories of prostate cancer?", "AJCC8-prostate",
                     "M1b: metastasis in bone [1]. M1c: metastasis in other sites [1].", ["M — M1"])
    assert "M1c" in kept  # a list question names several members by design


def test_a_further_sentence_about_a_sibling_that_mentions_the_asked_label_is_off_question() -> None:
    """The question asks what category 3 *becomes*: "a 4A finding … becomes category 3" runs the other way."""
    kept, off = _split("A Lung-RADS 3 nodule is stable at the 6-month LDCT - what category does it become?",
                       "Lung-RADS-v2022",
                       "Category 3 — probably benign: management is LDCT in 6 months [1]. "
                       "A category 3 finding that is stable at its 6-month LDCT becomes category 2 [2]. "
                       "A category 4A finding that is stable at its 3-month LDCT becomes category 3 [2].",
                       ["Category 3", "Stepping down after stable follow-up"])
    assert "becomes category 2" in kept and "4A" not in kept, (kept, off)
    kept, _ = _split("Can ancillary features upgrade a LI-RADS observation to LR-5?", "LI-RADS-v2018",
                     "LR-5 always needs nonrim APHE [1]. Ancillary features may raise the category only up to LR-4: "
                     "they can never create LR-5 [2].", ["LR-5", "Category rules"])
    assert "up to LR-4" in kept  # names a sibling first, but runs no transition against the question's


def test_screening_is_the_setting_not_a_management_action() -> None:
    shape = question_shape("What is the management of BI-RADS 3?")
    assert not shape.answers("BI-RADS 3 should not be assigned at screening mammography.", "BI-RADS")
    assert shape.answers("Return to routine screening mammography.", "BI-RADS")
    assert shape.answers("Management is short-interval follow-up at 6 months.", "BI-RADS")
    assert not question_shape("BI-RADS 3类病灶如何处理？").answers("筛查乳腺MRI时可以使用3类。", "BI-RADS")
