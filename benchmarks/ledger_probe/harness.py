"""Build canonical extracts from compact case rows, run the engine, compare with a controller's expectation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from workbench.config import from_dict
from workbench.model import frames
from workbench.reconcile.engine import reconcile
from workbench.sources.base import Extract, SourceMeta, snapshot_frame

D = Decimal
AS_OF = date(2026, 10, 31)
CRM_CUST = "001000000000001AAA"  # an 18-char Salesforce Account id
Expect = tuple[str, str, str | None]  # (exception type, amount at risk, currency)


@dataclass
class Case:
    cls: str
    name: str
    crm: dict[str, list[dict[str, Any]]]
    erp: dict[str, list[dict[str, Any]]]
    expect: list[Expect]
    rules: dict[str, Any] = field(default_factory=dict)
    why: str = ""
    # extra checks: ("recon", currency, key, value) on stats["reconciling"], ("total", side, ccy, field, value)
    checks: list[tuple[Any, ...]] = field(default_factory=list)
    families: tuple[str, ...] = ("invoice", "pricing", "order", "timing")


def cust(rid: str, name: str, **kw: Any) -> dict[str, Any]:
    return {"record_id": rid, "name": name, "street": "1 Main Street", "city": "Boston", "postcode": "02101",
            "country": "US", "currency": "USD", **kw}


def customers() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    crm = [cust(CRM_CUST, "Acme Inc", xref="C1", tax_id="12-3456789"),
           cust("001000000000002AAA", "Globex GmbH", xref="C2", tax_id="DE123456789", country="DE")]
    erp = [cust("e1", "Acme Inc", number="C1", tax_id="123456789"),
           cust("e2", "Globex GmbH", number="C2", tax_id="DE123456789", country="DE")]
    return crm, erp


def inv(rid: str, number: str | None, customer: str, total: str, balance: str, status: str, ccy: str = "USD",
        **kw: Any) -> dict[str, Any]:
    return {"record_id": rid, "number": number, "customer_id": customer, "currency": ccy,
            "total_amount": D(total), "open_balance": D(balance), "status": status,
            "is_credit_note": status == "credit_note",
            "invoice_date": kw.pop("invoice_date", date(2026, 9, 1)),
            "due_date": kw.pop("due_date", date(2026, 10, 1)), **kw}


def price(rid: str, code: str, ccy: str, amount: str, **kw: Any) -> dict[str, Any]:
    return {"record_id": rid, "product_code": code, "currency": ccy, "unit_price": D(amount), **kw}


def _extract(side: str, kinds: dict[str, list[dict[str, Any]]]) -> Extract:
    fr = {kind: frames.from_records(kind, rows) for kind, rows in kinds.items()}
    return Extract(SourceMeta(side=side, system="probe", connector="files"), fr, snapshot_frame([])).finish()


def run(case: Case) -> tuple[list[Expect], list[str], Any]:
    cc, ec = customers()
    crm = {"customers": cc, **case.crm}
    erp = {"customers": ec, **case.erp}
    cfg = from_dict({"run": {"name": "probe", "as_of": AS_OF.isoformat()},
                     "crm": {"connector": "files", "system": "salesforce"},
                     "erp": {"connector": "files", "system": "business_central"},
                     "rules": case.rules})
    res = reconcile(_extract("crm", crm), _extract("erp", erp), cfg)
    got = sorted((r["type"], _amt(r["amount_at_risk"]), r["currency"])
                 for r in res.exceptions.to_dict("records") if r["family"] in case.families)
    problems = []
    for ccy, rec in res.stats["reconciling"].items():
        if D(rec["unexplained"]) != 0:
            problems.append(f"{ccy} unexplained {rec['unexplained']}")
    for chk in case.checks:
        if chk[0] == "recon":
            _, ccy, key, want = chk
            have = res.stats["reconciling"].get(ccy, {}).get(key)
            if have is None or D(have) != D(want):
                problems.append(f"reconciling[{ccy}][{key}] = {have}, expected {want}")
        elif chk[0] == "total":
            _, side, ccy, fld, want = chk
            rows = [r for r in res.control_totals.to_dict("records") if r["side"] == side and r["currency"] == ccy]
            have = rows[0][fld] if rows else None
            if have is None or D(str(have)) != D(want):
                problems.append(f"control total {side} {ccy} {fld} = {have}, expected {want}")
        elif chk[0] == "field":  # ("field", exception type, column, expected value)
            _, type_, col, want = chk
            have = [r[col] for r in res.exceptions.to_dict("records") if r["type"] == type_]
            if have != [want]:
                problems.append(f"{type_} {col} = {have}, expected {want!r}")
        elif chk[0] == "proposal_to":  # ("proposal_to", exception type, expected 'to' value)
            _, type_, want = chk
            have = [(r["proposal"] or {}).get("to") for r in res.exceptions.to_dict("records") if r["type"] == type_]
            if have != [want]:
                problems.append(f"{type_} proposal to = {have}, expected {want!r}")
    return got, problems, res


def _amt(v: Any) -> str:
    if v is None:
        return "None"
    return format(D(v).normalize(), "f")


def norm(expect: list[Expect]) -> list[Expect]:
    return sorted((t, _amt(D(a)), c) for t, a, c in expect)
