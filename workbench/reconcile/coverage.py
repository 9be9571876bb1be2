"""Kinds one side holds and the other holds none of.

Where the other side read the kind and found nothing (a file with a header and no rows, a filter that
takes nothing), every record of the side that has them is reported missing on the other, and the run
says once, in words, beside those findings, that the other side read nothing. Where the other side does
not read the kind at all (no object is mapped to it: an ERP kept for invoices only, Business Central's
API v2.0, which publishes no price list), those records are not compared: thousands of "missing"
findings would only say that nothing was asked for. The run says that once too.
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


def unread_kinds(crm: Extract, erp: Extract) -> set[str]:
    """The compared kinds a side does not read at all (no object mapped to them): not compared."""
    return {kind for kind in COMPARED if not all(kind in ex.frames for ex in (crm, erp))}


def one_sided_kinds(crm: Extract, erp: Extract) -> list[str]:
    """One line per compared kind that one side holds records of and the other none."""
    out = []
    for kind in COMPARED:
        n = {"crm": _compared(crm, kind), "erp": _compared(erp, kind)}
        for empty, full in (("crm", "erp"), ("erp", "crm")):
            ex = crm if empty == "crm" else erp
            if kind not in ex.frames and n[full] > 0:
                what = ("reads no price list (no object is mapped to prices; Business Central's API v2.0 publishes "
                        "none)" if kind == "prices" else f"reads no {kind} (no object is mapped to {kind})")
                records = f"{n[full]:,} {kind} are" if n[full] > 1 else f"one {kind[:-1]} is"  # kinds are plurals
                out.append(f"the {_SIDE[empty]} side {what}: the {_SIDE[full]} side's {records} not compared. "
                           f"Map [{empty}.objects.{kind}] to compare them")
            elif n[empty] == 0 and n[full] > 0:
                out.append(f"the {_SIDE[empty]} side read no {kind} ({_source(ex, kind)}) while the "
                           f"{_SIDE[full]} side has {n[full]:,}: the run can only report those missing in the "
                           f"{_SIDE[empty]}. Check that the {_SIDE[empty]} extract or filter for {kind} is the "
                           f"one meant")
    return out
