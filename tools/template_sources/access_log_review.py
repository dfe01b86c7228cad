"""涉密信息访问日志周审计报告 — seed 003 §7.2.2 (数据访问日志：记录访问人、时间、内容、操作，每周审计，异常访问及时调查)."""

from __future__ import annotations

from docx.document import Document

from tools.docx_kit import form_table, heading, list_table, new_document, note, paragraph, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "涉密信息访问日志周审计报告{% if draft %}（草稿）{% endif %}", "编号：{{ document_id }}")
    paragraph(doc, "{%p if draft %}", indent=False)
    paragraph(doc, "草稿：本报告由系统按访问日志即时生成，尚未经审计人审核、签署，不作为审计记录存档。", indent=False, bold=True)
    paragraph(doc, "{%p endif %}", indent=False)

    form_table(doc, [
        ["单位", "{{ company_name }}"],
        ["审计周期", "{{ week_label }}（{{ period_start|cn_date }}0时至{{ period_end|cn_date }}24时，北京时间）"],
        ["审计人", "{{ secrecy_office_name }}（保密管理部）", "审计日期", "{{ review_date|cn_date }}"],
        ["审计依据", "《商业秘密保护指引》7.2.2：建立数据访问日志，记录访问人、时间、内容、操作，每周审计日志，发现异常访问及时调查。"],
    ], widths_cm=[2.4, 6.6, 2.2, 5.0])

    heading(doc, "一、访问记录统计")
    paragraph(doc, "本周访问日志共{{ total_records }}条，其中允许{{ total_allowed }}条、拒绝{{ total_denied }}条。按密级汇总如下：")
    list_table(doc, ["密级", "允许", "拒绝", "合计"],
               ["{{ row.level }}", "{{ row.allowed }}", "{{ row.denied }}", "{{ row.total }}"],
               loop="row in level_totals", widths_cm=[4.6, 3.8, 3.8, 3.8], keep_together=True)
    paragraph(doc, "{%p if level_rows %}", indent=False)
    paragraph(doc, "按密级与操作分列：")
    list_table(doc, ["密级", "操作", "允许", "拒绝"],
               ["{{ row.level }}", "{{ row.action }}", "{{ row.allowed }}", "{{ row.denied }}"],
               loop="row in level_rows", widths_cm=[4.0, 5.0, 3.5, 3.5])
    paragraph(doc, "{%p endif %}", indent=False)

    heading(doc, "二、拒绝访问记录")
    paragraph(doc, "本周拒绝访问共{{ denial_count }}条{% if denial_count > denials|length %}，下表列出最早的{{ denials|length }}条{% endif %}"
                   "{% if not denials %}，无须列出{% endif %}。")
    paragraph(doc, "{%p if denials %}", indent=False)
    list_table(doc, ["时间", "访问人", "操作", "访问内容", "密级", "来源地址"],
               ["{{ d.at }}", "{{ d.actor }}", "{{ d.action }}", "{{ d.target }}", "{{ d.level }}", "{{ d.source }}"],
               loop="d in denials", widths_cm=[2.2, 2.9, 1.9, 4.5, 2.0, 2.7])
    paragraph(doc, "{%p endif %}", indent=False)

    heading(doc, "三、异常访问")
    paragraph(doc, "判定规则：（1）核心秘密的任何拒绝访问；（2）同一访问人一周内被拒绝{{ denial_threshold }}次及以上；"
                   "（3）工作时间（8:00—20:00）以外访问核心秘密（系统自动步骤除外）。本周发现异常{{ anomalies|length }}项"
                   "{% if not anomalies %}，无须调查{% else %}，须逐项调查并记录于审计意见{% endif %}。")
    paragraph(doc, "{%p if anomalies %}", indent=False)
    list_table(doc, ["判定规则", "访问人", "次数", "时间范围"],
               ["{{ a.rule }}", "{{ a.actor }}", "{{ a.count }}", "{{ a.period }}"],
               loop="a in anomalies", widths_cm=[5.0, 3.6, 1.6, 6.0])
    paragraph(doc, "{%p endif %}", indent=False)

    heading(doc, "四、日志完整性")
    paragraph(doc, "{{ chain_status }}")

    heading(doc, "五、审计意见")
    form_table(doc, [
        ["审计发现", "{{ findings }}"],
        ["异常访问已调查", "{{ anomalies_investigated|yes_no }}"],
        ["整改措施", "{{ measures }}"],
    ], widths_cm=[3.2, 13.0])
    note(doc, "注：访问日志为哈希链、定时加盖可信时间戳的防篡改记录；本报告列明访问人及访问内容，按重要秘密管理，"
              "不得复制、转发。")
    paragraph(doc, "本报告以电子方式签署，公司加盖电子印章、审计人电子签名后生效，作为访问日志审计记录存档。")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ review_date|cn_date }}"]),
        ("审计人（签字）：", ["保密管理部：{{ secrecy_office_name }}", "日期：{{ review_date|cn_date }}"]),
    ], keep_previous=1)
    return doc
