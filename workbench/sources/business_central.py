"""Microsoft Dynamics 365 Business Central API v2.0 connector (OData v4 over httpx).

Config (``[erp.business_central]``)::

    tenant = "contoso.onmicrosoft.com"      # or the tenant GUID
    environment = "production"
    company = "CRONUS USA, Inc."            # company name or id (GUID)
    client_id = "..."                       # Entra app registration
    client_secret_env = "BC_CLIENT_SECRET"  # or the OS keyring (workbench credentials set)
    # optional: base_url, token_url, scope, page_size (<= 20000), timeout, retries, max_connections

    [erp.objects.prices]                    # a page of the tenant's own, under its own API route
    object = "salesPrices"
    route = "contoso/pricing/v1.0"          # APIPublisher/APIGroup/APIVersion: read, batched, written there

Pulls follow ``@odata.nextLink`` with ``Prefer: odata.maxpagesize``, ``$select`` only the
mapped fields and, for incremental pulls, ``$filter=lastModifiedDateTime ge <since less STAMP_SLACK>``. Sales
order lines come inline with their orders (``salesOrders?$expand=salesOrderLines($select=...)``):
Business Central serves no list of lines that names no order; customer payments, lines of a customer
payment journal, likewise with their journals (``customerPaymentJournals?$expand=customerPayments(...)``).
Writes are ``PATCH`` with ``If-Match`` = the etag seen at approval time: a stale etag
(``Request_EntityChanged``) is a conflict, never retried blind with ``*``. Every value is
sent as the type the service's ``$metadata`` (read once) gives the target property; a
write Business Central would refuse (read-only property, text over its ``MaxLength``, a
value outside an enum, a blank number) is refused here with one line and never sent.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from operator import itemgetter
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal
from typing import Any
from collections.abc import Callable, Generator, Iterator
from urllib.parse import quote

import httpx
import numpy as np
import pandas as pd

from workbench.config import RunConfig
from workbench.errors import Cancelled, ConfigError, InputError, SourceError, WorkbenchError
from workbench.model.status import StatusMap, UnknownStatus
from workbench.progress import TaskState, check_cancelled, report
from workbench.sources.base import Extract, SourceMeta, WriteRequest, WriteResult
from workbench.sources.credentials import get_secret
from workbench.sources.erp_columns import Combine, Combined, Convert, Page, Step, canonical_frame
from workbench.sources.delta import CHANGES, FULL, DeltaExtract, KindDelta, gone_by_count, ids_of
from workbench.sources.erp_mapping import (NEGATE, ObjectMap, PullBuffer, coerce, converter, fill_from, lookup,
                                           object_maps, same_value)
from workbench.sources.http_common import (TRANSIENT_STATUS, ClientCredentials, HttpClient, HttpFailure, RetryLater,
                                           decode, encode_json, redact, retry_after_seconds)

PAGE_CAP = 20_000
# "Max batch size: The maximum number of operations in an OData V4 $batch request. 100" (Operational limits for
# Business Central online, dev-itpro/administration/operational-limits-online.md)
BATCH_CAP = 100
_SAFE = "$,'()=:"  # left as they are in a query value: OData's own punctuation
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# What API v2.0 publishes (microsoft/ALAppExtensions Apps/W1/APIV2/app/src/pages): no price list entity and no
# bill-to customer on page 30009 "APIV2 - Customers" (it is on sales documents only). Asking a property a page lacks
# is refused ("Could not find a property named ..."), an entity set it lacks is 404: neither is asked by default.
# A tenant that publishes them (an entity set over its Price List Lines; a bill-to number)
# maps them under [erp.objects.prices] and [erp.objects.customers.fields] (docs/guide/erp.md).
DEFAULT_OBJECTS: dict[str, dict[str, Any]] = {
    "customers": {"object": "customers", "fields": {
        "record_id": "id", "name": "displayName", "number": "number",
        "street": "addressLine1", "city": "city", "postcode": "postalCode", "state": "state",
        "country": "country", "tax_id": "taxRegistrationNumber", "website": "website", "email": "email",
        "phone": "phoneNumber", "currency": "currencyCode", "blocked": "blocked",
        "last_modified": "lastModifiedDateTime"}},
    "products": {"object": "items", "fields": {
        "record_id": "id", "code": "number", "name": "displayName", "active": "!blocked",
        "last_modified": "lastModifiedDateTime"}},
    "orders": {"object": "salesOrders", "fields": {
        "record_id": "id", "number": "number", "customer_id": "customerId", "currency": "currencyCode",
        "total_amount": "totalAmountIncludingTax", "order_date": "orderDate", "status": "status",
        "xref": "externalDocumentNumber", "last_modified": "lastModifiedDateTime"}},
    "order_lines": {"object": "salesOrderLines", "incremental": False, "fields": {
        "record_id": "id", "order_id": "documentId", "product_code": "lineObjectNumber", "quantity": "quantity",
        "unit_price": "unitPrice", "discount_percent": "discountPercent", "amount": "amountExcludingTax"}},
    "invoices": {"object": "salesInvoices", "status_fields": ["status"], "fields": {
        "record_id": "id", "number": "number", "customer_id": "customerId", "currency": "currencyCode",
        "total_amount": "totalAmountIncludingTax", "open_balance": "remainingAmount", "invoice_date": "invoiceDate",
        "due_date": "dueDate", "order_ref": "orderNumber", "external_ref": "externalDocumentNumber",
        "last_modified": "lastModifiedDateTime"}},
    # a customerPayment has no currency of its own (page 30055 "APIV2 - Customer Payments" publishes none): it is
    # its invoice's, else its customer's (_derive)
    "payments": {"object": "customerPayments", "fields": {
        "record_id": "id", "customer_id": "customerId", "amount": "amount",
        "invoice_number": "appliesToInvoiceNumber", "payment_date": "postingDate",
        "last_modified": "lastModifiedDateTime"}},
}
# Document lines are read with their documents: Business Central answers a list of salesOrderLines that names
# no document with "You must specify an Id or a Document Id to get the lines." (page 30044 "APIV2 - Sales Order
# Lines", OnFindRecord; microsoft/ALAppExtensions Apps/W1/APIV2/app/src/pages/APIV2SalesOrderLines.Page.al), so
# the lines come inline under their orders with $expand (api-reference/v2.0/resources/dynamics_salesorder.md,
# navigation salesOrderLines). Customer payments are lines of a customer payment journal, and Business Central
# answers a list of them that names no journal with "You must specify a journal batch ID or a journal ID to get a
# journal line." (page 30055 "APIV2 - Customer Payments", CheckFilters in OnAfterGetCurrRecord; APIV2CustomerPayments
# .Page.al): they come inline under their journals (page 30013 "APIV2 - Cust. Paym. Journals", part customerPayments,
# SubPageLink "Journal Batch Id" = field(SystemId)), every journal's. Entity set -> (document entity set, navigation).
VIA_DOCUMENT: dict[str, tuple[str, str]] = {"salesOrderLines": ("salesOrders", "salesOrderLines"),
                                            "customerPayments": ("customerPaymentJournals", "customerPayments")}
# Values Business Central works out when a record is read, not stored on it: they change with no write to the
# record, so with no new lastModifiedDateTime. A sales invoice's remainingAmount comes from its customer ledger
# entry (page 30012 "APIV2 - Sales Invoices": field(remainingAmount; RemainingAmountVar)); a partial payment or a
# credit memo applied to it leaves it Open, and codeunit 5477 "Sales Invoice Aggregator" writes the invoice only
# when its status changes (UpdateStatusIfChanged). Entity set -> (those fields, the records whose values can still
# change that way): a re-run reads them for those records and reads again the ones whose values moved.
READ_TIME: dict[str, tuple[tuple[str, ...], str]] = {"salesInvoices": (("remainingAmount",), "status eq 'Open'")}
# Lines read under their documents that carry a lastModifiedDateTime of their own: journal lines (page 30055
# publishes it for customerPayments; sales order lines, a temporary table filled when read, have none). A re-run
# lists every journal's lines by id and stamp alone ($expand=customerPayments($select=id,lastModifiedDateTime)),
# then reads whole, under their journal (customerPaymentJournals({id})/customerPayments: navigation customerPayments
# of api-reference/v2.0/resources/dynamics_customerpaymentjournal.md), the lines stamped since of the journals that
# have any; a line gone from every journal is deleted (posting a journal deletes its lines: codeunit 13 "Gen.
# Jnl.-Post Batch").
STAMPED_LINES = frozenset({"customerPayments"})
IDS_PER_FILTER = 25  # GUIDs in one `id eq a or id eq b ...` filter: a URL well under the 2,048 characters proxies keep
_CSDL = {"edm": "http://docs.oasis-open.org/odata/ns/edm"}
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Properties of the default entities that are of an enum type (api-reference/v2.0/resources: customer blocked
# NAV.customerBlocked, salesInvoice status NAV.invoiceEntityAggregateStatus, salesOrder status
# NAV.salesOrderEntityBufferStatus). API v2.0 sends an enum value as its member's name in $metadata
# (transition-to-api-v2.0.md, Enums), where a character a name cannot hold is written _xHHHH_: the blank member " "
# travels as "_x0020_", "In Review" as "In_x0020_Review" (api-reference/v2.0/api/dynamics_itemledgerentry_get.md:
# "sourceType": "_x0020_", "entryType": "Positive_x0020_Adjmt_x002E_"; dynamics_opportunity_get.md:
# "In_x0020_Progress").
ENUM_PROPERTIES: dict[str, frozenset[str]] = {"customers": frozenset({"blocked"}),
                                              "salesInvoices": frozenset({"status"}),
                                              "salesOrders": frozenset({"status"})}
# AL has no null: each type's blank value is how Business Central clears a field. A blank date is 0D
# ("Date Data Type", dev-itpro/developer/methods-auto/date/date-data-type.md), which the API shows as 0001-01-01;
# a blank GUID is all zeros; an enum's blank member is " " (enum 139 "Customer Blocked").
_BLANKS: dict[str, Any] = {"Edm.String": "", "Edm.Date": "0001-01-01",
                           "Edm.DateTimeOffset": "0001-01-01T00:00:00Z",
                           "Edm.Guid": "00000000-0000-0000-0000-000000000000"}


@dataclass(frozen=True)
class Property:
    """One property of an entity type as Business Central's $metadata publishes it."""
    name: str
    type: str                          # Edm.* or the enum type's name
    read_only: bool
    max_length: int | None = None
    members: tuple[str, ...] = ()      # enum members as the text they stand for (" ", "In Review")
    names: tuple[str, ...] = ()        # the same members by name, as they travel in JSON ("_x0020_")


