"""Business Central API v2.0 flavour of the ERP sandbox.

Speaks the wire as Microsoft documents it: ``/v2.0/{tenant}/{environment}/api/v2.0/
companies({id})/{entitySet}``, an Entra-style client-credentials token endpoint at
``/{tenant}/oauth2/v2.0/token``, ``@odata.context``/``@odata.etag``/``@odata.nextLink``,
``Prefer: odata.maxpagesize`` with a 20,000-entity page cap, ``$filter``/``$select``,
``$metadata``, and ``PATCH`` that demands ``If-Match`` (``BadRequest_InvalidToken``
without it, ``Request_EntityChanged`` when stale). Business Central has no standard
v2.0 price entity; prices are served as ``salesPrices`` under a route of their own
(``api/workbench/pricing/v1.0``, bc_schema.ROUTES), the way a tenant's own API page is, and customers' bill-to
numbers only on the tenant's own customers page (``api/workbench/sales/v1.0``, bc_schema.ROUTE_PROPERTIES).

Writes (``PATCH``, ``POST``) are checked against the sandbox's own ``$metadata`` (types,
``MaxLength``, enum members, read-only properties; see bc_schema). Reads implement
``$filter $select $orderby $top $skip $count $expand $skiptoken`` as the OData query
options page describes them ("Using OData query options", MicrosoftDocs
dynamics365smb-devitpro-pb); any other ``$`` option is refused with 400, never ignored.
docs/fidelity/business_central.md lists each behaviour and its source.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
import uuid
from datetime import date, datetime, timedelta, UTC
from http import HTTPStatus
from decimal import Decimal
from typing import Any
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from workbench.sandbox.erp.bc_schema import (API_V2, BLANK_DATE, BLANK_GUID, ENUMS, MAX_LENGTH, ROUTE_PROPERTIES,
                                             ROUTES, WriteRefused, check_value, member_name)
from workbench.sandbox.erp.faults import Faults
from workbench.sandbox.erp.odata_filter import FilterError, coerce, compile_filter
from workbench.sandbox.erp.server import Request, Response
from workbench.sandbox.erp.store import STAMP_SQL, SqlHint, RecordStore, loads
from workbench.sources.http_common import encode_json as dumps

PAGE_CAP = 20_000
# "Max batch size: The maximum number of operations in an OData V4 $batch request. 100" (Operational limits for
# Business Central online, OData request limits; dev-itpro/administration/operational-limits-online.md)
BATCH_CAP = 100
# Short type codes for the field tables below.
G, S, D, DT, DA, B, I = (  # noqa: E741
    "Edm.Guid", "Edm.String", "Edm.Decimal", "Edm.DateTimeOffset", "Edm.Date", "Edm.Boolean", "Edm.Int32")

# entity set -> (entity type, {property: EDM type}, writable properties)
ENTITIES: dict[str, tuple[str, dict[str, str], set[str]]] = {
    "customers": ("customer", {
        "id": G, "number": S, "displayName": S, "type": S, "addressLine1": S, "addressLine2": S, "city": S,
        "state": S, "country": S, "postalCode": S, "phoneNumber": S, "email": S, "website": S,
        "salespersonCode": S, "balanceDue": D, "creditLimit": D, "taxLiable": B, "taxRegistrationNumber": S,
        "currencyCode": S, "paymentTermsId": G, "blocked": S, "billToCustomerNumber": S,
        "lastModifiedDateTime": DT},
        {"displayName", "addressLine1", "addressLine2", "city", "state", "country", "postalCode", "phoneNumber",
         "email", "website", "taxRegistrationNumber", "currencyCode", "blocked", "creditLimit"}),
    "items": ("item", {
        "id": G, "number": S, "displayName": S, "type": S, "itemCategoryCode": S, "blocked": B, "gtin": S,
        "unitPrice": D, "priceIncludesTax": B, "unitCost": D, "baseUnitOfMeasureCode": S,
        "lastModifiedDateTime": DT},
        {"displayName", "unitPrice", "blocked"}),
    "salesPrices": ("salesPrice", {
        "id": G, "itemId": G, "itemNumber": S, "itemDescription": S, "priceListCode": S, "currencyCode": S,
        "unitPrice": D, "startingDate": DA, "endingDate": DA, "minimumQuantity": D, "status": S,
        "lastModifiedDateTime": DT},
        {"unitPrice", "startingDate", "endingDate", "minimumQuantity"}),
    "salesOrders": ("salesOrder", {
        "id": G, "number": S, "externalDocumentNumber": S, "orderDate": DA, "customerId": G,
        "customerNumber": S, "customerName": S, "currencyCode": S, "totalAmountExcludingTax": D,
        "totalTaxAmount": D, "totalAmountIncludingTax": D, "status": S, "lastModifiedDateTime": DT},
        {"externalDocumentNumber"}),
    "salesOrderLines": ("salesOrderLine", {
        "id": G, "documentId": G, "sequence": I, "itemId": G, "lineType": S, "lineObjectNumber": S,
        "description": S, "quantity": D, "unitPrice": D, "discountPercent": D, "amountExcludingTax": D,
        "amountIncludingTax": D},
        {"quantity", "unitPrice", "discountPercent"}),
    "salesInvoices": ("salesInvoice", {
        "id": G, "number": S, "externalDocumentNumber": S, "invoiceDate": DA, "postingDate": DA, "dueDate": DA,
        "customerPurchaseOrderReference": S, "customerId": G, "customerNumber": S, "customerName": S,
        "currencyCode": S, "orderId": G, "orderNumber": S, "totalAmountExcludingTax": D, "totalTaxAmount": D,
        "totalAmountIncludingTax": D, "remainingAmount": D, "status": S, "lastModifiedDateTime": DT},
        {"dueDate", "externalDocumentNumber", "customerPurchaseOrderReference"}),
    # page 30013 "APIV2 - Cust. Paym. Journals" (microsoft/ALAppExtensions Apps/W1/APIV2/app/src/pages/
    # APIV2CustPaymJournals.Page.al): the batches of the default cash receipt journal template
    "customerPaymentJournals": ("customerPaymentJournal", {
        "id": G, "code": S, "displayName": S, "lastModifiedDateTime": DT, "balancingAccountId": G,
        "balancingAccountNumber": S},
        {"code", "displayName", "balancingAccountId"}),
    # page 30055 "APIV2 - Customer Payments" (APIV2CustomerPayments.Page.al): lines of a customer payment journal,
    # with no currency of their own on the page (the Gen. Journal Line's "Currency Code" is not published)
    "customerPayments": ("customerPayment", {
        "id": G, "journalId": G, "journalDisplayName": S, "lineNumber": I, "customerId": G, "customerNumber": S,
        "postingDate": DA, "documentNumber": S, "externalDocumentNumber": S, "amount": D,
        "appliesToInvoiceId": G, "appliesToInvoiceNumber": S, "description": S, "comment": S,
        "lastModifiedDateTime": DT},
        {"journalId", "amount", "appliesToInvoiceNumber", "postingDate", "description", "comment"}),
}
COMPANY_FIELDS = {"id": G, "systemVersion": S, "name": S, "displayName": S, "businessProfileId": S}

# navigation properties served with $expand: entity set -> {navigation: (child set, foreign key)}
NAVIGATION: dict[str, dict[str, tuple[str, str]]] = {
    "salesOrders": {"salesOrderLines": ("salesOrderLines", "documentId")},
    # page 30013: part(customerPayments; "APIV2 - Customer Payments") SubPageLink = "Journal Batch Id" =
    # field(SystemId), and page 30055 publishes "Journal Batch Id" as journalId
    "customerPaymentJournals": {"customerPayments": ("customerPayments", "journalId")}}
# Document lines are no table of their own in the API: page 30044 "APIV2 - Sales Order Lines" fills a temporary
# table in OnFindRecord from the Id or Document Id filter and raises "You must specify an Id or a Document Id to
# get the lines." without one (microsoft/ALAppExtensions, Apps/W1/APIV2/app/src/pages/APIV2SalesOrderLines.Page.al,
# IDOrDocumentIdShouldBeSpecifiedForLinesErr). The lines of many orders come with them: salesOrders?$expand=.
DOCUMENT_LINES = {"salesOrderLines"}
_DOCUMENT_FILTER = re.compile(r"\b(?:documentId|id)\s+(?:eq|in)\b")
# Journal lines are read only for a journal or by id: page 30055 "APIV2 - Customer Payments" runs CheckFilters in
# OnAfterGetCurrRecord, which raises FiltersNotSpecifiedErr unless Rec.GetFilter("Journal Batch Id") or
# Rec.GetFilter(SystemId) is set (APIV2CustomerPayments.Page.al). The filter comes from the journal it is read
# under (customerPaymentJournals(id)/customerPayments, $expand: SubPageLink), a $filter on journalId (the page's
# name for "Journal Batch Id") or on id (its SystemId), or the key of a single record. OnAfterGetCurrRecord runs
# for a record the page has read: a read that finds no record is answered, empty, and so is a /$count, which
# makes no record current. The words and code are those Business Central answers (MicrosoftDocs/
# BusinessApplicationPlatform-Connectors-public issue 511: "ErrorCode: Application_DialogException You must specify
# a journal batch ID or a journal ID to get a journal line."); 400 as for every Application_DialogException here.
JOURNAL_LINES = {"customerPayments"}
JOURNAL_LINES_ERR = "You must specify a journal batch ID or a journal ID to get a journal line."
_JOURNAL_FILTER = re.compile(r"\b(?:journalId|id)\s+(?:eq|ne|gt|ge|lt|le|in)\b")
_COMPANY_PATH = re.compile(r"^[^?]*?/companies\([^)]*\)")
_EXPAND_ITEM = re.compile(r"^(?P<name>\w+)(?:\((?P<options>.*)\))?$")
# options of a collection GET; a single entity takes $select and $expand only (OData v4 part 2, 11.2)
LIST_OPTIONS = {"$filter", "$select", "$orderby", "$top", "$skip", "$count", "$expand", "$skiptoken",
                "$schemaversion"}
ENTITY_OPTIONS = {"$select", "$expand", "$schemaversion"}
_BLANK = {D: Decimal(0), I: 0, B: False, DA: BLANK_DATE, G: BLANK_GUID, S: ""}

# the sandbox tenant's salesPrices are served under a route of their own (bc_schema.ROUTES); under api/v2.0 they
# are an unknown segment, as they would be on a real tenant
_PATH = re.compile(r"^/v2\.0/(?P<tenant>[^/]+)/(?P<env>[^/]+)/api/(?P<route>v2\.0|[^/$]+/[^/$]+/[^/$]+)"
                   r"(?P<rest>/.*)?$")


def route_sets(route: str) -> frozenset[str]:
    """The entity sets published under ``route`` (ROUTES, ROUTE_PROPERTIES; the rest are API v2.0's)."""
    return frozenset(e for e in ENTITIES if ROUTES.get(e, API_V2) == route) | frozenset(ROUTE_PROPERTIES.get(route, {}))


def hidden_properties(route: str, entity: str) -> frozenset[str]:
    """The properties of ``entity`` that only another route publishes (ROUTE_PROPERTIES)."""
    elsewhere = frozenset().union(*(props.get(entity, frozenset()) for r, props in ROUTE_PROPERTIES.items()
                                    if r != route))
    return elsewhere - ROUTE_PROPERTIES.get(route, {}).get(entity, frozenset())


def route_of(path: str) -> str:
    """The API route a request's path is under (API v2.0 when it names none)."""
    m = _PATH.match(path)
    return m["route"] if m else API_V2
_SEG = re.compile(r"^(?P<name>[A-Za-z$]+)(?:\((?P<key>[^)]*)\))?$")
_GUID_KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def now_iso() -> str:
    """Now as Business Central stamps a write (SystemModifiedAt): an AL DateTime kept in a SQL Server
    ``datetime`` column ("Time Data Type", dev-itpro/developer/methods-auto/time/time-data-type.md), which is
    "rounded to increments of .000, .003, or .007 seconds" (learn.microsoft.com/sql/t-sql/data-types/
    datetime-transact-sql): the stamp can lie up to 1/600 s before the moment of the write."""
    now = datetime.now(UTC)
    ticks = round(now.microsecond * 300 / 1_000_000)  # 1/300 s
    stamp = now.replace(microsecond=0) + timedelta(milliseconds=round(ticks * 1000 / 300))
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _top_level_split(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses: ``a($select=x,y),b`` -> ``a($select=x,y)``, ``b``."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_STAMP_TERM = re.compile(r"lastModifiedDateTime (gt|ge|lt|le) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z")
_STAMP_UTC = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'"


def _stamp_terms(text: str | None) -> list[re.Match[str]] | None:
    """The ``lastModifiedDateTime`` comparisons a ``$filter`` is made of (joined by ``and``), or None when
    it has anything else (or is empty)."""
    if not text:
        return None
    terms = [_STAMP_TERM.fullmatch(term.strip()) for term in text.strip().split(" and ")]
    return None if any(m is None for m in terms) else [m for m in terms if m is not None]


def _stamp_bounds(text: str | None) -> SqlHint | None:
    """For a ``$filter`` made only of ``lastModifiedDateTime`` comparisons joined by ``and`` (what an
    incremental reader sends), an SQL pre-selection on the stored stamp, as the service's index on
    it would serve: rows outside the bounds to the second are never decoded. For a stamp stored as
    UTC ``...Z`` text (``now_iso``) comparing its first 19 characters keeps every row the exact
    filter (still applied to each row left) could take; any other stored form is left to it."""
    terms = _stamp_terms(text)
    if terms is None:
        return None
    conds: list[str] = []
    params: list[str] = []
    for m in terms:
        conds.append(f"({STAMP_SQL} IS NULL OR {STAMP_SQL} NOT GLOB {_STAMP_UTC} OR "
                     f"substr({STAMP_SQL}, 1, 19) {'>=' if m[1] in ('gt', 'ge') else '<='} ?)")
        params.append(m[2])
    return " AND ".join(conds), tuple(params)


_EQ_TERM = re.compile(r"\s*(\w+) eq '((?:[^']|'')*)'\s*")


def _prefilter(store: RecordStore, entity: str, text: str | None) -> tuple[SqlHint | None, bool]:
    """An SQL pre-selection for a page read, as the service's indexes serve one: ``_stamp_bounds``, or for a
    ``$filter`` of text properties equal to literals (``status eq 'Open'``), with stamp comparisons or not,
    joined by ``and``, those stored values within those bounds (on the stamp's index where the stamps are
    all of one form: ``_stamp_exact``); and whether it is to be found through that index (a range of stamps
    among many records, not a walk of every record in order). Rows it keeps still go through the exact filter."""
    if (stamps := _stamp_bounds(text)) is not None or not text:
        return stamps, False
    conds: list[str] = []
    params: list[str] = []
    indexed = False
    for term in text.strip().split(" and "):
        if (eq := _EQ_TERM.fullmatch(term)) is not None:
            conds.append(f"json_extract(data, '$.{eq[1]}') = ?")
            params.append(eq[2].replace("''", "'"))
        elif (exact := _stamp_exact(store, entity, term)) is not None:
            conds.append(exact[0])
            params.extend(exact[1])
            indexed = True
        elif (bound := _stamp_bounds(term)) is not None:
            conds.append(bound[0])
            params.extend(bound[1])
        else:
            return None, False
    return (" AND ".join(conds), tuple(params)), indexed


_SQL_OP = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def _stamp_exact(store: RecordStore, entity: str, text: str | None,
                 types: dict[str, str] | None = None) -> SqlHint | None:
    """For a ``$filter`` made of ``lastModifiedDateTime`` comparisons joined by ``and`` (and, given the entity's
    ``types``, of text properties equal to a literal, as ``status eq 'Open'``, beside at least one of them), the
    exact SQL condition, as the service's index on the stamp answers a count or a read of a range: when every
    stored stamp of the entity is UTC text to the millisecond (``now_iso``) and the literals are too (or whole
    seconds), comparing the text is comparing the instants; a stored text equals the literal in SQL exactly
    when it does in the filter (``odata_filter._compare``: ``==`` on Edm.String, a null never). None otherwise
    (the filter runs per row)."""
    if not text:
        return None
    conds: list[str] = []
    params: list[str] = []
    stamped = False
    for term in text.strip().split(" and "):
        if (m := _STAMP_TERM.fullmatch(term.strip())) is not None:
            if m[3] is not None and len(m[3]) != 4:
                return None
            conds.append(f"{STAMP_SQL} {_SQL_OP[m[1]]} ?")
            params.append(f"{m[2]}{m[3] or '.000'}Z")
            stamped = True
        elif types is not None and (eq := _EQ_TERM.fullmatch(term)) is not None \
                and types.get(eq[1]) == "Edm.String":
            conds.append(f"json_extract(data, '$.{eq[1]}') = ?")
            params.append(eq[2].replace("''", "'"))
        else:
            return None
    return (" AND ".join(conds), tuple(params)) if stamped and store.stamps_ms(entity) else None


def continues_on_error(prefer: str | None) -> bool:
    """Whether a $batch's Prefer header asks it to go on past a failed request: ``odata.continue-on-error`` (or
    ``continue-on-error``, OData 4.01) with no value or ``=true`` (OData 4.01 Protocol 8.2.8.3)."""
    for token in (prefer or "").split(","):
        name, _, value = token.strip().partition("=")
        if name.strip().lower() in ("odata.continue-on-error", "continue-on-error"):
            return value.strip().lower() in ("", "true")
    return False


def etag(rid: str, version: int) -> str:
    return f'W/"{_etag_token(rid, version)}"'


def _etag_token(rid: str, version: int) -> str:
    return binascii.b2a_base64(f"JzE5OzE{version};{rid[:8]};".encode(), newline=False).decode()


def _iso(v: Any) -> Any:
    if isinstance(v, datetime):
        v = v if v.tzinfo else v.replace(tzinfo=UTC)
        return v.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(v, date):
        return v.isoformat()
    return v


PAYMENT_JOURNAL = "GENERAL"
PAYMENT_JOURNAL_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "workbench-sandbox:customerPaymentJournals/GENERAL"))
_BC_STATUS = {"draft": "Draft", "open": "Open", "partially_paid": "Open", "paid": "Paid", "void": "Canceled",
              "credit_note": "Corrective"}
