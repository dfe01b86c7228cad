"""Fixtures of the carrier tests (``carrier_support``); test_audit.py keeps its own ``sessions``."""

from tests.records.carrier_support import act, sessions  # noqa: F401 - fixtures
