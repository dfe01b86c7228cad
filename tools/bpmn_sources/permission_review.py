"""涉密权限定期核查 — seed 003 §5.1.2 (最小授权; every six months the department head reviews a person's access;
access of people who leave or change post is adjusted at once)."""

from __future__ import annotations

from tools.bpmn_layout import Process


def build() -> Process:
    p = Process(
        "permission_review", "涉密权限定期核查",
        lanes=[("department_head", "部门负责人"), ("secrecy_office", "保密管理部")],
        doc="seed 003 §5.1.2：按“最小授权”原则，每半年由部门负责人核查一名涉密人员的访问权限：保持、缩减"
            "（保密管理部调整）或全部回收（离职、转岗，流程结束）。每人一个实例，循环至全部回收。",
    )
    start = p.start("start", "建立权限核查", "secrecy_office")
    join = p.xgw("join_review", "", "department_head")
    # A month for each review; the inbox reminds before the day, the secrecy office hears of it after.
    deadline = p.service("review_deadline", "计算核查期限（一个月）", "department_head", "review_due",
                         {"months": "1"}, result="review_by")
    review = p.user("review_permissions", "核查涉密人员访问权限", "department_head", form="permission_review",
                    decider="department_head", due="review_by")
    overdue = p.boundary_timer("review_overdue", "核查逾期", review, "review_by")
    escalate = p.service("notify_review_overdue", "通知保密管理部：权限核查逾期", "secrecy_office", "notify",
                         {"role": "'secrecy_office'", "subject": "employee_name + '：涉密权限定期核查逾期未完成'"},
                         row=4)
    end_overdue = p.end("end_overdue_branch", "已通知保密管理部", "secrecy_office", row=4)
    p.chain(overdue, escalate, end_overdue)
    gw = p.xgw("gw_decision", "核查结论", "department_head")
    p.chain(start, join, deadline, review, gw)
    adjust = p.user("adjust_permissions", "按核查意见缩减权限", "secrecy_office",
                    doc="保密管理部按部门负责人的意见（permission_note）缩减授权后确认。")
    join_next = p.xgw("join_next", "", "department_head")
    due = p.service("next_review_due", "计算下次核查日（六个月后）", "department_head", "review_due",
                    {"months": "6"}, result="next_review")
    wait = p.timer("review_timer", "半年核查日", "department_head", date="next_review")
    p.flow(gw, adjust, "缩减", condition="permission_decision == 'reduce'")
    p.flow(gw, join_next, "保持", default=True)
    p.flow(adjust, join_next)
    p.chain(join_next, due, wait)
    p.flow(wait, join, route="over")

    split = p.pgw("revoke_split", "", "secrecy_office", row=1)
    join_rev = p.pgw("revoke_join", "", "secrecy_office", row=1)
    p.flow(gw, split, "全部回收（离职 / 转岗）", condition="permission_decision == 'revoke'")
    systems = (("door", "门禁权限"), ("accounts", "系统账号"), ("files", "涉密文件访问权限"))
    for i, (system, label) in enumerate(systems):
        rid = p.service(f"revoke_{system}", f"回收{label}", "secrecy_office", "revoke_access",
                        {"system": f"'{system}'"}, result=f"revoked_{system}", row=1 + i)
        p.flow(split, rid)
        p.flow(rid, join_rev)
    notify = p.service("notify_revoked", "通知人力资源部：权限已全部回收", "secrecy_office", "notify",
                       {"role": "'hr'", "subject": "employee_name + '：涉密权限已全部回收'"}, row=1)
    end = p.end("end", "权限已回收", "secrecy_office", row=1)
    p.chain(join_rev, notify, end)
    return p
