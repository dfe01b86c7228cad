"""Agreement documents: template manifests, data validation, sandboxed DOCX rendering, preparation for signing."""

from documents.data import validate_data
from documents.docx_guard import check_docx
from documents.errors import (
    DataError,
    DocumentError,
    ManifestError,
    RenderError,
    TemplateInputError,
    TemplateNotFound,
)
from documents.manifest import LEVELS, Manifest, Party, TemplateCatalog, Variable
from documents.produce import PreparedAgreement, new_document_id, prepare_agreement
from documents.render import LEVEL_NAMES, render_docx

__all__ = [
    "LEVELS",
    "LEVEL_NAMES",
    "DataError",
    "DocumentError",
    "Manifest",
    "ManifestError",
    "Party",
    "PreparedAgreement",
    "RenderError",
    "TemplateCatalog",
    "TemplateInputError",
    "TemplateNotFound",
    "Variable",
    "check_docx",
    "new_document_id",
    "prepare_agreement",
    "render_docx",
    "validate_data",
]
