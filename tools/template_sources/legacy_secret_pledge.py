"""不侵犯原单位商业秘密承诺书 — seed 003 §5.1.1 (background check of new hires for secret-involved posts)."""



from __future__ import annotations

from docx.document import Document

from tools.docx_kit import clause, new_document, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "不侵犯原单位商业秘密承诺书", subtitle="编号：{{ document_id }}")

    paragraph(doc, "致：{{ company_name }}", indent=False, bold=True)
    paragraph(doc, "本人{{ employee_name }}（身份证号码：{{ employee_id_number }}），拟于{{ start_date|cn_date }}入职贵公司，"
                   "在{{ department }}担任{{ position }}。入职贵公司前，本人在{{ former_employer }}任职，"
                   "职务为{{ former_position }}，于{{ former_leave_date|cn_date }}离职。为尊重和保护原单位的合法权益，"
                   "避免贵公司因本人的行为卷入商业秘密纠纷，本人郑重承诺如下：")

    clause(doc, "1.", "本人已与原单位依法解除或者终止劳动关系及其他用工关系，能够向贵公司提供离职证明。")
    clause(doc, "2.", "本人未携带、未留存，也不会向贵公司提供或者披露原单位的任何商业秘密及其载体，包括但不限于"
                      "图纸、工艺文件、技术参数、检测数据、客户资料、价格信息、计算机程序、样品等的原件、复制件、"
                      "照片、电子文档或者摘录。")
    clause(doc, "3.", "本人在贵公司工作期间，不使用原单位的商业秘密，不将其用于贵公司的产品研发、工艺改进、市场经营"
                      "或者其他任何工作；工作中遇到可能涉及原单位商业秘密的事项，本人将主动向贵公司说明并回避。")
    clause(doc, "4.", "本人不引诱、不协助贵公司其他人员获取或者使用原单位的商业秘密，也不劝诱原单位人员违反其保密义务。")
    paragraph(doc, "{%p if former_non_compete %}", indent=False)
    clause(doc, "5.", "本人与原单位订有竞业限制约定，已将其主要内容（限制的业务与地域范围、期限及经济补偿）如实告知贵公司；"
                      "本人保证入职贵公司并担任上述岗位不违反该约定。因本人违反对原单位的竞业限制义务引起的纠纷，"
                      "由本人自行承担责任。")
    paragraph(doc, "{%p else %}", indent=False)
    clause(doc, "5.", "本人与原单位之间不存在尚在履行期内的竞业限制约定；本人入职贵公司并担任上述岗位，"
                      "不违反本人对原单位负有的保密义务。")
    paragraph(doc, "{%p endif %}", indent=False)
    clause(doc, "6.", "本人在以往工作中积累的一般知识、技能和经验，以及已为公众所知悉的信息，不属于本承诺书所称"
                      "原单位的商业秘密。")
    clause(doc, "7.", "本人同意并配合贵公司开展知识产权背景调查，保证所提供的履历、离职证明等资料真实、完整。")
    clause(doc, "8.", "本人如违反上述承诺，由此产生的法律责任（包括对原单位的赔偿责任）由本人自行承担；给贵公司造成损失的，"
                      "本人予以赔偿，贵公司有权依照规章制度和法律规定处理，直至解除劳动合同。")
    clause(doc, "9.", "本承诺书以电子方式签署：贵公司加盖电子印章确认收到本承诺书文本，本人电子签名后生效；"
                      "本人确认电子签名与手写签名具有同等法律效力。")

    paragraph(doc, "（以下无正文）", indent=False, align="center")
    signature_grid(doc, [
        ("用人单位（盖章）：", ["{{ company_name }}", "日期：{{ sign_date|cn_date }}"]),
        ("承诺人（签字）：", ["{{ employee_name }}", "日期：{{ sign_date|cn_date }}"]),
    ])
    return doc
