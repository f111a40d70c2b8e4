from __future__ import annotations

import pytest

from rag.index.tokenize import has_chinese, tokenize


@pytest.mark.parametrize("text, expected", [
    ("T2a", "t2a"), ("N1c", "n1c"), ("M1b", "m1b"), ("category 4B", "4b"), ("LR-5", "lr-5"),
    ("PI-RADS", "pi-rads"), ("≥ 1.5 cm", "≥"), ("size 1.5 cm", "1.5"), ("IIIA", "iiia"), ("1p/19q", "1p/19q"),
    ("T1mi", "t1mi"), ("Gleason 3+4", "3+4"), ("4X", "4x"),
])
def test_clinical_tokens_stay_whole(text: str, expected: str) -> None:
    assert expected in tokenize(text)


def test_compounds_also_index_their_parts() -> None:
    tokens = tokenize("LI-RADS LR-5")
    assert {"li-rads", "li", "lr-5", "5"} <= set(tokens)


def test_prefixed_categories_match_bare_queries() -> None:
    assert {"pt2a", "t2a"} <= set(tokenize("pT2a"))
    assert {"ypn1mi", "n1mi"} <= set(tokenize("ypN1mi"))
    assert "tis" in tokenize("pTis")


@pytest.mark.parametrize("text, parts", [
    ("T3N0M0结肠癌是几期", {"t3", "n0", "m0"}), ("第九版中T1aN1M0属于哪一期", {"t1a", "n1", "m0"}),
    ("pT4aN0M0", {"t4a", "n0", "m0"}), ("T1N3b", {"t1", "n3b"}), ("T2bN2M1c1", {"t2b", "n2", "m1c1"}),
    ("ypT0N0", {"t0", "n0"}), ("TisN0M0", {"tis", "n0", "m0"}),
])
def test_glued_tnm_combinations_yield_their_parts(text: str, parts: set[str]) -> None:
    assert parts <= set(tokenize(text))


def test_words_that_only_look_glued_stay_whole() -> None:
    assert tokenize("T2 N1") == ["t2", "n1"]
    assert tokenize("tn") == ["tn"]


def test_number_and_unit_split_but_categories_do_not() -> None:
    assert tokenize("3.5cm") == ["3.5", "cm"]
    assert tokenize("4b") == ["4b"]


def test_ascii_comparators_become_symbols() -> None:
    assert tokenize(">= 2") == ["≥", "2"]


def test_chinese_is_segmented_and_fullwidth_digits_normalised() -> None:
    tokens = tokenize("肿瘤最大径３．５厘米，伴脏层胸膜侵犯")
    assert "3.5" in tokens
    assert "胸膜" in tokens and "侵犯" in tokens
    assert has_chinese("脏层胸膜") and not has_chinese("pleura")


def test_stopwords_dropped_and_words_stemmed() -> None:
    tokens = tokenize("What is the staging of tumours")
    assert "the" not in tokens and "what" not in tokens
    assert tokenize("tumours") == tokenize("tumour")
