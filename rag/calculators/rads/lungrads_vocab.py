"""Lung-RADS v2022 report vocabulary (English and Chinese), compiled once.

Kept apart from the parser so the words a report may use can be reviewed (and extended) without
reading parsing code. Each ``Vocab`` maps a normalised value to the regexes that express it.
"""

from __future__ import annotations

import re

from rag.calculators.rads.scan import Vocab

__all__ = [
    "AIRWAY_LEVEL",
    "BASELINE",
    "CYST_CHANGE",
    "CYST_WALL",
    "DIAGNOSTIC",
    "DOUBLING",
    "EDITION",
    "EXAM_FOLLOWUP",
    "INCOMPLETE",
    "INFECTION",
    "IRREGULAR",
    "JUXTAPLEURAL",
    "KNOWN_CANCER",
    "LOCATION",
    "LYMPHADENOPATHY",
    "MULTILOCULAR",
    "NODULE_NOUN",
    "OTHER_STRUCTURE",
    "NO_NODULES",
    "PERSISTENT",
    "PRIORS_AWAITED",
    "PRIOR_CATEGORY",
    "PROVEN_BENIGN",
    "RESOLVED",
    "RECOMMEND",
    "SCREENING",
    "SHAPE",
    "SIGNIFICANT",
    "SIZE_PREFIX",
    "SIZE_SUFFIX",
    "SMOOTH",
    "SPICULATION",
    "STATED_CATEGORY",
    "STATUS",
    "TYPE",
]

TYPE = Vocab(
    {
        # "Subsolid" covers part-solid and pure ground-glass: resolved by a stated solid component, else left open.
        "subsolid": [r"\bsub-?solid\b", r"亚实性"],
        "part-solid": [
            r"\bpart(?:ly|ially)?[- ]?solid\b",
            r"\bsemi[- ]?solid\b",
            r"\bmixed[- ]attenuation\b",
            r"\bmixed (?:solid and )?ground[- ]glass\b",
            r"部分实性",
            r"混杂(?:密度)?磨玻璃",
            r"混合性?磨玻璃",
            r"混杂密度",
            r"混合性?密度",
            r"\bpart[- ]?solid\b",
        ],
        "ground-glass": [
            r"\b(?:pure )?ground[- ]?glass(?:[- ](?:nodule|opacity|attenuation))?(?! (?:component|part|portion|halo))",
            r"\bGG[NO]s?\b",
            r"\bnon[- ]?solid\b",
            r"纯?磨玻璃(?:密度)?",
        ],
        "solid": [r"\bsolid\b(?!\s*(?:component|part|portion|core|element|area))", r"实性(?!成分|部分)"],
        "airway": [
            r"\b(?:endobronchial|endotracheal|intratracheal|endoluminal|intraluminal|airway|intra-?airway)(?: nodule| lesion| opacity)?",
            r"(?:气道|支气管)(?:腔)?内",
        ],
        "cyst": [
            r"\b(?:cyst|cystic (?:lesion|nodule|lucency)|cystic airspace)s?\b",
            r"囊(?:性|腔|状)(?:病变|结节|影)?",
        ],
        "calcified": [
            r"\b(?:completely|densely|fully|diffusely|entirely|centrally|popcorn|laminated|concentric(?:ally)?|"
            r"benign(?:ly)?)[- ]?(?:calcified|calcification)\b",
            r"\bcalcified (?:granuloma|nodule)\b",
            r"\bcalcified\b",
            r"\b(?:central|popcorn|laminated|concentric|complete|benign) "
            r"(?:pattern of )?calcification\b",
            r"(?:完全|中央|爆米花样?|同心圆样?|良性)?钙化(?:结节|灶)?",
        ],
        "nonbenign-calcification": [
            r"\b(?:eccentric|partial|partially|stippled|punctate|amorphous)(?:ly)?[- ]"
            r"(?:calcified|calcification)\b",
            r"偏心钙化",
        ],
        "fat": [
            r"\b(?:fat[- ]containing|contains? (?:macroscopic )?fat|intra-?nodular fat|macroscopic fat|"
            r"fat attenuation|hamartoma)\b",
            r"含(?:有)?脂肪",
            r"脂肪密度",
        ],
    }
)

