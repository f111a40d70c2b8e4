"""Lung descriptors from text (English and Chinese) and their T/N/M under the 8th or 9th edition.

One pipeline for both editions: the 9th only splits N2 (one station N2a, several N2b) and M1c
(one organ system M1c1, several M1c2). Sizes use the greatest dimension, never rounded; clinical T
of a subsolid tumour uses the solid part (DOMAIN §2, §13).
"""

from __future__ import annotations

import re
from typing import Any

from rag.calculators.context import assess
from rag.calculators.staging.extract import (
    Descriptors,
    Fact,
    Hit,
    classify_size,
    clause_of,
    evidence,
    find,
    m0_statement,
    metastasis_hits,
    n0_statement,
    node_counts,
    scan,
    several_lesions,
    sizes,
)
from rag.types import Evidence

__all__ = ["extract", "T_ORDER"]

T_ORDER = ("TX", "T0", "Tis", "T1mi", "T1a", "T1b", "T1c", "T2a", "T2b", "T3", "T4")
_SIZE_CUES = {
    "tumour": re.compile(r"tumou?r|mass|carcinoma|lesion|nodule|neoplasm|primary|肿瘤|肿块|病灶|结节|癌"),
    "dimension": re.compile(r"greatest|maximum|largest|dimension|diameter|size|measur\w*|最大径|直径|大小"),
    "solid": re.compile(r"solid\s+(?:component|part|portion)|实性成分|实性部分"),
    "total": re.compile(r"total\s+(?:size|diameter|dimension)|whole\s+(?:lesion|tumou?r)|总大小|总直径"),
    "invasive": re.compile(r"invasive\s+(?:component|part|size|focus|portion)|浸润成分|浸润灶"),
    "other": re.compile(r"margin|node|lymph|station|specimen|lobe\b|lung\b|segment|wedge|fragment|"
                        r"tissue|bronch(?!ioloalveolar)|cyst|from|distance|metasta|pleura(?:l)?\s+effusion|"
                        # "staple. line measuring 5.5 cm": an OCR stop may cut "staple" off its "line"
                        r"rib\b|portion|staple|suture|\bline\b|切缘|淋巴结|标本|肺叶"),
}
_VPI = re.compile(r"visceral\s+pleura(?:l)?(?:\s+(?:invasion|involvement|infiltration))?|\bPL\s?[0-3]\b|"
                  r"(?:pleural\s+(?:invasion|involvement))|elastic\s+(?:layer|lamina)|脏层胸膜(?:侵犯|受侵)?|胸膜侵犯", re.I)
_PL = re.compile(r"\bPL\s?([0-3])\b", re.I)
_INVASION_CUE = re.compile(r"invad|invasion|involv|infiltrat|extend|extension|penetrat|侵犯|侵及|累及|受侵", re.I)
_T3_SITES = re.compile(r"chest\s+wall|\bribs?\b|parietal\s+pleura|phrenic\s+nerve|parietal\s+pericardium|"
                       r"superior\s+sulcus|pancoast|\bPL\s?3\b|胸壁|壁层胸膜|膈神经|心包壁层|肋骨", re.I)
_T4_SITES = re.compile(r"diaphragm|mediastin(?:um|al\s+(?:fat|soft\s+tissue|structures|pleura))|\bheart\b|"
                       r"great\s+vessels?|\baorta\b|vena\s+cava|trachea|\bcarina\b|recurrent\s+laryngeal|"
                       r"o?esophag(?:us|eal\s+wall)|vertebra|膈肌|纵隔(?!淋巴)|心脏|大血管|主动脉|气管|隆突|食管|椎体", re.I)
