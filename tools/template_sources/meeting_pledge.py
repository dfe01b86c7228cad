"""会议保密承诺书 — seed 003 §6.5.3 (会议管理: 保密会议室, 禁止录音录像, 资料标注密级并回收)."""

from docx.document import Document

from tools.docx_kit import clause, form_table, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "会议保密承诺书", "编号：{{ document_id }}")

    form_table(doc, [
        ["参会人", "{{ attendee_name }}", "身份证件号码", "{{ attendee_id_number }}"],
        ["所在单位", "{{ attendee_organisation }}"],
        ["会议名称", "{{ meeting_name }}"],
        ["会议日期", "{{ meeting_date|cn_date }}", "会议地点", "{{ meeting_venue }}"],
        ["发放的会议资料", "{{ meeting_materials }}"],
        ["会议组织人", "{{ host_name }}", "所在部门", "{{ host_department }}"],
    ], widths_cm=[2.8, 5.3, 2.8, 5.3])

    paragraph(doc, "本人应{{ company_name }}（以下简称“公司”）邀请参加上述会议。本人知悉：本次会议涉及公司商业秘密，会议"
                   "资料已标注密级，会议讨论的技术信息和经营信息属于公司商业秘密。为此，本人郑重承诺：")
    clause(doc, "1.", "会议在公司保密会议室召开，本人遵守会场的保密管理，会议期间不使用手机等设备通讯，不录音、录像、拍照，"
                       "不允许无关人员进入会场。")
    clause(doc, "2.", "不将会议讨论的商业秘密内容记录在私人笔记本或个人电子设备中；确需记录的，使用公司提供的记录纸，并于会后"
                       "交回。")
    clause(doc, "3.", "会议结束时将公司发放的全部会议资料（包括草稿和记录）交还会议组织人，不复制、不摘抄、不带离会场。")
    clause(doc, "4.", "对会议中知悉的公司商业秘密予以保密，不向任何第三方披露，不自行使用或允许他人使用；本承诺不因会议结束"
                       "而终止，直至相关信息依法公开。本人所在单位与公司另有保密协议的，同时遵守该协议。")
    clause(doc, "5.", "如违反上述承诺，本人同意公司要求交还或删除相关资料和记录，并依法赔偿由此给公司造成的全部损失；构成犯罪"
                       "的，依法追究刑事责任。")
    paragraph(doc, "会议组织人确认：已向承诺人告知会议保密要求，会议资料已标注密级并登记发放；会议结束后将回收全部资料，"
                   "多余资料及时销毁。")
    note(doc, "（以下无正文）")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ meeting_date|cn_date }}"]),
        ("承诺人（签字）：", ["姓名：{{ attendee_name }}", "日期：{{ meeting_date|cn_date }}"]),
        ("会议组织人（签字）：", ["姓名：{{ host_name }}", "日期：{{ meeting_date|cn_date }}"]),
    ])
    return doc
