"""WHO CNS5 adult-type diffuse glioma phrasings: IDH × 1p/19q × CDKN2A/B × glioblastoma criteria, EN and ZH.

Rules exercised (DOMAIN §11): astrocytoma vs oligodendroglioma by 1p/19q codeletion; astrocytoma
grade 4 by CDKN2A/B homozygous deletion, necrosis or microvascular proliferation; glioblastoma,
IDH-wildtype by any of necrosis, microvascular proliferation, TERT promoter mutation, EGFR
amplification or +7/-10 (always grade 4). Each marker is written affirmed or denied in several ways.
"""

from __future__ import annotations

import itertools
import random

from phrasings import Phrase, phrase

SYSTEM = "WHO-CNS5"
OLIGO = "Oligodendroglioma, IDH-mutant and 1p/19q-codeleted"
ASTRO = "Astrocytoma, IDH-mutant"
GBM = "Glioblastoma, IDH-wildtype"
NEC = "Diffuse glioma, IDH-wildtype, NEC"
G4 = "CNS WHO grade 4"

EN = {
    ("idh", True): ("IDH1 R132H mutant", "IDH-mutant", "IDH2 mutation detected", "mutant IDH1"),
    ("idh", False): ("IDH-wildtype", "IDH1/2 wild-type", "no IDH1 or IDH2 mutation"),
    ("codel", True): ("1p/19q codeleted", "1p/19q codeletion present", "whole-arm 1p/19q codeletion"),
    ("codel", False): ("1p/19q intact", "no 1p/19q codeletion", "1p/19q not codeleted"),
    ("cdkn", True): ("CDKN2A/B homozygous deletion", "CDKN2A/B: homozygous deletion detected"),
    ("cdkn", False): ("CDKN2A/B retained", "no CDKN2A/B homozygous deletion"),
    ("tert", True): ("TERT promoter mutation (C228T)", "TERT promoter mutant"),
    ("tert", False): ("TERT promoter wild-type",),
    ("egfr", True): ("EGFR amplification", "EGFR amplified"),
    ("egfr", False): ("no EGFR amplification", "EGFR not amplified"),
    ("necrosis", True): ("palisading necrosis", "necrosis present"),
    ("necrosis", False): ("no necrosis",),
    ("mvp", True): ("microvascular proliferation",),
    ("mvp", False): ("no microvascular proliferation",),
}
ZH = {
    ("idh", True): ("IDH突变", "IDH1 R132H突变"),
    ("idh", False): ("IDH野生型", "IDH未突变"),
    ("codel", True): ("1p/19q共缺失", "1p/19q联合缺失"),
    ("codel", False): ("1p/19q无共缺失", "1p/19q未缺失"),
    ("cdkn", True): ("CDKN2A/B纯合缺失",),
    ("cdkn", False): ("CDKN2A/B未见纯合缺失",),
    ("tert", True): ("TERT启动子突变",),
    ("tert", False): ("TERT启动子野生型",),
    ("egfr", True): ("EGFR扩增",),
    ("egfr", False): ("EGFR无扩增",),
    ("necrosis", True): ("可见坏死",),
    ("necrosis", False): ("未见坏死",),
    ("mvp", True): ("可见微血管增生",),
    ("mvp", False): ("未见微血管增生",),
}
CONTEXT_EN = ("Adult diffuse glioma, left frontal lobe, 45-year-old.", "Diffuse astrocytic glioma of the right temporal lobe in an adult.",
              "Cerebral hemispheric diffuse glioma, adult patient.")
CONTEXT_ZH = ("成人弥漫性胶质瘤，左额叶。", "成人右颞叶弥漫性胶质瘤。")


def _render(facts: dict[str, bool], r: random.Random, en: bool) -> str:
    words = EN if en else ZH
    parts = [r.choice(words[(k, v)]) for k, v in facts.items()]
    if en:
        return f"{r.choice(CONTEXT_EN)} " + r.choice((". ".join(p[0].upper() + p[1:] for p in parts) + ".", "; ".join(parts) + "."))
    return r.choice(CONTEXT_ZH) + "，".join(parts) + "。"


def cases() -> list[Phrase]:
    """Every WHO-CNS5 glioma phrase, deterministic."""
    out: list[Phrase] = []
    for lang in ("en", "zh"):
        en = lang == "en"
        r = random.Random(f"cns5-{lang}")
        reps = 3 if en else 1
        # IDH-mutant: codeletion decides the type; CDKN2A/B, necrosis or MVP make an astrocytoma grade 4.
        for codel, cdkn, nec in itertools.product((True, False), (True, False), (True, False)):
            for _ in range(reps):
                facts = {"idh": True, "codel": codel, "cdkn": cdkn, "necrosis": nec}
                if codel:
                    out.append(phrase(SYSTEM, lang, "CNS5.GLIOMA.OLIGO", "plain", _render(facts, r, en), diagnosis=OLIGO))
                else:
                    grade = G4 if cdkn or nec else ("CNS WHO grade 2", "CNS WHO grade 3", None)
                    out.append(phrase(SYSTEM, lang, "CNS5.GRADE.ASTRO_IDH", "plain" if cdkn or nec else "negated",
                                      _render(facts, r, en), diagnosis=ASTRO, grade=grade))
        # IDH-wildtype: any one criterion makes glioblastoma grade 4; all stated absent is NEC.
        crit = ("tert", "egfr", "necrosis", "mvp")
        for on in itertools.product((True, False), repeat=4):
            if sum(on) > 2:
                continue
            for _ in range(reps if any(on) else reps + 1):
                facts = {"idh": False, **dict(zip(crit, on, strict=True))}
                if any(on):
                    out.append(phrase(SYSTEM, lang, "CNS5.GLIOMA.GBM_IDHWT", "plain", _render(facts, r, en), diagnosis=GBM, grade=G4))
                else:
                    out.append(phrase(SYSTEM, lang, "CNS5.GLIOMA.GBM_IDHWT", "negated", _render(facts, r, en), diagnosis=(NEC, None),
                                      grade=None))
    return out
