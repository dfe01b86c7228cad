"""Write the JSON Schemas in ``bpmn/forms/``: the task forms the processes name and ``<process_id>_start.json``.

Usage: ``python -m tools.bpmn_forms``. Start schemas are derived from the agreement manifests
(``contract_templates/<id>/manifest.toml``): every variable an agreement of the process needs, with the manifest's
type, limits, choices and Chinese label, is a property; those without a default are required — except the company
profile (filled from the instance's ``config.toml``), ``sign_date`` (the engine's day) and the fields a user task of
the same process asks for (listed per process below, so the start form does not ask them twice). After generation
the JSON files are the artifacts; edit them by hand or here, but keep the two in step.
"""

# ruff: noqa: E501 — form titles and descriptions are Chinese sentences kept on one line, as in tools/template_sources.

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "bpmn" / "forms"
TEMPLATES = ROOT / "contract_templates"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

COMPANY_PROFILE = {"company_name", "company_credit_code", "legal_representative", "company_address",
                   "arbitration_place"}
ENGINE_SUPPLIED = COMPANY_PROFILE | {"sign_date"}

LEVELS = ["core", "important", "general"]
LEVEL_NAMES = "core = 核心秘密，important = 重要秘密，general = 一般秘密"


def s(title: str, description: str, **kw: Any) -> dict[str, Any]:
    return {"type": "string", "title": title, "description": description, "minLength": 1, **kw}


def text(title: str, description: str, max_length: int = 2000) -> dict[str, Any]:
    return s(title, description, maxLength=max_length)


def b(title: str, description: str, **kw: Any) -> dict[str, Any]:
    return {"type": "boolean", "title": title, "description": description, **kw}


def d(title: str, description: str) -> dict[str, Any]:
    return {"type": "string", "format": "date", "title": title, "description": description + "（YYYY-MM-DD）"}


def enum(title: str, description: str, values: list[str]) -> dict[str, Any]:
    return {"type": "string", "title": title, "description": description, "enum": values}


def user(title: str, description: str) -> dict[str, Any]:
    return s(title, description + "（系统用户 id）", maxLength=100)


def optional(title: str, description: str, max_length: int = 2000) -> dict[str, Any]:
    """A text that may be left empty (no minLength), usually required by :func:`required_when`."""
    return {"type": "string", "title": title, "description": description, "maxLength": max_length}


def required_when(field: str, value: Any, required: list[str]) -> dict[str, Any]:
    """``required`` only when ``field`` is ``value`` (the web form says so under each field)."""
    return {"if": {"properties": {field: {"const": value}}}, "then": {"required": required}}


def picked_items(title: str, description: str) -> dict[str, Any]:
    """Register entries picked by name among those the person may see (web/access.pickable_items)."""
    return {"type": "array", "items": {"type": "integer", "minimum": 1}, "uniqueItems": True, "maxItems": 20,
            "title": title, "description": description, "x-items": True}


# What an evidence or material upload takes (web/uploads.py recognises these by their first bytes).
UPLOAD = ["application/pdf", "image/png", "image/jpeg"]


def write_forms(forms: dict[str, dict[str, Any]]) -> None:
    FORMS.mkdir(parents=True, exist_ok=True)
    for name, body in forms.items():
        (FORMS / f"{name}.json").write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote bpmn/forms/{name}.json")


def period_rule(level: str, period: str = "secrecy_period") -> dict[str, str]:
    """The secrecy period must fit the level (seed 003 §4.1.2), checked by workflows.forms with a clear message."""
    return {"rule": "secrecy_period_fits_level", "level": level, "period": period}


def schema(name: str, title: str, description: str, properties: dict[str, Any], required: list[str],
           extra: dict[str, Any] | None = None) -> dict[str, Any]:
    missing = [r for r in required if r not in properties]
    if missing:
        raise ValueError(f"{name}: required fields without a property: {missing}")
    out: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": f"https://mibao.example/bpmn/forms/{name}.json",
        "title": title,
        "description": description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    out.update(extra or {})
    return out


