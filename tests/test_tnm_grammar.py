"""The TNM grammar is the tables' own labels: every label any table accepts parses, stages and cites.

Round trip, for every system and every T × N × M its tables accept (under each prefix family):
the label written with or without spaces, glued ("T1aN0aM0"), with c / p / yp prefixes and in any
letter case parses back to the same labels; the calculator accepts it, reports those labels and
cites at least one rule; and a label this system does not define is rejected with its valid ones.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.calculators.service import StageRequest, run_stage
from rag.calculators.staging import CALCULATORS
from rag.calculators.staging.calculator import TnmCalculator
from rag.calculators.staging.tnm_string import TnmGrammar, default_grammar, parse_tnm
from rag.config import Settings
from rag.errors import InvalidInput

REPO = Path(__file__).resolve().parent.parent
CALCS: list[TnmCalculator] = list(CALCULATORS)
PREFIXES = ("", "c", "p", "yp")


def _combinations(calc: TnmCalculator) -> list[tuple[str, str, str, str]]:
    """(prefix, T, N, M) for every label combination of the table each prefix selects."""
    out: list[tuple[str, str, str, str]] = []
    seen: set[tuple[int, str]] = set()
    for prefix in PREFIXES:
        for t in calc.spec.table_for(prefix).t_categories:
            table = calc.spec.table_for(prefix, t)
            if (id(table), t + prefix[-1:]) in seen:
                continue
            seen.add((id(table), t + prefix[-1:]))
            out.extend((prefix, t, n, m) for n, m in itertools.product(table.n_categories, table.m_categories))
    return out


ALL = [(calc, *combo) for calc in CALCS for combo in _combinations(calc)]


def _write(prefix: str, labels: tuple[str, str, str], style: int) -> str:
    """One of several spellings: spaced, glued, comma-separated, prefixed on every part, lower case."""
    t, n, m = labels
    if style == 0:
        return f"{prefix}{t} {n} {m}"
    if style == 1:
        return f"{prefix}{t}{n}{m}"
    if style == 2:
        return f"{prefix}{t}, {prefix}{n}, {m}"
    if style == 3:
        return f"{prefix}{t}{prefix}{n}{prefix}{m}"
    return f"{prefix}{t} {n} {m}".lower()


def _read_back(text: str) -> tuple[str, ...]:
    """Labels as the tables spell them: a bracketed i+/mol+ modifier belongs to N0(i+)-style labels."""
    out = []
    for part in parse_tnm(text):
        extra = [mod for mod in part.modifiers if mod in ("i+", "mol+")]
        out.append(part.label + (f"({extra[0]})" if extra else ""))
    return tuple(out)


def test_the_enumeration_covers_every_system_and_label() -> None:
    assert {calc.system for calc, *_ in ALL} == {c.system for c in CALCS}
    assert len(ALL) > 3000
    for calc in CALCS:
        for axis, idx in (("T", 2), ("N", 3), ("M", 4)):
            used = {row[idx] for row in ALL if row[0] is calc}
            assert set(calc.spec.categories(axis)) <= used, (calc.system, axis)


def test_labels_that_did_not_parse_before_now_do() -> None:
    assert _read_back("T1a N0a M1") == ("T1a", "N0a", "M1")
    assert _read_back("pTaN0M0") == ("Ta", "N0", "M0")
    assert _read_back("T1a1 N0(i+) M0") == ("T1a1", "N0(i+)", "M0")
    assert [p.prefix for p in parse_tnm("ypT1bN0bcM0")] == ["yp", "", "c"]


def _parses_as_written(text: str, prefix: str, labels: tuple[str, str, str], calc: TnmCalculator) -> bool:
    """The string reads back as written; False (and the test fails) on any other silent reading.

    A glued string with a prefix on every part can have two valid readings ("cT1cN0cM0": cT1c N0
    cM0 or cT1 cN0 cM0); those must be rejected as ambiguous, naming the reading meant.
    """
    try:
        parts = parse_tnm(text, accepted=calc.grammar)
    except InvalidInput as err:
        message = err.user_message()
        meant = " ".join(f"{p}{re.sub(r'[(].*', '', label)}" for p, label in zip(
            (prefix, prefix if text.count(prefix) > 1 else "", prefix if text.count(prefix) > 2 else ""), labels,
            strict=True))
        assert "ambiguous" in message and prefix and meant in message, (calc.system, text, message)
        return False
    got = tuple(p.label + "".join(f"({m})" for m in p.modifiers if m in ("i+", "mol+")) for p in parts)
    assert got == labels, (calc.system, text, got)
    return True


@pytest.mark.parametrize("style", range(5))
def test_every_label_combination_parses_back(style: int) -> None:
    ambiguous = 0
    for calc, prefix, t, n, m in ALL:
        text = _write(prefix, (t, n, m), style)
        if not _parses_as_written(text, prefix, (t, n, m), calc):
            ambiguous += 1
    # spaced forms are never ambiguous; glued ones only where a prefix repeats inside the run
    assert ambiguous == 0 if style in (0, 2, 4) else ambiguous < len(ALL) // 50, ambiguous


@pytest.mark.slow  # ~4,000 run_stage calls: about 10-20 s on a busy machine
def test_every_label_combination_stages_and_cites(tmp_path: Path) -> None:
    """Each combination is accepted, reports its labels, and cites at least one corpus rule."""
    settings_ = Settings(index_dir=tmp_path, corpora_dir=REPO / "corpora")
    staged = 0
    for i, (calc, prefix, t, n, m) in enumerate(ALL):
        text = _write(prefix, (t, n, m), (0, 2, 4)[i % 3])  # spaced forms: never ambiguous
        out = run_stage(settings_, StageRequest(calc.system, tnm=text, findings={"prefix": prefix} if prefix else {}))
        result = out["result"]
        assert (result.get("T"), result.get("N"), result.get("M", "MX")) == (t, n, m), (calc.system, text, result)
        assert out["citations"] and "uncited_rules" not in out, (calc.system, text, out.get("uncited_rules"))
        assert "stage" in result or out["missing"] or out["notes"], (calc.system, text)
        staged += "stage" in result
    assert staged > len(ALL) // 3


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_spellings_round_trip(data: st.DataObject) -> None:
    """Any subset of the parts, any separators (none included), prefixes as people write them, any case."""
    calc, prefix, t, n, m = data.draw(st.sampled_from(ALL))
    keep = data.draw(st.lists(st.booleans(), min_size=3, max_size=3).filter(any))
    labels = [label for label, k in zip((t, n, m), keep, strict=True) if k]
    text, run_prefix = "", ""
    for i, label in enumerate(labels):
        sep = data.draw(st.sampled_from(["", " ", "  ", ", ", "; ", "/"])) if i else ""
        if i == 0 or sep:  # a new run: any prefix
            run_prefix = data.draw(st.sampled_from(["", prefix, "p", "c", "yp"]))
            own = run_prefix
        else:  # glued to the previous part: no prefix, or the run's own (pT1cpN0)
            own = data.draw(st.sampled_from(["", run_prefix]))
        text += sep + own + label
    if data.draw(st.booleans()):
        text = text.lower()
    # A prefix repeated inside a glued run ("cT1cM0" meant as cT1 cM0) can read another way; such a
    # string is either rejected as ambiguous or read the usual way (one prefix covering the run: cT1c M0).
    repeated = re.search(r"(?i)(?:yp|p|c)[tn]\w*?(?:yp|p|c)[nm]", text)
    try:
        parts = parse_tnm(text, accepted=calc.grammar)
    except InvalidInput as err:
        assert "ambiguous" in err.user_message() and repeated, text
        return
    got = tuple(p.label + "".join(f"({x})" for x in p.modifiers if x in ("i+", "mol+")) for p in parts)
    assert got == tuple(labels) or repeated, (calc.system, text, got)


# --- invalid labels ------------------------------------------------------------------------------

def _foreign_labels(calc: TnmCalculator) -> list[tuple[str, str]]:
    """(axis, label) read by the union grammar that this system's tables do not define."""
    own = {axis: {re.sub(r"\(.*\)", "", x) for x in calc.spec.categories(axis)} for axis in "TNM"}
    return [(axis, label) for axis, labels in default_grammar().labels.items() for label in labels
            if label not in own[axis]]


