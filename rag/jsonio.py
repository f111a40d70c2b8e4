"""Strict JSON in and out, for every file, pipe and socket the package writes or reads.

Why: ``json.dumps`` writes ``NaN``/``Infinity`` by default and ``json.loads`` accepts them (and turns
``1e999`` into infinity), so a non-finite number typed by a user came back out as JSON that no other
parser reads. Everything here refuses non-finite numbers instead.
"""

from __future__ import annotations

import json
import math
from typing import Any


def dumps(obj: Any) -> str:
    """One line of strict JSON (UTF-8 text, no NaN or Infinity); ``ValueError`` if ``obj`` holds one."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def loads(text: str | bytes) -> Any:
    """``json.loads`` that rejects NaN, Infinity and numbers that overflow to infinity (``ValueError``)."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)


def is_finite(value: Any) -> bool:
    """True when every number inside ``value`` is finite, i.e. ``dumps`` will accept it."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(is_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_finite(v) for v in value)
    return True


def record_line(record: dict[str, Any]) -> tuple[str, bool]:
    """One output line of a batch and whether it is a success; a record that cannot be JSON (a
    non-finite number, a lone surrogate) becomes its id plus an error, so the batch goes on."""
    try:
        return dumps(record) + "\n", "error" not in record
    except (ValueError, TypeError) as exc:
        return dumps({"id": plain_id(record.get("id")), "error": f"result cannot be written as JSON ({exc})"}) + "\n", False


def plain_id(value: Any) -> Any:
    """A batch line's id as given, when it can be written back (a string, number or null), else its text."""
    if value is None or isinstance(value, (bool, int)) or (isinstance(value, str) and is_unicode(value)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return repr(value)


def is_unicode(text: str) -> bool:
    """False for text holding a lone surrogate (undecodable argv bytes, a JSON ``"\\ud800"``): it cannot be written out."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
