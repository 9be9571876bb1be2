"""Odoo flavour of the ERP sandbox: JSON-2 (Odoo 19+) and the legacy ``/jsonrpc``.

JSON-2: ``POST /json/2/<model>/<method>`` with ``Authorization: bearer <api key>`` and
``X-Odoo-Database``; the body holds the method's named arguments (``ids`` for record
methods) and the answer is the method's raw return value; errors come back with an
HTTP status and ``{"name", "message", "arguments", "context", "debug"}``. Legacy:
``POST /jsonrpc`` with ``common.authenticate``/``common.version`` and
``object.execute_kw``; errors arrive inside HTTP 200 as a JSON-RPC ``error``. XML-RPC
(``/xmlrpc/2/<service>``) answers with Faults. With ``version < 19`` JSON-2 does not exist,
as on Odoo 17/18. The web client's ``/web/webclient/version_info`` is served so odoorpc can
connect; session routes answer as Odoo does to a caller without a session.

Records read as Odoo sends them: many2one ``[id, "Name"]``, ``False`` for empty,
``write_date`` as ``"YYYY-MM-DD HH:MM:SS"`` UTC. Writes are converted and refused per field
type as the ORM does (``odoo_fields``). docs/fidelity/odoo.md lists what is served and the
Odoo source each behaviour follows.
"""

from __future__ import annotations

import fnmatch
import json
import re
import xmlrpc.client
from datetime import datetime, timedelta, UTC
from decimal import Decimal
from typing import Any
from collections.abc import Callable, Iterable

from workbench.sandbox.erp.faults import Faults
from workbench.sandbox.erp.odoo_fields import SELECTIONS, SIZES, OrmValueError, convert
from workbench.sandbox.erp.server import Request, Response
from workbench.sandbox.erp.store import RecordStore, SqlHint, loads

# Short type codes for the field tables below.
C, I, F, M, B, SEL, DT, DA, M2O = (  # noqa: E741
    "char", "integer", "float", "monetary", "boolean", "selection", "datetime", "date", "many2one")

# model -> {field: (type, label, readonly, relation)}
MODELS: dict[str, dict[str, tuple[str, str, bool, str | None]]] = {
    "res.partner": {
        "id": (I, "ID", True, None), "name": (C, "Name", False, None), "display_name": (C, "Display Name", True, None),
        "ref": (C, "Reference", False, None), "x_salesforce_id": (C, "Salesforce Account Id", False, None),
        "vat": (C, "Tax ID", False, None), "street": (C, "Street", False, None), "city": (C, "City", False, None),
        "zip": (C, "Zip", False, None), "state_id": (M2O, "State", False, "res.country.state"),
        "country_id": (M2O, "Country", False, "res.country"), "country_code": (C, "Country Code", True, None),
        "email": (C, "Email", False, None), "phone": (C, "Phone", False, None),
        "website": (C, "Website Link", False, None),
        "is_company": (B, "Is a Company", False, None), "customer_rank": (I, "Customer Rank", False, None),
        "parent_id": (M2O, "Related Company", False, "res.partner"), "active": (B, "Active", False, None),
        "sale_warn": (SEL, "Sales Warnings", False, None),
        "property_product_pricelist": (M2O, "Pricelist", False, "product.pricelist"),
        "write_date": (DT, "Last Updated on", True, None)},
    "res.country": {
        "id": (I, "ID", True, None), "name": (C, "Country Name", False, None),
        "code": (C, "Country Code", False, None)},
    "res.country.state": {
        "id": (I, "ID", True, None), "name": (C, "State Name", False, None), "code": (C, "State Code", False, None),
        "country_id": (M2O, "Country", False, "res.country"), "display_name": (C, "Display Name", True, None)},
    "res.currency": {
        "id": (I, "ID", True, None), "name": (C, "Currency", False, None), "active": (B, "Active", False, None)},
    "product.pricelist": {
        "id": (I, "ID", True, None), "name": (C, "Pricelist Name", False, None),
        "currency_id": (M2O, "Currency", False, "res.currency"), "active": (B, "Active", False, None),
        "display_name": (C, "Display Name", True, None), "write_date": (DT, "Last Updated on", True, None)},
    "res.users": {
        "id": (I, "ID", True, None), "name": (C, "Name", False, None), "login": (C, "Login", False, None)},
    # a product variant holds its template's fields by delegation (product/models/product_product.py
    # _inherits = {'product.template': 'product_tmpl_id'}): its name is the template's
    "product.template": {
        "id": (I, "ID", True, None), "name": (C, "Name", False, None), "active": (B, "Active", False, None),
        "write_date": (DT, "Last Updated on", True, None)},
    "product.product": {
        "id": (I, "ID", True, None), "name": (C, "Name", False, None),
        "product_tmpl_id": (M2O, "Product Template", False, "product.template"),
        "default_code": (C, "Internal Reference", False, None),
        "display_name": (C, "Display Name", True, None),
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
        "memo": (C, "Memo", False, None), "ref": (C, "Reference", False, None),
        "payment_type": (SEL, "Payment Type", False, None),
        "state": (SEL, "Status", True, None), "write_date": (DT, "Last Updated on", True, None)},
}
# Fields Odoo removed from a model, by the version that removed them: res.partner's sale_warn left with Odoo 19
# (odoo/odoo#192211 "Make internal warnings non-blocking, turn them into alert boxes"; OCA/sale-workflow#4422: "In v19,
# sale_line_warn (product) and sale_warn (partner) selection fields were removed from Odoo core. Only the _msg
# variants remain.")
# account.payment's ref, its move's, shown on it through _inherits up to 17 (account/models/account_payment.py 17.0:
# _inherits = {'account.move': 'move_id'}), is the memo from 18 (below)
REMOVED_IN: dict[tuple[str, str], int] = {("res.partner", "sale_warn"): 19, ("account.payment", "ref"): 18}
# Fields a model gained, by the version that added them: account.payment's memo came with Odoo 18, where the 18.0
# upgrade fills it from the payment's move ref (OCA/OpenUpgrade#4931, account 18.0 pre-migration: "UPDATE
# account_payment ap SET memo = am.ref"); before, the payment showed its move's ref
ADDED_IN: dict[tuple[str, str], int] = {("account.payment", "memo"): 18}

CURRENCY_ORDER = ("USD", "EUR", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "CAD", "AUD")
_COUNTRY_NAMES = {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France", "IT": "Italy",
                  "NL": "Netherlands", "SE": "Sweden", "JP": "Japan", "CA": "Canada", "CH": "Switzerland",
                  "ES": "Spain", "AU": "Australia"}
_US_STATES = {"CA": "California", "NY": "New York", "TX": "Texas", "MA": "Massachusetts", "IL": "Illinois",
              "GA": "Georgia", "WA": "Washington", "FL": "Florida"}
_ODOO_STATE = {  # canonical status -> (state, payment_state)
    "draft": ("draft", "not_paid"), "open": ("posted", "not_paid"), "partially_paid": ("posted", "partial"),
    "paid": ("posted", "paid"), "void": ("cancel", "not_paid"), "credit_note": ("posted", "paid")}


def odoo_dt(v: Any) -> Any:
    if isinstance(v, datetime):
        v = v if v.tzinfo else v.replace(tzinfo=UTC)
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if v is None:
        return False
    return f"{v.isoformat()} 00:00:00" if hasattr(v, "isoformat") else v


