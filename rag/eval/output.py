"""Where an evaluation's figures go: ``results.json``, ``report.md`` and PNG plots in one folder.

matplotlib runs on the Agg backend (no display, no fonts fetched); plots are optional extras of a
report, so a plotting failure is reported in the markdown rather than losing the numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rag.errors import InvalidInput


def prepare_out(out: Path) -> Path:
    """Create the output folder (or fail clearly when it cannot be a folder)."""
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {out} is a file", hint="give a folder for report.md, results.json and plots")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create {out}: {exc.strerror}", hint="give a writable folder") from exc
    return out


def _finite(value: Any) -> Any:
    """JSON without NaN/Infinity (they are not JSON): such values become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _finite(value.item())
    return value


def write_results(out: Path, results: dict[str, Any], markdown: str, plots: Sequence[tuple[str, Callable[[Any], None]]] = ()) -> list[str]:
    """Write results.json, the plots and report.md (with the plots linked); returns the plot file names."""
    written: list[str] = []
    notes: list[str] = []
    if plots:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        for name, draw in plots:
            figure = plt.figure(figsize=(7, 4.2), dpi=100)
            try:
                draw(figure)
                figure.tight_layout()
                figure.savefig(out / name)
                written.append(name)
            except Exception as exc:  # noqa: BLE001 - a plot must never cost the numbers
                notes.append(f"- plot {name} failed: {type(exc).__name__}: {exc}")
            finally:
                plt.close(figure)
    results = {**results, "plots": written}
    (out / "results.json").write_text(json.dumps(_finite(results), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                                      encoding="utf-8")
    images = "\n".join(f"![{name}]({name})" for name in written)
    (out / "report.md").write_text(markdown.rstrip() + "\n\n" + images + ("\n" + "\n".join(notes) if notes else "") + "\n",
                                   encoding="utf-8")
    return written


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table."""
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3f}"
        return str(v).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]