STATUS = Vocab(
    {
        "baseline": [
            r"\bbaseline\b",
            r"\binitial (?:screening|LDCT|CT)\b",
            r"\bfirst (?:screening|LDCT)\b",
            r"\bprevalence (?:screen|round)\b",
            r"基线",
            r"首次(?:筛查)?",
        ],
        "new": [
            r"\bnew(?:ly (?:appeared|seen|developed|identified))?\b",
            r"\binterval(?:ly)? (?:developed|appeared)\b",
            r"\bnot (?:seen|present|visible) (?:on|in) (?:the )?prior\b",
            r"新发",
            r"新出现",
            r"新见",
        ],
        "growing": [
            r"\bgr[eo]wn\b",
            r"\bgrowing\b",
            r"\bgrowth\b",
            r"\benlarg(?:ed|ing|ement)\b",
            r"\bincrease[sd]? in (?:size|diameter)\b",
            r"\bincreased from\b",
            r"增大",
            r"增长",
            r"长大",
        ],
        "slow-growing": [r"\bslow(?:ly)?[- ]grow(?:ing|th|n)\b", r"\bslow growth\b", r"缓慢(?:增大|生长)"],
        "stable": [
            r"\bstable\b",
            r"\bunchanged\b",
            r"\bno (?:significant |interval )?(?:change|growth)\b",
            r"稳定",
            r"无(?:明显)?变化",
            r"未见(?:明显)?变化",
        ],
        "decreased": [
            r"\bdecreas(?:ed|ing) in (?:size|diameter)\b",
            r"\bsmaller\b",
            r"\bshrunk(?:en)?\b",
            r"\bregress(?:ed|ing)\b",
            r"缩小",
        ],
    }
)