_MAIN_BRONCHUS = re.compile(r"main(?:stem)?\s+bronch(?:us|i)|主支气管", re.I)
_ATELECTASIS = re.compile(r"atelectasis|obstructive\s+pneumonitis|肺不张|阻塞性肺炎", re.I)
# T2 needs atelectasis or pneumonitis that reaches the hilum (part or all of the lung), not a focal one
_TO_HILUM = re.compile(r"hil(?:um|ar)|(?:whole|entire|all\s+of\s+the)\s+(?:lung|lobe)|肺门|全肺|一侧肺", re.I)
# "satellite focus / lesion" is the same finding as a satellite nodule (separate tumour nodule); a form
# count of zero ("Number of satellite lesions: 0") is no nodule.
_NODULE = re.compile(r"(?:separate|additional|satellite|second|another)\s+(?:tumou?r\s+)?nodules?|"
                     r"satellite\s+(?:tumou?r\s+)?(?:foci|focus|lesions?)|"
                     r"intrapulmonary\s+metasta\w*|tumou?r\s+nodules?|卫星灶|另见结节|癌结节|肺内转移", re.I)
_ZERO_VALUE = re.compile(r"[^.;:\n]{0,20}[:：]\s*(?:0|zero|none|no|not\s+identified|absent|n/?a)\b", re.I)
_TUMOUR_NODULE = re.compile(r"tumou?r|satellite|metasta|卫星|转移", re.I)
_MALIGNANT = re.compile(r"carcinoma|tumou?r|malignan\w*|metasta\w*|same\s+histolog\w*|neoplas\w*|癌|转移|恶性", re.I)
_SAME_LOBE = re.compile(r"same\s+lobe|同一?肺?叶", re.I)
_OTHER_LOBE = re.compile(r"(?:different|another|other|separate)\s+(?:ipsilateral\s+)?lobe|ipsilateral\s+(?:lung|lobe)|同侧(?:其他|不同)?肺叶", re.I)
_CONTRA_LUNG = re.compile(r"contralateral\s+lung|opposite\s+lung|对侧肺", re.I)
_PLEURAL_M1A = re.compile(r"malignant\s+(?:pleural|pericardial)\s+effusion|(?:pleural|pericardial)\s+"
                          r"(?:nodules?|metasta\w*|dissemination|carcinomatosis|seeding)|恶性胸腔积液|"
                          r"恶性心包积液|胸膜转移|胸膜播散", re.I)
_ORGANS = {
    "brain": r"brain|cerebr\w*|cerebell\w*|intracranial|脑",
    "liver": r"liver|hepatic|肝",
    "bone": r"bones?|osseous|skelet\w*|vertebral\s+body|spine|骨",
    "adrenal": r"adrenals?|肾上腺",
    "kidney": r"kidney|renal|肾(?!上腺)",
    "distant nodes": r"(?:abdominal|retroperitoneal|axillary|inguinal|non-?regional|distant)\s+(?:lymph\s+)?nodes?",
    "skin": r"skin|subcutaneous|soft\s+tissue|皮肤",
    "peritoneum": r"peritone\w*|腹膜",
}
_ORGAN = re.compile("|".join(f"(?P<{re.sub(' ', '_', k)}>{v})" for k, v in _ORGANS.items()), re.I)
_METS_WORD = re.compile(r"metasta\w*|\bmets?\b|deposits?|转移", re.I)
_SIDE = re.compile(r"\b(right|left)\b(?=[^.;]{0,25}(?:lobe|lung|hil|upper|lower|middle))|\b([RL])(?:UL|ML|LL)\b|([右左])(?:肺|上叶|中叶|下叶)", re.I)
_STATION = re.compile(
    r"(?:\b(?:station|level|stn\.?|group|LN|lymph\s+node)\s*#?\s*(?P<s1>3a|3p|1[0-4]|[1-9])\s*(?P<side1>[RL]\b|right|left)?)|"
    r"(?:\b(?P<s2>3a|3p|1[0-4]|[1-9])(?P<side2>[RL])\b)|"
    r"(?:(?:^|(?<=[:;,]))\s*(?P<s3>3a|3p|1[0-4]|[1-9])\s*(?P<side3>[RL])?\s*(?=\())|"
    r"(?:第?(?P<s4>1[0-4]|[1-9])(?P<side4>[RL])?\s*(?:组|站))", re.I)
