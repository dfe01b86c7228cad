"""The secret levels (密级, seed 003 §2.3 and §4.2): the one definition every package uses.

A ``StrEnum``, so a level read from the database, a form or a manifest compares equal to its member; columns
store the value (``"core"``…).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = ["LEVELS", "LEVEL_NAMES", "SecretLevel", "highest"]


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
