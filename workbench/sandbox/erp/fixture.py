"""A small deterministic ERP data set in canonical records.

Used when no scenario directory is given and the shared scenario generator is not
available, and by the benchmark, which needs hundreds of thousands of customers
and a million invoices fast. Ids are GUIDs as Business Central gives them.
"""

from __future__ import annotations

import random
from typing import Any
import uuid
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal
from collections.abc import Iterator

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF")
COUNTRIES = ("US", "DE", "GB", "JP", "CH", "FR", "NL")
CITIES = ("Atlanta", "Berlin", "London", "Osaka", "Zurich", "Paris", "Utrecht")
WORDS = ("Adatum", "Contoso", "Fabrikam", "Northwind", "Tailspin", "Litware", "Proseware",
         "Wingtip", "Alpine", "Coho", "Lucerne", "Margie", "Trey", "Humongous", "Woodgrove")
SUFFIX = ("Corporation", "GmbH", "Ltd", "KK", "AG", "SA", "BV", "Inc")
INVOICE_STATES = (("Open", 50), ("Paid", 35), ("Draft", 5), ("Canceled", 3), ("Corrective", 7))
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _money(rng: random.Random, low: int, high: int, ccy: str) -> Decimal:
    cents = rng.randint(low * 100, high * 100)
    return Decimal(cents // 100) if ccy == "JPY" else Decimal(cents).scaleb(-2)


def customers(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = rng.randrange(len(COUNTRIES))
        ccy = CURRENCIES[min(k, len(CURRENCIES) - 1)]
        out.append({
            "record_id": _guid(rng), "number": f"C{10000 + i}",
            "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {SUFFIX[k % len(SUFFIX)]} {i}",
            "xref": None if rng.random() < 0.1 else "001" + format(rng.getrandbits(60), "015X")[:15],
            "street": f"{rng.randint(1, 999)} Market Square", "city": CITIES[k],
            "postcode": f"{rng.randint(10000, 99999)}",
            "state": None, "country": COUNTRIES[k], "tax_id": f"{COUNTRIES[k]}{rng.randint(10**8, 10**9 - 1)}",
            "website": None, "email": f"ap{i}@example.com", "phone": None, "duns": None,
            "currency": ccy, "parent_id": None, "blocked": "All" if rng.random() < 0.03 else None,
            "active": True, "last_modified": T0 + timedelta(minutes=i % 10_000),
        })
    return out


def products(n: int = 20, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed + 1)
    return [{"record_id": _guid(rng), "code": f"ITEM-{1000 + i}", "name": f"{rng.choice(WORDS)} licence {i}",
             "active": True, "last_modified": T0} for i in range(n)]


def prices(items: list[dict[str, Any]], seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed + 2)
    out = []
    for p in items:
        for ccy in ("USD", "EUR", "JPY"):
            out.append({"record_id": _guid(rng), "product_code": p["code"], "product_id": p["record_id"],
                        "product_name": p["name"], "currency": ccy, "unit_price": _money(rng, 10, 2000, ccy),
                        "pricebook": "STANDARD", "effective_date": date(2026, 1, 1), "end_date": None,
                        "min_quantity": Decimal(0), "active": True, "last_modified": T0})
    return out


def invoices(custs: list[dict[str, Any]], n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Invoices spread over the customers (streamed: the benchmark asks for a million)."""
    rng = random.Random(seed + 3)
    weights = [w for _, w in INVOICE_STATES]
    states = [s for s, _ in INVOICE_STATES]
    for i in range(n):
        c = custs[i % len(custs)]
        ccy = c["currency"] or "USD"
        total = _money(rng, 100, 50_000, ccy)
        status = rng.choices(states, weights)[0]
        remaining = {"Open": total, "Paid": Decimal(0), "Draft": total, "Canceled": Decimal(0),
                     "Corrective": Decimal(0)}[status]
        if status == "Open" and rng.random() < 0.2:
            remaining = (total / 2).quantize(total) if ccy != "JPY" else Decimal(int(total) // 2)
        inv_date = date(2026, 1, 1) + timedelta(days=i % 300)
        yield {"record_id": _guid(rng), "number": f"PS-INV{100000 + i}", "customer_id": c["record_id"],
               "currency": ccy, "total_amount": total, "open_balance": remaining,
               "status": _canonical(status, total, remaining), "status_raw": status,
               "invoice_date": inv_date, "due_date": inv_date + timedelta(days=30),
               "order_ref": None, "is_credit_note": status == "Corrective",
               "last_modified": T0 + timedelta(seconds=i)}


def _canonical(bc_status: str, total: Decimal, remaining: Decimal) -> str:
    if bc_status == "Open" and 0 < remaining < total:
        return "partially_paid"
    return {"Open": "open", "Paid": "paid", "Draft": "draft", "Canceled": "void",
            "Corrective": "credit_note"}[bc_status]


def orders(custs: list[dict[str, Any]], items: list[dict[str, Any]], n: int, seed: int = 7
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed + 4)
    out, lines = [], []
    for i in range(n):
        c = custs[i % len(custs)]
        ccy = c["currency"] or "USD"
        oid = _guid(rng)
        total = Decimal(0)
        for _j in range(rng.randint(1, 3)):
            p = rng.choice(items)
            qty = Decimal(rng.randint(1, 20))
            unit = _money(rng, 10, 2000, ccy)
            lines.append({"record_id": _guid(rng), "order_id": oid, "product_code": p["code"], "quantity": qty,
                          "unit_price": unit, "currency": ccy, "discount_percent": Decimal(0),
                          "amount": qty * unit, "last_modified": T0})
            total += qty * unit
        out.append({"record_id": oid, "number": f"S-ORD{10000 + i}", "customer_id": c["record_id"],
                    "currency": ccy, "total_amount": total, "order_date": date(2026, 9, 1) + timedelta(days=i % 60),
                    "status": "Open", "booked": True, "xref": None, "kind": "salesOrder", "last_modified": T0})
    return out, lines


def payments(invs: list[dict[str, Any]], seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed + 5)
    out = []
    for inv in invs:
        paid = (inv["total_amount"] or 0) - (inv["open_balance"] or 0)
        if inv["status"] in ("paid", "partially_paid") and paid > 0:
            out.append({"record_id": _guid(rng), "customer_id": inv["customer_id"], "amount": paid,
                        "currency": inv["currency"], "invoice_number": inv["number"],
                        "payment_date": inv["due_date"], "last_modified": T0})
    return out


def dataset(customers_n: int = 200, seed: int = 7, invoices_per_customer: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Every canonical kind for a small ERP company (invoice status as Business Central spells it)."""
    custs = customers(customers_n, seed)
    items = products(20, seed)
    invs = list(invoices(custs, customers_n * invoices_per_customer, seed))
    ords, lines = orders(custs, items, max(1, customers_n // 2), seed)
    return {"customers": custs, "products": items, "prices": prices(items, seed), "orders": ords,
            "order_lines": lines, "invoices": invs, "payments": payments(invs, seed)}
