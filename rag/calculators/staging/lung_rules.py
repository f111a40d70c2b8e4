"""Lung descriptors → T, N, M (8th or 9th edition): the thresholds of DOMAIN §2 and §13.

Each axis collects candidate categories from independent descriptors (size, pleura, invasion,
nodules...) and keeps the highest; the evidence of the deciding descriptors is kept.
"""

from __future__ import annotations

from rag.calculators.staging.extract import Descriptors
from rag.calculators.staging.lung_nodes import KNOWN_STATIONS, StationReading, station_n
from rag.calculators.staging.lung_text import T_ORDER
from rag.calculators.staging.site import Context, Derived
from rag.calculators.staging.table import Assignment
from rag.types import Evidence

__all__ = ["derive", "t_by_size"]

_N_ORDER = ("N0", "N1", "N2", "N3")
_M_ORDER = ("M0", "M1a", "M1b", "M1c", "M1c1", "M1c2")


def t_by_size(mm: float) -> str:
    """T by greatest dimension: ≤ bounds are inclusive and nothing is rounded."""
    for bound, label in ((10, "T1a"), (20, "T1b"), (30, "T1c"), (40, "T2a"), (50, "T2b"), (70, "T3")):
        if mm <= bound:
            return label
    return "T4"


def _derive_t(d: Descriptors, ctx: Context, p: str, rules: list[str], notes: list[str]) -> Assignment | None:
    cands: list[tuple[str, tuple[Evidence, ...]]] = []
    subsolid = "solid_mm" in d or "part_solid" in d or "pure_ggn" in d
    clinical = ctx.clinical or (subsolid and not ctx.pathological)
    size = d.get("size_mm")
    if clinical and subsolid:
        total = d.get("total_mm") or size
        solid_mm = 0.0 if "pure_ggn" in d and "solid_mm" not in d else (d["solid_mm"].value if "solid_mm" in d else None)
        ev = tuple(e for f in (total, d.get("solid_mm"), d.get("pure_ggn"), d.get("part_solid")) if f for e in f.evidence)
        if solid_mm is not None:
            rules.append(f"{p}.RULE.PART_SOLID")
            if solid_mm == 0 and total is not None and total.value <= 30:
                cands.append(("Tis", ev))
            elif solid_mm <= 5:
                if total is not None and total.value > 30:
                    cands.append(("T1a", ev))
                else:
                    cands.append(("T1mi", ev))
                    if total is None:
                        notes.append("Total size unknown: solid part ≤5 mm read as cT1mi (the lower candidate).")
                        rules.append("TNM8.RULE.LOWER_WHEN_IN_DOUBT")
            else:
                cands.append((t_by_size(solid_mm), ev))
    elif ctx.pathological and "invasive_mm" in d:
        rules.append(f"{p}.RULE.PART_SOLID")
        cands.append((t_by_size(d["invasive_mm"].value), d["invasive_mm"].evidence))
    elif size is not None and size.value > 0:
        cands.append((t_by_size(size.value), size.evidence))
    if "ais" in d and (size is None or size.value <= 30):
        cands.append(("Tis", d["ais"].evidence))
    if "mia" in d and (size is None or size.value <= 30):
        cands.append(("T1mi", d["mia"].evidence))
        cands = [c for c in cands if c[0] != t_by_size(size.value)] if size else cands
    for key in ("vpi", "main_bronchus", "atelectasis"):
        if key in d:
            cands.append(("T2a", d[key].evidence))
    if "t3_invasion" in d:
        cands.append(("T3", d["t3_invasion"].evidence))
    if "t4_invasion" in d:
        cands.append(("T4", d["t4_invasion"].evidence))
    if "multiple_primaries" in d:
        rules.append("TNM8.RULE.MULTIPLE_TUMOURS")
        notes.append("The report names separate primary tumours: each is staged on its own (T of the highest "
                     "lesion, with (m)); separate-nodule rules (same lobe T3, other lobe T4) are not applied.")
    if "nodule_same_lobe" in d:
        cands.append(("T3", d["nodule_same_lobe"].evidence))
        rules.append(f"{p}.RULE.ADDITIONAL_NODULES")
    if "nodule_other_lobe" in d:
        cands.append(("T4", d["nodule_other_lobe"].evidence))
        rules.append(f"{p}.RULE.ADDITIONAL_NODULES")
    if not cands:
        return None
    best = max(cands, key=lambda c: T_ORDER.index(c[0]))[0]
    ev = tuple(e for c, evs in cands if c == best for e in evs)
    return Assignment(best, f"{p}.T.{best}", ev)