BASELINE = Vocab(
    {
        "baseline": [
            r"\bbaseline\b",
            r"\binitial (?:screening|LDCT)\b",
            r"\bfirst (?:screening|LDCT)\b",
            r"\bprevalence (?:screen|round)\b",
            r"基线",
            r"首次",
        ]
    }
)
# A sentence about another structure ("subcarinal lymph node, 14 mm short axis", "aortic root 34 mm"):
# its sizes never belong to the lung nodule described before it.
OTHER_STRUCTURE = re.compile(
    r"\b(?:lymph nodes?|nodes?|adenopathy|aort(?:a|ic)|heart|coronary|pericardi\w*|thyroid|adrenals?|liver|kidneys?|"
    r"spleen|oesophag\w*|esophag\w*|pulmonary arter(?:y|ies)|trachea)\b|淋巴结|主动脉|心脏|冠状动脉|甲状腺|肾上腺|肝|脾|食管|肺动脉",
    re.I,
)
# A nodule the report says is gone ("the 8 mm RML nodule seen previously has resolved"): not a current finding.
RESOLVED = re.compile(
    r"\b(?:has |have )?(?:resolved|disappeared)\b|\bno longer (?:seen|visible|present|identified|evident)\b|"
    r"已(?:经)?吸收|(?:已)?消失|未再(?:显示|见)",
    re.I,
)
NODULE_NOUN = re.compile(
    r"\b(?:nodules?|opacit(?:y|ies)|lesions?|masse?s?|cysts?|GG[NO]s?)\b|结节|病灶|磨玻璃|囊", re.I
)
LOCATION = Vocab(
    {
        loc: pats
        for loc, pats in {
            "RUL": [r"\bRUL\b", r"\bright upper lobe\b", r"右(?:肺)?上叶"],
            "RML": [r"\bRML\b", r"\bright middle lobe\b", r"右(?:肺)?中叶"],
            "RLL": [r"\bRLL\b", r"\bright lower lobe\b", r"右(?:肺)?下叶"],
            "LUL": [r"\bLUL\b", r"\bleft upper lobe\b", r"左(?:肺)?上叶"],
            "LLL": [r"\bLLL\b", r"\bleft lower lobe\b", r"左(?:肺)?下叶"],
            "lingula": [r"\blingula(?:r)?\b", r"舌段"],
        }.items()
    }
)
SPICULATION = Vocab({"spiculation": [r"\bspicul(?:ated|ation|ations|ar)\b", r"毛刺"]})
JUXTAPLEURAL = Vocab(
    {
        "juxtapleural": [
            r"\bjuxta-?pleural\b",
            r"\bperi-?fissural\b",
            r"\bpleural[- ]based\b",
            r"\bsub-?pleural\b",
            r"\bfissural\b",
            r"胸膜下",
            r"邻近?胸膜",
            r"叶间裂旁?",
            r"(?:水平|斜)裂旁",
            r"胸膜旁",
            r"(?:紧贴|贴近|邻近|毗邻)(?:叶间)?(?:胸膜|叶间裂|水平裂|斜裂)",
            r"与(?:邻近)?胸膜相连",
            r"\b(?:abut(?:s|ting)?|attached to|contacting|touching) (?:the )?(?:costal |visceral |mediastinal |diaphragmatic )?"
            r"(?:pleura|pleural surface)\b",
            r"\b(?:abut(?:s|ting)?|attached to|along) (?:the )?(?:right |left )?(?:major|minor|oblique|horizontal) fissure\b",
        ]
    }
)
# Margins that rule out the juxtapleural category-2 rule (it needs smooth margins).
IRREGULAR = Vocab({"irregular": [r"\birregular(?:ly)?(?:[- ]margin(?:s|ated)?)?\b", r"\blobulated\b", r"边缘不规则", r"分叶"]})
SMOOTH = Vocab(
    {"smooth": [r"\bsmooth(?:ly)?(?:[- ](?:margin(?:s|ated)?|contour|border)s?)?\b", r"边缘光滑", r"边缘光整", r"光滑"]}
)
SHAPE = Vocab(
    {
        "benign-shape": [
            r"\b(?:oval|ovoid|lentiform|lenticular|triangular|elliptical|flat)\b",
            r"椭圆形?",
            r"三角形?",
            r"扁平",
            r"透镜状",
            r"扁豆状",
            r"梭形",
        ],
        "round": [r"\bround(?:ed)?\b", r"圆形"],
    }
)
AIRWAY_LEVEL = Vocab(
    {
        "subsegmental": [r"\bsub-?segmental\b", r"亚段"],
        "segmental": [
            r"\bsegmental\b",
            r"\blobar\b",
            r"\bmain(?:stem)? bronch(?:us|i)\b",
            r"\btracheal?\b",
            r"\bmore proximal\b",
            r"(?<!亚)段支气管",
            r"叶支气管",
            r"主支气管",
            r"气管(?!内)",
        ],
    }
)
PERSISTENT = Vocab({"persistent": [r"\bpersist(?:ent|s|ing|ed)\b", r"持续存在", r"仍存在"]})
CYST_WALL = Vocab(
    {
        "thick": [r"\bthick[- ]?walled\b", r"\bwall thickening\b", r"\bthick wall\b", r"^\s*thick\s*$", r"厚壁"],
        "thin": [r"\bthin[- ]?walled\b", r"\bthin wall\b", r"^\s*thin\s*$", r"薄壁"],
    }
)
MULTILOCULAR = Vocab({"multilocular": [r"\bmulti-?locul(?:ar|ated)\b", r"\bseptated\b", r"多房"]})
CYST_CHANGE = Vocab(
    {
        "cystic-growth": [
            r"\b(?:growing|grown|enlarg(?:ed|ing)|increas(?:ed|ing)) (?:cystic )?(?:component|lumen|cyst)\b",
            r"\bcystic (?:component|portion|part) (?:has )?(?:grown|increased|enlarged)\b",
            r"囊腔(?:较前|明显)?增大",
        ],
        "became-multilocular": [r"\b(?:became|become|becoming|now|newly) multi-?locul(?:ar|ated)\b", r"变为多房"],
        "wall-growth": [
            r"\b(?:increas(?:ed|ing)|grow(?:ing|n)|thicken(?:ed|ing)) wall(?: thickness)?\b",
            r"\bwall (?:thickness )?(?:has )?(?:increased|grown|thickened)\b",
            r"\b(?:new |increas(?:ed|ing) )?(?:mural )?nodularity\b",
            r"壁(?:较前|进一步|明显)?增厚",
            r"壁结节",
        ],
        "more-loculation": [r"\b(?:increased|more|new) loculations?\b", r"房数(?:较前)?增多"],
        "new-opacity": [r"\bnew (?:or increased )?(?:opacity|soft tissue|solid component)\b", r"新(?:出现)?实性成分"],
    }
)
DOUBLING = Vocab({"doubling": [r"\bdoubl(?:ed|ing|es)\b", r"倍增", r"增大一倍"]})
LYMPHADENOPATHY = Vocab(
    {
        "lymphadenopathy": [
            r"\b(?:mediastinal |hilar |thoracic )?(?:lymphadenopathy|adenopathy)\b",
            r"\benlarged (?:[a-z0-9]+ ){0,3}?(?:lymph )?nodes?\b",
            r"\b(?:lymph )?nodes? (?:is |are )?enlarged\b",
            r"淋巴结(?:肿大|增大)",
        ]
    }
)
NO_NODULES = Vocab(
    {
        "none": [
            r"\bno (?:other |further |additional )?(?:pulmonary |lung |suspicious )?nodules?\b",
            r"未见(?:明确|明显)?(?:肺)?结节",
            r"无(?:肺)?结节",
        ]
    }
)
PRIORS_AWAITED = Vocab(
    {
        "awaited": [
            r"\bpriors? (?:CTs? |imaging |studies |study |exams? |scans? )?(?:is |are )?(?:awaited|pending|requested|"
            r"being obtained|not (?:yet )?available)\b",
            r"\bcomparison (?:is )?(?:pending|awaited)\b",
            r"\bawaiting (?:comparison|priors?|prior (?:CT|imaging|studies))\b",
            r"待(?:与)?(?:既往|前片)(?:对比|比较)",
            r"等待(?:既往|前片)",
        ]
    }
)
INCOMPLETE = Vocab(
    {
        "incomplete": [
            r"\b(?:lungs?|part of the lungs?|portions? of the lungs?) (?:is |are )?(?:not|cannot be|could not be) "
            r"(?:fully )?(?:evaluated|evaluable|assessed|imaged)\b",
            r"\bincomplete(?:ly)? (?:imaged|evaluated|exam(?:ination)?|study)\b",
            r"\bpartially imaged\b",
            r"\bnon-?diagnostic\b",
            r"肺(?:野)?显示不全",
            r"未能完整评估",
        ]
    }
)
INFECTION = Vocab(
    {
        "infection": [
            r"\b(?:infectious|inflammatory) (?:process|etiology|aetiology|change|cause)s?\b",
            r"\bsuspected (?:infection|pneumonia)\b",
            r"\bpneumonia\b",
            r"\btree[- ]in[- ]bud\b",
            r"\bmultiple tubular (?:\w+ )?(?:nodules|opacities)\b",
            r"\b(?:likely|probably|favou?r(?:s|ing)?|consistent with|suggest(?:ive|ing)?(?: of)?)\s+(?:an?\s+)?"
            r"(?:infectious|inflammatory|infection|inflammation)\b",
            r"炎症",
            r"感染",
        ]
    }
)
SIGNIFICANT = Vocab(
    {
        "S": [
            r"\bS[- ]modifier\b",
            r"\bmodifier S\b",
            r"\bcategory S\b",
            r"\b(?:clinically )?significant (?:incidental |other |non-?lung[- ]cancer )?findings?\b",
            r"\bpotentially significant\b",
            r"其他重要发现",
        ]
    }
)
SCREENING = Vocab({"screening": [r"\bscreening\b", r"\bLDCT\b", r"\blow[- ]dose\b", r"筛查", r"低剂量"]})
DIAGNOSTIC = Vocab(
    {
        "diagnostic": [
            r"\bdiagnostic (?:chest )?CT\b",
            r"\b(?:contrast[- ]enhanced|staging|restaging) (?:chest )?CT\b",
            r"\bCT (?:pulmonary )?angiogra(?:m|phy)\b",
            r"\bCTPA\b",
            r"诊断性CT",
            r"增强CT",
        ]
    }
)
RECOMMEND = re.compile(
    r"(?:recommend|suggest|consider|advise|obtain|perform|warrant|management|would|should|"
    r"further|next|follow|refer|then|or\b|and/or|→|->|建议|推荐)",
    re.I,
)
KNOWN_CANCER = Vocab(
    {
        "known-cancer": [
            r"\b(?:known|established|biopsy[- ]proven|treated|diagnosed) (?:primary )?(?:lung|pulmonary|bronchogenic) "
            r"(?:cancer|carcinoma|malignancy|adenocarcinoma|neoplasm)\b",
            r"\b(?:history of|prior|previous) (?:primary )?(?:lung|pulmonary|bronchogenic) (?:cancer|carcinoma|malignancy)\b",
            r"\b(?:NSCLC|SCLC|lung cancer) (?:on|under|undergoing) (?:treatment|therapy|surveillance)\b",
            r"\bknown (?:NSCLC|SCLC)\b",
            r"\bpost[- ]?(?:lobectomy|resection|pneumonectomy) for (?:lung )?(?:cancer|carcinoma)\b",
            r"已知肺癌",
            r"肺癌(?:病史|术后|治疗后)",
        ]
    }
)
EXAM_FOLLOWUP = Vocab(
    {
        "follow-up": [
            r"\bfollow[- ]?up\b",
            r"\bannual\b",
            r"\bcompared (?:with|to) (?:the )?prior\b",
            r"\bcomparison\b",
            r"\binterval\b",
            r"复查",
            r"随访",
            r"对比",
        ]
    }
)
PROVEN_BENIGN = Vocab(
    {
        "proven-benign": [
            r"\b(?:proven|confirmed) (?:to be )?benign\b",
            r"\bbenign (?:on|at) (?:biopsy|work-?up)\b",
            r"\bbiopsy[- ]proven benign\b",
            r"证实为良性",
        ]
    }
)
PRIOR_CATEGORY = re.compile(
    r"\b(?:previously|prior|previous|initial)(?: Lung-?RADS| category| assessment)*"
    r"(?: category)?\s*(?:was\s*)?(0|1|2|3|4A|4B|4X)\b",
    re.I,
)
STATED_CATEGORY = re.compile(
    r"\bLung-?RADS\s*(?:v?\s*(?:2022|1\.1|1\.0)\s*)?(?:category|cat\.?)?\s*[:=]?\s*"
    r"(?!v?\d\.\d)(\d[A-Za-z]?|S)(?![A-Za-z0-9]|\.\d)",
    re.I,
)
EDITION = re.compile(r"\bLung-?RADS\s*(?:v(?:ersion)?\s*)?(1\.0|1\.1)\b", re.I)

