"""Hostile uploads: what tests elsewhere do not already cover.

Already covered (not repeated here): zip bomb and DOCTYPE refused by rendering, sandboxed template code, hostile
values (tests/documents/test_render.py, test_templates.py); script tasks, pre-scripts, XXE and unknown
operations in BPMN (tests/workflows/test_loader.py); every attack-corpus PDF through ``verify_pdf`` and marking
in-process, with time and memory bounds (tests/signing/test_attack_corpus.py).

Added here: the memory a zip bomb costs ``check_docx`` (and a bomb whose zip directory lies about its size),
XML parts in another encoding hiding a DOCTYPE (a bypass found and fixed here), more template-injection
spellings, post-scripts and scripts nested in sub-processes, and every DoS PDF uploaded to the web verify page.
"""

from __future__ import annotations

import io
import re
import resource
import shutil
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from documents import DocumentError, TemplateInputError, check_docx, render_docx
from records.instance import Instance
from signing import Pki
from tests.bpmn.driver import START
from tests.documents.conftest import build_probe_docx
from tests.signing.test_attack_corpus import DOS
from tests.workflows.conftest import DATA
from web import create_app
from web.state import WebState
from workflows import BpmnError, FixedClock
from workflows.forms import FormCatalog
from workflows.loader import load_process
from workflows.registry import OPERATIONS

MIB = 1024 * 1024


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rebuilt(change: dict[str, bytes]) -> bytes:
    """The probe template with some parts replaced."""
    src = zipfile.ZipFile(io.BytesIO(build_probe_docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, change.get(info.filename, src.read(info)))
    return buf.getvalue()


def _bomb(lie: bool) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as part:   # written in steps: the test itself stays small
            part.write(b"<w:document>")
            for _ in range(400):
                part.write(b" " * MIB)
            part.write(b"</w:document>")
    data = bytearray(buf.getvalue())
    if lie:  # the central directory claims 2 KB for the 400 MB part, so no size or ratio check fires
        at = data.rindex(b"PK\x01\x02")
        data[at + 24:at + 28] = struct.pack("<I", 2048)
    return bytes(data)


@pytest.mark.parametrize("lie", [False, True], ids=["honest-directory", "lying-directory"])
def test_zip_bomb_costs_no_memory(lie: bool) -> None:
    data = _bomb(lie)
    assert len(data) < 2 * MIB
    rss = _maxrss_mib()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(TemplateInputError, match=r"zip bomb|damaged"):
            check_docx(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 8 * MIB, f"check_docx allocated {peak / MIB:.1f} MiB for a {len(data) / MIB:.1f} MiB upload"
    assert _maxrss_mib() - rss < 64


_XXE = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def _document_xml() -> str:
    return zipfile.ZipFile(io.BytesIO(build_probe_docx())).read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-7"])
def test_doctype_in_another_encoding_is_refused(encoding: str) -> None:
    xml = re.sub("encoding=['\"]UTF-8['\"]", f'encoding="{encoding.upper()}"', _document_xml(), count=1)
    assert f'encoding="{encoding.upper()}"' in xml
    xml = xml.replace("?>", "?>" + _XXE, 1)
    data = _rebuilt({"word/document.xml": xml.encode(encoding)})
    with pytest.raises(TemplateInputError, match="not UTF-8 XML"):
        check_docx(data)
    with pytest.raises(TemplateInputError):
        render_docx(data, {})


def test_doctype_in_a_relationship_part_is_refused() -> None:
    rels = zipfile.ZipFile(io.BytesIO(build_probe_docx())).read("word/_rels/document.xml.rels")
    data = _rebuilt({"word/_rels/document.xml.rels": rels.replace(b"?>", b"?>" + _XXE.lower().encode(), 1)})
    with pytest.raises(TemplateInputError, match="DOCTYPE"):
        check_docx(data)


@pytest.mark.parametrize("code", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ employee_name.__class__.__base__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__.os }}",
    "{{ ''|attr('__class__') }}",
    "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
])
def test_template_injection_is_refused(code: str) -> None:
    with pytest.raises(DocumentError) as err:
        render_docx(build_probe_docx(code), {"employee_name": "x", "document_id": "X"})
    assert "<class" not in str(err.value) and "subclasses" not in str(err.value).replace(code, "")