# ---- from the manifests ------------------------------------------------------------------------------------------

def manifest(template: str) -> dict[str, Any]:
    with (TEMPLATES / template / "manifest.toml").open("rb") as fh:
        return tomllib.load(fh)


def variable_schema(v: dict[str, Any], template: str) -> dict[str, Any]:
    kind = v["type"]
    out: dict[str, Any] = {"title": v["label"]["zh"],
                           "description": f"{v['label']['en']}（协议模板 {template} 的变量 {v['name']}）"}
    if kind in ("string", "text"):
        out.update(type="string", maxLength=v.get("max_length", 200 if kind == "string" else 5000))
        if v.get("required", True) and "default" not in v:
            out["minLength"] = 1
    elif kind == "integer":
        out["type"] = "integer"
    elif kind == "decimal":  # a number or a numeric string ("11850.00"), as the manifest accepts
        out.update(type=["number", "string"], pattern=r"^[0-9]+(\.[0-9]+)?$")
    elif kind == "date":
        out.update(type="string", format="date")
    elif kind == "boolean":
        out["type"] = "boolean"
    elif kind == "choice":
        out.update(type="string", enum=v["choices"])
    elif kind == "list":
        fields = v.get("fields", [])
        out.update(type="array", minItems=1, items={
            "type": "object",
            "properties": {f["name"]: variable_schema(f, template) for f in fields},
            "required": [f["name"] for f in fields if f.get("required", True) and "default" not in f],
            "additionalProperties": False,
        })
    else:
        raise ValueError(f"{template}.{v['name']}: unknown type {kind}")
    for key, js in (("minimum", "minimum"), ("maximum", "maximum"), ("rule", "x-rule"), ("not_above", "x-not-above")):
        if key in v:
            out[js] = v[key]
    if "default" in v:
        out["default"] = v["default"]
    return out


