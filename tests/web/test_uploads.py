"""A former employee uploads the month's proof of employment; HR can open it, others cannot."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from flask.testing import FlaskClient

from web.state import WebState
from workflows import BPMN_DIR
from workflows.forms import FormCatalog

DATA = Path(__file__).parent / "data"
FORM = {"employment_status": "employed", "new_employer": "济南某机械有限公司", "proof_type": "social_insurance",
        "truthful": "on"}


def _start(web: WebState, tmp_path: Path) -> str:
    folder = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, folder)
    shutil.copy(DATA / "proof_probe.bpmn", folder)
    shutil.copy(DATA / "proof_probe_start.json", folder / "forms")
    web.engine.bpmn_dir, web.engine.forms = folder, FormCatalog(folder / "forms")
    view = web.engine.start("proof_probe", {"employee_user": "eng01"}, actor="hr01")
    return next(t.id for t in view.tasks if t.state == "ready")


def test_proof_upload(web: WebState, tmp_path: Path, login: Callable[[str], FlaskClient]) -> None:
    task = _start(web, tmp_path)
    client = login("eng01")
    page = client.get(f"/tasks/{task}")
    assert 'type="file"' in page.text and 'enctype="multipart/form-data"' in page.text
    refused = client.post(f"/tasks/{task}", data={**FORM, "proof_reference": (BytesIO(b"MZ\x90 not a pdf"), "x.exe")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    pdf = b"%PDF-1.7\n% proof\n%%EOF\n"
    done = client.post(f"/tasks/{task}", data={**FORM, "proof_reference": (BytesIO(pdf), "社保.pdf")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    reference = web.engine.tasks(state="completed")[0]
    data = web.engine.show(reference.instance_id).data
    assert data["proof_reference"].startswith("upload:") and data["proof_reference"].endswith(".pdf")
    name = data["proof_reference"].removeprefix("upload:")
    assert login("eng02").get(f"/uploads/{name}").status_code == 403
    got = login("hr01").get(f"/uploads/{name}")
    assert got.status_code == 200 and got.data == pdf
    got.close()
    assert login("hr01").get("/uploads/..%2Fsecret_key").status_code == 404
