"""外部人员保密协议 — seed 003 §5.3.2, §5.5, §6.5: a host employee requests an agreement for a visitor, a person
entering a secret area, an audit firm, a maintenance technician or a business partner; the department head approves
(the committee when core secrets are disclosed); the external party signs through a link; the host countersigns
where the template has a ``host`` party."""

from __future__ import annotations

from tools.bpmn_layout import Process


def build() -> Process:
    p = Process(
        "external_nda", "外部人员保密协议",
        lanes=[("employee", "接待人 / 陪同人（host_user）"), ("department_head", "部门负责人"),
               ("committee", "保密委员会"), ("external", "外部人员（通过链接签署，无账号）")],
        doc="seed 003 §5.3.2、§5.5、§6.5。agreement 为 visitor_pledge / area_entry_pledge / audit_nda / "
            "maintenance_nda / cooperation_nda 之一；external_role 为该模板的外部签署方（visitor / auditor / "
            "maintainer / partner）；needs_host_signature 为模板是否有 host（陪同人）签署方。披露核心秘密"
            "（core_disclosure）须经保密委员会审批，否则由部门负责人审批。",
    )
    start = p.start("start", "接待人发起申请", "employee")
    request = p.user("host_request", "填写外部人员保密申请", "employee", form="external_request",
                     assignee="host_user")
    gw_core = p.xgw("gw_core_disclosure", "披露核心秘密？", "employee")
    p.chain(start, request, gw_core)
    committee = p.user("committee_disclosure_approval", "保密委员会审批核心秘密披露", "committee",
                       form="committee_disclosure_approval", decider="committee_chair", shift=1)
    dept = p.user("department_approval", "部门负责人审批", "department_head", form="department_approval",
                  decider="department_head")
    p.flow(gw_core, committee, "是", condition="core_disclosure")
    p.flow(gw_core, dept, "否", default=True)
    gw_c_ok = p.xgw("gw_committee_approved", "委员会批准？", "committee")
    gw_d_ok = p.xgw("gw_department_approved", "部门负责人批准？", "department_head")
    p.flow(committee, gw_c_ok)
    p.flow(dept, gw_d_ok)
    join_ok = p.xgw("join_approved", "", "department_head")
    p.flow(gw_c_ok, join_ok, "批准", condition="core_disclosure_approved")
    p.flow(gw_d_ok, join_ok, "批准", condition="approved")

    # An agreement under which core secrets are disclosed is itself core.
    prepare = p.service("prepare_external_agreement", "生成外部人员保密协议", "department_head",
                        "prepare_agreement", {"template": "agreement", "level": "'core' if core_disclosure else None"},
                        result="external_doc")
    seal = p.service("company_sign_external", "公司盖章", "department_head", "company_sign",
                     {"document": "external_doc"}, result="external_company_signature")
    sign_ext = p.user("sign_external", "外部人员通过链接签署", "external", form="sign_agreement",
                      sign="external_doc", party="external_role",
                      doc="无账号：引擎向 external_contact 发送一次性签署链接；签署方为 external_role。")
    p.chain(join_ok, prepare, seal, sign_ext)
    gw_host = p.xgw("gw_host_signature", "需陪同人签署？", "external")
    p.flow(sign_ext, gw_host)
    sign_host = p.user("sign_host", "陪同人会签", "employee", form="sign_agreement", assignee="host_user",
                       sign="external_doc", party="host")
    join_host = p.xgw("join_host", "", "external")
    p.flow(gw_host, sign_host, "是", condition="needs_host_signature")
    p.flow(gw_host, join_host, "否", default=True)
    p.flow(sign_host, join_host)
    notify = p.service("notify_agreement_signed", "通知接待人与保密管理部", "external", "notify",
                       {"role": "'secrecy_office'", "user": "host_user",
                        "subject": "'外部人员保密协议已签署：' + agreement"})
    end = p.end("end", "协议已签署", "external")
    p.chain(join_host, notify, end)

    join_no = p.xgw("join_rejected", "", "employee", row=1)
    notify_no = p.service("notify_request_rejected", "通知接待人：未获批准", "employee", "notify",
                          {"role": "'employee'", "user": "host_user", "subject": "'外部人员保密申请未获批准'"},
                          row=1)
    end_no = p.end("end_rejected", "未获批准", "employee", row=1)
    p.flow(gw_c_ok, join_no, "不批准", default=True)
    p.flow(gw_d_ok, join_no, "不批准", default=True)
    p.chain(join_no, notify_no, end_no)
    return p
