"""对外发布保密审查 — seed 000 art. 5(5) (对外发布信息的保密审查机制，审查记录留存备案) and seed 003 §6.1.3
(专利申请文件需经保密审查，避免泄露核心秘密): anyone on the staff submits the material, the secrecy office
reviews it, the committee decides as well when a core secret may be touched, and the decision is a sealed and
signed opinion."""

from __future__ import annotations

from tools.bpmn_layout import Process
from tools.bpmn_sources._common import committee_vote


def build() -> Process:
    p = Process(
        "publication_review", "对外发布保密审查",
        lanes=[("employee", "申请人"), ("secrecy_office", "保密管理部"), ("committee", "保密委员会")],
        doc="seed 000 第五条（五），seed 003 §6.1.3：论文、展会、专利申请、新闻宣传等对外发布前，申请人提交材料与文件"
            "（可能涉及的秘密点从清单中选择）→ 保密管理部审查：同意、删改后同意（列明删改内容）或不同意（说明理由）→ "
            "涉及核心秘密且保密管理部同意的，报保密委员会表决（委员取自组织架构）→ 生成《对外发布保密审查意见书》，"
            "密级取所涉秘密点的最高密级，公司盖章、保密管理部签署 → 通知申请人。",
    )
    start = p.start("start", "提交对外发布材料", "employee", props={"starters": "staff"})
    facts = p.service("record_publication", "登记材料（秘密点取自《商业秘密清单》）", "employee",
                      "publication_facts", result="publication",
                      doc="申请人、材料文件的 SHA-256、所涉秘密点的名称与密级由系统读取；"
                          "publication_level 为其中最高密级。")
    review = p.user("review_publication", "保密审查：同意、删改后同意或不同意", "secrecy_office",
                    form="publication_office_review")
    gw_office = p.xgw("gw_office_decision", "保密管理部意见？", "secrecy_office")
    p.chain(start, facts, review, gw_office)

    vote, tally = committee_vote(p, row=0)
    p.flow(gw_office, vote, "同意，涉及核心秘密",
           condition="publication_decision != 'refuse' and publication['committee']")
    join = p.xgw("join_decision", "", "secrecy_office")
    p.flow(gw_office, join, "不同意", condition="publication_decision == 'refuse'", route="over")
    p.flow(gw_office, join, "同意，不涉及核心秘密", default=True)
    p.flow(tally, join)

    decide = p.service("decide_publication", "审查结论（汇总保密管理部与委员会意见）", "secrecy_office",
                       "publication_outcome", result="outcome",
                       doc="任一方不同意即不同意发布；委员会未通过的，以其表决意见为理由。")
    opinion = p.service("prepare_opinion", "生成《对外发布保密审查意见书》", "secrecy_office",
                        "prepare_publication_opinion", result="publication_opinion_doc")
    seal = p.service("company_sign_publication_opinion", "公司盖章：对外发布保密审查意见书", "secrecy_office",
                     "company_sign", {"document": "publication_opinion_doc"},
                     result="publication_opinion_company_signature")
    sign = p.user("sign_publication_opinion", "保密管理部签署：对外发布保密审查意见书", "secrecy_office",
                  form="sign_agreement", sign="publication_opinion_doc")
    notify = p.service("notify_requester", "通知申请人：审查结论", "employee", "notify",
                       {"role": "'employee'", "user": "requester_user",
                        "subject": "'对外发布保密审查 #' + str(publication['number']) + '：' "
                                   "+ outcome['decision_name']"})
    end = p.end("end", "审查完毕", "employee")
    p.chain(join, decide, opinion, seal, sign, notify, end)
    return p
