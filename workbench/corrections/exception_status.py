"""An exception's status change and its audit event, in one place.

The review service, the pusher and the verifier all change exception statuses; they share this
module so that none of them imports another to reach it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workbench.close.lock import ensure_open
from workbench.store import trail
from workbench.store.schema import ExceptionRow


def set_exception_status(s: Session, exc: ExceptionRow, status: str, *, actor: str, reason: str | None = None,
                         detail: dict[str, Any] | None = None) -> None:
    """Change an exception's status with its audit event (no event when nothing changes)."""
    if exc.status == status and (reason is None or exc.resolution == reason):
        return
    ensure_open(s, run_id=exc.run_id)
    before = exc.status
    exc.status = status
    if reason is not None:
        exc.resolution = reason
    # Counted in SQL: a version read before someone else's change must not be written back.
    exc.version = ExceptionRow.version + 1
    s.flush()
    s.refresh(exc, ["version"])
    trail.append(s, actor=actor, action=f"exception.{status}", entity_type="exception", entity_id=exc.id,
                 run_id=exc.run_id, detail={"key": exc.key, "status_before": before, "status_after": status,
                                            "reason": reason, "version": exc.version, **(detail or {})})
