"""Fill a DOCX template with checked data, in a sandbox.

docxtpl's default Jinja environment is neither sandboxed nor escaping (PITFALLS: an uploaded template
ran ``os.popen``; a value with ``<`` or ``&`` broke rows or injected Word markup). We always pass our own
:class:`SandboxedEnvironment` with autoescape and :class:`StrictUndefined`, so values print literally and a
placeholder without data is an error instead of a blank in a legal text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import MutableMapping
from decimal import Decimal
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import LRUCache

from documents.docx_guard import check_docx
from documents.errors import RenderError, TemplateInputError
from records.levels import LEVEL_NAMES

__all__ = ["LEVEL_NAMES", "render_docx"]



def cn_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def money(value: Decimal | int | float | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)):,.2f}"


def level_name(value: str) -> str:
    return LEVEL_NAMES[value]


def yes_no(value: bool) -> str:
    return "是" if value else "否"


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, compiling each distinct source once: docxtpl compiles every part's XML (and each core
    property) again on every render, though a template's parts are the same each time. Compiling decides
    nothing about safety: the sandbox checks every attribute access and call when a template is rendered."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined)
        self.filters.update(cn_date=cn_date, money=money, level_name=level_name, yes_no=yes_no)
        self._compiled: LRUCache = LRUCache(64)

    def from_string(
        self,
        source: str | jinja2.nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[jinja2.Template] | None = None,
    ) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled: jinja2.Template | None = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


class _Template(DocxTemplate):  # type: ignore[misc]  # docxtpl is untyped
    """docxtpl's template, cleaning each distinct part XML once (``patch_xml`` depends on its input alone)."""

    def patch_xml(self, src_xml: str) -> str:
        patched: str | None = _PATCHED.get(src_xml)
        if patched is None:
            patched = _PATCHED[src_xml] = super().patch_xml(src_xml)
        return patched


_SANDBOX = _Sandbox()
_PATCHED: LRUCache = LRUCache(64)
_CHECKED: LRUCache = LRUCache(64)  # SHA-256 of templates that passed check_docx


def render_docx(template: bytes, context: dict[str, Any], *, name: str = "template.docx") -> bytes:
    """Return the filled DOCX. ``context`` must already be validated (see :func:`documents.data.validate_data`)."""
    digest = hashlib.sha256(template).digest()
    if digest not in _CHECKED:
        check_docx(template, name)
        _CHECKED[digest] = True
    try:
        doc = _Template(io.BytesIO(template))
        doc.render(context, jinja_env=_SANDBOX, autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateInputError(f"{name}: Jinja syntax error ({exc.message}); fix the placeholder in Word") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{name}: the template uses a value the data does not provide ({exc.message}); "
                          "add it to the manifest's variables or fix the placeholder") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateInputError(f"{name}: the template tried an unsafe operation ({exc}); it was refused") from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"{name}: the template could not be filled ({exc})") from None
    except (KeyError, ValueError) as exc:
        raise TemplateInputError(f"{name}: the Word document is damaged or not a template ({exc})") from None
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
