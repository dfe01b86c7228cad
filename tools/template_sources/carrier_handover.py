"""涉密载体交接清单 — seed 003 §5.1.3 (return of secret carriers on leaving) and §5.2 (carrier forms)."""



from __future__ import annotations

from docx.document import Document

from tools.docx_kit import clause, form_table, heading, new_document, paragraph, signature_grid, table, title


def build() -> Document:
    doc = new_document()
    title(doc, "涉密载体交接清单", subtitle="编号：{{ document_id }}")

    form_table(doc, [
        ["单位", "{{ company_name }}"],
        ["交出人", "{{ employee_name }}", "工号", "{{ employee_number }}"],
        ["所在部门", "{{ department }}", "岗位", "{{ position }}"],
        ["交接事由", "{{ handover_reason }}", "交接日期", "{{ handover_date|cn_date }}"],
        ["接收人", "{{ receiver_name }}（保密管理部）"],
    ], widths_cm=[2.4, 5.7, 2.4, 5.7])
    paragraph(doc, "交出人将其因工作持有的下列涉密载体交还公司，由保密管理部接收人当面逐项清点、核对：")

    table(
        doc,
        ["序号", "载体名称", "载体形式", "密级", "数量", "编号", "备注"],
        ["{{ item.seq }}", "{{ item.name }}", "{{ item.form }}", "{{ item.level|level_name }}",
         "{{ item.quantity }}", "{{ item.serial_number }}", "{{ item.remarks }}"],
        loop="item in items",
        widths_cm=[1.1, 4.0, 2.0, 1.9, 1.2, 3.4, 2.6],
    )
    paragraph(doc, "合计：{{ items|length }} 项，共 {{ items|sum(attribute='quantity') }} 件（份）。", indent=False)

    heading(doc, "核查情况")
    clause(doc, "1.", "交出人使用的办公计算机及其他电子设备已完成涉密信息清理与检测：{{ device_cleaned|yes_no }}。")
    clause(doc, "2.", "交出人的涉密区域门禁权限、信息系统账号及涉密文件访问权限已回收：{{ access_revoked|yes_no }}。")
    clause(doc, "3.", "其他说明：{{ notes }}")

    heading(doc, "交出人声明")
    paragraph(doc, "上表所列为本人因工作持有的全部涉密载体，已如数交还公司；本人未以任何方式留存上述载体及其他涉密信息的"
                   "原件、复制件、照片、电子备份或者摘录。如日后发现本人仍持有涉密载体或涉密信息，本人将立即交还，"
                   "并依照《员工保密协议》承担相应责任。")
    heading(doc, "接收人确认")
    paragraph(doc, "接收人已逐项清点、核对，上表所列载体的名称、形式、密级、数量和编号与实物相符，已按涉密载体存储规定"
                   "登记入库保管。")
    paragraph(doc, "本清单以电子方式签署，公司加盖电子印章、交出人及接收人电子签名后生效，作为涉密载体交接记录存档。")

    signature_grid(doc, [
        ("单位（盖章）：", ["{{ company_name }}", "日期：{{ handover_date|cn_date }}"]),
        ("交出人（签字）：", ["{{ employee_name }}", "日期：{{ handover_date|cn_date }}"]),
        ("接收人（签字）：", ["{{ receiver_name }}", "日期：{{ handover_date|cn_date }}"]),
    ])
    return doc
