"""Issue 10 scope rules: what a denial is about, stated minimums, glued grades, node-count readings.

Each case is built mechanically (finding × scope × language) from the AJCC 8th general rules in
corpora/staging, not from any shared report: a distant-spread denial yields M0 only when it is about
the whole patient; a finding's organ or specimen label limits a denial to that organ.
"""

from __future__ import annotations

import itertools

import pytest

from rag.calculators.context import assess, object_of, specimen_part
from rag.calculators.registry import find_calculator
from rag.calculators.staging.extract import count_readings, m0_statement, node_counts
from rag.calculators.staging.tnm_string import scan_tnm

_ORGANS = ("liver", "lung", "peritoneum", "omentum", "bone")
_DENIALS = ("No metastatic disease {where}", "No evidence of metastatic disease {where}",
            "Negative for metastatic disease {where}", "Metastatic disease is not identified {where}")


@pytest.mark.parametrize(("denial", "organ"), list(itertools.product(_DENIALS, _ORGANS)))
def test_a_denial_limited_to_one_organ_is_not_m0(denial: str, organ: str) -> None:
    text = "Adenocarcinoma of the colon. " + denial.format(where=f"in the {organ}") + "."
    assert m0_statement(text) is None


@pytest.mark.parametrize(("denial", "organ"), list(itertools.product(_DENIALS, _ORGANS)))
def test_a_denial_under_one_specimen_label_is_not_m0(denial: str, organ: str) -> None:
    text = f"A: Colon, resection. - Adenocarcinoma. B: {organ.title()}, biopsy. - {denial.format(where='').strip()}."
    assert specimen_part(text, text.index(denial.split()[0], text.index("B:"))) == f"{organ.title()}, biopsy"
    assert m0_statement(text) is None


@pytest.mark.parametrize("statement", ["No distant metastasis", "No evidence of distant metastatic disease",
                                       "No nodal or distant metastasis", "Distant metastasis: none",
                                       "No metastatic disease", "未见远处转移", "无远处转移"])
def test_a_global_denial_is_m0(statement: str) -> None:
    assert m0_statement(f"Gastric adenocarcinoma. {statement}.") is not None


@pytest.mark.parametrize("statement", ["Distant metastasis cannot be excluded", "Suspicious for metastatic disease",
                                       "History of metastatic disease", "远处转移不能除外"])
def test_a_hedged_or_historical_denial_is_not_m0(statement: str) -> None:
    assert m0_statement(f"Gastric adenocarcinoma. {statement}.") is None


@pytest.mark.parametrize(("tail", "obj"), [(" in the liver", "liver"), (" to the bone", "bone"),
                                           (" within the peritoneum", "peritoneum"),
                                           (" in any of the submitted specimens", None), (" to other sites", None),
                                           (".", None)])
def test_object_of_names_the_limiting_organ(tail: str, obj: str | None) -> None:
    text = "No metastatic disease" + tail
    assert object_of(text, len("No metastatic disease")) == obj


def test_no_specimen_label_in_plain_prose() -> None:
    text = "The tumour invades the subserosa. There is no metastatic disease."
    assert specimen_part(text, text.index("no metastatic")) is None


@pytest.mark.parametrize(("text", "labels"), [
    ("pT3bG3 N0", ("T3b", "N0")), ("pT3b G3 N0", ("T3b", "N0")), ("T2 G3 N1 M0", ("T2", "N1", "M0")),
    ("pT2G3.", ("T2",)), ("pN1G2", ("N1",)), ("T1a N0a M1", ("T1a", "N0a", "M1")), ("pT1b pN0b", ("T1b", "N0b")),
    ("pT2Gastric wall", ()),
])
def test_scanning_reads_glued_grades_and_thyroid_n0a(text: str, labels: tuple[str, ...]) -> None:
    assert tuple(p.label for g in scan_tnm(text) for p in g) == labels


