"""Measurements in report text, in millimetres: single sizes, axes ("7 x 5 mm") and ranges ("7–8 mm").

Why one module: every RADS reader reads sizes, and each size threshold (Lung-RADS 6/8/15 mm, TI-RADS
1.0/1.5/2.5 cm, LI-RADS 10/20 mm, PI-RADS 1.5 cm) turns on them. A range is not a size: "7–8 mm"
straddles the Lung-RADS 8 mm row, and reading its upper end (what a plain number regex does) gives
a category the report never supports. So a range is parsed as such and read at *one end at a time*:
``reading_end("low")`` / ``reading_end("high")`` choose the end, and ``ranges_read()`` records the
ranges met, so that ``rads.ranges.both_ends`` can evaluate a reader at both ends and keep only the
fields on which the two agree.

A bound ("<6 mm", "≥15 mm", "6mm以下") is a range open at one side: below reads from 1 mm up to the
bound (less 0.1 mm when strict), above from the bound (plus 0.1 mm when strict) to three times it.

Outside ``reading_end`` a range reads at its upper end (the historic behaviour of the readers).
A range is not a growth statement: "increased from 5 to 8 mm" is read as before (the current size),
never as a range.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["Size", "SizeRange", "find_sizes", "ranges_read", "reading_end", "to_mm", "UNIT", "NUM"]

UNIT = r"(?:mm|cm|毫米|厘米|millimet(?:er|re)s?|centimet(?:er|re)s?)"
NUM = r"\d+(?:\.\d+)?"

_SIZE = re.compile(
    # "7 x 5 mm", "7 × 5mm", "7 by 5 mm", "7-mm" (a hyphen only directly before the unit, so "5-7 mm" is no size "5")
    rf"(?<![A-Za-z0-9.])(?P<a>{NUM})(?:-|\s*)(?P<ua>{UNIT})?\s*(?:(?:[x×*]|\bby\b)\s*(?P<b>{NUM})\s*(?P<ub>{UNIT})?\s*"
    rf"(?:(?:[x×*]|\bby\b)\s*(?P<c>{NUM})\s*)?)?(?P<u>{UNIT})?(?![A-Za-z0-9])",
    re.I,
)
_DASH = r"(?:-|–|—|~|～|〜|\bto\b|至|到)"
# "7-8 mm", "7 to 8 mm", "7 mm - 8 mm", "0.7～0.8厘米", "7至8毫米", "between 7 and 8 mm".
_RANGE = re.compile(
    rf"(?<![A-Za-z0-9.])(?P<btw>between\s+)?(?P<lo>{NUM})\s*(?P<ulo>{UNIT})?\s*(?(btw)and|{_DASH})\s*"
    rf"(?P<hi>{NUM})\s*(?P<u>{UNIT})(?![A-Za-z0-9])",
    re.I,
)
# A bound is a range open at one side: "<6 mm", "less than 1 cm", "≥15 mm", "小于6mm", "6mm以下".
_BOUND_BEFORE = re.compile(
    rf"(?<![A-Za-z0-9])(?P<op><=|>=|≤|≥|<|>|less\s+than|smaller\s+than|greater\s+than|larger\s+than|more\s+than|"
    rf"exceeding|小于|不足|大于|超过)\s*(?P<n>{NUM})\s*(?P<u>{UNIT})(?![A-Za-z0-9])",
    re.I,
)
_BOUND_AFTER = re.compile(rf"(?<![A-Za-z0-9.])(?P<n>{NUM})\s*(?P<u>{UNIT})\s*(?P<op>以下|以内|以上)")
_BELOW = ("<", "<=", "≤", "less", "smaller", "小于", "不足", "以下", "以内")
_STEP_MM = 0.1  # sizes are kept to 0.1 mm: "<6 mm" reaches at most 5.9 mm
_FLOOR_MM = 1.0  # the smallest size a bound below is read down to
_CEILING = 3.0  # a bound above is read up to three times its value (every RADS size rule is flat by then)
# What makes "5 to 8 mm" a change, not a range: "increased from 5 to 8 mm", "由5增大至8mm".
_CHANGE_BEFORE = re.compile(
    r"(?:\bfrom|\b(?:grow|grew|grown|increas|enlarg|decreas|reduc|shr[iu]nk|chang|progress|interval)\w*"
    r"[^.;。；]{0,20}|由|从|增大|增长|缩小|变化|较前)\s*$",
    re.I,
)
# An axis product ("12 x 7-8 mm") is not a range of the whole nodule: leave it to the plain reader.
_AXIS_BEFORE = re.compile(r"[x×*]\s*$|\bby\s*$", re.I)


@dataclass(frozen=True)
class SizeRange:
    """A size given as a range, in mm, with its span in the text."""

    low_mm: float
    high_mm: float
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Size:
    """A measurement in millimetres: one value or several axes ("7 x 5 mm").

    ``range_mm`` is set when the value is one end of a range ("7–8 mm" read at 7 or 8).
    """

    values_mm: tuple[float, ...]
    start: int
    end: int
    unit: str
    range_mm: tuple[float, float] | None = None


_END: ContextVar[str] = ContextVar("rads_size_range_end", default="high")
_SEEN: ContextVar[list[SizeRange] | None] = ContextVar("rads_size_ranges_seen", default=None)


@contextmanager
def reading_end(end: str) -> Iterator[list[SizeRange]]:
    """Within the block, ranges read at ``end`` ("low" or "high"); yields the ranges met."""
    if end not in ("low", "high"):
        raise ValueError(f"range end must be 'low' or 'high', not {end!r}")
    seen: list[SizeRange] = []
    t_end, t_seen = _END.set(end), _SEEN.set(seen)
    try:
        yield seen
    finally:
        _END.reset(t_end)
        _SEEN.reset(t_seen)


def ranges_read() -> list[SizeRange]:
    """The ranges met so far inside the current ``reading_end`` block (empty outside one)."""
    return list(_SEEN.get() or [])


def to_mm(value: float, unit: str) -> float:
    """A value in ``unit`` (mm or cm, English or Chinese) in millimetres."""
    u = unit.lower()
    return value * 10 if u in {"cm", "厘米"} or u.startswith("centim") else value


def _ranges(text: str, lo: int, hi: int) -> list[re.Match[str]]:
    out = []
    for m in _RANGE.finditer(text, lo, hi):
        before = text[max(lo, m.start() - 40) : m.start()]
        if _CHANGE_BEFORE.search(before) or _AXIS_BEFORE.search(before):
            continue
        if re.match(r"\s*[x×*]", text[m.end() : m.end() + 3]):
            continue  # "7-8 mm x 5 mm": leave axes alone
        low, high = float(m.group("lo")), float(m.group("hi"))
        low_unit = m.group("ulo") or m.group("u")
        low_mm, high_mm = to_mm(low, low_unit), to_mm(high, m.group("u"))
        if not 0 < low_mm < high_mm:
            continue  # "8-8 mm", "10 to 5 mm": not a range this reader can trust
        out.append(m)
    return out


def _bounds(text: str, lo: int, hi: int) -> list[tuple[re.Match[str], float, float]]:
    """One-sided sizes as (match, low mm, high mm)."""
    out = []
    for rx in (_BOUND_BEFORE, _BOUND_AFTER):
        for m in rx.finditer(text, lo, hi):
            mm = to_mm(float(m.group("n")), m.group("u"))
            op = m.group("op").lower()
            inclusive = op in ("<=", ">=", "≤", "≥", "以下", "以内", "以上")
            if op.startswith(_BELOW):
                top = mm if inclusive else round(mm - _STEP_MM, 1)
                if top > _FLOOR_MM:
                    out.append((m, _FLOOR_MM, top))
            elif mm > 0:
                out.append((m, mm if inclusive else round(mm + _STEP_MM, 1), mm * _CEILING))
    return out


def find_sizes(text: str, lo: int = 0, hi: int | None = None) -> list[Size]:
    """Measurements with a unit, converted to mm ("7.0 x 5.0 mm", "1.2厘米", "15 mm", "7–8 mm").

    A range yields one Size at the end chosen by ``reading_end`` and is recorded for ``both_ends``.
    """
    hi = len(text) if hi is None else hi
    ranges = _ranges(text, lo, hi)
    end = _END.get()
    seen = _SEEN.get()
    out = []
    for r in ranges:
        low = to_mm(float(r.group("lo")), r.group("ulo") or r.group("u"))
        high = to_mm(float(r.group("hi")), r.group("u"))
        if seen is not None and not any(x.start == r.start() and x.text == r.group(0) for x in seen):
            seen.append(SizeRange(low, high, r.start(), r.end(), r.group(0)))
        out.append(Size((low if end == "low" else high,), r.start(), r.end(), r.group("u"), (low, high)))
    taken = [(r.start(), r.end()) for r in ranges]
    for m, low, high in _bounds(text, lo, hi):
        if any(m.start() < e and m.end() > s for s, e in taken):
            continue
        if seen is not None and not any(x.start == m.start() and x.text == m.group(0) for x in seen):
            seen.append(SizeRange(low, high, m.start(), m.end(), m.group(0)))
        out.append(Size((low if end == "low" else high,), m.start(), m.end(), m.group("u"), (low, high)))
        taken.append((m.start(), m.end()))
    for m in _SIZE.finditer(text, lo, hi):
        if any(m.start() < e and m.end() > s for s, e in taken):
            continue
        unit = m.group("u") or m.group("ub") or m.group("ua")
        if not unit:
            continue
        nums = [float(m.group(k)) for k in ("a", "b", "c") if m.group(k)]
        if m.group("ua") and m.group("b") and not (m.group("u") or m.group("ub")):
            nums = nums[:1]  # "7 mm x" without a second unit: keep the clear one
        out.append(Size(tuple(to_mm(n, unit) for n in nums), m.start(), m.end(), unit))
    out.sort(key=lambda s: s.start)
    return out
