"""密级变更 — seed 003 §4.3.1: the business department applies (upgrade / downgrade), the secrecy office assesses,
the committee approves (the chair too when core is involved), the register is updated and the people concerned are
told."""

from __future__ import annotations

from tools.bpmn_layout import Process
from tools.bpmn_sources._common import chair_approval, committee_vote


def build() -> Process:
    p = Process(
        "level_change", "商业秘密密级变更",
        lanes=[("liaison", "部门保密员（业务部门）"), ("secrecy_office", "保密管理部"), ("committee", "保密委员会")],
        doc="seed 003 §4.3.1：业务部门提出变更申请（升级 / 降级，启动数据即申请） → 保密管理部评估 → "
            "保密委员会表决（涉及核心秘密时另需主任审批） → 更新《商业秘密清单》（change_level） → 通知相关人员。",
    )
    start = p.start("start", "业务部门提出密级变更申请", "liaison")
    read = p.service("read_item", "读取《商业秘密清单》条目（名称、现密级、部门）", "secrecy_office",
                     "read_register_item", result="item")
    assess = p.user("assess_level_change", "评估密级变更申请", "secrecy_office", form="level_change_assessment")
    gw_assess = p.xgw("gw_assessment", "建议变更？", "secrecy_office")
    p.chain(start, read, assess, gw_assess)
    vote, tally = committee_vote(p, level="new_level")
    p.flow(gw_assess, vote, "建议变更", condition="recommend_change")
    gw_vote = p.xgw("gw_vote_passed", "表决通过？", "committee")
    p.flow(tally, gw_vote)
    gw_core = p.xgw("gw_involves_core", "涉及核心秘密？", "committee")
    p.flow(gw_vote, gw_core, "通过", condition="tally['approved']")
    chair = chair_approval(p, row=1)
    gw_chair_ok = p.xgw("gw_chair_approved", "主任批准？", "committee", row=1)
    join_chair = p.xgw("join_chair", "", "committee")
    p.flow(gw_core, chair, "是", condition="decision == 'core' or current_level == 'core'")
    p.flow(gw_core, join_chair, "否", default=True)
    p.flow(chair, gw_chair_ok)
    p.flow(gw_chair_ok, join_chair, "批准", condition="chair_approved")
    apply = p.service("apply_level_change", "更新《商业秘密清单》密级", "secrecy_office", "change_level",
                      result="level_change_record")
    notify_ok = p.service("notify_level_changed", "通知申请部门及相关人员", "secrecy_office", "notify",
                          {"role": "'liaison'", "decider": "'liaison'",
                           "subject": "item_name + '：密级已变更，请通知知悉范围内人员'"})
    end_ok = p.end("end", "密级已变更", "secrecy_office")
    p.chain(join_chair, apply, notify_ok, end_ok)

    join_no = p.xgw("join_rejected", "", "liaison")
    notify_no = p.service("notify_change_rejected", "通知申请部门：不予变更", "liaison", "notify",
                          {"role": "'liaison'", "decider": "'liaison'",
                           "subject": "item_name + '：密级变更申请未获批准'"})
    end_no = p.end("end_rejected", "维持原密级", "liaison")
    p.flow(gw_assess, join_no, "不建议变更", default=True)
    p.flow(gw_vote, join_no, "未通过", default=True)
    p.flow(gw_chair_ok, join_no, "不批准", default=True)
    p.chain(join_no, notify_no, end_no)
    return p
