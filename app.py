"""Main job until the web app exists: build the embedded index from the bundled corpora on first run,
then answer questions and stage cases at a prompt (or run a short demo when stdin is not a terminal).

    python app.py                  # interactive: type a question, or `stage SYSTEM: text`
    python app.py "question ..."   # one answer, then exit
"""

from __future__ import annotations

import sys

from rag.cli import main as cli_main

DEMO = [
    ["search", "--k", "3", "visceral pleural invasion T category"],
    ["stage", "--system", "AJCC8-lung", "--text", "Right upper lobe adenocarcinoma, 3.5 cm, visceral pleural "
     "invasion present, 1/12 hilar (station 10R) nodes positive, no distant metastasis."],
    ["ask", "What Lung-RADS category is a 7 mm solid nodule on a baseline screening CT?"],
]


def _run(argv: list[str]) -> int:
    print(f"\n$ rag {' '.join(argv)}", flush=True)
    return cli_main(argv)


def main(args: list[str]) -> int:
    """One question from the command line, a prompt on a terminal, else the scripted demo."""
    if args:
        return _run(["ask", " ".join(args)])
    if not sys.stdin.isatty():
        return max(_run(argv) for argv in DEMO)
    print("Oncology guideline assistant. Ask a question, or `stage SYSTEM: findings` (Ctrl-D to quit).")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line.lower().startswith("stage ") and ":" in line:
            system, text = line[6:].split(":", 1)
            _run(["stage", "--system", system.strip(), "--text", text.strip()])
        else:
            _run(["ask", line])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