@pytest.mark.parametrize("calc", CALCS, ids=[c.system for c in CALCS])
def test_a_label_of_another_table_is_rejected_naming_the_valid_ones(calc: TnmCalculator) -> None:
    foreign = _foreign_labels(calc)
    assert foreign, calc.system
    for axis, label in foreign:
        others = {"T": "T1", "N": "N0", "M": "M0"}
        others[axis] = label
        text = " ".join(others[a] for a in "TNM")
        with pytest.raises(InvalidInput) as err:
            calc.from_findings({}, text)
        message = err.value.user_message()
        assert label in message and f"valid {axis} categories" in message, (calc.system, text, message)


@pytest.mark.parametrize("bad", ["T9 N0 M0", "T1 N7 M0", "T2 N1 banana", "T1 N0 M2", "T1-N0-M0"])
def test_unreadable_strings_name_the_part_and_the_system_labels(bad: str) -> None:
    calc = next(c for c in CALCS if c.system == "AJCC8-thyroid")
    with pytest.raises(InvalidInput) as err:
        calc.from_findings({}, bad)
    message = err.value.user_message()
    assert "cannot read" in message and "N0a" in message, message


def test_grammar_rejects_case_ambiguous_tables() -> None:
    with pytest.raises(ValueError):
        TnmGrammar.of([{"T": ("T1a", "T1A"), "N": (), "M": ()}])
