"""对外发布保密审查意见书 — seed 000 art. 5(5) (对外发布信息的保密审查机制，审查记录留存备案) and seed 003 §6.1.3
(专利申请文件需经保密审查，避免泄露核心秘密)."""

from __future__ import annotations

from docx.document import Document

from tools.docx_kit import form_table, heading, list_table, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "对外发布保密审查意见书", "编号：{{ document_id }}")
    form_table(doc, [
        ["单位", "{{ company_name }}"],
        ["审查编号", "{{ review_number }}", "申请日期", "{{ submitted_on|cn_date }}"],
        ["申请人", "{{ requester_name }}", "所在部门", "{{ requester_department }}"],
        ["依据", "保密管理员职责第五条（五）对外发布信息的保密审查；《商业秘密保护指引》6.1.3 研发成果阶段。"],
    ], widths_cm=[2.4, 6.6, 2.2, 5.0])

    heading(doc, "一、拟发布材料")
    form_table(doc, [
        ["材料名称", "{{ material_title }}"],
        ["发布形式", "{{ material_kind }}"],
        ["发布渠道", "{{ venue }}"],
        ["拟发布日期", "{{ planned_date|cn_date }}"],
        ["内容摘要", "{{ material_summary }}"],
        ["文件 SHA-256", "{{ material_sha256 }}"],
    ], widths_cm=[3.2, 13.0])
    paragraph(doc, "可能涉及的商业秘密：")
    list_table(doc, ["秘密点", "密级"], ["{{ i.name }}", "{{ i.level }}"], loop="i in items", widths_cm=[11.6, 4.6],
               keep_together=True)

    heading(doc, "二、审查意见")
    form_table(doc, [
        ["保密管理部审查", "{{ review_opinion }}"],
        ["委员会审议", "{{ committee_review }}"],
    ], widths_cm=[3.8, 12.4])

    heading(doc, "三、审查结论")
    form_table(doc, [
        ["结论", "{{ decision_name }}"],
        ["须删改的内容", "{{ redactions }}"],
        ["不同意发布的理由", "{{ reasons }}"],
    ], widths_cm=[3.8, 12.4])
    note(doc, "注：同意发布的，仅限上述 SHA-256 所指的材料文件（删改后同意的，按所列内容删改后）发布；内容变更的须重新"
              "送审。本意见书列明所涉秘密点，按其中最高密级管理。")
    paragraph(doc, "本意见书以电子方式签署，公司加盖电子印章、保密管理部电子签名后生效，审查记录留存备案。")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ decision_date|cn_date }}"]),
        ("保密管理部（签字）：", ["日期：{{ decision_date|cn_date }}"]),
    ], keep_previous=1)
    return doc