_NAMED = re.compile(
    r"(?P<n3>supraclavicular|scalene|锁骨上|斜角肌)|"
    r"(?P<contra>contralateral\s+(?:mediastinal|hilar|paratracheal)|对侧(?:纵隔|肺门))|"
    r"(?P<n2>subcarinal|paratracheal|mediastinal|aortopulmonary|subaortic|aorto-?pulmonary\s+window|"
    r"para-?aortic|para-?o?esophageal|pulmonary\s+ligament|隆突下|纵隔|气管旁|主动脉弓旁|食管旁)|"
    r"(?P<n1>hilar|peribronchial|intrapulmonary|interlobar|lobar\b|segmental|肺门|支气管旁|肺内|叶间)", re.I)
_NAMED_STATION = {"subcarinal": "7", "隆突下": "7", "paratracheal": "4", "气管旁": "4", "aortopulmonary": "5",
                  "subaortic": "5", "para-aortic": "6", "paraaortic": "6", "paraesophageal": "8",
                  "para-esophageal": "8", "paraoesophageal": "8", "pulmonary ligament": "9", "食管旁": "8"}
_NODE_CONTEXT = re.compile(r"lymph|node|nodal|station|level|LN\b|淋巴", re.I)
# A node is positive when the words next to it say so; "tumour" elsewhere in the clause (the primary's
# own size, "a 2.5 cm tumour and a 1.8 cm hilar node") says nothing about the node.
_POSITIVE = re.compile(r"metasta\w*|positive|involved|involvement|deposits?|(?:with|by|for|shows?|showing|containing)\s+"
                       r"(?:\w+\s+)?(?:carcinoma|tumou?r|malignan\w*|cancer)|(?:carcinoma|tumou?r|malignan\w*)\s+"
                       r"(?:present|identified|seen|cells)|\(\+\)|转移|阳性|癌", re.I)
_STATION_ITEM = r"#?\s*(?:3a|3p|1[0-4]|[1-9])\s*(?:[RL](?![a-z]))?"
# "stations 4R and 7", "levels 2R, 4R, 7", "第4R、7组": every listed station carries the list's status.
_STATION_LIST = re.compile(
    rf"\b(?:stations?|levels?|stns?\.?|LNs?)\s*[:#(]?\s*(?P<list>{_STATION_ITEM}(?:\s*(?:,|/|&|\band\b|\bor\b)\s*"
    rf"{_STATION_ITEM})+)|第?(?P<zh>(?:3a|3p|1[0-4]|[1-9])[RL]?(?:\s*[、,，及和/]\s*(?:3a|3p|1[0-4]|[1-9])[RL]?)+)\s*(?:组|站)",
    re.I)
_LIST_ITEM = re.compile(r"(3a|3p|1[0-4]|[1-9])\s*([RL](?![a-z]))?", re.I)
_NODES_NONE = re.compile(r"(?:regional\s+)?(?:lymph\s+)?nodes?\s*(?:status)?\s*[:=]\s*(?:none\s+involved|negative|"
                         r"uninvolved|no\s+metasta\w*|none\b)|no\s+(?:regional\s+)?(?:lymph\s+node|nodal)\s+"
                         r"(?:metasta\w*|involvement)|(?:all\s+)?(?:lymph\s+)?nodes?\s+(?:are\s+)?(?:all\s+)?"
                         r"negative|无淋巴结转移|淋巴结未见(?:癌)?转移|淋巴结(?:均)?阴性|c?N0\b", re.I)
_AIS = re.compile(r"adenocarcinoma\s+in\s+situ|\bAIS\b|squamous\s+(?:cell\s+)?carcinoma\s+in\s+situ|原位腺癌|原位癌", re.I)
_MIA = re.compile(r"minimally\s+invasive\s+adenocarcinoma|\bMIA\b|微浸润腺癌", re.I)
_GGN = re.compile(r"pure\s+ground[\s-]?glass|non-?solid|纯磨玻璃", re.I)
_PART_SOLID = re.compile(r"part[\s-]?solid|sub-?solid|mixed\s+ground[\s-]?glass|混合磨玻璃|部分实性", re.I)


