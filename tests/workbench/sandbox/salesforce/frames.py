"""A small CRM side in canonical frames, for seeding the Salesforce sandbox in tests."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal

from workbench.model import frames

COUNTRIES = ["DE", "US", "GB", "FR", "JP"]
CCY = {"DE": "EUR", "US": "USD", "GB": "GBP", "FR": "EUR", "JP": "JPY"}


def crm_frames(customers: int = 12) -> dict:
    stamp = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    cust = []
    for i in range(customers):
        country = COUNTRIES[i % len(COUNTRIES)]
        cust.append({"record_id": f"c{i}", "name": f"Customer {i:05d} GmbH", "number": f"A-{i:05d}",
                     "xref": f"C{10000 + i}" if i % 7 else None, "street": f"{i} Main Street",
                     "city": "Berlin" if country == "DE" else "Springfield", "postcode": f"{10000 + i}",
                     "country": country, "tax_id": f"DE{100000000 + i}" if country == "DE" else None,
                     "currency": CCY[country], "parent_id": "c0" if i in (3, 4) else None,
                     "last_modified": stamp})
    products = [{"record_id": f"p{i}", "code": f"SKU-{i}", "name": f"Product {i}", "active": True} for i in range(3)]
    prices = [{"record_id": f"pe{i}{c}", "product_code": f"SKU-{i}", "currency": c,
               "unit_price": Decimal("100.00") * (i + 1) + Decimal("0.50") if c != "JPY" else Decimal(15000 * (i + 1)),
               "product_name": f"Product {i}", "active": True}
              for i in range(3) for c in ("EUR", "USD", "JPY")]
    orders = [{"record_id": "o1", "number": "00000101", "customer_id": "c1", "currency": "USD",
               "total_amount": Decimal("1201.00"), "order_date": date(2026, 10, 5), "status": "Activated",
               "booked": True, "xref": "SO-1001", "kind": "Order"},
              {"record_id": "o2", "number": "Big deal", "customer_id": "c2", "currency": "GBP",
               "total_amount": Decimal("50000.00"), "order_date": date(2026, 10, 20), "status": "Closed Won",
               "booked": True, "kind": "Opportunity"}]
    lines = [{"record_id": "l1", "order_id": "o1", "product_code": "SKU-1", "quantity": Decimal("6"),
              "unit_price": Decimal("200.1666"), "currency": "USD", "amount": Decimal("1201.00")}]
    invoices = [{"record_id": "i1", "number": "INV-1001", "customer_id": "c1", "currency": "USD",
                 "total_amount": Decimal("1201.00"), "open_balance": Decimal("600.50"), "status": "partially_paid",
                 "status_raw": "Posted|Partially Paid", "invoice_date": date(2026, 10, 6),
                 "due_date": date(2026, 11, 5), "order_ref": "o1"},
                {"record_id": "i2", "number": "INV-1002", "customer_id": "c4", "currency": "JPY",
                 "total_amount": Decimal("15000"), "open_balance": Decimal("0"), "status": "paid",
                 "invoice_date": date(2026, 9, 6), "due_date": date(2026, 10, 6)}]
    return {"customers": frames.from_records("customers", cust), "products": frames.from_records("products", products),
            "prices": frames.from_records("prices", prices), "orders": frames.from_records("orders", orders),
            "order_lines": frames.from_records("order_lines", lines),
            "invoices": frames.from_records("invoices", invoices)}
