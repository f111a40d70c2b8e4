"""Question shapes: what kind of sentence answers "at what size…", "what are the subcategories…".

Why: the extractive composer picks the sentences that share the most words with the question, and the
sentence sharing most words is often not the answer: for "TI-RADS 4类多大需要细针穿刺？" the TR4
passage's best-matching unit was "总分4–6分" (its points), not its FNA size. A question's shape says
what its answer must contain — a size, a time interval, a count, several members of a family, a
statement of change — so units lacking it are passed over when a unit with it exists.

Shapes are recognised by rules in English and Chinese; a question can have several (none is fine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.relevance import labels

__all__ = ["Shape", "question_shape"]

_SIZE_ASK = re.compile(r"\bwhat size|\bhow (?:big|large)|\bsize (?:cut-?off|threshold|limit)|\bcut-?off|\bthreshold|"
                       r"\bfrom what (?:mean )?(?:diameter|size)|\bat what (?:maximum |mean )?(?:diameter|size)|"
                       r"\bsize range|\bsize limit|多大|多少厘米|多少毫米|大小范围|阈值|至少要多大", re.I)
_TIME_ASK = re.compile(r"\binterval\b|\bhow often\b|\bhow soon\b|\bwhen (?:to|should) (?:repeat|re-?image)|"
                       r"\bfollow-?up (?:interval|schedule)|多久|间隔|何时复查", re.I)
_MANAGE_ASK = re.compile(r"\bmanage(?:d|ment)?\b|\brecommend(?:ed|ation)?\b|\bwhat (?:should|do) (?:i|we) do\b|"
                         r"怎么处理|如何处理|处理建议|处理|怎么办", re.I)
_LIST_ASK = re.compile(r"\bsub-?categor(?:y|ies)\b|\bsubdivid\w*|\bsub-?groups?\b|\bwhat are the\b|\bwhich are the\b|"
                       r"分为哪|哪几|哪两|哪些亚|亚类|细分", re.I)
_CHANGE_ASK = re.compile(r"\bchang(?:e|ed|es)\b|\bdiffer\w*|\bnew in\b|\bcompared with\b|变化|变更|不同|区别|差异", re.I)
_COUNT_ASK = re.compile(r"\bhow many\b|几个|几枚|多少个|多少枚", re.I)
_DEFINE_ASK = re.compile(r"\bwhat (?:is|does)\b|\bdefin\w*|\bmean(?:s|ing)?\b|是什么|什么意思|指什么|指的是|定义", re.I)

_SIZE_FACT = re.compile(r"\d+(?:\.\d+)?\s*(?:mm|cm|毫米|厘米)(?![A-Za-z])", re.I)
_TIME_FACT = re.compile(r"\d+(?:\s*(?:to|–|-|至)\s*\d+)?[\s-]*(?:months?|years?|weeks?|个月|年|周)|annual|每年", re.I)
# Management *actions*. "Screening" alone is the setting a rule applies in ("should not be assigned at
# screening mammography"), not something to do; it is an action only as a schedule ("annual screening",
# "return to routine screening", "12-month screening").
_MANAGE_FACT = re.compile(r"\bmanage\w*|\bFNA\b|biopsy|follow-?up|LDCT|tissue|referral|surveillance|"
                          r"\b(?:annual|routine|continued?|return(?:s|ed)? to|resume[sd]?|\d+-month)\s+(?:\w+\s+)?screening|"
                          r"处理|随访|复查|穿刺|活检|(?:每年|常规|继续|恢复|年度)\S{0,4}筛查", re.I)
_CHANGE_FACT = re.compile(r"\bchang\w*|\bmoved?\b|\bno longer\b|\bnow\b|\bunlike\b|\bnew\b|\bsubdivided\b|\breplac\w*|"
                          r"改为|升为|降为|变|不再|不同|新增|细分", re.I)
_NUMBER_FACT = re.compile(r"\d|[一二两三四五六七八九十]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)


@dataclass(frozen=True)
class Shape:
    """What the answer to a question must contain (each flag independent)."""

    size: bool = False
    time: bool = False
    manage: bool = False
    members: bool = False
    change: bool = False
    count: bool = False
    define: bool = False

    def requires(self, text: str) -> bool:
        """True when a unit's text has everything this shape makes essential (size, time, count)."""
        if self.size and not _SIZE_FACT.search(text):
            return False
        if self.time and not _TIME_FACT.search(text):
            return False
        return not (self.count and not _NUMBER_FACT.search(text))

    def bonus(self, text: str, system: str | None = None) -> float:
        """Extra credit for a unit that has what the shape prefers (several members, a change, management)."""
        score = 0.0
        if self.members:
            most = max((len(v) for v in labels(text, system).values()), default=0)
            score += 0.5 if most >= 2 else 0.0
        if self.change and _CHANGE_FACT.search(text):
            score += 0.3
        if self.manage and _MANAGE_FACT.search(text):
            score += 0.3
        if self.manage and _TIME_FACT.search(text):
            score += 0.1
        if self.size and _MANAGE_FACT.search(text):
            score += 0.1
        return score

    def answers(self, text: str, system: str | None = None) -> bool:
        """True when a unit states something of the kind the question asks for (a size for "at what
        size", a time for "how often", a change, management, several members, a count)."""
        if not self:
            return False
        if (self.size or self.time or self.count) and self.requires(text):
            return True
        return self.bonus(text, system) >= 0.3 or (self.manage and _MANAGE_FACT.search(text) is not None)

    def __bool__(self) -> bool:
        return any((self.size, self.time, self.manage, self.members, self.change, self.count, self.define))


def question_shape(question: str) -> Shape:
    """Read the shape of a question (English or Chinese)."""
    return Shape(size=bool(_SIZE_ASK.search(question)), time=bool(_TIME_ASK.search(question)),
                 manage=bool(_MANAGE_ASK.search(question)), members=bool(_LIST_ASK.search(question)),
                 change=bool(_CHANGE_ASK.search(question)), count=bool(_COUNT_ASK.search(question)),
                 define=bool(_DEFINE_ASK.search(question)))
