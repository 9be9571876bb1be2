"""Odoo flavour of the ERP sandbox: JSON-2 (Odoo 19+) and the legacy ``/jsonrpc``.

JSON-2: ``POST /json/2/<model>/<method>`` with ``Authorization: bearer <api key>`` and
``X-Odoo-Database``; the body holds the method's named arguments (``ids`` for record
methods) and the answer is the method's raw return value; errors come back with an
HTTP status and ``{"name", "message", "arguments", "context", "debug"}``. Legacy:
``POST /jsonrpc`` with ``common.authenticate``/``common.version`` and
``object.execute_kw``; errors arrive inside HTTP 200 as a JSON-RPC ``error``. With
``version < 19`` only the legacy endpoint exists, as on Odoo 17/18.

Records read as Odoo sends them: many2one ``[id, "Name"]``, ``False`` for empty,
``write_date`` as ``"YYYY-MM-DD HH:MM:SS"`` UTC.
"""

from __future__ import annotations

import fnmatch
import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterable

from workbench.sandbox.erp.faults import Faults
from workbench.sandbox.erp.server import Request, Response
from workbench.sandbox.erp.store import RecordStore, loads

C, I, F, M, B, SEL, DT, DA, M2O = ("char", "integer", "float", "monetary", "boolean", "selection", "datetime",
                                   "date", "many2one")

# model -> {field: (type, label, readonly, relation)}
MODELS: dict[str, dict[str, tuple[str, str, bool, str | None]]] = {
    "res.partner": {
        "id": (I, "ID", True, None), "name": (C, "Name", False, None), "display_name": (C, "Display Name", True, None),
        "ref": (C, "Reference", False, None), "x_salesforce_id": (C, "Salesforce Account Id", False, None),
        "vat": (C, "Tax ID", False, None), "street": (C, "Street", False, None), "city": (C, "City", False, None),
        "zip": (C, "Zip", False, None), "state_id": (M2O, "State", False, "res.country.state"),
        "country_id": (M2O, "Country", False, "res.country"), "country_code": (C, "Country Code", True, None),
        "email": (C, "Email", False, None), "phone": (C, "Phone", False, None), "website": (C, "Website Link", False, None),
        "is_company": (B, "Is a Company", False, None), "customer_rank": (I, "Customer Rank", False, None),
        "parent_id": (M2O, "Related Company", False, "res.partner"), "active": (B, "Active", False, None),
        "sale_warn": (SEL, "Sales Warnings", False, None),
        "property_product_pricelist": (M2O, "Pricelist", False, "product.pricelist"),
        "write_date": (DT, "Last Updated on", True, None)},
    "product.product": {
        "id": (I, "ID", True, None), "name": (C, "Name", False, None), "default_code": (C, "Internal Reference", False, None),
        "active": (B, "Active", False, None), "list_price": (F, "Sales Price", False, None),
        "write_date": (DT, "Last Updated on", True, None)},
    "product.pricelist.item": {
        "id": (I, "ID", True, None), "pricelist_id": (M2O, "Pricelist", False, "product.pricelist"),
        "product_id": (M2O, "Product Variant", False, "product.product"), "applied_on": (SEL, "Apply On", False, None),
        "compute_price": (SEL, "Computation", False, None), "fixed_price": (F, "Fixed Price", False, None),
        "currency_id": (M2O, "Currency", True, "res.currency"), "min_quantity": (F, "Min. Quantity", False, None),
        "date_start": (DT, "Start Date", False, None), "date_end": (DT, "End Date", False, None),
        "write_date": (DT, "Last Updated on", True, None)},
    "sale.order": {
        "id": (I, "ID", True, None), "name": (C, "Order Reference", True, None),
        "partner_id": (M2O, "Customer", False, "res.partner"), "currency_id": (M2O, "Currency", True, "res.currency"),
        "amount_total": (M, "Total", True, None), "date_order": (DT, "Order Date", False, None),
        "state": (SEL, "Status", True, None), "client_order_ref": (C, "Customer Reference", False, None),
        "write_date": (DT, "Last Updated on", True, None)},
    "sale.order.line": {
        "id": (I, "ID", True, None), "order_id": (M2O, "Order Reference", True, "sale.order"),
        "product_id": (M2O, "Product", False, "product.product"), "product_uom_qty": (F, "Quantity", False, None),
        "price_unit": (F, "Unit Price", False, None), "discount": (F, "Discount (%)", False, None),
        "price_subtotal": (M, "Subtotal", True, None), "currency_id": (M2O, "Currency", True, "res.currency"),
        "write_date": (DT, "Last Updated on", True, None)},
    "account.move": {
        "id": (I, "ID", True, None), "name": (C, "Number", True, None), "move_type": (SEL, "Type", True, None),
        "state": (SEL, "Status", True, None), "payment_state": (SEL, "Payment Status", True, None),
        "partner_id": (M2O, "Partner", False, "res.partner"), "currency_id": (M2O, "Currency", False, "res.currency"),
        "amount_total": (M, "Total", True, None), "amount_residual": (M, "Amount Due", True, None),
        "invoice_date": (DA, "Invoice/Bill Date", False, None), "invoice_date_due": (DA, "Due Date", False, None),
        "invoice_origin": (C, "Origin", False, None), "ref": (C, "Reference", False, None),
        "write_date": (DT, "Last Updated on", True, None)},
    "account.payment": {
        "id": (I, "ID", True, None), "name": (C, "Number", True, None),
        "partner_id": (M2O, "Customer/Vendor", False, "res.partner"), "amount": (M, "Amount", False, None),
        "currency_id": (M2O, "Currency", False, "res.currency"), "date": (DA, "Date", False, None),
        "memo": (C, "Memo", False, None), "payment_type": (SEL, "Payment Type", False, None),
        "state": (SEL, "Status", True, None), "write_date": (DT, "Last Updated on", True, None)},
}

