"""行政检查保密协议 — seed 003 §5.5.3 (行政检查: 提前告知保密义务, 隐密措施, 必要时签订保密协议)."""

from docx.document import Document

from tools.docx_kit import clause, form_table, heading, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "行政检查保密协议", "编号：{{ document_id }}")

    form_table(doc, [
        ["被检查单位", "{{ company_name }}"],
        ["检查机关", "{{ inspection_authority }}"],
        ["检查组负责人", "{{ inspector_name }}", "执法证件号码", "{{ inspector_id_number }}"],
        ["检查组成员", "{{ inspection_team }}"],
        ["检查事项", "{{ inspection_subject }}"],
        ["检查期间", "{{ inspection_start|cn_date }} 至 {{ inspection_end|cn_date }}"],
        ["涉及的涉密区域或资料", "{{ secret_scope }}"],
        ["公司陪同人员", "{{ host_name }}", "所在部门", "{{ host_department }}"],
    ], widths_cm=[3.2, 4.9, 2.8, 5.3])

    paragraph(doc, "{{ inspection_authority }}（以下简称“检查机关”）依法对{{ company_name }}（以下简称“公司”）开展"
                   "上述检查。检查涉及公司的商业秘密，公司已在检查前告知检查人员保密义务。为保障检查依法进行，同时保护"
                   "公司的商业秘密，双方确认如下：")
    heading(doc, "一、公司的配合与保密措施")
    clause(doc, "1.", "公司如实提供检查所需的场所、资料和说明，不以保密为由拒绝或阻碍依法进行的检查。")
    clause(doc, "2.", "对检查不涉及的涉密区域和文件，公司可采取遮盖涉密图纸、避开核心车间等隐密措施；检查确需查看的，由公司"
                       "陪同人员陪同并登记查看的区域和资料。")
    clause(doc, "3.", "公司向检查机关提供的涉密资料，标注“商业秘密”字样和密级，并列明资料清单，由双方签字确认。")
    heading(doc, "二、检查人员的保密义务")
    clause(doc, "4.", "检查人员对检查过程中知悉的公司商业秘密依照《中华人民共和国反不正当竞争法》等法律法规负有保密义务，"
                       "仅将其用于本次检查，不向与检查无关的任何单位和个人披露。")
    clause(doc, "5.", "检查人员在涉密区域内不拍照、录音、录像，确因执法取证需要的，应告知公司陪同人员并在检查记录中载明；"
                       "调取或复制的涉密资料按清单登记，依法妥善保管。")
    clause(doc, "6.", "检查结束后，检查人员交还公司提供的、不需留存的资料；需留存作为执法依据的，按国家有关规定保管和"
                       "归档，不对外公开。")
    heading(doc, "三、其他")
    clause(doc, "7.", "本协议不限制检查机关依法履行职责；检查人员违反保密义务泄露公司商业秘密的，依法承担相应的法律责任。")
    clause(doc, "8.", "本协议一式两份，公司与检查机关各执一份，自双方签章之日起生效。")
    note(doc, "（以下无正文）")

    signature_grid(doc, [
        ("被检查单位（盖章）：", ["{{ company_name }}", "日期：{{ inspection_start|cn_date }}"]),
        ("检查人员（签字）：", ["姓名：{{ inspector_name }}", "日期：{{ inspection_start|cn_date }}"]),
    ])
    return doc
