"""Small hand-built extracts for engine tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from workbench.config import from_dict
from workbench.model import frames
from workbench.sources.base import Extract, SourceMeta, snapshot_frame

D = Decimal
AS_OF = date(2026, 10, 31)


def extract(side: str, **kinds) -> Extract:
    fr = {kind: frames.from_records(kind, rows) for kind, rows in kinds.items()}
    return Extract(SourceMeta(side=side, system="test", connector="files"), fr, snapshot_frame([])).finish()


def config(rules: dict | None = None):
    return from_dict({"run": {"name": "t", "as_of": AS_OF.isoformat()},
                      "crm": {"connector": "files", "system": "salesforce"},
                      "erp": {"connector": "files", "system": "business_central"},
                      "rules": rules or {}})


def cust(rid, name, **kw):
    base = {"record_id": rid, "name": name, "street": kw.pop("street", "1 Main Street"),
            "city": kw.pop("city", "Boston"), "postcode": kw.pop("postcode", "02101"),
            "country": kw.pop("country", "US"), "currency": kw.pop("currency", "USD")}
    base.update(kw)
    return base


def inv(rid, number, customer, total, balance, status, ccy="USD", **kw):
    return {"record_id": rid, "number": number, "customer_id": customer, "currency": ccy,
            "total_amount": D(total), "open_balance": D(balance), "status": status,
            "invoice_date": kw.pop("invoice_date", date(2026, 9, 1)),
            "due_date": kw.pop("due_date", date(2026, 10, 1)), **kw}


def by_type(result, type_):
    return result.exceptions[result.exceptions["type"] == type_].to_dict("records")
