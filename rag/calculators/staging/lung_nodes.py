"""Lung nodal station × side of the node against the tumour → N, as a table whose rows are corpus rules.

The corpus states the map row by row (``LUNG8.STATION.*`` / ``LUNG9.STATION.*`` in
``corpora/staging/ajcc8-lung.md`` and ``tnm9-lung.md``): station 1 is N3 on either side, the midline
stations 3a, 3p and 7 are N2, stations 2/4, 8/9 and 10–14 depend on whether the node lies on the
tumour's side, and stations 5/6 are N2 for a left-sided tumour while for a right-sided one the corpus
states no category. Keeping the map as rows means every N derived from a station cites the row that
states it, and the row the corpus leaves open yields "ask", never a guessed N.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KNOWN_STATIONS", "STATION_ROWS", "StationRow", "StationReading", "station_n"]


@dataclass(frozen=True)
class StationRow:
    """One row of the map: these stations, with the node on this side, give ``category`` (None: ask)."""

    key: str  # rule-id suffix after "<prefix>.STATION.", e.g. "2_4.OPPOSITE"
    stations: frozenset[str]
    side: str  # "either", "same", "opposite", "left tumour", "right tumour"
    category: str | None

    def rule_id(self, prefix: str) -> str:
        return f"{prefix}.STATION.{self.key}"


def _row(key: str, stations: str, side: str, category: str | None) -> StationRow:
    return StationRow(key, frozenset(stations.split()), side, category)


_MIDDLE = "10 11 12 13 14"
STATION_ROWS: tuple[StationRow, ...] = (
    _row("1", "1", "either", "N3"),
    _row("2_4.SAME", "2 4", "same", "N2"),
    _row("2_4.OPPOSITE", "2 4", "opposite", "N3"),
    _row("3_7", "3 3a 3p 7", "either", "N2"),  # "station 3" without a/p: both halves are midline N2
    _row("5_6.LEFT", "5 6", "left tumour", "N2"),
    _row("5_6.RIGHT", "5 6", "right tumour", None),
    _row("8_9.SAME", "8 9", "same", "N2"),
    _row("8_9.OPPOSITE", "8 9", "opposite", "N3"),
    _row("10_14.SAME", _MIDDLE, "same", "N1"),
    _row("10_14.OPPOSITE", _MIDDLE, "opposite", "N3"),
)


KNOWN_STATIONS: frozenset[str] = frozenset(s for r in STATION_ROWS for s in r.stations)


@dataclass(frozen=True)
class StationReading:
    """What one involved station gives: the category (None when the corpus leaves it open), the rows
    that say so, and a note when an unstated side had to be read or a question must be asked."""

    category: str | None
    rule_ids: tuple[str, ...]
    note: str = ""
    missing: str = ""


def _rows(station: str, side: str) -> list[StationRow]:
    return [r for r in STATION_ROWS if station in r.stations and r.side == side]


def station_n(prefix: str, station: str, node_side: str, tumour_side: str | None,
              contralateral: bool = False) -> StationReading:
    """N for one involved station (``"4"``, ``"10"``, ``"3a"``) given the node's and tumour's sides.

    ``node_side`` / ``tumour_side`` are "R", "L" or "" / None when not stated; ``contralateral`` is
    True when the text calls the node contralateral. A lateralised station whose side against the
    tumour is not stated is read on the tumour's side (how surgical sampling reports list them), with
    a note naming the other reading; stations 5/6 need the tumour's side and are never guessed.
    """
    station = station.lower()
    either = _rows(station, "either")
    if either:
        return StationReading(either[0].category, (either[0].rule_id(prefix),))
    if station in ("5", "6"):
        if tumour_side == "L":
            row = _rows(station, "left tumour")[0]
            return StationReading(row.category, (row.rule_id(prefix),))
        right = _rows(station, "right tumour")[0]
        if tumour_side == "R":
            return StationReading(None, (right.rule_id(prefix),),
                                  note=f"Station {station} with a right-sided tumour: the corpus states no N category "
                                       "for it; the station is reported and N is left for confirmation.",
                                  missing=f"N: confirm the category of station {station} nodes for a right-sided "
                                          "tumour (not stated in the corpus)")
        left = _rows(station, "left tumour")[0]
        return StationReading(None, (left.rule_id(prefix), right.rule_id(prefix)),
                              note=f"Station {station} is N2 for a left-sided tumour; the tumour's side is not stated.",
                              missing="N: the side of the primary tumour (stations 5/6 are N2 only for a left-sided tumour)")
    same, opposite = _rows(station, "same"), _rows(station, "opposite")
    if not same or not opposite:
        raise ValueError(f"station {station!r} is not in the lung station map")
    if contralateral or (node_side and tumour_side and node_side != tumour_side):
        return StationReading(opposite[0].category, (opposite[0].rule_id(prefix),))
    if node_side and tumour_side:
        return StationReading(same[0].category, (same[0].rule_id(prefix),))
    label = f"{station}{node_side}".upper() if node_side else station
    unstated = "the tumour's side" if node_side else "the node's side"
    return StationReading(same[0].category, (same[0].rule_id(prefix),),
                          note=f"Station {label}: {unstated} is not stated; read as the tumour's side "
                               f"({same[0].category}); on the opposite side it would be {opposite[0].category}.")
