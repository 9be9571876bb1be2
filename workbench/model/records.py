"""Canonical records, the shape every source is translated into.

Each source connector returns one pandas DataFrame per record kind whose columns
are exactly the fields of the dataclass below (``frames.columns(kind)``); single
records (side-by-side view, push) use the dataclasses themselves.

Conventions, binding for every connector and file mapping:
- ``record_id``: the record's own id in its system (Salesforce 18-char Id, Business
  Central GUID, Odoo integer id as text, file key). Push writes use it.
- ``customer_id`` on prices/orders/invoices/payments: the ``record_id`` of the
  customer in the *same* system.
- ``xref``: the other system's key as stored in this record (CRM: the ERP
  customer/order number; ERP: the Salesforce Account Id), None when blank.
- money is Decimal (never float) with ``currency`` an ISO 4217 code; dates are
  ``datetime.date``; ``last_modified`` a timezone-aware UTC datetime.
- ``version``: what the system uses for optimistic concurrency (Salesforce
  SystemModstamp, Business Central @odata.etag, Odoo write_date, file content hash).
- invoice ``status`` is canonical (model.status); ``status_raw`` keeps the
  source's own values joined by "|" for display and audit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal


@dataclass(slots=True)
class Customer:
    record_id: str
    name: str
    number: str | None = None
    xref: str | None = None
    street: str | None = None
    city: str | None = None
    postcode: str | None = None
    state: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 where the source allows
    tax_id: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    duns: str | None = None
    currency: str | None = None
    parent_id: str | None = None  # record_id of the parent / bill-to customer, same system
    blocked: str | None = None  # None/"" active; else the system's block value ("All", "Invoice", ...)
    active: bool | None = None
    last_modified: datetime | None = None
    version: str | None = None


@dataclass(slots=True)
class Product:
    record_id: str
    code: str
    name: str | None = None
    active: bool | None = None
    last_modified: datetime | None = None
    version: str | None = None


@dataclass(slots=True)
class PriceEntry:
    record_id: str
    product_code: str
    currency: str
    unit_price: Decimal
    pricebook: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    effective_date: date | None = None
    end_date: date | None = None
    min_quantity: Decimal | None = None
    active: bool | None = None
    last_modified: datetime | None = None
    version: str | None = None


@dataclass(slots=True)
class Order:
    record_id: str
    number: str | None
    customer_id: str | None
    currency: str
    total_amount: Decimal | None = None
    order_date: date | None = None
    status: str | None = None  # source's own value
    booked: bool | None = None  # CRM: Closed Won / Activated; ERP: a released sales order
    xref: str | None = None  # the other side's order number
    kind: str | None = None  # "Order", "Opportunity", "salesOrder", "sale.order"
    last_modified: datetime | None = None
    version: str | None = None


@dataclass(slots=True)
class OrderLine:
    record_id: str
    order_id: str
    product_code: str | None
    quantity: Decimal
    unit_price: Decimal
    currency: str
    list_price: Decimal | None = None
    discount_percent: Decimal | None = None
    amount: Decimal | None = None
    last_modified: datetime | None = None
    version: str | None = None


@dataclass(slots=True)
class Invoice:
    record_id: str
    number: str | None  # the ERP invoice number (CRM side: its reference to it)
    customer_id: str | None
    currency: str
    total_amount: Decimal | None
    open_balance: Decimal | None
    status: str  # canonical
    status_raw: str | None = None
    invoice_date: date | None = None
    due_date: date | None = None
    order_ref: str | None = None
    # the ERP invoice's reference to the CRM document (BC externalDocumentNumber, Odoo ref)
    external_ref: str | None = None
    is_credit_note: bool = False
    last_modified: datetime | None = None
    version: str | None = None


@dataclass(slots=True)
class Payment:
    record_id: str
    customer_id: str | None
    amount: Decimal
    currency: str
    invoice_number: str | None = None
    payment_date: date | None = None
    last_modified: datetime | None = None
    version: str | None = None


RECORD_TYPES: dict[str, type] = {
    "customers": Customer,
    "products": Product,
    "prices": PriceEntry,
    "orders": Order,
    "order_lines": OrderLine,
    "invoices": Invoice,
    "payments": Payment,
}

KINDS = tuple(RECORD_TYPES)


def field_names(kind: str) -> list[str]:
    return [f.name for f in fields(RECORD_TYPES[kind])]


def required_fields(kind: str) -> list[str]:
    from dataclasses import MISSING
    return [f.name for f in fields(RECORD_TYPES[kind]) if f.default is MISSING and f.default_factory is MISSING]


MONEY_FIELDS = {
    "prices": ("unit_price",),
    "orders": ("total_amount",),
    "order_lines": ("unit_price", "list_price", "amount"),
    "invoices": ("total_amount", "open_balance"),
    "payments": ("amount",),
}
DECIMAL_FIELDS = {**MONEY_FIELDS, "prices": ("unit_price", "min_quantity"),
                  "order_lines": ("unit_price", "list_price", "amount", "quantity", "discount_percent")}
DATE_FIELDS = {
    "prices": ("effective_date", "end_date"), "orders": ("order_date",),
    "invoices": ("invoice_date", "due_date"), "payments": ("payment_date",),
}
