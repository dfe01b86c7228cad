"""定密审批 — seed 003 §4.1.1 / §4.1.2, seed 001: department self-check → secrecy office cross-review → novelty
check (core) → value assessment → proposal (level, period, scope) → committee vote (chair for core) → register →
《商业秘密定密审批表》 signed by the company, the liaison, the secrecy office and the committee chair."""

from __future__ import annotations

from tools.bpmn_layout import Process
from tools.bpmn_sources._common import chair_approval, committee_vote


def build() -> Process:
    p = Process(
        "classification", "商业秘密定密审批",
        lanes=[("liaison", "部门保密员"), ("secrecy_office", "保密管理部"), ("committee", "保密委员会")],
        doc="seed 003 §4.1.1：部门自查填报《商业秘密识别清单》条目 → 保密管理部组织交叉审核（排除已公开信息） → "
            "核心信息委托查新（秘密性验证） → 价值评估 → 定密建议（密级、保密期限、知悉范围） → 保密委员会表决"
            "（核心秘密另需主任审批） → 登记《商业秘密清单》 → 签署《商业秘密定密审批表》。",
    )
    start = p.start("start", "部门启动定密申请", "liaison")
    filing = p.user("file_item", "填报商业秘密识别清单条目", "liaison", form="classification_request",
                    decider="liaison")
    review = p.user("cross_review", "交叉审核（排除已公开信息）", "secrecy_office", form="cross_review")
    gw_review = p.xgw("gw_cross_review", "保留？", "secrecy_office")
    p.chain(start, filing, review, gw_review)

    gw_core = p.xgw("gw_core_novelty", "拟定核心秘密？", "secrecy_office")
    novelty = p.user("novelty_check", "秘密性验证（委托查新）", "secrecy_office", form="novelty_check", row=1)
    gw_novel = p.xgw("gw_novel", "不为公众所知悉？", "secrecy_office", row=1)
    join_novelty = p.xgw("join_novelty", "", "secrecy_office")
    p.flow(gw_review, gw_core, "保留", condition="review_decision == 'keep'")
    p.flow(gw_core, novelty, "核心", condition="proposed_level == 'core'")
    p.flow(gw_core, join_novelty, "重要 / 一般", default=True)
    p.flow(novelty, gw_novel)
    p.flow(gw_novel, join_novelty, "是", condition="novelty_confirmed")

    value = p.user("value_assessment", "价值评估", "secrecy_office", form="value_assessment")
    gw_value = p.xgw("gw_value", "纳入保护？", "secrecy_office")
    proposal = p.user("classification_proposal", "提出定密建议（密级、期限、知悉范围）", "secrecy_office",
                      form="classification_proposal")
    p.chain(join_novelty, value, gw_value)
    p.flow(gw_value, proposal, "纳入", condition="include_in_protection")

    # The novelty check follows the level the item will end at: a core recommendation after a lower proposal
    # is checked here before the committee votes on it.
    gw_late = p.xgw("gw_core_recommended", "建议定为核心？", "secrecy_office")
    late = p.user("novelty_check_recommended", "秘密性验证（建议定为核心秘密）", "secrecy_office", form="novelty_check",
                  row=1)
    gw_late_novel = p.xgw("gw_novel_recommended", "不为公众所知悉？", "secrecy_office", row=1)
    join_late = p.xgw("join_recommended", "", "secrecy_office")
    p.flow(proposal, gw_late)
    p.flow(gw_late, late, "核心（未查新）", condition="recommended_level == 'core' and proposed_level != 'core'")
    p.flow(gw_late, join_late, "已查新 / 非核心", default=True)
    p.flow(late, gw_late_novel)
    p.flow(gw_late_novel, join_late, "是", condition="novelty_confirmed")
    vote, tally = committee_vote(p, level="recommended_level")
    p.flow(join_late, vote)
    gw_vote = p.xgw("gw_vote_passed", "表决通过？", "committee")
    p.flow(tally, gw_vote)
    minutes = p.user("record_resolution", "记录委员会决议", "secrecy_office", form="committee_resolution",
                     doc="保密委员会办公室（保密管理部）记录会议日期与审批意见；票数、表决委员与密级取自系统计票。")
    p.flow(gw_vote, minutes, "通过", condition="tally['approved']")
    gw_chair = p.xgw("gw_needs_chair", "核心秘密？", "secrecy_office")
    p.flow(minutes, gw_chair)
    chair = chair_approval(p, row=1)
    gw_chair_ok = p.xgw("gw_chair_approved", "主任批准？", "committee", row=1)
    join_chair = p.xgw("join_chair", "", "secrecy_office")
    p.flow(gw_chair, chair, "核心", condition="decision == 'core'")
    p.flow(gw_chair, join_chair, "重要 / 一般", default=True)
    p.flow(chair, gw_chair_ok)
    p.flow(gw_chair_ok, join_chair, "批准", condition="chair_approved")

    register = p.service("register_item", "登记《商业秘密清单》", "secrecy_office", "register_secret_item",
                         result="item_id")
    p.flow(join_chair, register)
    # The form holds the item's name and summary: it carries the item's level.
    form = p.agreement("classification_form", "classification_form", "商业秘密定密审批表", "secrecy_office", [
        {"lane": "liaison", "name": "申请人签署：定密审批表", "decider": "liaison"},
        {"lane": "secrecy_office", "name": "审核人签署：定密审批表"},
        {"lane": "committee", "name": "主任签署：定密审批表", "decider": "committee_chair",
         "party": "committee_chair"},
    ], level="decision")
    p.flow(register, form[0])
    notify_ok = p.service("notify_classified", "通知申请部门：已定密", "secrecy_office", "notify",
                          {"role": "'liaison'", "decider": "'liaison'",
                           "subject": "item_name + '：已定密并登记入《商业秘密清单》'"})
    end_ok = p.end("end", "已登记", "secrecy_office")
    p.chain(form[1], notify_ok, end_ok)

    # Every "no" ends in one notification to the liaison.
    join_no = p.xgw("join_rejected", "", "liaison", row=1)
    notify_no = p.service("notify_not_classified", "通知申请部门：不予定密", "liaison", "notify",
                          {"role": "'liaison'", "decider": "'liaison'",
                           "subject": "item_name + '：不予定密'"}, row=1)
    end_no = p.end("end_not_classified", "不予定密", "liaison", row=1)
    p.flow(gw_review, join_no, "已公开：排除", default=True, route="over")
    p.flow(gw_novel, join_no, "已公开", default=True, route="over")
    p.flow(gw_value, join_no, "无保护价值", default=True, route="over")
    p.flow(gw_late_novel, join_no, "已公开", default=True, route="over")
    p.flow(gw_vote, join_no, "未通过", default=True, route="over")
    p.flow(gw_chair_ok, join_no, "不批准", default=True, route="over")
    p.chain(join_no, notify_no, end_no)
    return p
