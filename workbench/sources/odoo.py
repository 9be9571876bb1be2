"""Odoo external API connector: JSON-2 (Odoo 19+) with the legacy ``/jsonrpc`` as fallback.

Config (``[erp.odoo]``)::

    url = "https://acme.odoo.com"
    database = "acme"                 # sent as X-Odoo-Database / the execute_kw db
    api = "auto"                      # json2 | jsonrpc | auto (asks /web/version)
    login = "finance-bot@acme.com"    # needed for jsonrpc (authenticate)
    api_key_env = "ODOO_API_KEY"      # or the OS keyring
    # optional: page_size (default 2000), timeout, retries, max_connections

Reads use ``search_read`` with a domain and offset/limit paging; many2one values
``[id, "Name"]`` become the id (``*_id`` fields) or the name (currency, pricelist).
Odoo has no ETag: a push re-reads ``write_date``, compares it with the version seen at
approval and only then calls ``write`` (not atomic across the two calls; the window is
one round trip).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import httpx

from workbench.config import RunConfig
from workbench.errors import ConfigError, InputError, SourceError
from workbench.model.status import StatusMap, UnknownStatus
from workbench.progress import check_cancelled, report
from workbench.sources.base import Extract, SourceMeta, WriteRequest, WriteResult, push_each
from workbench.sources.credentials import get_secret
from workbench.sources.erp_mapping import ObjectMap, PullBuffer, coerce, fill_from, lookup, object_maps, same_value
from workbench.sources.http_common import HttpClient, HttpFailure, StaticHeaders, decode, encode_json

DEFAULT_OBJECTS: dict[str, dict[str, Any]] = {
    "customers": {"object": "res.partner", "domain": [["customer_rank", ">", 0]], "fields": {
        "record_id": "id", "name": "name", "number": "ref", "xref": "x_salesforce_id", "street": "street",
        "city": "city", "postcode": "zip", "state": "state_id", "country": "country_code", "tax_id": "vat",
        "website": "website", "email": "email", "phone": "phone", "parent_id": "parent_id", "blocked": "sale_warn",
        "currency": "property_product_pricelist", "active": "active", "last_modified": "write_date"}},
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
_CODE = re.compile(r"^\[([^\]]+)\]")
_CURRENCY = re.compile(r"\(([A-Z]{3})\)$")  # a pricelist reads "Name (EUR)"; a res.currency reads "EUR"
_READ_METHODS = {"search_read", "search", "search_count", "read", "fields_get"}


def odoo_datetime(dt: datetime) -> str:
    dt = dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _json2_words(resp: httpx.Response) -> tuple[str | None, str]:
    try:
        body = decode(resp)
    except HttpFailure:
        return None, resp.text[:200] or resp.reason_phrase
    if isinstance(body, dict):
        return body.get("name"), str(body.get("message") or body)
    return None, str(body)[:300]


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


class _JsonRpc:
    style = "jsonrpc"

    def __init__(self, http: HttpClient, database: str, login: str | None, key: str):
        if not login:
            raise ConfigError("Odoo JSON-RPC needs [odoo] login (the user the API key belongs to)")
        self.http, self.database, self.login, self._key = http, database, login, key
        self.uid: int | None = None
        self._id = 0

    def _rpc(self, service: str, method: str, args: list, what: str, retry: str = "all") -> Any:
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
        elif method == "read":
            args, kwargs = [ids], kw
        elif method in ("search_read", "search", "search_count"):
            args, kwargs = [kw.pop("domain", [])], kw
        else:
            args, kwargs = [], kw
        return self._rpc("object", "execute_kw", [self.database, uid, self._key, model, method, args, kwargs],
                         f"{model}.{method}", retry="all" if method in _READ_METHODS else "unsent")


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
                               auth=None, headers={"Accept": "application/json"}, error_words=_json2_words)
        self._key = key
        self._smaps: dict[str, StatusMap] = {}
        self._api: _Json2 | _JsonRpc | None = None
        self.maps = object_maps(side_cfg, DEFAULT_OBJECTS, self.system)
        self.meta = SourceMeta(side=side, system=self.system, connector=self.connector, instance=self.url)

    # -- transport --------------------------------------------------------------
    @property
    def api(self) -> _Json2 | _JsonRpc:
        if self._api is None:
            style = self.api_style
            if style == "auto":
                resp = self.http.request("GET", "/web/version")
                major = 0
                if resp.status_code == 200:
                    try:
                        major = int(decode(resp).get("version_info", [0])[0])
                    except (HttpFailure, ValueError, TypeError, AttributeError):
                        major = 0
                style = "json2" if major >= 19 else "jsonrpc"
                self.meta.api_version = f"{major}.0" if major else None
            if style == "json2":
                self.http.auth = StaticHeaders({"Authorization": f"bearer {self._key}"})
                self._api = _Json2(self.http, self.database)
            else:
                self._api = _JsonRpc(self.http, self.database, self.login, self._key)
            self.meta.api_usage["api"] = self._api.style
        return self._api

    def close(self) -> None:
        self.http.close()

    def _call(self, model: str, method: str, ids: list[int] | None = None, **kw: Any) -> Any:
        try:
            return self.api.call(model, method, ids, **kw)
        except HttpFailure as exc:
            if exc.status == 401 or exc.code in ("werkzeug.exceptions.Unauthorized", "odoo.exceptions.AccessDenied"):
                raise HttpFailure(f"{exc} (the API key was refused: it may have expired or been revoked; create a "
                                  f"new one under Preferences > Account Security)", status=exc.status,
                                  code=exc.code) from None
            raise

    # -- pull -------------------------------------------------------------------
    def pull(self, state: object | None = None, since: datetime | None = None) -> Extract:
        buf = PullBuffer()
        done = 0
        for kind, om in self.maps.items():
            check_cancelled(state)
            domain = [list(t) for t in (om.settings.get("domain") or [])]
            if since is not None:
                # write_date has whole seconds: ">=" so a change in the same second as `since` is not missed
                domain.append(["write_date", ">=", odoo_datetime(since)])
            fields = [f for f in om.source_fields() if f != "id"]
            query = f"{om.object}.search_read domain={encode_json(domain)} fields={','.join(fields)}"
            self.meta.objects[kind] = om.object
            self.meta.queries[kind] = query
            offset = 0
            while True:
                page = self._call(om.object, "search_read", domain=domain, fields=fields, offset=offset,
                                  limit=self.page_size, order="id")
                buf.add_page(kind, om.object, query, page, [self._canonical(om, rec) for rec in page])
                done += len(page)
                offset += len(page)
                report(state, done, None, f"{om.object}: {offset:,} read")
                if len(page) < self.page_size:
                    break
        fr = buf.frames()
        self._derive(fr)
        self.meta.api_usage.update({"calls": self.http.requests, "retries": self.http.retries})
        self.meta.incremental_since = since
        self.meta.extracted_at = datetime.now(timezone.utc)
        return Extract(self.meta, fr, buf.snapshots()).finish()

    def _value(self, kind: str, canon: str, raw: Any, where: str) -> Any:
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

    def _canonical(self, om: ObjectMap, rec: dict) -> dict:
        where = f"Odoo {om.object}({rec.get('id')})"
        out = {canon: self._value(om.kind, canon, rec.get(src), where) for canon, src in om.fields.items()}
        out["version"] = rec.get("write_date") or None
        if om.kind == "invoices" and om.status_fields:
            values = [rec.get(f) for f in om.status_fields]
            try:
                smap = self._smaps.get(om.kind)
                if smap is None:
                    smap = self._smaps[om.kind] = StatusMap.for_source(om.status_system or self.system,
                                                                       om.status_overrides)
                out["status"] = smap.map(*values)
            except UnknownStatus as exc:
                raise InputError(f"{where}: {exc}", column="|".join(om.status_fields)) from None
            out["status_raw"] = "|".join("" if v is None or v is False else str(v) for v in values)
            out["is_credit_note"] = rec.get("move_type") == "out_refund"
        elif om.kind == "orders":
            out["booked"] = rec.get("state") in ("sale", "done")
            out["kind"] = "sale.order"
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
        src = [f for f in om.source_fields() if f != "id"]
        out: dict[str, dict[str, Any]] = {}
        for rid in record_ids:
            try:
                recs = self._call(om.object, "read", [self._id(rid)], fields=src + ["write_date"])
            except HttpFailure as exc:
                if exc.status == 404 or "MissingError" in str(exc.code):
                    continue
                raise
            canon = self._canonical(om, recs[0])
            out[rid] = {f: canon.get(f) for f in fields} | {"version": canon["version"]}
        return out

    def push(self, requests: list[WriteRequest], state: object | None = None) -> list[WriteResult]:
        results = push_each(requests, self._push_one, state, "Odoo")
        self.meta.api_usage.update({"calls": self.http.requests, "retries": self.http.retries})
        return results

    def _push_one(self, req: WriteRequest) -> WriteResult:
        cid = req.correction_id
        try:
            om = self._map(req.object)
            rid = self._id(req.record_id)
        except (ConfigError, InputError) as exc:
            return WriteResult(cid, "permanent", str(exc))
        src = om.fields.get(req.field)
        if src is None:
            return WriteResult(cid, "permanent", f"Odoo: field {req.field!r} of {req.object} is not mapped")

        def current() -> tuple[Any, str | None]:
            [rec] = self._call(om.object, "read", [rid], fields=[src, "write_date"])
            return self._value(req.object, req.field, rec.get(src), f"{om.object}({rid})"), rec.get("write_date")
        try:
            now_value, version = current()
        except HttpFailure as exc:
            if exc.status == 404 or "MissingError" in str(exc.code):
                return WriteResult(cid, "permanent", f"Odoo: {om.object}({rid}) no longer exists")
            return WriteResult(cid, "transient" if exc.transient else "permanent", str(exc))
        if same_value(req.object, req.field, now_value, req.new_value):
            return WriteResult(cid, "already_applied", "the value is already in Odoo", current_value=now_value,
                               new_version=version, response_id=version)
        if req.seen_version and req.seen_version != version:
            return WriteResult(cid, "conflict", f"the record changed in Odoo since it was approved (write_date "
                                                f"{version}, approved at {req.seen_version})",
                               current_value=now_value, new_version=version)
        if not req.seen_version and not same_value(req.object, req.field, now_value, req.old_value):
            return WriteResult(cid, "conflict", f"Odoo now holds {now_value!r}, not the {req.old_value!r} seen at "
                                                f"approval", current_value=now_value, new_version=version)
        value = coerce(req.object, req.field, req.new_value, "new value")
        try:
            self._call(om.object, "write", [rid], vals={src: False if value is None else value})
        except HttpFailure as exc:
            if exc.transient:
                try:
                    after, after_version = current()
                except HttpFailure:
                    return WriteResult(cid, "transient", str(exc))
                if same_value(req.object, req.field, after, req.new_value):
                    return WriteResult(cid, "applied", "the write landed although the answer was lost",
                                       response_id=after_version, new_version=after_version)
                return WriteResult(cid, "transient", str(exc))
            return WriteResult(cid, "permanent", str(exc))
        try:
            _, new_version = current()
        except HttpFailure:
            new_version = None
        return WriteResult(cid, "applied", f"{om.object}.write([{rid}], {{{src!r}: ...}})",
                           response_id=new_version, new_version=new_version)

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
        for kind, om in self.maps.items():
            try:
                n = self._call(om.object, "search_count", domain=[list(t) for t in om.settings.get("domain") or []])
                checks.append((f"read {om.object}", True, f"{n:,} records"))
            except SourceError as exc:
                checks.append((f"read {om.object}", False, str(exc)))
        checks.append(("API usage", True, f"{self.http.requests} requests made, {self.http.retries} retried"))
        return checks


def create(side: str, config: RunConfig) -> OdooSource:
    return OdooSource(side, config)
