"""TNM strings: strict parsing of user input and tolerant scanning of report text.

Two readers because the inputs differ: ``--tnm "ypT1c(m) pN1mi cM0"`` is typed by a user and
anything odd in it is an error worth reporting, while a pathology report is OCR'd prose where
"pNO" means pN0 and a stray "T2" may be a slide label. Both return :class:`TnmPart` objects
(axis, label without prefix, prefix, modifiers, span) so the calculator treats them alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from rag.errors import InvalidInput

__all__ = ["TnmGrammar", "TnmPart", "default_grammar", "parse_tnm", "scan_tnm"]

_PREFIX = r"(?:yp|yc|rp|rc|ap|p|c|r|a|y)"
_T = r"T(?:is|IS|Is|X|x|0|[1-4](?:mi|[a-d](?:\d)?)?)"
_N = r"N(?:X|x|0|[1-3](?:mi|[a-c])?)"
_M = r"M(?:X|x|0|1(?:[a-d]\d?)?)"
_MOD = r"(?:\((?:m|s|\d+|sn|i\+|i-|mol\+|mol-|f)\)|\[(?:m|sn)\])"
_SEP = re.compile(r"[\s,;/]*")
_BRACKETED = re.compile(r"\(([^)]*)\)")


@dataclass(frozen=True)
class TnmPart:
    """One T, N or M element: ``label`` has no prefix (``T2a``), modifiers are bare (``m``, ``i+``)."""

    axis: str
    label: str
    prefix: str
    modifiers: tuple[str, ...]
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TnmGrammar:
    """The T, N and M labels some stage tables accept: what a user-typed TNM string may contain.

    Built from the tables themselves (``TnmGrammar.of``), so a label a table gains (thyroid N0a,
    bladder Ta) parses without anyone editing a regular expression. A table label that carries a
    bracketed modifier (``N0(i+)``) contributes its base label; the modifier is read separately.
    """

    labels: Mapping[str, tuple[str, ...]]  # axis → canonical labels, e.g. "N" → ("NX", "N0", "N0a", ...)

    @classmethod
    def of(cls, label_sets: Iterable[Mapping[str, Iterable[str]]]) -> TnmGrammar:
        """The union grammar of several ``{"T": labels, "N": labels, "M": labels}`` sets."""
        merged: dict[str, list[str]] = {"T": [], "N": [], "M": []}
        for labels in label_sets:
            for axis, values in labels.items():
                for value in values:
                    base = _BRACKETED.sub("", value)
                    if base[:1] != axis:
                        raise ValueError(f"{value!r} is not a {axis} label")
                    if base not in merged[axis]:
                        merged[axis].append(base)
        folded: dict[str, str] = {}
        for value in (v for values in merged.values() for v in values):
            if folded.setdefault(value.lower(), value) != value:  # would make case-insensitive reading ambiguous
                raise ValueError(f"labels {folded[value.lower()]!r} and {value!r} differ only in case")
        return cls({axis: tuple(values) for axis, values in merged.items()})

    @cached_property
    def _canonical(self) -> dict[str, tuple[str, str]]:
        return {label.lower(): (axis, label) for axis, values in self.labels.items() for label in values}

    @cached_property
    def longest_first(self) -> tuple[str, ...]:
        """Lower-cased labels, longest first, so "T1a1" is tried before "T1a" and "T1"."""
        return tuple(sorted(self._canonical, key=lambda x: (-len(x), x)))

    @cached_property
    def by_axis_letter(self) -> dict[str, tuple[str, ...]]:
        """``longest_first`` split by first letter ("t", "n", "m"): the parser tries only those."""
        out: dict[str, list[str]] = {}
        for label in self.longest_first:
            out.setdefault(label[0], []).append(label)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """prefix? label modifiers*, labels tried longest first so "T1a1" wins over "T1a" and "T1"."""
        label = "|".join(re.escape(a) for a in self.longest_first)
        return re.compile(rf"(?P<prefix>{_PREFIX})?(?P<label>{label})(?P<mods>(?:{_MOD})*)", re.IGNORECASE)

    def canonical(self, raw: str) -> tuple[str, str]:
        """(axis, label as the tables spell it) for a label read in any letter case."""
        return self._canonical[raw.lower()]

    def describe(self) -> str:
        """The accepted labels, for error hints."""
        return "; ".join(f"{axis}: {', '.join(values)}" for axis, values in self.labels.items() if values)


def _mods(raw: str) -> tuple[str, ...]:
    return tuple(m.strip("()[]").lower() for m in re.findall(r"\([^)]*\)|\[[^\]]*\]", raw))


def default_grammar() -> TnmGrammar:
    """The union of every registered TNM table's labels (imported late: the tables import this module)."""
    global _DEFAULT
    if _DEFAULT is None:
        from rag.calculators.staging import CALCULATORS

        _DEFAULT = TnmGrammar.of({"T": t.t_categories, "N": t.n_categories, "M": t.m_categories}
                                 for calc in CALCULATORS for t in calc.spec.tables.values())
    return _DEFAULT


