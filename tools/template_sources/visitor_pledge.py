"""参观保密承诺书 — seed 003 §5.5.3 (参观管理), §5.3.1–5.3.3."""

from docx.document import Document

from tools.docx_kit import clause, form_table, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "参观保密承诺书", "编号：{{ document_id }}")

    form_table(doc, [
        ["参观人姓名", "{{ visitor_name }}", "身份证件号码", "{{ visitor_id_number }}"],
        ["所在单位", "{{ visitor_organisation }}", "参观日期", "{{ visit_date|cn_date }}"],
        ["参观事由", "{{ visit_purpose }}"],
        ["参观路线/区域", "{{ visit_areas }}"],
        ["寄存物品", "{{ deposited_devices }}"],
        ["陪同人", "{{ host_name }}", "所在部门", "{{ host_department }}"],
    ], widths_cm=[2.8, 5.3, 2.8, 5.3])

    paragraph(doc, "本人应{{ company_name }}（以下简称“公司”）邀请前往参观。本人知悉：公司对其生产经营中的技术信息和"
                   "经营信息采取了保密措施，参观中可能见到或听到的工艺流程、设备配置、图纸文件、产品样品以及客户、采购、"
                   "价格等信息属于公司商业秘密。为此，本人郑重承诺：")
    clause(doc, "1.", "参观前如实登记身份，将手机、相机、录音笔、U 盘等电子设备及存储介质寄存于公司指定处，不携带任何具有"
                       "拍照、录音、录像或存储功能的设备进入参观区域。")
    clause(doc, "2.", "参观全程接受公司陪同人员陪同，严格按照公司确定的参观路线和区域活动，不擅自离队，不进入未经许可的"
                       "区域，不在涉密区域逗留。")
    clause(doc, "3.", "不拍照、不录音、不录像，不以文字、绘图或其他任何方式记录所见的工艺参数、设备配置、图纸及文件内容。")
    clause(doc, "4.", "不触摸、操作设备，不翻阅文件资料，不索取或带走样品、零部件、废料及任何资料；参观结束时交还公司发放"
                       "的资料。")
    clause(doc, "5.", "不打听与参观事由无关的信息；对参观中知悉的公司商业秘密予以保密，不向任何第三方披露，不自行使用或"
                       "允许他人使用。本承诺不因参观结束而终止，直至相关信息依法公开。")
    clause(doc, "6.", "如违反上述承诺，本人同意公司立即终止参观、要求删除或交还相关记录和资料，并依法赔偿由此给公司造成的"
                       "全部损失；本人所在单位与公司另有保密协议的，同时按该协议承担责任。")
    paragraph(doc, "陪同人确认：已向承诺人告知上述保密要求并核验其身份，承诺人已寄存电子设备；参观期间全程陪同，发现违反"
                   "承诺的行为立即制止并报告公司保密管理部。")
    note(doc, "（以下无正文）")

    signature_grid(doc, [
        ("接待单位（盖章）：", ["{{ company_name }}", "日期：{{ visit_date|cn_date }}"]),
        ("承诺人（签字）：", ["姓名：{{ visitor_name }}", "日期：{{ visit_date|cn_date }}"]),
        ("陪同人（签字）：", ["姓名：{{ host_name }}", "日期：{{ visit_date|cn_date }}"]),
    ])
    return doc