@pytest.mark.parametrize(("text", "readings"), [
    ("Sentinel lymph nodes 1/3; axillary lymph nodes 0/12", (1,)),       # the larger count cannot hold the other
    ("Sentinel lymph nodes 2/3; axillary lymph nodes 2/9", (4,)),        # two named node groups: add them
    ("Metastatic carcinoma in 3/15 lymph nodes in total; sentinel lymph nodes 1/3", (3,)),  # the total says so
    ("Lymph nodes 3/15. Sentinel lymph nodes 1/3. Axillary lymph nodes 2/12.", (3,)),  # the exact sum of the others
    ("Carcinoma in 3/31 lymph nodes. Carcinoma in 1/1 lymph node.", (3, 4)),  # unclear: both readings
    ("淋巴结3/15枚见癌转移", (3,)),
    ("前哨淋巴结2/3枚见癌转移，腋窝淋巴结2/9枚见癌转移", (4,)),
])
def test_count_readings(text: str, readings: tuple[int, ...]) -> None:
    assert count_readings(node_counts(text), text) == readings


# --- a cue cut off from its complement by a stray stop (OCR) still governs the next sentence -------------
_DANGLING_CUES = ("then the stage would be", "this would be", "the nodule may be", "suspicious for", "no evidence of",
                  "history of")


@pytest.mark.parametrize("cue", _DANGLING_CUES)
def test_a_cue_cut_by_a_stray_stop_governs_the_next_sentence(cue: str) -> None:
    text = f"Comment - {cue}. pleural invasion."
    start = text.index("pleural invasion")
    assert not assess(text, start, start + len("pleural invasion")).asserted


@pytest.mark.parametrize("ending", ["Lymphovascular invasion: possible", "Metastasis: no", "Seen in May",
                                    "Margins: negative"])
def test_a_complete_sentence_does_not_govern_the_next(ending: str) -> None:
    text = f"{ending}. Perineural invasion present."
    start = text.index("Perineural invasion")
    assert assess(text, start, start + len("Perineural invasion")).asserted


@pytest.mark.parametrize(("system", "statement"), [
    ("AJCC8-lung", "If the nodules are metastases the stage would be. T3 N0 M1a."),
    ("AJCC8-lung", "If these represent independent primaries the tumour would be staged as T2 N0."),
    ("AJCC8-bladder", "Previous resection elsewhere: pT3a N0."),
    ("AJCC8-colorectal", "A pT4a N1 stage cannot be excluded."),
])
def test_a_hypothetical_or_historical_tnm_is_not_stated(system: str, statement: str) -> None:
    result = find_calculator(system).from_text(f"Resection specimen. {statement}").result
    assert "T" not in result and "N" not in result and "M" not in result


@pytest.mark.parametrize(("system", "text"), [
    ("AJCC8-kidney", "Clear cell carcinoma, 4.5 cm. Staging: pT3 Tumor extends into major veins or invades the "
                     "adrenal gland or perinephric tissues, but not beyond Gerota's fascia."),
    ("AJCC8-kidney", "Renal cell carcinoma, 4.5 cm. pT3: tumour extends into the renal vein or invades the adrenal "
                     "gland or perinephric fat."),
    ("AJCC8-bladder", "Cystectomy: urothelial carcinoma. pT2: Tumor invades muscularis propria or the prostatic stroma."),
])
def test_a_copied_category_definition_is_not_a_finding(system: str, text: str) -> None:
    """The alternatives of a definition after its label ("pT3 Tumor ... or invades the adrenal gland") are not
    this tumour's findings, so they raise no discrepancy with the stated category."""
    out = find_calculator(system).from_text(text)
    assert not any(d.derived.startswith("T4") for d in out.discrepancies), [d.message for d in out.discrepancies]
    assert not any(e.descriptor in ("T.extent", "T.depth") and e.value.startswith("T4") for e in out.evidence)


# --- issue 10, derived-only reading (stated TNM masked): rules from the AJCC 8th node-count and extent texts ---

@pytest.mark.parametrize("distractor", ["NOTTINGHAM SCORE 6/9 (tubules 3, nuclei 2, mitoses 1)",
                                        "Nottingham score: 8/9", "NON-NEOPLASTIC BREAST TISSUE: 2/3 cores with FCC",
                                        "Normal ducts in 2/4 sections", "Nodular hyperplasia in 2/5 blocks"])
