"""年度保密承诺 — seed 003 §5.1.2: every year each secret-involved employee signs the annual pledge."""

from __future__ import annotations

from tools.bpmn_layout import Process


def build() -> Process:
    p = Process(
        "annual_pledge", "年度保密承诺",
        lanes=[("hr", "人力资源部"), ("employee", "涉密人员")],
        doc="seed 003 §5.1.2：每年组织涉密人员签署《年度保密承诺书》，重申保密义务。每位员工每年一个实例。",
    )
    start = p.start("start", "发起年度保密承诺", "hr")
    # A month to sign; the inbox reminds before the day, the secrecy office hears of it after (§5.1.2 schedules).
    due = p.service("pledge_due", "计算签署期限（一个月）", "hr", "review_due", {"months": "1"}, result="sign_due")
    pledge = p.agreement("annual_pledge", "annual_pledge", "年度保密承诺书", "hr",
                         [{"lane": "employee", "name": "员工签署：年度保密承诺书", "assignee": "employee_user",
                           "due": "sign_due"}])
    overdue = p.boundary_timer("pledge_overdue", "逾期未签署", pledge[1], "sign_due")
    escalate = p.service("notify_pledge_overdue", "通知保密管理部：逾期未签署", "hr", "notify",
                         {"role": "'secrecy_office'", "subject": "employee_name + '：年度保密承诺书逾期未签署'"}, row=1)
    end_overdue = p.end("end_overdue_branch", "已通知保密管理部", "hr", row=1)
    p.chain(overdue, escalate, end_overdue)
    notify = p.service("notify_pledge_signed", "通知人力资源部：已签署", "hr", "notify",
                       {"role": "'hr'", "user": "hr_user",
                        "subject": "employee_name + '：年度保密承诺书已签署'"})
    end = p.end("end", "承诺书已签署", "hr")
    p.chain(start, due, pledge[0])
    p.chain(pledge[1], notify, end)
    return p
