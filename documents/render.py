"""Fill a DOCX template with checked data, in a sandbox.

docxtpl's default Jinja environment is neither sandboxed nor escaping (PITFALLS: an uploaded template
ran ``os.popen``; a value with ``<`` or ``&`` broke rows or injected Word markup). We always pass our own
:class:`SandboxedEnvironment` with autoescape and :class:`StrictUndefined`, so values print literally and a
placeholder without data is an error instead of a blank in a legal text.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment

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


def _environment() -> jinja2.Environment:
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters.update(cn_date=cn_date, money=money, level_name=level_name, yes_no=yes_no)
    return env


def render_docx(template: bytes, context: dict[str, Any], *, name: str = "template.docx") -> bytes:
    """Return the filled DOCX. ``context`` must already be validated (see :func:`documents.data.validate_data`)."""
    check_docx(template, name)
    try:
        doc = DocxTemplate(io.BytesIO(template))
        doc.render(context, jinja_env=_environment(), autoescape=True)
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
