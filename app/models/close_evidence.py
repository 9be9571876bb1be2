"""The comments and attachments of one exception as the side-by-side panel lists them, and whether
its period's lock makes them read-only — read in one worker call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.models.rows_model import Column


@dataclass
class Evidence:
    exception_id: int
    comments: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    locked: str | None = None  # why nothing can be added (the period is certified), else None


def _size(n: int) -> str:
    if n < 1024:
        return f"{n:,} B"
    if n < 1024 * 1024:
        return f"{n / 1024:,.1f} KB"
    return f"{n / (1024 * 1024):,.1f} MB"


COMMENT_COLUMNS = [Column("at", "When (UTC)"), Column("author", "Who"), Column("text", "Comment")]
ATTACHMENT_COLUMNS = [Column("file_name", "File"), Column("size", "Size", show=_size, align_right=True),
                      Column("uploader", "Uploaded by"), Column("at", "When (UTC)"), Column("sha256", "SHA-256")]


def load_evidence(store: Any, exception_id: int) -> Evidence:
    """Worker side: the exception's comments and files (without their content) and its period's lock."""
    from workbench.close import evidence
    from workbench.close.lock import PeriodLocked, ensure_open
    from workbench.store.schema import ExceptionRow

    with store.session() as s:
        exc = s.get(ExceptionRow, int(exception_id))
        if exc is None:
            return Evidence(int(exception_id))
        out = Evidence(int(exception_id))
        out.comments = [{"at": f"{c.at:%Y-%m-%d %H:%M}", "author": c.author, "text": c.text}
                        for c in evidence.comments(s, exc.key)]
        out.attachments = [{"id": a.id, "file_name": a.file_name, "size": a.size, "sha256": a.sha256,
                            "uploader": a.uploader, "at": f"{a.at:%Y-%m-%d %H:%M}"}
                           for a in evidence.attachments(s, exc.key)]
        try:
            ensure_open(s, run_id=exc.run_id)  # as the core decides: its own period (close.evidence)
        except PeriodLocked as locked:
            out.locked = str(locked)
        return out
