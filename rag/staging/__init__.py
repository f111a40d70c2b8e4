"""AJCC/UICC TNM staging calculators (deterministic; tables are data)."""

from __future__ import annotations

CALCULATORS: list = []