CURRENCY_ORDER = ("USD", "EUR", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "CAD", "AUD")
_ODOO_STATE = {  # canonical status -> (state, payment_state)
    "draft": ("draft", "not_paid"), "open": ("posted", "not_paid"), "partially_paid": ("posted", "partial"),
    "paid": ("posted", "paid"), "void": ("cancel", "not_paid"), "credit_note": ("posted", "paid")}


def odoo_dt(v: Any) -> Any:
    if isinstance(v, datetime):
        v = v if v.tzinfo else v.replace(tzinfo=timezone.utc)
        return v.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    if v is None:
        return False
    return f"{v.isoformat()} 00:00:00" if hasattr(v, "isoformat") else v


def odoo_date(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else (v or False)


def from_canonical(data: dict[str, list[dict]]) -> Iterable[tuple[str, list[tuple[str, dict]]]]:
    """Canonical ERP records -> Odoo models with integer ids and ``[id, name]`` many2ones."""
    stamp = odoo_dt(datetime.now(timezone.utc))

    def ids(rows: list[dict], start: int) -> dict[str, int]:
        return {r["record_id"]: start + n for n, r in enumerate(rows)}

    custs = data.get("customers", [])
    cid = ids(custs, 10)
    cname = {c["record_id"]: c.get("name") or "" for c in custs}
    countries = {code: n + 1 for n, code in enumerate(sorted({c["country"] for c in custs if c.get("country")}))}
    ccy_ids: dict[str, int] = {}

    def ccy(code: str | None) -> Any:
        if not code:
            return False
        return [ccy_ids.setdefault(code, len(ccy_ids) + 1), code]

    def partner(rid: str | None) -> Any:
        return [cid[rid], cname[rid]] if rid in cid else False

    yield "res.partner", [(str(cid[c["record_id"]]), {
        "id": cid[c["record_id"]], "name": c.get("name") or "", "display_name": c.get("name") or "",
        "ref": c.get("number") or False, "x_salesforce_id": c.get("xref") or False, "vat": c.get("tax_id") or False,
        "street": c.get("street") or False, "city": c.get("city") or False, "zip": c.get("postcode") or False,
        "state_id": False, "country_id": [countries[c["country"]], c["country"]] if c.get("country") else False,
        "country_code": c.get("country") or False, "email": c.get("email") or False, "phone": c.get("phone") or False,
        "website": c.get("website") or False, "is_company": True, "customer_rank": 1,
        "parent_id": partner(c.get("parent_id")), "active": c.get("active") is not False,
        "sale_warn": "block" if c.get("blocked") else "no-message",
        # Odoo shows a pricelist as "Name (CUR)": the customer's currency lives there
        "property_product_pricelist": [100 + CURRENCY_ORDER.index(c["currency"]) if c["currency"] in CURRENCY_ORDER
                                       else 99, f"{c['currency']} Pricelist ({c['currency']})"]
        if c.get("currency") else False,
        "write_date": odoo_dt(c.get("last_modified")) or stamp}) for c in custs]
    prods = data.get("products", [])
    pid = ids(prods, 1)
    pdisplay = {p["code"]: (pid[p["record_id"]], f"[{p['code']}] {p.get('name') or ''}") for p in prods}
    yield "product.product", [(str(pid[p["record_id"]]), {
        "id": pid[p["record_id"]], "name": p.get("name") or "", "default_code": p["code"],
        "active": p.get("active") is not False, "list_price": Decimal(0),
        "write_date": odoo_dt(p.get("last_modified")) or stamp}) for p in prods]
    prices = data.get("prices", [])
    books: dict[str, int] = {}
    yield "product.pricelist.item", [(str(n), {
        "id": n, "pricelist_id": [books.setdefault(p.get("pricebook") or "Public Pricelist", len(books) + 1),
                                  p.get("pricebook") or "Public Pricelist"],
        "product_id": list(pdisplay[p["product_code"]]) if p["product_code"] in pdisplay else False,
        "applied_on": "0_product_variant", "compute_price": "fixed", "fixed_price": p["unit_price"],
        "currency_id": ccy(p["currency"]), "min_quantity": p.get("min_quantity") or Decimal(0),
        "date_start": odoo_dt(p.get("effective_date")), "date_end": odoo_dt(p.get("end_date")),
        "write_date": odoo_dt(p.get("last_modified")) or stamp}) for n, p in enumerate(prices, start=1)]
    orders = data.get("orders", [])
    oid = ids(orders, 1)
    oname = {o["record_id"]: o.get("number") or f"S{oid[o['record_id']]:05d}" for o in orders}
    yield "sale.order", [(str(oid[o["record_id"]]), {
        "id": oid[o["record_id"]], "name": oname[o["record_id"]], "partner_id": partner(o.get("customer_id")),
        "currency_id": ccy(o["currency"]), "amount_total": o.get("total_amount"),
        "date_order": odoo_dt(o.get("order_date")), "state": "sale" if o.get("booked") is not False else "draft",
        "client_order_ref": o.get("xref") or False, "write_date": odoo_dt(o.get("last_modified")) or stamp})
        for o in orders]
    yield "sale.order.line", [(str(n), {
        "id": n, "order_id": [oid[ln["order_id"]], oname[ln["order_id"]]] if ln["order_id"] in oid else False,
        "product_id": list(pdisplay[ln["product_code"]]) if ln.get("product_code") in pdisplay else False,
        "product_uom_qty": ln["quantity"], "price_unit": ln["unit_price"],
        "discount": ln.get("discount_percent") or Decimal(0), "price_subtotal": ln.get("amount"),
        "currency_id": ccy(ln["currency"]), "write_date": odoo_dt(ln.get("last_modified")) or stamp})
        for n, ln in enumerate(data.get("order_lines", []), start=1)]
    invs = data.get("invoices", [])
    iid = ids(invs, 1)
    moves = []
    for inv in invs:
        state, pay = _ODOO_STATE.get(inv.get("status"), ("posted", "not_paid"))
        total, residual = inv.get("total_amount"), inv.get("open_balance")
        if pay == "not_paid" and state == "posted" and total and residual is not None and 0 < residual < total:
            pay = "partial"  # Odoo tells part-paid apart where Business Central says "Open"
        credit = inv.get("is_credit_note") or inv.get("status") == "credit_note"
        moves.append((str(iid[inv["record_id"]]), {
            "id": iid[inv["record_id"]], "name": inv.get("number") or "/",
            "move_type": "out_refund" if credit else "out_invoice", "state": state, "payment_state": pay,
            "partner_id": partner(inv.get("customer_id")), "currency_id": ccy(inv["currency"]),
            "amount_total": inv.get("total_amount"), "amount_residual": inv.get("open_balance"),
            "invoice_date": odoo_date(inv.get("invoice_date")), "invoice_date_due": odoo_date(inv.get("due_date")),
            "invoice_origin": inv.get("order_ref") or False, "ref": False,
            "write_date": odoo_dt(inv.get("last_modified")) or stamp}))
    yield "account.move", moves
    yield "account.payment", [(str(n), {
        "id": n, "name": f"PBNK1/2026/{n:05d}", "partner_id": partner(p.get("customer_id")), "amount": p["amount"],
        "currency_id": ccy(p["currency"]), "date": odoo_date(p.get("payment_date")),
        "memo": p.get("invoice_number") or False, "payment_type": "inbound", "state": "paid",
        "write_date": odoo_dt(p.get("last_modified")) or stamp}) for n, p in enumerate(data.get("payments", []), 1)]


class OdooError(Exception):
    def __init__(self, status: int, name: str, message: str):
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


def compile_domain(model: str, domain: Any) -> Any:
    """Odoo domain (prefix ``&``/``|``/``!`` over ``[field, op, value]`` leaves) -> predicate."""
    fields = MODELS[model]
    if not isinstance(domain, list):
        raise OdooError(422, "builtins.ValueError", f"Invalid domain: {domain!r}")
    items = list(domain)
    pos = 0

    def leaf(term: list) -> Any:
        if len(term) != 3:
            raise OdooError(422, "builtins.ValueError", f"Invalid leaf {term!r}")
        name, op, value = term
        if name not in fields:
            raise OdooError(422, "builtins.ValueError", f"Invalid field {model}.{name} in leaf {tuple(term)!r}")
        ftype = fields[name][0]
        op = str(op).lower()

        def get(rec: dict) -> Any:
            v = rec.get(name, False)
            if ftype == M2O:
                return v[0] if v else False
            if ftype in (F, M) and v is not False and v is not None:
                return Decimal(str(v))
            return v

        def norm(v: Any) -> Any:
            if ftype in (F, M, I) and not isinstance(v, bool) and v is not None and v is not False:
                try:
                    return Decimal(str(v))
                except ArithmeticError:
                    return v
            return v
        if op in ("in", "not in"):
            vals = {norm(x) for x in (value if isinstance(value, list) else [value])}
            return (lambda r: get(r) in vals) if op == "in" else (lambda r: get(r) not in vals)
        if op in ("like", "ilike", "not ilike", "=like", "=ilike"):
            pat = str(value)
            low = "ilike" in op

            def match(r: dict) -> bool:
                v = get(r)
                if v is False or v is None:
                    return False
                text, p = (str(v).lower(), pat.lower()) if low else (str(v), pat)
                return fnmatch.fnmatchcase(text, p.replace("%", "*").replace("_", "?")) if op.startswith("=") \
                    else p in text
            return (lambda r: not match(r)) if op.startswith("not") else match
        lit = norm(value)
        ops = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<>": lambda a, b: a != b,
               ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
        if op not in ops:
            raise OdooError(422, "builtins.ValueError", f"Invalid leaf {tuple(term)!r}: unknown operator {op!r}")
        cmp = ops[op]

        def pred(r: dict) -> bool:
            v = get(r)
            if op in (">", ">=", "<", "<=") and (v is False or v is None or lit is False):
                return False
            try:
                return cmp(v, lit)
            except TypeError:
                return False
        return pred

    def expr() -> Any:
        nonlocal pos
        tok = items[pos]
        pos += 1
        if tok == "!":
            inner = expr()
            return lambda r: not inner(r)
        if tok in ("&", "|"):
            a, b = expr(), expr()
            return (lambda r: a(r) and b(r)) if tok == "&" else (lambda r: a(r) or b(r))
        if isinstance(tok, (list, tuple)):
            return leaf(list(tok))
        raise OdooError(422, "builtins.ValueError", f"Invalid domain term {tok!r}")

    preds = []
    while pos < len(items):
        preds.append(expr())
    return lambda r: all(p(r) for p in preds)


class OdooFlavor:
    name = "odoo"

    def __init__(self, store: RecordStore, faults: Faults, *, database: str, login: str, api_key: str,
                 version: int = 19):
        self.store, self.faults = store, faults
        self.database, self.login, self.api_key, self.version = database, login, api_key, version
        self.uid = 2
        self._epoch_key = 0

    def is_api(self, req: Request) -> bool:
        return req.path.startswith("/json/2/") or req.path == "/jsonrpc"

    def _key_valid(self, key: str | None) -> bool:
        return key == self.api_key and self.faults.token_epoch == 0

    def fault_response(self, status: int, message: str) -> Response:
        name = "werkzeug.exceptions.TooManyRequests" if status == 429 else \
            "werkzeug.exceptions.ServiceUnavailable" if status == 503 else "werkzeug.exceptions.InternalServerError"
        return self._json2_error(status, name, message)

    @staticmethod
    def _json2_error(status: int, name: str, message: str) -> Response:
        return Response.json(status, {"name": name, "message": message, "arguments": [message, status],
                                      "context": {}, "debug": f"Traceback (most recent call last):\n{name}: {message}"})

    @staticmethod
    def _rpc_error(rid: Any, name: str, message: str, code: int = 200) -> Response:
        return Response.json(200, {"jsonrpc": "2.0", "id": rid, "error": {
            "code": code, "message": "Odoo Server Error",
            "data": {"name": name, "debug": f"Traceback (most recent call last):\n{name}: {message}",
                     "message": message, "arguments": [message], "context": {}}}})

    def handle(self, req: Request) -> Response:
        if req.path == "/web/version" and self.version >= 17:
            return Response.json(200, {"version_info": [self.version, 0, 0, "final", 0, ""],
                                       "version": f"{self.version}.0"})
        if req.path.startswith("/json/2/") and self.version >= 19 and req.method == "POST":
            return self._json2(req)
        if req.path == "/jsonrpc" and req.method == "POST":
            return self._jsonrpc(req)
        return Response(404, b"<!DOCTYPE html><title>404: Not Found</title><h1>Not Found</h1>",
                        {"Content-Type": "text/html; charset=utf-8"})

    # -- JSON-2 -----------------------------------------------------------------
    def _json2(self, req: Request) -> Response:
        auth = req.header("authorization") or ""
        key = auth.split(None, 1)[1] if auth.lower().startswith("bearer ") else None
        if not self._key_valid(key):
            return self._json2_error(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
        db = req.header("x-odoo-database")
        if db and db != self.database:
            return self._json2_error(404, "werkzeug.exceptions.NotFound", f"database {db!r} not found")
        parts = req.path.split("/")
        if len(parts) != 5:
            return self._json2_error(404, "werkzeug.exceptions.NotFound", "The requested URL was not found.")
        model, method = parts[3], parts[4]
        try:
            body = loads(req.body or b"{}")
            if not isinstance(body, dict):
                raise OdooError(422, "builtins.TypeError", "the body must be a JSON object of named arguments")
            ids = body.pop("ids", None)
            body.pop("context", None)
            result = self.call(model, method, ids, body)
        except OdooError as exc:
            return self._json2_error(exc.status, exc.name, exc.message)
        except ValueError:
            return self._json2_error(400, "werkzeug.exceptions.BadRequest", "the body is not valid JSON")
        return Response.json(200, result)

    # -- legacy JSON-RPC ---------------------------------------------------------------
    def _jsonrpc(self, req: Request) -> Response:
        try:
            payload = loads(req.body or b"{}")
        except ValueError:
            return Response.json(200, {"jsonrpc": "2.0", "id": None, "error": {
                "code": -32700, "message": "Parse error", "data": {}}})
        rid = payload.get("id")
        params = payload.get("params") or {}
        service, method, args = params.get("service"), params.get("method"), list(params.get("args") or [])
        try:
            if service == "common" and method == "version":
                result: Any = {"server_version": f"{self.version}.0",
                               "server_version_info": [self.version, 0, 0, "final", 0, ""], "protocol_version": 1}
            elif service == "common" and method in ("authenticate", "login"):
                db, login, key = args[0], args[1], args[2]
                result = self.uid if (db == self.database and login == self.login and self._key_valid(key)) else False
            elif service == "object" and method == "execute_kw":
                db, uid, key, model, meth = args[:5]
                margs = args[5] if len(args) > 5 else []
                kwargs = dict(args[6]) if len(args) > 6 and args[6] else {}
                kwargs.pop("context", None)
                if db != self.database or uid != self.uid or not self._key_valid(key):
                    return self._rpc_error(rid, "odoo.exceptions.AccessDenied", "Access Denied")
                result = self._execute(model, meth, margs, kwargs)
            else:
                raise OdooError(404, "werkzeug.exceptions.NotFound", f"unknown service/method {service}.{method}")
        except OdooError as exc:
            return self._rpc_error(rid, exc.name, exc.message)
        except (IndexError, TypeError) as exc:
            return self._rpc_error(rid, "builtins.TypeError", str(exc))
        return Response.json(200, {"jsonrpc": "2.0", "id": rid, "result": result})

    def _execute(self, model: str, method: str, args: list, kwargs: dict) -> Any:
        """execute_kw positional arguments -> the named arguments JSON-2 uses."""
        positional = {"search_read": ["domain", "fields", "offset", "limit", "order"],
                      "search": ["domain", "offset", "limit", "order"], "search_count": ["domain"],
                      "read": ["ids", "fields"], "write": ["ids", "vals"], "fields_get": ["allfields", "attributes"]}
        names = positional.get(method, [])
        named = dict(zip(names, args))
        named.update(kwargs)
        ids = named.pop("ids", None)
        return self.call(model, method, ids, named)

    # -- the model methods --------------------------------------------------------------
    def call(self, model: str, method: str, ids: Any, kw: dict) -> Any:
        if model not in MODELS:
            raise OdooError(404, "werkzeug.exceptions.NotFound", f"Model not found: {model}")
        fields = MODELS[model]
        if method == "fields_get":
            attrs = kw.get("attributes") or ["string", "type", "readonly", "relation"]
            out = {}
            for name, (ftype, label, readonly, rel) in fields.items():
                full = {"string": label, "type": ftype, "readonly": readonly, "store": True}
                if rel:
                    full["relation"] = rel
                out[name] = {k: v for k, v in full.items() if k in attrs}
            return out
        if method in ("search_read", "search", "search_count"):
            pred = compile_domain(model, kw.get("domain") or [])
            offset, limit = int(kw.get("offset") or 0), kw.get("limit")
            order = str(kw.get("order") or "id")
            if not re.fullmatch(r"id( asc)?", order.strip(), re.I):
                raise OdooError(422, "builtins.ValueError", f"Invalid order {order!r}: the sandbox sorts by id only")
            if not kw.get("domain") and method != "search_count":
                # no filter: let SQLite skip to the offset instead of decoding every record before it
                rows = self.store.slice(model, offset, int(limit) if limit else None)
                return [d["id"] for d in rows] if method == "search" else \
                    [self._shape(model, d, kw.get("fields")) for d in rows]
            if method == "search_count":
                return sum(1 for _, data, _ in self.store.scan(model) if pred(data))
            out = self.store.filtered(model, pred, offset, int(limit) if limit else None,
                                      json.dumps(kw.get("domain"), default=str))
            if method == "search":
                return [d["id"] for d in out]
            return [self._shape(model, d, kw.get("fields")) for d in out]
        if method == "read":
            wanted = kw.get("fields")
            out = []
            for i in ids or []:
                if self.faults.take_change():  # another user saves the record between approval and this read
                    self._touch(model, str(i))
                got = self.store.get(model, str(i))
                if got is None:
                    raise OdooError(404, "odoo.exceptions.MissingError",
                                    f"Record does not exist or has been deleted.\n(Record: {model}({i},), User: 2)")
                out.append(self._shape(model, got[0], wanted))
            return out
        if method == "write":
            vals = kw.get("vals") or {}
            for f in vals:
                if f not in fields:
                    raise OdooError(422, "builtins.ValueError", f"Invalid field '{f}' on model '{model}'")
                if fields[f][2]:
                    raise OdooError(422, "odoo.exceptions.UserError",
                                    f"You cannot change the field '{fields[f][1]}' ({f}) of {model}: it is read-only")
            for i in ids or []:
                if self.store.get(model, str(i)) is None:
                    raise OdooError(404, "odoo.exceptions.MissingError",
                                    f"Record does not exist or has been deleted.\n(Record: {model}({i},), User: 2)")
            for i in ids or []:
                self.store.update(model, str(i), lambda d, v: {**d, **vals, "write_date": _next_write_date(d)})
            return True
        raise OdooError(404, "werkzeug.exceptions.NotFound", f"The method '{method}' does not exist on the model "
                                                             f"'{model}'")

    def _touch(self, model: str, rid: str) -> None:
        self.store.update(model, rid, lambda d, v: {**d, "write_date": _next_write_date(d)})

    @staticmethod
    def _shape(model: str, data: dict, fields: list[str] | None) -> dict:
        if not fields:
            return data
        out = {"id": data["id"]}
        for f in fields:
            if f not in MODELS[model]:
                raise OdooError(422, "builtins.ValueError", f"Invalid field '{f}' on model '{model}'")
            out[f] = data.get(f, False)
        return out


def _next_write_date(data: dict) -> str:
    """Now, but always later than the last write: Odoo's write_date has one-second resolution,
    and a version that does not change would hide a concurrent edit."""
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    try:
        last = datetime.strptime(str(data.get("write_date")), "%Y-%m-%d %H:%M:%S")
        if now <= last:
            now = last + timedelta(seconds=1)
    except ValueError:
        pass
    return now.strftime("%Y-%m-%d %H:%M:%S")


