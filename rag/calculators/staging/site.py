"""What one TNM site is: its tables, its labels, how to read and derive its descriptors.

Adding a site (e.g. stomach) takes one module and one registry line:

1. ``rag/calculators/staging/stomach.py``: build the stage-group table(s) as data with ``table.row()``
   (rule ids per docs/RULE_IDS.md: ``STOMACH8.STAGE.<T label>`` or ``STOMACH8.STAGE.<group>.<n>``),
   one :class:`StageTable` per prefix where clinical and pathological groups differ
   (``tables={"c": ..., "p": ..., "yp": ...}``; one table under ``"p"`` when they do not). List
   parent labels (``T4``) among the categories when reports may give them: unknown or parent
   labels are resolved by trying every child (see ``group.py``).
2. ``extract(text) -> Descriptors``: read site descriptors from text with the helpers in
   ``extract.py`` (``find`` handles negation, ``sizes``, ``node_counts``), each value a ``Fact``
   carrying its Evidence spans. Structured findings reach the same function rendered as
   "key: value." text, so one reader serves both inputs.
3. ``derive(descriptors, ctx) -> Derived``: turn descriptors into T/N/M ``Assignment``s (category,
   definition rule id such as ``STOMACH8.T.T3``, evidence), extra inputs (``Fact``s keyed like
   CONTRACT.md: ``psa``, ``grade_group``, ``histology``, ...), extra rule ids and notes. Leave an
   axis out when the text does not decide it; ``needs`` says what to ask for.
4. ``SITE = SiteSpec(...)`` and add ``TnmCalculator(stomach.SITE)`` to ``CALCULATORS`` in
   ``rag/calculators/staging/__init__.py``.

Stated categories, report audit, prefixes, grouping with unknowns, ``missing`` and citations are
handled once, in ``calculator.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rag.calculators.staging.extract import Descriptors, Fact
from rag.calculators.staging.table import Assignment, StageTable

__all__ = ["Context", "Derived", "Annotation", "SiteSpec", "rule_label"]


def rule_label(label: str) -> str:
    """A category label as the corpus spells it inside a rule id: ``N0(i+)`` → ``N0i+``.

    Rule ids allow no brackets (docs/CORPUS_FORMAT.md regex), so the corpus drops them.
    """
    return label.replace("(", "").replace(")", "")


@dataclass(frozen=True)
class Context:
    """What derivation may depend on besides descriptors: the prefix and the extra inputs."""

    prefix: str  # "c", "p", "yp", ... or "" when the input does not say
    extras: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""

    @property
    def pathological(self) -> bool:
        return self.prefix.endswith("p")

    @property
    def clinical(self) -> bool:
        return self.prefix.endswith("c")


@dataclass(frozen=True)
class Derived:
    """Categories a site derived from descriptors, with the rules and notes behind them."""

    assignments: Mapping[str, Assignment] = field(default_factory=dict)
    extras: Mapping[str, Fact] = field(default_factory=dict)
    rule_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Annotation:
    """Site-specific additions to the result (breast ``stage_type``, prostate ``grade_group``)."""

    result: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()


def _no_notes(text: str) -> tuple[str, ...]:
    return ()


def _no_annotation(result: Mapping[str, Any], extras: Mapping[str, Any]) -> Annotation:
    return Annotation()


@dataclass(frozen=True)
class SiteSpec:
    """One site in one edition. ``tables`` maps a prefix family ("c", "p", "yp") to its table."""

    system: str  # CONTRACT.md id, e.g. "AJCC8-lung"
    edition: str  # human-readable, e.g. "AJCC 8th edition"
    rule_prefix: str  # rule-id prefix, e.g. "LUNG8"
    aliases: tuple[str, ...]
    tables: Mapping[str, StageTable]
    extract: Callable[[str], Descriptors]
    derive: Callable[[Descriptors, Context], Derived]
    needs: Mapping[str, str]  # "T"/"N"/"M"/extra key → what the user should supply
    extra_keys: tuple[str, ...] = ()
    annotate: Callable[[Mapping[str, Any], Mapping[str, Any]], Annotation] = _no_annotation
    missing_extra_rule: str = ""  # cited when a group is certain although an extra is missing
    label_notes: Mapping[str, str] = field(default_factory=dict)  # why a label is invalid here
    text_notes: Callable[[str], tuple[str, ...]] = _no_notes  # e.g. "the text dates the case to 2025"
    # (axis, label, prefix) → the defining rule id, for sites whose corpus ids depend on more than
    # the label: breast cN/pN schemes, prostate cT2a versus pT2. Derivation must use the same one.
    definition: Callable[[str, str, str], str] | None = None

    def definition_id(self, axis: str, label: str, prefix: str) -> str:
        """The corpus rule id that defines a category, e.g. ``LUNG8.T.T2a``, ``BREAST8.PN.N1mi``."""
        if self.definition is not None:
            return self.definition(axis, label, prefix)
        return f"{self.rule_prefix}.{axis}.{rule_label(label)}"

    def table_for(self, prefix: str, t: str | None = None) -> StageTable:
        """The table for a prefix; without one, the first table that knows the T label."""
        family = "yp" if prefix.startswith("y") else prefix[-1:] if prefix else ""
        if family in self.tables:
            return self.tables[family]
        if family == "yp" and "p" in self.tables:
            return self.tables["p"]
        for table in self.tables.values():
            if t is None or t in table.t_categories:
                return table
        return next(iter(self.tables.values()))

    def categories(self, axis: str) -> tuple[str, ...]:
        """Every label any of this site's tables accepts on ``axis``."""
        seen: list[str] = []
        for table in self.tables.values():
            labels = {"T": table.t_categories, "N": table.n_categories, "M": table.m_categories}[axis]
            seen.extend(x for x in labels if x not in seen)
        return tuple(seen)
