"""入职保密流程 — seed 003 §5.1.1: background check, legacy-secret pledge, confidentiality notice, NDA,
non-compete for core personnel, induction training with a test that gates the start of work."""

from __future__ import annotations

from tools.bpmn_layout import Process


def build() -> Process:
    p = Process(
        "onboarding", "入职保密流程",
        lanes=[("hr", "人力资源部"), ("employee", "新入职员工（涉密岗位）"), ("secrecy_office", "保密管理部")],
        doc="seed 003 §5.1.1。人力资源部为涉密岗位新员工发起：背景调查 → 《不侵犯原单位商业秘密承诺书》 → "
            "《保密告知书》 → 《员工保密协议》 →（核心涉密人员）《竞业限制协议》 → 入职培训考核，合格方可上岗。",
    )
    start = p.start("start", "人力资源部发起入职", "hr")
    check = p.user("background_check", "知识产权背景调查", "hr", form="background_check", assignee="hr_user")
    gw_bg = p.xgw("gw_background", "背景调查通过？", "hr")
    notify_fail = p.service("notify_background_failed", "通知：背景调查未通过", "hr", "notify",
                            {"role": "'hr'", "user": "hr_user",
                             "subject": "employee_name + '：背景调查未通过，入职保密手续终止'"}, row=1)
    end_fail = p.end("end_background_failed", "不予录用", "hr", row=1)
    p.chain(start, check, gw_bg)
    p.flow(gw_bg, notify_fail, "未通过", default=True)
    p.flow(notify_fail, end_fail)

    employee = {"lane": "employee", "assignee": "employee_user"}
    legacy = p.agreement("legacy", "legacy_secret_pledge", "不侵犯原单位商业秘密承诺书", "hr",
                         [dict(employee, name="员工签署：不侵犯原单位商业秘密承诺书")])
    notice = p.agreement("notice", "confidentiality_notice", "保密告知书", "hr",
                         [dict(employee, name="员工签收：保密告知书")])
    nda = p.agreement("nda", "nda", "员工保密协议", "hr", [dict(employee, name="员工签署：保密协议")])
    p.flow(gw_bg, legacy[0], "通过", condition="background_passed")
    p.flow(legacy[1], notice[0])
    p.flow(notice[1], nda[0])

    gw_core = p.xgw("gw_core", "核心涉密人员？", "hr")
    p.flow(nda[1], gw_core)
    nc = p.agreement("non_compete", "non_compete", "竞业限制协议", "hr",
                     [dict(employee, name="员工签署：竞业限制协议", row=1)], row=1)
    join_core = p.xgw("join_core", "", "hr")
    p.flow(gw_core, nc[0], "核心涉密人员", condition="personnel_level == 'core'")
    p.flow(gw_core, join_core, "重要 / 一般", default=True)
    p.flow(nc[1], join_core)

    join_retake = p.xgw("join_retake", "", "secrecy_office")
    training = p.user("induction_training", "入职保密培训及考核", "secrecy_office", form="training_result",
                      doc="保密管理部组织培训（制度解读、泄密案例、保密技能）并录入考核成绩。")
    gw_pass = p.xgw("gw_training_passed", "考核合格？", "secrecy_office")
    notify_done = p.service("notify_onboarding_done", "通知人力资源部：入职保密手续完成", "hr", "notify",
                            {"role": "'hr'", "user": "hr_user",
                             "subject": "employee_name + '：入职保密手续已完成，培训考核合格，可以上岗'"})
    end = p.end("end", "人力资源部确认完成", "hr")
    p.chain(join_core, join_retake, training, gw_pass)
    p.flow(gw_pass, notify_done, "合格", condition="training_score >= pass_mark")
    p.flow(gw_pass, join_retake, "不合格：补考", default=True)
    p.flow(notify_done, end)
    return p
