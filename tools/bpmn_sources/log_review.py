"""涉密信息访问日志周审计 — seed 003 §7.2.2 (访问日志每周审计，异常访问及时调查)."""

from __future__ import annotations

from tools.bpmn_layout import Process


def build() -> Process:
    p = Process(
        "log_review", "涉密信息访问日志周审计",
        lanes=[("secrecy_office", "保密管理部")],
        doc="seed 003 §7.2.2：每周一 09:00 起审计上一周（周一 0 时至次周一 0 时，北京时间）的访问日志："
            "审计人核查按密级的允许 / 拒绝统计、拒绝访问记录与异常访问并填写审计意见，"
            "系统据此生成《涉密信息访问日志周审计报告》，"
            "公司盖章、审计人签署后进入下一周。审计迟延时逐周补审，不跳过任何一周。",
    )
    start = p.start("start", "建立访问日志周审计", "secrecy_office")
    join = p.xgw("join_week", "", "secrecy_office")
    week = p.service("next_log_week", "确定待审计的周", "secrecy_office", "log_review_week", result="log_week",
                     doc="上一次审计周的下一周；首次为启动时最近一个完整的周。log_week = {week, start, end, due}。")
    wait = p.timer("week_timer", "该周结束后的周一 09:00", "secrecy_office", date="log_week['due']")
    review = p.user("review_access_log", "审计本周访问日志", "secrecy_office", form="access_log_review",
                    assignee="reviewer_user")
    report = p.service("prepare_report", "统计访问日志并生成《涉密信息访问日志周审计报告》", "secrecy_office",
                       "prepare_log_review", result="log_review_doc")
    seal = p.service("company_sign_report", "公司盖章：周审计报告", "secrecy_office", "company_sign",
                     {"document": "log_review_doc"}, result="log_review_company_signature")
    sign = p.user("sign_report", "审计人签署：周审计报告", "secrecy_office", form="sign_agreement",
                  assignee="reviewer_user", sign="log_review_doc")
    gw = p.xgw("gw_continue", "继续每周审计？", "secrecy_office")
    end = p.end("end", "每周审计已停止", "secrecy_office")
    p.chain(start, join, week, wait, review, report, seal, sign, gw)
    p.flow(gw, end, "停止", condition="stop_review")
    p.flow(gw, join, "下一周", default=True, route="over")
    return p
