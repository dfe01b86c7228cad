"""审计保密协议 — seed 003 §6.5.1 (审计管理), §5.3.2, §4.2."""

from docx.document import Document

from tools.docx_kit import clause, heading, list_table, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "审计保密协议", "协议编号：{{ document_id }}")

    paragraph(doc, "甲方（被审计单位）：{{ company_name }}", indent=False)
    paragraph(doc, "统一社会信用代码：{{ company_credit_code }}", indent=False)
    paragraph(doc, "住所：{{ company_address }}", indent=False)
    paragraph(doc, "法定代表人/授权代表：{{ legal_representative }}", indent=False)
    paragraph(doc, "乙方（审计机构）：{{ audit_firm }}", indent=False)
    paragraph(doc, "统一社会信用代码：{{ audit_firm_credit_code }}", indent=False)
    paragraph(doc, "住所：{{ audit_firm_address }}", indent=False)
    paragraph(doc, "项目负责人：{{ auditor_name }}", indent=False)

    paragraph(doc, "甲方委托乙方对甲方{{ audit_subject }}进行审计（业务约定书编号：{{ engagement_ref }}）。审计过程中乙方"
                   "将接触甲方未公开的财务、经营及技术信息。为保护甲方商业秘密，根据《中华人民共和国民法典》《中华人民共和国"
                   "反不正当竞争法》《中华人民共和国注册会计师法》等法律法规，双方经协商一致，订立本协议。")

    heading(doc, "第一条 保密信息与审计范围")
    clause(doc, "1.1", "保密信息是指乙方及其人员因本次审计接触、获取或知悉的甲方全部非公开信息，包括但不限于未公开的财务"
                       "报表、成本核算数据、利润率、投融资计划、采购价格、客户与供应商信息、研发投入，以及在甲方现场观察到的"
                       "工艺、设备和生产经营情况。")
    clause(doc, "1.2", "本次审计范围：{{ audit_scope }}")
    clause(doc, "1.3", "现场审计期间：{{ fieldwork_start|cn_date }}至{{ fieldwork_end|cn_date }}。")

    heading(doc, "第二条 审计人员")
    clause(doc, "2.1", "乙方参加本次审计的人员限于下表所列人员。人员变更须事先书面通知甲方并经甲方同意。")
    list_table(doc, ["序号", "姓名", "项目角色", "注册会计师证书编号"],
               ["{{ loop.index }}", "{{ auditor.name }}", "{{ auditor.role }}", "{{ auditor.cert_no }}"],
               loop="auditor in auditors", widths_cm=[1.6, 3.6, 5.0, 6.0], keep_together=True)
    clause(doc, "2.2", "乙方应在审计开始前向上述人员告知本协议的保密要求，并确保其遵守；乙方人员违反本协议的，视为乙方违约。"
                       "项目负责人代表乙方签署本协议。")

    heading(doc, "第三条 资料调阅与现场纪律")
    clause(doc, "3.1", "甲方按“最小必要”原则提供审计所需资料。涉及核心秘密的资料仅在甲方指定场所查阅，不得复印、拍照或带离。")
    clause(doc, "3.2", "乙方调阅电子数据时，使用甲方提供的专用终端或只读账号，不得连接私人 U 盘、移动硬盘，不得将数据上传至"
                       "互联网或公共云盘；审计人员进入涉密区域须经甲方审批并由甲方人员陪同。")
    clause(doc, "3.3", "乙方不得打听、索取与审计范围无关的信息，不得在公共场所讨论审计中知悉的甲方信息。")

    heading(doc, "第四条 审计工作底稿")
    clause(doc, "4.1", "审计工作底稿仅用于本次审计及法律法规、执业准则规定的用途，不得用于为其他客户提供服务或任何其他目的。")
    clause(doc, "4.2", "工作底稿中涉及甲方商业秘密的，应以摘要、摘录或脱敏方式记录，不得整份复制甲方技术资料；底稿存放于乙方"
                       "加密的档案系统，访问仅限本项目组成员及乙方质量复核人员。")
    clause(doc, "4.3", "工作底稿按法律法规及执业准则规定的期限保存；期满后由乙方按档案销毁程序销毁，留存销毁记录，甲方要求时"
                       "提供销毁证明。")
    clause(doc, "4.4", "审计报告、管理建议书等成果文件加密传递，仅交付甲方书面指定的接收人。")

    heading(doc, "第五条 资料的返还与销毁")
    clause(doc, "5.1", "审计报告出具后{{ return_days }}日内，乙方应将工作底稿以外的甲方资料原件、复印件及电子副本全部返还"
                       "甲方，或在甲方人员监督下销毁，并出具书面确认；电子副本应彻底删除、不可恢复。")

    heading(doc, "第六条 依法提供信息")
    clause(doc, "6.1", "乙方依照法律法规、监管机构或注册会计师协会执业质量检查的要求提供工作底稿或信息的，不视为违约，但应在"
                       "法律允许的范围内事先书面通知甲方，仅提供被要求的内容，并告知接收方其保密性质。")

    heading(doc, "第七条 保密期限")
    clause(doc, "7.1", "乙方及其人员的保密义务自接触甲方信息之日起生效，不因审计完成或业务约定书终止而解除，直至相关信息依法"
                       "公开为止。")

    heading(doc, "第八条 违约责任")
    clause(doc, "8.1", "乙方违反本协议任一约定的，应立即停止违约行为，并向甲方支付违约金人民币{{ penalty_amount|money }}元；"
                       "违约金不足以弥补甲方损失的，乙方还应赔偿差额部分，包括甲方为维权支出的调查费、公证费、鉴定费、"
                       "律师费等合理费用。")
    clause(doc, "8.2", "乙方违约的，甲方有权向注册会计师行业主管部门及行业协会报告；涉嫌犯罪的，依法移送司法机关处理。")

    heading(doc, "第九条 争议解决与其他")
    clause(doc, "9.1", "本协议适用中华人民共和国法律。因本协议发生的争议，双方应协商解决；协商不成的，"
                       "{% if dispute_resolution == 'arbitration' %}任何一方均可提交{{ dispute_venue }}，按照申请仲裁时该会"
                       "现行有效的仲裁规则进行仲裁，仲裁裁决是终局的，对双方均有约束力。{% else %}任何一方均可向"
                       "{{ dispute_venue }}有管辖权的人民法院提起诉讼。{% endif %}")
    clause(doc, "9.2", "本协议是业务约定书的组成部分；业务约定书中的保密条款与本协议不一致的，以本协议为准。")
    clause(doc, "9.3", "本协议以电子签名方式签署，自双方完成签署之日起生效；双方确认电子签名、电子签章与手写签名或盖章具有"
                       "同等法律效力。")
    note(doc, "（以下无正文）")

    signature_grid(doc, [
        ("甲方（盖章）：", ["{{ company_name }}", "法定代表人/授权代表：{{ legal_representative }}",
                          "日期：{{ sign_date|cn_date }}"]),
        ("乙方（签章）：", ["{{ audit_firm }}", "项目负责人：{{ auditor_name }}", "日期：{{ sign_date|cn_date }}"]),
    ])
    return doc