def _ev(descriptor: str, value: Any, hit: Hit | re.Match[str], text: str) -> Evidence:
    if isinstance(hit, re.Match):
        return evidence(descriptor, value, hit.start(), hit.end(), text)
    return evidence(descriptor, value, hit.start, hit.end, text)


_PROXIMITY = re.compile(r"(?:abut\w*|approach\w*|close\s+to|adjacent\s+to|near(?:ly|ing)?|toward\w*|touch\w*|"
                        r"up\s+to|contact\w*|(?:distal|proximal)\s+to|from|紧邻|邻近|贴近|靠近|距)\s*(?:the\s+)?(?:\w+\s+){0,2}$", re.I)


def _affirmed_in_context(text: str, hit: Hit, cue: re.Pattern[str]) -> bool:
    """Affirmed and, within its sentence (';' lists included), near a cue such as "invasion".

    A structure the tumour only abuts or approaches is not invaded ("abutting the aorta").
    """
    if hit.negated or _PROXIMITY.search(text[max(0, hit.start - 40):hit.start]):
        return False
    left, _ = clause_of(text, hit.start, hit.end)
    sent_left = max(text.rfind(".", 0, hit.start) + 1, text.rfind("\n", 0, hit.start) + 1, text.rfind("。", 0, hit.start) + 1)
    window = text[max(sent_left, hit.start - 120):min(len(text), hit.end + 40)]
    return bool(cue.search(window)) and left >= 0


def extract(text: str) -> Descriptors:
    """Lung descriptors with evidence: sizes, pleura, invasions, nodules, nodes, metastases."""
    d: Descriptors = {}
    for size in sizes(text):
        kind = classify_size(size, _SIZE_CUES)
        key = {"tumour": "size_mm", "solid": "solid_mm", "total": "total_mm", "invasive": "invasive_mm"}.get(kind or "")
        if key and size.mm <= 300 and (key not in d or size.mm > d[key].value):
            d[key] = Fact(size.mm, (evidence(key, size.mm, size.start, size.end, text),))
    for name, pattern in (("ais", _AIS), ("mia", _MIA), ("pure_ggn", _GGN), ("part_solid", _PART_SOLID)):
        hit = next((h for h in find(text, pattern) if not h.negated), None)
        if hit:
            d[name] = Fact(True, (_ev(name, True, hit, text),))
    _pleura(text, d)
    for name, pattern in (("t3_invasion", _T3_SITES), ("t4_invasion", _T4_SITES)):
        hits = [h for h in find(text, pattern) if _affirmed_in_context(text, h, _INVASION_CUE)
                and not re.match(r"\s*(?:lymph|node|淋巴)", text[h.end:h.end + 8], re.I)]
        if hits:
            d[name] = Fact(tuple(h.text for h in hits), tuple(_ev(name, h.text, h, text) for h in hits))
    for name, pattern in (("main_bronchus", _MAIN_BRONCHUS), ("atelectasis", _ATELECTASIS)):
        hits = [h for h in find(text, pattern) if not h.negated and
                (_TO_HILUM.search(text[max(0, h.start - 60):h.end + 80]) if name == "atelectasis"
                 else _affirmed_in_context(text, h, _INVASION_CUE))
                and not re.search(r"margin", text[h.end:h.end + 12], re.I)]
        if hits:
            d[name] = Fact(True, (_ev(name, True, hits[0], text),))
    _nodules(text, d)
    _metastases(text, d)
    _nodes(text, d)
    side = _SIDE.search(text)
    if side:
        raw = (side.group(1) or side.group(2) or side.group(3)).lower()
        d["side"] = Fact("R" if raw in ("right", "r", "右") else "L", (_ev("side", raw, side, text),))
    return d


