"""商业秘密清单（摘录）— seed 003 附录四 (商业秘密清单参考文本), §4.1.2 (定密要素)."""

from docx.document import Document

from tools.docx_kit import form_table, list_table, new_document, note, signature_grid, title


def build() -> Document:
    doc = new_document()
    title(doc, "商业秘密清单（摘录）", "编号：{{ document_id }}")

    form_table(doc, [
        ["单位", "{{ company_name }}", "摘录日期", "{{ extract_date|cn_date }}"],
        ["摘录范围", "{{ extract_scope }}"],
        ["摘录用途", "{{ extract_purpose }}"],
        ["条目数", "共{{ items|length }}项"],
    ], widths_cm=[2.4, 6.6, 2.2, 5.0])

    list_table(doc,
               ["序号", "秘密点名称", "密级", "载体形式", "知悉范围", "保密期限", "解密条件", "定密日期", "定密审批人",
                "备注"],
               ["{{ item.seq }}", "{{ item.name }}", "{{ item.level|level_name }}", "{{ item.carrier }}",
                "{{ item.knowers }}", "{{ item.period }}", "{{ item.declassification }}",
                "{{ item.classified_date|cn_date }}", "{{ item.approver }}", "{{ item.notes }}"],
               loop="item in items", widths_cm=[0.8, 2.6, 1.2, 1.9, 2.3, 1.1, 1.9, 1.7, 1.5, 1.2])

    note(doc, "注：1. 本摘录与公司《商业秘密清单》正本一致，如有出入以正本为准。2. 秘密点名称仅作概括性描述，不含秘密内容"
              "本身。3. 本摘录按所列最高密级管理，不得复制、转发，用毕交回保密管理部。")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ extract_date|cn_date }}"]),
        ("保密管理部（签字）：", ["经办人：{{ secrecy_office_name }}", "日期：{{ extract_date|cn_date }}"]),
    ], keep_previous=1)
    return doc