class Unwritable(ValueError):
    """A value Business Central would refuse for a property: the write is not sent."""


@dataclass(frozen=True)
class _Planned:
    """One field of a correction as its PATCH sends it: the property, its wire value, and how to read it back."""
    req: WriteRequest
    prop: str
    value: Any
    canon: Callable[[dict[str, Any]], Any]


def push_records(requests: list[WriteRequest], push_record: Callable[[list[WriteRequest]], list[WriteResult]],
                 state: TaskState | None, target: str) -> list[WriteResult]:
    """Write a correction's fields of one record together (``push_record`` answers one result per request, in
    order), correction by correction, stopping between records on cancel (base.push_each, per record: the
    requests of a correction of several fields come together, push.write_requests)."""
    groups: list[list[WriteRequest]] = []
    for req in requests:
        if groups and (groups[-1][0].correction_id, groups[-1][0].object, groups[-1][0].record_id) == \
                (req.correction_id, req.object, req.record_id):
            groups[-1].append(req)
        else:
            groups.append([req])
    results: list[WriteResult] = []
    for n, group in enumerate(groups, start=1):
        if state is not None and state.cancelled:
            break
        try:
            answers = push_record(group)
        except Cancelled:
            raise
        except WorkbenchError as exc:
            answers = [WriteResult(r.correction_id, "transient" if exc.transient else "permanent", exc.one_line())
                       for r in group]
        results.extend(answers)
        if state is not None:
            state.set_progress(n, len(groups), f"pushed {n:,} of {len(groups):,} records to {target}")
    return results


def _bc_error_words(resp: httpx.Response) -> tuple[str | None, str]:
    try:
        err = decode(resp).get("error") or {}
        return err.get("code"), str(err.get("message") or resp.text[:300])
    except (HttpFailure, AttributeError):
        return None, resp.text[:300] or resp.reason_phrase


def member_text(value: Any) -> Any:
    """An enum value as sent (its $metadata member name) as the text it stands for: "_x0020_" is " "."""
    return _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value) if isinstance(value, str) else value


def _as_text(conv: Convert) -> Convert:
    """A converter of an enum property: its member name read as the text it stands for first."""
    def as_text(value: Any, where: str) -> Any:
        return conv(member_text(value), where)
    return as_text


def odata_datetime(dt: datetime) -> str:
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# lastModifiedDateTime is the record's SystemModifiedAt, an AL DateTime that Business Central keeps in a SQL Server
# `datetime` column ("Time Data Type", dev-itpro/developer/methods-auto/time/time-data-type.md, SQL Server: both
# date and time in columns of the datetime type; comparing a value before it is written with the value written
# does not work), and that type is "rounded to increments of .000, .003, or .007 seconds" (learn.microsoft.com/
# sql/t-sql/data-types/datetime-transact-sql): a write made a moment after `since` can be stamped up to 1/600 s
# before it. Changes are asked from this much earlier, with `ge`: a record stamped in the very instant asked is
# read (once more at worst, which the merge by id absorbs), never missed.
STAMP_SLACK = timedelta(milliseconds=2)


def changes_from(since: datetime) -> str:
    """The ``lastModifiedDateTime`` literal a re-run asks changes from: ``since`` less the stamp's rounding
    (STAMP_SLACK), to the millisecond, rounded down."""
    return odata_datetime(since - STAMP_SLACK)


def odata_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class _Read:
    """One GET of an incremental pull, sent as an inner request of a $batch."""
    url: str  # absolute, with its query
    what: str  # for errors: "reading salesInvoices"
    page: bool = False  # a collection read: sent with Prefer: odata.maxpagesize
    after: int = 0  # how many of the reads just before it in its task's round must be processed first


@dataclass(frozen=True)
class _Answer:
    status: int
    body: Any  # JSON as JSON; a text body (a /$count) as a string


@dataclass(frozen=True)
class _Range:
    """Known records whose previous stamps fall in one lastModifiedDateTime range."""
    filter: str
    ids: frozenset[str]


# a kind's reads: yields the reads it needs next, is sent their answers in order, ends when it knows its records
_Task = Generator[list[_Read], list[_Answer], None]


@dataclass(frozen=True)
class _ReadTime:
    """A re-run's check of values worked out when read (``READ_TIME``)."""
    fields: tuple[str, ...]  # API names
    where: str  # the records whose values can change with no write: an OData filter
    before: dict[str, dict[str, Any]]  # field -> record id -> the value the previous run read (canonical)
    why: str  # for the run's record of how the kind was read


def _differs(now: Any, before: Any) -> bool:
    """A number as the service sends it against the previous run's (a Decimal, or None)."""
    if now is None or before is None:
        return (now is None) != (before is None)
    return bool(Decimal(str(now)) != before)


_STAMP_Z = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z")


