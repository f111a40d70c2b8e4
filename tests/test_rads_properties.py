"""Clinical monotonicity of the RADS readers and rules, as hypothesis properties (issue 10).

- a larger Lung-RADS nodule never lowers the category;
- more TI-RADS points never lower the level;
- negating a finding never raises a category (Lung-RADS, TI-RADS, LI-RADS, PI-RADS);
- the PI-RADS transition-zone score never depends on DCE.
Inputs are report text, so each property checks the reader and the rules together.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.calculators.rads import LIRADS, PIRADS, TIRADS, LungRADS

LUNG_ORDER = {"1": 1, "2": 2, "3": 3, "4A": 4, "4B": 5, "4X": 6}
TR_RANK = {"TR1": 0, None: 1, "TR2": 2, "TR3": 3, "TR4": 4, "TR5": 5}  # None: the 1-point gap
LR_RANK = {"LR-1": 1, "LR-2": 2, "LR-3": 3, "LR-4": 4, "LR-5": 5}
FAST = settings(max_examples=60, deadline=None)

sizes = st.decimals(min_value="2.0", max_value="40.0", places=1)


def _lung(kind: str, status: str, mean: object, solid: object = None) -> str | None:
    pre = "Baseline screening LDCT." if status == "baseline" else "Annual screening LDCT compared with the prior screen."
    new = "new " if status == "new" else ""
    comp = f" with a {solid} mm solid component" if solid is not None else ""
    return LungRADS().from_text(f"{pre} A {new}{mean} mm {kind} nodule in the right upper lobe{comp}.").result["category"]


@FAST
@given(a=sizes, b=sizes, kind=st.sampled_from(["solid", "ground-glass"]), status=st.sampled_from(["baseline", "new"]))
def test_larger_lung_nodule_never_lowers_category(a: object, b: object, kind: str, status: str) -> None:
    small, large = sorted((a, b))
    lo, hi = _lung(kind, status, small), _lung(kind, status, large)
    assert lo is not None and hi is not None
    assert LUNG_ORDER[lo] <= LUNG_ORDER[hi], (small, lo, large, hi)


@FAST
@given(total=st.decimals(min_value="4.0", max_value="30.0", places=1), s1=st.floats(0.1, 1.0), s2=st.floats(0.1, 1.0),
       status=st.sampled_from(["baseline", "new"]))
def test_larger_solid_component_never_lowers_category(total: object, s1: float, s2: float, status: str) -> None:
    lo_part, hi_part = sorted((round(float(total) * s1, 1), round(float(total) * s2, 1)))
    lo, hi = _lung("part-solid", status, total, lo_part), _lung("part-solid", status, total, hi_part)
    assert lo is not None and hi is not None
    assert LUNG_ORDER[lo] <= LUNG_ORDER[hi]


COMP = ["cystic", "mixed cystic and solid", "solid"]
ECHO = ["anechoic", "isoechoic", "hypoechoic", "very hypoechoic"]
SHAPE = ["wider-than-tall", "taller-than-wide"]
MARGIN = ["smooth margins", "ill-defined margins", "lobulated margins", "extrathyroidal extension"]
FOCI = ["no echogenic foci", "large comet-tail artifacts", "macrocalcifications", "peripheral rim calcification", "punctate echogenic foci"]
feature_idx = st.tuples(*(st.integers(0, len(x) - 1) for x in (COMP, ECHO, SHAPE, MARGIN, FOCI)))


def _tirads(idx: tuple[int, ...]) -> tuple[int | None, str | None]:
    c, e, s, m, f = idx
    text = f"Right lobe: 1.8 cm {COMP[c]}, {ECHO[e]} nodule, {SHAPE[s]}, with {MARGIN[m]}; {FOCI[f]}."
    res = TIRADS().from_text(text).result
    return res["points"], res["level"]


@FAST
@given(a=feature_idx, b=feature_idx)
def test_more_tirads_points_never_lower_level(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    (pa, la), (pb, lb) = _tirads(a), _tirads(b)
    assert pa is not None and pb is not None
    if pa <= pb:
        assert TR_RANK[la] <= TR_RANK[lb], (pa, la, pb, lb)


@FAST
@given(base=feature_idx, group=st.integers(0, 4))
def test_each_tirads_feature_step_up_never_lowers_points(base: tuple[int, ...], group: int) -> None:
    options = (COMP, ECHO, SHAPE, MARGIN, FOCI)[group]
    if base[group] == len(options) - 1:
        return
    up = tuple(v + 1 if i == group else v for i, v in enumerate(base))
    (pa, _), (pb, _) = _tirads(base), _tirads(up)
    assert pa is not None and pb is not None and pa <= pb


@FAST
@given(size=st.sampled_from([8, 12, 15, 25]), feature=st.sampled_from(["nonperipheral washout", "an enhancing capsule", "threshold growth"]),
       other=st.booleans())
def test_negating_a_lirads_feature_never_raises_category(size: int, feature: str, other: bool) -> None:
    extra = " and an enhancing capsule" if other and "capsule" not in feature else ""
    base = f"Cirrhotic liver. A {size} mm observation shows nonrim arterial phase hyperenhancement{extra}"
    affirmed = LIRADS().from_text(f"{base}, with {feature}.").result["category"]
    negated = LIRADS().from_text(f"{base}, without {feature.removeprefix('an ')}.").result["category"]
    assert LR_RANK[negated] <= LR_RANK[affirmed]


@FAST
@given(size=st.sampled_from(["5 mm", "7 mm", "9 mm", "16 mm"]), feature=st.sampled_from(["spiculation", "lymphadenopathy"]))
def test_negating_a_lung_finding_never_raises_category(size: str, feature: str) -> None:
    base = f"Baseline screening LDCT. {size} solid nodule in the left lower lobe."
    affirmed = LungRADS().from_text(f"{base} There is {feature}.").result["category"]
    negated = LungRADS().from_text(f"{base} There is no {feature}.").result["category"]
    assert LUNG_ORDER[negated] <= LUNG_ORDER[affirmed]


@FAST
@given(base=feature_idx, foci=st.sampled_from(["punctate echogenic foci", "macrocalcifications", "peripheral rim calcification"]))
def test_negating_tirads_foci_never_raises_points(base: tuple[int, ...], foci: str) -> None:
    c, e, s, m, _ = base
    stem = f"Right lobe: 1.8 cm {COMP[c]}, {ECHO[e]} nodule, {SHAPE[s]}, with {MARGIN[m]}"
    affirmed = TIRADS().from_text(f"{stem}; {foci}.").result["points"]
    negated = TIRADS().from_text(f"{stem}; no {foci}.").result["points"]
    assert affirmed is not None and negated is not None and negated <= affirmed


@FAST
@given(dwi=st.integers(1, 5), epe=st.booleans())
def test_negating_pz_dce_or_epe_never_raises_score(dwi: int, epe: bool) -> None:
    calc = PIRADS()
    pos = calc.from_text(f"Peripheral zone lesion, 1.0 cm: DWI {dwi}, DCE positive.").result["category"]
    neg = calc.from_text(f"Peripheral zone lesion, 1.0 cm: DWI {dwi}, DCE negative.").result["category"]
    assert int(neg) <= int(pos)
    if epe:
        desc = "focal, markedly hypointense on ADC and markedly hyperintense on high b-value images"
        with_epe = calc.from_text(f"Peripheral zone lesion, 1.0 cm, {desc}, with extraprostatic extension; DCE negative.").result["category"]
        without = calc.from_text(f"Peripheral zone lesion, 1.0 cm, {desc}, without extraprostatic extension; DCE negative.").result["category"]
        assert int(without) <= int(with_epe)


@FAST
@given(t2=st.integers(1, 5), dwi=st.integers(1, 5),
       dce=st.sampled_from(["DCE positive", "DCE negative", "no early enhancement", "early focal enhancement"]))
def test_tz_score_never_depends_on_dce(t2: int, dwi: int, dce: str) -> None:
    calc = PIRADS()
    plain = calc.from_text(f"Transition zone lesion, 1.0 cm: T2W {t2}, DWI {dwi}.").result["category"]
    with_dce = calc.from_text(f"Transition zone lesion, 1.0 cm: T2W {t2}, DWI {dwi}, {dce}.").result["category"]
    assert plain is not None and plain == with_dce


# ---- a sentence measuring another structure never changes the result -------------------------------
other_mm = st.integers(min_value=3, max_value=250)


@FAST
@given(mm=other_mm, lead=st.booleans(), what=st.sampled_from(["Aortic root {n} mm.", "Subcarinal lymph node {n} mm short axis.",
                                                               "Pulmonary artery {n} mm.", "纵隔淋巴结短径约{n}mm。"]))
def test_lung_other_structure_sizes_change_nothing(mm: int, lead: bool, what: str) -> None:
    nodule = "Baseline screening LDCT. 7 mm solid nodule in the right upper lobe."
    extra = what.format(n=mm)
    text = f"{extra} {nodule}" if lead else f"{nodule} {extra}"
    assert LungRADS().from_text(text).result["category"] == "3"


@FAST
@given(mm=other_mm, what=st.sampled_from(["Right lobe {n} x 18 x 16 mm.", "The thyroid gland measures {n} mm.", "甲状腺右叶大小约{n}mm。"]))
def test_thyroid_gland_sizes_change_nothing(mm: int, what: str) -> None:
    text = what.format(n=mm) + " A 9 mm solid hypoechoic nodule, wider than tall, smooth margins, no echogenic foci."
    res = TIRADS().from_text(text).result
    assert (res["points"], res["level"], res["recommendation"]) == (4, "TR4", "none")


@FAST
@given(mm=other_mm, what=st.sampled_from(["Prostate measures {n} x 38 x 40 mm.", "Left obturator lymph node {n} mm.", "前列腺大小约{n}mm。"]))
def test_prostate_sizes_change_nothing(mm: int, what: str) -> None:
    text = what.format(n=mm) + " Left PZ lesion 1.0 cm, focal, markedly hypointense on ADC and markedly hyperintense on high b-value images."
    assert PIRADS().from_text(text).result["DWI_score"] == 4


@FAST
@given(mm=other_mm, what=st.sampled_from(["Spleen {n} mm.", "Liver span {n} mm.", "Portal vein {n} mm.", "脾厚约{n}mm。"]))
def test_liver_organ_sizes_change_nothing(mm: int, what: str) -> None:
    text = "Cirrhosis. " + what.format(n=mm) + " 15 mm observation with nonrim APHE and an enhancing capsule."
    assert LIRADS().from_text(text).result["category"] == "LR-4"
