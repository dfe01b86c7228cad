"""Check that a DOCX is safe to open before python-docx/docxtpl decompress or parse it.

A DOCX is a zip of XML parts. Uploaded templates are untrusted: the zip's central directory is read
(it costs nothing to decompress) and rejected when the declared sizes or ratios mean a bomb; XML parts
that declare a DOCTYPE (entity expansion, XXE) are refused; and the Jinja source is compiled in the
sandbox to report syntax errors with their place.
"""

from __future__ import annotations

import io
import re
import zipfile

from documents.errors import TemplateInputError

__all__ = ["MAX_DOCX_BYTES", "check_active_content", "check_docx"]

MAX_DOCX_BYTES = 20 * 1024 * 1024          # the upload itself
MAX_UNPACKED_BYTES = 100 * 1024 * 1024     # everything inside, as declared by the zip directory
MAX_PART_RATIO = 200                       # honest XML compresses ~10:1; bombs reach 1000:1 and more
MAX_ENTRIES = 2000
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# The DOCTYPE search reads bytes as UTF-8, so a part in another encoding (UTF-16, UTF-7, …) would hide one:
# Word and LibreOffice write every part in UTF-8, and XML never contains NUL, so anything else is refused.
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def check_docx(data: bytes, name: str = "template.docx") -> None:
    """Raise :class:`TemplateInputError` unless ``data`` looks like a sane DOCX."""
    if len(data) > MAX_DOCX_BYTES:
        raise TemplateInputError(f"{name} is {len(data) // 1024 // 1024} MB; templates may be at most "
                                 f"{MAX_DOCX_BYTES // 1024 // 1024} MB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TemplateInputError(f"{name} is not a DOCX file (it is not a zip archive); "
                                 "save it from Word or LibreOffice as .docx") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise TemplateInputError(f"{name} holds {len(infos)} parts; a template has far fewer")
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise TemplateInputError(f"{name} is a zip but not a Word document (word/document.xml is missing)")
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > MAX_PART_RATIO:
                raise TemplateInputError(
                    f"{name}: part {info.filename} would expand {ratio:.0f}-fold to "
                    f"{info.file_size // 1024 // 1024} MB; this looks like a zip bomb and was not opened")
        if total > MAX_UNPACKED_BYTES:
            raise TemplateInputError(f"{name} would expand to {total // 1024 // 1024} MB; "
                                     f"at most {MAX_UNPACKED_BYTES // 1024 // 1024} MB are allowed")
        for info in infos:
            xml = info.filename.endswith((".xml", ".rels"))
            try:
                head = _inflate(archive, info, keep=xml)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise TemplateInputError(f"{name}: part {info.filename} is damaged ({exc})") from None
            if xml:
                declared = _ENCODING.match(head)
                if b"\x00" in head or head.startswith((b"\xfe\xff", b"\xff\xfe")) or (
                        declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
                    raise TemplateInputError(f"{name}: part {info.filename} is not UTF-8 XML, which Word always "
                                             "writes; the file was refused")
                if _DOCTYPE.search(head):
                    raise TemplateInputError(
                        f"{name}: part {info.filename} declares a DOCTYPE or entities, which Word never "
                        "writes; the file was refused (XML entity attacks)")


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, keep: bool) -> bytes:
    """Inflate one part in bounded steps, checking its CRC; its bytes only when ``keep``.

    ``ZipFile.read`` inflates a part's whole stream at once and only then cuts it to the size the directory
    declares, so a directory that lies (2 KB declared, 400 MB inside) made a 2 MB upload cost 400 MB here.
    Read in steps, a part never yields more than its declared (and already checked) size, and one whose
    content does not match fails its CRC. Every part is checked, since python-docx later reads them all.
    """
    chunks = []
    with archive.open(info) as part:
        while chunk := part.read(1024 * 1024):
            if keep:
                chunks.append(chunk)
    return b"".join(chunks)


# Parts and relationships that run code or fetch things when Word opens the file; an agreement template needs none.
_MACRO_PARTS = re.compile(r"(vbaProject\.bin|vbaData\.xml|activeX/|embeddings/.*\.(bin|xlsm|docm))$", re.IGNORECASE)
_MACRO_TYPES = re.compile(rb"macroEnabled|vbaProject|ms-office\.activeX", re.IGNORECASE)
_EXTERNAL = re.compile(rb"<Relationship\b[^>]*\bTargetMode\s*=\s*[\"']External[\"'][^>]*>", re.IGNORECASE)
_LINK_TYPE = re.compile(rb"\bType\s*=\s*[\"'][^\"']*/hyperlink[\"']", re.IGNORECASE)


def check_active_content(data: bytes, name: str = "template.docx") -> None:
    """Raise :class:`TemplateInputError` when the DOCX (already passed by :func:`check_docx`) carries macros,
    ActiveX controls or references to outside files (a linked template, picture or frame); web links are fine."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if _MACRO_PARTS.search(info.filename):
                raise TemplateInputError(f"{name} contains macros or active content ({info.filename}); save it in "
                                         "Word as “Word Document (*.docx)”, not as a macro-enabled document")
        if _MACRO_TYPES.search(archive.read("[Content_Types].xml")):
            raise TemplateInputError(f"{name} is a macro-enabled document; save it in Word as "
                                     "“Word Document (*.docx)” and upload that")
        for info in archive.infolist():
            if not info.filename.endswith(".rels"):
                continue
            for rel in _EXTERNAL.findall(archive.read(info)):
                if not _LINK_TYPE.search(rel):
                    raise TemplateInputError(
                        f"{name} refers to a file outside the document ({info.filename}); insert pictures and "
                        "templates into the document itself instead of linking to them")
