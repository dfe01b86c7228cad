"""Helpers shared by the signing tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

from signing import Pki, SignatureSlot, sign_document

ANCHORS = {"company": "甲方（盖章）：", "employee": "乙方（签字）：", "witness": "见证方（签字）："}
LABELS = {"company": "甲方（用人单位）", "employee": "乙方（员工）", "witness": "见证方"}


def slots(*names: str, anchored: bool = True) -> list[SignatureSlot]:
    return [SignatureSlot(n, LABELS[n], ANCHORS[n] if anchored else None) for n in names]


def sign_in_order(pdf: bytes, pki: Pki, names: list[str]) -> list[bytes]:
    """Sign each field in turn; returns every intermediate file."""
    people = {
        "company": pki.company("上海密保科技有限公司"),
        "employee": pki.person("张三", "310101199001011234"),
        "witness": pki.person("李四"),
    }
    stages = []
    for name in names:
        pdf = sign_document(pdf, pki=pki, identity=people[name], field_name=name)
        stages.append(pdf)
    return stages
