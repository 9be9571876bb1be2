"""Odoo external API connector: JSON-2 (Odoo 19+) with the legacy ``/jsonrpc`` as fallback.

Config (``[erp.odoo]``)::

    url = "https://acme.odoo.com"
    database = "acme"                 # sent as X-Odoo-Database / the execute_kw db
    api = "auto"                      # json2 | jsonrpc | auto (asks /web/version)
    login = "finance-bot@acme.com"    # needed for jsonrpc (authenticate)
    api_key_env = "ODOO_API_KEY"      # or the OS keyring
    # optional: page_size (default 2000), timeout, retries, max_connections

Reads use ``search_read`` with a domain, a page at a time by id (``id > last id read``, not an offset,
which a deletion during the pull would shift); many2one values
``[id, "Name"]`` become the id (``*_id`` fields) or the name (currency, pricelist).
Odoo has no ETag: a push re-reads ``write_date``, compares it with the version seen at
approval and only then calls ``write`` (not atomic across the two calls; the window is
one round trip). A write sends a value of the field's own type (``fields_get``): relational
fields as ids resolved by code, clearing as ``False``; read-only fields are never sent.
"""

from __future__ import annotations

import re
from datetime import datetime, UTC
from decimal import Decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import numpy as np
import pandas as pd

from workbench.config import RunConfig
from workbench.errors import ConfigError, InputError, SourceError
from workbench.model.status import StatusMap, UnknownStatus
from workbench.progress import TaskState, check_cancelled, report
from workbench.sources.base import Extract, SourceMeta, WriteRequest, WriteResult
from workbench.sources.business_central import push_records
from workbench.sources.credentials import get_secret
from workbench.sources.delta import CHANGES, DeltaExtract, KindDelta, gone_by_count, id_sum_differs, known_ids
from workbench.sources.erp_columns import Combine, Combined, Convert, Page, Step, canonical_frame
from workbench.sources.erp_mapping import ObjectMap, PullBuffer, coerce, fill_from, lookup, object_maps, same_value
from workbench.sources.http_common import (HttpClient, HttpFailure, StaticHeaders, decode, default_transient,
                                          encode_json, redact)

DEFAULT_OBJECTS: dict[str, dict[str, Any]] = {
    "customers": {"object": "res.partner", "domain": [["customer_rank", ">", 0]], "fields": {
        "record_id": "id", "name": "name", "number": "ref", "xref": "x_salesforce_id", "street": "street",
        "city": "city", "postcode": "zip", "state": "state_id", "country": "country_code", "tax_id": "vat",
        "website": "website", "email": "email", "phone": "phone", "parent_id": "parent_id", "blocked": "sale_warn",
        "currency": "property_product_pricelist", "active": "active", "last_modified": "write_date"},
        # country_code is a read-only related field: a correction writes the country many2one
        "write_fields": {"country": "country_id"}},
    "products": {"object": "product.product", "fields": {
        "record_id": "id", "code": "default_code", "name": "name", "active": "active", "last_modified": "write_date"}},
    "prices": {"object": "product.pricelist.item",
               "domain": [["applied_on", "=", "0_product_variant"], ["compute_price", "=", "fixed"]], "fields": {
                   "record_id": "id", "product_id": "product_id", "product_code": "product_id",
                   "product_name": "product_id", "currency": "currency_id", "unit_price": "fixed_price",
                   "pricebook": "pricelist_id", "effective_date": "date_start", "end_date": "date_end",
                   "min_quantity": "min_quantity", "last_modified": "write_date"}},
    "orders": {"object": "sale.order", "fields": {
        "record_id": "id", "number": "name", "customer_id": "partner_id", "currency": "currency_id",
        "total_amount": "amount_total", "order_date": "date_order", "status": "state", "xref": "client_order_ref",
        "last_modified": "write_date"}},
    "order_lines": {"object": "sale.order.line", "fields": {
        "record_id": "id", "order_id": "order_id", "product_code": "product_id", "quantity": "product_uom_qty",
        "unit_price": "price_unit", "discount_percent": "discount", "amount": "price_subtotal",
        "currency": "currency_id", "last_modified": "write_date"}},
    "invoices": {"object": "account.move", "domain": [["move_type", "in", ["out_invoice", "out_refund"]]],
                 "status_fields": ["move_type", "state", "payment_state"], "fields": {
                     "record_id": "id", "number": "name", "customer_id": "partner_id", "currency": "currency_id",
                     "total_amount": "amount_total", "open_balance": "amount_residual", "invoice_date": "invoice_date",
                     "due_date": "invoice_date_due", "order_ref": "invoice_origin", "external_ref": "ref",
                     "last_modified": "write_date"}},
    "payments": {"object": "account.payment", "domain": [["payment_type", "=", "inbound"]], "fields": {
        "record_id": "id", "customer_id": "partner_id", "amount": "amount", "currency": "currency_id",
        "invoice_number": "memo", "payment_date": "date", "last_modified": "write_date"}},
}
# Default-mapped fields a database may lack, asked only where fields_get lists them: x_salesforce_id is a custom
# field, made where the Salesforce Account Id is kept (docs/guide/erp.md); sale_warn left res.partner with Odoo 19
# (odoo/odoo#192211 "Make internal warnings non-blocking"; OCA/sale-workflow#4422: "In v19, sale_line_warn
# (product) and sale_warn (partner) selection fields were removed from Odoo core"). Asking a field a model lacks
# fails the whole read (odoo/orm/models.py _determine_fields_to_fetch: ValueError "Invalid field"). account.payment's
# memo came with Odoo 18 (OCA/OpenUpgrade#4931, account 18.0 pre-migration "SET memo = am.ref"): on 17, the payment's
# ref is read in its place (OLDER_NAMES).
OPTIONAL_DEFAULTS = {"res.partner": frozenset({"x_salesforce_id", "sale_warn"}), "account.payment": frozenset({"memo"})}
# Where an older Odoo holds what an OPTIONAL_DEFAULTS field holds, read in its place when the database lacks the
# field and the config does not name it: a payment's memo is, before 18, its move's ref, which the payment shows
# through _inherits (OCA/OpenUpgrade#4931, account 18.0 pre-migration "UPDATE account_payment ap SET memo = am.ref").
OLDER_NAMES = {("account.payment", "memo"): "ref"}
_CODE = re.compile(r"^\[([^\]]+)\]")
# Canonical fields read from a many2one's display name, which Odoo works out when the record is read
# (fields_relational.py Many2one.convert_to_read): they follow the related record's writes. A product's
# "[CODE] Name", whose name is its template's (below); a price book's "Name (CUR)" (product/models/
# product_pricelist.py _compute_display_name).
SHOWN_FROM_PRODUCT = {"product_code", "product_name"}
SHOWN_FROM_RELATED = SHOWN_FROM_PRODUCT | {"pricebook"}
# Models holding fields of a parent record by delegation (_inherits): a variant's name is its template's
# (product/models/product_product.py _inherits = {'product.template': 'product_tmpl_id'}), and renaming the
# product in its form writes the template, whose write_date moves, not the variant's.
DELEGATED = {"product.product": "product_tmpl_id"}
_CURRENCY = re.compile(r"\(([A-Z]{3})\)$")  # a pricelist reads "Name (EUR)"; a res.currency reads "EUR"
_READ_METHODS = {"search_read", "search", "search_count", "formatted_read_group", "read_group", "read", "fields_get"}
# many2one fields read as a code of the target record rather than its display name
_CODE_OF = {"state": "res.country.state"}
# Fields a record enters or leaves a domain by only where it is created, written (write() stamps write_date, and
# so does the recomputation of a stored computed field: odoo/orm/models.py _write_multi, "set magic fields (already
# done by write(), but not for computed fields)"), archived (a write of active) or deleted: what the default
# kinds' domains test (product.pricelist.item applied_on/compute_price, account.move move_type, account.payment
# payment_type, and active). Not customer_rank, which posting an invoice raises by SQL without touching
# write_date (addons/account/models/partner.py _increase_rank), nor a many2one to res.partner, which merging
# contacts points elsewhere by SQL (odoo/addons/base/wizard/base_partner_merge.py _update_foreign_keys), nor a
# path through a many2one (the related record is written, not this one), nor any field not checked so.
COUNTABLE = frozenset({"active", "applied_on", "compute_price", "move_type", "payment_type"})
# Fields Odoo computes when a record is read and does not store, so what they show changes while the record's
# write_date stays: a customer's pricelist (property_product_pricelist, product/models/res_partner.py: compute and
# inverse, no store, no search), shown "Name (CUR)" (product/models/product_pricelist.py _compute_display_name),
# which the customer's currency is read from. Writing the pricelist's currency, or another default pricelist for the
# customer's country group, moves no customer's stamp. A re-run lists such a kind's ids with these fields and reads
# again a record whose value they show is not the previous run's.
SHOWN_WHEN_READ = {"res.partner": ("property_product_pricelist",)}
# a selection whose "nothing set" is a value, not False (addons/sale: sale_warn defaults to no-message)
_CLEAR_AS = {"sale_warn": "no-message"}


