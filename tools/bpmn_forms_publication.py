"""The forms of the publication review process (``bpmn/publication_review.bpmn``), written by
``python -m tools.bpmn_forms`` with the others, or alone by ``python -m tools.bpmn_forms_publication``."""

# ruff: noqa: E501 — form titles and descriptions are Chinese sentences kept on one line, as in tools/bpmn_forms.

from __future__ import annotations

from typing import Any

from tools.bpmn_forms import UPLOAD, d, enum, optional, picked_items, required_when, s, schema, text, write_forms

KINDS = ["paper", "exhibition", "patent", "press", "other"]
DECISIONS = ["approve", "approve_redacted", "refuse"]


def forms() -> dict[str, dict[str, Any]]:
    f: dict[str, dict[str, Any]] = {}
    f["publication_review_start"] = schema("publication_review_start", "对外发布保密审查申请", "seed 000 第五条（五）、seed 003 §6.1.3：论文发表、参展、专利申请、对外宣传等对外发布信息前，须经保密审查；申请人即发起人。", {
        "material_title": s("材料名称", "拟发布材料的标题", maxLength=200),
        "material_kind": enum("发布形式", "论文、展会、专利申请、新闻宣传或其他", KINDS),
        "venue": s("发布渠道", "期刊、会议、展会、专利局或媒体名称", maxLength=200),
        "planned_date": d("拟发布日期", "计划投稿、参展、申请或发布的日期"),
        "material_summary": text("内容摘要", "材料的主要内容，涉及的技术、数据与图片", 2000),
        "material_file": s("材料文件", "拟发布的全文或展板，PDF 或图片", maxLength=500, **{"x-upload": UPLOAD}),
        "item_ids": picked_items("可能涉及的秘密点", "从《商业秘密清单》中按名称选择；名称与密级由系统读取，涉及核心秘密的报保密委员会审议"),
    }, ["material_title", "material_kind", "venue", "planned_date", "material_summary", "material_file"])
    f["publication_office_review"] = schema("publication_office_review", "对外发布保密审查", "seed 000 第五条（五）、seed 003 §6.1.3：保密管理部审查拟发布材料是否泄露商业秘密：同意发布、删改后同意发布或不同意发布。", {
        "publication_decision": enum("审查意见", "同意发布、删改后同意发布或不同意发布", DECISIONS),
        "review_opinion": text("审查说明", "审查了什么、与哪些秘密点比对", 2000),
        "redactions": optional("须删改的内容", "删改后同意发布时必填：逐项列出须删除或改写的内容"),
        "refusal_reasons": optional("不同意发布的理由", "不同意发布时必填"),
    }, ["publication_decision", "review_opinion"],
        {"allOf": [required_when("publication_decision", "approve_redacted", ["redactions"]),
                   required_when("publication_decision", "refuse", ["refusal_reasons"])]})
    return f


def main() -> None:
    write_forms(forms())


if __name__ == "__main__":
    main()