def odoo_date(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else (v or False)


def from_canonical(data: dict[str, list[dict[str, Any]]]) -> Iterable[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    """Canonical ERP records -> Odoo models with integer ids and ``[id, name]`` many2ones."""
    stamp = odoo_dt(datetime.now(UTC))

    def ids(rows: list[dict[str, Any]], start: int) -> dict[str, int]:
        return {r["record_id"]: start + n for n, r in enumerate(rows)}

    custs = data.get("customers", [])
    cid = ids(custs, 10)
    cname = {c["record_id"]: c.get("name") or "" for c in custs}
    codes = sorted({c["country"] for c in custs if c.get("country")} | {"US"})
    countries = {code: n + 1 for n, code in enumerate(codes)}
    yield "res.country", [(str(i), {"id": i, "name": _COUNTRY_NAMES.get(code, code), "code": code})
                          for code, i in countries.items()]
    pairs = sorted({("US", s) for s in _US_STATES} | {(c["country"], c["state"]) for c in custs
                                                      if c.get("state") and c.get("country")})
    states = {pair: n + 1 for n, pair in enumerate(pairs)}

    def state_name(country: str, code: str) -> str:
        return (_US_STATES.get(code, code) if country == "US" else code) + f" ({country})"
    yield "res.country.state", [(str(i), {
        "id": i, "name": state_name(ctry, code).rsplit(" (", 1)[0], "code": code,
        "country_id": [countries[ctry], _COUNTRY_NAMES.get(ctry, ctry)], "display_name": state_name(ctry, code)})
        for (ctry, code), i in states.items()]
    used: set[Any] = {r.get("currency") for rows in data.values() for r in rows if isinstance(r, dict)} - {None, ""}
    ccy_ids = {code: n + 1 for n, code in enumerate(list(CURRENCY_ORDER) + sorted(used - set(CURRENCY_ORDER)))}

    def ccy(code: str | None) -> Any:
        return [ccy_ids[code], code] if code else False
    yield "res.currency", [(str(i), {"id": i, "name": code, "active": True}) for code, i in ccy_ids.items()]
    # one pricelist per currency (a customer's currency lives on its pricelist, shown "Name (CUR)"),
    # and the price books the price rules hang on
    named: dict[str, tuple[int, str | None]] = {}
    for p in data.get("prices", []):
        named.setdefault(p.get("pricebook") or "Public Pricelist", (len(named) + 1, p.get("currency")))
    books = {code: max(100, len(named) + 1) + n for n, code in enumerate(ccy_ids)}
    # the pricelists were set up before the records that use them, not at seeding: the first re-run within minutes
    # of seeding would otherwise read again every price whose pricelist it asks the write_date of
    set_up = min((w for rows in data.values() for r in rows if isinstance(r, dict)
                  for w in (odoo_dt(r.get("last_modified")),) if w), default=stamp)
    yield "product.pricelist", [(str(i), {
        "id": i, "name": f"{code} Pricelist", "currency_id": [ccy_ids[code], code], "active": True,
        "display_name": f"{code} Pricelist ({code})", "write_date": set_up}) for code, i in books.items()] + [
        (str(i), {"id": i, "name": name, "currency_id": ccy(code), "active": True,
                  "display_name": f"{name} ({code})" if code else name, "write_date": set_up})
        for name, (i, code) in named.items()]
    yield "res.users", [("2", {"id": 2, "name": "Administrator", "login": "admin"})]

    def partner(rid: str | None) -> Any:
        return [cid[rid], cname[rid]] if rid in cid else False

    def state_id(c: dict[str, Any]) -> Any:
        key = (c.get("country"), c.get("state"))
        return [states[key], state_name(*key)] if key in states else False

    yield "res.partner", [(str(cid[c["record_id"]]), {
        "id": cid[c["record_id"]], "name": c.get("name") or "", "display_name": c.get("name") or "",
        "ref": c.get("number") or False, "x_salesforce_id": c.get("xref") or False, "vat": c.get("tax_id") or False,
        "street": c.get("street") or False, "city": c.get("city") or False, "zip": c.get("postcode") or False,
        "state_id": state_id(c),
        "country_id": [countries[c["country"]], _COUNTRY_NAMES.get(c["country"], c["country"])]
        if c.get("country") else False,
        "country_code": c.get("country") or False, "email": c.get("email") or False, "phone": c.get("phone") or False,
        "website": c.get("website") or False, "is_company": True, "customer_rank": 1,
        "parent_id": partner(c.get("parent_id")), "active": c.get("active") is not False,
        "sale_warn": "block" if c.get("blocked") else "no-message",
        # Odoo shows a pricelist as "Name (CUR)": the customer's currency lives there
        "property_product_pricelist": [books[c["currency"]], f"{c['currency']} Pricelist ({c['currency']})"]
        if c.get("currency") else False,
        "write_date": odoo_dt(c.get("last_modified")) or stamp}) for c in custs]
    prods = data.get("products", [])
    pid = ids(prods, 1)
    pdisplay = {p["code"]: (pid[p["record_id"]], f"[{p['code']}] {p.get('name') or ''}") for p in prods}
    yield "product.template", [(str(pid[p["record_id"]]), {
        "id": pid[p["record_id"]], "name": p.get("name") or "", "active": p.get("active") is not False,
        "write_date": odoo_dt(p.get("last_modified")) or stamp}) for p in prods]
    yield "product.product", [(str(pid[p["record_id"]]), {
        "id": pid[p["record_id"]], "name": p.get("name") or "", "default_code": p["code"],
        "product_tmpl_id": [pid[p["record_id"]], p.get("name") or ""],
        "display_name": f"[{p['code']}] {p.get('name') or ''}",
        "active": p.get("active") is not False, "list_price": Decimal(0),
        "write_date": odoo_dt(p.get("last_modified")) or stamp}) for p in prods]
    prices = data.get("prices", [])
    yield "product.pricelist.item", [(str(n), {
        "id": n, "pricelist_id": [named[p.get("pricebook") or "Public Pricelist"][0],
                                  p.get("pricebook") or "Public Pricelist"],
        "product_id": list(pdisplay[p["product_code"]]) if p["product_code"] in pdisplay else False,
        "applied_on": "0_product_variant", "compute_price": "fixed", "fixed_price": p["unit_price"],
        "currency_id": ccy(p["currency"]), "min_quantity": p.get("min_quantity") or Decimal(0),
        "date_start": odoo_dt(p.get("effective_date")), "date_end": odoo_dt(p.get("end_date")),
        "write_date": odoo_dt(p.get("last_modified")) or stamp}) for n, p in enumerate(prices, start=1)]
    orders = data.get("orders", [])
    oid = ids(orders, 1)
    oname = {o["record_id"]: o.get("number") or f"S{oid[o['record_id']]:05d}" for o in orders}
    ordered = {o["record_id"]: o.get("last_modified") for o in orders}
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
        # a line without a stamp of its own was last written with its order (Odoo saves them together)
        "currency_id": ccy(ln["currency"]),
        "write_date": odoo_dt(ln.get("last_modified") or ordered.get(ln["order_id"])) or stamp})
        for n, ln in enumerate(data.get("order_lines", []), start=1)]
    invs = data.get("invoices", [])
    iid = ids(invs, 1)
    moves = []
    for inv in invs:
        state, pay = _ODOO_STATE.get(inv.get("status") or "", ("posted", "not_paid"))
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
        "memo": p.get("invoice_number") or False, "ref": p.get("invoice_number") or False,
        "payment_type": "inbound", "state": "paid",
        "write_date": odoo_dt(p.get("last_modified")) or stamp}) for n, p in enumerate(data.get("payments", []), 1)]


class OdooError(Exception):
    def __init__(self, status: int, name: str, message: str):
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


