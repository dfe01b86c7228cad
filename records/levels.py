"""The secret levels (密级, seed 003 §2.3 and §4.2): the one definition every package uses.

A ``StrEnum``, so a level read from the database, a form or a manifest compares equal to its member; columns
store the value (``"core"``…).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

__all__ = ["LEVELS", "LEVEL_NAMES", "PERIOD_YEARS", "SecretLevel", "highest", "period_problem", "period_years"]


class SecretLevel(StrEnum):
    CORE = "core"              # 核心秘密: loss > 10 % of annual revenue; the general manager approves each access
    IMPORTANT = "important"    # 重要秘密: 3–10 %; the department head approves
    GENERAL = "general"        # 一般秘密: < 3 %; post authorisation

    @property
    def rank(self) -> int:
        """Higher is more secret: general 1, important 2, core 3."""
        return _RANK[self]


# As stored and as written in forms, manifests and messages: plain strings, highest level first.
LEVELS: tuple[str, ...] = tuple(level.value for level in SecretLevel)
# The names printed on documents and marks.
LEVEL_NAMES: dict[str, str] = {SecretLevel.CORE: "核心秘密", SecretLevel.IMPORTANT: "重要秘密",
                               SecretLevel.GENERAL: "一般秘密"}
_RANK = {SecretLevel.GENERAL: 1, SecretLevel.IMPORTANT: 2, SecretLevel.CORE: 3}


def highest(values: Iterable[object]) -> SecretLevel | None:
    """The most secret of ``values`` that are levels (others are ignored); None when there is none."""
    found = [SecretLevel(str(v)) for v in values if str(v) in LEVELS]
    return max(found, key=lambda level: level.rank) if found else None


# Seed 003 §2.3 and §4.1.2: how long each level stays secret — general 1–3 years, important 3–5, core long-term
# (until it is public or has lost its value). None: long-term.
PERIOD_YEARS: dict[str, tuple[int, int] | None] = {SecretLevel.GENERAL: (1, 3), SecretLevel.IMPORTANT: (3, 5),
                                                   SecretLevel.CORE: None}
_LONG_TERM = re.compile(r"^\s*(长期|long[- ]term)\s*$", re.IGNORECASE)
_YEARS = re.compile(r"^\s*(\d{1,2})\s*(年|years?)\s*$", re.IGNORECASE)


def period_years(text: str) -> int | None:
    """Whole years in a secrecy period as written ("3年", "3 years"); None for "长期" / "long-term".
    Raises ValueError for anything else."""
    if _LONG_TERM.match(text):
        return None
    found = _YEARS.match(text)
    if not found:
        raise ValueError(text)
    return int(found.group(1))


def period_problem(level: str, text: str) -> str | None:
    """Why ``text`` is not a secrecy period for ``level`` (seed 003 §4.1.2), or None when it is."""
    if level not in LEVELS:
        return None
    name, allowed = LEVEL_NAMES[level], PERIOD_YEARS[level]
    rule = (f"{name}的保密期限为“长期”（至公开或失去价值）/ a {level} secret is kept long-term" if allowed is None else
            f"{name}的保密期限为 {allowed[0]}–{allowed[1]} 年 / {_a(level)} secret is kept {allowed[0]} to "
            f"{allowed[1]} years")
    try:
        years = period_years(text)
    except ValueError:
        return f"“{text}”不是保密期限：写“长期”或“N年”/ not a secrecy period — write 长期 or N年; {rule} " \
               "(seed 003 §4.1.2)"
    if allowed is None and years is None:
        return None
    if allowed is not None and years is not None and allowed[0] <= years <= allowed[1]:
        return None
    return f"“{text}”: {rule} (seed 003 §4.1.2)"


def _a(level: str) -> str:
    return f"an {level}" if level[0] in "aeiou" else f"a {level}"