def _pleura(text: str, d: Descriptors) -> None:
    for hit in find(text, _VPI):
        window = text[hit.start:min(len(text), hit.end + 30)]
        pl = _PL.search(window)
        level = f"PL{pl.group(1)}" if pl else ""
        if hit.negated and not hit.denied:
            continue  # "possible visceral pleural invasion": not asserted, not absent
        if hit.negated or level == "PL0":
            d.setdefault("vpi_negative", Fact(True, (_ev("vpi", "absent", hit, text),)))
            continue
        if level == "PL3":
            d["t3_invasion"] = Fact(("parietal pleura (PL3)",), (_ev("t3_invasion", "PL3", hit, text),))
            continue
        if re.search(r"(?i)visceral|PL[12]|脏层|elastic|pleural\s+invasion|胸膜侵犯", hit.text):
            d["vpi"] = Fact(level or "present", (_ev("vpi", level or "present", hit, text),))
            return


_LOBE = re.compile(r"\b(?P<side>right|left)\s+(?P<lobe>upper|middle|lower)\s+lobe|\b(?P<s2>[RL])(?P<l2>[UML])L\b|"
                   r"(?P<s3>[右左])肺?(?P<l3>[上中下])叶", re.I)
_SIDE_WORD = {"right": "R", "r": "R", "右": "R", "left": "L", "l": "L", "左": "L"}
_LOBE_WORD = {"upper": "U", "u": "U", "上": "U", "middle": "M", "m": "M", "中": "M", "lower": "L", "l": "L", "下": "L"}


def _lobe_of(m: re.Match[str]) -> tuple[str, str]:
    side = (m.group("side") or m.group("s2") or m.group("s3")).lower()
    lobe = (m.group("lobe") or m.group("l2") or m.group("l3")).lower()
    return _SIDE_WORD[side], _LOBE_WORD[lobe]


def _nodule_place(text: str, window: tuple[int, int]) -> str | None:
    """Where a separate nodule lies relative to the primary, from the lobes the report names.

    The primary's lobe is the first lobe named outside the nodule's clause; the nodule's is the one
    named inside it. Same lobe → T3, another lobe of the same lung → T4, the other lung → M1a
    (DOMAIN §2); without both lobes nothing is inferred.
    """
    inside = [m for m in scan(_LOBE, text) if window[0] <= m.start() < window[1]]
    outside = [m for m in scan(_LOBE, text) if not window[0] <= m.start() < window[1]]
    if not inside or not outside:
        return None
    nod, primary = _lobe_of(inside[0]), _lobe_of(outside[0])
    if nod[0] != primary[0]:
        return "nodule_contralateral"
    return "nodule_same_lobe" if nod[1] == primary[1] else "nodule_other_lobe"


_MULTIPLE_PRIMARIES = re.compile(r"multiple\s+primar\w*|synchronous\s+primar\w*|separate\s+primar\w*|"
                                 r"independent\s+primar\w*|second\s+primary|多原发|同时性多原发", re.I)


def _nodules(text: str, d: Descriptors) -> None:
    primaries = next((h for h in find(text, _MULTIPLE_PRIMARIES) if not h.negated), None)
    if primaries is not None:
        # separate primaries are staged separately (T of the highest lesion, with (m)); their other
        # tumours are not intrapulmonary metastases, so no same-lobe / other-lobe / M1a upgrade
        d["multiple_primaries"] = Fact(True, (_ev("multiple_primaries", True, primaries, text),))
        return
    for hit in find(text, _NODULE):
        if hit.negated or _ZERO_VALUE.match(text, hit.end):
            continue
        left, right = clause_of(text, hit.start, hit.end)
        window = text[max(left, hit.start - 60):min(right, hit.end + 80)]
        if not _TUMOUR_NODULE.search(hit.text) and not any(
                assess(text, m.start(), m.end()).asserted for m in scan(_MALIGNANT, text)
                if max(left, hit.start - 60) <= m.start() < min(right, hit.end + 80)):
            continue  # "another 4 mm nodule" on imaging is not a tumour nodule until shown to be one
        for key, pattern in (("nodule_contralateral", _CONTRA_LUNG), ("nodule_other_lobe", _OTHER_LOBE),
                             ("nodule_same_lobe", _SAME_LOBE)):
            if pattern.search(window):
                d.setdefault(key, Fact(True, (_ev(key, True, hit, text),)))
                break
        else:
            place = _nodule_place(text, (max(left, hit.start - 60), min(right, hit.end + 80)))
            if place:
                d.setdefault(place, Fact(True, (_ev(place, True, hit, text),)))
    for hit in find(text, _CONTRA_LUNG):
        if not hit.negated and _METS_WORD.search(text[max(0, hit.start - 40):hit.end + 40]):
            d.setdefault("nodule_contralateral", Fact(True, (_ev("nodule_contralateral", True, hit, text),)))


