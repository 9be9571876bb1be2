"""The states of a review exception and of a correction, as stored in the ``exceptions.status``
and ``corrections.state`` columns. StrEnums compare equal to their stored strings, so the
database, exports and old stores read the same. Which correction state may follow which is
the lifecycle's table (workbench.corrections.lifecycle)."""

from __future__ import annotations

from enum import StrEnum


class ExceptionStatus(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    REOPENED = "reopened"  # found again, or its correction did not hold
    RESOLVED = "resolved"
    WAIVED = "waived"


# Still waiting for a decision: a correction may be proposed, a run carries the status over.
UNSETTLED = (ExceptionStatus.OPEN, ExceptionStatus.IN_REVIEW, ExceptionStatus.REOPENED)


class CorrectionState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    QUEUED = "queued"
    PUSHING = "pushing"
    APPLIED = "applied"
    CONFLICT = "conflict"
    FAILED = "failed"
    DEAD_LETTER = "dead_letter"
    WAIVED = "waived"