_DEFAULT: TnmGrammar | None = None


_PREFIXES = ("yp", "yc", "rp", "rc", "ap", "p", "c", "r", "a", "y")
_MODS = re.compile(rf"(?:{_MOD})*", re.IGNORECASE)


def _parts_at(source: str, pos: int, grammar: TnmGrammar) -> list[tuple[TnmPart, int]]:
    """Every (part, end) that can start at ``pos``: each prefix and label that fits, longest label first."""
    lowered = source.lower()
    out: list[tuple[TnmPart, int]] = []
    for prefix in ("", *(x for x in _PREFIXES if lowered.startswith(x, pos))):
        at = pos + len(prefix)
        for label in grammar.by_axis_letter.get(lowered[at:at + 1], ()):
            if lowered.startswith(label, at):
                mods = _MODS.match(source, at + len(label))
                end = mods.end() if mods else at + len(label)
                axis, canonical = grammar.canonical(label)
                out.append((TnmPart(axis, canonical, prefix, _mods(source[at + len(label):end]), pos, end,
                                    source[pos:end]), end))
    return out


def _readings(source: str, grammar: TnmGrammar) -> list[tuple[tuple[TnmPart, ...], tuple[bool, ...]]]:
    """Every complete reading of the string (each axis at most once), with where separators fell.

    ``glued[i]`` is True when part i follows part i-1 with no separator ("T1aN0a").
    """
    found: list[tuple[tuple[TnmPart, ...], tuple[bool, ...]]] = []

    def walk(pos: int, parts: tuple[TnmPart, ...], glued: tuple[bool, ...]) -> None:
        sep = _SEP.match(source, pos)
        nxt = sep.end() if sep else pos
        if nxt >= len(source):
            found.append((parts, glued))
            return
        for part, end in _parts_at(source, nxt, grammar):
            if all(p.axis != part.axis for p in parts):
                walk(end, (*parts, part), (*glued, bool(parts) and nxt == pos))
            if len(found) > 64:  # a pathological string; the greedy reading reports it
                return

    walk(0, (), ())
    return found


def _runs(parts: tuple[TnmPart, ...], glued: tuple[bool, ...]) -> list[list[TnmPart]]:
    """The parts grouped into glued runs ("pT1cN0M0" is one run, "pT1c N0 M0" three)."""
    runs: list[list[TnmPart]] = []
    for part, stuck in zip(parts, glued, strict=True):
        if stuck:
            runs[-1].append(part)
        else:
            runs.append([part])
    return runs


def _consistent(runs: list[list[TnmPart]]) -> bool:
    """Within a glued run a later part carries no prefix or the run's first one ("pT1cN0" is not pT1 cN0)."""
    return all(not p.prefix or p.prefix == run[0].prefix for run in runs for p in run[1:])


def _repeats(runs: list[list[TnmPart]]) -> int:
    """Prefixes written again inside a glued run; 0 is the usual form ("cT1cN0M0": one c covers the run)."""
    return sum(bool(p.prefix) for run in runs for p in run[1:])


def _greedy(source: str, grammar: TnmGrammar, accepted: TnmGrammar | None) -> tuple[TnmPart, ...]:
    """Longest label first at each position; raises on the first part it cannot read."""
    parts: list[TnmPart] = []
    pos = 0
    while pos < len(source):
        sep = _SEP.match(source, pos)
        pos = sep.end() if sep else pos
        if pos >= len(source):
            break
        match = grammar.pattern.match(source, pos)
        if not match or match.end() == pos:
            bad = source[pos:].split()[0]
            hint = (f"valid labels here: {accepted.describe()}" if accepted is not None
                    else 'write it like "pT2a N1 M0", "ypT1c(m) pN1mi cM0" or "T2aN1M0"')
            raise InvalidInput(f"cannot read {bad!r} in TNM string {source!r}", hint=hint)
        axis, label = grammar.canonical(match.group("label"))
        parts.append(TnmPart(axis, label, (match.group("prefix") or "").lower(),
                             _mods(match.group("mods") or ""), match.start(), match.end(),
                             match.group(0)))
        pos = match.end()
    axes = [p.axis for p in parts]
    for axis in "TNM":
        if axes.count(axis) > 1:
            raise InvalidInput(f"TNM string {source!r} gives {axis} twice",
                               hint="give each of T, N and M at most once")
    return tuple(parts)


