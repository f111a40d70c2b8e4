"""Sizes, node counts and points: which passage's range holds the number a clinician typed.

"breast tumour 35 mm, what T" shares every word with the T1, T2 and T3 definitions; only the numbers
tell them apart, and neither BM25 nor MiniLM reads ">20 mm and ≤50 mm" as a range holding 35. Most
gold-question misses were of this kind (a neighbouring rule of the same system won). So the query's
quantities are read, the ranges each candidate passage states are read, and a passage whose range
holds the number is lifted (``rag.retrieval.retrieve``). A passage stating many ranges (a whole stage table)
is lifted less than a definition stating one: holding the number says less about it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

SIZE, NODES, POINTS = "size_mm", "nodes", "points"
_NUMBER = r"(\d+(?:\.\d+)?)"  # the query patterns' first group
_SIZE_UNIT = r"(?:mm|cm|毫米|厘米)\b"
_NODE_UNIT = r"(?:(?:positive|involved|regional|axillary|pelvic|lymph|metastatic|internal\s+mammary)\s+){0,3}(?:lymph\s+)?nodes?\b"
_POINT_UNIT = r"points?\b"
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20}
_WORD_NUMBER = r"(\d+|" + "|".join(_WORDS) + r")"


@dataclass(frozen=True)
class Quantity:
    """A number the query states: a size in millimetres, a count of nodes, or TI-RADS points."""

    kind: str
    value: float


@dataclass(frozen=True)
class Interval:
    """A range a passage states, e.g. ">20 mm and ≤50 mm" → (20, 50], in the quantity's own unit."""

    kind: str
    low: float = -math.inf
    high: float = math.inf
    low_inclusive: bool = True
    high_inclusive: bool = True

    def holds(self, quantity: Quantity) -> bool:
        if quantity.kind != self.kind:
            return False
        above = quantity.value >= self.low if self.low_inclusive else quantity.value > self.low
        below = quantity.value <= self.high if self.high_inclusive else quantity.value < self.high
        return above and below


# --- the query -----------------------------------------------------------------------------------
_ABOVE = r"(?:>|≥|>=|over|more\s+than|larger\s+than|greater\s+than|exceeding|超过|大于)"
_BELOW = r"(?:<|≤|<=|under|less\s+than|smaller\s+than|below|小于|不足)"
_QUERY_SIZE = re.compile(r"(?:(?P<above>" + _ABOVE + r")|(?P<below>" + _BELOW + r"))?\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>"
                         + _SIZE_UNIT + ")", re.I)
# A bound typed in the query ("over 5 cm", "超过5厘米") stands just past its number, so ">5 cm" lands
# in the range above 5 cm rather than in the one ending at 5 cm.
_NUDGE = 0.01
_QUERY_NODES = re.compile(r"\b" + _WORD_NUMBER + r"(?:\s*/\s*\d+)?\s+" + _NODE_UNIT, re.I)
_QUERY_NODES_ZH = re.compile(r"(?<![A-Za-z\d.])(\d+)\s*(?:个|枚)?(?:阳性)?(?:区域)?淋巴结")  # not "N1淋巴结"
_QUERY_POINTS = re.compile(r"\b" + _WORD_NUMBER + r"\s+" + _POINT_UNIT, re.I)
_QUERY_POINTS_ZH = re.compile(r"(\d+)\s*分")


def query_quantities(text: str) -> list[Quantity]:
    """The sizes, node counts and points a query states ("9 mm", "five positive nodes", "5 points")."""
    found = [Quantity(SIZE, _millimetres(float(m["value"]), m["unit"]) + _nudge(m)) for m in _QUERY_SIZE.finditer(text)]
    found += [Quantity(NODES, _number(m.group(1))) for m in _QUERY_NODES.finditer(text)]
    found += [Quantity(NODES, float(m.group(1))) for m in _QUERY_NODES_ZH.finditer(text)]
    found += [Quantity(POINTS, _number(m.group(1))) for m in _QUERY_POINTS.finditer(text)]
    found += [Quantity(POINTS, float(m.group(1))) for m in _QUERY_POINTS_ZH.finditer(text)]
    return list(dict.fromkeys(found))


