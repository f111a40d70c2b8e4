"""RADS negation and hedging through the shared ConText cues (rag.calculators.context), issue 10.

The RADS readers keep their list-scope rules (measured better on findings lists than ConText's
sentence scopes) and take from ConText: pseudo-negations, backward denials and hedges that sit
right at the term. Each case below was wrong or missing with the RADS-only cue lists.
"""

from __future__ import annotations

import pytest

from rag.calculators.rads import LIRADS, TIRADS, LungRADS
from rag.calculators.rads.scan import is_hedged, is_negated


def _span(text: str, term: str) -> tuple[str, int, int]:
    i = text.index(term)
    return text, i, i + len(term)


@pytest.mark.parametrize("text, term", [
    ("No significant change in the spiculated 7 mm nodule.", "spiculated"),
    ("No interval growth of the spiculated nodule.", "spiculated"),
    ("No change in the enhancing capsule.", "enhancing capsule"),
    ("Not only spiculation but also lymphadenopathy.", "spiculation"),
])
def test_pseudo_negations_do_not_negate(text: str, term: str) -> None:
    assert not is_negated(*_span(text, term))


@pytest.mark.parametrize("text, term", [
    ("Washout is absent.", "Washout"), ("Spiculation has been excluded.", "Spiculation"),
    ("Microcalcifications are not identified.", "Microcalcifications"), ("Denies spiculation.", "spiculation"),
    ("排除毛刺。", "毛刺"), ("No further washout was seen.", "washout"), ("no washout, capsule or growth", "capsule"),
])
def test_denials_at_the_term_negate(text: str, term: str) -> None:
    assert is_negated(*_span(text, term))


@pytest.mark.parametrize("text, term", [
    ("Lesion in the right transition zone, 1.1 cm: T2W 1, DWI 3, negative DCE.", "transition zone"),
    ("New 3 mm solid nodule in the lingula, not present on the prior screen.", "lingula"),
    ("shows no arterial phase hyperenhancement, nonperipheral washout and an enhancing capsule.", "nonperipheral washout"),
    ("nonrim APHE with no washout and an enhancing capsule.", "enhancing capsule"),
])
def test_a_cue_across_a_list_item_does_not_negate(text: str, term: str) -> None:
    assert not is_negated(*_span(text, term))


@pytest.mark.parametrize("text, term, hedged", [
    ("Findings suggestive of washout.", "washout", True), ("Concerning for extrathyroidal extension.", "extrathyroidal extension", True),
    ("疑似毛刺。", "毛刺", True), ("毛刺待排。", "毛刺", True), ("门静脉右支内见强化软组织影，考虑癌栓。", "癌栓", False),
    ("Washout on the portal venous phase.", "Washout", False),
])
def test_hedges_at_the_term(text: str, term: str, hedged: bool) -> None:
    assert is_hedged(*_span(text, term)) is hedged


def test_readers_end_to_end() -> None:
    base = "Baseline screening LDCT. 9 mm solid nodule in the right upper lobe."
    assert LungRADS().from_text(f"{base} No significant change in its spiculated margins.").result["category"] == "4X"
    assert LIRADS().from_text("Cirrhosis. A 15 mm observation with nonrim APHE. Enhancing capsule has been excluded. "
                              "No washout.").result["category"] == "LR-3"
    # An uncertain major feature counts as absent (LI-RADS): never LR-5 from "suggestive of washout".
    assert LIRADS().from_text("Cirrhosis. A 15 mm observation with nonrim APHE and findings suggestive of washout.").result[
        "category"] == "LR-3"
    assert TIRADS().from_text("Solid hypoechoic nodule, 1.2 cm, wider-than-tall, smooth margins. "
                              "Microcalcifications are not identified.").result["points"] == 4
