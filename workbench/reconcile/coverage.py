"""Kinds one side holds and the other holds none of.

Every record of the side that has them is then reported missing on the other: thousands of
findings that say only that the other side read nothing (a file with a header and no rows, a
filter that takes nothing, an object the mapping does not name). The run says so once, in words,
beside its findings.
"""

from __future__ import annotations

from workbench.reconcile.orders import booked
from workbench.sources.base import Extract

# the kinds both sides hold and the engine compares record by record
COMPARED = ("customers", "prices", "orders", "invoices")
_SIDE = {"crm": "CRM", "erp": "ERP"}


def _source(ex: Extract, kind: str) -> str:
    """Where the side read the kind from, as its connector noted it: a file, an object."""
    ledger = ex.meta.ledger.get(kind)
    if isinstance(ledger, dict) and ledger.get("file"):
        return f"file {ledger['file']}"
    return ex.meta.objects.get(kind) or f"[{ex.meta.side}.objects.{kind}]"


def _compared(ex: Extract, kind: str) -> int:
    """How many of the side's records of the kind the engine compares: a CRM order only once booked."""
    frame = ex.frame(kind)
    if kind == "orders" and ex.meta.side == "crm" and "booked" in frame.columns:
        return int(booked(frame).sum())
    return len(frame)


def one_sided_kinds(crm: Extract, erp: Extract) -> list[str]:
    """One line per compared kind that one side holds records of and the other none."""
    out = []
    for kind in COMPARED:
        n = {"crm": _compared(crm, kind), "erp": _compared(erp, kind)}
        for empty, full in (("crm", "erp"), ("erp", "crm")):
            ex = crm if empty == "crm" else erp
            if kind == "prices" and kind not in ex.frames and n[full] > 0:  # pricing.compare's both_priced
                out.append(f"the {_SIDE[empty]} side reads no price list (no object is mapped to prices; Business "
                           f"Central's API v2.0 publishes none): the {_SIDE[full]} side's {n[full]:,} prices are not "
                           f"compared. Map [{empty}.objects.prices] to compare them")
            elif n[empty] == 0 and n[full] > 0:
                out.append(f"the {_SIDE[empty]} side read no {kind} ({_source(ex, kind)}) while the "
                           f"{_SIDE[full]} side has {n[full]:,}: the run can only report those missing in the "
                           f"{_SIDE[empty]}. Check that the {_SIDE[empty]} extract or filter for {kind} is the "
                           f"one meant")
    return out