def _node_side(side: str) -> tuple[str, bool]:
    """("R" / "L" / "", contralateral?) from how the text gave a node's side: "R", "left", "contralateral"."""
    contra = "contralateral" in side
    word = side.split()[0].lower() if side.split() else ""
    if word in ("r", "right"):
        return "R", contra
    if word in ("l", "left"):
        return "L", contra
    return "", contra


def _level_only(level: str, side: str) -> str:
    """A node named by region only ("hilar", "mediastinal", "supraclavicular"): its level, N3 if contralateral."""
    if level in ("N1", "N2") and "contralateral" in side:
        return "N3"
    return level or "N1"


def _derive_n(d: Descriptors, p: str, edition: int, rules: list[str], notes: list[str],
              missing: list[str]) -> Assignment | None:
    if "nodes" in d:
        tumour_side = d["side"].value if "side" in d else None
        levels: list[tuple[str | None, str, Evidence, StationReading | None]] = []
        for (station, level, side), span in zip(d["nodes"].value, d["nodes"].evidence, strict=True):
            if station is None or station.lower() not in KNOWN_STATIONS:  # a region only, or a number no map row has
                levels.append((_level_only(level, side), level + side, span, None))
                continue
            node_side, contra = _node_side(side)
            reading = station_n(p, station, node_side, tumour_side, contra)
            levels.append((reading.category, station, span, reading))
        known = [x for x in levels if x[0] is not None]
        best = max((x[0] for x in known), key=_N_ORDER.index) if known else None
        open_ = [x[3] for x in levels if x[0] is None and x[3] is not None]
        if open_ and best != "N3":  # a station the corpus leaves open could still be the highest
            for reading in open_:
                rules.extend(reading.rule_ids)
                notes.append(reading.note)
                missing.append(reading.missing)
            return None
        assert best is not None
        deciding = [x for x in known if x[0] == best]
        for _, _, _, row in deciding:
            if row is not None:
                rules.extend(row.rule_ids)
                if row.note:
                    notes.append(row.note)
        ev = tuple(e for _, _, e, _ in deciding)
        if best == "N2" and edition == 9:
            stations = {s for lv, s, _, _ in levels if lv == "N2" and s[:1].isdigit()}
            if len(stations) >= 2:
                best = "N2b"
            elif stations:  # one numbered station; an unnumbered "mediastinal" node may be the same
                best = "N2a"
        return Assignment(best, f"{p}.N.{best}", ev)
    if "nodes_positive_count" in d:
        missing.append("N: station and side of the involved nodes (a count alone cannot give N1, N2 or N3)")
        return None
    if "nodes_negative" in d:
        return Assignment("N0", f"{p}.N.N0", d["nodes_negative"].evidence)
    return None


def _derive_m(d: Descriptors, p: str, edition: int, rules: list[str]) -> Assignment | None:
    cands: list[tuple[str, tuple[Evidence, ...]]] = []
    if "nodule_contralateral" in d:
        cands.append(("M1a", d["nodule_contralateral"].evidence))
        rules.append(f"{p}.RULE.ADDITIONAL_NODULES")
    if "m1a_pleural" in d:
        cands.append(("M1a", d["m1a_pleural"].evidence))
    if "distant" in d:
        organs: dict[str, bool] = d["distant"].value
        if len(organs) >= 2:
            cands.append(("M1c" if edition == 8 else "M1c2", d["distant"].evidence))
        elif any(organs.values()):
            cands.append(("M1c" if edition == 8 else "M1c1", d["distant"].evidence))
        else:
            cands.append(("M1b", d["distant"].evidence))
    if cands:
        best = max(cands, key=lambda c: _M_ORDER.index(c[0]))[0]
        return Assignment(best, f"{p}.M.{best}", tuple(e for c, evs in cands if c == best for e in evs))
    if "m0_stated" in d:
        return Assignment("M0", f"{p}.M.M0", d["m0_stated"].evidence)
    return None


def derive(d: Descriptors, ctx: Context, *, edition: int) -> Derived:
    """T, N and M from lung descriptors under the 8th (``edition=8``) or 9th edition."""
    p = "LUNG8" if edition == 8 else "LUNG9"
    rules: list[str] = []
    notes: list[str] = []
    missing: list[str] = []
    found = {"T": _derive_t(d, ctx, p, rules, notes), "N": _derive_n(d, p, edition, rules, notes, missing),
             "M": _derive_m(d, p, edition, rules)}
    return Derived({k: v for k, v in found.items() if v is not None}, {}, tuple(rules), tuple(notes),
                   tuple(missing))
