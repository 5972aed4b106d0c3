"""The errors and warnings of the report builder."""

from __future__ import annotations

from ..errors import DemandlabError, DemandlabWarning

__all__ = ["ReportError", "ReportWarning"]


class ReportError(DemandlabError):
    """A notebook failed while building the reports (the previous reports are untouched)."""


class ReportWarning(DemandlabWarning):
    """Something in the report set-up that may make the reports differ from expectations."""
