"""部门保密自查 — seed 000 art. 5(3) (the department liaison's monthly self-check) and seed 003 §10.1.1 (weekly where
the company sets it): one instance per department, started from the organisation, looping period after period."""

from __future__ import annotations

from tools.bpmn_layout import Process


def build() -> Process:
    p = Process(
        "self_check", "部门保密自查",
        lanes=[("liaison", "部门保密员"), ("secrecy_office", "保密管理部")],
        doc="seed 000 第五条（三）：部门保密员每月开展涉密人员和商业秘密保护工作自查；"
            "seed 003 §10.1.1：企业可定为每周一次。"
            "每期开放时由本部门保密员（取自组织架构）填写《部门保密自查表》（涉密载体保管、涉密区域准入、员工保密行为、"
            "涉密人员清单是否更新、新员工保密协议），报保密管理部；到期未报时通知保密管理部；发现问题由保密管理部督促整改。",
    )
    start = p.start("start", "建立部门保密自查", "liaison")
    join = p.xgw("join_period", "", "liaison")
    period = p.service("next_period", "确定本期自查", "liaison", "self_check_period", result="period",
                       doc="上一期的下一期（按月或按周，北京时间）；首期为当前一期。"
                           "period = {period, start, opens, due, stop}；部门已不在组织架构中时 stop 为真。")
    gw_dept = p.xgw("gw_department", "部门仍在组织架构中？", "liaison")
    end = p.end("end", "部门已撤销，自查停止", "liaison", row=1)
    opens = p.timer("period_opens", "本期自查开放", "liaison", date="period['opens']")
    check = p.user("fill_self_check", "填写《部门保密自查表》", "liaison", form="self_check", decider="liaison",
                   due="period['due']")
    overdue = p.boundary_timer("self_check_overdue", "自查逾期未报", check, "period['due']")
    escalate = p.service("notify_self_check_overdue", "通知保密管理部：本期自查逾期", "secrecy_office", "notify",
                         {"role": "'secrecy_office'", "subject": "department + '：本期保密自查逾期未报（' + "
                                                                 "period['period'] + '）'"}, row=1)
    end_overdue = p.end("end_overdue_branch", "已通知保密管理部", "secrecy_office", row=1)
    gw = p.xgw("gw_problems", "发现问题？", "liaison")
    rectify = p.user("rectify_findings", "督促整改并复查", "secrecy_office", form="self_check_rectification")
    join_next = p.xgw("join_next", "", "liaison")
    p.chain(start, join, period, gw_dept)
    p.flow(gw_dept, end, "已撤销", condition="period['stop']")
    p.flow(gw_dept, opens, "是", default=True)
    p.chain(opens, check, gw)
    p.chain(overdue, escalate, end_overdue)
    p.flow(gw, rectify, "是", condition="problems_found")
    p.flow(gw, join_next, "否", default=True)
    p.flow(rectify, join_next)
    p.flow(join_next, join, route="over")
    return p
