"""Lexical tokeniser for BM25 that keeps clinical tokens whole and segments Chinese.

Generic tokenisers split ``T2a``, ``LR-5``, ``PI-RADS``, ``1.5`` and ``≥`` into noise, yet these are
exactly what a clinician searches for. Hyphen and slash compounds are kept whole *and* split into
their parts, so "PI-RADS" matches "PI RADS" too. Chinese runs are segmented with jieba (loaded only
when Chinese text appears, since it costs about a second to initialise).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import Stemmer

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(
    rf"(?P<cjk>[{_CJK}]+)"
    r"|(?P<word>[a-z0-9]+(?:[.\-/+][a-z0-9]+)*)"
    r"|(?P<sym>[≥≤<>])"
)
# A number glued to a unit ("3.5cm") is two tokens; a number glued to one or two letters ("4b", "3a")
# is a category and stays whole.
_NUMBER_UNIT_RE = re.compile(r"^(\d+(?:\.\d+)?)(mm2|mm|cm|ml|mg|ng|kg|g|hpf|years?|yrs?|y)$")
_SPLIT_RE = re.compile(r"[\-/+]")
_DECIMAL_RE = re.compile(r"^\d+\.\d+$")
# "pT2a", "ypN1mi", "cM0": index the bare category too, so a query for "T2a" finds "pT2a".
_TNM_PREFIX_RE = re.compile(r"^(?:yp|yc|c|p|r|a)([tnm](?:\d\w*|is|x))$")
# "T3N0M0", "pT4aN0", "T1N3b": a TNM combination typed without spaces (common in Chinese questions,
# where no space separates it from the text) also yields its T, N and M parts, which the corpus uses.
_GLUED_TNM_RE = re.compile(
    r"^((?:yp|yc|c|p|r|a)?t(?:is|x|[0-4](?:mi|[a-d][12]?)?))(n(?:x|[0-3](?:mi|[a-c])?))(m(?:x|[01](?:[a-d][12]?)?))?$"
)

ENGLISH_STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does for from had has have how i if in
    into is it its may might more most of on or our should so such than that the their them then
    there these they this those to was we were what when where which while who whom why will with
    would you your""".split()
)
CHINESE_STOPWORDS = frozenset("的 了 是 在 和 与 及 或 吗 呢 吧 啊 什么 怎么 如何 哪些 为 有 被 将 对 中 其 这 那 一个".split())


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters), lower case, and ASCII comparison operators as symbols."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace(">=", "≥").replace("<=", "≤").replace("–", "-").replace("—", "-")


def _word_tokens(word: str) -> list[str]:
    unit = _NUMBER_UNIT_RE.match(word)
    if unit:
        return [unit.group(1), unit.group(2)]
    if _DECIMAL_RE.match(word) or not _SPLIT_RE.search(word):
        if word in ENGLISH_STOPWORDS:
            return []
        glued = _GLUED_TNM_RE.match(word)
        if glued:
            return [word, *(t for part in glued.groups() if part for t in _word_tokens(part))]
        prefixed = _TNM_PREFIX_RE.match(word)
        if prefixed:
            return [word, prefixed.group(1)]
        if word.isalpha() and len(word) > 3:
            return [_stemmer().stemWord(word)]
        return [word]
    parts = [p for p in _SPLIT_RE.split(word) if p and p not in ENGLISH_STOPWORDS]
    stemmed = [_stemmer().stemWord(p) if p.isalpha() and len(p) > 3 else p for p in parts]
    return [word, *stemmed]


def tokenize(text: str) -> list[str]:
    """BM25 tokens for passages and queries alike."""
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(normalise(text)):
        kind = match.lastgroup
        value = match.group()
        if kind == "word":
            tokens.extend(_word_tokens(value))
        elif kind == "sym":
            tokens.append(value)
        else:
            tokens.extend(w for w in _jieba().lcut(value) if w.strip() and w not in CHINESE_STOPWORDS)
    return tokens


def has_chinese(text: str) -> bool:
    """True when the text contains CJK ideographs."""
    return re.search(f"[{_CJK}]", text) is not None