_BC_STATUS_VALUES = {"Draft", "In Review", "Open", "Paid", "Canceled", "Cancelled", "Corrective"}


def from_canonical(data: dict[str, list[dict[str, Any]]]) -> Iterable[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    """Canonical ERP records -> Business Central entities (entity set, [(id, record)])."""
    custs = {c["record_id"]: c for c in data.get("customers", [])}
    items = {p["code"]: p for p in data.get("products", [])}
    orders = {o["record_id"]: o for o in data.get("orders", [])}
    orders_by_number = {o.get("number"): o for o in orders.values()}
    invoices_by_number = {i.get("number"): i for i in data.get("invoices", [])}
    stamp = now_iso()

    def lm(rec: dict[str, Any]) -> str:
        return _iso(rec.get("last_modified")) or stamp

    yield "customers", [(c["record_id"], {
        "id": c["record_id"], "number": c.get("number") or "", "displayName": c.get("name") or "",
        "type": "Company", "addressLine1": c.get("street") or "", "addressLine2": "", "city": c.get("city") or "",
        "state": c.get("state") or "", "country": c.get("country") or "", "postalCode": c.get("postcode") or "",
        "phoneNumber": c.get("phone") or "", "email": c.get("email") or "", "website": c.get("website") or "",
        "salespersonCode": "", "balanceDue": Decimal("0"), "creditLimit": Decimal("0"), "taxLiable": False,
        "taxRegistrationNumber": c.get("tax_id") or "", "currencyCode": c.get("currency") or "",
        "paymentTermsId": "00000000-0000-0000-0000-000000000000", "blocked": member_name(c.get("blocked") or " "),
        "billToCustomerNumber": (custs.get(c.get("parent_id")) or {}).get("number") or "",
        "lastModifiedDateTime": lm(c)}) for c in custs.values()]
    yield "items", [(p["record_id"], {
        "id": p["record_id"], "number": p["code"], "displayName": p.get("name") or "", "type": "Inventory",
        "itemCategoryCode": "", "blocked": p.get("active") is False, "gtin": "", "unitPrice": Decimal("0"),
        "priceIncludesTax": False, "unitCost": Decimal("0"), "baseUnitOfMeasureCode": "PCS",
        "lastModifiedDateTime": lm(p)}) for p in items.values()]
    yield "salesPrices", [(p["record_id"], {
        "id": p["record_id"], "itemId": p.get("product_id") or (items.get(p["product_code"]) or {}).get("record_id"),
        "itemNumber": p["product_code"], "itemDescription": p.get("product_name") or "",
        "priceListCode": p.get("pricebook") or "", "currencyCode": p["currency"], "unitPrice": p["unit_price"],
        "startingDate": _iso(p.get("effective_date")) or "0001-01-01",
        "endingDate": _iso(p.get("end_date")) or "0001-01-01", "minimumQuantity": p.get("min_quantity") or Decimal(0),
        "status": "Active" if p.get("active") is not False else "Inactive", "lastModifiedDateTime": lm(p)})
        for p in data.get("prices", [])]
    yield "salesOrders", [(o["record_id"], {
        "id": o["record_id"], "number": o.get("number") or "", "externalDocumentNumber": o.get("xref") or "",
        "orderDate": _iso(o.get("order_date")), "customerId": o.get("customer_id"),
        "customerNumber": (custs.get(o.get("customer_id")) or {}).get("number") or "",
        "customerName": (custs.get(o.get("customer_id")) or {}).get("name") or "", "currencyCode": o["currency"],
        "totalAmountExcludingTax": o.get("total_amount"), "totalTaxAmount": Decimal(0),
        "totalAmountIncludingTax": o.get("total_amount"),
        # an enum (NAV.salesOrderEntityBufferStatus), sent by member name: "In_x0020_Review" (bc_schema.ENUMS)
        "status": member_name(str(o["status"]) if o.get("status") in ("Draft", "In Review", "Open", "Released")
                              else ("Open" if o.get("booked") is not False else "Draft")),
        "lastModifiedDateTime": lm(o)}) for o in orders.values()]
    seq: dict[str, int] = {}
    lines = []
    for ln in data.get("order_lines", []):
        seq[ln["order_id"]] = seq.get(ln["order_id"], 0) + 10000
        item = items.get(ln.get("product_code")) or {}
        lines.append((ln["record_id"], {
            "id": ln["record_id"], "documentId": ln["order_id"], "sequence": seq[ln["order_id"]],
            "itemId": item.get("record_id"), "lineType": "Item", "lineObjectNumber": ln.get("product_code") or "",
            "description": item.get("name") or "", "quantity": ln["quantity"], "unitPrice": ln["unit_price"],
            "discountPercent": ln.get("discount_percent") or Decimal(0),
            "amountExcludingTax": ln.get("amount"), "amountIncludingTax": ln.get("amount")}))
    yield "salesOrderLines", lines
    yield "salesInvoices", [invoice_record(inv, custs, orders_by_number, stamp) for inv in data.get("invoices", [])]
    # every payment is a line of the customer payment journal the API uses by default: table 5466 "API Entities
    # Setup" sets "Customer Payments Batch Name" to DefaultCustomerPaymentsBatchNameTxt = 'GENERAL' (a batch of
    # template CASHRCPT; the v2.0 customerPaymentJournal examples show code and displayName "GENERAL"). A
    # payment carries no currency on the API (page 30055 has no currencyCode): the canonical one is dropped.
    yield "customerPaymentJournals", [(PAYMENT_JOURNAL_ID, {
        "id": PAYMENT_JOURNAL_ID, "code": PAYMENT_JOURNAL, "displayName": PAYMENT_JOURNAL,
        "lastModifiedDateTime": stamp, "balancingAccountId": BLANK_GUID, "balancingAccountNumber": ""})]
    pays = []
    for n, p in enumerate(data.get("payments", []), start=1):
        inv = invoices_by_number.get(p.get("invoice_number")) or {}
        pays.append((p["record_id"], {
            "id": p["record_id"], "journalId": PAYMENT_JOURNAL_ID, "journalDisplayName": PAYMENT_JOURNAL,
            "lineNumber": n * 10000, "customerId": p.get("customer_id"),
            "customerNumber": (custs.get(p.get("customer_id")) or {}).get("number") or "",
            "postingDate": _iso(p.get("payment_date")), "documentNumber": f"PAY{n:06d}",
            "externalDocumentNumber": "", "amount": p["amount"],
            "appliesToInvoiceId": inv.get("record_id") or "00000000-0000-0000-0000-000000000000",
            "appliesToInvoiceNumber": p.get("invoice_number") or "", "description": "", "comment": "",
            "lastModifiedDateTime": lm(p)}))
    yield "customerPayments", pays


def invoice_record(inv: dict[str, Any], custs: dict[str, dict[str, Any]], orders_by_number: dict[Any, dict[str, Any]],
                   stamp: str) -> tuple[str, dict[str, Any]]:
    """One canonical invoice as a salesInvoices entity (streamed by the benchmark's seeding)."""
    raw = inv.get("status_raw")
    status = raw if raw in _BC_STATUS_VALUES else _BC_STATUS.get(inv.get("status") or "", "Open")
    cust = custs.get(inv.get("customer_id") or "") or {}
    order = orders_by_number.get(inv.get("order_ref")) or {}
    return inv["record_id"], {
        "id": inv["record_id"], "number": inv.get("number") or "",
        "externalDocumentNumber": inv.get("external_ref") or "",
        "invoiceDate": _iso(inv.get("invoice_date")), "postingDate": _iso(inv.get("invoice_date")),
        "dueDate": _iso(inv.get("due_date")), "customerPurchaseOrderReference": "",
        "customerId": inv.get("customer_id"), "customerNumber": cust.get("number") or "",
        "customerName": cust.get("name") or "", "currencyCode": inv["currency"],
        "orderId": order.get("record_id") or "00000000-0000-0000-0000-000000000000",
        "orderNumber": inv.get("order_ref") or "", "totalAmountExcludingTax": inv.get("total_amount"),
        "totalTaxAmount": Decimal(0), "totalAmountIncludingTax": inv.get("total_amount"),
        "remainingAmount": inv.get("open_balance"), "status": member_name(status),  # NAV.invoiceEntityAggregateStatus
        "lastModifiedDateTime": _iso(inv.get("last_modified")) or stamp}


class BusinessCentralFlavor:
    name = "business-central"

    def __init__(self, store: RecordStore, faults: Faults, *, tenant: str, environment: str, company_id: str,
                 company_name: str, client_id: str, client_secret: str, token_lifetime: int = 3599):
        self.store, self.faults = store, faults
        self.tenant, self.environment = tenant, environment
        self.company_id, self.company_name = company_id, company_name
        self.client_id, self.client_secret = client_id, client_secret
        self.token_lifetime = token_lifetime
        self._tokens: dict[str, tuple[int, float]] = {}
        # Off: Business Central is not known to page an expanded collection. A number pages each one at that
        # many entities with a "<navigation>@odata.nextLink" (OData v4.01 JSON format, 4.5.5), as an OData
        # service may, so a test can check a client reads such pages.
        self.expanded_page: int | None = None
        # set by the HTTP server: serves one inner request of a $batch as if it came alone (faults, auth,
        # strictness) and counts it as an operation, not an HTTP request (server.answer_inner)
        self.serve_inner: Callable[[Request], Response] | None = None
        self.not_run = 0  # inner requests answered 424: a request they depend on (dependsOn) failed
        # On: a $batch preferring odata.continue-on-error goes on past a failed request. Off: the preference is
        # not honoured, as by an OData .NET service that does not enable it (EnableContinueOnErrorHeader, "Prefer
        # odata.continue-on-error", learn.microsoft.com/odata/webapi/continue-on-error); whether Business Central
        # enables it is not documented, so a test can check a client copes with either.
        self.honours_continue_on_error = True

    # -- auth ---------------------------------------------------------------
    def issue_token(self, lifetime: int | None = None) -> str:
        tok = "eyJ0eXAiOiJKV1Qi." + secrets.token_urlsafe(32)
        self._tokens[tok] = (self.faults.token_epoch, time.time() + (lifetime or self.token_lifetime))
        return tok

    def _token(self, req: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return Response.json(400, {"error": "unsupported_grant_type", "error_description":
                                       "AADSTS70003: The app requested an unsupported grant type."})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Response.json(401, {"error": "invalid_client", "error_description":
                                       "AADSTS7000215: Invalid client secret provided. Ensure the secret being "
                                       "sent in the request is the client secret value, not the client secret ID."})
        tok = self.issue_token()
        return Response.json(200, {"token_type": "Bearer", "expires_in": self.token_lifetime,
                                   "ext_expires_in": self.token_lifetime, "access_token": tok})

    def _authorised(self, req: Request) -> Response | None:
        auth = req.header("authorization") or ""
        tok = auth[7:] if auth.lower().startswith("bearer ") else ""
        entry = self._tokens.get(tok)
        if entry is None:
            return self._error(401, "Authentication_InvalidCredentials",
                               "The server has rejected the client credentials.",
                               {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        epoch, expires = entry
        if epoch < self.faults.token_epoch or expires < time.time():
            return self._error(401, "Authentication_InvalidCredentials", "The access token has expired.",
                               {"WWW-Authenticate": 'Bearer error="invalid_token", '
                                                    'error_description="The access token expired"'})
        return None

    # -- plumbing -------------------------------------------------------------
    def is_api(self, req: Request) -> bool:
        return req.path.startswith("/v2.0/")

    def _error(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
        corr = str(uuid.uuid4())
        return Response.json(status, {"error": {"code": code, "message": f"{message}  CorrelationId:  {corr}."}},
                             headers)

    def _not_found(self, entity: str, rid: str) -> Response:
        # NavCSideRecordNotFoundException in dev-itpro/webservices/dynamics-error-codes.md
        return self._error(404, "Internal_RecordNotFound", f"The {ENTITIES[entity][0]} does not exist. "
                                                           f"Identification fields and values: Id='{rid}'")

    def _refuse(self, exc: WriteRefused) -> Response:
        return self._error(exc.status, exc.code, exc.message)

    def fault_response(self, status: int, message: str) -> Response:
        code = {429: "Application_TooManyRequests", 503: "ServiceUnavailable"}.get(status, "InternalServerError")
        return self._error(status, code, message)

    def handle(self, req: Request) -> Response:
        if req.method == "POST" and req.path == f"/{self.tenant}/oauth2/v2.0/token":
            return self._token(req)
        m = _PATH.match(req.path)
        if not m:
            return self._error(404, "BadRequest_NotFound", f"No HTTP resource was found that matches the request "
                                                           f"URI '{req.path}'.")
        if m["tenant"] != self.tenant or m["env"] != self.environment:
            return self._error(404, "NoEnvironment", f"Environment '{m['env']}' of tenant '{m['tenant']}' "
                                                     f"does not exist.")
        sets = route_sets(m["route"])
        if not sets:
            return self._error(404, "BadRequest_NotFound", f"No HTTP resource was found that matches the request "
                                                           f"URI '{req.path}'.")
        denied = self._authorised(req)
        if denied:
            return denied
        root = f"http://{req.header('host')}/v2.0/{self.tenant}/{self.environment}/api/{m['route']}"
        segs = [s for s in (m["rest"] or "").split("/") if s]
        if segs == ["$batch"]:
            return self._batch(req, root)
        try:
            return self._route(req, root, segs, sets)
        except FilterError as exc:
            return self._error(400, "BadRequest", str(exc))
        except WriteRefused as exc:
            return self._refuse(exc)

    def _route(self, req: Request, root: str, segs: list[str], sets: frozenset[str]) -> Response:
        if segs == ["$metadata"]:
            return Response(200, metadata_xml(sets, route_of(req.path)).encode("utf-8"),
                            {"Content-Type": "application/xml"})
        if not segs:
            return Response.json(200, {"@odata.context": f"{root}/$metadata",
                                       "value": [{"name": "companies", "kind": "EntitySet", "url": "companies"}]})
        first = _SEG.match(segs[0])
        if not first or first["name"] != "companies":
            return self._error(404, "BadRequest_NotFound", f"Resource not found for the segment '{segs[0]}'.")
        company = {"id": self.company_id, "systemVersion": "27.0.38460.0", "name": self.company_name,
                   "displayName": self.company_name, "businessProfileId": ""}
        if len(segs) == 1:
            if first["key"] is None:
                self._options(req, {"$filter", "$select", "$schemaversion"})
                rows = [company]
                if req.query.get("$filter") is not None:
                    keep = compile_filter(req.query["$filter"], COMPANY_FIELDS, "Microsoft.NAV.company")
                    rows = [c for c in rows if keep(c)]
                fields = self._fields(req.query.get("$select"), COMPANY_FIELDS, "company")
                if fields is not None:
                    rows = [{f: c[f] for f in fields} for c in rows]
                return Response.json(200, {"@odata.context": f"{root}/$metadata#companies", "value": rows})
            self._options(req, ENTITY_OPTIONS - {"$expand"})
            if first["key"].lower() != self.company_id:
                return self._error(404, "BadRequest_NotFound", f"The company '{first['key']}' does not exist.")
            return Response.json(200, {"@odata.context": f"{root}/$metadata#companies/$entity", **company})
        if (first["key"] or "").lower() != self.company_id:
            return self._error(404, "BadRequest_NotFound", f"The company '{first['key']}' does not exist.")
        ctx = f"{root}/$metadata#companies({self.company_id})"
        seg = _SEG.match(segs[1])
        parent_filter = None
        if seg and seg["name"] in NAVIGATION and seg["key"] and len(segs) == 3:
            # a contained collection: salesOrders(id)/salesOrderLines, customerPaymentJournals(id)/customerPayments
            # (each navigation is named as the entity set it leads to)
            parent, parent_id = seg["name"], seg["key"].lower()
            seg = _SEG.match(segs[2])
            if not seg or seg["name"] not in NAVIGATION[parent]:
                return self._error(404, "BadRequest_NotFound", f"Resource not found for the segment '{segs[2]}'.")
            parent_filter = (NAVIGATION[parent][seg["name"]][1], parent_id)
            ctx += f"/{parent}({parent_id})"
        elif len(segs) == 3 and segs[2] == "$count" and _SEG.match(segs[1]) and req.method == "GET":
            if segs[1] not in sets:
                return self._error(404, "BadRequest_NotFound", f"Resource not found for the segment '{segs[1]}'.")
            return self._count_only(req, segs[1])
        elif len(segs) != 2:
            return self._error(404, "BadRequest_NotFound", f"Resource not found for the segment '{segs[-1]}'.")
        if not seg or seg["name"] not in sets:
            return self._error(404, "BadRequest_NotFound",
                               f"Resource not found for the segment '{segs[-1] if seg is None else seg['name']}'.")
        entity = seg["name"]
        key = seg["key"]
        if key is None:
            if req.method == "POST" and parent_filter is None:
                return self._post(req, ctx, entity)
            if req.method != "GET":
                return self._error(405, "BadRequest_MethodNotAllowed",
                                   f"'{req.method}' requests for '{entity}' of EdmType 'Collection' are not "
                                   f"allowed within Dynamics 365 Business Central OData web services.")
            return self._list(req, root, ctx, entity, parent_filter)
        rid = key.strip("'").lower()
        if not _GUID_KEY.match(rid):
            return self._error(400, "BadRequest_NotFound", f"Bad Request - Error in query syntax: '{key}' is not "
                                                           f"a valid key of '{entity}'.")
        if req.method == "GET":
            return self._get(req, ctx, entity, rid)
        if req.method == "PATCH":
            return self._patch(req, ctx, entity, rid)
        if req.method == "DELETE" and parent_filter is None:
            return self._delete(req, entity, rid)
        return self._error(405, "BadRequest_MethodNotAllowed", f"'{req.method}' is not allowed on {entity}.")

    def _stamp_range(self, entity: str, req: Request) -> SqlHint | None:
        """The request's ``$filter`` as an exact SQL condition on the stamp index, where it is one (_stamp_exact)."""
        return _stamp_exact(self.store, entity, req.query.get("$filter"), ENTITIES[entity][1])

    # -- $batch ----------------------------------------------------------------
    def _batch(self, req: Request, root: str) -> Response:
        """``POST {api root}/$batch`` in the JSON batch format, as "Using OData transactional $batch requests"
        (MicrosoftDocs dynamics365smb-devitpro-pb, dev-itpro/webservices/use-odata-batch.md; below: BATCH)
        shows it: body ``{"requests": [{"method", "id", "url", "headers", "body"}]}``, answer
        ``{"responses": [{"id", "status", "headers", "body"}]}``; the format itself is OData JSON Format
        v4.01, section 19 (below: JSON19). Each inner request is served as if it came alone, in order."""
        if req.method != "POST":
            return self._error(405, "BadRequest_MethodNotAllowed",
                               f"'{req.method}' requests for '$batch' are not allowed within Dynamics 365 Business "
                               f"Central OData web services.")
        # BATCH, request headers: "Content-Type: application/json. Required for JSON Batch content." The
        # multipart/mixed format of OData 4.0 is not served here; any other type is not a batch at all. Which
        # status Business Central gives a wrong type is not documented: 415 Unsupported Media Type (RFC 9110
        # 15.5.16), as the OData .NET library answers a batch it cannot read.
        ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return self._error(415, "BadRequest", f"The content type '{ctype or '(none)'}' is not supported for "
                                                  f"$batch requests; this service reads JSON batches "
                                                  f"(Content-Type: application/json).")
        try:
            payload = loads(req.body or b"")
        except ValueError:
            payload = None
        requests = payload.get("requests") if isinstance(payload, dict) else None
        if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
            return self._error(400, "BadRequest", "Invalid Request Body: a JSON batch is an object with a "
                                                  "'requests' array of request objects.")
        # operational-limits-online.md: at most 100 operations in a $batch request (BATCH_CAP). The service's
        # words, as a partner got them back (Stefano Demiliani, "Dynamics 365 Business Central: batch API calls
        # and max number of operations", demiliani.com, 2021-01-12); the status is not given there: 400, that of
        # any request the service will not read.
        if len(requests) > BATCH_CAP:
            return self._error(400, "Unknown", f"The current batch message contains too many parts. A maximum "
                                               f"number of '{BATCH_CAP}' query operations and change sets are "
                                               f"allowed in a batch message.")
        seen: set[str] = set()
        for n, inner in enumerate(requests):
            # JSON19 19.1: method and url are required; id identifies the request and is unique in the batch.
            # BATCH's first example sends requests without id and gets "id": null back, so a missing id passes.
            rid = inner.get("id")
            if not isinstance(inner.get("method"), str) or not isinstance(inner.get("url"), str):
                return self._error(400, "BadRequest", "Invalid Request Body: each request of a batch needs "
                                                      "'method' and 'url'.")
            # JSON19 19.1: dependsOn names requests that must be processed before this one; the OData .NET
            # library Business Central reads batches with refuses any other (OData/odata.net issue 1822)
            after = inner.get("dependsOn")
            if after is not None and (not isinstance(after, list) or any(str(d) not in seen for d in after)):
                return self._error(400, "BadRequest", f"The dependsOn Id: {after} in request [{rid or n}] is not "
                                                      f"matching any of the request Id and atomic group Id seen so "
                                                      f"far. Forward reference is not allowed.")
            if rid is not None:
                if str(rid) in seen:
                    return self._error(400, "BadRequest", f"Invalid Request Body: the request id '{rid}' is "
                                                          f"used twice in the batch.")
                seen.add(str(rid))
        assert self.serve_inner is not None, "the HTTP server sets serve_inner"
        host = req.header("host")
        responses = []
        answers: list[tuple[Any, Response]] = []
        failed: set[str] = set()  # ids of inner requests answered 4xx/5xx
        # Without continue-on-error the batch stops at its first failed request (OData 4.01 Protocol 8.2.8.3: the
        # preference asks to "continue processing additional requests within the batch", else "stop further
        # processing"; stop-on-error is the default of the OData .NET stack Business Central runs on, OData/WebApi
        # issue 447): the answer then lists the requests up to that one only
        go_on = self.honours_continue_on_error and continues_on_error(req.header("prefer"))
        for inner in requests:
            if not go_on and any(a.status >= 400 for _, a in answers):
                break
            resolved = self._inner_path(inner["url"], root, host)
            if failed.intersection(map(str, inner.get("dependsOn") or ())):
                # a request whose dependency failed is not run: 424 Failed Dependency (RFC 4918, 11.4)
                answer = self._error(424, "BadRequest", "The request was not processed: a request it depends on "
                                                        "failed.")
                self.not_run += 1
            elif resolved is None:
                answer = self._error(400, "BadRequest", f"The URL '{inner['url']}' of a batch request is not a "
                                                        f"request to this service.")
            else:
                # the batch's own headers (Authorization above all: BATCH, "Authorization: Bearer {token}.
                # Required." is a header of the batch) apply to each inner request; its own headers add to them
                headers = {k: v for k, v in req.headers.items() if k not in ("content-type", "content-length")}
                headers.update({str(k).lower(): str(v) for k, v in (inner.get("headers") or {}).items()})
                body = inner.get("body")
                raw = b"" if body is None else (body.encode() if isinstance(body, str) else
                                                 Response.json(200, body).body)
                answer = self.serve_inner(Request.parse(inner["method"].upper(), resolved, headers, raw))
            if answer.status >= 400 and inner.get("id") is not None:
                failed.add(str(inner["id"]))
            responses.append(self._inner_response(inner.get("id"), answer))
            answers.append((inner.get("id"), answer))
        # "If you leave the Accept header out, then the response will be multipart/mixed" (A. Kauffmann, "Batch
        # calls with Business Central APIs (1) - Basic operation", kauffmann.nl, 2020-12-18): JSON only when asked
        if "application/json" not in (req.header("accept") or ""):
            return self._multipart(answers)
        # an inner failure is that inner response's status; the batch itself succeeded (BATCH, Response: 200, 204
        # and 400 side by side in one answer)
        head = {"Content-Type": "application/json; odata.metadata=minimal; charset=utf-8"}
        if go_on and any(a.status >= 400 for _, a in answers):
            # 8.2.8.3: "If the service encounters any errors processing the request and returns a successful
            # response code, then it MUST include a Preference-Applied response header containing the
            # continue-on-error preference"
            head["Preference-Applied"] = "odata.continue-on-error"
        return Response(200, b'{"responses":[' + b",".join(responses) + b"]}", head)

    @staticmethod
    def _multipart(answers: list[tuple[Any, Response]]) -> Response:
        """The batch's answers as OData 4.0's multipart/mixed batch response (OData Protocol 4.0, 11.7.4): one
        ``application/http`` part per request, its status line, headers and body."""
        boundary = f"batchresponse_{uuid.uuid4()}"
        out = b""
        for rid, answer in answers:
            head = [f"HTTP/1.1 {answer.status} {HTTPStatus(answer.status).phrase}"]
            head += [f"{k}: {v}" for k, v in answer.headers.items()]
            out += (f"--{boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
                    + (f"Content-ID: {rid}\r\n" if rid is not None else "") + "\r\n"
                    + "\r\n".join(head) + "\r\n\r\n").encode() + answer.body + b"\r\n"
        return Response(200, out + f"--{boundary}--\r\n".encode(),
                        {"Content-Type": f"multipart/mixed; boundary={boundary}"})

    def _inner_path(self, url: str, root: str, host: str | None) -> str | None:
        """The path (with its query) an inner request's url names, or None when it names another service.
        JSON19 19.1: a url is an absolute path (from the batch URL's host) or relative to the batch request
        URL, i.e. to the service root (``companies(...)/customers?...``, as BATCH's examples send it); an absolute
        URL to this same service (what a nextLink is) is taken too, as OData's multipart batch allows."""
        if url.startswith(("$", "/$")):
            return None  # "$1"-style references to an earlier response are not served here
        full = urljoin(root + "/", url)
        parts = urlsplit(full)
        if parts.netloc != (host or "") or not parts.path.startswith(urlsplit(root).path + "/") \
                or parts.path.rstrip("/").endswith("/$batch"):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @staticmethod
    def _inner_response(rid: Any, answer: Response) -> bytes:
        """One entry of ``responses``: id, status, headers and body; a JSON body as JSON (spliced in as the
        inner request produced it), any other as a JSON string (JSON19 19.2: a non-JSON body, such as
        ``/$count``'s text/plain, is a string value)."""
        headers = {k.lower(): v for k, v in answer.headers.items()}
        is_json = "json" in headers.get("content-type", "")
        if is_json:
            headers["content-type"] = "application/json; odata.metadata=minimal"
        headers["odata-version"] = "4.0"
        head = Response.json(200, {"id": None if rid is None else str(rid), "status": answer.status,
                                   "headers": headers}).body
        if not answer.body:
            return head
        body = answer.body if is_json else json.dumps(answer.body.decode("utf-8")).encode()
        return head[:-1] + b',"body":' + body + b"}"

    # -- reads ----------------------------------------------------------------
    def _options(self, req: Request, allowed: set[str]) -> None:
        for name in req.query:
            # custom options (no "$", e.g. company=) are the client's own and pass, as OData v4 allows
            if name.startswith("$") and name not in allowed:
                raise FilterError(f"The query parameter '{name}' is not supported.")

    def _select(self, req: Request, entity: str) -> list[str] | None:
        return self._fields(req.query.get("$select"), self._types(req, entity), ENTITIES[entity][0])

    @staticmethod
    def _types(req: Request, entity: str) -> dict[str, str]:
        """The properties of ``entity`` as the route the request is under publishes them (hidden_properties)."""
        hidden = hidden_properties(route_of(req.path), entity)
        return {p: edm for p, edm in ENTITIES[entity][1].items() if p not in hidden}

    def _shown(self, req: Request, entity: str, fields: list[str] | None) -> list[str] | None:
        """The properties an answer holds: those ``$select``ed; with none, every one, or where the request's
        route hides some, the ones it publishes."""
        if fields is not None or not hidden_properties(route_of(req.path), entity):
            return fields
        return list(self._types(req, entity))

    @staticmethod
    def _fields(sel: str | None, types: dict[str, str], type_name: str) -> list[str] | None:
        if sel is None:
            return None
        fields = [f.strip() for f in sel.split(",") if f.strip()]
        if not fields:
            raise FilterError("Syntax error: $select is empty.")
        for f in fields:
            if f not in types:
                raise FilterError(f"Could not find a property named '{f}' on type 'Microsoft.NAV.{type_name}'.")
        return fields

    def _expand(self, req: Request, entity: str) -> list[tuple[str, list[str] | None]]:
        """(navigation, its ``$select`` or None) per ``$expand`` item; ``$select`` is the one nested option
        served (``salesOrderLines($select=id,quantity)``), any other is refused."""
        text = req.query.get("$expand")
        if text is None:
            return []
        out = []
        for item in _top_level_split(text):
            m = _EXPAND_ITEM.match(item)
            name = m["name"] if m else item
            if m is None or name not in NAVIGATION.get(entity, {}):
                raise FilterError(f"Could not find a property named '{name}' on type "
                                  f"'Microsoft.NAV.{ENTITIES[entity][0]}'.")
            fields = None
            if m["options"] is not None:
                opt, _, value = m["options"].partition("=")
                if opt.strip() != "$select":
                    raise FilterError(f"The query parameter '{opt.strip()}' is not supported inside $expand.")
                child = NAVIGATION[entity][name][0]
                fields = self._fields(value, ENTITIES[child][1], ENTITIES[child][0])
            out.append((name, fields))
        return out

    def _with_expanded(self, entity: str, rows: list[tuple[str, str]], expand: list[tuple[str, list[str] | None]],
                       company_url: str) -> list[str]:
        """The records of one response ((id, JSON text), in order) as JSON text with each expanded navigation
        inline, the children of the whole response read in one query over the child set."""
        if not expand:
            return [text for _, text in rows]
        ids = [(rid or "").lower() for rid, _ in rows]
        tails = [""] * len(rows)
        for name, fields in expand:
            child, key = NAVIGATION[entity][name]
            by_parent: dict[str, list[tuple[int, str]]] = {i: [] for i in ids}
            for seq, cid, version, parent, shaped in self.store.children_texts(child, key, ids, self._columns(fields)):
                by_parent[parent].append((seq, self._text(cid, version, shaped)))
            cap = self.expanded_page
            for n, rid in enumerate(ids):
                children = by_parent[rid]
                tails[n] += f',"{name}":[' + ",".join(c for _, c in children[:cap]) + "]"
                if cap is not None and len(children) > cap:
                    token = base64.urlsafe_b64encode(f"{children[cap - 1][0]}:{cap}".encode()).decode()
                    select = f"$select={quote(','.join(fields), safe=',')}&" if fields else ""
                    link = f"{company_url}/{entity}({rid})/{name}?{select}$skiptoken={token}"
                    tails[n] += f',"{name}@odata.nextLink":' + dumps(link)
        return [text[:-1] + tail + "}" for (_, text), tail in zip(rows, tails)]

    @staticmethod
    def _columns(fields: list[str] | None) -> SqlHint:
        """The SQL that writes a stored record as the JSON text of its ``$select``ed fields (all when None) in
        their order, a field it lacks as null (``_shape``): stored number literals are kept as they are."""
        if fields is None:
            return "data", ()
        if fields == ["id"]:
            return """'{"id":' || json_quote(id) || '}'""", ()  # the key column, as an index serves it
        names = list(dict.fromkeys(fields))
        return ("json_object(" + ", ".join("?, data -> ?" for _ in names) + ")",
                tuple(part for f in names for part in (f, f"$.{f}")))

    @staticmethod
    def _text(rid: str, version: int, shaped: str) -> str:
        """A record's JSON text ``shaped`` (an object of its fields) with its ``@odata.etag`` first (``_shape``)."""
        return '{"@odata.etag":"W/\\"' + _etag_token(rid, version) + '\\"",' + shaped[1:]  # base64: nothing to escape

    @staticmethod
    def _company_url(req: Request) -> str:
        m = _COMPANY_PATH.match(req.raw_path)
        assert m is not None  # routed here only under companies(...)
        return f"http://{req.header('host')}{m[0]}"

    def _orderby(self, req: Request, entity: str) -> list[tuple[str, bool]]:
        text = req.query.get("$orderby")
        if text is None:
            return []
        type_name, types = ENTITIES[entity][0], self._types(req, entity)
        keys = []
        for part in text.split(","):
            words = part.split()
            if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
                raise FilterError(f"Syntax error in '$orderby={text}'.")
            if words[0] not in types:
                raise FilterError(f"Could not find a property named '{words[0]}' on type "
                                  f"'Microsoft.NAV.{type_name}'.")
            keys.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
        return keys

    @staticmethod
    def _count_param(req: Request, name: str) -> int | None:
        text = req.query.get(name)
        if text is None:
            return None
        if not text.isdigit():
            raise FilterError(f"Invalid value '{text}' for {name} query option found. The {name} query option "
                              f"requires a non-negative integer value.")
        return int(text)

    @staticmethod
    def _skiptoken(text: str | None) -> tuple[int, int]:
        """(resume position, rows already served) from an opaque $skiptoken."""
        if text is None:
            return 0, 0
        try:
            pos, served = (int(n) for n in base64.urlsafe_b64decode(text.strip("'").encode()).decode().split(":"))
            if pos < 0 or served < 0:
                raise ValueError(text)
            return pos, served
        except (ValueError, UnicodeDecodeError):
            raise FilterError(f"The skip token value '{text}' is invalid.") from None

    @staticmethod
    def _shape(data: dict[str, Any], version: int, fields: list[str] | None) -> dict[str, Any]:
        out: dict[str, Any] = {"@odata.etag": etag(data["id"], version)}
        if fields is None:
            out.update(data)
        else:
            for f in fields:
                out[f] = data.get(f)
        return out

    def _lines_unbound(self, req: Request, entity: str) -> Response | None:
        """The error Business Central answers a read of document lines that names no document (see
        DOCUMENT_LINES), or None."""
        if entity in DOCUMENT_LINES and not _DOCUMENT_FILTER.search(req.query.get("$filter") or ""):
            return self._error(400, "Application_DialogException",
                               "You must specify an Id or a Document Id to get the lines.")
        return None

    @staticmethod
    def _journal_unbound(req: Request, entity: str, parent: tuple[str, str] | None) -> bool:
        """A list of journal lines read under no journal and with no journal or id filter (JOURNAL_LINES):
        refused once it has a record to show."""
        return entity in JOURNAL_LINES and parent is None \
            and not _JOURNAL_FILTER.search(req.query.get("$filter") or "")

    def _list(self, req: Request, root: str, ctx: str, entity: str, parent: tuple[str, str] | None) -> Response:
        self._options(req, LIST_OPTIONS)
        refused = self._lines_unbound(req, entity) if parent is None else None
        if refused is not None:
            return refused
        unbound = self._journal_unbound(req, entity, parent)
        type_name, types = ENTITIES[entity][0], self._types(req, entity)
        fields = self._select(req, entity)
        shown = self._shown(req, entity, fields)
        expand = self._expand(req, entity)
        order = self._orderby(req, entity)
        top, skip = self._count_param(req, "$top"), self._count_param(req, "$skip")
        count = req.query.get("$count")
        if count not in (None, "true", "false"):
            raise FilterError(f"'{count}' is not a valid count option.")
        preds = []
        if req.query.get("$filter") is not None:
            preds.append(compile_filter(req.query["$filter"], types, f"Microsoft.NAV.{type_name}"))
        if parent:
            preds.append(lambda r, k=parent[0], v=parent[1]: (r.get(k) or "").lower() == v)  # type: ignore[misc]  # mypy cannot type a lambda with default arguments
        keep = (lambda r: all(p(r) for p in preds)) if preds else None
        size = PAGE_CAP
        headers: dict[str, str] = {}
        m = re.search(r"odata\.maxpagesize=(\d+)", req.header("prefer") or "")
        if m:
            size = max(1, min(PAGE_CAP, int(m.group(1))))
            headers["Preference-Applied"] = f"odata.maxpagesize={size}"
        pos, served = self._skiptoken(req.query.get("$skiptoken"))
        # $top caps the whole result; server paging splits it, the next link carries what is left
        want = size if top is None else max(0, min(size, top - served))
        if order or skip:
            everything = self._matching(entity, keep, order)
            # the first page starts after $skip; a next link's token already counts it
            start = pos if "$skiptoken" in req.query else (skip or 0)
            rows = [(d["id"], dumps(self._shape(d, v, shown))) for d, v in everything[start:start + want]]
            nxt = start + len(rows) if start + len(rows) < len(everything) else None
            total = len(everything) if count == "true" else None
        else:
            rows, nxt = self._page(req, entity, pos, want, shown, keep, bool(expand), parent)
            total = sum(1 for _ in self._iter(entity, keep)) if count == "true" else None
        if unbound and rows:
            return self._error(400, "Application_DialogException", JOURNAL_LINES_ERR)
        # the answer is pieced together as JSON text: its records come as text from the store
        body = ['{"@odata.context":' + dumps(f"{ctx}/{entity}" + (f"({','.join(fields)})" if fields else ""))]
        if total is not None:
            body.append(f'"@odata.count":{total}')
        body.append('"value":[' + ",".join(self._with_expanded(entity, rows, expand, self._company_url(req))) + "]")
        served += len(rows)
        if nxt is not None and (top is None or served < top):
            token = base64.urlsafe_b64encode(f"{nxt}:{served}".encode()).decode()
            params = [f"{k}={quote(v, safe='')}" for k, v in req.query.items() if k != "$skiptoken"]
            params.append(f"$skiptoken={token}")
            base = req.raw_path.split("?")[0]
            body.append('"@odata.nextLink":' + dumps(f"http://{req.header('host')}{base}?" + "&".join(params)))
        return Response.json_text(200, ",".join(body) + "}", headers)

    def _page(self, req: Request, entity: str, pos: int, want: int, fields: list[str] | None, keep: Any,
              expand: bool, parent: tuple[str, str] | None) -> tuple[list[tuple[str, str]], int | None]:
        """Up to ``want`` records after ``pos`` as (id, JSON text), and the position a next page starts at.
        Unfiltered, or filtered on ``lastModifiedDateTime`` alone, they come from the key column and the
        stamp index and are shaped in SQL, no record decoded, as the service's indexes serve them; any other
        filter is tried record by record."""
        if not want:
            return [], None
        exact = self._stamp_range(entity, req) if keep is not None and parent is None else None
        if keep is None or exact is not None:
            # a next link as before: a key-only read of a range of stamps gives one while more ids are in it, any
            # other read (other fields, or a status beside the stamps) while any record follows
            range_of_ids = fields == ["id"] and not expand and _stamp_terms(req.query.get("$filter")) is not None
            rows, nxt = self.store.page_texts(entity, pos, want, self._columns(fields), exact,
                                              next_if_any=exact is not None and not range_of_ids)
            return [(rid, self._text(rid, version, shaped)) for rid, version, shaped in rows], nxt
        hint, indexed = _prefilter(self.store, entity, req.query.get("$filter"))
        got, nxt = self.store.page(entity, pos, want, keep, hint, indexed=indexed)
        return [(d["id"], dumps(self._shape(d, v, fields))) for d, v in got], nxt

    def _count_only(self, req: Request, entity: str) -> Response:
        """``/{entitySet}/$count``: the number of matching entities as plain text (OData v4 part 2, 11.2.10)."""
        if entity not in ENTITIES:
            return self._error(404, "BadRequest_NotFound", f"Resource not found for the segment '{entity}'.")
        self._options(req, {"$filter", "$schemaversion"})
        refused = self._lines_unbound(req, entity)
        if refused is not None:
            return refused
        type_name, types = ENTITIES[entity][0], self._types(req, entity)
        keep = compile_filter(req.query["$filter"], types, f"Microsoft.NAV.{type_name}") \
            if req.query.get("$filter") is not None else None
        # unfiltered: the table's row count, as a database answers it, without reading every record; a range
        # of stamps too, as the index on lastModifiedDateTime would
        exact = self._stamp_range(entity, req) if keep is not None else None
        total = self.store.count(entity) if keep is None else self.store.count_where(entity, exact) \
            if exact is not None else sum(1 for _ in self._iter(entity, keep, _stamp_bounds(req.query.get("$filter"))))
        return Response(200, str(total).encode(), {"Content-Type": "text/plain"})

    def _iter(self, entity: str, keep: Any, hint: SqlHint | None = None) -> Iterable[tuple[dict[str, Any], int]]:
        for _, data, version in self.store.scan(entity, where=hint):
            if keep is None or keep(data):
                yield data, version

    def _matching(self, entity: str, keep: Any, order: list[tuple[str, bool]]) -> list[tuple[dict[str, Any], int]]:
        rows = list(self._iter(entity, keep))
        types = ENTITIES[entity][1]
        for prop, desc in reversed(order):  # stable sorts, last key first
            edm = types[prop]
            # blanks sort first ascending, as AL sorts empty values before any other
            rows.sort(key=lambda dv, p=prop, e=edm: (coerce(dv[0].get(p), e) is not None,  # type: ignore[misc]  # mypy cannot type a lambda with default arguments
                                                      coerce(dv[0].get(p), e) or _BLANK.get(e, "")),
                      reverse=desc)
        return rows

    def _get(self, req: Request, ctx: str, entity: str, rid: str) -> Response:
        self._options(req, ENTITY_OPTIONS)
        fields, expand = self._select(req, entity), self._expand(req, entity)
        got = self.store.get(entity, rid)
        if got is None:
            return self._not_found(entity, rid)
        data, version = got
        [shaped] = self._with_expanded(entity, [(data["id"], dumps(self._shape(data, version, self._shown(
            req, entity, fields))))], expand,
                                       self._company_url(req))
        return Response.json_text(200, '{"@odata.context":' + dumps(f"{ctx}/{entity}/$entity") + "," + shaped[1:],
                                  {"ETag": etag(data["id"], version)})

    # -- writes ---------------------------------------------------------------
    def _changes(self, req: Request, entity: str) -> dict[str, Any]:
        """The request body's properties, each checked against $metadata, or WriteRefused."""
        type_name, _, writable = ENTITIES[entity]
        types = self._types(req, entity)
        try:
            changes = loads(req.body or b"{}")
        except ValueError:
            raise WriteRefused(400, "BadRequest", "Invalid Request Body") from None
        if not isinstance(changes, dict):
            raise WriteRefused(400, "BadRequest", "Invalid Request Body")
        out: dict[str, Any] = {}
        for f, value in changes.items():
            if f.startswith("@odata."):
                continue  # instance annotations (etag, type) travel with entities; the reader skips them
            if f not in types:
                raise WriteRefused(400, "BadRequest",
                                   f"The property '{f}' does not exist on type 'Microsoft.NAV.{type_name}'. "
                                   f"Make sure to only use property names that are defined by the type.")
            if f not in writable:
                # ODataInvalidOperationException in dev-itpro/webservices/dynamics-error-codes.md
                raise WriteRefused(400, "BadRequest_InvalidOperation", f"Control '{f}' is read-only.")
            out[f] = check_value(entity, type_name, f, types[f], value)
        return out

    def _post(self, req: Request, ctx: str, entity: str) -> Response:
        self._options(req, ENTITY_OPTIONS)
        type_name, types, _ = ENTITIES[entity]
        changes = self._changes(req, entity)
        if entity in JOURNAL_LINES and changes.get("journalId", BLANK_GUID) == BLANK_GUID:
            # page 30055 OnInsertRecord: no "Journal Batch Id" and no filter on it -> Error(FiltersNotSpecifiedErr)
            return self._error(400, "Application_DialogException", JOURNAL_LINES_ERR)
        rid = str(uuid.uuid4())
        record = {p: _BLANK.get(edm, "") for p, edm in types.items()}
        record.update({p: members[0] for p, (_, members) in ENUMS.get(entity, {}).items()})
        record.update(changes)
        record["id"] = rid
        if "lastModifiedDateTime" in types:
            record["lastModifiedDateTime"] = now_iso()
        self.store.insert_many(entity, [(rid, record)])
        data, version = self.store.get(entity, rid)  # type: ignore[misc]  # inserted just above
        shaped = self._shape(data, version, self._shown(req, entity, None))
        return Response.json(201, {"@odata.context": f"{ctx}/{entity}/$entity", **shaped},
                             {"ETag": shaped["@odata.etag"], "Location": f"{ctx}/{entity}({rid})"})

    def _patch(self, req: Request, ctx: str, entity: str, rid: str) -> Response:
        self._options(req, ENTITY_OPTIONS)
        _, types, _ = ENTITIES[entity]
        if_match = req.header("if-match")
        if not if_match:
            return self._error(400, "BadRequest_InvalidToken",
                               "Could not validate the client concurrency token required by the service. "
                               "Please provide a valid token in the client request.")
        changes = self._changes(req, entity)
        found = self.store.get(entity, rid)
        if found is None:
            return self._not_found(entity, rid)
        held = found[0].get("journalId") or BLANK_GUID
        if entity in JOURNAL_LINES and held != BLANK_GUID and changes.get("journalId", held) != held:
            # page 30055, journalId OnValidate: Error(CannotEditJournalIdErr)
            return self._error(400, "Application_DialogException", "The Journal Id cannot be changed.")
        if self.faults.take_change():  # another user saves the record just before this write lands
            self.store.update(entity, rid, lambda d, v: {**d, "lastModifiedDateTime": now_iso()})
        stale = False

        def apply(data: dict[str, Any], version: int) -> dict[str, Any] | None:
            nonlocal stale
            if if_match.strip() != "*" and if_match.strip() != etag(rid, version):
                stale = True
                return None
            new = dict(data)
            new.update(changes)
            if "lastModifiedDateTime" in types:
                new["lastModifiedDateTime"] = now_iso()
            return new

        with_version = self.store.update(entity, rid, apply)
        if stale:
            return self._error(412, "Request_EntityChanged", "Another user has already changed the record.")
        data, version = with_version  # type: ignore[misc]  # the record exists: apply() ran on it
        shaped = self._shape(data, version, self._shown(req, entity, None))
        return Response.json(200, {"@odata.context": f"{ctx}/{entity}/$entity", **shaped},
                             {"ETag": shaped["@odata.etag"]})

    def _delete(self, req: Request, entity: str, rid: str) -> Response:
        """``DELETE {entitySet}({id})`` with ``If-Match`` (the record's etag or ``*``): 204 No Content
        (Business Central API v2.0, "Delete customers" and siblings: api-reference/v2.0/api/dynamics_*_delete)."""
        if_match = (req.header("if-match") or "").strip()
        if not if_match:
            return self._error(400, "BadRequest_InvalidToken",
                               "Could not validate the client concurrency token required by the service. "
                               "Please provide a valid token in the client request.")
        found = self.store.get(entity, rid)
        if found is None:
            return self._not_found(entity, rid)
        if if_match != "*" and if_match != etag(rid, found[1]):
            return self._error(412, "Request_EntityChanged", "Another user has already changed the record.")
        self.store.delete(entity, rid)
        for child, key in NAVIGATION.get(entity, {}).values():
            # a sales order takes its lines with it: "Sales Header" OnDelete -> DeleteAllSalesLines
            # (microsoft/BCApps src/Layers/W1/BaseApp/Sales/Document/SalesHeader.Table.al)
            for _, line, _ in list(self.store.scan(child, where=(f"lower(json_extract(data, '$.{key}')) = ?",
                                                                 (rid,)))):
                self.store.delete(child, line["id"])
        return Response(204, b"", {})


def metadata_xml(served: frozenset[str] | None = None, route: str = API_V2) -> str:
    """CSDL for the entity sets served under one route (``served``; None: API v2.0's): read-only properties marked
    as Business Central does, strings with their field's MaxLength, enum fields as EnumTypes, AL value types never
    nullable."""
    served = route_sets(API_V2) if served is None else served
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
             '<edmx:DataServices><Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">']
    for entity_set, enums in ENUMS.items():
        if entity_set not in served:  # a route's CSDL declares the types its own entity types use
            continue
        for enum_name, members in enums.values():
            parts.append(f'<EnumType Name="{enum_name}">' + "".join(
                f'<Member Name="{m}" Value="{n}"/>' for n, m in enumerate(members)) + "</EnumType>")
    sets = []
    for entity_set, (type_name, types, writable) in {"companies": ("company", COMPANY_FIELDS, set()),
                                                    **{e: d for e, d in ENTITIES.items() if e in served}}.items():
        parts.append(f'<EntityType Name="{type_name}"><Key><PropertyRef Name="id"/></Key>')
        for prop, edm in types.items():
            if prop in hidden_properties(route, entity_set):
                continue
            enum = ENUMS.get(entity_set, {}).get(prop)
            attrs = f' Type="Microsoft.NAV.{enum[0]}"' if enum else f' Type="{edm}"'
            if edm != S or enum:
                attrs += ' Nullable="false"'
            if (length := MAX_LENGTH.get(entity_set, {}).get(prop)) and not enum:
                attrs += f' MaxLength="{length}"'
            if prop in writable:
                parts.append(f'<Property Name="{prop}"{attrs}/>')
            else:
                parts.append(f'<Property Name="{prop}"{attrs}><Annotation '
                             f'Term="Org.OData.Core.V1.Permissions"><EnumMember>Org.OData.Core.V1.Permission/Read'
                             f'</EnumMember></Annotation></Property>')
        for nav, (child, _) in NAVIGATION.get(entity_set, {}).items():
            parts.append(f'<NavigationProperty Name="{nav}" Type="Collection(Microsoft.NAV.{ENTITIES[child][0]})" '
                         f'ContainsTarget="true"/>')
        parts.append("</EntityType>")
        sets.append(f'<EntitySet Name="{entity_set}" EntityType="Microsoft.NAV.{type_name}"/>')
    parts.append('<EntityContainer Name="NAV">' + "".join(sets) + "</EntityContainer>")
    parts.append("</Schema></edmx:DataServices></edmx:Edmx>")
    return "".join(parts)
