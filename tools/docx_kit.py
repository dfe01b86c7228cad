"""Building blocks for the agreement templates in ``contract_templates/<id>/template.docx``.

The DOCX files are the templates the secrecy office edits in Word; this kit only produces their first
version consistently (A4, fonts that exist on Debian with ``fonts-noto-cjk``, one clause style, one
signature block), from the sources in ``tools/template_sources/``. Run ``python -m tools.build_templates``.

Jinja placeholders (``{{ name }}``, ``{%tr for … %}``) are written as single runs so Word and docxtpl
see them whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

BODY_FONT = "Noto Serif CJK SC"
HEADING_FONT = "Noto Sans CJK SC"
BODY_SIZE = Pt(11)

__all__ = [
    "clause",
    "form_table",
    "heading",
    "list_table",
    "new_document",
    "note",
    "paragraph",
    "signature_grid",
    "table",
    "title",
]


def _set_run_font(run, family: str, size: Pt | None = None, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    run.font.name = family
    run.font.bold = bold
    if size is not None:
        run.font.size = size
    # python-docx sets only the Latin font; CJK text uses w:eastAsia, which must be set explicitly.
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)


def new_document() -> DocxDocument:
    """An empty A4 document with the house fonts (python-docx defaults to US Letter)."""
    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin = section.bottom_margin = Cm(2.6)  # room for the level mark and footer added to the PDF
        section.left_margin = section.right_margin = Cm(2.4)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), BODY_FONT)
    normal.paragraph_format.line_spacing = 1.35
    normal.paragraph_format.space_after = Pt(4)
    return doc


def title(doc: DocxDocument, text: str, subtitle: str | None = None) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(12)
    _set_run_font(p.add_run(text), HEADING_FONT, Pt(18), bold=True)
    if subtitle:
        s = doc.add_paragraph()
        s.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_run_font(s.add_run(subtitle), BODY_FONT, Pt(10.5))


def heading(doc: DocxDocument, text: str) -> None:
    """A section heading such as 第一条 保密信息的范围."""
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    p.paragraph_format.keep_with_next = True
    _set_run_font(p.add_run(text), HEADING_FONT, Pt(12), bold=True)


def paragraph(doc: DocxDocument, text: str, *, indent: bool = True, bold: bool = False,
              align: str = "justify") -> None:
    """One body paragraph; ``text`` may contain Jinja placeholders."""
    p = doc.add_paragraph()
    p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
    if indent:
        p.paragraph_format.first_line_indent = Pt(22)  # two CJK characters
    _set_run_font(p.add_run(text), BODY_FONT, BODY_SIZE, bold=bold)


def clause(doc: DocxDocument, number: str, text: str) -> None:
    """A numbered sub-clause, e.g. ``clause(doc, "1.1", "…")``."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.left_indent = Pt(22)
    p.paragraph_format.first_line_indent = Pt(-22)
    _set_run_font(p.add_run(f"{number}\u3000{text}"), BODY_FONT, BODY_SIZE)


def note(doc: DocxDocument, text: str) -> None:
    p = doc.add_paragraph()
    _set_run_font(p.add_run(text), BODY_FONT, Pt(9))


def table(doc: DocxDocument, headers: Sequence[str], row_cells: Sequence[str],
          loop: str | None = None, widths_cm: Sequence[float] | None = None) -> None:
    """A bordered table with one header row and one data row.

    With ``loop`` (e.g. ``"item in items"``) the data row repeats once per list element, using docxtpl's
    ``{%tr for … %}`` rows: ``row_cells`` then refer to the loop variable (``{{ item.name }}``).
    """
    n_rows = 2 + (2 if loop else 0)
    t = doc.add_table(rows=n_rows, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, headers, strict=True):
        cell.text = ""
        _set_run_font(cell.paragraphs[0].add_run(text), HEADING_FONT, Pt(10), bold=True)
    data_rows: Iterable = t.rows[1:]
    if loop:
        first, body, last = t.rows[1], t.rows[2], t.rows[3]
        _set_run_font(first.cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}"), BODY_FONT, Pt(10))
        _set_run_font(last.cells[0].paragraphs[0].add_run("{%tr endfor %}"), BODY_FONT, Pt(10))
        data_rows = [body]
    for row in data_rows:
        for cell, text in zip(row.cells, row_cells, strict=True):
            cell.text = ""
            _set_run_font(cell.paragraphs[0].add_run(text), BODY_FONT, Pt(10))
    if widths_cm:
        for row in t.rows:
            for cell, w in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(w)
        # LibreOffice lays a table out by its grid (w:gridCol), not by the cell widths: set both.
        t.autofit = False
        for grid_col, w in zip(t._tbl.tblGrid.gridCol_lst, widths_cm, strict=True):
            grid_col.w = Cm(w)
    doc.add_paragraph()


def _set_cell_width(cell, width_cm: float) -> None:  # type: ignore[no-untyped-def]
    cell.width = Cm(width_cm)


