"""The `mibao` command as outside scripts use it: real processes, real files, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

from contract_templates import TEMPLATES_DIR


def test_templates_json_lists_parties_in_signing_order(run) -> None:  # type: ignore[no-untyped-def]
    listed = {t["id"]: t for t in json.loads(run("templates", "--json").stdout)}
    assert listed["nda"]["title"]["zh"]
    assert [p["role"] for p in listed["nda"]["parties"]] == ["company", "employee"]
    assert listed["visitor_pledge"]["parties"][0]["role"] == "company"


def test_render_sign_verify_roundtrip(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample = TEMPLATES_DIR / "nda" / "sample.json"
    run("render", "nda", "--data", sample, "--out", "nda.pdf")
    unsigned = run("verify", "nda.pdf", "--json", ok=False)
    assert unsigned.returncode == 1 and json.loads(unsigned.stdout)["ok"] is False
    run("sign", "nda.pdf", "--party", "company", "--name", "聊城示例轴承有限公司", "--out", "nda1.pdf")
    half = run("verify", "nda1.pdf")
    assert half.returncode == 0, half.stdout
    run("sign", "nda1.pdf", "--party", "employee", "--name", "张伟", "--id", "E1001", "--out", "nda2.pdf")
    verdict = json.loads(run("verify", "nda2.pdf", "--json").stdout)
    assert verdict["ok"] is True and verdict["problems"] == []
    assert [s["signer"] for s in verdict["signatures"] if s["kind"] == "signature"] == \
        ["聊城示例轴承有限公司", "张伟"]
    again = run("sign", "nda2.pdf", "--party", "employee", "--name", "张伟", "--out", "nda3.pdf", ok=False)
    assert again.returncode == 2 and "employee" in again.stderr and "Traceback" not in again.stderr
    assert not (tmp_path / "nda3.pdf").exists()

    run("ca", "export-root", "root.pem")
    assert (tmp_path / "root.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_bad_inputs_give_one_clear_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "broken.json").write_text('{"employee_name": ', encoding="utf-8")
    proc = run("render", "nda", "--data", "broken.json", "--out", "x.pdf", ok=False)
    assert proc.returncode != 0 and "not valid JSON" in proc.stderr and "line 1" in proc.stderr

    (tmp_path / "empty.json").write_text("{}", encoding="utf-8")
    proc = run("render", "nda", "--data", "empty.json", "--out", "x.pdf", ok=False)
    assert proc.returncode == 2 and "is required" in proc.stderr and "Traceback" not in proc.stderr

    proc = run("render", "no_such_template", "--data", "empty.json", "--out", "x.pdf", ok=False)
    assert "there is no template 'no_such_template'" in proc.stderr

    (tmp_path / "fake.pdf").write_bytes(b"hello, not a pdf")
    proc = run("verify", "fake.pdf", "--json", ok=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["ok"] is False
    proc = run("sign", "fake.pdf", "--party", "company", "--name", "X", "--out", "y.pdf", ok=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()
