"""The correction lifecycle: which state may follow which, and the audit event of each step.

    proposed    -> approved | rejected | waived
    approved    -> queued | waived
                   | approved (again, by a current approver, when its approver can no longer
                               approve: deactivated or no longer an approver; the push holds it)
                   | applied | dead_letter  (the CSV route of a side that cannot be written:
                                             the loader's success or error file says which)
    queued      -> pushing | waived
                   | approved (approved again, as above: the next push queues it anew)
    pushing     -> applied | conflict | failed
                   | queued   (only when a crashed push is recovered and the target still
                               holds the old value: nothing was written, so it goes back in line)
    failed      -> queued (retry after a transient error) | dead_letter
    dead_letter -> queued (replay after a fix) | waived | applied (CSV route: loaded on a later try)
    conflict    -> waived
    applied, rejected, waived: final

Every step goes through ``transition``, which refuses an illegal one with a one-line
reason and appends an audit event in the same transaction (who, when, why, the
values before/after, the source record version seen, the correction's new version).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workbench.store import trail
from workbench.close.lock import ensure_open
from workbench.errors import IllegalTransition, StaleState
from workbench.model.states import CorrectionState
from workbench.store.schema import Correction

STATES = tuple(CorrectionState)
_S = CorrectionState  # the table reads as the diagram above
TRANSITIONS: dict[str, tuple[CorrectionState, ...]] = {
    _S.PROPOSED: (_S.APPROVED, _S.REJECTED, _S.WAIVED),
    _S.APPROVED: (_S.QUEUED, _S.WAIVED, _S.APPLIED, _S.DEAD_LETTER, _S.APPROVED),
    _S.QUEUED: (_S.PUSHING, _S.WAIVED, _S.APPROVED),
    _S.PUSHING: (_S.APPLIED, _S.CONFLICT, _S.FAILED, _S.QUEUED),
    _S.FAILED: (_S.QUEUED, _S.DEAD_LETTER),
    _S.DEAD_LETTER: (_S.QUEUED, _S.WAIVED, _S.APPLIED),
    _S.CONFLICT: (_S.WAIVED,),
    _S.APPLIED: (),
    _S.REJECTED: (),
    _S.WAIVED: (),
}
# States in which a correction still intends to change its target.
ACTIVE = (_S.PROPOSED, _S.APPROVED, _S.QUEUED, _S.PUSHING, _S.FAILED, _S.DEAD_LETTER)


def also_detail(corr: Correction) -> dict[str, Any]:
    """A compound correction's further field changes, each with its before and after, for its
    every event (nothing for a single-field correction, whose events stay as they were)."""
    return {"also": corr.also} if corr.also else {}


def can(state: str, to: str) -> bool:
    return to in TRANSITIONS.get(state, ())


def check(corr: Correction, to: str) -> None:
    if can(corr.state, to):
        return
    nxt = TRANSITIONS.get(corr.state, ())
    allowed = f"it can only become {', '.join(nxt)}" if nxt else "that is final"
    raise IllegalTransition(f"correction {corr.id} is {corr.state}; it cannot become {to} ({allowed})")


def transition(session: Session, corr: Correction, to: str, *, actor: str, reason: str | None = None,
               detail: dict[str, Any] | None = None, changes: dict[str, Any] | None = None) -> None:
    """Move ``corr`` to ``to`` (with ``changes`` to other columns) and record the step.

    The change is a compare-and-set on (state, version) as they were read: if anyone moved
    the correction meanwhile, nothing is written and StaleState is raised. Row locks do
    this on PostgreSQL; on SQLite, whose reads take no locks, this is what keeps two
    workers or two approvers from both acting on the same correction.
    """
    check(corr, to)
    ensure_open(session, run_id=corr.run_id)
    before, seen = corr.state, corr.version or 1
    values = {**(changes or {}), "state": to, "version": seen + 1}
    done: CursorResult[Any] = session.execute(  # type: ignore[assignment]  # an UPDATE answers with a cursor
        update(Correction).where(Correction.id == corr.id, Correction.state == before, Correction.version == seen)
        .values(**values).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise StaleState(f"correction {corr.id} was changed by someone else meanwhile (it was {before}); "
                         "refresh and decide again")
    for k, v in values.items():
        set_committed_value(corr, k, v)
    event = {
        "state_before": before, "state_after": to, "reason": reason,
        "exception_id": corr.exception_id,
        "target": {"side": corr.target_side, "system": corr.target_system, "object": corr.target_object,
                   "record": corr.target_record, "field": corr.field},
        "before": corr.from_value, "after": corr.to_value, "seen_version": corr.seen_version,
        "idempotency_key": corr.idempotency_key, "version": corr.version,
    }
    event.update(also_detail(corr))
    if detail:
        event.update(detail)
    trail.append(session, actor=actor, action=f"correction.{to}", entity_type="correction", entity_id=corr.id,
                 run_id=corr.run_id, detail=event)