class _Refused(Exception):
    """A correction the connector will not send: the value does not fit the Odoo field."""


_T = TypeVar("_T")


@dataclass(frozen=True)
class _Counted:
    """A kind's records counted and their ids summed, in one aggregate call, and that call as the run shows it."""
    count: int
    id_sum: int
    query: str

    @staticmethod
    def of(groups: Any, key: str, query: str) -> _Counted:
        """The one group an aggregate without a groupby answers: ``__count`` and the sum under ``key``, which
        Odoo answers False when no record is counted (SQL SUM of no rows is NULL: odoo/orm/models.py
        ``_read_group_empty_value``)."""
        try:
            [group] = groups
            count, total = group["__count"], group[key]
            return _Counted(int(count), int(total or 0), query)
        except (TypeError, ValueError, KeyError):
            raise SourceError(f"Odoo {query}: expected one group with __count and {key}, got "
                              f"{str(groups)[:200]}") from None


def _formatted_count(call: Callable[..., Any], model: str, domain: list[Any]) -> _Counted:
    """``formatted_read_group`` without a groupby, counting and summing the ids: one group, ``{"__extra_domain":
    [[1, "=", 1]], "__count": n, "id:sum": s}`` (addons/web/models/models.py ``Base.formatted_read_group``,
    ``_web_read_group_format``)."""
    groups = call(model, "formatted_read_group", domain=domain, groupby=[], aggregates=["__count", "id:sum"])
    return _Counted.of(groups, "id:sum", f"{model}.formatted_read_group domain={encode_json(domain)} "
                                         f"aggregates=__count,id:sum")


def odoo_datetime(dt: datetime) -> str:
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _json2_words(resp: httpx.Response) -> tuple[str | None, str]:
    try:
        body = decode(resp)
    except HttpFailure:
        return None, resp.text[:200] or resp.reason_phrase
    if isinstance(body, dict):
        return body.get("name"), str(body.get("message") or body)
    return None, str(body)[:300]


def _json2_transient(resp: httpx.Response) -> bool:
    """Whether a JSON-2 answer may pass when asked again. JSON-2 answers any exception of the method that is no
    UserError with HTTP 500 and the exception's name (addons/web/controllers/json2.py handle_error, odoo/http.py
    serialize_exception): a Python built-in one (ValueError for a field the model lacks or a value it cannot
    take, TypeError, KeyError) is the method's own refusal and comes back the same; any other 500 (a database
    error, a worker lost) may pass."""
    if resp.status_code != 500:
        return default_transient(resp)
    return not str(_json2_words(resp)[0] or "").startswith("builtins.")


class _Json2:
    style = "json2"

    def __init__(self, http: HttpClient, database: str):
        self.http, self.database = http, database

    def call(self, model: str, method: str, ids: list[int] | None = None, **kw: Any) -> Any:
        body = dict(kw)
        if ids is not None:
            body["ids"] = ids
        resp = self.http.request("POST", f"/json/2/{model}/{method}",
                                 retry="all" if method in _READ_METHODS else "unsent",
                                 content=encode_json(body).encode("utf-8"),
                                 headers={"Content-Type": "application/json", "X-Odoo-Database": self.database})
        if resp.status_code >= 400:
            raise self.http.fail(resp, f"{model}.{method}")
        return decode(resp)

    def count_ids(self, model: str, domain: list[Any]) -> _Counted:
        """How many records ``domain`` takes and the sum of their ids, in one call: Odoo 19's
        ``formatted_read_group`` (addons/web/models/models.py ``Base.formatted_read_group``, which JSON-2 serves
        as every public model method) without a groupby answers one group, ``{"__extra_domain": [[1, "=", 1]],
        "__count": n, "id:sum": s}``."""
        return _formatted_count(self.call, model, domain)