def parse_tnm(text: str, grammar: TnmGrammar | None = None, *, accepted: TnmGrammar | None = None) -> tuple[TnmPart, ...]:
    """Parse a user-typed TNM string; raise InvalidInput naming the part that cannot be read.

    ``grammar`` is what may be read: by default every label of every registered table, so a label
    valid elsewhere but not in the chosen system is read whole and then rejected by the system's
    table with its valid labels listed (thyroid "T1cN0" is an invalid T1c, not T1 cN0).
    ``accepted`` is the chosen system's own grammar. Glued strings can read two ways ("cTXcN1cM0":
    N1c M0, or N1 cM0); the readings kept are those whose labels the system accepts and whose
    prefixes are consistent within each glued run, preferring one where a prefix written once covers
    its run ("cT1cN0M0" is cT1c N0 M0, not cT1 cN0 M0). When two such readings still differ, the string is ambiguous and rejected (never guessed);
    when none is valid, the longest-label reading is kept so that the table names the invalid label.
    """
    grammar = grammar or default_grammar()
    source = text.strip()
    if not source:
        raise InvalidInput("empty TNM string", hint='write it like "pT2a N1 M0"')
    valid = accepted or grammar
    readings = [(parts, _runs(parts, glued)) for parts, glued in _readings(source, grammar)]
    readings = [(parts, runs) for parts, runs in readings
                if _consistent(runs) and all(p.label in valid.labels[p.axis] for p in parts)]
    if any(_repeats(runs) == 0 for _, runs in readings):  # the usual form wins; otherwise none is likelier
        readings = [(parts, runs) for parts, runs in readings if _repeats(runs) == 0]
    distinct = {tuple((p.axis, p.prefix, p.label) for p in parts): parts for parts, _ in readings}
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    if len(distinct) > 1:
        shown = " or ".join(" ".join(f"{pre}{label}" for _, pre, label in key) for key in list(distinct)[:6])
        raise InvalidInput(f"TNM string {source!r} is ambiguous: it reads as {shown}",
                           hint='separate the parts with spaces, e.g. "cT1c cN0 cM0"')
    return _greedy(source, grammar, accepted)


def _canonical(label: str) -> str:
    """Upper-case axis and X, lower-case sub-letters: ``tis`` → ``Tis``, ``n1A`` → ``N1a``."""
    axis, rest = label[0].upper(), label[1:]
    if rest.lower() == "is":
        return axis + "is"
    if rest.lower() == "x":
        return axis + "X"
    return axis + rest.lower()


# --- scanning free text ---------------------------------------------------------------------
# OCR in pathology reports turns 0 into O and 1 into I or l ("pNO", "pNIa"); accept those only in
# shapes that cannot be ordinary words: with a p/c/y prefix, or glued to a T element.
_OCR_N = r"N(?:[0O][ab]?|[1Il](?:mi|[a-c])?|[2-3](?:mi|[a-c])?|X|x)"
_OCR_M = r"M(?:[0O]|[1Il](?:[a-d]\d?)?|X|x)"
_OCR_NP = r"N(?:[0Oo][ab]?|[1Il](?:mi|[a-c])?|[2-3](?:mi|[a-c])?|X|x)"  # "pNo" is safe once prefixed
# A grade glued to the category in staging shorthand ("pT3bG3 N0"): the G part is not a TNM element.
_GRADE = r"G[1-4X](?![A-Za-z0-9])"
_SCAN = re.compile(
    rf"(?<![A-Za-z0-9])(?:"
    rf"(?P<tp>yp|yc|[pPcC]|y[pP])(?P<t>T(?:is|IS|X|x|0|[1-4](?:mi|[a-dA-D]\d?)?))(?P<tm>(?:{_MOD})*)"
    rf"|(?P<bt>T(?:is|X|0|[1-4](?:mi|[a-d]\d?)?))(?P<btm>(?:{_MOD})*)(?=[\s,;/.)]*(?:[pPcC]|y[pP])?N[0-3OXxIl])"
    rf"|(?P<np>yp|yc|[pPcC]|y[pP])(?P<n>{_OCR_NP})(?P<nm>(?:{_MOD}|\s?\((?:i|mol)[+-]\))*)"
    rf"|(?P<mp>yp|yc|[pPcC]|y[pP])(?P<m>{_OCR_M})"
    rf")(?:(?![A-Za-z0-9])|(?={_GRADE}))"
)
_GLUED = re.compile(
    rf"(?<![A-Za-z0-9])(?P<tp>yp|yc|[pPcC]|y[pP])?(?P<t>T(?:is|X|x|0|[1-4](?:mi|[a-d]\d?)?))(?P<tm>(?:{_MOD})*)"
    rf"(?:[\s,;/]{{0,3}}{_GRADE})?[\s,;/]{{0,3}}(?:[pPcC]|y[pP])?(?P<n>{_OCR_N})(?P<nm>(?:{_MOD}|\s?\((?:i|mol)[+-]\))*)"
    rf"(?:[\s,;/]{{0,3}}(?:[pPcC]|y[pP])?(?P<m>{_OCR_M}))?(?![A-Za-z0-9])"
)


