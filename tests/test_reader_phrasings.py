"""Free-text TNM readers against phrasing suites written from the guideline texts.

Wrong and missing are counted apart: a wrong category beside a citation is the worst outcome, so
every suite must have zero wrong; a missing category is allowed up to a bound per suite (the
reader asks for the fact instead). Hypothesis properties check clinical monotonicity.
"""

from __future__ import annotations

import collections

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.calculators.registry import find_calculator
from tests.phrasings import SUITE_FILES, Phrasing, load

PHRASINGS = [p for path in SUITE_FILES for p in load(path)]
MAX_MISSING = 0.25  # per suite (rule × language): at most a quarter of its phrasings left missing


def _read(p: Phrasing) -> str | None:
    return find_calculator(p.system).from_text(p.text).result.get(p.axis)


def _outcome(p: Phrasing, got: str | None) -> str:
    if got == p.expect:
        return "right"
    return "missing" if got is None else "wrong"


def test_suites_are_big_enough() -> None:
    """≥ 10 English and ≥ 3 Chinese phrasings for every rule of every suite file."""
    per: dict[tuple[str, str, str], int] = collections.Counter((p.site, p.rule, p.lang) for p in PHRASINGS)
    rules = {(site, rule) for site, rule, _ in per}
    assert rules, "no phrasing suites found"
    for site, rule in rules:
        assert per[(site, rule, "en")] >= 10, f"{site}: {rule}: fewer than 10 English phrasings"
        assert per[(site, rule, "zh")] >= 3, f"{site}: {rule}: fewer than 3 Chinese phrasings"


@pytest.mark.parametrize("site", sorted({p.site for p in PHRASINGS}))
def test_no_wrong_and_bounded_missing(site: str) -> None:
    """Zero wrong categories in every suite; missing within ``MAX_MISSING`` per rule and language."""
    wrong: list[str] = []
    tally: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for p in (x for x in PHRASINGS if x.site == site):
        got = _read(p)
        outcome = _outcome(p, got)
        tally[(p.rule, p.lang)][outcome] += 1
        if outcome == "wrong":
            wrong.append(f"{p.system} {p.axis}: expected {p.expect}, got {got}: {p.text!r}")
    assert not wrong, f"{len(wrong)} wrong:\n" + "\n".join(wrong)
    for (rule, lang), c in tally.items():
        total = sum(c.values())
        assert c["missing"] <= MAX_MISSING * total, f"{rule} ({lang}): {c['missing']}/{total} missing"


# --- clinical monotonicity (hypothesis) -----------------------------------------------------------
_ORDER = {
    "T": ("Tis", "T1mi", "T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T3", "T4", "T4a", "T4b", "T4c", "T4d"),
    "N": ("N0", "N0(i+)", "N1mi", "N1", "N1a", "N1b", "N1c", "N2", "N2a", "N2b", "N3", "N3a", "N3b", "N3c"),
    "M": ("M0", "M1", "M1a", "M1b", "M1c", "M1c1", "M1c2"),
}


def _rank(axis: str, label: str | None) -> int:
    """-1 for missing; otherwise the position in the clinical order (higher = more advanced)."""
    return -1 if label is None else _ORDER[axis].index(label)


def _axis(system: str, text: str, axis: str) -> str | None:
    return find_calculator(system).from_text(text).result.get(axis)


_SIZE_TEXTS = {
    "AJCC8-lung": ("Right upper lobe adenocarcinoma measuring {x:.1f} mm in greatest dimension.", "右肺上叶肿块，最大径{x:.1f}mm。"),
    "AJCC8-breast": ("Invasive ductal carcinoma, {x:.1f} mm in greatest dimension.", "Tumour size: {x:.1f} mm (invasive carcinoma)."),
}


@settings(max_examples=60, deadline=None)
@given(system=st.sampled_from(sorted(_SIZE_TEXTS)), which=st.integers(0, 1),
       a=st.floats(0.5, 120, allow_nan=False), b=st.floats(0.5, 120, allow_nan=False))
def test_larger_tumour_never_lowers_t(system: str, which: int, a: float, b: float) -> None:
    small, large = sorted((round(a, 1), round(b, 1)))
    template = _SIZE_TEXTS[system][which]
    t_small, t_large = (_axis(system, template.format(x=x), "T") for x in (small, large))
    assert t_small is not None and t_large is not None, (template, small, large)
    assert _rank("T", t_large) >= _rank("T", t_small), (template, small, t_small, large, t_large)


_NODE_TEXTS = {
    "AJCC8-colorectal": ("Metastatic carcinoma in {k} of 40 regional lymph nodes.", "淋巴结{k}/40枚见癌转移。"),
    "AJCC8-breast": ("Metastatic carcinoma in {k} of 40 axillary lymph nodes; largest deposit 4 mm.",
                     "Axillary lymph nodes: {k}/40 positive, largest metastasis 5 mm."),
}


