"""RADS and WHO classification calculators (deterministic; rules are data)."""

from __future__ import annotations

CALCULATORS: list = []
