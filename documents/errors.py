"""Errors of the :mod:`documents` package; each message says what was wrong and what to do."""

from __future__ import annotations


class DocumentError(Exception):
    """Base of every error raised by :mod:`documents`."""


class TemplateNotFound(DocumentError):
    """No agreement template has the id asked for."""


class ManifestError(DocumentError):
    """A template's manifest.toml is malformed or inconsistent."""


class DataError(DocumentError):
    """The fill data does not match the template's variables.

    ``problems`` lists every field at fault (``field: what is wrong``), so a form can show them all at once.
    """

    def __init__(self, template_id: str, problems: list[str]) -> None:
        self.template_id = template_id
        self.problems = problems
        super().__init__(
            f"the data for template {template_id!r} is not valid: " + "; ".join(problems)
            + ". Correct these fields and try again."
        )


class TemplateInputError(DocumentError):
    """A DOCX template is unsafe or unreadable (not a DOCX, zip bomb, XML entities, broken Jinja)."""


class RenderError(DocumentError):
    """The template could not be filled with the data (e.g. it uses a placeholder the manifest lacks)."""
