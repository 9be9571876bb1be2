"""The correction lifecycle: which state may follow which, and the audit event of each step.

    proposed    -> approved | rejected | waived
    approved    -> queued | waived
    queued      -> pushing | waived
    pushing     -> applied | conflict | failed
                   | queued   (only when a crashed push is recovered and the target still
                               holds the old value: nothing was written, so it goes back in line)
    failed      -> queued (retry after a transient error) | dead_letter
    dead_letter -> queued (replay after a fix) | waived
    conflict    -> waived
    applied, rejected, waived: final

Every step goes through ``transition``, which refuses an illegal one with a one-line
reason and appends an audit event in the same transaction (who, when, why, the
values before/after, the source record version seen, the correction's new version).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workbench.audit import trail
from workbench.errors import IllegalTransition
from workbench.store.schema import Correction

STATES = ("proposed", "approved", "rejected", "queued", "pushing", "applied", "conflict", "failed",
          "dead_letter", "waived")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("approved", "rejected", "waived"),
    "approved": ("queued", "waived"),
    "queued": ("pushing", "waived"),
    "pushing": ("applied", "conflict", "failed", "queued"),
    "failed": ("queued", "dead_letter"),
    "dead_letter": ("queued", "waived"),
    "conflict": ("waived",),
    "applied": (),
    "rejected": (),
    "waived": (),
}
FINAL = tuple(s for s, nxt in TRANSITIONS.items() if not nxt)
# States in which a correction still intends to change its target.
ACTIVE = ("proposed", "approved", "queued", "pushing", "failed", "dead_letter")


def can(state: str, to: str) -> bool:
    return to in TRANSITIONS.get(state, ())


def check(corr: Correction, to: str) -> None:
    if can(corr.state, to):
        return
    nxt = TRANSITIONS.get(corr.state, ())
    allowed = f"it can only become {', '.join(nxt)}" if nxt else "that is final"
    raise IllegalTransition(f"correction {corr.id} is {corr.state}; it cannot become {to} ({allowed})")


def transition(session: Session, corr: Correction, to: str, *, actor: str, reason: str | None = None,
               detail: dict[str, Any] | None = None) -> None:
    """Move ``corr`` to ``to`` and record the step; raises IllegalTransition if not allowed."""
    check(corr, to)
    before = corr.state
    corr.state = to
    corr.version = (corr.version or 1) + 1
    event = {
        "state_before": before, "state_after": to, "reason": reason,
        "exception_id": corr.exception_id,
        "target": {"side": corr.target_side, "system": corr.target_system, "object": corr.target_object,
                   "record": corr.target_record, "field": corr.field},
        "before": corr.from_value, "after": corr.to_value, "seen_version": corr.seen_version,
        "idempotency_key": corr.idempotency_key, "version": corr.version,
    }
    if detail:
        event.update(detail)
    session.flush()
    trail.append(session, actor=actor, action=f"correction.{to}", entity_type="correction", entity_id=corr.id,
                 run_id=corr.run_id, detail=event)
