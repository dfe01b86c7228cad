"""临时保密承诺书（进入涉密区域）— seed 003 §5.3.2 (外部人员准入), §5.3.3 (区域内保密措施)."""

from docx.document import Document

from tools.docx_kit import clause, form_table, new_document, note, paragraph, signature_grid, title

ZONE = ("{% if area_zone == 'core' %}核心涉密区{% elif area_zone == 'important' %}重要涉密区"
        "{% else %}一般涉密区{% endif %}")


def build() -> Document:
    doc = new_document()
    title(doc, "临时保密承诺书", "（进入涉密区域）　编号：{{ document_id }}")

    form_table(doc, [
        ["进入人员", "{{ visitor_name }}", "身份证件号码", "{{ visitor_id_number }}"],
        ["所在单位", "{{ visitor_organisation }}"],
        ["涉密区域", "{{ area_name }}", "区域类别", ZONE],
        ["进入期间", "{{ entry_start|cn_date }} 至 {{ entry_end|cn_date }}"],
        ["进入事由", "{{ entry_purpose }}"],
        ["携带设备登记", "{{ carried_devices }}"],
        ["审批人", "{{ approver_name }}（{{ approver_department }}负责人）", "审批日期", "{{ approval_date|cn_date }}"],
        ["陪同人", "{{ host_name }}", "所在部门", "{{ host_department }}"],
    ], widths_cm=[2.8, 5.3, 2.8, 5.3])

    paragraph(doc, "本人因上述事由需进入{{ company_name }}（以下简称“公司”）的涉密区域，已经该区域所属部门负责人审批同意。"
                   "本人知悉该区域内的工艺、设备、图纸、样品、数据等信息属于公司商业秘密，郑重承诺如下：")
    clause(doc, "1.", "仅在批准的期间内进入上述区域，仅从事与进入事由直接相关的活动，不进入其他涉密区域；每次进出均接受"
                       "门禁登记和视频监控。")
    paragraph(doc, "{%p if area_zone == 'core' %}", indent=False)
    clause(doc, "2.", "不携带手机、相机、U 盘等任何电子设备进入，个人物品存放于入口处储物柜；作业确需的工具和仪器，经陪同人"
                       "检查登记后方可带入。")
    paragraph(doc, "{%p elif area_zone == 'important' %}", indent=False)
    clause(doc, "2.", "进入期间关闭手机的拍照、录音功能，不携带相机、U 盘、移动硬盘等拍摄或存储设备；携带的其他电子设备须"
                       "如实登记。")
    paragraph(doc, "{%p else %}", indent=False)
    clause(doc, "2.", "不携带 U 盘、移动硬盘等存储设备，不使用任何设备拍照、录音、录像；携带的电子设备须如实登记。")
    paragraph(doc, "{%p endif %}", indent=False)
    clause(doc, "3.", "全程接受陪同人陪同，不单独行动；不私自复制、拍摄、记录涉密文件、设备参数及工艺过程。")
    clause(doc, "4.", "不触碰与事由无关的设备、文件和样品，不打听、不讨论与事由无关的公司信息；离开时不带走任何文件、样品、"
                       "零部件或废料，并接受陪同人检查。")
    clause(doc, "5.", "对进入期间知悉的公司商业秘密承担保密义务，不向任何第三方披露，不自行使用或允许他人使用；该义务在"
                       "批准期间结束后继续有效，直至相关信息依法公开。")
    clause(doc, "6.", "如违反上述承诺，公司有权立即终止本人进入、收回相关资料并要求删除相关记录；给公司造成损失的，本人依法"
                       "承担赔偿责任；构成犯罪的，依法追究刑事责任。")
    paragraph(doc, "陪同人确认：已核验承诺人身份、审批手续及携带设备，已告知区域保密要求，并将全程陪同。")
    note(doc, "（以下无正文）")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ entry_start|cn_date }}"]),
        ("承诺人（签字）：", ["姓名：{{ visitor_name }}", "日期：{{ entry_start|cn_date }}"]),
        ("陪同人（签字）：", ["姓名：{{ host_name }}", "日期：{{ entry_start|cn_date }}"]),
    ])
    return doc
