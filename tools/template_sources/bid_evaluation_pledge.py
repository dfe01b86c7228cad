"""评标保密承诺书 — seed 003 §5.5.2 (招投标保密管理: 标书保密, 评标保密, 未中标文件回收销毁)."""

from docx.document import Document

from tools.docx_kit import clause, form_table, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "评标保密承诺书", "编号：{{ document_id }}")

    form_table(doc, [
        ["评标专家", "{{ expert_name }}", "身份证件号码", "{{ expert_id_number }}"],
        ["工作单位", "{{ expert_organisation }}"],
        ["招标项目", "{{ tender_project }}", "项目编号", "{{ tender_number }}"],
        ["评标日期", "{{ evaluation_date|cn_date }}", "评标地点", "{{ evaluation_venue }}"],
        ["评标组织人", "{{ host_name }}", "所在部门", "{{ host_department }}"],
    ], widths_cm=[2.8, 5.3, 2.8, 5.3])

    paragraph(doc, "本人受{{ company_name }}（以下简称“公司”）邀请，担任上述招标项目的评标专家。本人知悉：评标现场为公司"
                   "设置的涉密区域；投标文件中的技术方案、报价策略以及评标过程中的评审意见、打分、排序和中标候选人等信息，"
                   "属于公司及投标人的商业秘密。为此，本人郑重承诺：")
    clause(doc, "1.", "遵守评标现场的保密管理：进入评标现场前将手机、相机、U 盘等通讯和存储设备交由工作人员统一保管；评标期间"
                       "不离开评标现场，不与无关人员接触，不允许无关人员进入。")
    clause(doc, "2.", "不泄露评标过程与结果：在公司依规公布评标结果之前，不以任何方式向任何人透露评审意见、打分、排序、中标"
                       "候选人及其他评标情况；评标结果公布后，对评标过程中的讨论内容仍予保密。")
    clause(doc, "3.", "对投标文件保密：投标文件及评标资料只在评标现场查阅，不复制、拍摄、摘抄或带离现场；评标结束时将全部"
                       "投标文件、评标资料及草稿交还公司，由公司回收销毁未中标的投标文件。")
    clause(doc, "4.", "对评标中知悉的公司及投标人的技术信息和经营信息保密，不向任何第三方披露，不自行使用或允许他人使用；"
                       "本承诺不因评标结束而终止，直至相关信息依法公开。")
    clause(doc, "5.", "与投标人存在利害关系的，主动申请回避；不私下接触投标人，不收受投标人的财物或其他好处。")
    clause(doc, "6.", "如违反上述承诺，本人同意公司取消本人的评标资格、收回相关资料并要求删除相关记录；给公司或投标人造成"
                       "损失的，本人依法承担赔偿责任；构成犯罪的，依法追究刑事责任。")
    note(doc, "（以下无正文）")

    signature_grid(doc, [
        ("招标单位（盖章）：", ["{{ company_name }}", "日期：{{ evaluation_date|cn_date }}"]),
        ("承诺人（签字）：", ["姓名：{{ expert_name }}", "日期：{{ evaluation_date|cn_date }}"]),
    ])
    return doc
