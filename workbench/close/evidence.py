"""Comments and supporting files on an exception, by its key (so they follow it from run to run).

Attachments are stored in the store itself with their SHA-256, size and uploader, so the evidence an
auditor sees is the evidence that was attached. Neither can be added once the exception's period is
certified (the period lock), and neither is ever edited: a correction is a new comment. The period is
the one of the exception's own run: an item carried forward from a certified period is worked on, with
its comments and files, in the next one (each is dated, so the certified period's evidence is what was
there at its certification).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.close.lock import ensure_open
from workbench.errors import InputError
from workbench.store import trail
from workbench.store.db import Store
from workbench.store.schema import Attachment, Comment, ExceptionRow
from workbench.team.users import require

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024  # evidence, not archives: a scan or a statement
MAX_COMMENT_CHARS = 10_000


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    exception_key: str
    file_name: str
    size: int
    sha256: str
    uploader: str
    at: datetime


def _exception(s: Session, exception_id: int) -> ExceptionRow:
    exc = s.get(ExceptionRow, int(exception_id))
    if exc is None:
        raise InputError(f"exception {exception_id} does not exist in this store")
    return exc


def add_comment(store: Store, exception_id: int, user: str, text: str) -> int:
    """A comment on the exception (who, when, text); returns its id."""
    body = (text or "").strip()
    if not body:
        raise InputError("a comment needs text")
    if len(body) > MAX_COMMENT_CHARS:
        raise InputError(f"a comment holds at most {MAX_COMMENT_CHARS:,} characters (got {len(body):,})")
    with store.session() as s:
        require(s, user, "comment")
        exc = _exception(s, exception_id)
        ensure_open(s, run_id=exc.run_id)  # its own period: the same key in a certified one is history
        row = Comment(exception_key=exc.key, author=user, at=datetime.now(UTC), text=body)
        s.add(row)
        s.flush()
        trail.append(s, actor=user, action="exception.commented", entity_type="exception", entity_id=exc.id,
                     run_id=exc.run_id, detail={"key": exc.key, "comment_id": row.id,
                                                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()})
        return row.id


def attach(store: Store, exception_id: int, user: str, path: Path) -> AttachmentInfo:
    """Store a file as evidence for the exception, with its SHA-256; the file must be readable."""
    p = Path(path)
    if not p.is_file():
        raise InputError("not a readable file", file=str(p))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror or exc})", file=str(p)) from None
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InputError(f"{len(data):,} bytes; evidence files hold at most {MAX_ATTACHMENT_BYTES:,}",
                         file=str(p))
    digest = hashlib.sha256(data).hexdigest()
    with store.session() as s:
        require(s, user, "comment")
        item = _exception(s, exception_id)
        ensure_open(s, run_id=item.run_id)
        row = Attachment(exception_key=item.key, file_name=p.name[:255], size=len(data), sha256=digest,
                         content=data, uploader=user, at=datetime.now(UTC))
        s.add(row)
        s.flush()
        trail.append(s, actor=user, action="exception.attached", entity_type="exception", entity_id=item.id,
                     run_id=item.run_id, detail={"key": item.key, "attachment_id": row.id, "file_name": row.file_name,
                                                "size": row.size, "sha256": digest})
        return _info(row)


def _info(row: Attachment) -> AttachmentInfo:
    return AttachmentInfo(row.id, row.exception_key, row.file_name, row.size, row.sha256, row.uploader, row.at)


def comments(session: Session, exception_key: str) -> list[Comment]:
    return list(session.execute(select(Comment).where(Comment.exception_key == exception_key)
                                .order_by(Comment.id)).scalars())


def attachments(session: Session, exception_key: str) -> list[AttachmentInfo]:
    cols = (Attachment.id, Attachment.exception_key, Attachment.file_name, Attachment.size, Attachment.sha256,
            Attachment.uploader, Attachment.at)  # without the content: listing never loads the files
    return [AttachmentInfo(*r) for r in session.execute(select(*cols).where(Attachment.exception_key == exception_key)
                                                         .order_by(Attachment.id)).all()]


def attachment_content(session: Session, attachment_id: int) -> tuple[AttachmentInfo, bytes]:
    """The stored file, checked against its recorded hash (an edited store is named, not served)."""
    row = session.get(Attachment, int(attachment_id))
    if row is None:
        raise InputError(f"attachment {attachment_id} does not exist in this store")
    if hashlib.sha256(row.content).hexdigest() != row.sha256:
        raise InputError(f"attachment {attachment_id} ({row.file_name}) does not match its recorded SHA-256: "
                         "the store was edited")
    return _info(row), bytes(row.content)
