"""ERPNext (Frappe) flavour of the ERP sandbox, the target of the shipped REST profile.

``GET /api/resource/<DocType>?fields=[...]&filters=[...]&limit_start=&limit_page_length=``
answers ``{"data": [...]}`` (no total, 20 rows unless asked); ``GET``/``PUT
/api/resource/<DocType>/<name>`` read and update one document. A ``PUT`` carrying a
``modified`` that is no longer current fails with ``TimestampMismatchError`` (HTTP 417),
as Frappe does. Auth is ``Authorization: token <api_key>:<api_secret>``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterable

from workbench.sandbox.erp.faults import Faults
from workbench.sandbox.erp.server import Request, Response
from workbench.sandbox.erp.store import RecordStore, loads

# doctype -> {field: read_only?}; "name" is the document key
DOCTYPES: dict[str, dict[str, bool]] = {
    "Customer": {"name": True, "customer_name": False, "customer_type": False, "customer_group": False,
                 "tax_id": False, "default_currency": False, "disabled": False, "website": False, "email_id": False,
                 "mobile_no": False, "custom_salesforce_id": False, "modified": True, "docstatus": True},
    "Item": {"name": True, "item_code": True, "item_name": False, "disabled": False, "modified": True,
             "docstatus": True},
    "Item Price": {"name": True, "item_code": False, "item_name": True, "price_list": False,
                   "price_list_rate": False, "currency": False, "valid_from": False, "valid_upto": False,
                   "modified": True, "docstatus": True},
    "Sales Order": {"name": True, "customer": True, "currency": True, "grand_total": True,
                    "transaction_date": True, "status": True, "po_no": False, "modified": True, "docstatus": True},
    "Sales Invoice": {"name": True, "customer": True, "currency": True, "grand_total": True,
                      "outstanding_amount": True, "status": True, "posting_date": True, "due_date": False,
                      "is_return": True, "po_no": False, "modified": True, "docstatus": True},
    "Payment Entry": {"name": True, "payment_type": True, "party_type": True, "party": True, "paid_amount": True,
                      "paid_from_account_currency": True, "posting_date": True, "reference_no": False,
                      "modified": True, "docstatus": True},
}
_STATUS = {"draft": "Draft", "open": "Unpaid", "partially_paid": "Partly Paid", "paid": "Paid", "void": "Cancelled",
           "credit_note": "Return"}
_LABEL = {"outstanding_amount": "Outstanding Amount", "grand_total": "Grand Total", "status": "Status",
          "customer": "Customer", "posting_date": "Posting Date"}


def frappe_now(prev: str | None = None) -> str:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    if prev:
        try:
            last = datetime.strptime(prev, "%Y-%m-%d %H:%M:%S.%f")
            if now <= last:
                now = last + timedelta(microseconds=1)
        except ValueError:
            pass
    return now.strftime("%Y-%m-%d %H:%M:%S.%f")


def _ts(v: Any) -> str | None:
    if isinstance(v, datetime):
        v = v if v.tzinfo else v.replace(tzinfo=timezone.utc)
        return v.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return None


def _d(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def from_canonical(data: dict[str, list[dict]]) -> Iterable[tuple[str, list[tuple[str, dict]]]]:
    stamp = frappe_now()
    custs = data.get("customers", [])
    cname = {c["record_id"]: c.get("number") or c["record_id"] for c in custs}
    yield "Customer", [(cname[c["record_id"]], {
        "name": cname[c["record_id"]], "customer_name": c.get("name") or "", "customer_type": "Company",
        "customer_group": "Commercial", "tax_id": c.get("tax_id"), "default_currency": c.get("currency"),
        "disabled": 1 if c.get("active") is False else 0, "website": c.get("website"), "email_id": c.get("email"),
        "mobile_no": c.get("phone"), "custom_salesforce_id": c.get("xref"),
        "modified": _ts(c.get("last_modified")) or stamp, "docstatus": 0}) for c in custs]
    items = data.get("products", [])
    yield "Item", [(p["code"], {"name": p["code"], "item_code": p["code"], "item_name": p.get("name") or p["code"],
                                "disabled": 0 if p.get("active") is not False else 1,
                                "modified": _ts(p.get("last_modified")) or stamp, "docstatus": 0}) for p in items]
    yield "Item Price", [(f"ip-{n:06d}", {
        "name": f"ip-{n:06d}", "item_code": p["product_code"], "item_name": p.get("product_name"),
        "price_list": p.get("pricebook") or "Standard Selling", "price_list_rate": p["unit_price"],
        "currency": p["currency"], "valid_from": _d(p.get("effective_date")), "valid_upto": _d(p.get("end_date")),
        "modified": _ts(p.get("last_modified")) or stamp, "docstatus": 0})
        for n, p in enumerate(data.get("prices", []), start=1)]
    yield "Sales Order", [(o.get("number") or o["record_id"], {
        "name": o.get("number") or o["record_id"], "customer": cname.get(o.get("customer_id")),
        "currency": o["currency"], "grand_total": o.get("total_amount"), "transaction_date": _d(o.get("order_date")),
        "status": "To Deliver and Bill" if o.get("booked") is not False else "Draft", "po_no": o.get("xref"),
        "modified": _ts(o.get("last_modified")) or stamp, "docstatus": 1 if o.get("booked") is not False else 0})
        for o in data.get("orders", [])]
    invs = []
    for inv in data.get("invoices", []):
        status = _STATUS.get(inv.get("status"), "Unpaid")
        total, bal = inv.get("total_amount"), inv.get("open_balance")
        if status == "Unpaid" and total and bal is not None and 0 < bal < total:
            status = "Partly Paid"
        name = inv.get("number") or inv["record_id"]
        invs.append((name, {
            "name": name, "customer": cname.get(inv.get("customer_id")), "currency": inv["currency"],
            "grand_total": total, "outstanding_amount": bal, "status": status,
            "posting_date": _d(inv.get("invoice_date")), "due_date": _d(inv.get("due_date")),
            "is_return": 1 if status == "Return" else 0, "po_no": inv.get("order_ref"),
            "modified": _ts(inv.get("last_modified")) or stamp, "docstatus": 0 if status == "Draft" else 1}))
    yield "Sales Invoice", invs
    yield "Payment Entry", [(f"ACC-PAY-2026-{n:05d}", {
        "name": f"ACC-PAY-2026-{n:05d}", "payment_type": "Receive", "party_type": "Customer",
        "party": cname.get(p.get("customer_id")), "paid_amount": p["amount"],
        "paid_from_account_currency": p["currency"], "posting_date": _d(p.get("payment_date")),
        "reference_no": p.get("invoice_number"), "modified": _ts(p.get("last_modified")) or stamp, "docstatus": 1})
        for n, p in enumerate(data.get("payments", []), start=1)]


class FrappeError(Exception):
    def __init__(self, status: int, exc_type: str, message: str):
        super().__init__(message)
        self.status, self.exc_type, self.message = status, exc_type, message


def _compile_filters(doctype: str, raw: str | None) -> Any:
    if not raw:
        return None
    try:
        spec = json.loads(raw)
    except ValueError:
        raise FrappeError(417, "ValidationError", f"filters must be JSON, got {raw!r}") from None
    terms: list[tuple[str, str, Any]] = []
    if isinstance(spec, dict):
        for f, v in spec.items():
            terms.append((f, v[0], v[1]) if isinstance(v, list) else (f, "=", v))
    else:
        for t in spec:
            t = t[1:] if len(t) == 4 else t
            terms.append((t[0], str(t[1]).lower(), t[2]))
    fields = DOCTYPES[doctype]
    for f, _, _ in terms:
        if f not in fields:
            raise FrappeError(417, "DataError", f"Field not permitted in query: {f}")

    def norm(v: Any) -> Any:
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
            return Decimal(str(v))
        return v

    def keep(rec: dict) -> bool:
        for f, op, lit in terms:
            v = rec.get(f)
            if op in ("in", "not in"):
                vals = lit if isinstance(lit, list) else [x.strip() for x in str(lit).split(",")]
                if (v in vals) != (op == "in"):
                    return False
                continue
            if op == "like":
                if v is None or str(lit).strip("%").lower() not in str(v).lower():
                    return False
                continue
            a, b = norm(v), norm(lit)
            try:
                ok = {"=": a == b, "!=": a != b}.get(op)
                if ok is None:
                    if a is None:
                        return False
                    ok = {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]
            except (TypeError, KeyError):
                raise FrappeError(417, "ValidationError", f"Invalid filter operator {op!r}") from None
            if not ok:
                return False
        return True
    return keep


class ErpNextFlavor:
    name = "erpnext"

    def __init__(self, store: RecordStore, faults: Faults, *, api_key: str, api_secret: str):
        self.store, self.faults = store, faults
        self.api_key, self.api_secret = api_key, api_secret

    def is_api(self, req: Request) -> bool:
        return req.path.startswith("/api/")

    @staticmethod
    def _error(status: int, exc_type: str, message: str) -> Response:
        return Response.json(status, {
            "exc_type": exc_type, "exception": f"frappe.exceptions.{exc_type}: {message}",
            "_server_messages": json.dumps([json.dumps({"message": message})])})

    def fault_response(self, status: int, message: str) -> Response:
        return self._error(status, {429: "TooManyRequestsError"}.get(status, "ServerError"), message)

    def handle(self, req: Request) -> Response:
        if req.header("authorization") != f"token {self.api_key}:{self.api_secret}" or self.faults.token_epoch:
            return self._error(401, "AuthenticationError", "Invalid or expired API key/secret")
        try:
            if req.path == "/api/method/frappe.auth.get_logged_user":
                return Response.json(200, {"message": "Administrator"})
            parts = req.path.split("/")
            if len(parts) < 4 or parts[1] != "api" or parts[2] != "resource":
                raise FrappeError(404, "DoesNotExistError", f"{req.path} not found")
            doctype = parts[3]
            if doctype not in DOCTYPES:
                raise FrappeError(404, "DoesNotExistError", f"DocType {doctype} not found")
            if len(parts) == 4 and req.method == "GET":
                return self._list(req, doctype)
            if len(parts) == 5:
                if req.method == "GET":
                    return self._get(doctype, parts[4])
                if req.method == "PUT":
                    return self._put(req, doctype, parts[4])
            raise FrappeError(405, "PermissionError", f"{req.method} is not allowed here")
        except FrappeError as exc:
            return self._error(exc.status, exc.exc_type, exc.message)

    def _list(self, req: Request, doctype: str) -> Response:
        try:
            fields = json.loads(req.query.get("fields") or '["name"]')
        except ValueError:
            raise FrappeError(417, "ValidationError", "fields must be a JSON list") from None
        if fields != ["*"]:
            for f in fields:
                if f not in DOCTYPES[doctype]:
                    raise FrappeError(417, "DataError", f"Field not permitted in query: {f}")
        keep = _compile_filters(doctype, req.query.get("filters"))
        start = int(req.query.get("limit_start") or 0)
        size = int(req.query.get("limit_page_length") or req.query.get("limit") or 20)
        if keep is None:
            rows = self.store.slice(doctype, start, size if size > 0 else None)
        else:
            rows = self.store.filtered(doctype, keep, start, size if size > 0 else None,
                                       req.query.get("filters") or "")
        out = rows if fields == ["*"] else [{f: d.get(f) for f in fields} for d in rows]
        return Response.json(200, {"data": out})

    def _get(self, doctype: str, name: str) -> Response:
        got = self.store.get(doctype, name)
        if got is None:
            raise FrappeError(404, "DoesNotExistError", f"{doctype} {name} not found")
        return Response.json(200, {"data": got[0]})

    def _put(self, req: Request, doctype: str, name: str) -> Response:
        try:
            body = loads(req.body or b"{}")
        except ValueError:
            raise FrappeError(417, "ValidationError", "the body is not valid JSON") from None
        got = self.store.get(doctype, name)
        if got is None:
            raise FrappeError(404, "DoesNotExistError", f"{doctype} {name} not found")
        seen = body.pop("modified", None)
        fields = DOCTYPES[doctype]
        for f in body:
            if f not in fields:
                raise FrappeError(417, "DataError", f"Field not permitted: {f}")
            if fields[f]:
                raise FrappeError(417, "UpdateAfterSubmitError",
                                  f"Not allowed to change {_LABEL.get(f, f)} after submission")
        if self.faults.take_change():  # another user saves the document just before this write
            self.store.update(doctype, name, lambda d, v: {**d, "modified": frappe_now(d.get("modified"))})
        stale = False

        def apply(d: dict, v: int) -> dict | None:
            nonlocal stale
            if seen is not None and str(seen) != d.get("modified"):
                stale = True
                return None
            return {**d, **body, "modified": frappe_now(d.get("modified"))}
        data, _ = self.store.update(doctype, name, apply)
        if stale:
            raise FrappeError(417, "TimestampMismatchError",
                              f"Error: Document has been modified after you have opened it ({data['modified']}, "
                              f"{seen}). Please refresh to get the latest document.")
        return Response.json(200, {"data": data})
