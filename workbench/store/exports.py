"""The store's record of every exported workbook, and the audit-trail anchor it carries.

At export the workbook's data manifest, per-sheet hashes, presentation fingerprint, file
hash and the audit chain's head (hash and number of events) are recorded here, in the same
transaction as the ``workbook.exported`` audit event that chains them. ``export --verify``
reads the record back: the Cover's own manifest is public and re-computable, this record
is not in the reader's hands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.store.schema import AuditEvent, ExportRecord

GENESIS = "0" * 64  # the chain's predecessor of its first event (workbench trail)


@dataclass(frozen=True)
class Anchor:
    """Who exported what when, and where the audit chain stood: printed on the Cover."""
    export_id: str
    exported_at: datetime
    exported_by: str
    trail_head: str
    trail_events: int


def trail_head(session: Session) -> tuple[str, int]:
    """(hash of the chain's last event, number of events) right now."""
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    count = session.execute(select(func.count()).select_from(AuditEvent)).scalar() or 0
    return (last.hash if last else GENESIS), count


def anchor_problem(session: Session, head: str, events: int) -> str | None:
    """Why the chain no longer holds the head it had at export (tail deleted, re-chained), or None."""
    if events == 0:
        return None
    at = session.execute(select(AuditEvent.hash).where(AuditEvent.id == events)).scalar()
    if at is None:
        have = session.execute(select(func.count()).select_from(AuditEvent)).scalar() or 0
        return (f"the audit trail had {events:,} events when this workbook was exported and now has {have:,}: "
                "events were deleted from the store")
    if at != head:
        return (f"audit event {events} no longer has the hash it had when this workbook was exported: "
                "the trail was rewritten")
    return None


def record(session: Session, anchor: Anchor, *, run_id: int, file_name: str, file_sha256: str, manifest: str,
           sheet_hashes: list[tuple[str, str]], presentation: dict[str, Any]) -> ExportRecord:
    rec = ExportRecord(id=anchor.export_id, run_id=run_id, exported_at=anchor.exported_at,
                       exported_by=anchor.exported_by, file_name=file_name, file_sha256=file_sha256,
                       manifest=manifest, sheet_hashes=[list(p) for p in sheet_hashes], presentation=presentation,
                       trail_head=anchor.trail_head, trail_events=anchor.trail_events)
    session.add(rec)
    return rec


def find(session: Session, export_id: str) -> ExportRecord | None:
    return session.get(ExportRecord, export_id)


def chained_detail(session: Session, export_id: str) -> dict[str, Any] | None:
    """The detail of the ``workbook.exported`` event of an export (None when there is none)."""
    ev = session.execute(select(AuditEvent.detail).where(AuditEvent.entity_type == "export",
                                                         AuditEvent.entity_id == export_id,
                                                         AuditEvent.action == "workbook.exported")).first()
    return ev.detail if ev else None