@settings(max_examples=60, deadline=None)
@given(system=st.sampled_from(sorted(_NODE_TEXTS)), which=st.integers(0, 1), a=st.integers(0, 40), b=st.integers(0, 40))
def test_more_positive_nodes_never_lower_n(system: str, which: int, a: int, b: int) -> None:
    few, many = sorted((a, b))
    template = _NODE_TEXTS[system][which]
    n_few, n_many = (_axis(system, template.format(k=k), "N") for k in (few, many))
    assert n_few is not None and n_many is not None, (template, few, many)
    assert _rank("N", n_many) >= _rank("N", n_few), (template, few, n_few, many, n_many)


_BASES = ("Right upper lobe adenocarcinoma, 2.5 cm. ", "Right upper lobe adenocarcinoma, 2.5 cm. No distant metastasis. ",
          "右肺上叶腺癌，大小2.5cm。", "Right upper lobe adenocarcinoma, 2.5 cm. Malignant pleural effusion. ")
_METS = ("A single brain metastasis.", "Multiple liver metastases.", "Adrenal metastasis.", "Bone metastases.",
         "单发脑转移。", "多发骨转移。", "Metastatic carcinoma in the contralateral lung.")


@settings(max_examples=60, deadline=None)
@given(system=st.sampled_from(["AJCC8-lung", "TNM9-lung"]), base=st.sampled_from(_BASES),
       extra=st.lists(st.sampled_from(_METS), min_size=1, max_size=3, unique=True))
def test_adding_a_metastasis_never_lowers_m(system: str, base: str, extra: list[str]) -> None:
    before = _axis(system, base + " ".join(extra[:-1]), "M")
    after = _axis(system, base + " ".join(extra), "M")
    assert after is not None, (base, extra)
    assert _rank("M", after) >= _rank("M", before), (base, extra, before, after)


_FINDINGS = (  # (system, axis, affirmed sentence, negated sentences)
    ("AJCC8-lung", "T", "The tumour invades the {s}.", ("The {s} is not involved.", "No invasion of the {s}.",
                                                         "The {s} is spared.", "Invasion of the {s} cannot be excluded.",
                                                         "History of invasion of the {s}.")),
    ("AJCC8-lung", "M", "{s} metastasis.", ("No {s} metastasis.", "{s} metastasis cannot be excluded.",
                                            "Suspicious for {s} metastasis.", "No evidence of {s} metastasis.")),
)
_STRUCTURES = {"T": ("chest wall", "diaphragm", "aorta", "carina", "parietal pleura", "mediastinal fat", "trachea"),
               "M": ("Brain", "Liver", "Adrenal", "Bone")}


@settings(max_examples=60, deadline=None)
@given(case=st.sampled_from(_FINDINGS), data=st.data())
def test_negating_a_finding_never_raises_a_category(case: tuple[str, str, str, tuple[str, ...]], data: st.DataObject) -> None:
    system, axis, affirmed, negations = case
    s = data.draw(st.sampled_from(_STRUCTURES[axis]))
    negated = data.draw(st.sampled_from(negations))
    base = "Right upper lobe adenocarcinoma, 2.5 cm. "
    got_affirmed = _axis(system, base + affirmed.format(s=s), axis)
    got_negated = _axis(system, base + negated.format(s=s), axis)
    assert _rank(axis, got_negated) <= _rank(axis, got_affirmed), (affirmed, negated, s, got_affirmed, got_negated)
    assert _rank(axis, got_negated) < _rank(axis, got_affirmed), f"the negation changed nothing: {negated.format(s=s)!r}"


def test_hedged_and_historical_findings_are_named_not_counted() -> None:
    """A hedged or historical finding leaves the axis missing, with an 'unasserted' span and a note."""
    text = ("Right upper lobe adenocarcinoma, 2.5 cm. No regional lymph node metastasis. "
            "Brain metastasis cannot be excluded. History of a resected adrenal metastasis.")
    res = find_calculator("AJCC8-lung").from_text(text)
    assert res.result.get("N") == "N0" and "M" not in res.result
    assert any(m.startswith("M:") for m in res.missing)
    contexts = {e.context for e in res.evidence if e.descriptor == "unasserted"}
    assert contexts == {"uncertain", "historical"}
    assert all(text[e.start:e.end] == e.text for e in res.evidence)
    assert any("cannot be excluded" in n for n in res.notes) and any("historical" in n for n in res.notes)
    n0 = next(e for e in res.evidence if e.descriptor.startswith("N."))
    assert n0.context == "negated"
