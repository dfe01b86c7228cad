"""Start data for the outside parties' pledges (seed 003 §5.3.2, §5.5.2, §5.5.3, §6.5.3) and the purchasing
department the demo organisation lacks: a buyer who organises bid evaluations and the department's head."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from records.db import transaction
from records.models import OrgPost
from records.organisation import add_department, appoint
from records.people import Person, ensure_people

CONTACT = "visitor@example.com"
COMMON = {"core_disclosure": False, "external_contact": CONTACT}

MEETING = {**COMMON, "host_user": "eng01", "agreement": "meeting_pledge", "external_role": "attendee",
           "needs_host_signature": True, "attendee_name": "沈嘉怡", "attendee_id_number": "310104199002183526",
           "attendee_organisation": "上海联拓汽车零部件有限公司", "meeting_name": "驱动电机轴承联合开发项目评审会",
           "meeting_date": "2026-11-28", "meeting_venue": "研发中心二层保密会议室",
           "meeting_materials": "项目评审报告 1 份（编号 HY-2026-11-03）"}
AREA_ENTRY = {**COMMON, "host_user": "eng02", "agreement": "area_entry_pledge", "external_role": "visitor",
              "needs_host_signature": True, "area_department": "技术研发部", "visitor_name": "孙海涛",
              "visitor_id_number": "320503198203117015", "visitor_organisation": "苏州精工数控机床有限公司",
              "area_name": "研发实验室（轴承寿命试验区）", "area_zone": "core", "entry_start": "2026-11-25",
              "entry_end": "2026-11-26", "entry_purpose": "寿命试验机安装调试", "carried_devices": "无"}
BID_EVALUATION = {**COMMON, "host_user": "buyer01", "agreement": "bid_evaluation_pledge",
                  "external_role": "expert", "needs_host_signature": False, "expert_name": "韩立军",
                  "expert_id_number": "370103197507224518", "expert_organisation": "山东省机械工程学会",
                  "tender_project": "MK2710 数控内圆磨床采购", "tender_number": "ZB-2026-017",
                  "evaluation_date": "2026-11-27", "evaluation_venue": "办公楼三层第二会议室（评标期间为涉密区域）"}
# The secrecy office asks; the employee who accompanies the inspectors is the host (their head approves).
INSPECTION = {**COMMON, "host_user": "eng01", "agreement": "inspection_nda", "external_role": "inspector",
              "needs_host_signature": False, "inspection_authority": "聊城市生态环境局", "inspector_name": "高建国",
              "inspector_id_number": "鲁环执15020031", "inspection_team": "高建国、刘雯",
              "inspection_subject": "热处理车间废气排放专项检查", "inspection_start": "2026-11-24",
              "inspection_end": "2026-11-24", "secret_scope": "热处理车间：工艺参数显示屏与工艺卡遮盖"}
REQUEST = {"request_reason": "外部人员保密承诺", "minimal_necessity": True}
APPROVAL = {"approved": True, "approval_date": "2026-11-21"}


def add_purchasing(sessions: sessionmaker[Session], now: dt.datetime) -> None:
    """采购部 with its buyer (role purchasing) and its head."""
    with transaction(sessions) as session:
        add_department(session, actor="test", name="采购部", now=now)
        ensure_people(session, [Person("buyer01", "马晓燕", ("purchasing",), "采购部", identifier="E0601"),
                                Person("head02", "杜强", ("department_head",), "采购部", identifier="E0602")])
        appoint(session, actor="test", post=OrgPost.DEPARTMENT_HEAD, user_id="head02", department="采购部", now=now)


def pledge(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}