# --- the passages --------------------------------------------------------------------------------
_LOWER = r"(?P<lop>>|≥|>=|more\s+than|over|at\s+least)?\s*"
_UPPER = r"(?P<hop>≤|<=|<|up\s+to|at\s+most|less\s+than)?\s*"
_JOIN = r"\s*(?:and|but|to|–|-|—|至|~)\s*"
_UNITS = ((SIZE, _SIZE_UNIT), (NODES, _NODE_UNIT), (POINTS, _POINT_UNIT))
_BETWEEN = {kind: re.compile(_LOWER + r"(?P<low>\d+(?:\.\d+)?)\s*" + f"(?:{unit})?" + r"(?:\s+but)?" + _JOIN + _UPPER
                             + r"(?P<high>\d+(?:\.\d+)?)\)?\s*" + f"(?P<unit>{unit})", re.I) for kind, unit in _UNITS}
_ONE_SIDED = {kind: re.compile(r"(?P<op>≤|<=|<|≥|>=|>)\s*(?P<value>\d+(?:\.\d+)?)\)?\s*" + f"(?P<unit>{unit})", re.I)
              for kind, unit in _UNITS}
_OR_MORE = {kind: re.compile(r"\b(?P<value>\d+)\s+or\s+more\s+" + unit, re.I) for kind, unit in _UNITS
            if kind != SIZE}


def passage_intervals(text: str) -> list[Interval]:
    """Every range a passage states, two-sided ones first; a one-sided bound inside a range is not repeated."""
    intervals: list[Interval] = []
    for kind, pattern in _BETWEEN.items():
        covered = []
        for m in pattern.finditer(text):
            low, high = float(m["low"]), float(m["high"])
            if kind == SIZE:  # "2–5 cm": the unit after the upper number serves both
                low, high = _millimetres(low, m["unit"]), _millimetres(high, m["unit"])
            if low < high:
                covered.append(m.span())
                intervals.append(Interval(kind, low, high, not (m["lop"] or "").startswith((">", "more", "over")),
                                          not (m["hop"] or "").startswith(("<", "less"))))
        for m in _ONE_SIDED[kind].finditer(text):
            if any(start <= m.start() < end for start, end in covered):
                continue
            op, value = m["op"], float(m["value"])
            if kind == SIZE:
                value = _millimetres(value, m["unit"])
            if op.startswith("<") or op == "≤":
                intervals.append(Interval(kind, high=value, high_inclusive=op != "<"))
            else:
                intervals.append(Interval(kind, low=value, low_inclusive=op != ">"))
        if kind in _OR_MORE:
            intervals += [Interval(kind, low=float(m["value"])) for m in _OR_MORE[kind].finditer(text)]
    return intervals


def fit(quantities: list[Quantity], intervals: list[Interval]) -> float:
    """How specifically a passage's ranges hold the query's numbers: 1 per number held by the passage's
    only range of that kind, less when the passage states many ranges of that kind."""
    score = 0.0
    for quantity in quantities:
        same_kind = [i for i in intervals if i.kind == quantity.kind]
        if any(i.holds(quantity) for i in same_kind):
            score += 1.0 / len(same_kind)
    return score / len(quantities) if quantities else 0.0


def _nudge(match: re.Match[str]) -> float:
    if match["above"] and not match["above"].startswith("≥") and ">=" not in match["above"]:
        return _NUDGE
    if match["below"] and not match["below"].startswith("≤") and "<=" not in match["below"]:
        return -_NUDGE
    return 0.0


def _millimetres(value: float, unit: str | None) -> float:
    return value * 10 if unit and unit.lower() in ("cm", "厘米") else value


def _number(token: str) -> float:
    return float(_WORDS.get(token.lower(), token)) if not token.isdigit() else float(token)
