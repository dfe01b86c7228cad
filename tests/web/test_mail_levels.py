"""Mail never carries a core or important agreement: those completion mails link to the signed-in page (seed 003
§4.2: core carriers never by mail, important only by encrypted mail, which an SMTP relay is not)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from records.db import transaction
from records.levels import SecretLevel
from records.models import Document, Notification
from web.state import WebState
from workflows.notices import may_attach


@pytest.mark.parametrize("level", list(SecretLevel))
def test_the_completion_mail_attaches_only_general_agreements(web: WebState, level: SecretLevel) -> None:
    document_id = f"MB-20261203-{level.rank:08d}"
    with transaction(web.sessions) as session:
        document = Document(id=document_id, template_id="nda", title="保密协议", level=level.value,
                            path=f"documents/{document_id}.pdf", sha256="0" * 64, parties=["company", "employee"],
                            signatures=[{"party": "company", "user": "system"}, {"party": "employee", "user": "eng01"}])
        session.add(document)
        session.flush()
        for listener in web.engine.on_document_completed:      # as the engine calls them when the last party signs
            listener(session, document)
        attach = may_attach(document)
    with web.sessions() as session:
        mail = session.scalars(select(Notification).where(Notification.document_id == document_id)).one()
    assert mail.to_user == "eng01"
    assert attach is (level == SecretLevel.GENERAL)
    if attach:
        assert "见附件" in (mail.body or "")
    else:
        assert "见附件" not in (mail.body or "") and f"/documents/{document_id}.pdf" in (mail.body or "")
