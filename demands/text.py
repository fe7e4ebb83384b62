"""Chinese text for matching: segment with rjieba once, store the tokens, compare token sets.

Resources and policies keep their tokens in a text column (space separated, computed by the
service when they are saved), so a suggestion only splits strings and never re-segments the
candidates.
"""

import math
import re

import rjieba

MAX_TOKENS = 200

# Words that appear in almost every need, resource and policy and say nothing about what is needed.
_STOPWORD_TEXT = """
有限公司 有限 公司 集团 股份 企业 单位 部门 我们 我司 本公司 需要 需求 急需 要求 提供 相关 进行 问题 可以
能够 没有 目前 现有 以及 或者 已经 通过 对于 一个 一些 希望 帮助 解决 协调 情况 工作 方面 其他 开展 支持
服务 万元 左右 以上 以下 不足 存在 每月 每年 台套 有关 根据 按照 办理 申请 联系 电话 负责 主要 同时 今年
承接 可承接 用于 其中 单户
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NUMBER = re.compile(r"^[\d.%/]+$")


def tokenize(*parts: str) -> list[str]:
    """Distinct meaningful tokens of the given texts, in order of first appearance."""
    text = " ".join(part for part in parts if part)
    seen = {}
    for token in rjieba.cut_for_search(text):
        token = token.strip().lower()
        if len(token) < 2 or token in STOPWORDS or _NUMBER.match(token) or not _WORD.search(token):
            continue
        seen.setdefault(token, None)
        if len(seen) >= MAX_TOKENS:
            break
    return list(seen)


def token_string(*parts: str) -> str:
    return " ".join(tokenize(*parts))


def token_set(tokens: str) -> frozenset:
    return frozenset(tokens.split()) if tokens else frozenset()


def _weight(token: str) -> float:
    # Longer words are more specific: "玉米收获机" says more than "生产".
    return min(len(token), 4) / 2


def weight_norm(tokens) -> float:
    """Sum of squared token weights: the part of the cosine that depends on one side only."""
    return sum(_weight(t) ** 2 for t in tokens)


def similarity(a: frozenset, b: frozenset, *, a_norm: float | None = None) -> tuple[float, list[str]]:
    """Weighted cosine of two token sets (0..1) and the shared tokens, most specific first.

    `a_norm` (weight_norm(a)) may be passed when `a` is compared with many sets."""
    shared = a & b
    if not shared:
        return 0.0, []
    norm = math.sqrt((weight_norm(a) if a_norm is None else a_norm) * weight_norm(b))
    score = sum(_weight(t) ** 2 for t in shared) / norm if norm else 0.0
    ranked = sorted(shared, key=lambda t: (-len(t), t))
    # Drop a shared word already contained in a longer shared one ("收获" inside "收获机").
    distinct = [t for t in ranked if not any(t != other and t in other for other in ranked)]
    return min(score, 1.0), distinct