def _cant_split(row) -> None:  # type: ignore[no-untyped-def]
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {}))


def form_table(doc: DocxDocument, rows: Sequence[Sequence[str]], widths_cm: Sequence[float]) -> None:
    """A bordered form grid (审批表): label and value cells alternate along each row.

    Cells at even positions (0, 2, …) are labels (bold sans), cells at odd positions are values (body font,
    may hold Jinja placeholders). A row with fewer cells than ``widths_cm`` lets its last cell span the
    remaining columns, so ``["部门自查情况", "{{ self_check_summary }}"]`` is a label beside a wide value,
    and a one-cell row is a full-width section label, kept on the page of the row after it. Rows never split
    across pages.
    """
    n_cols = len(widths_cm)
    t = doc.add_table(rows=len(rows), cols=n_cols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for grid_col, w in zip(t._tbl.tblGrid.gridCol_lst, widths_cm, strict=True):
        grid_col.w = Cm(w)
    for r, cells in enumerate(rows):
        if not 1 <= len(cells) <= n_cols:
            raise ValueError(f"form row {r} has {len(cells)} cells for {n_cols} columns")
        row = t.rows[r]
        for c, w in enumerate(widths_cm):
            _set_cell_width(row.cells[c], w)
        last = len(cells) - 1
        if last < n_cols - 1:
            t.cell(r, last).merge(t.cell(r, n_cols - 1))
            _set_cell_width(t.cell(r, last), sum(widths_cm[last:]))
        for c, text in enumerate(cells):
            cell = t.cell(r, c)
            cell.text = ""
            if len(cells) == 1:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
            if c % 2 == 0:
                _set_run_font(cell.paragraphs[0].add_run(text), HEADING_FONT, Pt(10), bold=True)
            else:
                _set_run_font(cell.paragraphs[0].add_run(text), BODY_FONT, Pt(10))
        _cant_split(row)
    doc.add_paragraph()


def list_table(doc: DocxDocument, headers: Sequence[str], row_cells: Sequence[str], loop: str,
               widths_cm: Sequence[float] | None = None, keep_together: bool = False) -> None:
    """:func:`table` with a repeating list row, and page breaks handled for lists of any length.

    The header row repeats on every page and no row splits across pages. With ``keep_together`` (short lists
    such as an audit team) the whole table and the paragraph before it stay on one page.
    """
    if keep_together and doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    table(doc, headers, row_cells, loop=loop, widths_cm=widths_cm)
    t = doc.tables[-1]
    header_pr = t.rows[0]._tr.get_or_add_trPr()
    header_pr.append(header_pr.makeelement(qn("w:tblHeader"), {}))
    for i, row in enumerate(t.rows):
        _cant_split(row)
        if keep_together and i < len(t.rows) - 1:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True


def signature_grid(doc: DocxDocument, parties: Sequence[tuple[str, Sequence[str]]],
                   keep_previous: int = 2) -> None:
    """The closing signature area, one row per party (any number of parties), in signing order.

    The signing engine puts each stamp (170 x 60 pt) to the RIGHT of its anchor, its top level with the
    anchor text, growing downwards. So each row has a wide left cell holding only the anchor
    (``"甲方（盖章）："``, at most ~10 characters) with ~2.2 cm of blank room below it, and a narrower right
    cell with the ``extra_lines`` (name, date). Nothing shares the anchor's line, so no stamp covers another
    party's anchor, as happened when anchors sat side by side. The block stays on
    one page, together with the last ``keep_previous`` body paragraphs, so signatures never stand alone on a
    page without text.
    """
    from docx.enum.table import WD_ALIGN_VERTICAL

    body = doc.element.body
    for p in doc.paragraphs[len(doc.paragraphs) - keep_previous:] if keep_previous else []:
        if p._p.getparent() is body:
            p.paragraph_format.keep_with_next = True
    widths = (10.4, 5.8)  # anchor (~3.9 cm) + 6.2 cm of stamp room | name and date lines
    t = doc.add_table(rows=len(parties), cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for grid_col, w in zip(t._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Cm(w)
    for i, (row, (anchor, lines)) in enumerate(zip(t.rows, parties, strict=True)):
        left, right = row.cells
        _set_cell_width(left, widths[0])
        _set_cell_width(right, widths[1])
        first = left.paragraphs[0]
        first.paragraph_format.space_before = Pt(10)
        _set_run_font(first.add_run(anchor), BODY_FONT, BODY_SIZE, bold=True)
        # The stamp's room: 42 pt + the empty line ≈ 62 pt ≈ 2.2 cm below the anchor.
        spacer = left.add_paragraph()
        spacer.paragraph_format.space_before = Pt(42)
        right.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        for n, line in enumerate(lines):
            para = right.paragraphs[0] if n == 0 else right.add_paragraph()
            _set_run_font(para.add_run(line), BODY_FONT, BODY_SIZE)
        _cant_split(row)
        if i < len(parties) - 1:  # keep the rows together
            for cell in (left, right):
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True
