"""The demo organisation's carrier register: a few carriers of each level, one issued to eng01 and waiting for
the receipt, one issued with the department head's approval and confirmed, and a core carrier's destruction
approved and waiting for its second witness (sec02 can witness it, then sec01 destroys it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records.access_grants import decide_request, request_access, resource_of_carrier
from records.carriers import confirm_receipt, issue_carrier, register_carrier
from records.destructions import approve_destruction, request_destruction, witness_destruction
from records.levels import SecretLevel
from records.models import Carrier, User

__all__ = ["seed_carriers"]

# serial, name, level, form, copies, department
CARRIERS = (
    ("HX-2026-001", "热处理淬火介质配方（工艺卡）", SecretLevel.CORE, "paper", 1, "技术研发部"),
    ("HX-2026-002", "风电轴承寿命试验原始数据（移动硬盘）", SecretLevel.CORE, "electronic", 1, "技术研发部"),
    ("ZY-2026-001", "精密磨削加工工艺参数表", SecretLevel.IMPORTANT, "paper", 2, "技术研发部"),
    ("YB-2026-001", "常规零部件采购价格表", SecretLevel.GENERAL, "paper", 3, "技术研发部"),
    ("YB-2026-002", "未量产轴承样品 6205-X", SecretLevel.GENERAL, "physical", 1, "生产部"),
)


def seed_carriers(session: Session, now: dt.datetime) -> bool:
    """Fill an empty carrier register (the demo people must exist); False when it already has carriers."""
    if session.scalar(select(func.count()).select_from(Carrier)):
        return False
    people = {u.id: u for u in session.scalars(select(User))}
    office, liaison = people["sec01"], people["liaison01"]
    made = {}
    for serial, name, level, form, copies, department in CARRIERS:
        made[serial] = register_carrier(session, office, serial=serial, name=name, level=level, form=form,
                                        copies=copies, department=department, now=now)
    issue_carrier(session, office, made["YB-2026-001"].id, "eng01", "装配线调试参考", now=now)
    important = made["ZY-2026-001"]
    grant = request_access(session, people["eng01"], resource_of_carrier(important), "view",
                           "磨削工序工艺验证", now=now)
    decide_request(session, people["head01"], grant.id, True, now=now)
    receipt = issue_carrier(session, office, important.id, "eng01", "磨削工序工艺验证", now=now)
    confirm_receipt(session, people["eng01"], receipt.id, now=now)
    destruction = request_destruction(session, liaison, made["HX-2026-002"].id, "physical",
                                      "试验数据已归档至离线服务器，移动硬盘报废", now=now)
    approve_destruction(session, office, destruction.id, now=now)
    witness_destruction(session, liaison, destruction.id, now=now)
    # Waiting for the general manager: the secrecy office asks to view a core carrier's record.
    request_access(session, office, resource_of_carrier(made["HX-2026-001"]), "view",
                   "年度载体盘点，核对载体名称与份数", now=now)
    return True
