"""竞业限制协议 — seed 003 appendix 6 (竞业限制协议参考文本) and §5.1.1 / §5.1.3 (core personnel only)."""



from __future__ import annotations

from docx.document import Document

from tools.docx_kit import clause, heading, new_document, paragraph, signature_grid, title

# Monthly compensation: the agreed share of the average wage, but never below the local minimum wage.
MONTHLY = "[average_monthly_wage * compensation_ratio_percent / 100, local_minimum_wage]|max"


def build() -> Document:
    doc = new_document()
    title(doc, "竞业限制协议", subtitle="协议编号：{{ document_id }}")

    for line in (
        "甲方（用人单位）：{{ company_name }}",
        "统一社会信用代码：{{ company_credit_code }}",
        "法定代表人：{{ legal_representative }}",
        "住所：{{ company_address }}",
    ):
        paragraph(doc, line, indent=False)
    paragraph(doc, "", indent=False)
    for line in (
        "乙方（劳动者）：{{ employee_name }}",
        "身份证号码：{{ employee_id_number }}",
        "住址：{{ employee_address }}",
        "联系电话：{{ employee_phone }}",
        "所在部门及岗位：{{ department }}　{{ position }}",
    ):
        paragraph(doc, line, indent=False)

    paragraph(doc, "鉴于乙方在甲方{{ department }}担任{{ position }}，系甲方核心涉密人员，知悉甲方的核心商业秘密；"
                   "为保护甲方的商业秘密和竞争优势，维护双方的合法权益，甲乙双方根据《中华人民共和国劳动合同法》"
                   "第二十三条、第二十四条等法律法规，经平等协商，订立本协议，共同遵守。")

    heading(doc, "第一条　竞业限制的内容与范围")
    clause(doc, "1.1", "在竞业限制期限内，乙方不得到与甲方生产或者经营同类产品、从事同类业务的有竞争关系的其他用人单位"
                       "任职（包括建立劳动关系或劳务关系，担任顾问、兼职人员，或者成为其股东、合伙人），"
                       "也不得自己开业生产或者经营同类产品、从事同类业务。")
    clause(doc, "1.2", "本协议所称同类产品、同类业务，是指{{ restricted_business }}。")
    clause(doc, "1.3", "竞业限制的地域范围为{{ restricted_region }}及其周边 {{ radius_km }} 公里以内的区域。")
    clause(doc, "1.4", "在竞业限制期限内，乙方不得劝诱、引导甲方员工离职，不得劝诱甲方的客户、供应商终止或者减少"
                       "与甲方的业务往来。")

    heading(doc, "第二条　竞业限制期限")
    clause(doc, "2.1", "竞业限制期限为 {{ duration_months }} 个月，自双方劳动合同解除或者终止之日起计算，"
                       "最长不超过二年。")
    clause(doc, "2.2", "劳动合同解除或者终止时，甲方应书面告知乙方竞业限制期限的起止日期。")

    heading(doc, "第三条　经济补偿")
    clause(doc, "3.1", "在竞业限制期限内，甲方按月向乙方支付竞业限制经济补偿。月补偿标准为乙方劳动合同解除或者终止前"
                       " 12 个月平均工资的 {{ compensation_ratio_percent }}%，且不低于劳动合同履行地的月最低工资标准"
                       "（现为人民币 {{ local_minimum_wage|money }} 元）。")
    clause(doc, "3.2", "本协议签订时，双方确认乙方此前 12 个月的月平均工资为人民币 {{ average_monthly_wage|money }} 元，"
                       "据此计算的月补偿金额为人民币 {{ " + MONTHLY + "|money }} 元。劳动合同解除或者终止时，"
                       "按乙方届时前 12 个月的实际平均工资和当时的最低工资标准重新计算，并书面告知乙方。")
    clause(doc, "3.3", "甲方于每月 {{ payment_day }} 日前，以银行转账方式将补偿支付至乙方下列账户："
                       "开户银行：{{ bank_name }}；账户名称：{{ employee_name }}；账号：{{ bank_account }}。"
                       "乙方变更收款账户的，应提前书面通知甲方。补偿所涉个人所得税由甲方依法代扣代缴。")
    clause(doc, "3.4", "乙方应于每月 {{ proof_due_day }} 日前向甲方提供履约证明：已就业的，提供新任职单位的劳动合同及"
                       "社会保险缴纳证明；未就业的，提供社会保险缴纳记录或者所在街道（乡镇）、社区出具的未就业证明。"
                       "乙方逾期未提供的，甲方有权暂停支付补偿，直至乙方提供有效证明后补发。")

    heading(doc, "第四条　乙方的其他义务")
    clause(doc, "4.1", "在竞业限制期限内，乙方变更工作单位或者联系方式的，应及时书面告知甲方，如实报告任职情况，"
                       "并配合甲方的核查。")
    clause(doc, "4.2", "乙方应继续履行《员工保密协议》约定的保密义务，不得泄露、使用或者允许他人使用甲方的商业秘密。")

    heading(doc, "第五条　违约责任")
    clause(doc, "5.1", "乙方违反本协议第一条约定的，应立即停止违约行为，并向甲方支付违约金，违约金为甲方已向乙方支付的"
                       "竞业限制经济补偿总额的 {{ penalty_multiple }} 倍；违约金不足以弥补甲方损失的，乙方还应赔偿"
                       "差额部分。乙方支付违约金后，甲方要求乙方按照本协议继续履行竞业限制义务的，乙方应继续履行。")
    clause(doc, "5.2", "甲方无正当理由逾期支付经济补偿超过 {{ late_payment_days }} 日的，乙方有权书面通知甲方解除本协议，"
                       "自通知送达之日起不再承担竞业限制义务，甲方仍应支付已到期的补偿。")
    clause(doc, "5.3", "在竞业限制期限内，甲方书面通知解除本协议的，乙方有权要求甲方额外支付三个月的竞业限制经济补偿。")

    heading(doc, "第六条　争议解决")
    paragraph(doc, "因本协议的订立、履行、解释发生的争议，双方应协商解决；协商不成的，任何一方均可向甲方所在地的"
                   "{{ arbitration_place }}劳动人事争议仲裁委员会申请仲裁；对仲裁裁决不服的，可依法向甲方所在地"
                   "有管辖权的人民法院提起诉讼。")

    heading(doc, "第七条　其他")
    clause(doc, "7.1", "本协议与双方的劳动合同、《员工保密协议》共同构成双方关于保密与竞业限制的完整约定；"
                       "劳动合同的解除或者终止，不影响本协议的效力。")
    clause(doc, "7.2", "本协议以电子方式签署，经甲方加盖电子印章、乙方电子签名后生效。双方确认，本协议使用的"
                       "可靠电子签名与手写签名或盖章具有同等法律效力，电子文本由双方各自留存。")

    paragraph(doc, "（以下无正文）", indent=False, align="center")
    signature_grid(doc, [
        ("甲方（盖章）：", ["{{ company_name }}", "日期：{{ sign_date|cn_date }}"]),
        ("乙方（签字）：", ["{{ employee_name }}", "日期：{{ sign_date|cn_date }}"]),
    ])
    return doc