SIZE_PREFIX = {
    "solid": re.compile(r"solid (?:component|part|portion|core|element)|实性(?:成分|部分)", re.I),
    "prior": re.compile(
        r"\b(?:previously|prior|before|from|earlier)\b|上次|前次|前片|既往|去年|(?:\d+|一|半|两)(?:个)?(?:年|月)前|原(?:为|约|大小|来|先)|之前",
        re.I,
    ),
    "long": re.compile(r"\blong(?:est)?[- ]?(?:axis|diameter|dimension)\b|\bmajor axis\b|长径|长轴", re.I),
    "short": re.compile(
        r"\bshort(?:est)?[- ]?(?:axis|diameter|dimension)\b|\bminor axis\b|\bperpendicular\b|短径|短轴", re.I
    ),
    "mean": re.compile(r"\b(?:mean|average|avg)[- ]?(?:diameter|size|dimension)?\b|平均(?:直)?径", re.I),
}
SIZE_SUFFIX = re.compile(  # used with .match(text, pos): anchored at pos, so no "^"
    r"\s*\(?\s*(?:(?P<solid>solid (?:component|part|portion))|(?P<mean>(?:in )?(?:mean|average)[- ]diameter)|"
    r"(?P<long>long[- ]axis)|(?P<short>short[- ]axis)|"
    # "7 mm previously" labels the size before it; "9 mm (previously 6.5 mm)" introduces the next one.
    r"(?P<prior>(?:on|at|in) (?:the )?prior(?!\s*(?:CT|scan|study|exam)?\s*[:=]?\s*\d)|previously(?!\s*(?:measur\w*|was|:)?\s*\d)))",
    re.I,
)
