"""Regenerate the bad-input corpus beside this script: ``python tests/data/bad/generate.py``.

Why committed files and a script: the files are small and fixed (a test must see the same bytes
every run), and the script says exactly how each was made. Oversized files are made at test time.
Each file's expected outcome is in ``expected.json`` (status and a word of the reason).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
FRONT = ("---\ntitle: {title}\nsystem: AJCC8-lung\nedition: AJCC 8th edition\neffective_date: 2018-01-01\n"
         "source: Test corpus (bad inputs)\nlicense: CC0-1.0\n---\n")
PROSE = "Regional lymph node metastasis in the subcarinal station is classified as N2 in this test document."


def _pdf(text: str | None, image: bool = False) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    if text:
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    if image:
        from PIL import Image, ImageDraw

        picture = Image.new("RGB", (200, 80), "white")
        ImageDraw.Draw(picture).rectangle((10, 10, 190, 70), outline="black", width=3)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        pdf.image(buffer, x=20, y=20, w=100)
    return bytes(pdf.output())


def _encrypted(raw: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> None:
    good_pdf = _pdf("Subcarinal nodes. " + PROSE)
    files: dict[str, bytes] = {
        "good.md": (FRONT.format(title="Good Markdown") + "# Good\n\n## N2\n\n" + PROSE + "\n").encode(),
        "plain-note.txt": ("Plain text guideline note. " + PROSE + "\n").encode(),
        "not-a-date.md": (FRONT.replace("2018-01-01", '"not a date"').format(title="Odd date") + "# Odd date\n\n" + PROSE + "\n").encode(),
        "empty-password.pdf": _encrypted(good_pdf, ""),
        "corrupt.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nthis is not a PDF body at all\n%%EOF\n",
        "truncated.pdf": good_pdf[: len(good_pdf) // 3],
        "encrypted.pdf": _encrypted(good_pdf, "patient-secret"),
        "image-only.pdf": _pdf(None, image=True),
        "binary.md": bytes((i * 37 + 11) % 256 for i in range(2048)),
        "latin1.md": (FRONT.format(title="Caf\u00e9") + "# R\u00e9sum\u00e9\n\nGanglions sous-carinaires.\n").encode("latin-1"),
        "yaml-bomb.md": ("---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                         "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                         "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                         "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                         "title: *g\n---\n# Bomb\n\n" + PROSE + "\n").encode(),
        "list-edition.md": (FRONT.replace("edition: AJCC 8th edition", "edition: [1, 2]").format(title="List edition")
                            + "# List\n\n" + PROSE + "\n").encode(),
        "empty.md": b"",
        "front-matter-only.md": FRONT.format(title="Nothing else").encode(),
        "bad-yaml.md": b"---\ntitle: [unclosed\n---\n# Bad\n\nText.\n",
        "nul.txt": b"text with a NUL \x00 byte inside it, which no guideline has\n",
    }
    expected = {
        "good.md": ["added", ""], "plain-note.txt": ["added", ""], "not-a-date.md": ["added", ""],
        "empty-password.pdf": ["added", ""],
        "corrupt.pdf": ["rejected", "PDF"], "truncated.pdf": ["rejected", "PDF"], "encrypted.pdf": ["rejected", "encrypted"],
        "image-only.pdf": ["rejected", "no text layer"], "binary.md": ["rejected", "not UTF-8"],
        "latin1.md": ["rejected", "not UTF-8"], "yaml-bomb.md": ["rejected", "aliases"],
        "list-edition.md": ["rejected", "edition"], "empty.md": ["rejected", "empty file"],
        "front-matter-only.md": ["rejected", "no text after the front matter"], "bad-yaml.md": ["rejected", "invalid YAML"],
        "nul.txt": ["rejected", "NUL"],
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
