"""年度保密承诺书 — seed 003 §5.1.2 (in-service management: yearly pledge, training, permission reviews)."""



from __future__ import annotations

from docx.document import Document

from tools.docx_kit import clause, new_document, paragraph, signature_grid, title

PERSONNEL = "{{ {'core': '核心', 'important': '重要', 'general': '一般'}[personnel_level] }}涉密人员"


def build() -> Document:
    doc = new_document()
    title(doc, "年度保密承诺书", subtitle="（{{ year }} 年度）　编号：{{ document_id }}")

    paragraph(doc, "致：{{ company_name }}", indent=False, bold=True)
    paragraph(doc, "本人{{ employee_name }}（工号：{{ employee_number }}），现任{{ department }}{{ position }}，属"
                   + PERSONNEL + "。本人已签订劳动合同及《员工保密协议》，现就{{ year }}年度的保密工作重申并承诺如下：")

    clause(doc, "1.", "严格遵守国家有关商业秘密保护的法律法规、公司《商业秘密保护管理制度》及本人签订的保密协议，"
                      "本人的保密义务不因本承诺书的签署而减轻。")
    clause(doc, "2.", "按“最小授权”原则，仅在授权范围内知悉和使用商业秘密；配合公司定期开展的权限核查，"
                      "岗位变动时主动申请调整或注销相关权限。")
    clause(doc, "3.", "不以任何方式泄露、披露商业秘密，不为本职工作以外的目的使用商业秘密，不允许他人使用。")
    clause(doc, "4.", "不私自复制、拍摄、录音、下载商业秘密，不将涉密载体带离涉密区域；不使用私人计算机、手机、"
                      "移动存储介质、公共云盘或即时通讯工具存储、传输涉密信息。")
    clause(doc, "5.", "不在非涉密区域（如餐厅、宿舍）及网络平台谈论商业秘密；因公出差，特别是前往竞争对手所在地的，"
                      "出行前接受保密提醒，返回后接受电子设备核查。")
    clause(doc, "6.", "按密级规定制作、收发、传递、存储和销毁涉密载体，妥善保管并定期清点本人持有的涉密载体。")
    clause(doc, "7.", "按时参加公司组织的保密培训与考核；发现商业秘密泄露或泄露风险，立即采取补救措施并向保密管理部报告。")
    clause(doc, "8.", "本人确认，截至本承诺书签署之日，本人不存在违反公司保密规定的行为；如有，已向公司如实报告。")
    clause(doc, "9.", "本人如违反上述承诺，愿接受公司依照规章制度作出的处理，依法承担违约及赔偿责任；构成犯罪的，"
                      "依法承担刑事责任。")
    paragraph(doc, "本承诺书适用于{{ year }}年度；该年度届满后，本人依照法律法规、劳动合同及保密协议承担的保密义务继续有效。"
                   "本承诺书以电子方式签署，公司加盖电子印章、本人电子签名后生效。")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ sign_date|cn_date }}"]),
        ("承诺人（签字）：", ["{{ employee_name }}", "日期：{{ sign_date|cn_date }}"]),
    ])
    return doc