def compile_domain(model: str, domain: Any) -> Any:
    """Odoo domain (prefix ``&``/``|``/``!`` over ``[field, op, value]`` leaves) -> predicate. Paths through a
    many2one (``product_id.write_date``) are for ``without_paths`` to resolve first: here they are no field."""
    fields = MODELS[model]
    if not isinstance(domain, list):
        raise OdooError(500, "builtins.ValueError", f"Invalid domain: {domain!r}")
    items = list(domain)
    pos = 0

    def leaf(term: list[Any]) -> Any:
        if len(term) != 3:
            raise OdooError(500, "builtins.ValueError", f"Invalid leaf {term!r}")
        name, op, value = term
        if name not in fields:
            raise OdooError(500, "builtins.ValueError", f"Invalid field {model}.{name} in leaf {tuple(term)!r}")
        ftype = fields[name][0]
        op = str(op).lower()

        def get(rec: dict[str, Any]) -> Any:
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
        if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
            pat = str(value)
            low = "ilike" in op

            def match(r: dict[str, Any]) -> bool:
                v = get(r)
                if v is False or v is None:
                    return False
                text, p = (str(v).lower(), pat.lower()) if low else (str(v), pat)
                return fnmatch.fnmatchcase(text, p.replace("%", "*").replace("_", "?")) if op.startswith("=") \
                    else p in text
            return (lambda r: not match(r)) if op.startswith("not") else match
        lit = norm(value)
        ops: dict[str, Callable[[Any, Any], Any]] = {
               "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<>": lambda a, b: a != b,
               ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
        if op not in ops:
            raise OdooError(500, "builtins.ValueError", f"Invalid leaf {tuple(term)!r}: unknown operator {op!r}")
        cmp = ops[op]

        def pred(r: dict[str, Any]) -> bool:
            v = get(r)
            if op in (">", ">=", "<", "<=") and (v is False or v is None or lit is False):
                return False
            try:
                return bool(cmp(v, lit))
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
        raise OdooError(500, "builtins.ValueError", f"Invalid domain term {tok!r}")

    preds = []
    while pos < len(items):
        preds.append(expr())
    return lambda r: all(p(r) for p in preds)


def without_paths(model: str, domain: Any, matching: Callable[[str, list[Any]], list[int]]) -> Any:
    """``domain`` with each leaf on a path through a many2one (``product_id.write_date >= t``) made the leaf Odoo makes
    of it: the many2one ``in`` the ids of the related records the rest of the path takes, found by one search of the
    related model that archived records are not left out of (odoo/orm/domains.py ``DomainCondition._optimize`` makes
    the path an ``any`` condition; odoo/orm/fields_relational.py ``Many2one.condition_to_sql`` searches the comodel
    with ``active in [True, False]`` and tests the column ``IN`` that query). ``matching(model, domain)`` is that
    search; a longer path is a path of the related model's. A path through a field that is no many2one is refused
    (ValueError), as Odoo refuses it. Anything else is left for ``compile_domain`` to check."""
    if not isinstance(domain, list):
        return domain
    fields = MODELS[model]
    out: list[Any] = []
    for term in domain:
        if isinstance(term, (list, tuple)) and len(term) == 3 and "." in str(term[0]):
            head, rest = str(term[0]).split(".", 1)
            if head not in fields or fields[head][0] != M2O:
                raise OdooError(500, "builtins.ValueError", f"Invalid field {model}.{term[0]} in leaf {tuple(term)!r}")
            term = [head, "in", sorted(matching(fields[head][3] or "", [[rest, term[1], term[2]]]))]
        out.append(term)
    return out


# JSON-2 parameters per method: (api.model?, named parameters, required) after
# odoo/orm/models.py signatures; search_read's **read_kwargs go on to read(fields, load)
_SIGNATURES: dict[str, tuple[bool, tuple[str, ...], tuple[str, ...]]] = {
    "search_read": (True, ("domain", "fields", "offset", "limit", "order", "load"), ()),
    "search": (True, ("domain", "offset", "limit", "order"), ("domain",)),
    "search_count": (True, ("domain", "limit"), ("domain",)),
    # Odoo 19: addons/web/models/models.py Base.formatted_read_group (served from version 19 only)
    "formatted_read_group": (True, ("domain", "groupby", "aggregates", "having", "offset", "limit", "order"),
                             ("domain",)),
    # odoo/models.py BaseModel.read_group (17, 18); odoo/orm/models.py in 19, deprecated there; from 20 another
    # method of the same name (_READ_GROUP_20)
    "read_group": (True, ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
                   ("domain", "fields", "groupby")),
    "fields_get": (True, ("allfields", "attributes"), ()),
    "context_get": (True, (), ()),
    "read": (False, ("fields", "load"), ()),
    "write": (False, ("vals",), ("vals",)),
    "unlink": (False, (), ()),
}
# what execute_kw / execute take positionally, in the same signatures' order
_POSITIONAL = {"search_read": ["domain", "fields", "offset", "limit", "order"],
               "search": ["domain", "offset", "limit", "order"], "search_count": ["domain", "limit"],
               "formatted_read_group": ["domain", "groupby", "aggregates", "having", "offset", "limit", "order"],
               "read_group": ["domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"],
               "read": ["ids", "fields", "load"], "write": ["ids", "vals"], "unlink": ["ids"],
               "fields_get": ["allfields", "attributes"],
               "context_get": []}
# Odoo 20's read_group: the ORM's _read_group made public (odoo/orm/models.py BaseModel.read_group, odoo/odoo#236332),
# answering a tuple per group, the values of the groupby then the aggregates; no ``fields``
_READ_GROUP_20 = (True, ("domain", "groupby", "aggregates", "having", "offset", "limit", "order"), ("domain",))
_ORDER_TERM = re.compile(r"^\s*(\w+)(?:\s+(asc|desc))?\s*$", re.I)
# odoo/http.py SessionExpiredException: what a session route answers a caller without a session cookie
_SESSION_EXPIRED = {"code": 100, "message": "Odoo Session Expired", "data": {
    "name": "odoo.http.SessionExpiredException", "debug": "", "message": "Session expired", "arguments":
    ["Session expired"], "context": {}}}


class OdooFlavor:
    name = "odoo"

    def __init__(self, store: RecordStore, faults: Faults, *, database: str, login: str, api_key: str,
                 version: int = 19):
        self.store, self.faults = store, faults
        self.database, self.login, self.api_key, self.version = database, login, api_key, version
        self.uid = 2
        self._epoch_key = 0

    def is_api(self, req: Request) -> bool:
        return req.path.startswith(("/json/2/", "/xmlrpc/", "/web/dataset/")) or req.path == "/jsonrpc"

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

    def _version_info(self) -> dict[str, Any]:
        return {"server_version": f"{self.version}.0", "server_version_info": [self.version, 0, 0, "final", 0, ""],
                "server_serie": f"{self.version}.0", "protocol_version": 1}

    def handle(self, req: Request) -> Response:
        # Odoo 19 routes ['/web/version', '/json/version'] to one method (addons/rpc/controllers/__init__.py):
        # /json/version came with JSON-2
        if req.path == "/web/version" and self.version >= 17 or req.path == "/json/version" and self.version >= 19:
            return Response.json(200, {"version_info": [self.version, 0, 0, "final", 0, ""],
                                       "version": f"{self.version}.0"})
        if req.path.startswith("/json/2/") and self.version >= 19 and req.method == "POST":
            return self._json2(req)
        if req.method == "POST" and req.path in ("/jsonrpc", "/web/webclient/version_info",
                                                 "/web/session/authenticate") \
                or req.path.startswith("/web/dataset/call"):
            return self._jsonrpc(req)
        if req.method == "POST" and req.path in ("/xmlrpc/2/common", "/xmlrpc/2/object", "/xmlrpc/common",
                                                 "/xmlrpc/object"):
            return self._xmlrpc(req)
        return Response(404, b"<!DOCTYPE html><title>404: Not Found</title><h1>Not Found</h1>",
                        {"Content-Type": "text/html; charset=utf-8"})

    # -- JSON-2 (addons/rpc/controllers/json2.py) -------------------------------------------
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
            return self._json2_error(404, "werkzeug.exceptions.NotFound",
                                     "Did you mean POST /json/2/<model>/<method>?")
        model, method = parts[3], parts[4]
        try:
            try:
                body = loads(req.body or b"{}")
            except ValueError as exc:
                raise OdooError(400, "werkzeug.exceptions.BadRequest",
                                f"could not parse the body as json: {exc}") from exc
            if not isinstance(body, dict):
                raise OdooError(400, "werkzeug.exceptions.BadRequest",
                                "could not parse the body, expecting a json object")
            ids = body.pop("ids", None)
            body.pop("context", None)
            self._check_model(model)
            api_model, params, required = self._signature(model, method)
            if api_model and ids:
                raise OdooError(422, "werkzeug.exceptions.UnprocessableEntity",
                                f"cannot call {model}.{method} with ids")
            for name in body:
                if name not in params:
                    raise OdooError(422, "werkzeug.exceptions.UnprocessableEntity",
                                    f"got an unexpected keyword argument {name!r}")
            for name in required:
                if name not in body:
                    raise OdooError(422, "werkzeug.exceptions.UnprocessableEntity",
                                    f"missing a required argument: {name!r}")
            result = self.call(model, method, ids or [], body)
        except OdooError as exc:
            return self._json2_error(exc.status, exc.name, exc.message)
        return Response.json(200, result)

    def _check_model(self, model: str) -> None:
        if model not in MODELS:
            raise OdooError(404, "werkzeug.exceptions.NotFound", f"the model {model!r} does not exist")

    def _signature(self, model: str, method: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        sig = _READ_GROUP_20 if method == "read_group" and self.version >= 20 else _SIGNATURES.get(method)
        if sig is None or (method == "context_get" and model != "res.users") \
                or (method == "formatted_read_group" and self.version < 19):
            # odoo/service/model.py get_public_method; create/name_search... are not served here
            raise OdooError(404, "werkzeug.exceptions.NotFound", f"The method '{model}.{method}' does not exist")
        return sig

    # -- legacy JSON-RPC: /jsonrpc and the web client's json routes (odoo/http.py JsonRPCDispatcher) ---------
    def _jsonrpc(self, req: Request) -> Response:
        try:
            payload = loads(req.body or b"{}")
        except ValueError:
            return Response.json(200, {"jsonrpc": "2.0", "id": None, "error": {
                "code": -32700, "message": "Parse error", "data": {}}})
        rid = payload.get("id")
        params = payload.get("params") or {}
        if req.path == "/web/webclient/version_info":
            return Response.json(200, {"jsonrpc": "2.0", "id": rid, "result": self._version_info()})
        if req.path == "/web/session/authenticate":
            # a web session needs the user's password; API keys only open RPC (res_users.py _check_credentials)
            return self._rpc_error(rid, "odoo.exceptions.AccessDenied", "Access Denied")
        if req.path.startswith("/web/dataset/"):
            return Response.json(200, {"jsonrpc": "2.0", "id": rid, "error": _SESSION_EXPIRED})
        service, method, args = params.get("service"), params.get("method"), list(params.get("args") or [])
        try:
            result = self._dispatch(service, method, args)
        except OdooError as exc:
            return self._rpc_error(rid, exc.name, exc.message)
        return Response.json(200, {"jsonrpc": "2.0", "id": rid, "result": result})

    def _dispatch(self, service: str | None, method: str | None, args: list[Any]) -> Any:
        """One ``service.method(*args)`` of odoo/service (common, object), shared by JSON-RPC and XML-RPC."""
        try:
            if service == "common" and method == "version":
                return self._version_info()
            if service == "common" and method in ("authenticate", "login"):
                db, login, key = args[0], args[1], args[2]
                return self.uid if (db == self.database and login == self.login and self._key_valid(key)) else False
            if service == "object" and method in ("execute_kw", "execute"):
                db, uid, key, model, meth = args[:5]
                if method == "execute_kw":
                    margs = args[5] if len(args) > 5 else []
                    kwargs = dict(args[6]) if len(args) > 6 and args[6] else {}
                else:
                    margs, kwargs = args[5:], {}
                kwargs.pop("context", None)
                if db != self.database or uid != self.uid or not self._key_valid(key):
                    raise OdooError(403, "odoo.exceptions.AccessDenied", "Access Denied")
                return self._execute(model, meth, list(margs), kwargs)
        except (IndexError, ValueError) as exc:
            raise OdooError(500, "builtins.TypeError", f"{service}.{method}: wrong arguments ({exc})") from None
        raise OdooError(404, "builtins.NameError", f"Method not available {method}"
                        if service in ("common", "object", "db") else f"No such service {service!r}")

    def _execute(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """execute_kw positional arguments -> named ones, as call_kw binds them (odoo/api.py)."""
        self._check_model(model)
        try:
            api_model, params, required = self._signature(model, method)
        except OdooError as exc:
            if exc.name != "werkzeug.exceptions.NotFound":
                raise
            # over RPC a method the model lacks is an AttributeError: odoo/api.py call_kw in Odoo 17 ("... does not
            # exist on the model ..."), odoo/service/model.py get_public_method from 18 on
            raise OdooError(200, "builtins.AttributeError",
                            f"The method '{method}' does not exist on the model '{model}'" if self.version < 18
                            else f"The method '{model}.{method}' does not exist") from None
        names = list(params) if method == "read_group" and self.version >= 20 else _POSITIONAL.get(method, [])
        if len(args) > len(names):
            raise OdooError(500, "builtins.TypeError",
                            f"{method}() takes {len(names) + 1} positional arguments but {len(args) + 1} were given")
        named = dict(zip(names, args))
        for k, v in kwargs.items():
            if k in named or (k not in params and k != "ids"):
                raise OdooError(500, "builtins.TypeError", f"{method}() got an unexpected keyword argument {k!r}"
                                if k not in named else f"{method}() got multiple values for argument {k!r}")
            named[k] = v
        ids = named.pop("ids", None)
        for name in required:
            if name not in named:
                raise OdooError(500, "builtins.TypeError",
                                f"{method}() missing 1 required positional argument: {name!r}")
        if isinstance(ids, int):
            ids = [ids]
        return self.call(model, method, ids or [], named)

    # -- XML-RPC (addons/rpc/controllers/xmlrpc.py): /xmlrpc/2/<service> faults carry int codes,
    # the legacy /xmlrpc/<service> string codes (xmlrpc_handle_exception_int / _string) --------------
    def _xmlrpc(self, req: Request) -> Response:
        try:
            args, method = xmlrpc.client.loads(req.body, use_builtin_types=True)
        except Exception:  # expat raises several types for a body that is not XML-RPC
            return self._xml_fault(1, "could not parse the XML-RPC request")
        service = req.path.rsplit("/", 1)[1]
        try:
            result = self._dispatch(service, method, list(args))
        except OdooError as exc:
            trace = f"Traceback (most recent call last):\n{exc.name}: {exc.message}"
            denied, user = exc.name.endswith("AccessDenied"), exc.name.startswith("odoo.exceptions.")
            if req.path.startswith("/xmlrpc/2/"):
                # RPC_FAULT_CODE_ACCESS_DENIED 3, _WARNING 2 (UserError), else _APPLICATION_ERROR 1
                return self._xml_fault(3 if denied else 2 if user else 1, exc.message if user else trace)
            return self._xml_fault("AccessDenied" if denied else f"warning -- {exc.name.rsplit('.', 1)[1]}\n\n"
                                   f"{exc.message}" if user else exc.message, "" if user else trace)
        body = xmlrpc.client.dumps((_xml_safe(result),), methodresponse=True, allow_none=False)
        return Response(200, body.encode("utf-8"), {"Content-Type": "text/xml; charset=utf-8"})

    @staticmethod
    def _xml_fault(code: int | str, text: str) -> Response:
        # Odoo's faults carry string codes too; xmlrpc marshals either, its stubs say int
        body = xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True)  # type: ignore[arg-type]
        return Response(200, body.encode("utf-8"), {"Content-Type": "text/xml; charset=utf-8"})

    # -- the model methods --------------------------------------------------------------
    def call(self, model: str, method: str, ids: list[Any], kw: dict[str, Any]) -> Any:
        self._check_model(model)
        fields = self._fields_of(model)
        if method in ("read", "search_read"):
            # BaseModel._determine_fields_to_fetch: a name that is no field of the model (odoo/orm/models.py)
            for name in kw.get("fields") or ():
                if name not in fields:
                    raise OdooError(500, "builtins.ValueError", f"Invalid field {name!r} on model {model!r}")
            kw = {**kw, "fields": kw.get("fields") or list(fields)}
        if method == "context_get":
            return {"lang": "en_US", "tz": "UTC", "uid": self.uid}
        if method == "fields_get":
            attrs = kw.get("attributes")
            wanted = kw.get("allfields")
            out = {}
            for name, (ftype, label, readonly, rel) in fields.items():
                if wanted and name not in wanted:
                    continue
                full: dict[str, Any] = {"string": label, "type": ftype, "readonly": readonly, "store": True,
                                        "required": name in ("name",) and ftype == C,
                                        "searchable": True, "sortable": True}
                if rel:
                    full["relation"] = rel
                if ftype == SEL:
                    full["selection"] = [[v, v.replace("_", " ").title()] for v in SELECTIONS.get((model, name), [])]
                if (model, name) in SIZES:
                    full["size"] = SIZES[(model, name)]
                out[name] = {k: v for k, v in full.items() if not attrs or k in attrs}
            return out
        if method in ("search_read", "search", "search_count"):
            return self._search(model, method, kw)
        if method in ("formatted_read_group", "read_group"):
            return self._read_group(model, method, kw)
        if method == "read":
            wanted = kw.get("fields")
            records = []
            for i in ids:
                if self.faults.take_change():  # another user saves the record between approval and this read
                    self._touch(model, str(i))
                got = self.store.get(model, str(i))
                if got is None:
                    # BaseModel.read answers "one dictionary per record that exists" (odoo/orm/models.py
                    # _read_format; fetch: "Method fetch() should never raise a MissingError"): a deleted id is
                    # left out, not refused
                    continue
                records.append(self._shape(model, got[0], wanted, kw.get("load", "_classic_read")))
            return records
        if method == "write":
            return self._write(model, ids, kw.get("vals"))
        if method == "unlink":
            # BaseModel.unlink: every id must exist (else MissingError), the rows go for good, returns True
            missing = [i for i in ids if self.store.get(model, str(i)) is None]
            if missing:
                raise OdooError(404, "odoo.exceptions.MissingError",
                                f"Record does not exist or has been deleted.\n(Record: {model}({missing[0]},), "
                                f"User: 2)")
            for i in ids:
                self.store.delete(model, str(i))
            return True
        raise OdooError(404, "werkzeug.exceptions.NotFound", f"The method '{model}.{method}' does not exist")

    def _taken(self, model: str, domain: Any) -> tuple[list[Any], Callable[[dict[str, Any]], bool]]:
        """The domain a search of ``model`` tests and its test: paths through a many2one made the sub-search Odoo
        makes of them (``without_paths``), archived records left out unless the domain speaks of ``active``
        (active_test: odoo/orm/models.py ``_search``). Every method over a domain goes through it, as every one
        in Odoo goes through ``_search``."""
        domain = without_paths(model, domain or [], self._matching)
        pred = compile_domain(model, domain)
        if "active" in MODELS[model] and not any(isinstance(t, (list, tuple)) and t and t[0] == "active"
                                                 for t in domain):
            domain = ["&", ["active", "=", True], *domain] if domain else [["active", "=", True]]
            pred = compile_domain(model, domain)
        return domain, pred

    def _search(self, model: str, method: str, kw: dict[str, Any]) -> Any:
        domain, pred = self._taken(model, kw.get("domain"))
        offset, limit = _int_arg(kw.get("offset"), "offset"), kw.get("limit")
        limit = _int_arg(limit, "limit") if limit not in (None, False) else None
        order = _parse_order(model, kw.get("order"))
        if method == "search_count":
            # PostgreSQL counts the rows the domain's SQL takes without reading them into the ORM
            # (odoo/orm/models.py search_count: len() of the _search query, a SELECT COUNT)
            exact = domain_sql(model, domain, exact=True)
            n = self.store.count_where(model, exact) if exact is not None else \
                len(self.store.ids_where(model, sorted(_leaf_fields(domain)), pred))
            return min(n, limit) if limit is not None else n
        if method == "search" and order == [("id", False)]:
            found = self.store.ids_where(model, sorted(_leaf_fields(domain)), pred)
            return found[offset:offset + limit if limit is not None else None]
        if order == [("id", False)] and not offset and limit != 0 \
                and (after := _ids_after(kw.get("domain") or [])) is not None:
            # the next page of a read by id (``id > the last one read``): PostgreSQL walks the primary key
            # from there; the sandbox starts after that record's place, without reading those before it
            rows = [data for data, _ in self.store.page(model, self.store.seq_of_id(model, after),
                                                         limit if limit is not None else 1 << 62, keep=pred,
                                                         where=domain_sql(model, domain))[0]]
        elif order == [("id", False)]:
            if not domain:
                # no filter: let SQLite skip to the offset instead of decoding every record before it
                rows = self.store.slice(model, offset, limit)
            else:
                rows = self.store.filtered(model, pred, offset, limit, json.dumps(domain, default=str),
                                           domain_sql(model, domain))
        else:
            # a real database sorts with an index; the sandbox sorts what the domain keeps
            rows = [data for _, data, _ in self.store.scan(model) if pred(data)]
            for name, desc in reversed(order):
                present = [r for r in rows if _sort_key(r.get(name)) is not None]
                empty = [r for r in rows if _sort_key(r.get(name)) is None]
                present.sort(key=lambda r: _sort_key(r.get(name)), reverse=desc)
                # PostgreSQL puts NULLs last ascending and first descending
                rows = empty + present if desc else present + empty
            rows = rows[offset:offset + limit if limit is not None else None]
        if method == "search":
            return [d["id"] for d in rows]
        return [self._shape(model, d, kw.get("fields"), kw.get("load", "_classic_read")) for d in rows]

    def _read_group(self, model: str, method: str, kw: dict[str, Any]) -> list[Any]:
        """``formatted_read_group`` (Odoo 19: addons/web/models/models.py ``Base.formatted_read_group``) and
        ``read_group`` (odoo/models.py ``BaseModel.read_group`` in 17 and 18; odoo/orm/models.py in 19, deprecated),
        both over ``_read_group``: the records the domain takes, found by the same ``_search`` that
        ``search_count`` counts (archived ones left out unless the domain speaks of ``active``: ``_taken``),
        aggregated in one query. Served without a groupby only: PostgreSQL then answers one row, so the answer is
        one group (none past an ``offset``). ``formatted_read_group`` answers ``{"__extra_domain": [[1, "=", 1]],
        <aggregate spec>: value, ...}`` (``_web_read_group_format``: the group's domain, ``AND([])``, is
        odoo/orm/domains.py ``Domain.TRUE``, which lists as ``(1, '=', 1)``); ``read_group`` answers
        ``{"__count": n, <name>: value, ..., "__domain": domain}``, a ``"name:agg"`` field named by its name; from
        version 20, ``read_group`` is ``_read_group`` made public (odoo/orm/models.py ``BaseModel.read_group``,
        odoo/odoo#236332) and answers the values alone, ``[[value, ...]]``."""
        if method == "formatted_read_group":
            groupby = kw.get("groupby") or []
            # formatted_read_group: "recordset" aggregates are read as "array_agg"
            named = {str(a).replace(":recordset", ":array_agg"): str(a).replace(":recordset", ":array_agg")
                     for a in kw.get("aggregates") or []}
        elif self.version >= 20:  # read_group is _read_group (_READ_GROUP_20)
            groupby, named = list(kw.get("groupby") or []), {str(a): str(a) for a in kw.get("aggregates") or []}
            if not groupby and not named:
                raise OdooError(500, "builtins.ValueError", "Need groupby or aggregates.")
        else:
            groupby = kw.get("groupby")
            groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
            named = _annotated_aggregates(model, kw.get("fields"))
        domain, pred = self._taken(model, kw.get("domain"))
        _refuse_groupby(model, groupby)
        for spec in named.values():
            _check_aggregate(model, spec)
        offset = _int_arg(kw.get("offset"), "offset")
        limit = kw.get("limit")
        _int_arg(limit, "limit")
        values = self._aggregates(model, domain, pred, list(named.values()))
        if offset:  # the one row there is, skipped (SQL OFFSET)
            return []
        if method == "formatted_read_group":
            return [{"__extra_domain": [[1, "=", 1]], **dict(zip(named, values))}]
        if self.version >= 20:
            return [values]
        # read_group: the domain as asked (Odoo 19 lists it as its Domain does: [] as [(1, '=', 1)])
        asked = kw.get("domain") or ([[1, "=", 1]] if self.version >= 19 else [])
        return [{**dict(zip(named, values)), "__domain": asked}]

    def _aggregates(self, model: str, domain: list[Any], pred: Callable[[dict[str, Any]], bool],
                    specs: list[str]) -> list[Any]:
        """The value of each aggregate ``spec`` (checked by ``_check_aggregate``) over the records ``domain`` takes,
        as PostgreSQL computes it (odoo/orm/models.py ``READ_GROUP_AGGREGATE``) and Odoo answers an empty one
        (``_read_group_empty_value``: 0 for a count, [] for an array, else False). A count and aggregates of
        ``id`` are answered in SQL where ``search_count`` is (``domain_sql``), else from the ids a key-only search
        finds; aggregates of other fields from the records, tested by the same ``compile_domain``."""
        on_ids = all(s == "__count" or s.startswith("id:") for s in specs)
        exact = domain_sql(model, domain, exact=True) if on_ids else None
        if exact is not None and all(s == "__count" or s.split(":", 1)[1] in _ID_SQL for s in specs):
            # one SELECT COUNT(*), SUM(id), ... over the rows the domain's SQL takes
            row = self.store.aggregate_where(model, exact, [
                "COUNT(*)" if s == "__count" else _ID_SQL[s.split(":", 1)[1]].format("json_extract(data, '$.id')")
                for s in specs])
            return [0 if v is None and s == "__count" else _empty(s) if v is None else v for s, v in zip(specs, row)]
        if on_ids:
            ids = sorted(self.store.ids_where(model, sorted(_leaf_fields(domain)), pred))
            return [len(ids) if s == "__count" else _aggregate(model, s, ids) for s in specs]
        records = sorted((data for _, data, _ in self.store.scan(model) if pred(data)), key=lambda d: d["id"])
        return [len(records) if s == "__count" else
                _aggregate(model, s, [_column(model, s.split(":", 1)[0], d) for d in records]) for s in specs]

    def _matching(self, model: str, domain: list[Any]) -> list[int]:
        """The ids of ``model``'s records ``domain`` takes, archived ones too: the sub-search a path through a
        many2one stands for (``without_paths``)."""
        domain = without_paths(model, domain, self._matching)
        return self.store.ids_where(model, sorted(_leaf_fields(domain)), compile_domain(model, domain))

    def _fields_of(self, model: str) -> dict[str, tuple[str, str, bool, str | None]]:
        """``model``'s fields in the Odoo version served (ADDED_IN, REMOVED_IN)."""
        return {name: f for name, f in MODELS[model].items()
                if ADDED_IN.get((model, name), 0) <= self.version < REMOVED_IN.get((model, name), 10**6)}

    def _write(self, model: str, ids: list[Any], vals: Any) -> bool:
        if not isinstance(vals, dict):
            raise OdooError(500, "builtins.AttributeError", f"'{type(vals).__name__}' object has no attribute 'items'")
        fields = self._fields_of(model)
        for f in vals:
            if f not in fields:
                raise OdooError(500, "builtins.ValueError", f"Invalid field {f!r} on model {model!r}")
            if fields[f][2]:
                # computed fields without an inverse; account.move refuses its totals outright
                # (addons/account/models/account_move.py write: "You cannot modify ... posted")
                raise OdooError(422, "odoo.exceptions.UserError",
                                f"You cannot change the field '{fields[f][1]}' ({f}) of {model}: it is read-only")
        for i in ids:
            if self.store.get(model, str(i)) is None:
                raise OdooError(404, "odoo.exceptions.MissingError",
                                f"Record does not exist or has been deleted.\n(Record: {model}({i},), User: 2)")
        stored: dict[str, Any] = {}
        for f, value in vals.items():
            ftype, _, _, rel = fields[f]
            try:
                new = convert(model, f, ftype, rel, value, lambda m, rid: self.store.get(m, str(rid)) is not None)
            except OrmValueError as exc:
                status = 422 if exc.name.startswith("odoo.exceptions.") else 500
                raise OdooError(status, exc.name, exc.message) from None
            if ftype == M2O and new:
                # convert() has checked that the related record exists
                new = [new, _display(rel or "", self.store.get(rel or "", str(new))[0])]  # type: ignore[index]
            stored[f] = new
        if model == "res.partner" and "name" in stored:
            stored["display_name"] = stored["name"]
        renamed = model == "product.product" and bool({"default_code", "name"} & set(stored))
        if model == "product.product" and "name" in stored:
            # the name is the template's: written there (delegation), which the variant's write_date does not show
            for i in ids:
                tmpl = (self.store.get(model, str(i)) or ({},))[0].get("product_tmpl_id")
                if tmpl:
                    self._write("product.template", [tmpl[0]], {"name": vals["name"]})
            stored.pop("name")
        if model == "res.partner" and "country_id" in stored:
            country = self.store.get("res.country", str(stored["country_id"][0])) if stored["country_id"] else None
            stored["country_code"] = country[0]["code"] if country else False
        for i in ids:
            self.store.update(model, str(i), lambda d, v: {**d, **stored, "write_date": _next_write_date(d)})
        if renamed:
            self._rename_products([int(i) for i in ids])
        if model == "product.pricelist" and {"name", "currency_id"} & set(stored):
            self._reprice_lists([int(i) for i in ids], "currency_id" in stored)
        if model == "product.template" and "name" in stored:
            # its variants show the new name (by delegation) with their own write_date as it was
            variants = [int(d["id"]) for _, d, _ in self.store.scan("product.product")
                        if d.get("product_tmpl_id") and d["product_tmpl_id"][0] in {int(i) for i in ids}]
            for v in variants:
                self.store.update("product.product", str(v), _with({"name": stored["name"]}))
            self._rename_products(variants)
        return True

    def _rename_products(self, pids: list[int]) -> None:
        """A product's display name is "[default_code] name" (product/models/product_product.py
        _compute_display_name), and a many2one shows its record's display name as it is when read
        (fields_relational.py Many2one.convert_to_read): the records naming the products show the new ones,
        with their own write_date as it was. Each model naming products is scanned once."""
        names: dict[int, str] = {}
        for pid in pids:
            got = self.store.get("product.product", str(pid))
            if got is not None:
                code, name = got[0].get("default_code"), got[0].get("name") or ""
                names[pid] = f"[{code}] {name}" if code else name
                self.store.update("product.product", str(pid), _with({"display_name": names[pid]}))
        for model, fields in MODELS.items():
            for f, (ftype, _, _, rel) in fields.items():
                if ftype != M2O or rel != "product.product":
                    continue
                for _, data, _ in list(self.store.scan(model)):
                    if data.get(f) and data[f][0] in names:
                        self.store.update(model, str(data["id"]), _with({f: [data[f][0], names[data[f][0]]]}))

    def _reprice_lists(self, lids: list[int], new_currency: bool) -> None:
        """A pricelist shows as "Name (CUR)" (product/models/product_pricelist.py _compute_display_name), and a
        many2one shows its record's display name as it is when read: a customer's pricelist
        (property_product_pricelist, computed when read, not stored: product/models/res_partner.py) shows the new
        one with the customer's write_date as it was. A price rule's currency_id is related='pricelist_id.
        currency_id', store=True (product/models/product_pricelist_item.py): recomputed, and the recomputation
        stamps write_date (odoo/orm/models.py _write_multi, "set magic fields (already done by write(), but not
        for computed fields)")."""
        shown: dict[int, tuple[str, Any]] = {}
        for lid in lids:
            got = self.store.get("product.pricelist", str(lid))
            if got is not None:
                currency: list[Any] | bool = got[0].get("currency_id") or False
                name = got[0].get("name") or ""
                shown[lid] = (f"{name} ({currency[1]})" if isinstance(currency, list) else name, currency)
                self.store.update("product.pricelist", str(lid), _with({"display_name": shown[lid][0]}))
        for _, data, _ in list(self.store.scan("res.partner")):
            held = data.get("property_product_pricelist")
            if held and held[0] in shown:
                self.store.update("res.partner", str(data["id"]),
                                  _with({"property_product_pricelist": [held[0], shown[held[0]][0]]}))
        for _, data, _ in list(self.store.scan("product.pricelist.item")):
            held = data.get("pricelist_id")
            if held and held[0] in shown:
                name, currency = shown[held[0]]
                change = _stamped({"pricelist_id": [held[0], name], "currency_id": currency}) if new_currency \
                    else _with({"pricelist_id": [held[0], name]})
                self.store.update("product.pricelist.item", str(data["id"]), change)

    def _touch(self, model: str, rid: str) -> None:
        self.store.update(model, rid, lambda d, v: {**d, "write_date": _next_write_date(d)})

    @staticmethod
    def _shape(model: str, data: dict[str, Any], fields: list[str] | None, load: Any = "_classic_read"
               ) -> dict[str, Any]:
        """A record as ``read`` returns it: many2one ``[id, "Name"]``, or the bare id unless
        ``load="_classic_read"`` (odoo/orm/models.py read, fields_relational.py convert_to_read)."""
        names = fields or list(MODELS[model])
        out = {"id": data["id"]}
        for f in names:
            if f not in MODELS[model]:
                raise OdooError(500, "builtins.ValueError", f"Invalid field {f!r} on model {model!r}")
            v = data.get(f, False)
            if load != "_classic_read" and MODELS[model][f][0] == M2O and v:
                v = v[0]
            out[f] = v
        return out


def _with(values: dict[str, Any]) -> Callable[[dict[str, Any], int], dict[str, Any]]:
    """A store change setting ``values`` and nothing else (write_date stays)."""
    return lambda data, _version: {**data, **values}


def _stamped(values: dict[str, Any]) -> Callable[[dict[str, Any], int], dict[str, Any]]:
    """A store change setting ``values`` and stamping write_date, as a write or a recomputation does."""
    return lambda data, _version: {**data, **values, "write_date": _next_write_date(data)}


def _display(model: str, data: dict[str, Any]) -> str:
    """display_name as the model computes it (_rec_name, or its own _compute_display_name)."""
    return data.get("display_name") or data.get("name") or f"{model},{data.get('id')}"


def _int_arg(value: Any, what: str) -> int:
    if value in (None, False):
        return 0
    if type(value) is not int:
        raise OdooError(500, "builtins.TypeError", f"{what} must be an integer, got {value!r}")
    return value


def _parse_order(model: str, order: Any) -> list[tuple[str, bool]]:
    """``"name desc, id"`` -> [(field, descending)]; odoo/orm/models.py _order_to_sql refuses the rest."""
    if not order:
        return [("id", False)]
    out = []
    for term in str(order).split(","):
        m = _ORDER_TERM.match(term)
        if not m:
            raise OdooError(500, "builtins.ValueError", f"Invalid \"order\" specified ({order}). A valid \"order\" "
                                                        f"specification is a comma-separated list of valid field "
                                                        f"names (optionally followed by asc/desc for the direction)")
        name, direction = m.group(1), (m.group(2) or "asc").lower()
        if name not in MODELS[model]:
            raise OdooError(500, "builtins.ValueError", f"Invalid field {name!r} on model {model!r}")
        out.append((name, direction == "desc"))
    return out


# odoo/orm/models.py: regex_read_group_spec (parse_read_group_spec: "field", "field:agg", "field.property:agg") and
# regex_field_agg (read_group's ``fields``: "field", "field:agg", "name:agg(field)"), both matched from the start
_GROUP_SPEC = re.compile(r"(\w+)(\.([\w\.]+))?(?::(\w+))?$")
_FIELD_AGG = re.compile(r"(\w+)(?::(\w+)(?:\((\w+)\))?)?")
# odoo/orm/models.py READ_GROUP_AGGREGATE: the functions _read_group_select accepts (and "sum_currency", on a
# monetary field, which converts at the company's currency rates: not served, the sandbox has none)
_READ_GROUP_AGGREGATE = ("sum", "avg", "max", "min", "bool_and", "bool_or", "array_agg", "array_agg_distinct",
                         "recordset", "count", "count_distinct")
# aggregates of id SQLite computes as PostgreSQL does (integers; not AVG, numeric in PostgreSQL)
_ID_SQL = {"count": "COUNT({})", "count_distinct": "COUNT(DISTINCT {})", "sum": "SUM({})", "min": "MIN({})",
           "max": "MAX({})"}
# the PostgreSQL type of a field's column, named in its refusal of an aggregate that type has none of
_PG_TYPE = {C: "character varying", SEL: "character varying", B: "boolean", DA: "date",
            DT: "timestamp without time zone", I: "integer", M2O: "integer", F: "numeric", M: "numeric"}
# the types SUM and AVG take, and BOOL_AND and BOOL_OR; MIN and MAX take all but boolean
_NUMERIC = (I, F, M, M2O)


def _annotated_aggregates(model: str, fields: Any) -> dict[str, str]:
    """read_group's ``fields`` as the aggregates ``_read_group`` computes, by the name each is answered under
    (odoo/models.py ``read_group`` in 17 and 18, odoo/orm/models.py in 19): ``__count`` first; ``"name:agg"`` as
    ``name``, ``"name:agg(field)"`` as ``name``; a bare field by its aggregator (integer, float and monetary
    fields sum; ``id`` and the rest have none and are left out), an unknown one refused."""
    out = {"__count": "__count"}
    for spec in fields or []:
        if spec == "__count":
            continue
        m = _FIELD_AGG.match(str(spec))
        if not m:
            raise OdooError(500, "builtins.ValueError", f"Invalid field specification {spec!r}.")
        name, func, fname = m.groups()
        if fname:
            out[name] = f"{fname}:{func}"
        elif func:
            out[name] = f"{name}:{func}"
        elif name not in MODELS[model]:
            raise OdooError(500, "builtins.ValueError", f"Invalid field {name!r} on model {model!r}")
        elif name != "id" and MODELS[model][name][0] in (I, F, M):
            out[name] = f"{name}:sum"
    return out


def _refuse_groupby(model: str, groupby: list[Any]) -> None:
    """A groupby is checked as ``_read_group_groupby`` checks it (odoo/orm/models.py), then refused: the sandbox
    answers the one group of a call without a groupby only."""
    for spec in groupby:
        m = _GROUP_SPEC.match(str(spec))
        if not m:
            raise OdooError(500, "builtins.ValueError", _invalid_spec(spec))
        if m.group(1) not in MODELS[model]:
            raise OdooError(500, "builtins.ValueError", f"Invalid field {m.group(1)!r} on model {model!r}")
    if groupby:
        raise OdooError(500, "builtins.NotImplementedError",
                        f"the sandbox answers {model} aggregates without a groupby only, not by {groupby!r}")


def _invalid_spec(spec: Any) -> str:
    """odoo/orm/models.py ``parse_read_group_spec``'s refusal."""
    return (f"Invalid aggregate/groupby specification {spec!r}.\n"
            '- Valid aggregate specification looks like "<field_name>:<agg>" example: "quantity:sum".\n'
            '- Valid groupby specification looks like "<no_datish_field_name>" or "<datish_field_name>:<granularity>"'
            ' example: "date:month" or "<properties_field_name>.<property>:<granularity>".')


def _check_aggregate(model: str, spec: str) -> None:
    """Refuse an aggregate spec as odoo/orm/models.py ``_read_group_select`` refuses it, in its order (ValueError,
    500 on JSON-2): not "field:agg", a dotted field, an unknown field, no function, ``sum_currency`` (on a
    field that is no monetary; served on none), a function not in ``READ_GROUP_AGGREGATE``, ``recordset`` on a
    field that is neither relational nor ``id``."""
    if spec == "__count":
        return
    m = _GROUP_SPEC.match(str(spec))
    if not m:
        raise OdooError(500, "builtins.ValueError", _invalid_spec(spec))
    fname, prop, func = m.group(1), m.group(3), m.group(4)
    if prop:
        raise OdooError(500, "builtins.ValueError", f"Invalid {spec!r}, this dot notation is not supported")
    if fname not in MODELS[model]:
        raise OdooError(500, "builtins.ValueError", f"Invalid field {fname!r} on model {model!r} for {spec!r}.")
    if not func:
        raise OdooError(500, "builtins.ValueError", f"Aggregate method is mandatory for {fname!r}")
    ftype = MODELS[model][fname][0]
    if func == "sum_currency":
        if ftype != M:
            raise OdooError(500, "builtins.ValueError",
                            f'Aggregator "sum_currency" only works on currency field for {fname!r}')
        raise OdooError(500, "builtins.NotImplementedError", "the sandbox has no currency rates for sum_currency")
    if func not in _READ_GROUP_AGGREGATE:
        raise OdooError(500, "builtins.ValueError", f"Invalid aggregate method {func!r} for {spec!r}.")
    if func == "recordset" and not (ftype == M2O or fname == "id"):
        raise OdooError(500, "builtins.ValueError", f"Aggregate method {func!r} can be only used on relational "
                                                    f"field (or id) (for {spec!r}).")


def _column(model: str, field: str, data: dict[str, Any]) -> Any:
    """A record's value of ``field`` as its column holds it: a many2one's id, None for NULL (Odoo's False for an
    empty field; a boolean's False is false)."""
    v = data.get(field, False)
    ftype = MODELS[model][field][0]
    if ftype == M2O:
        return v[0] if v else None
    if ftype == B:
        return None if v is None else bool(v)
    return None if v is False or v is None else v


def _empty(spec: str) -> Any:
    """odoo/orm/models.py ``_read_group_empty_value`` of an aggregate: what NULL is answered as."""
    func = spec.rsplit(":", 1)[-1]
    return 0 if spec == "__count" or func in ("count", "count_distinct") else \
        [] if func in ("array_agg", "array_agg_distinct", "recordset") else False


def _aggregate(model: str, spec: str, values: list[Any]) -> Any:
    """One aggregate of ``values`` (a column in id order, None for NULL) as PostgreSQL computes it, NULL answered
    as Odoo answers it (``_empty``); a function the column's type has none of refused as PostgreSQL refuses it."""
    fname, func = spec.split(":", 1)
    ftype = MODELS[model][fname][0]
    if (func in ("sum", "avg") and ftype not in _NUMERIC) or (func in ("bool_and", "bool_or") and ftype != B) \
            or (func in ("min", "max") and ftype == B):
        raise OdooError(500, "psycopg2.errors.UndefinedFunction",
                        f"function {func}({_PG_TYPE[ftype]}) does not exist\nHINT:  No function matches the given "
                        f"name and argument types. You might need to add explicit type casts.")
    present = [v for v in values if v is not None]
    if func == "count":
        return len(present)
    if func == "count_distinct":
        return len(set(present))
    if func == "array_agg":
        return values or []
    if func == "array_agg_distinct":  # DISTINCT ... ORDER BY the value: NULL last
        return sorted(set(present)) + ([None] if len(present) < len(values) else [])
    if func == "recordset":  # the ids, deduplicated, without NULL (_read_group_postprocess_aggregate)
        return list(dict.fromkeys(present))
    if not present:
        return _empty(spec)
    if func == "sum":
        return sum(present)
    if func == "avg":  # numeric in PostgreSQL
        return Decimal(sum(present)) / len(present)
    if func == "min":
        return min(present)
    if func == "max":
        return max(present)
    return all(present) if func == "bool_and" else any(present)


def _sort_key(v: Any) -> Any:
    if v is False or v is None:
        return None
    if isinstance(v, list):  # a many2one sorts by the target's name (its _order) here
        return str(v[1]) if len(v) > 1 else v[0]
    if isinstance(v, bool):
        return int(v)
    return v if isinstance(v, (int, Decimal)) else str(v)


def _xml_safe(v: Any) -> Any:
    """XML-RPC has no decimal: Odoo marshals floats."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, dict):
        return {str(k): _xml_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_xml_safe(x) for x in v]
    if v is None:
        return False
    return v


_WRITE_DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def domain_sql(model: str, domain: list[Any], *, exact: bool = False) -> SqlHint | None:
    """A domain ``compile_domain`` has checked, as an SQL condition on the stored records, so that the store tests it
    without decoding them, as PostgreSQL tests the columns (odoo/orm/domains.py ``Domain._to_sql``). ``exact``: the
    condition takes exactly the records the domain takes, None where a term has no such condition here. Otherwise a
    pre-selection that may take more (a term without one takes every record; the domain's own test still decides),
    None where it would leave nothing out. A leaf has one where SQL answers as ``compile_domain`` does
    (``_leaf_sql``)."""
    items = list(domain)
    pos = 0

    def term() -> SqlHint | None:
        nonlocal pos
        tok = items[pos]
        pos += 1
        if tok == "!":
            term()
            return None  # the records a term leaves out are narrowed by nothing here
        if tok in ("&", "|"):
            both = [term(), term()]
            return _joined(" AND " if tok == "&" else " OR ", both, every=exact or tok == "|")
        return _leaf_sql(model, list(tok))

    terms = []
    while pos < len(items):
        terms.append(term())
    if exact and not terms:
        return "1", ()
    return _joined(" AND ", terms, every=exact)


def _joined(sep: str, parts: list[SqlHint | None], *, every: bool) -> SqlHint | None:
    """``parts`` joined by ``sep``; with ``every``, None when one of them is None, else those that are not."""
    if every and any(p is None for p in parts):
        return None
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    return sep.join(f"({cond})" for cond, _ in kept), tuple(x for _, params in kept for x in params)


def _leaf_sql(model: str, term: list[Any]) -> SqlHint | None:
    """The SQL condition taking exactly the records ``compile_domain``'s test of the leaf takes (stored JSON false,
    null and a missing field told apart as it tells them, numbers and booleans compared as Python compares them:
    1 == True, 5.0 == 5), where there is one here: ``write_date >=``/``>`` a
    moment (Odoo's stamps, "YYYY-MM-DD HH:MM:SS" UTC, order as their text does; false and null are below any
    text in SQLite and fail the test there too), a many2one or ``id`` equal to or ``in`` ids, a text or selection
    equal to or ``in`` texts, a boolean equal to or ``in`` booleans (a missing one reads false)."""
    name, op, value = term
    op = str(op).lower()
    if name == "write_date" and op in (">=", ">") and isinstance(value, str) and _WRITE_DATE.fullmatch(value):
        return f"json_extract(data, '$.write_date') {op} ?", (value,)
    values = value if op == "in" and isinstance(value, list) else [value] if op == "=" else None
    if values is None:
        return None
    ftype = MODELS[model][name][0]
    if (ftype == M2O or name == "id") and all(type(v) is int for v in values):
        at = f"$.{name}[0]" if ftype == M2O else "$.id"  # a many2one is stored [id, "Name"], or false
        return f"json_extract(data, '{at}') IN (SELECT value FROM json_each(?))", (json.dumps(values),)
    if ftype in (C, SEL) and all(isinstance(v, str) for v in values):
        return f"json_extract(data, '$.{name}') IN (SELECT value FROM json_each(?))", (json.dumps(values),)
    if ftype == B and all(isinstance(v, bool) for v in values):
        # SQLite reads JSON true and false as 1 and 0, and compares them with other numbers as Python compares
        # booleans (1.0 == True); a missing field reads false, a JSON null is neither
        value_of = f"json_extract(data, '$.{name}')"
        conds = ([f"{value_of} = 1"] if True in values else []) + \
            ([f"{value_of} = 0", f"json_type(data, '$.{name}') IS NULL"] if False in values else [])
        return " OR ".join(conds) or "0", ()
    return None


def _conjunctive(domain: list[Any]) -> bool:
    """Every term of the domain must hold: no ``|`` or ``!``, only ``&``."""
    return not any(isinstance(t, str) and t != "&" for t in domain)


def _ids_after(domain: list[Any]) -> int | None:
    """n where every term of the domain must hold (``_conjunctive``) and one is ``id > n``."""
    if not _conjunctive(domain):
        return None
    bounds = [t[2] for t in domain if isinstance(t, (list, tuple)) and len(t) == 3 and t[0] == "id" and t[1] == ">"
              and type(t[2]) is int]
    return max(bounds) if bounds else None


def _leaf_fields(domain: list[Any]) -> set[str]:
    """The fields a domain's leaves test (``compile_domain`` has checked each is the model's)."""
    return {str(t[0]) for t in domain if isinstance(t, (list, tuple))}


def _next_write_date(data: dict[str, Any]) -> str:
    """Now, but always later than the last write: Odoo's write_date has one-second resolution,
    and a version that does not change would hide a concurrent edit."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    try:
        last = datetime.strptime(str(data.get("write_date")), "%Y-%m-%d %H:%M:%S")
        if now <= last:
            now = last + timedelta(seconds=1)
    except ValueError:
        pass
    return now.strftime("%Y-%m-%d %H:%M:%S")


