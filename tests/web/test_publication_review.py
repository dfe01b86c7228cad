"""Review before publication from the web (seed 000 art. 5(5), seed 003 §6.1.3): anyone on the staff starts it from
"Start", uploading the material and picking the secrets it may touch by name among the register entries they may
see; the file is stored by its hash and the process re-reads it."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from records.models import ProcessInstance
from tests.web.support import CORE_ITEM, GENERAL_ITEM, add_register_items
from web.state import WebState

Login = Callable[[str], FlaskClient]
GENERAL, CORE = GENERAL_ITEM, CORE_ITEM
PDF = b"%PDF-1.4\n% draft paper\n%%EOF\n"
MATERIAL = {"material_title": "高速精密轴承保持架的动态特性研究", "material_kind": "paper", "venue": "《轴承》期刊",
            "planned_date": "2026-12-15", "material_summary": "保持架动态特性的仿真与试验对比。"}




def test_staff_submit_material_with_its_file(login: Login, web: WebState) -> None:
    items = add_register_items(web)
    client = login("eng01")
    assert 'href="/start/publication_review"' in client.get("/start").text
    form = client.get("/start/publication_review").text
    assert 'enctype="multipart/form-data"' in form and 'type="file" name="material_file"' in form
    assert GENERAL in form and CORE not in form                       # only entries they may see, by name
    assert re.search(rf'<option value="{items[GENERAL]}"\s*>{re.escape(GENERAL)}', form)
    started = client.post("/start/publication_review", content_type="multipart/form-data",
                          data={**MATERIAL, "item_ids": [str(items[GENERAL])],
                                "material_file": (io.BytesIO(PDF), "paper.pdf")})
    assert started.status_code == 302, started.text
    with web.sessions() as session:
        row = session.scalars(select(ProcessInstance)
                              .where(ProcessInstance.process_id == "publication_review")).one()
        assert row.started_by == "eng01"
    view = web.engine.show(row.id)
    digest = hashlib.sha256(PDF).hexdigest()
    assert view.data["material_file"] == f"upload:{digest}.pdf" and view.data["publication"]["sha256"] == digest
    assert view.data["items"] == [{"id": items[GENERAL], "name": GENERAL, "level": "general"}]
    assert view.data["requester_user"] == "eng01" and view.data["publication_level"] == "general"
    office = login("sec01")
    assert "保密审查：同意、删改后同意或不同意" in office.get("/inbox").text
    (task,) = [t for t in web.engine.tasks(user="sec01") if t.instance_id == row.id]
    page = office.get(f"/tasks/{task.id}").text
    assert 'name="publication_decision"' in page and 'value="approve_redacted"' in page
    assert f'href="/uploads/{digest}.pdf"' in page                   # the reviewer opens the material
    material = office.get(f"/uploads/{digest}.pdf")
    assert material.data == PDF
    material.close()
    decided = office.post(f"/tasks/{task.id}", data={"publication_decision": "approve",
                                                     "review_opinion": "不涉及清单中的秘密点。"})
    assert decided.status_code == 302, decided.text
    assert [t.name for t in web.engine.tasks(user="sec01") if t.instance_id == row.id] == ["sign_publication_opinion"]


def test_the_file_is_required_and_checked(login: Login, web: WebState) -> None:
    client = login("eng02")
    missing = client.post("/start/publication_review", data=MATERIAL)
    assert missing.status_code == 422 and "material_file" in missing.text
    wrong = client.post("/start/publication_review", content_type="multipart/form-data",
                        data={**MATERIAL, "material_file": (io.BytesIO(b"MZ not a pdf"), "paper.pdf")})
    assert wrong.status_code == 422
    typed = client.post("/start/publication_review", content_type="multipart/form-data",
                        data={**MATERIAL, "publication_level": "general",
                              "material_file": (io.BytesIO(PDF), "paper.pdf")})
    assert typed.status_code == 302                    # a field not in the form is not read: the level is the system's
    with web.sessions() as session:
        row = session.scalars(select(ProcessInstance)
                              .where(ProcessInstance.process_id == "publication_review")).one()
    assert web.engine.show(row.id).data["publication_level"] is None


def test_the_committee_sees_what_it_votes_on(login: Login, web: WebState) -> None:
    items = add_register_items(web)
    digest = hashlib.sha256(PDF).hexdigest()
    (web.engine.services.instance.root / "uploads").mkdir(parents=True, exist_ok=True)
    (web.engine.services.instance.root / "uploads" / f"{digest}.pdf").write_bytes(PDF)
    view = web.engine.start("publication_review", {**MATERIAL, "item_ids": [items[CORE]],
                                                   "material_file": f"upload:{digest}.pdf"}, actor="eng01")
    (review,) = [t for t in web.engine.tasks(user="sec01") if t.instance_id == view.id]
    web.engine.complete(review.id, actor="sec01", data={"publication_decision": "approve_redacted",
                                                        "review_opinion": "图 3 可见炉温曲线。",
                                                        "redactions": "删去图 3。"})
    (vote,) = [t for t in web.engine.tasks(user="gm01") if t.instance_id == view.id]
    page = login("gm01").get(f"/tasks/{vote.id}/vote").text
    for expected in (MATERIAL["material_title"], CORE, "图 3 可见炉温曲线。", "删去图 3。"):
        assert expected in page, expected
