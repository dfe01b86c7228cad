"""离职保密提醒及承诺书 — seed 003 §5.1.3 (exit interview, written notice of prohibited acts, 脱密期, non-compete)."""



from __future__ import annotations

from docx.document import Document

from tools.docx_kit import clause, form_table, heading, new_document, paragraph, signature_grid, title

PERSONNEL = "{{ {'core': '核心', 'important': '重要', 'general': '一般'}[personnel_level] }}涉密人员"


def build() -> Document:
    doc = new_document()
    title(doc, "离职保密提醒及承诺书", subtitle="编号：{{ document_id }}")

    form_table(doc, [
        ["离职人员", "{{ employee_name }}", "工号", "{{ employee_number }}"],
        ["所在部门", "{{ department }}", "岗位", "{{ position }}"],
        ["涉密人员类别", PERSONNEL, "最后工作日", "{{ leave_date|cn_date }}"],
        ["谈话日期", "{{ interview_date|cn_date }}", "谈话人", "{{ interviewer_name }}（保密管理部）"],
    ], widths_cm=[2.8, 5.3, 2.8, 5.3])

    heading(doc, "一、保密提醒")
    paragraph(doc, "{{ company_name }}（以下简称“公司”）保密管理部会同人力资源部于{{ interview_date|cn_date }}与您进行了"
                   "离职谈话。现将您离职后的保密义务及禁止行为书面告知如下：")
    clause(doc, "1.1", "保密义务继续有效：劳动合同解除或者终止后，您对在职期间知悉的公司商业秘密仍负有保密义务，"
                       "直至该信息为公众所知悉或经公司解密。")
    clause(doc, "1.2", "禁止行为：（1）泄露、披露公司的客户信息、价格体系、供应商信息等经营信息；（2）使用或允许他人使用"
                       "公司的设计图纸、热处理与磨削等工艺参数、检测技术等技术信息；（3）留存、复制、带走任何涉密载体，"
                       "或以记忆、摘录等方式重现商业秘密；（4）利用公司商业秘密自行或协助他人生产、经营同类产品；"
                       "（5）劝诱公司员工离职，或劝诱公司客户、供应商转移业务；（6）以任何方式登录、访问公司的信息系统。")
    clause(doc, "1.3", "交还涉密载体：您应于最后工作日前交还持有的全部涉密载体（纸质文件、U 盘、移动硬盘、样品等），"
                       "在《涉密载体交接清单》上签字确认，并配合公司对您使用的办公计算机进行涉密信息清理与检测。")
    clause(doc, "1.4", "权限回收：公司将于您离职时即时注销您的涉密区域门禁权限、信息系统账号和涉密文件访问权限。")
    clause(doc, "1.5", "法律责任：违反上述义务的，您应依照《员工保密协议》等约定承担违约及赔偿责任；构成侵犯商业秘密罪的，"
                       "将被依法追究刑事责任。")
    paragraph(doc, "{%p if cooldown_applies %}", indent=False)
    clause(doc, "1.6", "脱密期：根据双方约定，您离职后进入脱密期，期限为 {{ cooldown_months }} 个月，"
                       "自{{ leave_date|cn_date }}次日起计算。脱密期内您不得入职与公司存在竞争关系的单位，"
                       "不得从事与公司同类的业务，公司按约定向您支付脱密期工资。")
    paragraph(doc, "{%p endif %}", indent=False)
    paragraph(doc, "{%p if non_compete_applies %}", indent=False)
    clause(doc, "1.{{ 7 if cooldown_applies else 6 }}",
           "竞业限制：您与公司签订有《竞业限制协议》，该协议自劳动合同解除或者终止之日起履行。请您于每月 "
           "{{ proof_due_day }} 日前向公司提交新任职单位的劳动合同及社会保险缴纳证明，或未就业证明；公司于每月 "
           "{{ payment_day }} 日前支付竞业限制经济补偿。逾期未提交证明的，公司将暂停支付补偿，直至您补交有效证明；"
           "违反竞业限制约定的，您应按协议承担违约责任。")
    paragraph(doc, "{%p endif %}", indent=False)

    heading(doc, "二、离职人员承诺")
    paragraph(doc, "本人已参加离职谈话，已知悉并理解上述提醒事项，郑重承诺：")
    clause(doc, "2.1", "本人已经或将于最后工作日前交还全部涉密载体，不以任何形式留存公司商业秘密的原件、复制件、备份"
                       "或摘录；本人私人电子设备及网络存储空间中不存有公司的涉密信息。")
    clause(doc, "2.2", "离职后继续履行保密义务，不实施上述任何禁止行为。")
    clause(doc, "2.3", "本人将如实告知新任职单位本人对公司负有的保密义务{% if non_compete_applies %}及竞业限制义务{% endif %}，"
                       "不向新任职单位披露或者为其使用公司的商业秘密。")
    clause(doc, "2.4", "本人离职后的联系电话为{{ contact_phone }}，联系地址为{{ contact_address }}；上述联系方式变更的，"
                       "本人将及时书面告知公司，公司按上述联系方式送达的通知视为已送达本人。")
    clause(doc, "2.5", "如违反上述承诺，本人愿依法承担违约及赔偿责任；构成犯罪的，依法承担刑事责任。")
    paragraph(doc, "本提醒及承诺书以电子方式签署，公司加盖电子印章、离职人员及谈话人电子签名后生效。")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ interview_date|cn_date }}"]),
        ("离职人员（签字）：", ["{{ employee_name }}", "日期：{{ interview_date|cn_date }}"]),
        ("谈话人（签字）：", ["{{ interviewer_name }}", "日期：{{ interview_date|cn_date }}"]),
    ])
    return doc
