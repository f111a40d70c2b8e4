"""The shared text scanner: negation and hedge scope, sizes and units, segments, findings helpers."""

from __future__ import annotations

import pytest

from rag.calculators.rads.scan import (
    Vocab,
    as_bool,
    clause_segments,
    find_percent,
    find_sizes,
    is_hedged,
    is_negated,
    lookup,
)
from rag.errors import InvalidInput

WASHOUT = Vocab(
    {"washout": [r"\bwashout\b", r"廓清"], "capsule": [r"\bcapsule\b"], "spic": [r"毛刺", r"\bspiculation\b"]}
)


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("washout", False),
        ("no washout", True),
        ("without washout", True),
        ("washout: no", True),
        ("washout: yes", False),
        ("washout is not seen", True),
        ("washout absent", True),
        ("no capsule. washout", False),
        ("no capsule but washout", False),
        ("no capsule or washout", True),
        ("无毛刺", True),
        ("可见毛刺", False),
        ("未见毛刺", True),
        ("no lymphadenopathy, a 9 mm nodule with spiculation", False),
        ("negative for washout", True),
        ("washout present", False),
        ("no capsule, washout", False),
        ("without capsule, spiculation, or washout", True),
        ("no capsule, no washout", True),
        ("无包膜、毛刺", False),
        ("无包膜、毛刺及廓清", True),
    ],
)
def test_negation(text: str, negated: bool) -> None:
    hits = [h for h in WASHOUT.find(text) if h.value in ("washout", "spic")]
    assert hits and hits[-1].negated is negated


@pytest.mark.parametrize(
    ("text", "hedged"),
    [
        ("possible washout", True),
        ("questionable washout", True),
        ("washout?", True),
        ("washout: equivocal", True),
        ("possible capsule, washout", False),
        ("washout", False),
        ("definite washout", False),
    ],
)
def test_hedges(text: str, hedged: bool) -> None:
    hit = [h for h in WASHOUT.find(text) if h.value == "washout"][0]
    assert hit.hedged is hedged


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("7.0 x 5.0 mm", (7.0, 5.0)),
        ("7 mm", (7.0,)),
        ("1.2 cm", (12.0,)),
        ("1.2厘米", (12.0,)),
        ("长径7.0毫米", (7.0,)),
        ("2.0 × 1.1 × 1.0 cm", (20.0, 11.0, 10.0)),
        ("15mm", (15.0,)),
        ("T2W 3", None),
        ("v2.1", None),
    ],
)
def test_sizes(text: str, values: tuple[float, ...] | None) -> None:
    sizes = find_sizes(text)
    if values is None:
        assert not sizes
    else:
        assert sizes[0].values_mm == pytest.approx(values)
        assert text[sizes[0].start : sizes[0].end].strip()


def test_percent_and_ranges() -> None:
    assert [p[:2] for p in find_percent("2% and 10-50 %")] == [(2.0, 2.0), (10.0, 50.0)]


def test_segments_keep_decimals_and_split_markers() -> None:
    text = "Nodules: (1) 4.0 mm solid; (2) 12.5 mm calcified. Done"
    pieces = [text[s:e] for s, e in clause_segments(text)]
    assert any(p.startswith("(1) 4.0 mm") for p in pieces) and any(p.startswith("(2) 12.5 mm") for p in pieces)


def test_lookup_ignores_case_and_punctuation() -> None:
    assert lookup({"T2W_score": 3}, "t2w score") == ("T2W_score", 3)
    assert lookup({"a": None}, "a") is None


@pytest.mark.parametrize(
    ("value", "want"), [(True, True), ("present", True), ("no", False), ("阴性", False), ("equivocal", None)]
)
def test_as_bool(value: object, want: bool | None) -> None:
    assert as_bool(value, "k") is want


def test_as_bool_rejects_garbage() -> None:
    with pytest.raises(InvalidInput):
        as_bool("purple", "k")


@pytest.mark.parametrize(
    ("text", "term", "negated"),
    [
        ("No washout is seen.", "washout", True),
        ("No enhancing capsule is identified.", "capsule", True),
        ("A nodule without washout or capsule is seen.", "capsule", True),
        ("No spiculation is present.", "spiculation", True),
        ("No washout, capsule present.", "capsule", False),
        ("Capsule is seen.", "Capsule", False),
        ("Washout: no.", "Washout", True),
        ("囊性无回声结节", "囊性", False),  # 无回声 (anechoic) is not a denial of what precedes it
    ],
)
def test_negation_cue_governs_its_term_even_before_is_seen(text: str, term: str, negated: bool) -> None:
    start = text.index(term)
    assert is_negated(text, start, start + len(term)) is negated


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("punctate echogenic foci cannot be excluded", "punctate echogenic foci"),
        ("点状强回声不除外", "点状强回声"),
        ("边缘毛刺可能", "毛刺"),
        ("possible microcalcifications", "microcalcifications"),
    ],
)
def test_hedges_after_the_term(text: str, term: str) -> None:
    start = text.index(term)
    assert is_hedged(text, start, start + len(term))



@pytest.mark.parametrize(("text", "mm"), [("7-mm solid nodule", (7.0,)), ("7 by 5 mm", (7.0, 5.0)), ("a 1.5-cm nodule", (15.0,)),
                                          ("8×6mm", (8.0, 6.0))])
def test_size_notations(text: str, mm: tuple[float, ...]) -> None:
    assert find_sizes(text)[0].values_mm == mm


def test_a_range_start_is_not_a_size() -> None:
    assert [s.values_mm for s in find_sizes("5-7 mm")] == [(7.0,)]
