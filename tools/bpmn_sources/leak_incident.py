"""泄密事件 — seed 003 §8.2 (事件分级与响应流程), §7.3.2 (应急预案), §8.1.2 (证据固定), §8.1.3 (风险台账) and
seed 000 art. 5(4) (内部调查、制止泄密、纪律处分、法律维权): anyone reports, the secrecy office triages and grades
by the estimated loss, containment and evidence, the committee reviews the larger grades, measures, a signed report."""

from __future__ import annotations

from tools.bpmn_layout import Process
from tools.bpmn_sources._common import committee_vote


def build() -> Process:
    p = Process(
        "leak_incident", "泄密事件处置",
        lanes=[("employee", "报告人 / 处置责任人"), ("secrecy_office", "保密管理部"), ("committee", "保密委员会")],
        doc="seed 003 §8.2、§7.3.2，seed 000 第五条（四）：员工发现泄密立即上报保密管理部（涉及的秘密点从清单中选择）→ "
            "保密管理部初步核查（非泄密的说明理由后结案）→ 按估计损失与所涉秘密的密级分级（§8.2.1：一般、较大、重大），"
            "由系统计算 → 止损措施（责任人与期限）→ 证据固定（上传文件以 SHA-256 记入审计链，保管链）→ "
            "较大、重大泄密报保密委员会审议（委员取自组织架构）→ 处理措施（纪律处分、法律维权、通知合作方）→ "
            "生成《泄密事件调查报告》，公司盖章、保密管理部签署后结案。",
    )
    start = p.start("start", "报告疑似泄密", "employee", props={"starters": "staff"})
    facts = p.service("record_incident", "登记事件（秘密点取自《商业秘密清单》）", "employee",
                      "leak_incident_facts", result="incident",
                      doc="报告人、所涉秘密点的名称与密级由系统读取；incident_level 为其中最高密级。")
    triage = p.user("triage_incident", "初步核查：是否确属泄密", "secrecy_office", form="leak_triage")
    gw_real = p.xgw("gw_real", "确属疑似泄密？", "secrecy_office")
    p.chain(start, facts, triage, gw_real)
    dismissed = p.service("notify_dismissed", "通知报告人：不构成泄密", "employee", "notify",
                          {"role": "'employee'", "user": "reporter_user",
                           "subject": "'泄密事件报告 #' + str(incident['number']) + '：经核查不构成泄密'"}, row=1)
    end_dismissed = p.end("end_dismissed", "不构成泄密，结案", "employee", row=1)
    p.flow(gw_real, dismissed, "否：说明理由", default=True, route="over")
    p.flow(dismissed, end_dismissed)

    join_assess = p.xgw("join_assessment", "", "secrecy_office")
    assess = p.user("assess_loss", "调查评估：范围与估计损失", "secrecy_office", form="leak_assessment")
    grade = p.service("grade_incident", "事件分级（§8.2.1，系统计算）", "secrecy_office", "grade_leak_incident",
                      result="grading",
                      doc="按估计损失（10 万元、50 万元，含本数）、所涉秘密的密级与是否严重影响竞争力取最高一级。")
    p.flow(gw_real, join_assess, "是", condition="real_leak")
    p.chain(join_assess, assess, grade)

    join_action = p.xgw("join_containment", "", "secrecy_office")
    action = p.user("plan_containment", "止损措施：措施、责任人、期限", "secrecy_office", form="leak_containment")
    add = p.service("register_containment", "登记止损措施", "secrecy_office", "record_containment_action")
    gw_more = p.xgw("gw_more_actions", "还有措施？", "secrecy_office")
    p.chain(grade, join_action, action, add, gw_more)
    p.flow(gw_more, join_action, "继续", condition="more_actions", route="over")
    carry = p.user("carry_out_containment", "执行止损措施", "employee", form="leak_containment_done",
                   assignee="containment['owner_user']", due="containment['due_at']",
                   loop={"input": "containment_actions", "item": "containment", "output": "containment_results",
                         "output_item": "containment_result"},
                   doc="每项措施一个任务，指派给其责任人，期限为其完成期限。")
    p.flow(gw_more, carry, "已列全", default=True)

    join_evidence = p.xgw("join_evidence", "", "secrecy_office")
    evidence = p.user("preserve_evidence", "证据固定：上传证据", "secrecy_office", form="leak_evidence")
    keep = p.service("record_evidence", "证据 SHA-256 记入审计链（保管链）", "secrecy_office", "record_leak_evidence")
    gw_more_evidence = p.xgw("gw_more_evidence", "还有证据？", "secrecy_office")
    p.chain(carry, join_evidence, evidence, keep, gw_more_evidence)
    p.flow(gw_more_evidence, join_evidence, "继续", condition="more_evidence", route="over")

    gw_grade = p.xgw("gw_committee", "较大或重大泄密？", "secrecy_office")
    p.flow(gw_more_evidence, gw_grade, "已固定", default=True)
    vote, tally = committee_vote(p, row=0)
    p.flow(gw_grade, vote, "上报保密委员会", condition="grading['committee']")
    gw_vote = p.xgw("gw_vote_passed", "委员会同意分级与处置？", "committee")
    p.flow(tally, gw_vote)
    p.flow(gw_vote, join_assess, "否：重新评估", default=True, route="over")

    join_review = p.xgw("join_review", "", "secrecy_office")
    p.flow(gw_grade, join_review, "一般泄密", default=True)
    p.flow(gw_vote, join_review, "同意", condition="tally['approved']")
    measures = p.user("decide_measures", "处理措施：纪律处分、法律维权、通知合作方", "secrecy_office",
                      form="leak_measures")
    report = p.service("prepare_incident_report", "生成《泄密事件调查报告》", "secrecy_office", "prepare_leak_report",
                       result="incident_report_doc")
    seal = p.service("company_sign_incident_report", "公司盖章：泄密事件调查报告", "secrecy_office", "company_sign",
                     {"document": "incident_report_doc"}, result="incident_report_company_signature")
    sign = p.user("sign_incident_report", "保密管理部签署：泄密事件调查报告", "secrecy_office", form="sign_agreement",
                  sign="incident_report_doc")
    closed = p.service("notify_closed", "通知报告人：事件已处置结案", "secrecy_office", "notify",
                       {"role": "'employee'", "user": "reporter_user",
                        "subject": "'泄密事件 #' + str(incident['number']) + '：已处置结案（' "
                                   "+ grading['grade_name'] + '）'"})
    end = p.end("end", "已结案", "secrecy_office")
    p.chain(join_review, measures, report, seal, sign, closed, end)
    return p
