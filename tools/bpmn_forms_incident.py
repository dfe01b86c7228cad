"""The forms of the leak-incident process (``bpmn/leak_incident.bpmn``), written by ``python -m tools.bpmn_forms``
with the others, or alone by ``python -m tools.bpmn_forms_incident``."""

# ruff: noqa: E501 — form titles and descriptions are Chinese sentences kept on one line, as in tools/bpmn_forms.

from __future__ import annotations

from typing import Any

from tools.bpmn_forms import UPLOAD, b, d, optional, picked_items, required_when, s, schema, text, user, write_forms


def forms() -> dict[str, dict[str, Any]]:
    f: dict[str, dict[str, Any]] = {}
    f["leak_incident_start"] = schema("leak_incident_start", "泄密事件报告", "seed 003 §7.3.2：员工发现泄密（如涉密资料外发、涉密载体丢失、涉密数据被非法访问）立即上报保密管理部。报告人即发起人。", {
        "incident_summary": text("发生了什么", "泄露或可能泄露的内容、经过与发现方式", 2000),
        "occurred_on": d("发生或发现日期", "知道的最早日期"),
        "location": s("发生地点", "场所、系统或渠道（如 外部邮箱、U 盘、展会）", maxLength=200),
        "item_ids": picked_items("涉及的秘密点", "如知道，从《商业秘密清单》中按名称选择；名称与密级由系统读取"),
        "persons_involved": optional("涉及的人员或单位", "可选：涉嫌泄密的人员、收到信息的外部单位", 500),
    }, ["incident_summary", "occurred_on", "location"])
    f["leak_triage"] = schema("leak_triage", "泄密事件初步核查", "seed 003 §7.3.2：保密管理部初步核查是否确属泄密；不构成泄密的，说明理由后结案。", {
        "real_leak": b("确属疑似泄密", "true：进入调查评估；false：说明理由后结案"),
        "triage_note": text("核查情况", "核查方式、初步结论"),
        "dismissal_reason": optional("不构成泄密的理由", "不构成泄密时必填（如 信息已公开、系误报）"),
    }, ["real_leak", "triage_note"], {"allOf": [required_when("real_leak", False, ["dismissal_reason"])]})
    f["leak_assessment"] = schema("leak_assessment", "泄密事件调查评估", "seed 003 §7.3.2、§8.2.1：调查泄密原因、范围与损失；事件等级由系统按估计损失与所涉密级计算。", {
        "leak_scope": text("泄露范围", "泄露的内容、数量与知悉人"),
        "leak_cause": text("泄密原因", "直接原因与管理漏洞"),
        "estimated_loss": {"type": "number", "minimum": 0, "title": "估计经济损失（元）", "description": "未造成经济损失填 0；10 万元、50 万元为分级界限（含本数）"},
        "competitiveness_harmed": b("严重影响企业竞争力", "seed 003 §8.2.1：即使损失未达 50 万元，也定为重大泄密"),
    }, ["leak_scope", "leak_cause", "estimated_loss", "competitiveness_harmed"])
    owner = user("责任人", "执行措施的人员，按姓名选择")
    owner["x-person"] = True
    f["leak_containment"] = schema("leak_containment", "止损措施", "seed 003 §7.3.2、§8.2.2：制止泄密、冻结账号、切断连接、收回载体等；每项措施一名责任人、一个完成期限。", {
        "action": text("措施", "要做的事", 500),
        "owner_user": owner,
        "due_date": d("完成期限", "不早于今天"),
        "more_actions": b("还有其他措施", "true：继续登记下一项"),
    }, ["action", "owner_user", "due_date", "more_actions"])
    f["leak_containment_done"] = schema("leak_containment_done", "执行止损措施", "责任人报告措施的执行情况。", {
        "containment_result": text("执行情况", "已采取的措施与结果", 1000),
    }, ["containment_result"])
    source = user("移交人", "可选：证据由谁移交，按姓名选择")
    source["x-person"] = True
    source.pop("minLength")
    f["leak_evidence"] = schema("leak_evidence", "证据固定", "seed 003 §8.1.2、§8.2.2：收集泄密证据（截图、日志、聊天记录等），上传文件的 SHA-256 记入防篡改审计链并记录保管经过。", {
        "evidence_file": s("证据文件", "PDF 或图片", maxLength=500, **{"x-upload": UPLOAD}),
        "evidence_description": text("证据说明", "证据内容与来源", 500),
        "received_from": source,
        "more_evidence": b("还有其他证据", "true：继续上传下一份"),
    }, ["evidence_file", "evidence_description", "more_evidence"])
    f["leak_measures"] = schema("leak_measures", "泄密事件处理措施", "seed 003 §8.2.2，seed 000 第五条（四）：追究相关人员责任、法律维权、通知客户与合作方、总结改进。", {
        "discipline": text("纪律处分", "对相关人员的处理（如警告、罚款、降职、解除劳动合同）；无则填“无”", 1000),
        "legal_action": b("追究法律责任", "true：要求赔偿、起诉或报案"),
        "legal_plan": optional("法律维权方案", "追究法律责任时必填：赔偿、民事诉讼、向市场监管局或公安局报案等", 1000),
        "notify_partners": b("通知客户与合作方", "true：通知其加强保密"),
        "partners_notified": optional("已通知的客户与合作方", "通知合作方时必填", 1000),
        "remediation": text("整改与改进", "数据补救、系统加固、更新应急预案等（§7.3.2 总结改进）"),
    }, ["discipline", "legal_action", "notify_partners", "remediation"],
        {"allOf": [required_when("legal_action", True, ["legal_plan"]), required_when("notify_partners", True, ["partners_notified"])]})
    return f


def main() -> None:
    write_forms(forms())


if __name__ == "__main__":
    main()
