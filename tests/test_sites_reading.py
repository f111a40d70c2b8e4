"""Report reading shared by the further sites: negation forms seen in real pathology reports."""

from __future__ import annotations

import pytest

from rag.calculators.staging.sites import kidney, thyroid
from rag.calculators.staging.sites.reading import grade, positive_nodes, tumour_size


@pytest.mark.parametrize(("text", "extent"), [
    ("Tumor size 3 cm. Renal vein invasion: No. Adrenal gland: Not resected.", None),
    ("Tumor size 3 cm. Perirenal adipose tissue: Not identified.", None),
    ("Tumor size 3 cm. The renal vein is grossly free of tumor.", None),
    ("Tumor size 3 cm. The tumor does not involve. the collecting system.", None),
    ("Tumor size 3 cm, compressing the renal sinus fat.", None),
    ("Tumor size 3 cm. The tumor invades the renal sinus fat.", "T3a"),
    ("Tumor size 3 cm. Tumor extends into the. renal vein.", "T3a"),
    ("Tumor size 3 cm; the tumor extends through Gerota's fascia.", "T4"),
    ("Tumor size 3 cm; tumor confined within Gerota's fascia.", None),
])
def test_kidney_extent_negation(text: str, extent: str | None) -> None:
    found = kidney.extract(text).get("extent")
    assert (found.value if found else None) == extent


def test_examples_inside_a_definition_are_not_findings() -> None:
    text = ("Tumor size: 4.5 cm. pT3: Tumor more than 4 cm, limited to thyroid or with minimal "
            "extrathyroidal extension (eg, extension to sternothyroid muscle or perithyroid soft tissues).")
    assert "extension" not in thyroid.extract(text)


def test_minimal_extension_into_strap_muscle_is_not_gross() -> None:
    text = "Tumor size 1.5 cm with minimal extrathyroidal extension into strap muscle."
    assert "extension" not in thyroid.extract(text)
    assert thyroid.extract("Tumor size 1.5 cm, grossly invading the strap muscles.")["extension"].value == "T3b"


@pytest.mark.parametrize(("text", "count"), [
    ("Number of lymph nodes examined: 1. Number of lymph nodes with metastatic disease: 1. "
     "Size of the largest lymph node involved by tumor: 0.2cm.", 1),
    ("Lymph nodes: 8 of 12. positive for metastasis.", 8),
    ("Right obturator nodes (0/4). Left obturator nodes: metastatic carcinoma in 2 of 6 lymph nodes (2/6).", 2),
    ("Number of lymph nodes involved: 2. Number of lymph nodes involved: 3.", 5),
])
def test_positive_node_counts(text: str, count: int) -> None:
    found = positive_nodes(text)
    assert found is not None and found.value == count
    assert all(text[e.start:e.end] == e.text for e in found.evidence)


def test_largest_tumour_sets_the_size_and_specimen_sizes_are_ignored() -> None:
    text = ("Specimen: lobe measuring 6.0 x 4.0 cm. The small tumor measures 1.5 cm. "
            "The larger tumor measures 2.5 x 2.0 cm.")
    found = tumour_size(text)
    assert found is not None and found.value == 25.0


@pytest.mark.parametrize(("text", "label"), [
    ("moderately to poorly differentiated adenocarcinoma", "G3"),
    ("well-differentiated squamous cell carcinoma", "G1"),
    ("Histologic grade: G2", "G2"),
    ("grade cannot be assessed", "GX"),
])
def test_grade(text: str, label: str) -> None:
    found = grade(text)
    assert found is not None and found.value == label
