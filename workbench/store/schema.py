"""The store's tables. Every change to them goes through an Alembic migration
(workbench/store/migrations); `workbench db upgrade` applies them.

Money columns use ExactDecimal (NUMERIC on PostgreSQL, text on SQLite). Rows that
several users may edit at once carry a ``version`` counter for optimistic locking.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary,
                        MetaData, String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from workbench.store.types import ExactDecimal, JSONText

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


UTC = DateTime(timezone=True)


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|completed|failed|cancelled
    started_at: Mapped[datetime] = mapped_column(UTC)
    finished_at: Mapped[datetime | None] = mapped_column(UTC)
    as_of: Mapped[date] = mapped_column(Date)
    period: Mapped[str | None] = mapped_column(String(40))
    user_name: Mapped[str] = mapped_column(String(120))
    config_path: Mapped[str | None] = mapped_column(Text)
    config: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # the run config, secrets never included
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # counts, control totals, api usage
    software_version: Mapped[str] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)


class RunSource(Base):
    __tablename__ = "run_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(3))
    system: Mapped[str] = mapped_column(String(60))
    connector: Mapped[str] = mapped_column(String(40))
    instance: Mapped[str | None] = mapped_column(Text)
    api_version: Mapped[str | None] = mapped_column(String(20))
    objects: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    queries: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    extracted_at: Mapped[datetime] = mapped_column(UTC)
    incremental_since: Mapped[datetime | None] = mapped_column(UTC)
    row_counts: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    api_usage: Mapped[dict[str, Any] | None] = mapped_column(JSONText)


class Snapshot(Base):
    """Every record pulled, as the source sent it, with its hash and the query/file it came from."""
    __tablename__ = "snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(3))
    object: Mapped[str] = mapped_column(String(80))  # the source's object/file name
    kind: Mapped[str | None] = mapped_column(String(20))  # canonical kind (customers, invoices, ...)
    record_id: Mapped[str] = mapped_column(String(80))
    query: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # the raw record as the source sent it (JSON)
    canonical: Mapped[str | None] = mapped_column(Text)  # the canonical record it became (JSON)
    __table_args__ = (Index("ix_snapshots_run_record", "run_id", "side", "kind", "record_id"),)


class SnapshotBlob(Base):
    """One compressed, columnar part of what a run pulled (Parquet, zstd), named by the SHA-256 of its
    bytes: a re-run whose data did not change references the same blob and adds no bytes."""
    __tablename__ = "snapshot_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class SnapshotPart(Base):
    """A run side's pulled data, part by part (workbench.store.snapshots): the meta, the raw records
    of each kind, the canonical frame of each kind, the reference issues. Runs stored before these
    parts existed keep their records as rows of ``snapshots``."""
    __tablename__ = "snapshot_parts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(3))
    part: Mapped[str] = mapped_column(String(80))  # meta | raw:<kind> | frame:<kind> | issues
    rows: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("snapshot_blobs.sha256"), index=True)
    __table_args__ = (UniqueConstraint("run_id", "side", "part", name="uq_snapshot_parts_run_side_part"),)


class CustomerLink(Base):
    __tablename__ = "customer_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    crm_id: Mapped[str | None] = mapped_column(String(80))
    erp_id: Mapped[str | None] = mapped_column(String(80))
    method: Mapped[str] = mapped_column(String(40))  # xref_crm, xref_erp, tax_id, domain, duns, fuzzy, manual
    confidence: Mapped[float] = mapped_column(Float)  # a score, not money
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    status: Mapped[str] = mapped_column(String(20), default="auto")  # auto|suggested|confirmed|rejected
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UTC)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ExceptionRow(Base):
    __tablename__ = "exceptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(300))  # stable identity across runs: type + refs + field
    type: Mapped[str] = mapped_column(String(60))
    family: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))  # critical|high|medium|low
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|in_review|resolved|waived|reopened
    crm_object: Mapped[str | None] = mapped_column(String(60))
    crm_id: Mapped[str | None] = mapped_column(String(80))
    erp_object: Mapped[str | None] = mapped_column(String(60))
    erp_id: Mapped[str | None] = mapped_column(String(80))
    crm_number: Mapped[str | None] = mapped_column(String(120))  # business numbers a person looks up
    erp_number: Mapped[str | None] = mapped_column(String(120))
    customer_name: Mapped[str | None] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(80))
    crm_value: Mapped[str | None] = mapped_column(Text)
    erp_value: Mapped[str | None] = mapped_column(Text)
    difference: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    amount_at_risk: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    currency: Mapped[str | None] = mapped_column(String(3))
    diffs: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONText)
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    message: Mapped[str | None] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(120))
    first_seen: Mapped[datetime] = mapped_column(UTC)
    last_seen: Mapped[datetime] = mapped_column(UTC)
    resolution: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # ix_exceptions_run_id: a run's rows come back in id order straight from the index (no sort)
    __table_args__ = (Index("ix_exceptions_run_type", "run_id", "type"), Index("ix_exceptions_key", "key"),
                      Index("ix_exceptions_run_id", "run_id", "id"))


class Correction(Base):
    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exception_id: Mapped[int | None] = mapped_column(ForeignKey("exceptions.id", ondelete="SET NULL"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"), index=True)
    target_side: Mapped[str] = mapped_column(String(3))  # crm|erp
    target_system: Mapped[str] = mapped_column(String(60))
    target_object: Mapped[str] = mapped_column(String(60))
    target_record: Mapped[str] = mapped_column(String(80))
    field: Mapped[str] = mapped_column(String(80))
    from_value: Mapped[Any] = mapped_column(JSONText, nullable=True)  # None: the field was blank
    to_value: Mapped[Any] = mapped_column(JSONText, nullable=True)  # None: clear the field
    # a compound correction's further changes on the same record: [{"field", "from", "to"}, ...]
    also: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONText, nullable=True)
    seen_version: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    preparer: Mapped[str] = mapped_column(String(120))
    prepared_at: Mapped[datetime] = mapped_column(UTC)
    approver: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UTC)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTC)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTC)
    last_error: Mapped[str | None] = mapped_column(Text)
    response_id: Mapped[str | None] = mapped_column(String(200))
    pushed_at: Mapped[datetime | None] = mapped_column(UTC)
    verification: Mapped[str | None] = mapped_column(String(40))  # agreed|still_differs|not_checked
    version: Mapped[int] = mapped_column(Integer, default=1)


class AuditEvent(Base):
    """Append-only, hash-chained: hash = sha256(prev_hash + canonical JSON of the event)."""
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTC)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(80))
    run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # an exception's history and "changed by whom" look events up by what they are about
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)


class User(Base):
    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated: preparer,approver,auditor,admin
    os_login: Mapped[str | None] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTC)


class Presence(Base):
    """Who has the app open, for the team view; refreshed by a heartbeat."""
    __tablename__ = "presence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(120))
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(Integer)
    last_seen: Mapped[datetime] = mapped_column(UTC)
    __table_args__ = (UniqueConstraint("user_name", "host", "pid", name="uq_presence_session"),)


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exception_key: Mapped[str] = mapped_column(String(300), index=True)
    author: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTC)
    text: Mapped[str] = mapped_column(Text)


class AuditAnchor(Base):
    """The chain's head as the last writer left it (one row), MAC'd with a key kept outside the store.

    A store editor can cut, extend or re-chain ``audit_events`` with the published hash rule, but
    cannot make this row agree with the result without the key (workbench.store.anchor).
    """
    __tablename__ = "audit_anchor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))  # HMAC-SHA256 of (events, head_hash); None: no key


class ExportRecord(Base):
    """What an exported workbook held when it was written, kept where its reader cannot reach it.

    ``export --verify`` compares a file with this record (so a forger who edits cells and
    recomputes the Cover's manifest by its published rule is still caught) and the store with
    it (so "file edited since export" and "store changed since export" are told apart).
    """
    __tablename__ = "export_records"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # printed on the Cover as "Export id"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    exported_at: Mapped[datetime] = mapped_column(UTC)
    exported_by: Mapped[str] = mapped_column(String(120))
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[str] = mapped_column(String(64))  # the data manifest (cell values)
    sheet_hashes: Mapped[list[Any]] = mapped_column(JSONText)  # [[sheet, hash], ...] in workbook order
    presentation: Mapped[dict[str, Any]] = mapped_column(JSONText)  # workbench.export.presentation
    trail_head: Mapped[str] = mapped_column(String(64))  # the audit chain's last hash when exported
    trail_events: Mapped[int] = mapped_column(Integer)  # and its number of events


# ---------------------------------------------------------------- month-end close (workbench.close)


class Period(Base):
    """A reporting period (``2026-10``) that groups the runs whose config names it, and its close state."""
    __tablename__ = "periods"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="open")  # open|signed_off|certified
    reporting_currency: Mapped[str | None] = mapped_column(String(3))
    fx_source: Mapped[str | None] = mapped_column(Text)  # where the rate table came from, with its SHA-256
    materiality: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # {"absolute": "50.00", "by_severity": {}}
    due_days: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # severity -> days to resolve
    created_at: Mapped[datetime] = mapped_column(UTC)
    version: Mapped[int] = mapped_column(Integer, default=1)


class FxRate(Base):
    """Units of the period's reporting currency for one unit of ``currency``."""
    __tablename__ = "fx_rates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(ForeignKey("periods.name", ondelete="CASCADE"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    __table_args__ = (UniqueConstraint("period", "currency", name="uq_fx_rates_period_currency"),)


class PeriodSignoff(Base):
    """One close action on a period (signoff, certify, reopen), never updated: the history is the rows."""
    __tablename__ = "period_signoffs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(ForeignKey("periods.name", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # signoff|certify|reopen
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTC)
    reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # open items' digest, counts and totals
    snapshot_hash: Mapped[str | None] = mapped_column(String(64))
    trail_count: Mapped[int | None] = mapped_column(Integer)
    trail_head: Mapped[str | None] = mapped_column(String(64))


class CarryForward(Base):
    """A critical item left open at certification, on purpose, with the reason."""
    __tablename__ = "carry_forwards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(ForeignKey("periods.name", ondelete="CASCADE"), index=True)
    exception_key: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTC)
    __table_args__ = (UniqueConstraint("period", "exception_key", name="uq_carry_forwards_period_key"),)


class Attachment(Base):
    """Supporting evidence for an exception, kept in the store with its hash."""
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exception_key: Mapped[str] = mapped_column(String(300), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploader: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTC)