class _JsonRpc:
    style = "jsonrpc"

    def __init__(self, http: HttpClient, database: str, login: str | None, key: str):
        if not login:
            raise ConfigError("Odoo JSON-RPC needs [odoo] login (the user the API key belongs to)")
        self.http, self.database, self.login, self._key = http, database, login, key
        self.uid: int | None = None
        self._id = 0
        self.formatted = False  # counts asked with formatted_read_group: read_group refused ``fields`` (Odoo 20 on)

    def _rpc(self, service: str, method: str, args: list[Any], what: str, retry: str = "all") -> Any:
        self._id += 1
        payload = {"jsonrpc": "2.0", "method": "call", "id": self._id,
                   "params": {"service": service, "method": method, "args": args}}
        resp = self.http.request("POST", "/jsonrpc", retry=retry, content=encode_json(payload).encode("utf-8"),
                                 headers={"Content-Type": "application/json"})
        if resp.status_code >= 400:
            raise self.http.fail(resp, what)
        body = decode(resp)
        if body.get("error"):
            err = body["error"]
            data = err.get("data") or {}
            raise HttpFailure(f"Odoo: {what} refused ({data.get('name') or err.get('message')}): "
                              f"{' '.join(str(data.get('message') or err.get('message')).split())[:400]}",
                              status=resp.status_code, code=data.get("name"))
        return body.get("result")

    def authenticate(self) -> int:
        if self.uid is None:
            uid = self._rpc("common", "authenticate", [self.database, self.login, self._key, {}], "sign-in")
            if not uid:
                raise HttpFailure(f"Odoo: sign-in refused for {self.login!r} on database {self.database!r} "
                                  f"(wrong login or API key)", status=200,
                                  code="odoo.exceptions.AccessDenied")
            self.uid = int(uid)
        return self.uid

    def call(self, model: str, method: str, ids: list[int] | None = None, **kw: Any) -> Any:
        uid = self.authenticate()
        if method == "write":
            args, kwargs = [ids, kw.pop("vals")], kw
        elif method in ("search_read", "search", "search_count", "read_group", "formatted_read_group"):
            args, kwargs = [kw.pop("domain", [])], kw
        else:
            # a method of the records (read, unlink, action_post, ...) takes their ids first, as execute_kw passes
            # its first argument to browse() (odoo/service/model.py execute_kw -> call_kw)
            args, kwargs = ([ids] if ids is not None else []), kw
        return self._rpc("object", "execute_kw", [self.database, uid, self._key, model, method, args, kwargs],
                         f"{model}.{method}", retry="all" if method in _READ_METHODS else "unsent")

    def count_ids(self, model: str, domain: list[Any]) -> _Counted:
        """How many records ``domain`` takes and the sum of their ids, in one call: ``read_group`` (odoo/models.py
        ``BaseModel.read_group`` in Odoo 17 and 18; odoo/orm/models.py in 19, deprecated there for
        ``formatted_read_group`` but served) without a groupby answers one group, ``{"__count": n, "id": s,
        "__domain": [...]}`` (the field "id:sum" is answered under its name). Odoo 20 made ``read_group`` another
        method, the ORM's ``_read_group`` made public (odoo/orm/models.py, odoo/odoo#236332), which has no
        ``fields`` and refuses it (TypeError) while its JSON-RPC still serves models (until Odoo 22): where the
        version is not known (``api = "jsonrpc"``), that refusal has the connector ask ``formatted_read_group``,
        as JSON-2 does, for this kind and the next."""
        if not self.formatted:
            try:
                groups = self.call(model, "read_group", domain=domain, fields=["id:sum"], groupby=[])
            except HttpFailure as exc:
                if exc.code != "builtins.TypeError":
                    raise
                self.formatted = True
            else:
                return _Counted.of(groups, "id", f"{model}.read_group domain={encode_json(domain)} fields=id:sum "
                                                 f"groupby=[]")
        return _formatted_count(self.call, model, domain)


# The oldest Odoo whose models and methods the connector reads (DEFAULT_OBJECTS, OPTIONAL_DEFAULTS): 17.
OLDEST_SUPPORTED = 17


