"""泄密事件调查报告 — seed 003 §8.2 (事件分级与响应流程), §7.3.2 (调查评估，形成《泄密事件调查报告》), §8.1.2 (证据固定)
and seed 000 art. 5(4) (内部调查、制止泄密、纪律处分、法律维权)."""

from __future__ import annotations

from docx.document import Document

from tools.docx_kit import form_table, heading, list_table, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "泄密事件调查报告", "编号：{{ document_id }}")
    form_table(doc, [
        ["单位", "{{ company_name }}"],
        ["事件编号", "{{ incident_number }}", "报告日期", "{{ reported_on|cn_date }}"],
        ["报告人", "{{ reporter_name }}", "发生日期", "{{ occurred_on|cn_date }}"],
        ["发生地点", "{{ location }}"],
        ["依据", "《商业秘密保护指引》7.3.2 应急预案、8.2 泄密事件应对机制。"],
    ], widths_cm=[2.4, 6.6, 2.2, 5.0])

    heading(doc, "一、事件经过")
    paragraph(doc, "{{ incident_summary }}")
    paragraph(doc, "涉及的商业秘密：")
    list_table(doc, ["秘密点", "密级"], ["{{ i.name }}", "{{ i.level }}"], loop="i in items", widths_cm=[11.6, 4.6],
               keep_together=True)

    heading(doc, "二、调查评估")
    form_table(doc, [
        ["初步核查", "{{ triage_note }}"],
        ["泄露范围", "{{ scope }}"],
        ["泄密原因", "{{ cause }}"],
        ["估计经济损失", "{{ estimated_loss }}"],
    ], widths_cm=[3.2, 13.0])

    heading(doc, "三、事件分级")
    paragraph(doc, "本事件定为{{ grade_name }}。分级依据：{{ grade_rule }}")
    paragraph(doc, "响应要求（8.2.2）：{{ response }}")

    heading(doc, "四、止损措施")
    paragraph(doc, "{%p if containment %}", indent=False)
    list_table(doc, ["措施", "责任人", "完成期限", "执行情况"],
               ["{{ c.action }}", "{{ c.owner }}", "{{ c.due }}", "{{ c.result }}"],
               loop="c in containment", widths_cm=[5.2, 3.0, 2.4, 5.6])
    paragraph(doc, "{%p endif %}", indent=False)

    heading(doc, "五、证据固定")
    paragraph(doc, "下列证据文件的 SHA-256 摘要已记入防篡改审计链，保管经过如下：")
    list_table(doc, ["证据", "SHA-256", "保管经过"], ["{{ e.description }}", "{{ e.sha256 }}", "{{ e.received }}"],
               loop="e in evidence", widths_cm=[4.2, 6.4, 5.6])

    heading(doc, "六、审议与处理")
    form_table(doc, [
        ["委员会审议", "{{ committee_review }}"],
        ["纪律处分", "{{ discipline }}"],
        ["法律维权", "{{ legal }}"],
        ["通知合作方", "{{ partners }}"],
        ["整改与改进", "{{ remediation }}"],
    ], widths_cm=[3.2, 13.0])
    note(doc, "注：本报告载明涉密事项、涉事人员与处理措施，按其所涉最高密级（至少为重要秘密）管理，不得复制、转发。")
    paragraph(doc, "本报告以电子方式签署，公司加盖电子印章、保密管理部电子签名后生效，作为泄密事件处置记录存档。")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ report_date|cn_date }}"]),
        ("保密管理部（签字）：", ["日期：{{ report_date|cn_date }}"]),
    ], keep_previous=1)
    return doc
