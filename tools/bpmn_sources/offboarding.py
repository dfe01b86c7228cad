"""离职保密流程 — seed 003 §5.1.3: exit interview with a written reminder, carrier hand-over, immediate revocation;
then, side by side from the leaving date, the cool-down period for core personnel (its own obligation, at most 6
months) and the monthly non-compete monitoring (appendix 6 art. 1: it runs from termination, at most 24 months;
proof by the 10th, payment by the 15th; missing proof suspends payment until it arrives; breach → secrecy office).
The days, duration and money come from the signed non-compete (``workflows.non_compete``), each payment is checked
against it, and a payment late beyond the agreed days is escalated with the former employee's right to end it."""

from __future__ import annotations

from tools.bpmn_layout import Process


def build() -> Process:
    p = Process(
        "offboarding", "离职保密流程",
        lanes=[("hr", "人力资源部"), ("secrecy_office", "保密管理部"), ("employee", "离职人员（离职后通过链接办理）")],
        doc="seed 003 §5.1.3 与附录 6。离职谈话与《离职保密提醒及承诺书》 → 回收门禁、系统账号、涉密文件权限 → "
            "核对并签署《涉密载体交接清单》 → 自离职之日起同时进行：（核心涉密人员）脱密期，与（签有竞业限制协议）"
            "按自然月监督（附录 6 第 1 条：自劳动合同解除或终止之日起算，不超过 24 个月）："
            "每月由 schedule_check 计算开放日、证明截止日（10 日）与付款截止日（15 日），逾期未交证明则暂停补偿并提醒，"
            "证明送达后恢复补偿并由人力资源部登记付款，系统按已签署协议的月补偿额核对金额与期限（逾期超过约定日数即上报，"
            "注明前员工的解除权），并记录已付补偿总额与违约金基数；发现违约转保密管理部处理。",
    )
    employee = {"lane": "employee", "assignee": "employee_user"}
    start = p.start("start", "人力资源部发起离职", "hr")
    # The non-compete's days, duration and money are what the leaver signed, read from the signed agreement.
    terms = p.service("read_non_compete_terms", "读取已签署的竞业限制协议条款", "hr", "non_compete_terms",
                      result="non_compete")
    interview = p.user("exit_interview", "离职谈话（书面告知禁止行为）", "secrecy_office", form="exit_interview")
    p.chain(start, terms, interview)
    reminder = p.agreement("exit_reminder", "exit_reminder", "离职保密提醒及承诺书", "secrecy_office",
                           [dict(employee, name="离职人员签署：离职保密提醒"),
                            {"lane": "secrecy_office", "name": "谈话人签署：离职保密提醒"}])
    p.flow(interview, reminder[0])

    split = p.pgw("revoke_split", "", "secrecy_office")
    join = p.pgw("revoke_join", "", "secrecy_office")
    p.flow(reminder[1], split)
    systems = (("door", "门禁权限"), ("accounts", "系统账号"), ("files", "涉密文件访问权限"))
    for i, (system, label) in enumerate(systems):
        rid = p.service(f"revoke_{system}", f"回收{label}", "secrecy_office", "revoke_access",
                        {"system": f"'{system}'"}, result=f"revoked_{system}", row=i)
        p.flow(split, rid)
        p.flow(rid, join)

    carriers = p.user("carrier_return", "核对交还的涉密载体、清理设备", "secrecy_office", form="carrier_return")
    p.flow(join, carriers)
    # The list is checked against the carrier register in the same step: a carrier the leaver still holds that
    # is not on it refuses the step by name; the listed ones go back to the store.
    take_back = p.service("carrier_register_check", "对照载体台账核对并收回", "secrecy_office", "take_back_carriers",
                          {}, result="carriers_returned")
    p.flow(carriers, take_back)
    handover = p.agreement("carrier_handover", "carrier_handover", "涉密载体交接清单", "secrecy_office",
                           [dict(employee, name="离职人员签署：载体交接清单"),
                            {"lane": "secrecy_office", "name": "接收人签署：载体交接清单"}])
    p.flow(take_back, handover[0])

    # From the leaving date two obligations run side by side, each to its own end: the cool-down does not
    # delay the non-compete (appendix 6 art. 1; seed 003 §5.1.3).
    both = p.pgw("obligations_split", "离职后义务（同时起算）", "hr")
    p.flow(handover[1], both)
    gw_cool = p.xgw("gw_cooldown", "核心涉密人员脱密期？", "hr", row=2)
    p.flow(both, gw_cool)
    cool_due = p.service("cooldown_due", "计算脱密期届满日（自离职日起）", "hr", "months_after_leave",
                         {"months": "cooldown_months"}, result="cooldown_end", row=2)
    cool_wait = p.timer("cooldown_timer", "脱密期届满", "hr", date="cooldown_end", row=2)
    cool_done = p.service("notify_cooldown_over", "通知人力资源部：脱密期届满", "hr", "notify",
                          {"role": "'hr'", "user": "hr_user",
                           "subject": "employee_name + '：脱密期已届满'"}, row=2)
    end_cool = p.end("end_cooldown", "脱密期届满", "hr", row=2)
    end_no_cool = p.end("end_no_cooldown", "不适用脱密期", "hr", row=3)
    p.flow(gw_cool, cool_due, "适用脱密期", condition="personnel_level == 'core' and cooldown_applies")
    p.flow(gw_cool, end_no_cool, "不适用", default=True)
    p.chain(cool_due, cool_wait, cool_done, end_cool)

    gw_nc = p.xgw("gw_non_compete", "签有竞业限制协议？", "hr")
    p.flow(both, gw_nc)
    notify_done = p.service("notify_offboarding_done", "通知人力资源部：离职保密手续完成", "hr", "notify",
                            {"role": "'hr'", "user": "hr_user",
                             "subject": "employee_name + '：离职保密手续已完成'"}, row=1)
    end_done = p.end("end_no_monitoring", "离职手续完成", "hr", row=1)
    p.flow(gw_nc, notify_done, "否", default=True)
    p.flow(notify_done, end_done)

    # Monthly monitoring loop.
    loop = p.xgw("join_month", "", "hr")
    p.flow(gw_nc, loop, "是：按月监督", condition="non_compete_applies")
    sched = p.service("schedule_month_check", "计算本月核查日期", "hr", "schedule_check", result="check")
    opens = p.timer("month_opens", "本月核查开放", "hr", date="check['opens']")
    proof = p.user("submit_proof", "提交本月任职情况证明", "employee", form="noncompete_proof",
                   assignee="employee_user", due="check['proof_due']",
                   doc="前员工每月 10 日前通过链接提交新单位劳动合同或社保缴纳证明。")
    overdue = p.boundary_timer("proof_overdue", "证明逾期未交", proof, "check['proof_due']")
    suspend = p.service("suspend_compensation", "暂停支付竞业限制补偿", "employee", "set_compensation",
                        {"status": "'suspended'"}, result="compensation_status", row=1)
    remind = p.service("notify_proof_overdue", "提醒前员工补交证明", "employee", "notify",
                       {"role": "'employee'", "user": "employee_user",
                        "subject": "'请尽快提交本月任职情况证明，补偿暂停支付至证明送达'"}, row=1)
    end_overdue = p.end("end_overdue_branch", "已暂停并提醒", "employee", row=1)
    p.chain(loop, sched, opens, proof)
    p.chain(overdue, suspend, remind, end_overdue)
    resume = p.service("resume_compensation", "恢复（继续）支付补偿", "hr", "set_compensation",
                       {"status": "'active'"}, result="compensation_status")
    pay = p.user("record_payment", "登记本月补偿支付", "hr", form="noncompete_payment", assignee="hr_user",
                 due="check['payment_due']")
    checked = p.service("verify_payment", "核对支付金额与期限", "hr", "check_payment", result="payment")
    p.chain(proof, resume, pay, checked)
    # Unpaid beyond the agreed days (at most 30): the former employee may end the agreement (appendix 6 art. 4.2).
    late = p.boundary_timer("payment_overdue", "补偿逾期超过约定日数", pay, "check['escalate_at']")
    escalate = p.service("report_late_payment", "上报：补偿逾期，前员工有权解除协议", "hr", "escalate_late_payment",
                         result="late_payment_escalated", row=2)
    end_late = p.end("end_late_branch", "已上报人力资源部与保密管理部", "hr", row=2)
    p.chain(late, escalate, end_late)
    gw_breach = p.xgw("gw_breach", "发现违约？", "hr")
    breach = p.user("handle_breach", "违约处理（违约金、追责）", "secrecy_office", form="breach_handling")
    join_breach = p.xgw("join_breach", "", "hr")
    p.flow(checked, gw_breach)
    p.flow(gw_breach, breach, "是", condition="breach_reported")
    p.flow(gw_breach, join_breach, "否", default=True)
    p.flow(breach, join_breach)
    gw_last = p.xgw("gw_last_month", "监督期结束？", "hr")
    end_nc = p.end("end", "竞业限制期满或提前解除", "hr")
    p.flow(join_breach, gw_last)
    p.flow(gw_last, end_nc, "最后一个月 / 提前解除", condition="check['last'] or release_early")
    p.flow(gw_last, loop, "下个月", default=True, route="over")
    return p
