"""Confirming or rejecting suggested customer links, with an audit event for every decision.

A fuzzy or partial-evidence link arrives as ``suggested``; a person decides. The
decision is kept on the link row (who, when, version) and in the audit trail in the
same transaction, so the next run and the auditor see it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.close.lock import ensure_open
from workbench.store import trail
from workbench.errors import IllegalTransition, InputError, StaleState
from workbench.model.changes import ChangedRow, Changes
from workbench.store.db import Store
from workbench.store.schema import CustomerLink
from workbench.team.users import require

# Which decisions are allowed from which link status.
_ALLOWED = {"confirmed": {"suggested", "rejected"}, "rejected": {"suggested", "confirmed"}}


def confirm_link(store: Store, link_id: int, user: str, *, reason: str | None = None,
                 expected_version: int | None = None) -> ChangedRow:
    """Accept a suggested link: the two customers are the same company."""
    return _decide(store, link_id, user, "confirmed", reason, expected_version)


def reject_link(store: Store, link_id: int, user: str, *, reason: str | None = None,
                expected_version: int | None = None) -> ChangedRow:
    """Refuse a suggested link: the two customers are different companies."""
    return _decide(store, link_id, user, "rejected", reason, expected_version)


def _decide(store: Store, link_id: int, user: str, to: str, reason: str | None,
            expected_version: int | None) -> ChangedRow:
    with store.session() as s:
        require(s, user, "link")
        link = s.get(CustomerLink, int(link_id), with_for_update=True)
        if link is None:
            raise InputError(f"customer link {link_id} does not exist in this store")
        ensure_open(s, run_id=link.run_id)
        if expected_version is not None and link.version != expected_version:
            raise StaleState(f"customer link {link_id} was changed by {link.decided_by or 'someone else'} "
                             f"since you opened it (now {link.status}); reload and decide again")
        if link.status == to:
            raise IllegalTransition(f"customer link {link_id} is already {to}")
        if link.status not in _ALLOWED[to]:
            raise IllegalTransition(f"customer link {link_id} was made automatically ({link.method}); "
                                    f"only suggested links can be {to}")
        before = link.status
        link.status = to
        link.decided_by = user
        link.decided_at = datetime.now(UTC)
        link.version = (link.version or 1) + 1
        s.flush()
        trail.append(s, actor=user, action=f"link.{to}", entity_type="customer_link", entity_id=link.id,
                     run_id=link.run_id,
                     detail={"crm_id": link.crm_id, "erp_id": link.erp_id, "method": link.method,
                             "confidence": link.confidence, "status_before": before, "status_after": to,
                             "reason": reason, "version": link.version})
        return ChangedRow({"id": link.id, "status": link.status, "decided_by": link.decided_by,
                           "decided_at": link.decided_at, "version": link.version}, Changes.of(links=[link.id]))