# "N: N0", "M category = M1b", "clinical T: cT1c": a key names the axis, so a bare label is safe.
_KEYED = re.compile(
    rf"(?<![A-Za-z])(?P<key>[TNM])(?:\s*(?:stage|category|classification))?\s*[:=]\s*"
    rf"(?P<p>yp|yc|[pc])?(?P<label>{_T}|{_N}|{_M})(?P<mods>(?:{_MOD})*)(?![A-Za-z0-9])"
)


def _ocr_fix(label: str) -> str:
    axis, rest = label[0].upper(), label[1:]
    if rest[:1] in ("O", "o"):
        rest = "0" + rest[1:]
    if rest[:1] in ("I", "l"):
        rest = "1" + rest[1:]
    return _canonical(axis + rest)


def _part(axis: str, raw: str, prefix: str | None, mods: str | None, start: int, end: int,
          text: str) -> TnmPart:
    return TnmPart(axis, _ocr_fix(raw), (prefix or "").lower().replace(" ", ""),
                   _mods(re.sub(r"\s", "", mods or "")), start, end, text[start:end])


def scan_tnm(text: str) -> tuple[tuple[TnmPart, ...], ...]:
    """Every TNM statement in a report, as groups: one group per "pT2 pN1 MX"-like statement.

    A lone "pT2" is a group of one. Bare "T2" counts only when an N follows it (a bare T alone is
    too often a slide or table label).
    """
    groups: list[tuple[TnmPart, ...]] = []
    covered: list[tuple[int, int]] = []
    for g in _GLUED.finditer(text):
        parts = [_part("T", g.group("t"), g.group("tp"), g.group("tm"), g.start("t") - len(g.group("tp") or ""),
                       g.end("t") + len(g.group("tm") or ""), text),
                 _part("N", g.group("n"), None, g.group("nm"), g.start("n"), g.end("nm") if g.group("nm") else g.end("n"), text)]
        if g.group("m"):
            parts.append(_part("M", g.group("m"), None, None, g.start("m"), g.end("m"), text))
        groups.append(tuple(parts))
        covered.append((g.start(), g.end()))
    for k in _KEYED.finditer(text):
        if k.group("label")[0].upper() != k.group("key") or any(a <= k.start("label") < b for a, b in covered):
            continue
        start = k.start("p") if k.group("p") else k.start("label")
        groups.append((_part(k.group("key"), k.group("label"), k.group("p"), k.group("mods"), start,
                             k.end(), text),))
        covered.append((start, k.end()))
    for s in _SCAN.finditer(text):
        if any(a <= s.start() < b for a, b in covered):
            continue
        if s.group("t"):
            part = _part("T", s.group("t"), s.group("tp"), s.group("tm"), s.start(), s.end(), text)
        elif s.group("bt"):
            continue  # a bare T followed by N is always caught by _GLUED
        elif s.group("n"):
            part = _part("N", s.group("n"), s.group("np"), s.group("nm"), s.start(), s.end(), text)
        else:
            part = _part("M", s.group("m"), s.group("mp"), None, s.start(), s.end(), text)
        groups.append((part,))
    groups.sort(key=lambda g: g[0].start)
    return tuple(groups)
