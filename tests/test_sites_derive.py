"""Descriptor rules of the further sites: every threshold at, just below and just above it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rag.calculators.staging.extract import Fact
from rag.calculators.staging.site import Context
from rag.calculators.staging.sites import bladder, cervix, esophagus, gist, kidney, liver, pancreas, stomach, thyroid


def _derive(module: Any, **values: Any) -> dict[str, str]:
    derived = module.derive({k: Fact(v) for k, v in values.items()}, Context("p"))
    return {axis: a.category for axis, a in derived.assignments.items()}


SIZE_CASES = [
    # pancreas: ≤5 T1a, >5 and <10 T1b, 10–20 T1c, >20–40 T2, >40 T3
    (pancreas, 5.0, "T1a"), (pancreas, 5.1, "T1b"), (pancreas, 9.9, "T1b"), (pancreas, 10.0, "T1c"),
    (pancreas, 20.0, "T1c"), (pancreas, 20.1, "T2"), (pancreas, 40.0, "T2"), (pancreas, 40.1, "T3"),
    # kidney (limited to the kidney): ≤40 T1a, ≤70 T1b, ≤100 T2a, >100 T2b
    (kidney, 40.0, "T1a"), (kidney, 40.1, "T1b"), (kidney, 70.0, "T1b"), (kidney, 70.1, "T2a"),
    (kidney, 100.0, "T2a"), (kidney, 100.1, "T2b"),
    # thyroid (no gross extension): ≤10 T1a, ≤20 T1b, ≤40 T2, >40 T3a
    (thyroid, 10.0, "T1a"), (thyroid, 10.1, "T1b"), (thyroid, 20.0, "T1b"), (thyroid, 20.1, "T2"),
    (thyroid, 40.0, "T2"), (thyroid, 40.1, "T3a"),
    # GIST: ≤20 T1, ≤50 T2, ≤100 T3, >100 T4
    (gist, 20.0, "T1"), (gist, 20.1, "T2"), (gist, 50.0, "T2"), (gist, 50.1, "T3"),
    (gist, 100.0, "T3"), (gist, 100.1, "T4"),
]


@pytest.mark.parametrize(("module", "mm", "expected"), SIZE_CASES)
def test_t_by_size(module: Any, mm: float, expected: str) -> None:
    assert _derive(module, size_mm=mm)["T"] == expected


COUNT_CASES = [
    (stomach, 0, "N0"), (stomach, 1, "N1"), (stomach, 2, "N1"), (stomach, 3, "N2"), (stomach, 6, "N2"),
    (stomach, 7, "N3a"), (stomach, 15, "N3a"), (stomach, 16, "N3b"), (stomach, 30, "N3b"),
    (esophagus, 0, "N0"), (esophagus, 2, "N1"), (esophagus, 3, "N2"), (esophagus, 6, "N2"),
    (esophagus, 7, "N3"),
    (pancreas, 0, "N0"), (pancreas, 1, "N1"), (pancreas, 3, "N1"), (pancreas, 4, "N2"),
    (kidney, 0, "N0"), (kidney, 1, "N1"), (kidney, 9, "N1"),
    (liver, 0, "N0"), (liver, 1, "N1"),
    (bladder, 0, "N0"), (bladder, 1, "N1"), (bladder, 2, "N2"),
    (gist, 0, "N0"), (gist, 1, "N1"),
]


@pytest.mark.parametrize(("module", "count", "expected"), COUNT_CASES)
def test_n_by_positive_node_count(module: Any, count: int, expected: str) -> None:
    assert _derive(module, positive_nodes=count)["N"] == expected


def test_pancreas_artery_is_t4_at_any_size() -> None:
    assert _derive(pancreas, size_mm=8.0, artery="involved")["T"] == "T4"


@pytest.mark.parametrize(("extent", "size", "expected"), [
    ("T3a", 30.0, "T3a"), ("T3b", None, "T3b"), ("T3c", 120.0, "T3c"), ("T4", 20.0, "T4")])
def test_kidney_extension_outranks_size(extent: str, size: float | None, expected: str) -> None:
    values: dict[str, Any] = {"extent": extent}
    if size is not None:
        values["size_mm"] = size
    assert _derive(kidney, **values)["T"] == expected


@pytest.mark.parametrize(("values", "expected"), [
    ({"size_mm": 20.0, "solitary": True}, "T1a"),
    ({"size_mm": 20.0, "solitary": True, "vascular_invasion": True}, "T1a"),
    ({"size_mm": 20.1, "vascular_invasion": False}, "T1b"),
    ({"size_mm": 20.1, "vascular_invasion": True}, "T2"),
    ({"size_mm": 50.0, "multiple": True}, "T2"),
    ({"size_mm": 50.1, "multiple": True}, "T3"),
    ({"size_mm": 15.0, "major_vessel": "involved"}, "T4"),
    ({"size_mm": 15.0, "adjacent_organ": "involved"}, "T4"),
])
def test_liver_t(values: dict[str, Any], expected: str) -> None:
    assert _derive(liver, **values)["T"] == expected


def test_liver_asks_for_vascular_invasion_above_2_cm() -> None:
    derived = liver.derive({"size_mm": Fact(25.0)}, Context("p"))
    assert "T" not in derived.assignments
    assert any("vascular invasion" in m for m in derived.missing)


@pytest.mark.parametrize(("values", "expected"), [
    ({"invasion_depth_mm": 3.0}, "T1a1"), ({"invasion_depth_mm": 3.1}, "T1a2"),
    ({"invasion_depth_mm": 5.0}, "T1a2"),
    ({"invasion_depth_mm": 5.1, "size_mm": 20.0}, "T1b1"),
    ({"invasion_depth_mm": 6.0, "size_mm": 20.1}, "T1b2"),
    ({"size_mm": 40.0}, "T1b2"), ({"size_mm": 40.1}, "T1b3"),
    ({"extent": "T2a", "size_mm": 40.0}, "T2a1"), ({"extent": "T2a", "size_mm": 40.1}, "T2a2"),
    ({"extent": "T2b", "size_mm": 10.0}, "T2b"), ({"extent": "T3b"}, "T3b"), ({"extent": "T4"}, "T4"),
])
def test_cervix_t(values: dict[str, Any], expected: str) -> None:
    assert _derive(cervix, **values)["T"] == expected


@pytest.mark.parametrize(("values", "expected"), [
    ({"pelvic_nodes": False, "para_aortic_nodes": False}, "N0"),
    ({"pelvic_nodes": True}, "N1"),
    ({"pelvic_nodes": True, "para_aortic_nodes": True}, "N2"),
    ({"pelvic_nodes": False, "para_aortic_nodes": True}, "N2"),
])
def test_cervix_n(values: dict[str, Any], expected: str) -> None:
    assert _derive(cervix, **values)["N"] == expected


@pytest.mark.parametrize(("values", "expected"), [
    ({"positive_nodes": 0, "lateral": "lateral"}, "N0"),
    ({"positive_nodes": 2, "central": "central"}, "N1a"),
    ({"positive_nodes": 2, "central": "central", "lateral": "lateral"}, "N1b"),
    ({"positive_nodes": 1}, "N1"),
])
def test_thyroid_n(values: dict[str, Any], expected: str) -> None:
    assert _derive(thyroid, **values)["N"] == expected


def test_thyroid_gross_extension_outranks_size() -> None:
    assert _derive(thyroid, size_mm=8.0, extension="T4a")["T"] == "T4a"


@pytest.mark.parametrize(("values", "expected"), [
    ({"positive_nodes": 1}, "N1"), ({"positive_nodes": 3}, "N2"),
    ({"positive_nodes": 3, "common_iliac": True}, "N3"),
])
def test_bladder_n(values: dict[str, Any], expected: str) -> None:
    assert _derive(bladder, **values)["N"] == expected


NORMALISE: list[tuple[Callable[..., dict[str, Any]], dict[str, Any], dict[str, Any]]] = [
    (gist.normalise, {"mitotic_rate": 5}, {"mitotic_rate": "low"}),
    (gist.normalise, {"mitotic_rate": 6}, {"mitotic_rate": "high"}),
    (gist.normalise, {"location": "gastric"}, {"primary_site": "stomach"}),
    (gist.normalise, {"primary_site": "jejunum"}, {"primary_site": "small intestine"}),
    (thyroid.normalise, {"histology": "papillary carcinoma"}, {"histology": "differentiated"}),
    (thyroid.normalise, {"histology": "MTC"}, {"histology": "medullary"}),
    (esophagus.normalise, {"grade": "moderately differentiated"}, {"grade": "G2"}),
    (esophagus.normalise, {"location": "distal"}, {"location": "lower"}),
    (esophagus.normalise, {"histology": "SCC"}, {"histology": "squamous"}),
]


@pytest.mark.parametrize(("normalise", "given", "expected"), NORMALISE)
def test_user_spellings_are_normalised(normalise: Callable[..., dict[str, Any]], given: dict[str, Any],
                                       expected: dict[str, Any]) -> None:
    out = normalise(given)
    assert all(out[k] == v for k, v in expected.items())
