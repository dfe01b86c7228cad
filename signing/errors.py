"""The signing package's error tree.

Every error carries a message a person can act on: what was wrong and what to do. The web layer maps
these classes to HTTP status codes in one place; the CLI prints the message and exits non-zero.
"""

from __future__ import annotations


class SigningError(Exception):
    """Base of every error raised by :mod:`signing`."""


class ConversionError(SigningError):
    """DOCX → PDF conversion failed (LibreOffice missing, crashed, timed out, or rejected the file)."""


class PdfInputError(SigningError):
    """The input is not a PDF we can work on.

    Not a PDF, encrypted, damaged, or already signed where it must not be.
    """


class FontCoverageError(SigningError):
    """The stamp font lacks a character of the text to draw; the message names the character."""


class PartyError(SigningError):
    """The party or signature field asked for does not exist in the document, or has already signed."""


class PkiError(SigningError):
    """The embedded PKI could not be created, opened or used (bad passphrase, damaged key files)."""
