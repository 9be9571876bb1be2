"""ERPNext (Frappe) flavour of the ERP sandbox, the target of the shipped REST profile.

``GET /api/resource/<DocType>?fields=[...]&filters=[...]&or_filters=[...]&order_by=&limit_start=
&limit_page_length=`` answers ``{"data": [...]}`` (no total, 20 rows unless asked, sorted
``modified desc`` unless ``order_by`` says otherwise); ``GET``/``PUT``/``DELETE
/api/resource/<DocType>/<name>`` read, update and delete one document (``frappe.client.delete`` deletes
too). A save is checked as Frappe's ``Document._save`` checks it (stale ``modified``, mandatory, Select
options, lengths, Link targets, docstatus transitions, ``allow_on_submit`` on submitted documents), a
deletion as ``delete_doc`` checks it (submitted, linked), and refused with Frappe's exception class, HTTP
status and JSON error body. Auth is ``Authorization: token <key>:<secret>`` or ``Basic``
base64 of ``<key>:<secret>``. What each behaviour follows: docs/fidelity/erpnext.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from bisect import bisect_right
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal, InvalidOperation
from typing import Any
from collections.abc import Iterable
from urllib.parse import parse_qs

from workbench.sandbox.erp.erpnext_meta import DOCTYPES, NUMERIC_TYPES, STANDARD, DocField, DocType, Masters
from workbench.sandbox.erp.erpnext_query import (QueryError, Term, compile_where, parse_filters, parse_order,
                                                  sort_rows, split_name_after)
from workbench.sandbox.erp.faults import Faults
from workbench.sandbox.erp.server import Request, Response
from workbench.sandbox.erp.store import RecordStore, loads

_STATUS = {"draft": "Draft", "open": "Unpaid", "partially_paid": "Partly Paid", "paid": "Paid", "void": "Cancelled",
           "credit_note": "Return"}
_LABEL = {"outstanding_amount": "Outstanding Amount", "grand_total": "Grand Total", "status": "Status",
          "customer": "Customer", "posting_date": "Posting Date"}


def frappe_now(prev: str | None = None) -> str:
    now = datetime.now(UTC).replace(tzinfo=None)
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
        v = v if v.tzinfo else v.replace(tzinfo=UTC)
        return str(v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
    return None


def _d(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def from_canonical(data: dict[str, list[dict[str, Any]]]) -> Iterable[tuple[str, list[tuple[str, dict[str, Any]]]]]:
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
        status = _STATUS.get(inv.get("status") or "", "Unpaid")
        total, bal = inv.get("total_amount"), inv.get("open_balance")
        if status == "Unpaid" and total and bal is not None and 0 < bal < total:
            status = "Partly Paid"
        name = inv.get("number") or inv["record_id"]
        invs.append((name, {
            "name": name, "customer": cname.get(inv.get("customer_id")), "currency": inv["currency"],
            "grand_total": total, "outstanding_amount": bal, "status": status,
            "posting_date": _d(inv.get("invoice_date")), "due_date": _d(inv.get("due_date")),
            "is_return": 1 if status == "Return" else 0, "po_no": inv.get("order_ref"),
            "modified": _ts(inv.get("last_modified")) or stamp,
            "docstatus": {"Draft": 0, "Cancelled": 2}.get(status, 1)}))
    yield "Sales Invoice", invs
    yield "Payment Entry", [(f"ACC-PAY-2026-{n:05d}", {
        "name": f"ACC-PAY-2026-{n:05d}", "payment_type": "Receive", "party_type": "Customer",
        "party": cname.get(p.get("customer_id")), "paid_amount": p["amount"],
        "paid_from_account_currency": p["currency"], "posting_date": _d(p.get("payment_date")),
        "reference_no": p.get("invoice_number"), "modified": _ts(p.get("last_modified")) or stamp, "docstatus": 1})
        for n, p in enumerate(data.get("payments", []), start=1)]


class FrappeError(Exception):
    """An exception class of ``frappe/exceptions.py`` with its ``http_status_code``."""

    def __init__(self, status: int, exc_type: str, message: str, title: str | None = None):
        super().__init__(message)
        self.status, self.exc_type, self.message, self.title = status, exc_type, message, title


def _invalid(exc_type: str, message: str, title: str | None = None) -> FrappeError:
    # every ValidationError subclass answers 417 (frappe/exceptions.py ValidationError.http_status_code)
    return FrappeError(417, exc_type, message, title)


# delete_doc.py check_permission_and_not_submitted: the words around "Cancel" link to ERPNext's article
_CANCEL_FIRST = ("<a href='https://docs.erpnext.com//docs/user/manual/en/setting-up/articles/"
                 "delete-submitted-document' target='_blank'>")


def _form_link(doctype: str, name: str) -> str:
    return f'<a href="/app/Form/{doctype}/{name}">{name}</a>'  # delete_doc.py raise_link_exists_exception


def _bold(v: Any) -> str:
    return f"<strong>{'' if v is None else v}</strong>"  # frappe.bold, as the messages carry it


def _cint(v: Any) -> int:
    """frappe.utils.cint: int(float(v)) or 0."""
    try:
        return int(Decimal(str(v).strip()))
    except (InvalidOperation, ValueError):
        return 0


def _flt(v: Any) -> Decimal:
    """frappe.utils.flt on a Currency field: a number, commas dropped; anything else is 0."""
    if isinstance(v, bool):
        return Decimal(int(v))
    try:
        return Decimal(str(v).replace(",", "")) if v not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _sanitize(df: DocField, value: Any) -> Any:
    """The value as ``BaseDocument.get_valid_dict(sanitize=True)`` stores it (frappe/model/base_document.py)."""
    if isinstance(value, (list, dict)):
        raise _invalid("ValidationError", f"Value for {df.label} cannot be a list")
    if df.fieldtype == "Check":
        return 1 if _cint(value) else 0
    if df.fieldtype == "Int":
        return _cint(value)
    if df.fieldtype in ("Currency", "Float", "Percent"):
        return _flt(value)
    if df.fieldtype in ("Date", "Datetime"):
        if value in ("", None):
            return None
        try:
            got = date.fromisoformat(str(value)[:10])
        except ValueError:
            # frappe.utils.getdate: "{0} is not a valid date string." (ValidationError)
            raise _invalid("ValidationError", f"{value} is not a valid date string.", "Invalid Date") from None
        return got.isoformat() if df.fieldtype == "Date" else str(value)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _form_data(req: Request) -> Any:
    """frappe/api/v1.py get_request_form_data: the form's ``data`` field, else the raw body, as JSON."""
    raw: str | bytes = req.body or b"{}"
    if (req.header("content-type") or "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(req.body.decode("utf-8"), keep_blank_values=True)
        if "data" not in form:
            return {k: v[-1] for k, v in form.items()}
        raw = form["data"][-1]
    try:
        return loads(raw)
    except ValueError:
        raise _invalid("ValidationError", "the body is not valid JSON") from None


class ErpNextFlavor:
    name = "erpnext"

    def __init__(self, store: RecordStore, faults: Faults, *, api_key: str, api_secret: str):
        self.store, self.faults = store, faults
        self.api_key, self.api_secret = api_key, api_secret
        self._lock = threading.Lock()
        # a query's names in order, with the store's edit count they were read at (``_ordered_names``)
        self._orders: dict[tuple[Any, ...], tuple[int, list[str]]] = {}
        self._masters: Masters | None = None

    def is_api(self, req: Request) -> bool:
        return req.path.startswith("/api/")

    @staticmethod
    def _error(status: int, exc_type: str, message: str, title: str | None = None) -> Response:
        # frappe/utils/response.py report_error + frappe/app.py handle_exception: exc_type, the
        # exception's last traceback line, and the message queue as a JSON list of JSON objects
        msg: dict[str, Any] = {"message": message, "indicator": "red", "raise_exception": 1}
        if title:
            msg["title"] = title
        return Response.json(status, {
            "exc_type": exc_type, "exception": f"frappe.exceptions.{exc_type}: {message}",
            "_server_messages": json.dumps([json.dumps(msg)])})

    def fault_response(self, status: int, message: str) -> Response:
        return self._error(status, {429: "TooManyRequestsError"}.get(status, "ServerError"), message)

    def _authenticated(self, req: Request) -> bool | None:
        """frappe/auth.py validate_auth_via_api_keys: ``token key:secret`` or ``Basic base64(key:secret)``,
        the scheme case-insensitive. None when no credentials came at all (a Guest request)."""
        header = req.header("authorization")
        if not header:
            return None
        scheme, _, cred = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                cred = base64.b64decode(cred.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                # InvalidAuthorizationToken is a CSRFTokenError: 400 (frappe/exceptions.py)
                raise FrappeError(400, "InvalidAuthorizationToken", "Failed to decode token, please provide a "
                                                                     "valid base64-encoded token.") from None
        elif scheme.lower() != "token":
            return False
        return cred.strip() == f"{self.api_key}:{self.api_secret}" and not self.faults.token_epoch

    def handle(self, req: Request) -> Response:
        try:
            auth = self._authenticated(req)
            if auth is False:
                raise FrappeError(401, "AuthenticationError", "Invalid or expired API key/secret")
            if auth is None:
                # a Guest may read no document (frappe/__init__.py has_permission -> PermissionError)
                raise FrappeError(403, "PermissionError", "You do not have enough permissions to access this "
                                                          "resource. Please contact your manager to get access.")
            if req.path == "/api/method/frappe.auth.get_logged_user":
                return Response.json(200, {"message": "Administrator"})
            if req.path == "/api/method/frappe.client.delete":
                return self._rpc_delete(req)
            parts = req.path.split("/")
            if len(parts) < 4 or parts[1] != "api" or parts[2] != "resource" or len(parts) > 5:
                raise FrappeError(404, "DoesNotExistError", f"{req.path} not found")
            doctype = parts[3]
            if doctype == "DocType" and len(parts) == 5 and req.method == "GET":
                return self._doctype(parts[4])
            if doctype not in DOCTYPES:
                raise FrappeError(404, "DoesNotExistError", f"DocType {doctype} not found")
            if len(parts) == 4 and req.method == "GET":
                return self._list(req, DOCTYPES[doctype])
            if len(parts) == 5 and req.method == "GET":
                return self._get(doctype, parts[4])
            if len(parts) == 5 and req.method == "PUT":
                return self._put(req, DOCTYPES[doctype], parts[4])
            if len(parts) == 5 and req.method == "DELETE":
                self._delete(DOCTYPES[doctype], parts[4])
                return Response.json(202, {"data": "ok"})  # frappe/api/v1.py delete_doc
            # inserting (POST) is not served: the answer for an unknown resource
            raise FrappeError(404, "DoesNotExistError", f"{req.method} {req.path} is not served by this sandbox")
        except FrappeError as exc:
            return self._error(exc.status, exc.exc_type, exc.message, exc.title)
        except QueryError as exc:
            return self._error(417, exc.exc_type, exc.message)

    # -- reading -----------------------------------------------------------------------
    def _list(self, req: Request, doctype: DocType) -> Response:
        """frappe/api/v1.py document_list -> frappe.client.get_list."""
        q = req.query
        for opt in UNSERVED_LIST_OPTIONS:
            if q.get(opt) not in (None, "", "0", "false", "False"):
                raise _invalid("ValidationError", f"{opt} is not served by this sandbox")
        raw_fields = q.get("fields")
        try:
            fields = json.loads(raw_fields) if raw_fields else ["name"]
        except ValueError:
            fields = [f.strip() for f in raw_fields.split(",")] if raw_fields else ["name"]
        if isinstance(fields, str):
            fields = [fields]
        if not isinstance(fields, list):
            raise _invalid("ValidationError", f"fields must be a list, got {raw_fields!r}")
        for f in fields:
            if f != "*" and f not in doctype.fields:
                raise _invalid("DataError", f"Field not permitted in query: {f}")
        filters = parse_filters(doctype, q.get("filters"))
        or_filters = parse_filters(doctype, q.get("or_filters"), "or_filters")
        order = parse_order(doctype, q.get("order_by"))
        start = max(_cint(q.get("limit_start") or 0), 0)
        # document_list: limit_page_length defaults to `limit` or 20; 0 means every row
        size = _cint(q.get("limit_page_length") if q.get("limit_page_length") not in (None, "")
                     else q.get("limit") if q.get("limit") not in (None, "") else 20)
        names, first = self._names(doctype, order, filters, or_filters)
        start += first
        page = names[start:start + size] if size > 0 else names[start:]
        rows = [got[0] for got in (self.store.get(doctype.name, n) for n in page) if got is not None]
        out = rows if "*" in fields else [{f: d.get(f) for f in fields} for d in rows]
        return Response.json(200, {"data": out})

    def _names(self, doctype: DocType, order: list[tuple[str, bool]], filters: list[Term],
               or_filters: list[Term]) -> tuple[list[str], int]:
        """Names in query order, and where the matching ones start among them. A keyset page (``name > x``
        among the filters, ordered by name ascending) is the list without that term from the first name
        after x on: MariaDB walks the primary key from x, and the sandbox finds the place by bisection
        rather than filtering and sorting every document again for every page."""
        rest, after = split_name_after(filters) if order == [("name", False)] else (filters, None)
        names = self._ordered_names(doctype, order, rest, or_filters)
        return names, 0 if after is None else bisect_right(names, after, key=str.casefold)

    def _ordered_names(self, doctype: DocType, order: list[tuple[str, bool]], filters: list[Term],
                       or_filters: list[Term]) -> list[str]:
        """Names of the matching documents in query order, kept until a document of the doctype is
        added, saved or deleted, so that paging a large list does not sort it again for every page.
        Not a moment longer: MariaDB counts ``limit_start`` over the rows as they are now, so one
        deleted before it moves every later row up a place (and the next page skips one)."""
        key = (doctype.name, repr(filters), repr(or_filters), tuple(order))
        with self._lock:
            gen = self.store.edits(doctype.name)
            hit = self._orders.get(key)
            if hit is not None and hit[0] == gen:
                return hit[1]
        where = compile_where(doctype, filters, or_filters)
        rows = [d for _, d, _ in self.store.scan(doctype.name) if where is None or where(d)]
        names = [d["name"] for d in sort_rows(doctype, rows, order)]
        with self._lock:
            if self.store.edits(doctype.name) == gen:
                if len(self._orders) > 64:
                    self._orders.clear()
                self._orders[key] = (gen, names)
        return names

    def _doctype(self, name: str) -> Response:
        """The DocType document (``GET /api/resource/DocType/<name>``) with its ``fields`` rows: the
        metadata every save here is checked against (frappe/core/doctype/doctype/doctype.json,
        frappe/core/doctype/docfield/docfield.json)."""
        dt = DOCTYPES.get(name)
        if dt is None:
            raise FrappeError(404, "DoesNotExistError", f"DocType {name} not found")
        rows = [{"doctype": "DocField", "parent": name, "parenttype": "DocType", "parentfield": "fields",
                 "idx": n, "fieldname": df.fieldname, "fieldtype": df.fieldtype, "label": df.label,
                 "options": df.options or None, "length": df.length, "reqd": int(df.reqd),
                 "read_only": int(df.read_only), "allow_on_submit": int(df.allow_on_submit)}
                for n, df in enumerate((f for f in dt.fields.values() if f.fieldname not in STANDARD), start=1)]
        return Response.json(200, {"data": {
            "doctype": "DocType", "name": name, "is_submittable": int(dt.is_submittable), "docstatus": 0,
            "sort_field": dt.sort_field, "sort_order": dt.sort_order.upper(), "fields": rows}})

    def _get(self, doctype: str, name: str) -> Response:
        got = self.store.get(doctype, name)
        if got is None:
            raise FrappeError(404, "DoesNotExistError", f"{doctype} {name} not found")
        return Response.json(200, {"data": got[0]})

    # -- writing ------------------------------------------------------------------------
    def _link_exists(self, target: str, name: str) -> bool:
        if self._masters is None:
            # price lists named by the seeded Item Prices are masters of this site too
            lists = {d["price_list"] for _, d, _ in self.store.scan("Item Price") if d.get("price_list") is not None}
            self._masters = Masters({"Price List": lists})
        known = self._masters.exists(target, name)
        return known if known is not None else self.store.get(target, name) is not None

    def _put(self, req: Request, doctype: DocType, name: str) -> Response:
        """frappe/api/v1.py update_doc: ``doc.update(data); doc.save()`` (frappe/model/document.py _save)."""
        body = _form_data(req)
        if not isinstance(body, dict):
            raise _invalid("ValidationError", "the body must be a JSON object of field values")
        got = self.store.get(doctype.name, name)
        if got is None:
            raise FrappeError(404, "DoesNotExistError", f"{doctype.name} {name} not found")
        if self.faults.take_change():  # another user saves the document just before this write
            self.store.update(doctype.name, name, lambda d, v: {**d, "modified": frappe_now(d.get("modified"))})
        seen = body.pop("modified", None)
        failure: FrappeError | None = None

        def apply(current: dict[str, Any], version: int) -> dict[str, Any] | None:
            nonlocal failure
            try:
                return self._save(doctype, current, body, seen)
            except FrappeError as exc:
                failure = exc
                return None
        data, _ = self.store.update(doctype.name, name, apply)  # type: ignore[misc]  # the record was read above
        if failure is not None:
            raise failure
        return Response.json(200, {"data": data})

    # -- deleting -----------------------------------------------------------------------
    def _rpc_delete(self, req: Request) -> Response:
        """``frappe.client.delete`` (whitelisted for DELETE and POST), its doctype and name as form fields,
        a JSON body or query parameters. It returns nothing, so the answer has no ``message``."""
        if req.method not in ("DELETE", "POST"):
            raise FrappeError(403, "PermissionError", "Not permitted")  # frappe/handler.py is_valid_http_method
        args = {**req.query, **_form_data(req)}
        doctype = DOCTYPES.get(str(args.get("doctype")))
        if doctype is None:
            raise FrappeError(404, "DoesNotExistError", f"DocType {args.get('doctype')} not found")
        if args.get("name") in (None, ""):
            raise FrappeError(500, "TypeError", "delete() missing 1 required positional argument: 'name'")
        self._delete(doctype, str(args["name"]))
        return Response.json(200, {})

    def _delete(self, doctype: DocType, name: str) -> None:
        """frappe/model/delete_doc.py ``delete_doc(ignore_missing=False)``: a submitted document, or one
        another document links to, is refused; otherwise the row is gone for good."""
        got = self.store.get(doctype.name, name)
        if got is None:
            raise FrappeError(404, "DoesNotExistError", f"{doctype.name} {name} not found")
        if doctype.is_submittable and _cint(got[0].get("docstatus")) == 1:  # check_permission_and_not_submitted
            raise _invalid("ValidationError", f"{doctype.name} {name}: Submitted Record cannot be deleted. You must "
                                              f"{_CANCEL_FIRST} Cancel </a> it first.")
        linked = self._linked_from(doctype.name, name)
        if linked is not None:  # check_if_doc_is_linked -> raise_link_exists_exception
            raise _invalid("LinkExistsError", f"Cannot delete or cancel because {doctype.name} "
                                              f"{_form_link(doctype.name, name)} is linked with {linked[0]} "
                                              f"{_form_link(*linked)} ")
        self.store.delete(doctype.name, name)

    def _linked_from(self, target: str, name: str) -> tuple[str, str] | None:
        """(doctype, name) of a document whose Link field names ``target`` ``name``, or None. Compared
        lower-cased, as the collation compares them (SQLite lowers ASCII letters only)."""
        for dt in DOCTYPES.values():
            for df in dt.fields.values():
                if df.fieldtype == "Link" and df.options == target:
                    rows = self.store.children_texts(dt.name, df.fieldname, [name.lower()], ("1", ()))
                    if rows:
                        return dt.name, str(rows[0][1])
        return None

    def _save(self, doctype: DocType, current: dict[str, Any], body: dict[str, Any], seen: Any) -> dict[str, Any]:
        """The checks of Document._save in its order; returns the document as stored."""
        old_status = _cint(current.get("docstatus"))
        new_status = _cint(body["docstatus"]) if "docstatus" in body else old_status
        if old_status == 2:
            raise _invalid("ValidationError", "Cannot edit cancelled document")
        if new_status != old_status:
            if (old_status, new_status) in ((0, 2), (1, 0)) or new_status not in (0, 1, 2):
                raise _invalid("DocstatusTransitionError", f"Cannot change docstatus from {old_status} to "
                                                           f"{new_status}")
            raise _invalid("ValidationError", "submitting or cancelling a document is not served by this sandbox")
        # Document.check_if_latest
        if seen is not None and str(seen) != current.get("modified"):
            raise _invalid("TimestampMismatchError",
                           f"Error: Document has been modified after you have opened it ({current['modified']}, "
                           f"{seen}). Please refresh to get the latest document.")
        fields = [doctype.fields[f] for f in body if f in doctype.fields and f not in STANDARD]
        for df in fields:  # BaseDocument._validate_mandatory, on the values as sent
            if df.reqd and (body[df.fieldname] is None or str(body[df.fieldname]).strip() == ""):
                raise _invalid("MandatoryError", f"[{doctype.name}, {current['name']}]: {df.fieldname}: "
                                                 f"Value missing for {doctype.name}: {df.label}", "Missing Fields")
        new = dict(current)
        for f, v in body.items():
            column = doctype.fields.get(f)
            # keys that are not columns of the doctype are dropped by get_valid_dict, as are the
            # standard fields a save sets itself
            if column is None or f in STANDARD:
                continue
            new[f] = _sanitize(column, v)
        for df in fields:  # _validate_selects, _validate_length, _validate_links
            v = new.get(df.fieldname)
            if v in (None, "") or df.computed:
                continue
            if df.choices and v not in df.choices:
                raise _invalid("ValidationError", f"{df.label} cannot be \"{v}\". It should be one of "
                                                  f"{', '.join(repr(c) for c in df.choices if c)}")
            if df.max_length and len(v) > df.max_length:
                raise _invalid("CharacterLengthExceededError",
                               f"{df.label}: '{v[:20]}...' ({len(v)}) will get truncated, as max characters "
                               f"allowed is {df.max_length}", "Value too big")
            if df.fieldtype == "Link" and not self._link_exists(df.options, v):
                raise _invalid("LinkValidationError", f"Could not find {df.label}: {v}", "Invalid Link")
        if old_status == 1:  # BaseDocument._validate_update_after_submit
            for df in fields:
                before, after = current.get(df.fieldname), new.get(df.fieldname)
                if df.fieldtype in NUMERIC_TYPES:
                    before = _flt(before) if before is not None else None
                if not df.allow_on_submit and (after or before) and after != before:
                    raise _invalid("UpdateAfterSubmitError",
                                   f" Not allowed to change {_bold(df.label)} after submission from {_bold(before)} "
                                   f"to {_bold(after)}", "Cannot Update After Submit")
        for df in fields:
            if df.computed:  # set_status / calculate_taxes_and_totals recompute it on every save
                new[df.fieldname] = current.get(df.fieldname)
        new["modified"] = frappe_now(current.get("modified"))
        return new


# get_list arguments Frappe honours that the sandbox does not: refused, never ignored
UNSERVED_LIST_OPTIONS = ("group_by", "debug", "parent", "expand", "with_comment_count", "distinct")
