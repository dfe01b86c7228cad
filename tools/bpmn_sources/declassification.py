"""解密管理 — seed 003 §4.3.2: every year (or on request) the secrecy office reviews an item: period expired with no
need to keep it, made public, or lost its value → committee approval → declassified; otherwise it is kept and
reviewed again in a year."""

from __future__ import annotations

from tools.bpmn_layout import Process
from tools.bpmn_sources._common import chair_approval, committee_vote


def build() -> Process:
    p = Process(
        "declassification", "商业秘密解密评估",
        lanes=[("secrecy_office", "保密管理部"), ("committee", "保密委员会")],
        doc="seed 003 §4.3.2：每个秘密点一个实例。trigger = 'yearly' 时等待年度评估（review_due(12) 计算下次日期）；"
            "'ad_hoc' 时立即评估。评估结论为 expired / public / no_value 时报保密委员会审批（由主任录入委员会决议），"
            "批准后 declassify_item；评估为 keep 或未获批准则等待下一年度评估。委员会审批不用多实例投票："
            "SpiffWorkflow 3.2 在同一实例中第二次进入多实例任务时拒绝非空的 votes 输出列表，而本流程按年循环。",
    )
    start = p.start("start", "建立解密评估", "secrecy_office")
    read = p.service("read_item", "读取《商业秘密清单》条目（名称、现密级、部门）", "secrecy_office",
                     "read_register_item", result="item")
    gw_trigger = p.xgw("gw_trigger", "立即评估？", "secrecy_office")
    join_year = p.xgw("join_yearly", "", "secrecy_office", row=1)
    due = p.service("next_review_due", "计算下次年度评估日", "secrecy_office", "review_due", {"months": "12"},
                    result="next_review", row=1)
    wait = p.timer("yearly_timer", "年度解密评估日", "secrecy_office", date="next_review", row=1)
    join_review = p.xgw("join_review", "", "secrecy_office")
    p.chain(start, read, gw_trigger)
    p.flow(gw_trigger, join_review, "临时申请", condition="trigger == 'ad_hoc'")
    p.flow(gw_trigger, join_year, "年度评估", default=True)
    p.chain(join_year, due, wait, join_review)
    review = p.user("declassification_review", "解密评估", "secrecy_office", form="declassification_review")
    gw_reason = p.xgw("gw_declassify", "建议解密？", "secrecy_office")
    p.chain(join_review, review, gw_reason)
    vote, tally = committee_vote(p)
    p.flow(gw_reason, vote, "期限届满 / 已公开 / 无价值", condition="declassify_reason != 'keep'")
    gw_ok = p.xgw("gw_approved", "表决通过？", "committee")
    p.flow(tally, gw_ok)
    gw_core = p.xgw("gw_core_item", "核心秘密？", "committee")
    chair = chair_approval(p, row=1)
    gw_chair_ok = p.xgw("gw_chair_approved", "主任批准？", "committee", row=1)
    join_ok = p.xgw("join_approved", "", "committee")
    p.flow(gw_ok, gw_core, "通过", condition="tally['approved']")
    p.flow(gw_core, chair, "是", condition="current_level == 'core'")
    p.flow(gw_core, join_ok, "否", default=True)
    p.flow(chair, gw_chair_ok)
    p.flow(gw_chair_ok, join_ok, "批准", condition="chair_approved")
    declassify = p.service("declassify", "解密：删除密级标识、解除访问限制", "secrecy_office", "declassify_item",
                           result="declassification_record")
    notify = p.service("notify_declassified", "通知相关部门", "secrecy_office", "notify",
                       {"role": "'secrecy_office'", "subject": "item_name + '：已解密'"})
    end = p.end("end", "已解密", "secrecy_office")
    p.chain(join_ok, declassify, notify, end)
    # Kept: back to the yearly wait.
    p.flow(gw_reason, join_year, "继续保密", default=True)
    p.flow(gw_ok, join_year, "未通过：继续保密", default=True)
    p.flow(gw_chair_ok, join_year, "不批准：继续保密", default=True)
    return p
