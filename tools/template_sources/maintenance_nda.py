"""维修保密协议 — seed 003 §5.4.3 (设备维修), §5.2.4 (载体维修与销毁), §5.3.2 (维修人员准入), §6.2.3."""

from docx.document import Document

from tools.docx_kit import clause, form_table, heading, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "维修保密协议", "协议编号：{{ document_id }}")

    paragraph(doc, "甲方（委托方）：{{ company_name }}", indent=False)
    paragraph(doc, "统一社会信用代码：{{ company_credit_code }}", indent=False)
    paragraph(doc, "住所：{{ company_address }}", indent=False)
    paragraph(doc, "乙方（维修方）：{{ maintainer_company }}", indent=False)
    paragraph(doc, "统一社会信用代码：{{ maintainer_credit_code }}", indent=False)
    paragraph(doc, "维修人员：{{ maintainer_name }}　身份证件号码：{{ maintainer_id_number }}", indent=False)

    paragraph(doc, "甲方委托乙方对下列设备进行维修或维护。该设备及其所在区域涉及甲方商业秘密，为防止维修过程中泄露，双方"
                   "根据《中华人民共和国民法典》《中华人民共和国反不正当竞争法》等法律法规，经协商一致，订立本协议。")
    form_table(doc, [
        ["设备名称", "{{ equipment_name }}", "型号规格", "{{ equipment_model }}"],
        ["设备编号", "{{ equipment_asset_no }}", "所在区域", "{{ equipment_location }}"],
        ["维修期间", "{{ maintenance_start|cn_date }} 至 {{ maintenance_end|cn_date }}"],
        ["维修内容", "{{ maintenance_content }}"],
        ["携带设备登记", "{{ carried_devices }}"],
        ["陪同人", "{{ host_name }}", "所在部门", "{{ host_department }}"],
    ], widths_cm=[2.8, 5.3, 2.8, 5.3])

    heading(doc, "第一条 保密信息")
    clause(doc, "1.1", "保密信息包括设备中存储的程序、工艺参数、加工数据、运行记录和检测数据，设备所在区域内的工艺、图纸、"
                       "样品，以及乙方人员在维修过程中知悉的甲方其他非公开信息。")

    heading(doc, "第二条 现场规定")
    clause(doc, "2.1", "维修人员进入甲方涉密区域须经审批，如实登记身份及携带的电子设备；不得携带 U 盘、移动硬盘、存储卡等"
                       "存储设备进入。")
    clause(doc, "2.2", "维修全程由甲方陪同人陪同，维修人员不得单独行动，不得进入与维修无关的区域。")
    clause(doc, "2.3", "不得拍照、录音、录像；确需拍摄故障部位的，须经陪同人同意，使用甲方提供的设备拍摄，影像由甲方留存。")
    clause(doc, "2.4", "仅在维修所需范围内操作设备，不得浏览、查询、导出设备中的数据和参数；未经甲方书面同意，不得将设备接入"
                       "外部网络或进行远程诊断。")

    heading(doc, "第三条 存储介质的处理")
    clause(doc, "3.1", "维修前，由甲方清理设备中的涉密数据或拆除存储介质（硬盘、存储卡、控制器存储芯片等）；无法清理或拆除的，"
                       "维修在陪同人全程监督下进行。")
    clause(doc, "3.2", "设备的存储介质一律不得带离甲方场所。乙方不得拷贝、备份或恢复设备中的任何数据；确需备份、恢复系统程序"
                       "或参数的，由甲方人员使用甲方的加密存储设备操作。")
    clause(doc, "3.3", "更换下来的或无法修复的存储介质归甲方所有，由甲方留存，在甲方两名以上保密员现场监督下进行数据擦除或"
                       "物理销毁并记录；乙方不得以回收、以旧换新等任何理由带走。")

    heading(doc, "第四条 维修完成后")
    clause(doc, "4.1", "维修完成后，陪同人当场检查乙方携带的工具和设备，确认未带走甲方资料、数据、零部件及存储介质。")
    clause(doc, "4.2", "维修记录和维修报告不得记载甲方的工艺参数等秘密内容；乙方留存的维修记录仅限用于售后服务。")

    heading(doc, "第五条 保密期限与违约责任")
    clause(doc, "5.1", "乙方及其维修人员的保密义务自本协议签署之日起生效，不因维修完成而解除，直至相关信息依法公开为止。")
    clause(doc, "5.2", "乙方或其维修人员违反本协议任一约定的，乙方应向甲方支付违约金人民币{{ penalty_amount|money }}元；违约金"
                       "不足以弥补甲方损失的，还应赔偿差额部分及甲方为维权支出的合理费用。维修人员对其本人的违约行为与乙方"
                       "共同承担责任。")
    clause(doc, "5.3", "乙方违约的，甲方有权立即终止维修、要求乙方人员离场，并取消其供应商资格；涉嫌犯罪的，依法移送司法机关"
                       "处理。")

    heading(doc, "第六条 争议解决与其他")
    clause(doc, "6.1", "因本协议发生的争议，双方应协商解决；协商不成的，"
                       "{% if dispute_resolution == 'arbitration' %}任何一方均可提交{{ dispute_venue }}，按照申请仲裁时该会"
                       "现行有效的仲裁规则进行仲裁，仲裁裁决是终局的，对双方均有约束力。{% else %}任何一方均可向"
                       "{{ dispute_venue }}有管辖权的人民法院提起诉讼。{% endif %}")
    clause(doc, "6.2", "维修人员经乙方授权代表乙方签署本协议，并确认以个人名义遵守本协议；陪同人签字确认已向维修人员告知本协议"
                       "要求并全程陪同。")
    clause(doc, "6.3", "本协议以电子签名方式签署，自各方完成签署之日起生效；各方确认电子签名、电子签章与手写签名或盖章具有"
                       "同等法律效力。")
    note(doc, "（以下无正文）")

    signature_grid(doc, [
        ("甲方（盖章）：", ["{{ company_name }}", "日期：{{ sign_date|cn_date }}"]),
        ("维修人员（签字）：", ["{{ maintainer_company }}", "姓名：{{ maintainer_name }}", "日期：{{ sign_date|cn_date }}"]),
        ("陪同人（签字）：", ["姓名：{{ host_name }}（{{ host_department }}）", "日期：{{ sign_date|cn_date }}"]),
    ])
    return doc
