"""保密告知确认书 — seed 003 §5.1.1 (保密告知 at onboarding), personnel levels of seed 002."""



from __future__ import annotations

from docx.document import Document

from tools.docx_kit import clause, form_table, heading, new_document, paragraph, signature_grid, title

PERSONNEL = "{{ {'core': '核心', 'important': '重要', 'general': '一般'}[personnel_level] }}涉密人员"


def build() -> Document:
    doc = new_document()
    title(doc, "保密告知确认书", subtitle="编号：{{ document_id }}")

    form_table(doc, [
        ["员工姓名", "{{ employee_name }}", "工号", "{{ employee_number }}"],
        ["所在部门", "{{ department }}", "岗位", "{{ position }}"],
        ["涉密人员类别", PERSONNEL, "告知日期", "{{ sign_date|cn_date }}"],
    ], widths_cm=[2.8, 5.3, 2.8, 5.3])

    heading(doc, "一、告知事项")
    paragraph(doc, "{{ company_name }}（以下简称“公司”）依据《中华人民共和国反不正当竞争法》《中华人民共和国劳动合同法》"
                   "及公司《商业秘密保护管理制度》，就您所在岗位的保密义务告知如下：")
    clause(doc, "1.", "岗位涉密情况：您所在的{{ department }}{{ position }}岗位为涉密岗位，经公司确定，您属于"
                      + PERSONNEL + "。根据岗位职责，您可能知悉的商业秘密事项包括：{{ post_secret_scope }}")
    clause(doc, "2.", "商业秘密的范围：公司的商业秘密是指不为公众所知悉、具有商业价值并经公司采取保密措施的技术信息"
                      "（如设计图纸、工艺参数、检测技术、专用设备技术）和经营信息（如客户信息、供应链信息、市场策略、"
                      "财务信息），以公司《商业秘密清单》及密级标识为准，分为核心秘密、重要秘密和一般秘密。")
    clause(doc, "3.", "基本保密义务：在授权范围内知悉和使用商业秘密；按密级规定制作、收发、传递、存储和销毁涉密载体；"
                      "发现泄密或泄密风险立即报告保密管理部；按时参加保密培训与考核，每年签署年度保密承诺书。")
    clause(doc, "4.", "禁止行为：向无知悉权限的人员泄露商业秘密；为本职工作以外的目的使用商业秘密；私自复制、拍摄、"
                      "录音、下载商业秘密或将涉密载体带离涉密区域；使用私人计算机、手机、移动存储介质、公共云盘"
                      "或即时通讯工具存储、传输涉密信息；在非涉密区域或网络平台谈论商业秘密。")
    paragraph(doc, "{%p if personnel_level == 'core' %}", indent=False)
    clause(doc, "5.", "核心涉密人员的特别要求：知悉核心秘密须经总经理或法定代表人批准；核心秘密纸质载体存放于双人双锁"
                      "保密柜，电子载体仅在离线环境中处理；每年参加外部专业保密培训；出差特别是前往竞争对手所在地前"
                      "接受保密提醒，返回后接受电子设备核查；须与公司签订《员工保密协议》和《竞业限制协议》，"
                      "离职时按约定进入脱密期。")
    paragraph(doc, "{%p elif personnel_level == 'important' %}", indent=False)
    clause(doc, "5.", "重要涉密人员的特别要求：知悉重要秘密须经部门负责人批准；重要秘密载体加密存储、存放于带密码的"
                      "保密柜，访问留有记录；出差前接受保密提醒，返回后接受电子设备核查；须与公司签订《员工保密协议》。")
    paragraph(doc, "{%p else %}", indent=False)
    clause(doc, "5.", "一般涉密人员的特别要求：按岗位授权知悉一般秘密，一般秘密载体交由专人保管、存放于指定的文件柜"
                      "或设有权限的共享盘；须与公司签订《员工保密协议》或在劳动合同中约定保密义务。")
    paragraph(doc, "{%p endif %}", indent=False)
    clause(doc, "6.", "法律责任：违反保密义务的，公司将依照规章制度处理，直至解除劳动合同，并依法要求赔偿损失；"
                      "情节严重、构成侵犯商业秘密罪的，依法追究刑事责任。")
    clause(doc, "7.", "随本告知书向您送达公司《商业秘密保护管理制度》及与您岗位相关的保密管理规定，请认真阅读。")

    heading(doc, "二、员工确认")
    paragraph(doc, "本人已收到并认真阅读公司《商业秘密保护管理制度》及本告知书，公司已就上述内容向本人作出说明。"
                   "本人对所在岗位的涉密性质、本人的涉密人员类别、应履行的保密义务及违反保密义务的法律责任均已知悉"
                   "并理解，承诺严格遵守，并按公司安排参加入职保密培训及考核，考核合格后上岗。")
    paragraph(doc, "本确认书以电子方式签署，公司加盖电子印章、员工电子签名后生效。")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ sign_date|cn_date }}"]),
        ("员工（签字）：", ["{{ employee_name }}", "日期：{{ sign_date|cn_date }}"]),
    ])
    return doc