def template_fields(templates: list[str], exclude: set[str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Properties for the variables of ``templates`` (minus ``exclude``) and, per template, its required ones."""
    props: dict[str, Any] = {}
    required: dict[str, list[str]] = {}
    for t in templates:
        required[t] = []
        for v in manifest(t)["variables"]:
            name = v["name"]
            if name in ENGINE_SUPPLIED or name in exclude or "from_records" in v:
                continue
            js = variable_schema(v, t)
            if name in props:
                if props[name].get("default") != js.get("default"):  # same field, different template defaults
                    props[name].pop("default", None)
            else:
                props[name] = js
            if v.get("required", True) and "default" not in v:
                required[t].append(name)
    return props, required


# ---- shared pieces -----------------------------------------------------------------------------------------------


ITEM = {
    "item_id": {"type": "integer", "minimum": 1, "title": "秘密点编号",
                "description": "《商业秘密清单》中的条目编号；名称、现密级与部门由系统从清单读取"},
}


def task_forms() -> dict[str, dict[str, Any]]:
    f: dict[str, dict[str, Any]] = {}
    f["sign_agreement"] = schema(
        "sign_agreement", "签署确认", "完成任务即以本人证书签署该文件（party 由任务指定）。", {
            "agree": b("本人已阅读并同意签署", "必须为 true", const=True),
            "comment": {"type": "string", "title": "备注", "description": "可选的签署备注", "maxLength": 500},
        }, ["agree"])
    # onboarding
    f["background_check"] = schema("background_check", "知识产权背景调查", "seed 003 §5.1.1：核实是否存在泄露前雇主商业秘密的记录。", {
        "check_date": d("调查日期", "背景调查完成日期"),
        "check_summary": text("调查情况", "调查方式与结论（前雇主核实、竞业限制约定等）"),
        "background_passed": b("调查通过", "true：继续办理入职保密手续；false：终止"),
    }, ["check_date", "check_summary", "background_passed"])
    f["training_result"] = schema("training_result", "入职保密培训考核", "seed 003 §5.1.1：培训后考核，合格方可上岗；不合格需补考（本表可重复提交，后一次覆盖前一次）。", {
        "training_date": d("培训日期", "培训及考核日期"),
        "trainer_name": s("培训讲师", "讲师姓名", maxLength=200),
        "training_score": {"type": "integer", "minimum": 0, "maximum": 100, "title": "考核成绩",
                           "description": "百分制；不低于启动数据 pass_mark 为合格"},
        "training_notes": {"type": "string", "title": "备注", "description": "可选", "maxLength": 1000},
    }, ["training_date", "trainer_name", "training_score"])
    # offboarding
    f["exit_interview"] = schema("exit_interview", "离职谈话", "seed 003 §5.1.3：保密管理部会同人力资源部谈话，重申保密义务与竞业限制要求，书面告知禁止行为。", {
        "interview_date": d("谈话日期", "离职谈话日期（写入《离职保密提醒及承诺书》）"),
        "interviewer_name": s("谈话人姓名", "保密管理部谈话人（写入提醒书）", maxLength=200),
        "prohibited_acts_notified": b("已书面告知禁止行为", "必须为 true", const=True),
        "interview_notes": {"type": "string", "title": "谈话记录", "description": "可选", "maxLength": 2000},
    }, ["interview_date", "interviewer_name", "prohibited_acts_notified"])
    carrier_props, carrier_req = template_fields(["carrier_handover"], set())
    keep = ["handover_date", "receiver_name", "items", "device_cleaned", "access_revoked", "notes"]
    f["carrier_return"] = schema("carrier_return", "涉密载体交还核对", "seed 003 §5.1.3：核对交还的纸质文件、U 盘、移动硬盘、样品，清理并检测办公电脑；权限回收任务已先执行。写入《涉密载体交接清单》。",
                                 {k: carrier_props[k] for k in keep}, [k for k in keep if k in carrier_req["carrier_handover"]])
    f["noncompete_proof"] = schema("noncompete_proof", "本月任职情况证明", "seed 003 §5.1.3、附录 6：前员工每月 10 日前提交新单位劳动合同或社保缴纳证明（每月覆盖上月）。", {
        "employment_status": enum("目前就业状态", "employed = 受雇，self_employed = 自雇/创业，unemployed = 未就业", ["employed", "self_employed", "unemployed"]),
        "new_employer": {"type": "string", "title": "现任职单位", "description": "受雇时填写", "maxLength": 200},
        "proof_type": enum("证明类型", "labor_contract = 劳动合同，social_insurance = 社保缴纳证明，both = 两者，declaration = 未就业声明", ["labor_contract", "social_insurance", "both", "declaration"]),
        "proof_reference": s("证明文件", "劳动合同或社保缴纳证明（PDF 或图片，网页上传后生成文件标识）", maxLength=500, **{"x-upload": ["application/pdf", "image/png", "image/jpeg"]}),
        "truthful": b("本人承诺所提交材料真实", "必须为 true", const=True),
    }, ["employment_status", "proof_type", "proof_reference", "truthful"])
    f["noncompete_payment"] = schema("noncompete_payment", "竞业限制补偿支付登记", "人力资源部每月 15 日前支付补偿并登记（每月覆盖上月）；发现违约或公司提前解除时勾选。", {
        "payment_amount": {"type": "number", "exclusiveMinimum": 0, "title": "本月支付金额（元）", "description": "实际支付的竞业限制经济补偿；系统按已签署协议约定的月补偿额核对，少付或逾期即通知人力资源部与保密管理部"},
        "paid_on": d("支付日期", "实际支付日期（不得晚于今天）"),
        "breach_reported": b("发现违约", "true：转保密管理部违约处理"),
        "release_early": b("提前解除竞业限制", "true：公司决定提前解除，监督结束"),
        "payment_note": {"type": "string", "title": "备注", "description": "可选", "maxLength": 1000},
    }, ["payment_amount", "paid_on", "breach_reported", "release_early"])
    f["breach_handling"] = schema("breach_handling", "竞业限制违约处理", "seed 003 §5.1.3、附录 6：违约金为已付补偿总额的约定倍数；重大事项报保密委员会。", {
        "breach_findings": text("违约事实", "核实的违约情况"),
        # The penalty itself is the system's figure (penalty_base: the multiple of what was paid, art. 4.1).
        "damages_claimed": {"type": "number", "minimum": 0, "title": "另行主张的损失差额（元）",
                            "description": "违约金（系统按已付补偿总额 × 约定倍数计算）不足以弥补损失时，另行主张的赔偿差额；没有填 0"},
        "escalated": b("已报保密委员会", "重大泄密或违约事件报委员会处理"),
        "breach_note": {"type": "string", "title": "处理意见", "description": "可选", "maxLength": 2000},
    }, ["breach_findings", "damages_claimed", "escalated"])
    # classification
    cls_props, _ = template_fields(["classification_form"], set())
    request_keys = ["item_name", "item_category", "proposed_level", "item_summary", "carrier_form", "secrecy_period",
                    "knowers", "declassification_condition", "protection_measures", "self_check_summary", "apply_date"]
    f["classification_request"] = schema("classification_request", "商业秘密识别清单条目", "seed 003 §4.1.1–4.1.2、附录 4：部门自查填报（秘密点名称、拟定密级、载体形式、知悉范围、保密期限、解密条件、自查情况）。",
                                         {k: cls_props[k] for k in request_keys}, request_keys,
                                         {"x-rules": [period_rule("proposed_level")]})
    f["cross_review"] = schema("cross_review", "交叉审核", "seed 003 §4.1.1：组织研发、生产、法律等领域专家交叉审核，排除已公开信息。", {
        "review_decision": enum("审核结论", "keep = 保留进入定密程序，drop_public = 属已公开信息，排除", ["keep", "drop_public"]),
        "cross_review_opinion": cls_props["cross_review_opinion"],
        "cross_reviewers": cls_props["cross_reviewers"],
        "secrecy_office_name": cls_props["secrecy_office_name"],
        "review_date": cls_props["review_date"],
    }, ["review_decision", "cross_review_opinion", "cross_reviewers", "secrecy_office_name", "review_date"])
    f["novelty_check"] = schema("novelty_check", "秘密性验证（查新）", "seed 003 §4.1.1：委托第三方机构查新，确认核心信息“不为公众所知悉”。", {
        "novelty_check": cls_props["novelty_check"] | {"minLength": 1},
        "novelty_agency": s("查新机构", "受托的第三方机构", maxLength=200),
        "novelty_confirmed": b("确认不为公众所知悉", "false：已公开，不予定密"),
    }, ["novelty_check", "novelty_agency", "novelty_confirmed"])
    f["value_assessment"] = schema("value_assessment", "价值评估", "seed 003 §4.1.1：评估商业价值（成本节约、市场份额等），确定是否纳入保护范围。", {
        "value_assessment": cls_props["value_assessment"],
        "include_in_protection": b("纳入保护范围", "false：不予定密"),
    }, ["value_assessment", "include_in_protection"])
    f["classification_proposal"] = schema("classification_proposal", "定密建议", "seed 003 §4.1.1：保密管理部提出定密建议（密级、保密期限、知悉范围），报保密委员会。保密期限与知悉范围有意覆盖申请时的填报值。", {
        "recommended_level": enum("建议密级", LEVEL_NAMES, LEVELS),
        "secrecy_period": cls_props["secrecy_period"],
        "knowers": cls_props["knowers"],
        "office_opinion": cls_props["office_opinion"],
    }, ["recommended_level", "secrecy_period", "knowers", "office_opinion"],
        {"x-rules": [period_rule("recommended_level")]})
    f["committee_resolution"] = schema("committee_resolution", "保密委员会决议记录", "委员会办公室记录会议日期与审批意见；票数、表决委员与批准的密级取自系统计票，不可填写。", {
        "meeting_date": cls_props["meeting_date"],
        "decision_note": cls_props["decision_note"],
    }, ["meeting_date"])
    f["committee_vote"] = schema("committee_vote", "委员表决", "保密委员会委员对本事项表决；每位委员一份，ballot 汇总到 votes（tally_votes 计票）。", {
        "ballot": {"type": "object", "title": "表决票", "description": "表决与意见", "properties": {
            "vote": enum("表决", "approve = 赞成，reject = 反对，abstain = 弃权", ["approve", "reject", "abstain"]),
            "comment": {"type": "string", "title": "意见", "description": "可选", "maxLength": 1000},
        }, "required": ["vote"], "additionalProperties": False},
    }, ["ballot"])
    f["chair_approval"] = schema("chair_approval", "保密委员会主任审批", "核心秘密事项须经主任（总经理）审批（seed 003 §4.2.1，seed 001）。", {
        "chair_approved": b("批准", "false：不予批准"),
        "chair_note": {"type": "string", "title": "审批意见", "description": "可选", "maxLength": 1000},
    }, ["chair_approved"])
    # level change / declassification / permission review
    f["level_change_assessment"] = schema("level_change_assessment", "密级变更评估", "seed 003 §4.3.1：保密管理部评估价值与泄露风险的变化。", {
        "assessment_opinion": text("评估意见", "价值、泄露风险变化及建议"),
        "recommend_change": b("建议变更", "false：不报委员会，维持原密级"),
    }, ["assessment_opinion", "recommend_change"])
    f["declassification_review"] = schema("declassification_review", "解密评估", "seed 003 §4.3.2：期限届满且无继续保密必要、已公开、丧失商业价值之一即应解密。", {
        "declassify_reason": enum("评估结论", "expired = 期限届满，public = 已公开，no_value = 丧失商业价值，keep = 继续保密", ["expired", "public", "no_value", "keep"]),
        "review_opinion": text("评估意见", "依据与说明"),
    }, ["declassify_reason", "review_opinion"])
    f["permission_review"] = schema("permission_review", "涉密权限核查", "seed 003 §5.1.2：按最小授权原则每半年核查；离职、转岗人员及时调整。", {
        "permission_decision": enum("核查结论", "keep = 保持，reduce = 缩减（保密管理部调整），revoke = 全部回收（离职 / 转岗，流程结束）", ["keep", "reduce", "revoke"]),
        "permission_note": text("核查意见", "需缩减的权限或回收原因", 1000),
    }, ["permission_decision", "permission_note"])
    f["access_log_review"] = schema("access_log_review", "访问日志周审计", "seed 003 §7.2.2：每周审计数据访问日志，发现异常访问（如非授权人员访问核心数据）及时调查。本周按密级的统计、拒绝访问记录与异常见“访问日志审计”页面；提交后系统生成《涉密信息访问日志周审计报告》供签署。", {
        "findings": text("审计发现", "本周访问情况、异常访问的调查结论（写入报告）", 3000),
        "anomalies_investigated": b("异常访问已调查", "true：报告所列异常均已调查核实（写入报告）"),
        "measures": text("整改措施", "针对发现问题的整改与防范措施；无问题时写明“无”（写入报告）", 3000),
        "stop_review": b("签署后停止每周审计", "true：签署本周报告后结束本流程（如更换审计人，由新流程接替）"),
    }, ["findings", "anomalies_investigated", "measures", "stop_review"])
    # external
    f["external_request"] = schema("external_request", "外部人员保密申请", "接待人说明事由，确认按“最小必要”原则披露信息（seed 003 §5.5.1）。", {
        "request_reason": text("申请事由", "合作、参观、进入涉密区域、审计或维修的事由", 1000),
        "minimal_necessity": b("按最小必要原则披露", "必须为 true", const=True),
    }, ["request_reason", "minimal_necessity"])
    # The approver's name and department are the approving account's, set by the engine (workflows.authority).
    approver = {
        "approval_date": d("审批日期", "审批日期"),
        "approval_note": {"type": "string", "title": "审批意见", "description": "可选", "maxLength": 1000},
    }
    f["department_approval"] = schema("department_approval", "部门负责人审批", "seed 003 §5.3.2：外部人员进入涉密区域等由部门负责人审批。", {
        "approved": b("批准", "false：不予批准"), **approver,
    }, ["approved", "approval_date"])
    f["committee_disclosure_approval"] = schema("committee_disclosure_approval", "保密委员会审批核心秘密披露", "seed 003 §5.5.1：向合作方披露核心秘密须经保密委员会审批。", {
        "core_disclosure_approved": b("批准披露核心秘密", "false：不予批准（写入《商务合作保密协议》）"),
        "core_approval_ref": s("审批编号", "保密委员会审批编号（写入协议）", maxLength=50),
        **approver,
    }, ["core_disclosure_approved", "core_approval_ref", "approval_date"])
    return f


def start_forms() -> dict[str, dict[str, Any]]:
    f: dict[str, dict[str, Any]] = {}
    hr_user = user("人力资源部经办人", "接收通知")
    employee_user = user("员工", "签署任务的执行人")

    # onboarding
    props, req = template_fields(["legacy_secret_pledge", "confidentiality_notice", "nda", "non_compete"], set())
    always = sorted(set(req["legacy_secret_pledge"]) | set(req["confidentiality_notice"]) | set(req["nda"]),
                    key=list(props).index)
    core_only = [k for k in req["non_compete"] if k not in always]
    props = {"employee_user": employee_user, "hr_user": hr_user,
             "pass_mark": {"type": "integer", "minimum": 0, "maximum": 100, "default": 60, "title": "培训考核合格分",
                           "description": "入职培训考核合格线（默认 60）"}, **props}
    f["onboarding_start"] = schema(
        "onboarding_start", "入职保密流程启动数据",
        "涉密岗位新员工的资料（写入《不侵犯原单位商业秘密承诺书》《保密告知书》《员工保密协议》；核心涉密人员另需《竞业限制协议》字段）。公司信息与签署日期由系统补充。",
        props, ["employee_user", "hr_user", "pass_mark", *always],
        {"if": {"properties": {"personnel_level": {"const": "core"}}, "required": ["personnel_level"]},
         "then": {"required": core_only}})

    # offboarding
    from_forms = {"interview_date", "interviewer_name", "handover_date", "receiver_name", "items", "device_cleaned",
                  "access_revoked", "notes",
                  # read from the leaver's signed non-compete by the process (workflows.non_compete), not typed
                  "proof_due_day", "payment_day"}
    props, req = template_fields(["exit_reminder", "carrier_handover"], from_forms)
    props["cooldown_applies"].pop("default", None)
    props["non_compete_applies"].pop("default", None)
    props["cooldown_applies"]["description"] += "；仅核心涉密人员可为 true"
    props = {"employee_user": user("离职人员", "离职后通过链接办理签署与每月证明"), "hr_user": hr_user, **props}
    props["non_compete_applies"]["description"] += "；须与记录一致：签有竞业限制协议即为 true，其期限、补偿与日期从已签署的协议读取"
    required = ["employee_user", "hr_user",
                *sorted(set(req["exit_reminder"]) | set(req["carrier_handover"]), key=list(props).index),
                "cooldown_applies", "non_compete_applies"]
    f["offboarding_start"] = schema(
        "offboarding_start", "离职保密流程启动数据",
        "离职人员资料（写入《离职保密提醒及承诺书》《涉密载体交接清单》）与脱密期安排；竞业限制的期限、月补偿与日期由系统从其已签署的《竞业限制协议》读取。",
        props, required,
        {"if": {"properties": {"cooldown_applies": {"const": True}}, "required": ["cooldown_applies"]},
         "then": {"required": ["cooldown_months"], "properties": {"personnel_level": {"const": "core"}}}})

    # classification
    f["classification_start"] = schema(
        "classification_start", "定密审批启动数据",
        "申请部门；其保密员、保密委员会及主任由系统从组织架构读取，秘密点内容由部门保密员在“填报商业秘密识别清单条目”任务中填写。",
        {"department": s("申请部门", "写入定密审批表；须为组织架构中的部门", maxLength=100)},
        ["department"])

    f["level_change_start"] = schema(
        "level_change_start", "密级变更启动数据", "seed 003 §4.3.1：业务部门的变更申请（升级或降级）。",
        {**ITEM,
         "new_level": enum("拟变更为", LEVEL_NAMES, LEVELS),
         "new_period": s("变更后的保密期限", "须符合新密级：一般秘密 1–3 年，重要秘密 3–5 年，核心秘密“长期”（seed 003 §4.1.2）",
                         maxLength=30),
         "change_reason": text("变更理由", "价值或泄露风险的变化（如被竞争对手模仿、技术迭代）", 2000)},
        ["item_id", "new_level", "new_period", "change_reason"],
        {"x-rules": [period_rule("new_level", "new_period")]})

    f["declassification_start"] = schema(
        "declassification_start", "解密评估启动数据",
        "seed 003 §4.3.2：一个秘密点的年度解密评估（yearly）或临时解密申请（ad_hoc）。",
        {**ITEM,
         "trigger": enum("评估方式", "yearly = 等待年度评估日，ad_hoc = 立即评估（临时申请）", ["yearly", "ad_hoc"]),
         "request_reason": {"type": "string", "title": "申请理由", "description": "临时申请时填写", "maxLength": 2000}},
        ["item_id", "trigger"])

    props, req = template_fields(["annual_pledge"], set())
    f["annual_pledge_start"] = schema(
        "annual_pledge_start", "年度保密承诺启动数据", "seed 003 §5.1.2：写入《年度保密承诺书》。",
        {"employee_user": employee_user, "hr_user": hr_user, **props},
        ["employee_user", "hr_user", *req["annual_pledge"]])

    props, _ = template_fields(["annual_pledge"], {"year"})
    f["permission_review_start"] = schema(
        "permission_review_start", "涉密权限核查启动数据",
        "seed 003 §5.1.2：被核查的涉密人员；核查人为其所在部门的负责人，由组织架构确定。",
        {"employee_user": user("被核查人", "涉密人员的账号（其部门负责人核查）"), **props,
         "permissions_summary": text("现有涉密授权", "被核查人当前的涉密区域、系统与文件权限", 2000)},
        ["employee_user", "employee_name", "employee_number", "department", "position", "personnel_level",
         "permissions_summary"])

    f["self_check"] = schema("self_check", "部门保密自查表", "seed 000 第五条（三）、seed 003 §10.1.1：部门保密员对照检查项逐项自查，报保密管理部。", {
        "carriers_kept": b("涉密载体保管规范", "台账与实物一致、按密级存放"),
        "areas_controlled": b("涉密区域准入受控", "门禁与登记正常"),
        "staff_conduct_ok": b("员工保密行为无异常", "无违规拷贝、外传、拍照等"),
        "roster_updated": b("涉密人员清单已随岗位变动更新", "seed 000 第五条（三）"),
        "new_hires_signed": b("新入职员工均已签订保密协议", "或劳动合同中约定保密义务及违约责任"),
        "findings": text("自查情况", "检查方式、发现的问题与隐患、改进建议", 2000),
        "problems_found": b("发现问题需整改", "true：由保密管理部督促整改"),
    }, ["carriers_kept", "areas_controlled", "staff_conduct_ok", "roster_updated", "new_hires_signed", "findings",
        "problems_found"])
    f["self_check_rectification"] = schema("self_check_rectification", "自查问题整改", "seed 003 §10.1.3：对自查发现的问题督促整改并复查。", {
        "rectification": text("整改情况", "整改措施、责任人与复查结论", 2000),
        "rectified": b("已整改并复查", "false：未整改完毕，记录原因"),
    }, ["rectification", "rectified"])
    f["self_check_start"] = schema(
        "self_check_start", "部门保密自查启动数据",
        "部门与自查周期；保密员由系统从组织架构读取。由系统按组织架构自动建立（每个设有保密员的部门一个实例）。",
        {"department": s("部门", "须为组织架构中的部门", maxLength=100),
         "cadence": enum("自查周期", "monthly = 每月（seed 000），weekly = 每周（seed 003 §10.1.1）", ["monthly", "weekly"])},
        ["department", "cadence"])
    props, _ = template_fields(["access_log_review"], set())
    f["log_review_start"] = schema(
        "log_review_start", "访问日志周审计启动数据", "seed 003 §7.2.2：每周审计访问日志的保密管理部审计人（写入《涉密信息访问日志周审计报告》）。",
        {"reviewer_user": user("审计人", "每周审计并签署报告的保密管理部人员"),
         "secrecy_office_name": props["secrecy_office_name"], "denial_threshold": props["denial_threshold"]},
        ["reviewer_user", "secrecy_office_name"])

    # external
    agreements = {"visitor_pledge": ("visitor", True), "area_entry_pledge": ("visitor", True),
                  "audit_nda": ("auditor", False), "maintenance_nda": ("maintainer", True),
                  "cooperation_nda": ("partner", False)}
    from_forms = {"approver_name", "approver_department", "approval_date", "core_disclosure_approved",
                  "core_approval_ref"}
    props, req = template_fields(list(agreements), from_forms)
    props = {
        "host_user": user("接待人 / 陪同人", "发起申请、陪同并会签"),
        "agreement": enum("协议类型", "visitor_pledge = 参观保密承诺书，area_entry_pledge = 临时保密承诺书（进入涉密区域），audit_nda = 审计保密协议，maintenance_nda = 维修保密协议，cooperation_nda = 商务合作保密协议", list(agreements)),
        "external_role": enum("外部签署方角色", "模板中外部人员的签署方：visitor / auditor / maintainer / partner（须与协议类型一致）", ["visitor", "auditor", "maintainer", "partner"]),
        "needs_host_signature": b("需陪同人会签", "模板有 host（陪同人）签署方时为 true（须与协议类型一致）"),
        "core_disclosure": b("披露核心秘密", "true：须经保密委员会审批（seed 003 §5.5.1）"),
        "external_contact": s("外部人员联系方式", "接收签署链接的手机号或电子邮箱", maxLength=200),
        **props,
    }
    rules = [{"if": {"properties": {"agreement": {"const": a}}, "required": ["agreement"]},
              "then": {"required": req[a],
                       "properties": {"external_role": {"const": role}, "needs_host_signature": {"const": host}}}}
             for a, (role, host) in agreements.items()]
    f["external_nda_start"] = schema(
        "external_nda_start", "外部人员保密协议启动数据",
        "协议类型决定外部签署方、是否陪同人会签及必填字段（各协议模板的变量）。",
        props, ["host_user", "agreement", "external_role",
                "needs_host_signature", "core_disclosure", "external_contact"],
        {"allOf": rules})
    return f


def main() -> None:
    from tools.bpmn_forms_incident import forms as incident_forms  # the leak-incident process's own module
    from tools.bpmn_forms_publication import forms as publication_forms  # the publication review's own module

    write_forms({**task_forms(), **start_forms(), **incident_forms(), **publication_forms()})


if __name__ == "__main__":
    main()
