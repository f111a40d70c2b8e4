"""Quantities in queries and ranges in passages (rag.retrieval.quantity), and the lift they give in real search."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from rag.config import Settings
from rag.corpus.ingest import ingest
from rag.retrieval.quantity import NODES, POINTS, SIZE, Interval, Quantity, fit, passage_intervals, query_quantities
from rag.retrieval.retrieve import Retriever
from rag.workspace import Workspace
from tests.conftest import write


@pytest.mark.parametrize("query, expected", [
    ("breast tumour 35 mm what T", [Quantity(SIZE, 35.0)]),
    ("2.5 cm adenocarcinoma invading the visceral pleura", [Quantity(SIZE, 25.0)]),
    ("肺结节 7毫米", [Quantity(SIZE, 7.0)]),
    ("最大一个超过5厘米", [Quantity(SIZE, 50.01)]),  # "over 5 cm" sits just above 5 cm
    ("nodule <6 mm", [Quantity(SIZE, 5.99)]),
    ("nodule ≤6 mm", [Quantity(SIZE, 6.0)]),
    ("five positive regional lymph nodes colorectal", [Quantity(NODES, 5.0)]),
    ("Whipple specimen with 5/22 lymph nodes positive", [Quantity(NODES, 5.0)]),
    ("胃癌 9个阳性淋巴结", [Quantity(NODES, 9.0)]),
    ("Nodule with 5 points measuring 1.2 cm", [Quantity(SIZE, 12.0), Quantity(POINTS, 5.0)]),
    ("stage for T2b N0 M0 lung cancer 8th edition", []),
])
def test_query_quantities(query: str, expected: list[Quantity]) -> None:
    assert query_quantities(query) == expected


@pytest.mark.parametrize("text, expected", [
    ("T2: invasive tumour >20 mm and ≤50 mm in greatest dimension.", [Interval(SIZE, 20, 50, False, True)]),
    ("T1b: tumour >1 cm but ≤2 cm", [Interval(SIZE, 10, 20, False, True)]),
    ("solid ≥6 to <8 mm", [Interval(SIZE, 6, 8, True, False)]),
    ("new solid nodule ≥4 mm to <8 mm", [Interval(SIZE, 4, 8, True, False)]),
    ("T3: tumour >50 mm", [Interval(SIZE, low=50, low_inclusive=False)]),
    ("T1a: tumour ≤1 cm", [Interval(SIZE, high=10)]),
    ("N2a: four to six (4 to 6) positive regional lymph nodes.", [Interval(NODES, 4, 6)]),
    ("N2b: seven or more (≥7) positive regional lymph nodes.", [Interval(NODES, low=7)]),
    ("pN2a: metastases in 4 to 9 axillary nodes", [Interval(NODES, 4, 9)]),
    ("N3a: 7 or more regional nodes", [Interval(NODES, low=7)]),
    ("TR4 — moderately suspicious (4–6 points)", [Interval(POINTS, 4, 6)]),
    ("T3N0M0 is stage IIA", []),
])
def test_passage_intervals(text: str, expected: list[Interval]) -> None:
    assert passage_intervals(text) == expected


def test_interval_bounds_are_respected() -> None:
    t2 = Interval(SIZE, 20, 50, low_inclusive=False, high_inclusive=True)
    assert not t2.holds(Quantity(SIZE, 20)) and t2.holds(Quantity(SIZE, 20.01)) and t2.holds(Quantity(SIZE, 50))
    assert not t2.holds(Quantity(SIZE, 50.01)) and not t2.holds(Quantity(NODES, 30))
    assert Interval(NODES, low=7).holds(Quantity(NODES, 70)) and Interval(NODES, low=7).high == math.inf


def test_fit_rewards_a_passage_with_one_range_over_a_table_of_many() -> None:
    wanted = [Quantity(SIZE, 35)]
    definition = [Interval(SIZE, 20, 50, False, True)]
    table = [Interval(SIZE, high=20), Interval(SIZE, 20, 50, False, True), Interval(SIZE, low=50, low_inclusive=False)]
    assert fit(wanted, definition) == 1.0
    assert fit(wanted, table) == pytest.approx(1 / 3)
    assert fit(wanted, [Interval(SIZE, high=20)]) == 0.0
    assert fit([], definition) == 0.0


@pytest.mark.slow
def test_search_lifts_the_definition_whose_range_holds_the_size(tmp_path: Path) -> None:
    """Three definitions share every word; only the range tells them apart."""
    folder = tmp_path / "corpus"
    write(folder / "breast.md", "---\ntitle: Breast\nsystem: AJCC8-breast\n---\n# Breast T\n\n"
                                "## T1\n\nT1: invasive breast tumour ≤20 mm in greatest dimension.\n\n"
                                "## T2\n\nT2: invasive breast tumour >20 mm and ≤50 mm in greatest dimension.\n\n"
                                "## T3\n\nT3: invasive breast tumour >50 mm in greatest dimension.\n")
    workspace = Workspace(Settings(index_dir=tmp_path / "index", quantity_lift=0.2))
    try:
        ingest(workspace, [folder], progress=False)
        retriever = Retriever(workspace)
        for query, size_class in (("invasive breast tumour 35 mm", "T2"), ("invasive breast tumour 8 mm", "T1"),
                                  ("invasive breast tumour 6 cm", "T3")):
            top = retriever.search(query, k=3)[0].chunk.section.split(" > ")[-1]
            assert top == size_class, (query, top)
    finally:
        workspace.close()


def test_a_label_before_nodes_is_not_a_count() -> None:
    """"N1淋巴结转移" names the N1 category, not one node: read as a count it made the answer gate drop the N1 row."""
    assert not [q for q in query_quantities("3.5厘米肺癌伴N1淋巴结转移，分期是多少") if q.kind == NODES]
    assert [q.value for q in query_quantities("结直肠癌7枚区域淋巴结阳性") if q.kind == NODES] == [7.0]