class OdooSource:
    connector = "odoo"
    def __init__(self, side: str, config: RunConfig):
        self.side, self.config = side, config
        side_cfg = config.side(side)
        od = dict(side_cfg.get("odoo") or {})
        where = f"{config.where()}: [{side}.odoo]"
        for key in ("url", "database"):
            if not od.get(key):
                raise ConfigError(f"{where} needs '{key}'")
        self.api_style = str(od.get("api") or "auto")
        if self.api_style not in ("json2", "jsonrpc", "auto"):
            raise ConfigError(f"{where} api = {self.api_style!r}, expected json2, jsonrpc or auto")
        self.system = str(side_cfg.get("system") or "odoo")
        key = get_secret({**od, "side": side, "system": "odoo"}, "api_key")
        self.page_size = int(od.get("page_size") or 2000)
        self.url, self.database, self.login = str(od["url"]).rstrip("/"), str(od["database"]), od.get("login")
        self.http = HttpClient(system="Odoo", base_url=self.url, timeout=float(od.get("timeout", 60)),
                               attempts=int(od.get("retries", 5)), backoff=float(od.get("backoff", 0.5)),
                               max_backoff=float(od.get("max_backoff", 60)),
                               max_connections=int(od.get("max_connections", 4)),
                               auth=None, headers={"Accept": "application/json"}, error_words=_json2_words,
                               transient=_json2_transient)
        self._key = key
        self._smaps: dict[str, StatusMap] = {}
        self._code_cache: dict[str, dict[int, str]] = {}
        self._field_cache: dict[str, dict[str, dict[str, Any]]] = {}
        self._ref_cache: dict[str, list[int]] = {}
        self._done = 0  # records a pull has read so far (progress)
        self._api: _Json2 | _JsonRpc | None = None
        self._assumed = False  # the API is the previous run's, not asked of the server (``_assume_api``)
        self.maps = object_maps(side_cfg, DEFAULT_OBJECTS, self.system)
        # per kind, the source fields the config itself names: always asked, even those OPTIONAL_DEFAULTS lists
        self._configured = {kind: {str(v) for v in ((cfg or {}).get("fields") or {}).values()}
                            for kind, cfg in (side_cfg.get("objects") or {}).items()}
        self.meta = SourceMeta(side=side, system=self.system, connector=self.connector, instance=self.url)

    # -- transport --------------------------------------------------------------
    @property
    def api(self) -> _Json2 | _JsonRpc:
        if self._api is None:
            style = self.api_style
            if style == "auto":
                major = self._server_major()
                if major and major < OLDEST_SUPPORTED:
                    raise SourceError(f"Odoo at {redact(self.url)} is version {major}.0: the workbench reads Odoo "
                                      f"{OLDEST_SUPPORTED} and later (17, 18, 19), whose models and methods it was "
                                      f"built against; upgrade Odoo, or export the records to files "
                                      f"(docs/extracts/odoo.md)")
                style = "json2" if major >= 19 else "jsonrpc"
                self.meta.api_version = f"{major}.0" if major else None
            self._connect(style)
        assert self._api is not None  # _connect sets it
        return self._api

    def _server_major(self) -> int:
        """The server's major version, 0 when it does not say: ``GET /web/version`` (``{"version_info": [19, 0,
        ...], "version": "19.0"}``; Odoo 19 addons/rpc/controllers/__init__.py, route ['/web/version',
        '/json/version']), else the JSON-RPC ``common.version`` every version answers (odoo/service/common.py
        ``exp_version``: ``server_version_info``), which tells a server without /web/version."""
        resp = self.http.request("GET", "/web/version")
        try:
            if resp.status_code == 200:
                return int(decode(resp).get("version_info", [0])[0])
            payload = {"jsonrpc": "2.0", "method": "call", "id": 0,
                       "params": {"service": "common", "method": "version", "args": []}}
            resp = self.http.request("POST", "/jsonrpc", content=encode_json(payload).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
            if resp.status_code == 200:
                return int((decode(resp).get("result") or {}).get("server_version_info", [0])[0])
        except (HttpFailure, ValueError, TypeError, AttributeError, IndexError):
            pass
        return 0

    def _connect(self, style: str) -> None:
        if style == "json2":
            self.http.auth = StaticHeaders({"Authorization": f"bearer {self._key}"})
            self._api = _Json2(self.http, self.database)
        else:
            self.http.auth = None
            self._api = _JsonRpc(self.http, self.database, self.login, self._key)
        self.meta.api_usage["api"] = self._api.style

    def _assume_api(self, previous: SourceMeta) -> None:
        """With ``api = "auto"``, the API the previous run found at this URL, without asking /web/version
        again (a request on every re-run). Should the server no longer answer it (404: Odoo went back
        to a version without JSON-2, or one that dropped /jsonrpc), ``_call`` asks /web/version then."""
        style = previous.api_usage.get("api")
        if self.api_style == "auto" and self._api is None and previous.instance == self.url \
                and style in ("json2", "jsonrpc"):
            self._connect(str(style))
            self.meta.api_version = previous.api_version
            self._assumed = True

    def close(self) -> None:
        self.http.close()

    def _call(self, model: str, method: str, ids: list[int] | None = None, **kw: Any) -> Any:
        return self._on_api(lambda api: api.call(model, method, ids, **kw))

    def _count_ids(self, model: str, domain: list[Any]) -> _Counted:
        """The records ``domain`` takes, counted and their ids summed in one call of the API spoken."""
        return self._on_api(lambda api: api.count_ids(model, domain))

    def _on_api(self, ask: Callable[[_Json2 | _JsonRpc], _T]) -> _T:
        """``ask`` of the API, so that what is asked follows the API spoken: should a previous run's API be gone,
        it is asked again of the API /web/version names."""
        try:
            return ask(self.api)
        except HttpFailure as exc:
            if exc.status == 404 and self._assumed:
                self._assumed, self._api = False, None
                return self._on_api(ask)
            if exc.status == 401 or exc.code in ("werkzeug.exceptions.Unauthorized", "odoo.exceptions.AccessDenied"):
                raise HttpFailure(f"{exc} (the API key was refused: it may have expired or been revoked; create a "
                                  f"new one under Preferences > Account Security)", status=exc.status,
                                  code=exc.code) from None
            raise

    # -- pull -------------------------------------------------------------------
    def pull(self, state: TaskState | None = None, since: datetime | None = None) -> Extract:
        return self._pull(state, since, None)

    def pull_changes(self, state: TaskState | None, since: datetime, previous: Extract) -> DeltaExtract:
        """Records written since ``since`` (domain ``write_date >=``; archiving writes too, and archived
        records stay in the domain where the kind maps ``active``), and deletions: where no record can enter or
        leave the kind's domain without being written (``_countable``), by one aggregate call with the kind's
        domain asked before the changes are read, counting its records and summing their ids (``count_ids``:
        ``formatted_read_group`` on JSON-2, ``read_group`` on JSON-RPC), the ids listed only when the count
        (``gone_by_count``) or the sum (``id_sum_differs``) is not that of the known and changed records;
        elsewhere (customers) by a key-only ``search`` with the kind's own domain. Either gives the ids a full
        pull would read: ORM ``search`` returns every matching id in one answer without a limit, and the
        aggregate counts what ``search_count`` counts, the rows of the same ``_search`` query (archived records
        left out unless the domain names ``active``), in one SQL ``SELECT COUNT(*), SUM(id)`` (odoo/orm/models.py
        ``search``, ``search_count``, ``_read_group``, ``_read_group_select``, which takes ``"id:sum"``: ``id``
        is a field and ``sum`` one of ``READ_GROUP_AGGREGATE``)."""
        self._assume_api(previous.meta)
        out = self._pull(state, since, known_ids(previous), previous.frames)
        assert isinstance(out, DeltaExtract)  # _pull with known answers with a delta
        return out

    def _pull(self, state: TaskState | None, since: datetime | None,
              known: dict[str, frozenset[str]] | None, before: dict[str, pd.DataFrame] | None = None) -> Extract:
        buf = PullBuffer()
        self._done = 0
        kinds: dict[str, KindDelta] = {}
        gone_partners: frozenset[str] = frozenset()  # customers the previous run read that the domain has no more
        for kind, om in self.maps.items():
            check_cancelled(state)
            domain = self._domain(om)
            fields = self._read_fields(kind, om)
            entered: list[int] = []
            counted: _Counted | None = None
            was = known.get(kind, frozenset()) if known is not None else frozenset()
            watched = [f for f in SHOWN_WHEN_READ.get(om.object, ()) if f in om.fields.values()]
            if since is not None and known is not None:
                if _countable(domain) and not watched:
                    # counted before the changes are read: a record created after this answer is among them
                    counted = self._count_ids(om.object, domain)
                    named = _naming(before, kind, gone_partners)
                else:
                    # the ids first: a record created after this answer is then among the written ones
                    ids_, shown, how = self._listed(om, domain, watched)
                    live = frozenset(str(i) for i in ids_)
                    # in the listing's order (by id, as a full pull reads): a record read because it entered the
                    # domain unwritten is not simply the last
                    kinds[kind] = KindDelta(CHANGES, live=live, order=tuple(str(i) for i in ids_), query=how)
                    # A record can enter the domain without being written: posting a contact's first invoice
                    # raises its customer_rank by SQL, leaving write_date as it was (addons/account/models/
                    # partner.py _increase_rank). Those unknown ids are read with the written ones, and so are
                    # those showing another value than before where it is computed when read (SHOWN_WHEN_READ).
                    entered = [i for i in ids_ if str(i) not in was]
                    entered += self._shown_otherwise(kind, om, shown, (before or {}).get(kind), was)
                    named = _naming(before, kind, gone_partners) & live
                # Merging contacts (Contacts > Merge) points every record of the merged-away partner at the one
                # kept by SQL, leaving write_date as it was, then deletes the merged-away partner
                # (odoo/addons/base/wizard/base_partner_merge.py _update_foreign_keys): a known record that
                # named a partner now gone is read again.
                entered += sorted(int(r) for r in named)
            read_domain = domain if since is None else [*domain, *self._written_since(om, since, entered)]
            self.meta.objects[kind] = om.object
            self.meta.queries[kind] = _search_read(om, read_domain, fields)
            read = self._read(state, kind, om, read_domain, fields, buf)
            if counted is not None:
                kinds[kind] = self._counted(state, kind, om, domain, fields, buf, counted, was, read)
            if kind == "customers" and kind in kinds:  # read first (DEFAULT_OBJECTS' order): the others refer to them
                listed = kinds[kind].live  # None: the count found none gone
                gone_partners = was - listed if listed is not None else frozenset()
        fr = buf.frames()
        self._derive(fr)
        self.meta.api_usage.update({"calls": self.http.requests, "retries": self.http.retries})
        self.meta.incremental_since = since
        self.meta.extracted_at = datetime.now(UTC)
        if known is not None:
            return DeltaExtract(self.meta, fr, buf.snapshots(), kinds=kinds).finish()
        return Extract(self.meta, fr, buf.snapshots()).finish()

    def _read_fields(self, kind: str, om: ObjectMap) -> list[str]:
        """The fields a read of ``kind`` asks for: its source fields but ``id``, less the OPTIONAL_DEFAULTS the
        database lacks (fields_get) that the config does not name itself."""
        fields = [f for f in om.source_fields() if f != "id"]
        optional = OPTIONAL_DEFAULTS.get(om.object, frozenset()).intersection(fields)
        optional -= self._configured.get(kind, set())
        if not optional:
            return fields
        present = self._fields(om.object)
        for name in optional - set(present):
            older = OLDER_NAMES.get((om.object, name))
            if older in present:  # the map itself, so the frames and the corrections use it too
                om.fields = {canon: older if src == name else src for canon, src in om.fields.items()}
                fields = [older if f == name else f for f in fields]
        return [f for f in fields if f not in optional or f in present]

    @staticmethod
    def _written_since(om: ObjectMap, since: datetime, entered: list[int]) -> list[Any]:
        """The domain terms taking the records written since ``since``, and those of ``entered``."""
        # write_date has whole seconds: ">=" so a change in the same second as `since` is not missed
        at = odoo_datetime(since)
        leaves: list[Any] = [["write_date", ">=", at], *([["id", "in", entered]] if entered else [])]
        # a value shown from a many2one's record ("[CODE] Name" of a product) changes when that record
        # is written, and the record showing it keeps its write_date: asked for by the path
        shown = sorted({src for canon, src in om.fields.items() if canon in SHOWN_FROM_RELATED})
        leaves += [[f"{src}.write_date", ">=", at] for src in shown]
        # and the template a product's name is held on, the kind's own or that of the product it shows
        if om.object in DELEGATED:
            leaves.append([f"{DELEGATED[om.object]}.write_date", ">=", at])
        products = sorted({src for canon, src in om.fields.items() if canon in SHOWN_FROM_PRODUCT})
        leaves += [[f"{src}.{DELEGATED['product.product']}.write_date", ">=", at] for src in products]
        return ["|"] * (len(leaves) - 1) + leaves

    def _listed(self, om: ObjectMap, domain: list[Any], watched: list[str]
                ) -> tuple[list[int], list[dict[str, Any]], str]:
        """Every id ``domain`` takes, by id (ORM ``search`` answers them all at once, as ``search_read`` without a
        limit does), with the ``watched`` fields' values where there are any; and the call as the run shows it."""
        if not watched:
            return (self._call(om.object, "search", domain=domain, order="id"), [],
                    f"{om.object}.search domain={encode_json(domain)}")
        rows = self._call(om.object, "search_read", domain=domain, fields=watched, order="id")
        return [r["id"] for r in rows], rows, _search_read(om, domain, watched)

    def _shown_otherwise(self, kind: str, om: ObjectMap, rows: list[dict[str, Any]], frame: pd.DataFrame | None,
                         was: frozenset[str]) -> list[int]:
        """Ids of the known ``rows`` whose listed fields give another canonical value than ``frame``, the
        previous run's, holds for them."""
        if not rows or frame is None or not len(frame):
            return []
        held = frame.set_index(frame["record_id"].astype(str))
        out = []
        for row in rows:
            rid = str(row["id"])
            if rid not in was:
                continue  # read as a record new to the kind
            for canon, src in om.fields.items():
                if src in row and canon in held.columns and not same_value(
                        kind, canon, held.at[rid, canon], self._value(kind, canon, row[src], f"{om.object}({rid})")):
                    out.append(row["id"])
                    break
        return out

    def _read(self, state: TaskState | None, kind: str, om: ObjectMap, domain: list[Any], fields: list[str],
              buf: PullBuffer) -> set[str]:
        """Every record ``domain`` takes, a page at a time, into ``buf``; their ids."""
        query = _search_read(om, domain, fields)
        read: set[str] = set()
        after = None
        while True:
            # Keyset paging: each page asks for the ids after the last one read, not for an offset. Odoo
            # answers an offset by counting rows from the start again (SQL OFFSET), so a record deleted
            # or archived below the offset while the pull goes on (people keep working at month end)
            # moves every later record up a place, and the next page skips one it never read.
            page = self._call(om.object, "search_read", fields=fields, limit=self.page_size, order="id",
                              domain=domain if after is None else [*domain, ["id", ">", after]])
            cols = Page(page)
            buf.add_page(kind, om.object, query, cols, self._frame(om, cols))
            read.update(str(rec["id"]) for rec in page)
            self._done += len(page)
            report(state, self._done, None, f"{om.object}: {len(read):,} read")
            if len(page) < self.page_size:
                return read
            after = page[-1]["id"]

    def _counted(self, state: TaskState | None, kind: str, om: ObjectMap, domain: list[Any], fields: list[str],
                 buf: PullBuffer, asked: _Counted, was: frozenset[str], read: set[str]) -> KindDelta:
        """A counted kind's deletions: none when the count and the sum of the ids are those of the known and the
        changed records, else its ids, listed now; a listed record neither run holds (committed late, or added
        after the changes were read) is read too, as a full pull would read it."""
        counted = f"{asked.query} = {asked.count:,} records, ids summing to {asked.id_sum:,}"
        if gone_by_count(asked.count, was, read) == 0 and not id_sum_differs(asked.id_sum, was, read):
            return KindDelta(CHANGES, query=f"{counted}: nothing deleted")
        listed = tuple(str(i) for i in self._call(om.object, "search", domain=domain, order="id"))
        live = frozenset(listed)
        unread = sorted(int(i) for i in live - was - read)
        if unread:
            self._read(state, kind, om, [*domain, ["id", "in", unread]], fields, buf)
        # in the listing's order (by id, as a full pull reads): one read now, after the changes, is not the last
        return KindDelta(CHANGES, live=live, order=listed, query=f"{counted}, {len(was | read):,} known: "
                                                   f"{om.object}.search domain={encode_json(domain)}")

    def derive(self, frames: dict[str, pd.DataFrame]) -> None:
        self._derive(frames)

    def _codes(self, model: str) -> dict[int, str]:
        """id -> code of a small reference model (states), read once per connector."""
        if model not in self._code_cache:
            rows = self._call(model, "search_read", domain=[], fields=["code"], order="id")
            self._code_cache[model] = {r["id"]: r["code"] for r in rows if r.get("code")}
        return self._code_cache[model]

    @staticmethod
    def _domain(om: ObjectMap) -> list[Any]:
        """The configured domain; archived records too where the kind carries ``active`` (Odoo's
        searches leave them out unless the domain names ``active``)."""
        domain = [list(t) for t in (om.settings.get("domain") or [])]
        if "active" in om.fields.values() and not any(t and t[0] == "active" for t in domain):
            domain.append(["active", "in", [True, False]])
        return domain

    def _value(self, kind: str, canon: str, raw: Any, where: str) -> Any:
        if isinstance(raw, list) and raw and canon in _CODE_OF:
            raw = self._codes(_CODE_OF[canon]).get(raw[0])
        if isinstance(raw, list):  # many2one [id, "Display Name"]
            if canon == "product_code":
                m = _CODE.match(str(raw[1]) if len(raw) > 1 else "")
                return m.group(1) if m else None
            if canon == "currency" and len(raw) > 1:
                m = _CURRENCY.search(str(raw[1]))
                return m.group(1) if m else coerce(kind, canon, raw[1], where)
            raw = raw[0] if (canon.endswith("_id") or canon == "record_id") else (raw[1] if len(raw) > 1 else None)
        if raw is False and canon not in ("active", "booked", "is_credit_note"):
            raw = None
        if canon == "blocked" and raw in ("no-message", "warning"):
            raw = None
        return coerce(kind, canon, raw, where)

    def _frame(self, om: ObjectMap, page: Page) -> pd.DataFrame:
        """A page's canonical frame, in columns: the values ``_canonical`` gives record by record."""
        steps = [Step(canon, src, self._converter(om.kind, canon)) for canon, src in om.fields.items()]
        steps.append(Step("version", "write_date", lambda v, _where: v or None))
        combined: list[Combined] = []
        if om.kind == "invoices" and om.status_fields:
            combined.append(Combined((*om.status_fields, "move_type"), self._status_of(om)))
        elif om.kind == "orders":
            combined.append(Combined(("state",), _order_of))
        where = f"Odoo {om.object}"
        return canonical_frame(om.kind, page, steps, combined, lambda rec: f"{where}({rec.get('id')})")

    def _converter(self, kind: str, canon: str) -> Convert:
        return lambda raw, where: self._value(kind, canon, raw, where)

    def _status_map(self, om: ObjectMap) -> StatusMap:
        smap = self._smaps.get(om.kind)
        if smap is None:
            smap = self._smaps[om.kind] = StatusMap.for_source(om.status_system or self.system, om.status_overrides)
        return smap

    def _status_of(self, om: ObjectMap) -> Combine:
        """status, status_raw and is_credit_note from the status fields' values and then move_type's."""
        def status_of(values: list[Any], where: str) -> dict[str, Any]:
            status = values[:-1]
            try:
                canon = self._status_map(om).map(*status)
            except UnknownStatus as exc:
                raise InputError(f"{where}: {exc}", column="|".join(om.status_fields)) from None
            return {"status": canon, "status_raw": "|".join("" if v is None or v is False else str(v) for v in status),
                    "is_credit_note": values[-1] == "out_refund"}
        return status_of

    def _canonical(self, om: ObjectMap, rec: dict[str, Any]) -> dict[str, Any]:
        where = f"Odoo {om.object}({rec.get('id')})"
        out = {canon: self._value(om.kind, canon, rec.get(src), where) for canon, src in om.fields.items()}
        out["version"] = rec.get("write_date") or None
        if om.kind == "invoices" and om.status_fields:
            out.update(self._status_of(om)([rec.get(f) for f in (*om.status_fields, "move_type")], where))
        elif om.kind == "orders":
            out.update(_order_of([rec.get("state")], where))
        return out

    @staticmethod
    def _derive(fr: dict[str, Any]) -> None:
        codes = lookup(fr, "products", "record_id", "code")
        fill_from(fr, "prices", "product_code", "product_id", codes)
        fill_from(fr, "order_lines", "currency", "order_id", lookup(fr, "orders", "record_id", "currency"))

    # -- read/write ---------------------------------------------------------------
    def _map(self, kind: str) -> ObjectMap:
        om = self.maps.get(kind)
        if om is None:
            raise ConfigError(f"Odoo: no model mapped for {kind!r}")
        return om

    @staticmethod
    def _id(record_id: str) -> int:
        try:
            return int(record_id)
        except (TypeError, ValueError):
            raise InputError("not an Odoo record id", column="record_id", got=record_id,
                             expected="an integer id") from None

    def read_current(self, kind: str, record_ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        om = self._map(kind)
        src = self._read_fields(kind, om)
        out: dict[str, dict[str, Any]] = {}
        for rid in record_ids:
            # read answers a deleted record with no row (odoo/orm/models.py _read_format: "one dictionary per
            # record that exists"; fetch "should never raise a MissingError")
            recs = self._call(om.object, "read", [self._id(rid)], fields=src + ["write_date"])
            if not recs:
                continue
            canon = self._canonical(om, recs[0])
            out[rid] = {f: canon.get(f) for f in fields} | {"version": canon["version"]}
        return out

    def push(self, requests: list[WriteRequest], state: TaskState | None = None) -> list[WriteResult]:
        own: dict[str, dict[str, str]] = self.__dict__.setdefault("_own_writes", {})  # record -> write_date -> after
        results = push_records(requests, lambda group: self._push_record(group, own), state, "Odoo")
        self.meta.api_usage.update({"calls": self.http.requests, "retries": self.http.retries})
        return results

    def _push_record(self, reqs: list[WriteRequest], own: dict[str, dict[str, str]]) -> list[WriteResult]:
        """One correction's fields of one record, written by one ``write([id], vals)`` holding them all, or not
        at all. Odoo runs each call in one database transaction that an exception rolls back whole
        (odoo/service/model.py execute_cr → retrying: "the transaction is rolled back"; models.py write
        validates every field of vals before storing): a refused field keeps the others from being written.
        Sent field by field, a refusal of the second left the record half-changed."""
        first = reqs[0]
        cid = first.correction_id

        def every(outcome: str, message: str, **kw: Any) -> list[WriteResult]:
            return [WriteResult(cid, outcome, message, **kw) for _ in reqs]

        def refused(bad: WriteRequest, message: str) -> list[WriteResult]:
            return [WriteResult(cid, "permanent", message if q is bad else
                                f"not written: {bad.field} cannot be, and the record is written whole") for q in reqs]
        try:
            om = self._map(first.object)
            rid = self._id(first.record_id)
        except (ConfigError, InputError) as exc:
            return every("permanent", str(exc))
        srcs: list[str] = []
        for req in reqs:
            src = om.fields.get(req.field)
            if src is None:
                return refused(req, f"Odoo: field {req.field!r} of {req.object} is not mapped")
            try:
                # a field the model lacks (OPTIONAL_DEFAULTS) fails every read of it with HTTP 500: not worth retrying
                if src not in self._fields(om.object):
                    return refused(req, f"Odoo: {om.object}({rid}) {req.field}: the field {src!r} does not exist on "
                                        f"{om.object}")
            except HttpFailure as exc:
                return every("transient" if exc.transient else "permanent", str(exc))
            srcs.append(src)

        def current() -> tuple[list[Any], str | None] | None:
            """The fields' values and write_date now; None when the record no longer exists (read answers a
            deleted record with no row, not with MissingError: odoo/orm/models.py _read_format)."""
            recs = self._call(om.object, "read", [rid], fields=[*dict.fromkeys(srcs), "write_date"])
            if not recs:
                return None
            rec = recs[0]
            return ([self._value(q.object, q.field, rec.get(s), f"{om.object}({rid})") for q, s in zip(reqs, srcs)],
                    rec.get("write_date"))
        gone = f"Odoo: {om.object}({rid}) no longer exists"
        try:
            now = current()
        except HttpFailure as exc:
            return every("transient" if exc.transient else "permanent", str(exc))
        if now is None:
            return every("permanent", gone)
        values, version = now
        there = [same_value(q.object, q.field, v, q.new_value) for q, v in zip(reqs, values)]
        if all(there):
            return [WriteResult(cid, "already_applied", "the value is already in Odoo", current_value=v,
                                new_version=version, response_id=version) for v in values]
        moved = [(q, v) for q, v, done in zip(reqs, values, there)
                 if not done and not same_value(q.object, q.field, v, q.old_value)]
        # the write_date seen at approval is checked while none of the fields is written yet (after, by value); it is
        # the whole record's: a write of this connector's own (another correction of the same record) is followed
        seen = first.seen_version
        for _ in range(len(own.get(str(rid), {}))):
            seen = own.get(str(rid), {}).get(seen or "", seen)
        if seen and seen != version and not any(there):
            why = (f"Odoo {om.object}({rid}) changed since it was approved (write_date {first.seen_version} → "
                   f"{version})" + (": " + "; ".join(f"{q.field} was {q.old_value!r}, now {v!r}" for q, v in moved)
                                    + "; nothing written" if moved else
                                    f", though {', '.join(q.field for q in reqs)} still hold(s) what the approver saw: "
                                    f"someone changed another field of it; nothing written"))
            return [WriteResult(cid, "conflict", why, current_value=v, new_version=version) for v in values]
        if moved:
            changed = "; ".join(f"{q.field} now holds {v!r}, not the {q.old_value!r} seen at approval"
                                for q, v in moved)
            return [WriteResult(cid, "already_applied" if done else "conflict",
                                "the value is already in Odoo" if done else
                                f"Odoo {om.object}({rid}) changed since it was approved: {changed}; nothing "
                                f"written", current_value=v, new_version=version) for v, done in zip(values, there)]
        vals: dict[str, Any] = {}
        # a country first: a state code is resolved within the country the same write sets
        order = sorted(zip(reqs, srcs, there), key=lambda x: x[1] != "country_id")
        for q, s, done in order:
            if done:
                continue
            try:
                target, value = self._write_value(om, q.field, s, coerce(q.object, q.field, q.new_value, "new value"),
                                                  rid, vals)
            except _Refused as exc:
                return refused(q, f"Odoo: {om.object}({rid}) {q.field}: {exc}")
            except InputError as exc:
                return refused(q, f"Odoo: {om.object}({rid}) {exc}")
            except HttpFailure as exc:
                return every("transient" if exc.transient else "permanent", str(exc))
            vals[target] = value

        def landed(outcome: str, message: str, tag: str | None) -> list[WriteResult]:
            return [WriteResult(cid, "already_applied" if done else outcome,
                                "the value was already in Odoo" if done else message, response_id=tag, new_version=tag)
                    for done in there]
        try:
            self._call(om.object, "write", [rid], vals=vals)
        except HttpFailure as exc:
            if exc.transient:  # the answer may be lost, not the write: look, never write twice
                try:
                    after = current()
                except HttpFailure:
                    return every("transient", str(exc))
                if after is None:
                    return every("permanent", gone)
                if all(same_value(q.object, q.field, v, q.new_value) for q, v in zip(reqs, after[0])):
                    return landed("applied", "the write landed although the answer was lost", after[1])
                return every("transient", str(exc))
            return every("permanent", f"Odoo {om.object}({rid}): refused the write of {', '.join(vals)}: {exc}; "
                                      f"nothing written")
        try:
            new_version = (current() or (None, None))[1]
        except HttpFailure:
            new_version = None
        if version and new_version:
            own.setdefault(str(rid), {})[str(version)] = str(new_version)
        return landed("applied", f"{om.object}.write([{rid}], {{{', '.join(repr(t) for t in vals)}: ...}})",
                      new_version)

    def _fields(self, model: str) -> dict[str, dict[str, Any]]:
        """fields_get of a model, asked once: the type, relation and read-only flag a write must respect."""
        if model not in self._field_cache:
            self._field_cache[model] = self._call(
                model, "fields_get", attributes=["string", "type", "readonly", "relation", "selection"])
        return self._field_cache[model]

    def _write_value(self, om: ObjectMap, canon: str, src: str, value: Any, rid: int,
                     along: dict[str, Any] | None = None) -> tuple[str, Any]:
        """The field to write and the value of its Odoo type; clearing is ``False`` as Odoo reads it.

        Relational fields take ids (odoo/orm/fields_relational.py Many2one.convert_to_cache turns
        anything else, e.g. a code, into an empty value), resolved here by code like the UI does."""
        target = str((om.settings.get("write_fields") or {}).get(canon) or src)
        meta = self._fields(om.object).get(target)
        if meta is None:
            raise _Refused(f"the field {target!r} does not exist on {om.object}")
        if meta.get("readonly"):
            raise _Refused(f"{target} ({meta.get('string') or target}) is read-only in Odoo (computed); "
                           f"not sent")
        ftype = meta.get("type")
        if value is None and ftype == "boolean":
            # False is a value here (e.g. archived), not "nothing": never send it as a clear
            raise _Refused(f"{target} is true or false in Odoo and cannot be cleared")
        if value is None:
            return target, _CLEAR_AS.get(target, False)
        if ftype == "many2one":
            return target, self._resolve(om, canon, meta.get("relation") or "", value, rid, along or {})
        if ftype == "selection":
            allowed = [str(v[0]) for v in meta.get("selection") or []]
            if str(value) not in allowed:
                raise _Refused(f"{value!r} is not one of {target}'s values ({', '.join(allowed)})")
            return target, str(value)
        if ftype == "boolean":
            return target, bool(value)
        if ftype == "integer":
            return target, int(value)
        if ftype in ("float", "monetary"):
            return target, value if isinstance(value, Decimal) else Decimal(str(value))
        if ftype == "date":
            return target, value.isoformat() if hasattr(value, "isoformat") else str(value)
        if ftype == "datetime":
            return target, odoo_datetime(value) if isinstance(value, datetime) else str(value)
        return target, value if isinstance(value, str) else str(value)

    def _resolve(self, om: ObjectMap, canon: str, relation: str, value: Any, rid: int,
                 along: dict[str, Any] | None = None) -> int:
        """The id of the record a canonical value names in ``relation``."""
        def one(model: str, domain: list[Any], what: str) -> int:
            # reference records (countries, states, currencies) do not move during a push: ask once
            key = f"{model}:{encode_json(domain)}"
            if key not in self._ref_cache:
                self._ref_cache[key] = self._call(model, "search", domain=domain, limit=2, order="id")
            found = self._ref_cache[key]
            if len(found) != 1:
                raise _Refused(f"{'no' if not found else 'more than one'} {model} with {what}")
            return int(found[0])
        if relation == "res.country":
            return one("res.country", [["code", "=", str(value).upper()]], f"code {value!r}")
        if relation == "res.country.state":
            # a state code is unique only within its country: the partner's country decides, or the one this
            # same write gives it (a move from one country to another corrects both in one correction)
            country: list[Any] | None
            if along and along.get("country_id"):
                country = [along["country_id"]]
            else:
                [rec] = self._call(om.object, "read", [rid], fields=["country_id"])
                country = rec.get("country_id") or None
            if not country:
                raise _Refused(f"the record has no country, so state {value!r} cannot be resolved")
            return one("res.country.state", [["code", "=", str(value)], ["country_id", "=", country[0]]],
                       f"code {value!r} in {country[1] if len(country) > 1 else country[0]}")
        if relation == "product.pricelist" and canon == "currency":
            currency = one("res.currency", [["name", "=", str(value)]], f"code {value!r}")
            if f"pricelist:{currency}" not in self._ref_cache:
                self._ref_cache[f"pricelist:{currency}"] = [self._pricelist(currency, value)]
            return int(self._ref_cache[f"pricelist:{currency}"][0])
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _Refused(f"{value!r} is not an id of {relation}") from None

    def _pricelist(self, currency: int, code: Any) -> int:
        """The first pricelist in ``currency`` whose name reads back as that currency ("Name (EUR)")."""
        found = self._call("product.pricelist", "search_read", domain=[["currency_id", "=", currency]],
                           fields=["display_name"], order="id")
        for rec in found:
            m = _CURRENCY.search(str(rec.get("display_name") or ""))
            if m and m.group(1) == code:
                return int(rec["id"])
        raise _Refused(f"no product.pricelist in currency {code!r}")

    # -- discovery ------------------------------------------------------------------
    def describe(self, kind: str) -> list[dict[str, Any]]:
        om = self._map(kind)
        got = self._call(om.object, "fields_get", attributes=["string", "type", "readonly", "relation"])
        return [{"name": name, "label": f.get("string") or name, "type": f.get("type"),
                 "updateable": not f.get("readonly", False)} for name, f in got.items()]

    def test_connection(self) -> list[tuple[str, bool, str]]:
        checks: list[tuple[str, bool, str]] = []
        try:
            api = self.api
            if isinstance(api, _JsonRpc):
                api.authenticate()
            checks.append(("sign-in", True, f"{api.style} API at {self.url}, database {self.database}"))
        except (HttpFailure, ConfigError) as exc:
            return [("sign-in", False, str(exc))]
        for _kind, om in self.maps.items():
            try:
                n = self._call(om.object, "search_count", domain=self._domain(om))
                checks.append((f"read {om.object}", True, f"{n:,} records"))
            except SourceError as exc:
                checks.append((f"read {om.object}", False, str(exc)))
        checks.append(("API usage", True, f"{self.http.requests} requests made, {self.http.retries} retried"))
        return checks


def create(side: str, config: RunConfig) -> OdooSource:
    return OdooSource(side, config)


def _search_read(om: ObjectMap, domain: list[Any], fields: list[str]) -> str:
    """The read of ``domain`` as the run shows it."""
    return f"{om.object}.search_read domain={encode_json(domain)} fields={','.join(fields)}"


def _countable(domain: list[Any]) -> bool:
    """Whether no record can enter or leave ``domain`` without being written (``COUNTABLE``): its count then
    tells deletions."""
    return all(isinstance(term, str) or str(term[0]) in COUNTABLE for term in domain)


def _order_of(values: list[Any], _where: str) -> dict[str, Any]:
    """An order's booked flag and kind from its state (a quotation or a cancelled order is not booked)."""
    return {"booked": values[0] in ("sale", "done"), "kind": "sale.order"}


def _naming(frames: dict[str, pd.DataFrame] | None, kind: str, partners: frozenset[str]) -> set[str]:
    """Ids of the ``kind`` records in ``frames`` whose customer (or parent customer) is one of ``partners``."""
    frame = (frames or {}).get(kind)
    if not partners or frame is None or not len(frame):
        return set()
    hit = np.zeros(len(frame), dtype=bool)
    for column in ("customer_id", "parent_id"):
        if column in frame.columns:
            hit |= frame[column].astype(str).isin(partners).to_numpy()
    return set(frame["record_id"].astype(str)[hit])