def _malignant_clause(text: str, hit: Hit) -> bool:
    """The clause around ``hit`` calls it malignant ("pleural nodule of metastatic carcinoma")."""
    left, right = clause_of(text, hit.start, hit.end)
    return any(not h.negated for h in find(text[max(left, hit.start - 50):min(right, hit.end + 50)], _CALLED_MALIGNANT))


# "tumour" is not in this list: "a pleural nodule 45 mm from the tumour" names the primary, not the nodule.
_CALLED_MALIGNANT = re.compile(r"carcinoma|malignan\w*|metasta\w*|neoplas\w*|cancer|癌|转移|恶性", re.I)


def _metastases(text: str, d: Descriptors) -> None:
    # "pleural nodule" alone is a gross finding (a silicotic node, a plaque): only a nodule the report
    # calls malignant is M1a; "malignant effusion", "pleural metastasis/seeding" say so themselves.
    pleural = [h for h in find(text, _PLEURAL_M1A) if not h.negated
               and (not re.match(r"(?i)(?:pleural|pericardial)\s+nodules?$", h.text) or _malignant_clause(text, h))]
    if pleural:
        d["m1a_pleural"] = Fact(True, (_ev("m1a_pleural", True, pleural[0], text),))
    # unlike metastasis_sites, "several" is read at the first mention of each organ only
    first: dict[str, Hit] = {}
    for organ, hit in metastasis_hits(text, _ORGAN, _METS_WORD):
        first.setdefault(organ, hit)
    if first:
        several = {organ: several_lesions(text, hit) for organ, hit in first.items()}
        ev = tuple(_ev("metastasis", o, hit, text) for o, hit in first.items())
        d["distant"] = Fact(several, ev)
    m0 = m0_statement(text)
    if m0:
        d["m0_stated"] = Fact(True, (_ev("M0", "no distant metastasis", m0, text),))