def _stamp_key(text: str) -> str | None:
    """A lastModifiedDateTime as sent, as text that sorts as its instant does (UTC, to 100 ns, the most
    digits Business Central sends); None for no stamp to go by: blank, AL's blank 0001-01-01T00:00:00Z,
    or not a time."""
    if (m := _STAMP_Z.fullmatch(text)) is None:
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return None
        if dt.tzinfo is None:
            return None
        m = _STAMP_Z.fullmatch(dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        assert m is not None  # the form just written
    if m[1].startswith("0001-01-01"):
        return None
    return f"{m[1]}.{((m[2] or '') + '0000000')[:7]}"


def _stamp_key_fast(text: str) -> str | None:
    """``_stamp_key``, without a pattern match for the form Business Central sends (``...:SS.fffZ``): a
    journal can list a hundred thousand lines."""
    if len(text) == 24 and text[23] == "Z" and text[19] == "." and not text.startswith("0001-01-01"):
        return f"{text[:23]}0000"
    return _stamp_key(text)


def _line_stamps(lines: Any) -> list[tuple[str, str]]:
    """(id, lastModifiedDateTime as sent) of each line of a key-and-stamp read."""
    return [(str(ln["id"]), str(ln.get("lastModifiedDateTime") or "")) for ln in lines or []]


# A tenant's own API page is published under its own route, api/<APIPublisher>/<APIGroup>/<APIVersion>, companies
# included ("Developing a custom API", dev-itpro/developer/devenv-develop-custom-api.md: .../api/<publisher>/<group>/
# <version>/companies(<id>)/<EntitySetName>); APIVersion is "vX.Y" or "beta" (dev-itpro/developer/properties/
# devenv-apiversion-property.md).
_ROUTE = re.compile(r"^[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/(?:v\d+\.\d+|beta)$")


def _roots_of(maps: dict[str, ObjectMap], api_root: str, where: str) -> dict[str, str]:
    """Entity set -> the root of the API route it is read under: a kind's ``route`` setting
    (``[erp.objects.prices] route = "contoso/pricing/v1.0"``), else API v2.0; the document entity set its lines
    are read under (VIA_DOCUMENT) goes with them."""
    base = api_root.rsplit("/", 1)[0]  # .../api
    out: dict[str, str] = {}
    for kind, om in maps.items():
        route = om.settings.get("route")
        if route is None:
            continue
        if not isinstance(route, str) or not _ROUTE.match(route.strip("/")):
            raise ConfigError(f"{where}.{kind}] route = {route!r}: expected <publisher>/<group>/<version> as the "
                              f"API page declares them (APIPublisher, APIGroup, APIVersion), e.g. "
                              f"\"contoso/pricing/v1.0\"")
        root = f"{base}/{route.strip('/')}"
        for entity in (om.object, *VIA_DOCUMENT.get(om.object, ())[:1]):
            if out.setdefault(entity, root) != root:  # lines and their documents are read in one request
                raise ConfigError(f"{where}.{kind}] route = {route!r}: {entity} is read under another route for "
                                  f"another kind ({out[entity].rsplit('/api/', 1)[1]!r}); a document and its "
                                  f"lines are read together, under one route")
    return out


def _query(params: dict[str, str]) -> str:
    return "&".join(f"{k}={quote(v, safe=_SAFE)}" for k, v in params.items())


def _as_count(entity: str, body: Any) -> int:
    try:
        return int(str(body).strip())
    except ValueError:
        raise SourceError(f"Business Central {entity}/$count: expected a number, got {str(body)[:80]!r}") from None


def _stamp_literal(dt: datetime) -> str:
    """A DateTimeOffset literal that keeps the stamp's precision: milliseconds, or microseconds when it has
    them (a range bound cut to milliseconds would leave its last record out of its own range)."""
    if dt.microsecond % 1000 == 0:
        return odata_datetime(dt)
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _inner_words(one: dict[str, Any]) -> tuple[str | None, str]:
    """(code, message) of an inner response of a $batch, as ``_bc_error_words`` reads a whole one."""
    body = one.get("body")
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return err.get("code"), str(err.get("message") or err)
    return None, str(body)[:300] if body is not None else f"HTTP {one.get('status')}"


class BusinessCentralSource:
    connector = "business_central"
    def __init__(self, side: str, config: RunConfig):
        self.side, self.config = side, config
        side_cfg = config.side(side)
        bc = dict(side_cfg.get("business_central") or {})
        where = f"{config.where()}: [{side}.business_central]"
        for key in ("tenant", "environment", "company", "client_id"):
            if not bc.get(key):
                raise ConfigError(f"{where} needs '{key}'")
        self.system = str(side_cfg.get("system") or "business_central")
        secret = get_secret({**bc, "side": side, "system": "business_central"}, "client_secret")
        base = str(bc.get("base_url") or "https://api.businesscentral.dynamics.com").rstrip("/")
        token_url = bc.get("token_url") or f"https://login.microsoftonline.com/{bc['tenant']}/oauth2/v2.0/token"
        self.page_size = int(bc.get("page_size") or PAGE_CAP)
        if not 1 <= self.page_size <= PAGE_CAP:
            raise ConfigError(f"{where} page_size = {self.page_size}, expected 1..{PAGE_CAP}")
        self.auth = ClientCredentials(token_url, str(bc["client_id"]), secret,
                                      bc.get("scope") or "https://api.businesscentral.dynamics.com/.default")
        self.http = HttpClient(system="Business Central", timeout=float(bc.get("timeout", 60)),
                               attempts=int(bc.get("retries", 5)), backoff=float(bc.get("backoff", 0.5)),
                               max_backoff=float(bc.get("max_backoff", 60)),
                               max_connections=int(bc.get("max_connections", 4)), auth=self.auth,
                               headers={"Accept": "application/json"}, error_words=_bc_error_words)
        self.api_root = f"{base}/v2.0/{bc['tenant']}/{bc['environment']}/api/v2.0"
        self.company = str(bc["company"])
        self._company_url: str | None = None
        self.maps = object_maps(side_cfg, DEFAULT_OBJECTS, self.system)
        self._roots = _roots_of(self.maps, self.api_root, f"{config.where()}: [{side}.objects")
        self.meta = SourceMeta(side=side, system=self.system, connector=self.connector, instance=self.api_root,
                               api_version="v2.0")
        self._metadata: dict[str, ET.Element] = {}  # API root -> its $metadata
        self._schemas: dict[str, dict[str, Property]] = {}
        self._plans: dict[int, Any] = {}
        self._column_plans: dict[int, tuple[list[Step], list[Combined]]] = {}
        self._batch_calls = 0  # HTTP requests that were $batch requests
        self._inner_ops = 0  # the inner requests they carried
        self._done = 0  # records read so far in pull_changes, for progress
        self._numbers_before: dict[Any, Any] = {}  # pull_changes: the previous customers by record id (derive)

    # -- plumbing -------------------------------------------------------------
    @property
    def company_url(self) -> str:
        if self._company_url is None:
            if _GUID.match(self.company):
                self._company_url = f"{self.api_root}/companies({self.company.lower()})"
            else:
                body = self.http.get_json(f"{self.api_root}/companies", "listing companies",
                                          params={"$filter": f"name eq {odata_literal(self.company)}"})
                found = body.get("value") or []
                if not found:
                    raise ConfigError(f"Business Central: no company named {self.company!r} in environment "
                                      f"{self.api_root.split('/')[-3]}; set [business_central] company to its "
                                      f"name or id")
                self._company_url = f"{self.api_root}/companies({found[0]['id']})"
        return self._company_url

    def _set_url(self, entity: str) -> str:
        """The URL of an entity set of the company, under the API route it is published under (``_roots_of``):
        the company is the same record whatever the route, so its id serves every route."""
        root = self._roots.get(entity, self.api_root)
        company = self.company_url
        return f"{root}{company[len(self.api_root):]}/{entity}"

    def close(self) -> None:
        self.http.close()

    def _usage(self) -> dict[str, Any]:
        """HTTP calls, and operations: every request, a $batch counted as the inner requests it carried
        (whether those count one by one against the service's request limits is not documented)."""
        return {"calls": self.http.requests,
                "operations": self.http.requests - self._batch_calls + self._inner_ops,
                "retries": self.http.retries, "tokens": self.auth.fetched}

    # -- pull -----------------------------------------------------------------
    def pull(self, state: TaskState | None = None, since: datetime | None = None) -> Extract:
        return self._pull(state, since)

    def pull_changes(self, state: TaskState | None, since: datetime, previous: Extract) -> DeltaExtract:
        """Records changed since ``since`` (``$filter=lastModifiedDateTime ge``, ``changes_from``), and
        deletions: Business Central API v2.0 keeps no record of deleted entities (webhooks aside), so they are found by
        counting (``/$count``, OData v4 part 2, 11.2.10): the known records that have not changed since are
        split by the ``lastModifiedDateTime`` they had into ranges of at most a page, each range is counted,
        and the ids of a range are read (``$select=id``) only when its count says records in it are gone;
        when the known records fit one page, or have no stamps, every id is read instead. Sales orders need
        none of this, as the read of their lines lists every order. Customer payments neither: every journal's
        lines are listed by id and stamp, and only those stamped since are read (``_lines_task``). Sales order
        lines (read under their orders, with no stamp of their own), kinds without lastModifiedDateTime and
        ``incremental = false`` are read in full.

        Every read goes in JSON ``$batch`` requests (``_run_reads``): the first carries each kind's counts and
        the first page of its changes, and the values worked out when read (``READ_TIME``) per stamp range;
        later ones the next pages of all kinds together and the id reads of the ranges that lost records; a
        last one, when any moved, the records whose read-time values moved."""
        kinds: dict[str, KindDelta] = {}
        buf = PullBuffer()
        self._done = 0
        # the previous customers' numbers: a parent it resolved stays by its old id in a child that did not change
        self._numbers_before = lookup(previous.frames, "customers", "record_id", "number")
        listed = {VIA_DOCUMENT[om.object][0] for om in self.maps.values() if om.object in VIA_DOCUMENT}
        doc_ids: dict[str, set[str]] = {}
        told_by_lines: dict[str, str] = {}
        tasks: list[_Task] = []
        changed: dict[str, set[str]] = {}  # per kind, the ids its changes brought
        rechecks: list[tuple[str, ObjectMap, str, dict[str, str], str, _ReadTime, list[str]]] = []
        for kind, om in self.maps.items():
            entity, nav, delta, params, query = self._read_plan(kind, om, since)
            if nav is not None and self._stamped_lines(om):
                tasks.append(self._lines_task(state, kind, om, entity, nav, query, buf, kinds,
                                              previous.frames.get(kind), since))
                continue
            if not delta:
                kinds[kind] = KindDelta(FULL, why=self._why_full(om, entity, nav))
            elif om.object in listed:
                told_by_lines[om.object] = kind
            counted = delta and om.object not in listed
            ranges = self._ranges(previous.frames.get(kind), since) if counted else None
            tasks.append(self._changes_task(state, kind, om, entity, nav, params, query, buf, doc_ids, kinds,
                                            counted, ranges, since,
                                            ids_of(previous.frames.get(kind)) if counted else frozenset(),
                                            changed.setdefault(kind, set())))
            if delta and (rt := self._read_time(om, entity, previous.frames.get(kind))) is not None:
                # its own task, all in the first $batch beside the changes and the counts: one read per range of
                # the known records' stamps (a page each), not one page after another
                moved: list[str] = []
                tasks.append(self._moved(entity, rt, ranges if counted else self._ranges(previous.frames.get(kind),
                                                                                         since), moved))
                rechecks.append((kind, om, entity, params, query, rt, moved))
        self._run_reads(tasks, state)
        again = []
        for kind, om, entity, params, query, rt, moved in rechecks:
            ids = [i for i in moved if i not in changed[kind]]  # those read already came back whole
            if ids and kinds.get(kind) is not None:
                kd = kinds[kind]
                kinds[kind] = replace(kd, query=f"{kd.query}; {len(ids):,} read again: {rt.why}")
            again.append(self._read_again(kind, om, entity, params, query, buf, ids))
        self._run_reads(again, state)
        for entity, kind in told_by_lines.items():
            kinds[kind] = KindDelta(CHANGES, live=frozenset(doc_ids.get(entity, set())),
                                    query=f"every {entity} id, read with their lines: no count needed")
        fr = buf.frames()
        self._derive(fr)
        self.meta.api_usage = self._usage()
        self.meta.incremental_since = since
        self.meta.extracted_at = datetime.now(UTC)
        out = DeltaExtract(self.meta, fr, buf.snapshots(), kinds=kinds).finish()
        assert isinstance(out, DeltaExtract)  # finish() gives back the extract it was called on
        return out

    @staticmethod
    def _why_full(om: ObjectMap, entity: str, nav: str | None) -> str:
        """Why a re-run reads a kind in full, for the run's record."""
        if nav is None:
            return f"{om.object} has no lastModifiedDateTime to filter on"
        # read whole under their documents: a line deleted (an order line removed) is then gone from the kind with
        # nothing to count
        why = f"{om.object} are listed only under their {entity}" if "lastModifiedDateTime" in om.source_fields() \
            else f"{om.object} has no lastModifiedDateTime to filter on"
        return f"{why}; read in full with their {entity}"

    def _read_plan(self, kind: str, om: ObjectMap, since: datetime | None
                   ) -> tuple[str, str | None, bool, dict[str, str], str]:
        """How a kind is read, noted in the meta: (entity set, navigation its records come inline under,
        whether only changes since ``since`` are read, the query options, the query as the run records it)."""
        entity, nav = VIA_DOCUMENT.get(om.object, (om.object, None))
        select = ["id"] + [f for f in om.source_fields() if f != "id"]
        params = {"$select": ",".join(select)}
        if nav is not None:
            params = {"$select": "id", "$expand": f"{nav}($select={','.join(select)})"}
        delta = nav is None and bool(om.settings.get("incremental", True))
        if since is not None and delta:
            params["$filter"] = f"lastModifiedDateTime ge {changes_from(since)}"
        root = self._roots.get(entity, self.api_root)
        route = "" if root == self.api_root else f"api/{root.rsplit('/api/', 1)[1]}/.../"  # a tenant's own route
        query = f"GET {route}{entity}?" + "&".join(f"{k}={v}" for k, v in params.items())
        self.meta.objects[kind] = om.object
        self.meta.queries[kind] = query
        return entity, nav, since is not None and delta, params, query

    def _pull(self, state: TaskState | None, since: datetime | None) -> Extract:
        buf = PullBuffer()
        done = 0
        for kind, om in self.maps.items():
            check_cancelled(state)
            entity, nav, _, params, query = self._read_plan(kind, om, since)
            got = 0
            for raws in self._pages(entity, params):
                if nav is not None:
                    raws = [line for doc in raws for line in self._expanded(doc, nav)]
                page = Page(raws)
                buf.add_page(kind, om.object, query, page, self._frame(om, page))
                got += len(raws)
                done += len(raws)
                report(state, done, None, f"{om.object}: {got:,} read")
        fr = buf.frames()
        self._derive(fr)
        self.meta.api_usage = self._usage()
        self.meta.incremental_since = since
        self.meta.extracted_at = datetime.now(UTC)
        return Extract(self.meta, fr, buf.snapshots()).finish()

    def _expanded(self, doc: dict[str, Any], nav: str) -> list[dict[str, Any]]:
        """The expanded collection ``nav`` of ``doc``, with the rest of it when the service paged it
        (``<nav>@odata.nextLink``, OData v4.01 JSON format 4.5.5): an unread page would be lines lost."""
        lines: list[dict[str, Any]] = list(doc.get(nav) or [])
        link = doc.get(f"{nav}@odata.nextLink")
        if link:
            for page in self._pages(nav, None, url=link):  # the link carries its own query
                lines.extend(page)
        return lines

    def _pages(self, entity: str, params: dict[str, str] | None, url: str | None = None
               ) -> Iterator[list[dict[str, Any]]]:
        url = url or self._set_url(entity)
        first = True
        while url:
            resp = self.http.request("GET", url, params=params if first else None,
                                     headers={"Prefer": f"odata.maxpagesize={self.page_size}"})
            if resp.status_code >= 400:
                raise self.http.fail(resp, f"reading {entity}")
            body = decode(resp)
            yield body.get("value") or []
            url = body.get("@odata.nextLink")
            first = False

    # -- incremental reads in $batch requests -------------------------------------
    def _changes_task(self, state: TaskState | None, kind: str, om: ObjectMap, entity: str, nav: str | None,
                      params: dict[str, str], query: str, buf: PullBuffer, doc_ids: dict[str, set[str]],
                      kinds: dict[str, KindDelta], counted: bool, ranges: list[_Range] | None, since: datetime,
                      known: frozenset[str], changed: set[str]) -> _Task:
        """One kind's reads as a task of ``_run_reads``: its count(s) and the first page of its changes, then
        its next pages, then (when the counts say records are gone) the reads that tell which. ``changed``
        receives the ids of the records its changes brought."""
        url = self._set_url(entity)
        first: list[_Read] = []
        if counted:  # counted before the changes are read: a record added in between is then among them
            first.append(_Read(f"{url}/$count", f"counting {entity}"))
            for rng in ranges or []:
                first.append(_Read(f"{url}/$count?$filter={quote(rng.filter, safe=_SAFE)}",
                                   f"counting {entity} in {rng.filter}"))
        # after its counts: a batch's requests may run in any order unless one names others in dependsOn
        # (OData JSON Format v4.01, 19.1), and a record added between a change read and a count after it
        # would make the count look one short of a deletion
        first.append(_Read(f"{url}?{_query(params)}", f"reading {entity}", page=True, after=len(first)))
        answers = yield first
        count = _as_count(entity, answers[0].body) if counted else 0
        range_counts = [_as_count(entity, a.body) for a in answers[1:-1]]
        got = 0
        body = answers[-1].body
        while True:
            raws = list(body.get("value") or [])
            if nav is not None:
                doc_ids.setdefault(entity, set()).update(str(doc["id"]) for doc in raws)
                raws = [line for doc in raws for line in self._expanded(doc, nav)]
            page = Page(raws)
            frame = self._frame(om, page)
            buf.add_page(kind, om.object, query, page, frame)
            changed.update(map(str, frame["record_id"].tolist()))
            got += len(raws)
            self._done += len(raws)
            report(state, self._done, None, f"{om.object}: {got:,} read")
            link = body.get("@odata.nextLink")
            if not link:
                break
            body = (yield [_Read(str(link), f"reading {entity}", page=True)])[0].body
        if counted:
            kinds[kind] = yield from self._deletions(entity, count, known, changed, ranges, range_counts, since)

    @staticmethod
    def _stamped_lines(om: ObjectMap) -> bool:
        """Lines of a document (journal) a re-run reads by their own stamps (STAMPED_LINES)."""
        return om.object in STAMPED_LINES and "lastModifiedDateTime" in om.source_fields() \
            and bool(om.settings.get("incremental", True))

    def _lines_task(self, state: TaskState | None, kind: str, om: ObjectMap, entity: str, nav: str, query: str,
                    buf: PullBuffer, kinds: dict[str, KindDelta], previous: pd.DataFrame | None,
                    since: datetime) -> _Task:
        """A kind of STAMPED_LINES as a task of ``_run_reads``: every document's lines by id and stamp (pages
        and expanded pages followed), then, per document holding a line stamped after ``since`` or one the
        previous run did not know, its lines read whole under it: those stamped after ``since``, or all of
        them when it holds an unknown line stamped earlier or a line with no stamp to go by (blank, or not a
        time: nothing then is left to chance). The lines no document lists any more are deleted (``live``);
        the merged lines take the order of the listing (a new line sits among its document's)."""
        url = self._set_url(entity)
        what = f"listing {om.object} by id and lastModifiedDateTime"
        stamps: dict[str, list[tuple[str, str]]] = {}  # document id -> [(line id, stamp as sent)]
        listing = {"$select": "id", "$expand": f"{nav}($select=id,lastModifiedDateTime)"}
        reads: list[tuple[str | None, _Read]] = [(None, _Read(f"{url}?{_query(listing)}", what, page=True))]
        listed = 0
        while reads:
            after: list[tuple[str | None, _Read]] = []
            for (doc, _), answer in zip(reads, (yield [r for _, r in reads])):
                body = answer.body
                if doc is None:  # a page of documents, each with (a first page of) its lines
                    for row in body.get("value") or []:
                        did = str(row["id"])
                        got = _line_stamps(row.get(nav))
                        stamps.setdefault(did, []).extend(got)
                        listed += len(got)
                        if link := row.get(f"{nav}@odata.nextLink"):
                            after.append((did, _Read(str(link), what, page=True)))
                else:  # a next page of one document's lines
                    got = _line_stamps(body.get("value"))
                    stamps[doc].extend(got)
                    listed += len(got)
                if link := body.get("@odata.nextLink"):
                    after.append((doc, _Read(str(link), what, page=True)))
            report(state, self._done, None, f"{om.object}: {listed:,} listed")
            reads = after
        known = ids_of(previous)
        cut = _stamp_key(changes_from(since))
        assert cut is not None  # a time just written in the form it reads
        select = ",".join(["id"] + [f for f in om.source_fields() if f != "id"])
        filtered = {"$select": select, "$filter": f"lastModifiedDateTime ge {changes_from(since)}"}
        docs_read: list[str] = []
        line_reads: list[_Read] = []
        for did, lines in stamps.items():
            keys = [_stamp_key_fast(stamp) for _, stamp in lines]
            whole = any(key is None or (key < cut and rid not in known) for (rid, _), key in zip(lines, keys))
            if not whole and not any(key >= cut for key in keys if key is not None):
                continue
            docs_read.append(did)
            line_reads.append(_Read(f"{url}({did})/{nav}?{_query({'$select': select} if whole else filtered)}",
                                    f"reading {om.object} of {entity}({did})", page=True))
        if not line_reads:  # none changed: the kind is there, empty, as a change read that found none leaves it
            buf.add_page(kind, om.object, query, Page([]), self._frame(om, Page([])))
        got_n = 0
        while line_reads:
            after_lines: list[_Read] = []
            for read, answer in zip(line_reads, (yield line_reads)):
                raws = list(answer.body.get("value") or [])
                page = Page(raws)
                buf.add_page(kind, om.object, query, page, self._frame(om, page))
                got_n += len(raws)
                self._done += len(raws)
                report(state, self._done, None, f"{om.object}: {got_n:,} read")
                if link := answer.body.get("@odata.nextLink"):
                    after_lines.append(_Read(str(link), read.what, page=True))
            line_reads = after_lines
        order = tuple(rid for lines in stamps.values() for rid, _ in lines)
        live = frozenset(order)
        kinds[kind] = KindDelta(
            CHANGES, live=live, order=order,
            query=f"GET {entity}?$select=id&$expand={nav}($select=id,lastModifiedDateTime): {len(live):,} lines in "
                  f"{len(stamps):,} {entity}, {len(known - live):,} gone; the lines of {len(docs_read):,} "
                  f"read again under them")

    def _read_again(self, kind: str, om: ObjectMap, entity: str, params: dict[str, str], query: str, buf: PullBuffer,
                    ids: list[str]) -> _Task:
        """The records ``ids`` read again whole, as changes, all at once (the reads share $batch requests):
        "id eq a or id eq b" in place of the stamp filter (`in` came only with Business Central 24)."""
        url = self._set_url(entity)
        reads = [_Read(f"{url}?{_query({**params, '$filter': ' or '.join(f'id eq {i}' for i in chunk)})}",
                       f"reading {entity}", page=True)
                 for chunk in (ids[n:n + IDS_PER_FILTER] for n in range(0, len(ids), IDS_PER_FILTER))]
        while reads:
            after: list[_Read] = []
            for answer in (yield reads):
                raws = list(answer.body.get("value") or [])
                page = Page(raws)
                buf.add_page(kind, om.object, query, page, self._frame(om, page))
                self._done += len(raws)
                if link := answer.body.get("@odata.nextLink"):
                    after.append(_Read(str(link), f"reading {entity}", page=True))
            reads = after

    def _read_time(self, om: ObjectMap, entity: str, previous: pd.DataFrame | None) -> _ReadTime | None:
        """What a re-run reads of ``entity``'s values worked out when read (``READ_TIME``), with the values the
        previous run read, by record id and field; None when the kind maps none of them."""
        fields, where = READ_TIME.get(entity, ((), ""))
        mapped = {api: canon for canon, api in om.fields.items() if api in fields}
        if not mapped or previous is None or not len(previous):
            return None
        ids = previous["record_id"].astype(str).tolist()
        before = {api: dict(zip(ids, previous[canon].tolist())) for api, canon in mapped.items()}
        return _ReadTime(tuple(mapped), where, before,
                         f"{', '.join(mapped)} worked out when read (no new lastModifiedDateTime) moved where {where}")

    def _moved(self, entity: str, rt: _ReadTime, ranges: list[_Range] | None, moved: list[str]) -> _Task:
        """Into ``moved``, the ids of the known records ``rt.where`` takes whose read-time values differ from the
        previous run's, read with ``$select=id,<fields>``, per range of the known records' stamps when there are
        ranges (a record stamped later came back whole with the changes, a new one too)."""
        url = self._set_url(entity)
        what = f"reading {entity} {', '.join(rt.fields)}"
        reads = [_Read(f"{url}?{_query({'$select': ','.join(('id', *rt.fields)), '$filter': flt})}", what, page=True)
                 for flt in ([f"{rt.where} and {rng.filter}" for rng in ranges] if ranges else [rt.where])]
        while reads:
            after: list[_Read] = []
            for answer in (yield reads):
                for raw in answer.body.get("value") or []:
                    rid = str(raw["id"])
                    if rid in rt.before[rt.fields[0]] and any(_differs(raw.get(f), rt.before[f][rid])
                                                              for f in rt.fields):
                        moved.append(rid)
                if link := answer.body.get("@odata.nextLink"):
                    after.append(_Read(str(link), what, page=True))
            reads = after

    def _deletions(self, entity: str, count: int, known: frozenset[str], changed: set[str],
                   ranges: list[_Range] | None, range_counts: list[int], since: datetime
                   ) -> Generator[list[_Read], list[_Answer], KindDelta]:
        """Nothing was deleted when the count is what the known and the new records make. Otherwise, with
        ranges: a known record stamped after ``since`` that did not come back changed is gone; a range whose
        count falls short of its known records that did not change holds deletions, and its ids are read.
        Without ranges (no stamps, or every known record fits one page), or when the ranges do not account
        for every record the count says is gone, every id is read."""
        known_n = len(known | changed)
        gone_n = gone_by_count(count, known, changed)
        if gone_n == 0:
            return KindDelta(CHANGES, query=f"GET {entity}/$count = {count:,}: nothing deleted")
        if gone_n > 0 and ranges:
            gone = known - changed - frozenset().union(*(rng.ids for rng in ranges))  # stamped after since, not back
            short = [(rng, len(rng.ids - changed) - n) for rng, n in zip(ranges, range_counts)]
            short = [(rng, n) for rng, n in short if n > 0]
            if short:
                present = yield from self._ids_of(entity, [rng.filter for rng, _ in short])
                for (rng, _), ids in zip(short, present):
                    gone |= rng.ids - changed - ids
            if len(gone) == gone_n:
                return KindDelta(CHANGES, deleted=frozenset(gone),
                                 query=f"GET {entity}/$count = {count:,}, {known_n:,} known: "
                                       f"{gone_n:,} deleted, found with {len(ranges)} counts over "
                                       f"lastModifiedDateTime ranges and {len(short)} id reads of those short "
                                       f"of records")
        [live] = yield from self._ids_of(entity, [None])
        return KindDelta(CHANGES, live=frozenset(live),
                         query=f"GET {entity}/$count = {count:,}, {known_n:,} known: "
                               f"GET {entity}?$select=id")

    def _ids_of(self, entity: str, filters: list[str | None]) -> Generator[list[_Read], list[_Answer], list[set[str]]]:
        """The ids (``$select=id``) matching each filter (None: every id), read together, pages followed."""
        url = self._set_url(entity)
        out: list[set[str]] = [set() for _ in filters]
        todo = [(n, _Read(f"{url}?$select=id" + (f"&$filter={quote(f, safe=_SAFE)}" if f else ""),
                          f"reading {entity} ids", page=True)) for n, f in enumerate(filters)]
        while todo:
            answers = yield [r for _, r in todo]
            after = []
            for (n, _), answer in zip(todo, answers):
                out[n].update(map(str, map(itemgetter("id"), answer.body.get("value") or [])))
                link = answer.body.get("@odata.nextLink")
                if link:
                    after.append((n, _Read(str(link), f"reading {entity} ids", page=True)))
            todo = after
        return out

    def _ranges(self, frame: pd.DataFrame | None, since: datetime) -> list[_Range] | None:
        """The previous run's records stamped before ``changes_from(since)`` (none of them changed, or it would be
        stamped later), in order of their stamps, cut into ranges of at most a page (a range ends after
        every record of its last moment); None when a record has no stamp or they all fit one page."""
        if frame is None or "last_modified" not in frame.columns or not len(frame):
            return None
        col = frame["last_modified"]
        if col.isna().any():
            return None
        try:  # UTC, as plain datetime64 values: sorted and compared in numpy
            stamps = pd.to_datetime(col, utc=True).dt.tz_localize(None)
        except (TypeError, ValueError):
            return None
        # those the change read (``ge changes_from(since)``) does not take
        cut = pd.Timestamp(changes_from(since)).tz_convert(UTC).tz_localize(None)
        early = (stamps < cut).to_numpy()
        if early.sum() <= self.page_size:
            return None
        # sorted by stamp alone: a range holds every record of its moments, so the order among records of one
        # moment changes no range
        times = stamps.to_numpy()[early]
        order = np.argsort(times, kind="stable")
        times, ids = times[order], frame["record_id"].astype(str).to_numpy()[early][order].tolist()
        out: list[_Range] = []
        lo: datetime | None = None
        i = 0
        while i < len(ids):
            j = min(i + self.page_size, len(ids))
            while j < len(ids) and times[j] == times[j - 1]:
                j += 1
            hi = pd.Timestamp(times[j - 1]).tz_localize(UTC).to_pydatetime()
            upper = f"lastModifiedDateTime le {_stamp_literal(hi)}"
            flt = upper if lo is None else f"lastModifiedDateTime gt {_stamp_literal(lo)} and {upper}"
            out.append(_Range(flt, frozenset(ids[i:j])))
            lo, i = hi, j
        return out

    def _run_reads(self, tasks: list[_Task], state: TaskState | None) -> None:
        """Run the tasks' reads round by round: each round, every waiting task's reads go out together
        in ``$batch`` requests of at most BATCH_CAP operations, in the tasks' order; each task then gets
        its answers and says what it reads next."""
        waiting: list[tuple[_Task, list[_Read]]] = []

        def advance(task: _Task, answers: list[_Answer] | None) -> None:
            try:
                reads = next(task) if answers is None else task.send(answers)
                while not reads:
                    reads = task.send([])
                waiting.append((task, reads))
            except StopIteration:
                pass

        for task in tasks:
            advance(task, None)
        while waiting:
            check_cancelled(state)
            round_, waiting = waiting, []
            reads = [r for _, rs in round_ for r in rs]
            # a $batch goes to one API route's root and carries requests of that route only: the reads of each
            # route in their own batches (a task's reads, one entity set's, stay together and in order)
            by_root: dict[str, list[int]] = {}
            for n, read in enumerate(reads):
                by_root.setdefault(self._root_of(read.url), []).append(n)
            got: dict[int, _Answer] = {}
            for root, ns in by_root.items():
                for at in range(0, len(ns), BATCH_CAP):
                    part = ns[at:at + BATCH_CAP]
                    got.update(zip(part, self._batch(root, [reads[n] for n in part])))
            answers = [got[n] for n in range(len(reads))]
            at = 0
            for task, rs in round_:
                advance(task, answers[at:at + len(rs)])
                at += len(rs)

    def _batch(self, root: str, reads: list[_Read]) -> list[_Answer]:
        """One ``POST {root}/$batch``, ``root`` being the API route the reads are under (JSON batch: "Using OData
        transactional $batch requests", dev-itpro/webservices/use-odata-batch.md; OData JSON Format v4.01, section
        19) of GETs, their answers in order. Inner requests answered 429 or 5xx are sent again, alone, after the
        client's backoff (``HttpClient.with_retries``); any other inner failure fails the pull naming the request."""
        assert len(reads) <= BATCH_CAP
        answers: dict[int, _Answer] = {}
        pending = list(range(len(reads)))
        prefer = f"odata.maxpagesize={self.page_size}"

        def request(n: int, sent: set[int]) -> dict[str, Any]:
            one: dict[str, Any] = {"id": str(n), "method": "GET", "url": self._inner_url(root, reads[n].url),
                                   "headers": {"Prefer": prefer} if reads[n].page else {}}
            # the reads it waits for, where they are in this same request (an earlier batch, or an earlier
            # attempt that answered them, has run them already)
            before = [str(d) for d in range(n - reads[n].after, n) if d in sent]
            if before:
                one["dependsOn"] = before
            return one

        def attempt() -> None:
            nonlocal pending
            sent = set(pending)
            body = {"requests": [request(n, sent) for n in pending]}
            before = self.http.requests
            # continue-on-error: without it an OData service stops at the first failed request (OData 4.01
            # Protocol 8.2.8.3; the OData .NET default, OData/WebApi issue 447), and one read answered 429 would
            # leave every read after it unanswered
            resp = self.http.request("POST", f"{root}/$batch", content=encode_json(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json",
                                              "Prefer": "odata.continue-on-error"})
            self._batch_calls += self.http.requests - before
            if resp.status_code >= 400:
                raise self.http.fail(resp, f"a $batch of {len(pending)} reads")
            got = decode(resp).get("responses")
            if not isinstance(got, list):
                raise SourceError("Business Central $batch: the answer has no 'responses' list")
            self._inner_ops += len(pending)
            again: list[int] = []
            last: dict[str, Any] = {}
            for one in got:
                n, status = self._answer_of(one, sent)
                if status in TRANSIENT_STATUS:
                    again.append(n)
                    last = one
                elif status == 424:  # not run, as a read it waits for was refused: sent again with it
                    again.append(n)
                elif status >= 400:
                    raise self._inner_failure(reads[n], one)
                elif reads[n].page and not isinstance(one.get("body"), dict):
                    raise SourceError(f"Business Central $batch: {reads[n].what} answered HTTP {status} without "
                                      f"a JSON page (inner request: GET {redact(reads[n].url)})")
                else:
                    answers[n] = _Answer(status, one.get("body"))
            missing = set(pending) - set(answers) - set(again)
            if missing and again:
                # not run: the service stopped at a failed request, as one that does not honour continue-on-error
                # does (the answer lists the requests up to the failed one): sent again with it
                again.extend(missing)
            elif missing:
                raise SourceError(f"Business Central $batch: no answer to {len(missing)} of its requests "
                                  f"(first: GET {redact(reads[min(missing)].url)})")
            pending = sorted(again)
            if pending:
                code, words = _inner_words(last)
                headers = {str(k).lower(): str(v) for k, v in (last.get("headers") or {}).items()}
                raise RetryLater(f"{len(pending)} of the batch's reads answered HTTP {last.get('status')}"
                                 f"{f' {code}' if code else ''}: {words}",
                                 retry_after_seconds(headers.get("retry-after")))

        self.http.with_retries(attempt)
        return [answers[n] for n in range(len(reads))]

    @staticmethod
    def _answer_of(one: Any, sent: set[int]) -> tuple[int, int]:
        """(which request, status) of one entry of a batch's ``responses``, or a SourceError saying what a
        service that answers otherwise than OData JSON Format v4.01, 19.2 sent."""
        if not isinstance(one, dict):
            raise SourceError(f"Business Central $batch: an answer that is not a JSON object: {str(one)[:80]!r}")
        try:
            n, status = int(str(one.get("id"))), int(str(one.get("status")))
        except ValueError:
            n, status = -1, 0
        if n not in sent or not 100 <= status <= 599:
            raise SourceError(f"Business Central $batch: an answer with id {one.get('id')!r} and status "
                              f"{one.get('status')!r}; expected the id of a request the batch sent and an HTTP status")
        return n, status

    def _root_of(self, url: str) -> str:
        """The API root (route) a read's url is under: the longest of the mapped roots it starts with."""
        roots = [r for r in {*self._roots.values(), self.api_root} if url.startswith(r + "/")]
        return max(roots, key=len) if roots else self.api_root

    @staticmethod
    def _inner_url(root: str, url: str) -> str:
        """An inner request's url relative to the service root, as the batch examples send it
        (``companies(...)/customers?...``); a link elsewhere stays absolute."""
        return url[len(root) + 1:] if url.startswith(root + "/") else url

    def _inner_failure(self, read: _Read, one: dict[str, Any]) -> HttpFailure:
        code, words = _inner_words(one)
        status = int(one.get("status") or 0)
        return HttpFailure(f"Business Central: {read.what} refused (HTTP {status}{f' {code}' if code else ''}): "
                           f"{' '.join(words.split())[:500]} (inner request of a $batch: GET {redact(read.url)})",
                           status=status, code=code, transient=status in TRANSIENT_STATUS)

    def derive(self, frames: dict[str, pd.DataFrame]) -> None:
        self._derive(frames, self._numbers_before)

    def _plan(self, om: ObjectMap) -> tuple[list[tuple[str, str, bool, Any]], StatusMap | None]:
        """Per object, once: (canonical, source, negate, converter) and the status map."""
        cached = self._plans.get(id(om))
        if cached is None:
            enums = ENUM_PROPERTIES.get(om.object, frozenset())
            steps = [(canon, src.lstrip(NEGATE), src.startswith(NEGATE),
                      _as_text(converter(om.kind, canon)) if src.lstrip(NEGATE) in enums else converter(om.kind, canon))
                     for canon, src in om.fields.items()]
            smap = StatusMap.for_source(om.status_system or self.system, om.status_overrides) \
                if om.kind == "invoices" and om.status_fields else None
            cached = self._plans[id(om)] = (steps, smap)
        return cached

    def _frame(self, om: ObjectMap, page: Page) -> pd.DataFrame:
        """A page's canonical frame, in columns: the values ``_canonical`` gives record by record."""
        plan = self._column_plans.get(id(om))
        if plan is None:
            plan = self._column_plans[id(om)] = self._column_plan(om)
        where = f"Business Central {om.object}"
        return canonical_frame(om.kind, page, *plan, lambda rec: f"{where}({rec.get('id')})")

    def _column_plan(self, om: ObjectMap) -> tuple[list[Step], list[Combined]]:
        """``_canonical`` as steps over columns: the fields, the version, then the status or the order's
        ``booked`` and ``kind``."""
        plan, smap = self._plan(om)
        steps = [Step(canon, src, _negated(conv) if negate else conv) for canon, src, negate, conv in plan]
        steps.append(Step("version", "@odata.etag", _as_is))
        combined: list[Combined] = []
        if smap is not None:
            combined.append(Combined(tuple(om.status_fields), _status_of(smap, om.status_fields)))
        elif om.kind == "orders":
            status = next((s for s in steps if s.canon == "status"), None)
            if "booked" not in om.fields:
                combined.append(Combined((status.source,) if status else (), _booked_of(status)))
            combined.append(Combined((), lambda _values, _where: {"kind": "salesOrder"}))
        return steps, combined

    def _canonical(self, om: ObjectMap, rec: dict[str, Any]) -> dict[str, Any]:
        steps, smap = self._plan(om)
        where = f"Business Central {om.object}({rec.get('id')})"
        out: dict[str, Any] = {}
        for canon, src, negate, conv in steps:
            v = conv(rec.get(src), where)
            out[canon] = (None if v is None else not v) if negate else v
        out["version"] = rec.get("@odata.etag")
        if smap is not None:
            out.update(_status_of(smap, om.status_fields)([rec.get(f) for f in om.status_fields], where))
        elif om.kind == "orders":
            out.setdefault("booked", out.get("status") not in ("Draft", "In Review"))
            out["kind"] = "salesOrder"
        return out

    @staticmethod
    def _derive(fr: dict[str, Any], numbers_before: dict[Any, Any] | None = None) -> None:
        """Fill what Business Central keeps on another entity: bill-to parents by number, line and
        payment currencies. ``numbers_before``: record id -> number of the customers a merged extract's
        unchanged records were resolved against; a parent still there stays (renumbered, its children's bill-to
        number follows it: Rename updates every field related to the customer), another is looked up again by
        that number (a parent deleted since is the number as pulled; one entered again under it has a new id)."""
        cust = fr.get("customers")
        if cust is not None and len(cust):
            by_number = lookup(fr, "customers", "number", "record_id")
            before = numbers_before or {}
            now = set(cust["record_id"].tolist())
            cust["parent_id"] = [None if p is None else p if p in before and p in now
                                 else by_number.get(n := before.get(p, p), n) for p in cust["parent_id"].tolist()]
        fill_from(fr, "order_lines", "currency", "order_id", lookup(fr, "orders", "record_id", "currency"))
        fill_from(fr, "payments", "currency", "invoice_number", lookup(fr, "invoices", "number", "currency"))
        fill_from(fr, "payments", "currency", "customer_id", lookup(fr, "customers", "record_id", "currency"))

    # -- read one ---------------------------------------------------------------
    def _entity_url(self, om: ObjectMap, record_id: str) -> str:
        return f"{self._set_url(om.object)}({record_id})"

    def _map(self, kind: str) -> ObjectMap:
        om = self.maps.get(kind)
        if om is None:
            raise ConfigError(f"Business Central: no object mapped for {kind!r}")
        return om

    def _read_raw(self, om: ObjectMap, record_id: str, fields: list[str]) -> dict[str, Any] | None:
        resp = self.http.request("GET", self._entity_url(om, record_id),
                                 params={"$select": ",".join(dict.fromkeys(["id", *fields]))})
        if resp.status_code == 404:
            return None
        if resp.status_code >= 400:
            raise self.http.fail(resp, f"reading {om.object}({record_id})")
        record: dict[str, Any] = decode(resp)
        return record

    def read_current(self, kind: str, record_ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        om = self._map(kind)
        out: dict[str, dict[str, Any]] = {}
        for rid in record_ids:
            rec = self._read_raw(om, rid, om.source_fields())
            if rec is not None:
                canon = self._canonical(om, rec)
                out[rid] = {f: canon.get(f) for f in fields} | {"version": canon["version"]}
        return out

    # -- push -----------------------------------------------------------------
    def push(self, requests: list[WriteRequest], state: TaskState | None = None) -> list[WriteResult]:
        own: dict[str, dict[str, str]] = self.__dict__.setdefault("_own_writes", {})  # record -> etag -> etag after
        results = push_records(requests, lambda group: self._push_record(group, own), state, "Business Central")
        self.meta.api_usage = self._usage()
        return results

    def _plan_field(self, om: ObjectMap, req: WriteRequest) -> _Planned | str:
        """What one field of a correction writes (property, wire value, its reading), or why it cannot be."""
        src = om.fields.get(req.field)
        if src is None:
            return (f"Business Central {om.object}({req.record_id}): field {req.field!r} of {req.object} is not "
                    f"mapped to a {om.object} property, so it cannot be corrected there")
        negate, prop = src.startswith(NEGATE), src.lstrip(NEGATE)
        where = f"Business Central {om.object}({req.record_id}).{prop}"
        target = self._properties(om.object).get(prop)
        if target is None:
            return f"{where}: Business Central's $metadata has no such property"
        if target.read_only:
            return (f"{where} is read-only in Business Central ($metadata), so {req.object} {req.field} cannot be "
                    f"corrected through the API")
        try:
            value = coerce(req.object, req.field, req.new_value, "new value")
            if negate:
                value = None if value is None else not value
            value = wire_value(target, value)
        except (Unwritable, InputError) as exc:
            return f"{where}: {exc}"

        def canon(rec: dict[str, Any]) -> Any:
            raw = member_text(rec.get(prop)) if target.members else rec.get(prop)  # an enum by member name
            v = coerce(req.object, req.field, raw, f"{om.object}({req.record_id})") \
                if not negate else coerce(req.object, req.field, raw, "")
            return (None if v is None else not v) if negate else v
        return _Planned(req, prop, value, canon)

    def _push_record(self, reqs: list[WriteRequest], own: dict[str, dict[str, str]]) -> list[WriteResult]:
        """One correction's fields of one record, written by one PATCH carrying them all with the record's
        ``@odata.etag`` as If-Match, or not at all. Business Central applies a PATCH's properties in one
        write transaction: one refused property (a validation error, a stale etag) rolls the whole request
        back ("Update customers", api-reference/v2.0/api/dynamics_customer_update: "If-Match: Required",
        body "only the properties to update"; docs/fidelity/business_central.md). Sent field by field, a
        refusal of the second left the record half-changed."""
        first = reqs[0]
        cid, rid = first.correction_id, first.record_id

        def every(outcome: str, message: str, **kw: Any) -> list[WriteResult]:
            return [WriteResult(cid, outcome, message, **kw) for _ in reqs]
        try:
            om = self._map(first.object)
        except ConfigError as exc:
            return every("permanent", str(exc))
        entity = f"{om.object}({rid})"
        plans: list[_Planned] = []
        try:
            for req in reqs:
                planned = self._plan_field(om, req)
                if isinstance(planned, str):  # nothing is sent: the other fields wait with it
                    return [WriteResult(cid, "permanent", planned if q is req else
                                        f"not written: {req.field} cannot be, and the record is written whole")
                            for q in reqs]
                plans.append(planned)
            current = self._read_raw(om, rid, list(dict.fromkeys(p.prop for p in plans)))
        except (HttpFailure, SourceError) as exc:
            return every("transient" if getattr(exc, "transient", False) else "permanent", str(exc))
        if current is None:
            return every("permanent", f"Business Central: {entity} no longer exists")
        etag = current.get("@odata.etag")
        now = [p.canon(current) for p in plans]
        there = [same_value(p.req.object, p.req.field, v, p.req.new_value) for p, v in zip(plans, now)]
        if all(there):
            return [WriteResult(cid, "already_applied", "the value is already in Business Central",
                                response_id=etag, current_value=v, new_version=etag) for v in now]
        moved = [(p, v) for p, v, done in zip(plans, now, there)
                 if not done and not same_value(p.req.object, p.req.field, v, p.req.old_value)]
        # The etag seen at approval is checked while none of the fields is written yet (once one is: a push that
        # wrote it and crashed before recording, from before writes were whole, the others by value). It is the
        # whole record's: a write of this connector's own (another correction of the same customer, its phone,
        # say) moved it, and is followed, or the second of two corrections of one record was a conflict every time.
        seen = first.seen_version
        for _ in range(len(own.get(rid, {}))):
            seen = own.get(rid, {}).get(seen or "", seen)
        if seen and seen != etag and not any(there):
            detail = ("; ".join(f"{p.prop} was {p.req.old_value!r}, now {v!r}" for p, v in moved) if moved else
                      f"{', '.join(p.prop for p in plans)} still hold(s) what the approver saw: someone changed "
                      f"another field of it")
            why = (f"Business Central {entity} changed since it was approved (etag {first.seen_version} → {etag}): "
                   f"{detail}; nothing written")
            return [WriteResult(cid, "conflict", why, current_value=v, new_version=etag) for v in now]
        if moved:
            changed = "; ".join(f"{p.prop} now holds {v!r}, not the {p.req.old_value!r} seen at approval"
                                for p, v in moved)
            return [WriteResult(cid, "already_applied" if done else "conflict",
                                "the value is already in Business Central" if done else
                                f"Business Central {entity} changed since it was approved: {changed}; "
                                f"nothing written", current_value=v, new_version=etag)
                    for v, done in zip(now, there)]
        body = {p.prop: p.value for p, done in zip(plans, there) if not done}
        try:
            resp = self.http.request("PATCH", self._entity_url(om, rid), retry="unsent",
                                     content=encode_json(body).encode("utf-8"),
                                     headers={"If-Match": etag, "Content-Type": "application/json"})
        except HttpFailure as exc:
            return self._after_uncertain(om, plans, there, exc)
        if resp.status_code in (200, 204):
            new_etag = resp.headers.get("ETag")
            if resp.content:
                new_etag = decode(resp).get("@odata.etag") or new_etag
            sent = f"PATCH {entity} {', '.join(body)}"
            if etag and new_etag:
                own.setdefault(rid, {})[etag] = new_etag
            return [WriteResult(cid, "already_applied" if done else "applied",
                                "the value was already in Business Central" if done else sent,
                                response_id=new_etag, new_version=new_etag) for done in there]
        code, words = _bc_error_words(resp)
        if resp.status_code in (409, 412) or code == "Request_EntityChanged":
            latest = self._read_raw(om, rid, [p.prop for p in plans]) or {}
            return [WriteResult(cid, "conflict", f"Business Central {entity}: {words}; nothing written",
                                current_value=p.canon(latest) if latest else None,
                                new_version=latest.get("@odata.etag")) for p in plans]
        if resp.status_code in (500, 502, 504):
            return self._after_uncertain(om, plans, there, self.http.fail(resp, "the write"))
        return every("permanent", f"Business Central {entity}: refused the write of {', '.join(body)} (HTTP "
                                  f"{resp.status_code}{f' {code}' if code else ''}): {words}; nothing written")

    def _after_uncertain(self, om: ObjectMap, plans: list[_Planned], there: list[bool],
                         exc: HttpFailure) -> list[WriteResult]:
        """A write whose outcome is unknown: look before saying anything, never write twice. The PATCH
        was whole, so either every field holds its new value or none was written by it."""
        first = plans[0].req
        try:
            latest = self._read_raw(om, first.record_id, [p.prop for p in plans])
        except HttpFailure:
            latest = None
        if latest is not None and all(same_value(p.req.object, p.req.field, p.canon(latest), p.req.new_value)
                                      for p in plans):
            tag = latest.get("@odata.etag")
            return [WriteResult(first.correction_id, "already_applied" if done else "applied",
                                "the write landed although the answer was lost", response_id=tag, new_version=tag)
                    for done in there]
        return [WriteResult(first.correction_id, "transient" if exc.transient else "permanent", str(exc))
                for _ in plans]

    # -- discovery ----------------------------------------------------------------
    def _properties(self, entity_set: str) -> dict[str, Property]:
        """The entity set's properties from $metadata, fetched once per connector."""
        cached = self._schemas.get(entity_set)
        if cached is not None:
            return cached
        api = self._roots.get(entity_set, self.api_root)  # each API route publishes its own $metadata
        if api not in self._metadata:
            resp = self.http.request("GET", f"{api}/$metadata", headers={"Accept": "application/xml"})
            if resp.status_code >= 400:
                raise self.http.fail(resp, "reading $metadata")
            self._metadata[api] = ET.fromstring(resp.content)
        root = self._metadata[api]
        edm = f"{{{_CSDL['edm']}}}"
        type_name = None
        for es in root.iter(f"{edm}EntitySet"):
            if es.get("Name") == entity_set:
                type_name = es.get("EntityType", "").split(".")[-1]
        if type_name is None:
            raise SourceError(f"Business Central $metadata of {redact(api)} has no entity set {entity_set!r}")
        enums = {et.get("Name"): tuple(mb.get("Name") or "" for mb in et.findall("edm:Member", _CSDL))
                 for et in root.iter(f"{edm}EnumType")}
        out: dict[str, Property] = {}
        for et in root.iter(f"{edm}EntityType"):
            if et.get("Name") != type_name:
                continue
            for prop in et.findall("edm:Property", _CSDL):
                name, typ = prop.get("Name") or "", prop.get("Type") or ""
                read_only = name == "id" or any("Permission/Read" in (em.text or "")
                                                for em in prop.iter(f"{edm}EnumMember"))
                length = prop.get("MaxLength")
                names = enums.get(typ.split(".")[-1], ()) if not typ.startswith("Edm.") else ()
                out[name] = Property(name, typ, read_only, int(length) if length and length.isdigit() else None,
                                     tuple(member_text(n) for n in names), names)
        self._schemas[entity_set] = out
        return out

    def describe(self, kind: str) -> list[dict[str, Any]]:
        om = self._map(kind)
        return [{"name": p.name, "label": p.name,
                 "type": "enum" if p.members else p.type.replace("Edm.", "").lower(),
                 "updateable": not p.read_only, **({"length": p.max_length} if p.max_length else {}),
                 **({"picklist": list(p.members)} if p.members else {})}
                for p in self._properties(om.object).values()]

    def test_connection(self) -> list[tuple[str, bool, str]]:
        checks: list[tuple[str, bool, str]] = []
        try:
            self.auth.headers(self.http.client, refresh=True)
            checks.append(("sign-in", True, f"token issued by {redact(self.auth.token_url)}"))
        except HttpFailure as exc:
            return [("sign-in", False, str(exc))]
        try:
            checks.append(("company", True, f"company found at {self.company_url}"))
        except (SourceError, ConfigError) as exc:
            return checks + [("company", False, str(exc))]
        for _kind, om in self.maps.items():
            entity, nav = VIA_DOCUMENT.get(om.object, (om.object, None))
            resp = self.http.request("GET", self._set_url(entity),
                                     params={"$top": "1", **({"$select": "id", "$expand": nav} if nav else {})})
            ok = resp.status_code == 200
            checks.append((f"read {om.object}", ok, "readable" if ok else self.http.fail(resp, om.object).one_line()))
        checks.append(("API usage", True, f"{self.http.requests} requests made, {self.http.retries} retried"))
        return checks


def _negated(conv: Convert) -> Convert:
    """A converter of a boolean the source holds negated ("!blocked" for active)."""
    def negated(value: Any, where: str) -> Any:
        v = conv(value, where)
        return None if v is None else not v
    return negated


def _as_is(value: Any, _where: str) -> Any:
    return value


def _status_of(smap: StatusMap, status_fields: list[str]) -> Combine:
    """status, status_raw and is_credit_note of one combination of the status fields' values."""
    def status_of(values: list[Any], where: str) -> dict[str, Any]:
        values = [member_text(v) for v in values]  # enum member names ("In_x0020_Review"): ENUM_PROPERTIES
        try:
            status = smap.map(*values)
        except UnknownStatus as exc:
            raise InputError(f"{where}: {exc}", column=",".join(status_fields)) from None
        return {"status": status, "status_raw": "|".join("" if v is None else str(v) for v in values),
                "is_credit_note": status == "credit_note"}
    return status_of


def _booked_of(status: Step | None) -> Combine:
    """An order is booked unless its canonical status is a draft (no status: booked)."""
    def booked(values: list[Any], where: str) -> dict[str, Any]:
        canon = status.convert(values[0], where) if status is not None else None
        return {"booked": canon not in ("Draft", "In Review")}
    return booked


def wire_value(prop: Property, value: Any) -> Any:
    """A canonical value as JSON of the property's type; None clears it the service's own way."""
    if prop.members:
        text = prop.members[0] if value is None or value == "" else member_text(str(value))
        if text not in prop.members:
            raise Unwritable(f"{text!r} is not one of the values Business Central accepts here ("
                             + ", ".join(repr(m) for m in prop.members) + ")")
        return prop.names[prop.members.index(text)]  # sent by its member name (ENUM_PROPERTIES)
    if value is None:
        if prop.type not in _BLANKS:
            raise Unwritable(f"a {prop.type.replace('Edm.', '').lower()} field in Business Central cannot be left "
                             f"blank; correct it to an explicit value instead")
        return _BLANKS[prop.type]
    if prop.type in ("Edm.Decimal", "Edm.Int32"):
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
        except ArithmeticError:
            raise Unwritable(f"{value!r} is not a number") from None
        if isinstance(value, bool) or not number.is_finite():
            raise Unwritable(f"{value!r} is not a number")
        if prop.type == "Edm.Decimal":
            return number
        if number != number.to_integral_value():
            raise Unwritable(f"{value!r} is not a whole number")
        return int(number)
    if prop.type == "Edm.Boolean":
        if not isinstance(value, bool):
            raise Unwritable(f"{value!r} is not true/false")
        return value
    if prop.type == "Edm.Date":
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            raise Unwritable(f"{value!r} is not a date")
        return value.isoformat()
    if prop.type == "Edm.DateTimeOffset":
        if not isinstance(value, datetime):
            raise Unwritable(f"{value!r} is not a date-time")
        return odata_datetime(value)
    if prop.type == "Edm.Guid":
        if not _GUID.match(str(value)):
            raise Unwritable(f"{value!r} is not a GUID")
        return str(value).lower()
    text = str(value)
    if prop.max_length is not None and len(text) > prop.max_length:
        raise Unwritable(f"holds at most {prop.max_length} characters, the new value has {len(text)}")
    return text


def create(side: str, config: RunConfig) -> BusinessCentralSource:
    return BusinessCentralSource(side, config)
