"""A real PDF whose paragraph runs over a page break (fpdf's automatic page break, not two pages
written by hand): the page-spanning evidence tests ingest it."""

from __future__ import annotations

from pathlib import Path

BROKEN_SENTENCE = ("A harrier lesion measuring more than 30 mm is harrier category R5 and needs surgical excision "
                   "within two weeks of the staging scan, whatever its margins look like.")
QUESTION = "What harrier category is a harrier lesion measuring more than 30 mm?"


def make_page_break_pdf(path: Path) -> Path:
    """Page 1: heading and an opening paragraph, then a paragraph started two lines above the bottom
    margin, so fpdf carries the rest of its sentence onto page 2."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, "Harrier lesion scheme", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "This document describes the harrier lesion scheme used by the page-break tests. "
                         "Lesions are measured on the staging scan.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 20 - 6 * 1.5)  # room for one line above the bottom margin: the next line breaks the page
    pdf.multi_cell(0, 6, BROKEN_SENTENCE + " Smaller harrier lesions are harrier category R2 and are watched.",
                   new_x="LMARGIN", new_y="NEXT")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