def test_a_word_starting_with_no_is_not_a_pn_label(distractor: str) -> None:
    """Only a free-standing pN label introduces a node count; "NO" inside a word (NOTTINGHAM) is none."""
    text = f"Invasive ductal carcinoma, 2.1 cm. {distractor}. Axillary lymph nodes: 3/28 positive."
    assert [(c.positive, c.total) for c in node_counts(text)] == [(3, 28)]


@pytest.mark.parametrize(("words", "pos", "tot"), [("three of thirty-one", 3, 31), ("Nine of twenty-one", 9, 21),
                                                   ("one of twenty", 1, 20), ("two of forty five", 2, 45),
                                                   ("Twelve of seventeen", 12, 17)])
def test_node_totals_past_twenty_in_words(words: str, pos: int, tot: int) -> None:
    text = f"Metastatic adenocarcinoma in {words} lymph nodes."
    assert [(c.positive, c.total) for c in node_counts(text)] == [(pos, tot)]


@pytest.mark.parametrize("stated", ["Seminal vesicle invasion. Not identified", "Seminal vesicle invasion: not identified",
                                    "Seminal vesicle invasion. Absent", "精囊侵犯：未见", "精囊侵犯：阴性"])
def test_a_label_denied_after_it_is_no_prostate_finding(stated: str) -> None:
    text = f"Radical prostatectomy: adenocarcinoma, Gleason 3+4=7. Extraprostatic extension: present, focal. {stated}."
    assert find_calculator("AJCC8-prostate").from_text(text).result.get("T") == "T3a"


@pytest.mark.parametrize(("site", "text"), [
    ("AJCC8-kidney", "Nephrectomy: renal cell carcinoma, 4.5 cm. Tumor invades the perinephric fat or renal sinus fat."),
    ("AJCC8-kidney", "Nephrectomy: renal cell carcinoma, 4.5 cm. Invasion of the perinephric fat cannot be excluded."),
    ("AJCC8-stomach", "Gastrectomy: adenocarcinoma invading the muscularis propria or subserosa."),
    ("AJCC8-stomach", "Gastrectomy: adenocarcinoma invading the muscularis propria; subserosal invasion cannot be excluded."),
])
def test_an_alternative_or_hedged_deeper_extent_leaves_t_open_with_a_question(site: str, text: str) -> None:
    result = find_calculator(site).from_text(text)
    assert result.result.get("T") is None
    assert any(m.startswith("T: the report is not definite about the extent") for m in result.missing)


@pytest.mark.parametrize(("text", "expected"), [
    ("Regional lymph nodes: Total number with metastasis: 3. Total number examined: 32.", [(3, 32)]),
    ("Lymph nodes: total number involved: 2. Total number examined: 14.", [(2, 14)]),
    ("Number of lymph nodes examined: 1. Number of lymph nodes involved: 9.", []),
    ("Metastatic carcinoma in one of nine lymph nodes. Number of lymph nodes examined: 1. "
     "Number of lymph nodes involved: 9.", [(1, 9)]),
    ("Lymph nodes: number with metastasis: 11. Total number examined: 40.", [(11, 40)]),
])
def test_synoptic_totals_and_impossible_counts(text: str, expected: list[tuple[int, int]]) -> None:
    """A synoptic "Total number with metastasis" is a count; more positive than examined is no count at all."""
    assert [(c.positive, c.total) for c in node_counts(text)] == expected


@pytest.mark.parametrize(("synoptic", "expected"), [
    ("Number of lymph nodes examined: 1. Number of lymph nodes involved: 9.", "N1"),  # impossible: the narrative decides
    ("Number of lymph nodes examined: 9. Number of lymph nodes involved: 1.", "N1"),
])
def test_an_impossible_synoptic_node_count_yields_to_the_narrative(synoptic: str, expected: str) -> None:
    text = (f"Distal pancreatectomy: invasive ductal adenocarcinoma, 2.0 cm. Metastatic carcinoma in one of nine "
            f"lymph nodes. {synoptic}")
    assert find_calculator("AJCC8-pancreas").from_text(text).result.get("N") == expected