PROBE = (DATA / "probe.bpmn").read_text(encoding="utf-8")


def _load(tmp_path: Path, text: str, encoding: str = "utf-8") -> None:
    folder = tmp_path / "bpmn"
    shutil.copytree(DATA, folder, dirs_exist_ok=True)
    (folder / "probe.bpmn").write_bytes(text.encode(encoding))
    load_process(folder / "probe.bpmn", OPERATIONS, FormCatalog(folder / "forms"))


@pytest.mark.parametrize(("old", "new", "message"), [
    ('<spiffworkflow:properties>\n          <spiffworkflow:property name="form"',
     '<spiffworkflow:postScript>__import__("os").system("id")</spiffworkflow:postScript>'
     '<spiffworkflow:properties>\n          <spiffworkflow:property name="form"', "post-script"),
    ('<bpmn:serviceTask id="tell" name="通知人事">',
     '<bpmn:subProcess id="sub"><bpmn:startEvent id="s0"/><bpmn:scriptTask id="inner"><bpmn:script>'
     'open("/etc/passwd").read()</bpmn:script></bpmn:scriptTask></bpmn:subProcess>'
     '<bpmn:serviceTask id="tell" name="通知人事">', "script"),
], ids=["post-script", "script-in-subprocess"])
def test_scripts_anywhere_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in PROBE
    with pytest.raises(BpmnError, match=message):
        _load(tmp_path, PROBE.replace(old, new, 1))


def test_entities_in_utf16_bpmn_are_refused(tmp_path: Path) -> None:
    """The byte-level DOCTYPE check cannot see UTF-16; the hardened parser still refuses the entity."""
    assert 'encoding="UTF-8"?>' in PROBE and 'name="探针流程"' in PROBE
    text = PROBE.replace('encoding="UTF-8"?>', 'encoding="UTF-16"?>' + _XXE, 1)
    with pytest.raises(BpmnError, match="external entity"):
        _load(tmp_path, text.replace('name="探针流程"', 'name="&x;"', 1), "utf-16")


@pytest.fixture
def verify_app(tmp_path: Path, hardening_pki: Pki) -> Iterator[Flask]:
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path), "WARM_CONVERTERS": 0,
                      "WTF_CSRF_ENABLED": False, "TESTING": True, "MIBAO_RATE_LIMITS": False},
                     clock=FixedClock(START))
    web: WebState = app.extensions["mibao"]
    web.services._pki = hardening_pki
    yield app
    web.close()


@pytest.mark.parametrize("path", DOS, ids=lambda p: p.name)
def test_dos_pdf_on_the_verify_page(verify_app: Flask, path: Path) -> None:
    client = verify_app.test_client()
    client.post("/verify", data={"pdf": (io.BytesIO(b"%PDF-1.7\n%%EOF"), "warm.pdf")})  # forkserver started
    data = path.read_bytes()
    rss, cpu = _maxrss_mib(), resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    # Encoded here, in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"pdf": FileStorage(io.BytesIO(data), path.name)})
    response = client.post("/verify", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    elapsed = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert 'class="card verdict broken"' in page
    assert elapsed < 10, f"{path.name}: {elapsed:.1f} s"
    # The web process only passes the bytes on: its own memory and CPU stay small (verify_pdf's own bounds in
    # the child are tested in-process by tests/signing/test_attack_corpus.py).
    assert _maxrss_mib() - rss < 3 * len(data) / MIB + 64
    assert (used.ru_utime + used.ru_stime) - (cpu.ru_utime + cpu.ru_stime) < 2