def _nodes(text: str, d: Descriptors) -> None:
    """Involved nodes as (station or None, N level hint, side) with evidence."""
    involved: list[tuple[str | None, str, str, Evidence]] = []
    negative_seen: list[Evidence] = []
    covered: list[tuple[int, int]] = []
    for m in scan(_STATION_LIST, text):
        group = "list" if m.group("list") else "zh"
        left, right = clause_of(text, m.start(), m.end())
        status = _node_status(text, m.start(), m.end(), text[left:right])
        covered.append((m.start(), m.end()))
        for item in _LIST_ITEM.finditer(text, m.start(group), m.end(group)):
            side_raw = (item.group(2) or "").upper()
            if re.search(r"(?i)contralateral|对侧", text[left:right]):
                side_raw += " contralateral"
            ev = evidence("N.node", item.group(1) + side_raw, item.start(), item.end(), text)
            if status is True:
                involved.append((item.group(1).lower(), "", side_raw.strip(), ev))
            elif status is False:
                negative_seen.append(ev)
    for pattern in (_STATION, _NAMED):
        for m in scan(pattern, text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            left, right = clause_of(text, m.start(), m.end())
            clause = text[left:right]
            if pattern is _STATION:
                grp = next(g for g in ("s1", "s2", "s3", "s4") if m.group(g))
                station = m.group(grp)
                side_raw = next((m.group(g) for g in ("side1", "side2", "side3", "side4") if m.group(g)), "") or ""
                level = ""
                if not (_NODE_CONTEXT.search(clause) or m.group("s2") or _in_node_list(text, m.start())):
                    continue
            else:
                kind = next(k for k in ("n3", "contra", "n2", "n1") if m.group(k))
                station = _NAMED_STATION.get(text[m.start():m.end()].lower())
                side_raw = "contralateral" if kind == "contra" else ""
                level = {"n3": "N3", "contra": "N3", "n2": "N2", "n1": "N1"}[kind]
                if not (_NODE_CONTEXT.search(clause) or _in_node_list(text, m.start())):
                    continue
            side_raw = side_raw + (" contralateral" if re.search(r"(?i)contralateral|对侧", clause) else "")
            status = _node_status(text, m.start(), m.end(), clause)
            span_start = m.start(grp) if pattern is _STATION and grp != "s1" else m.start()
            span_end = m.end() if pattern is _NAMED or not text[m.end() - 1:m.end()].isspace() else m.end() - 1
            ev = evidence("N.node", (station or level) + side_raw, span_start, span_end, text)
            if status is True:
                involved.append((station, level, side_raw.strip(), ev))
            elif status is False:
                negative_seen.append(ev)
    if involved:
        d["nodes"] = Fact(tuple((s, lv, sd) for s, lv, sd, _ in involved), tuple(e for *_, e in involved))
    counts = node_counts(text)
    positive = sum(c.positive for c in counts)
    if counts and positive == 0 and not involved:
        c = counts[0]
        d["nodes_negative"] = Fact(True, (evidence("N.count", f"{c.positive}/{c.total}", c.start, c.end, text),))
    elif counts and positive:
        c = next(c for c in counts if c.positive)
        d["nodes_positive_count"] = Fact(positive, (evidence("N.count", f"{c.positive}/{c.total}", c.start, c.end, text),))
    if not involved and "nodes_negative" not in d:
        # a hedged or hypothetical "N0" ("would be staged as T2 N0") is not a statement that no node is involved
        hit = next((h for h in find(text, _NODES_NONE) if not h.uncertain and not h.context.historical), None) \
            or n0_statement(text)
        if hit and not counts or (hit and positive == 0):
            d["nodes_negative"] = Fact(True, (_ev("N.none", "none involved", hit, text),))


def _in_node_list(text: str, pos: int) -> bool:
    before = text[max(0, pos - 80):pos]
    return bool(re.search(r"(?i)(?:involved|positive|metastatic)\s+(?:lymph\s+)?nodes?\s*[:=][^.]*$|淋巴结转移[:：][^。]*$", before))


_BENIGN_FINDING = re.compile(r"granulom\w*|reactive|anthraco\w*|sarcoid\w*|histiocyt\w*|hyperplas\w*|"
                             r"silico\w*|benign|肉芽肿|反应性|炭末", re.I)


def _node_status(text: str, start: int, end: int, clause: str) -> bool | None:
    reach = text[end:end + 60].split(".")[0]
    count = re.search(r"\b(\d+)\s*/\s*(\d+)\b|\b(\d+)\s+of\s+(\d+)\b", reach)
    if count:
        pos = int(count.group(1) or count.group(3))
        if pos > 0 and _BENIGN_FINDING.search(reach[:count.start()]) and not _POSITIVE.search(reach[:count.start()]):
            return None  # "Granuloma (1/8)": the count is of a benign finding, not of metastases
        return pos > 0
    if _in_node_list(text, start):
        return not re.match(r"\s*(?:none|no\b)", text[start:end + 6], re.I)
    ctx = assess(text, start, end)
    if not ctx.asserted:
        return False if ctx.plainly_denied else None
    left, right = clause_of(text, start, end)
    lo, hi = max(start - 60, left), min(end + 60, right)
    # the positive word must itself be asserted: "2R: no malignancy identified" is a negative node
    states = [assess(text, m.start(), m.end()) for m in scan(_POSITIVE, text) if lo <= m.start() < hi]
    if any(s.plainly_denied for s in states):
        return False
    if any(s.asserted for s in states) and not re.search(
            r"(?i)negative|benign|no\s+(?:evidence|tumou?r|metasta|carcinoma|malignan)|free\s+of|未见|阴性|无", clause):
        return True
    if re.search(r"(?i)negative|benign|no\s+(?:evidence|tumou?r|metasta|carcinoma)|free\s+of|未见|阴性", clause):
        return False
    return None
