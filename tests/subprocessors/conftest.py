"""Fixtures of the sub-processor tests: the real SMTP test server of the notices."""

from __future__ import annotations

from tests.notices.conftest import smtp

__all__ = ["smtp"]
