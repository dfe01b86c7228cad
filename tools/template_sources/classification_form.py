"""商业秘密定密审批表 — seed 003 §4.1.1 (识别流程), §4.1.2 (定密要素), §4.4 (定密审批表存档); seed 001 (委员会)."""

from docx.document import Document

from tools.docx_kit import form_table, new_document, note, signature_grid, title

DECISION = ("{% if decision == 'not_classified' %}不予定密{% else %}同意定为{{ decision|level_name }}，按本表所列保密期限、"
            "知悉范围及保密措施管理，列入《商业秘密清单》{% endif %}")


def build() -> Document:
    doc = new_document()
    title(doc, "商业秘密定密审批表", "{{ company_name }}　　编号：{{ document_id }}")

    form_table(doc, [
        ["一、定密申请（申请部门填写）"],
        ["秘密点名称", "{{ item_name }}"],
        ["申请部门", "{{ department }}", "申请日期", "{{ apply_date|cn_date }}"],
        ["信息类别", "{{ item_category }}", "拟定密级", "{{ proposed_level|level_name }}"],
        ["秘密点概述", "{{ item_summary }}"],
        ["载体形式", "{{ carrier_form }}", "保密期限", "{{ secrecy_period }}"],
        ["知悉范围", "{{ knowers }}"],
        ["解密条件", "{{ declassification_condition }}"],
        ["拟采取的保密措施", "{{ protection_measures }}"],
        ["部门自查情况", "{{ self_check_summary }}"],
        ["申请人", "{{ liaison_name }}（部门保密员）"],
        ["二、审核（保密管理部填写）"],
        ["交叉审核意见", "{{ cross_review_opinion }}"],
        ["审核专家", "{{ cross_reviewers }}"],
        ["秘密性验证（查新）", "{{ novelty_check }}"],
        ["价值评估", "{{ value_assessment }}"],
        ["定密建议", "{{ office_opinion }}"],
        ["审核人", "{{ secrecy_office_name }}", "审核日期", "{{ review_date|cn_date }}"],
        ["三、保密委员会审批"],
        ["会议日期", "{{ meeting_date|cn_date }}", "表决情况",
         "赞成{{ votes_for }}票，反对{{ votes_against }}票，弃权{{ votes_abstain }}票"],
        ["表决委员", "{{ voter_names }}"],
        ["审批结论", DECISION],
        ["审批意见", "{{ decision_note }}"],
        ["审批人", "{{ committee_chair_name }}（保密委员会主任）"],
    ], widths_cm=[3.2, 4.9, 2.6, 5.5])

    note(doc, "注：1. 秘密点概述仅作概括性描述，不得写入具体工艺参数、配方、价格等秘密内容本身。2. 拟定为核心秘密的，须附"
              "第三方查新结论。3. 审批通过后由保密管理部录入《商业秘密清单》并通知知悉范围内人员，本表归入商业秘密管理档案。")

    signature_grid(doc, [
        ("公司（盖章）：", ["{{ company_name }}", "日期：{{ meeting_date|cn_date }}"]),
        ("申请人（签字）：", ["部门保密员：{{ liaison_name }}", "日期：{{ apply_date|cn_date }}"]),
        ("审核人（签字）：", ["保密管理部：{{ secrecy_office_name }}", "日期：{{ review_date|cn_date }}"]),
        ("审批人（签字）：", ["保密委员会主任：{{ committee_chair_name }}", "日期：{{ meeting_date|cn_date }}"]),
    ], keep_previous=1)
    return doc
