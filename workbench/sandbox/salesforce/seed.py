"""Fill the sandbox org from a scenario's CRM side (canonical frames).

Records are written under the connector's default field mapping, so pulling them
back through the connector gives the same canonical values. Ids that are already
valid Salesforce ids of the right object are kept (the scenario's truth names
them); anything else gets a fresh id and references are rewritten to match.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from workbench.model import ids
from workbench.model.status import SALESFORCE_BILLING
from workbench.sandbox.salesforce.objects import OBJECTS
from workbench.sandbox.salesforce.store import OrgStore, now_stamp
from workbench.sources.salesforce_mapping import DEFAULT_FIELDS, OPPORTUNITY_FIELDS

# canonical invoice status -> the Billing picklist pair, for scenarios without status_raw
_BILLING_FOR: dict[str, list[str | None]] = {}
for _key, _canon in SALESFORCE_BILLING.items():
    _BILLING_FOR.setdefault(_canon, [p if p != "*" else None for p in _key.split("|")])
_BILLING_FOR["credit_note"] = ["Posted", "Paid"]


def _rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    out = []
    for rec in frame.to_dict("records"):
        out.append({str(k): (None if _isna(v) else v) for k, v in rec.items()})
    return out


def _isna(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


class _Ids:
    def __init__(self, store: OrgStore):
        self.store = store
        self.maps: dict[str, dict[str, str]] = {}

    def assign(self, obj: str, old: Any) -> str:
        prefix = "" if OBJECTS[obj].custom else OBJECTS[obj].prefix  # custom prefixes differ per org
        m = self.maps.setdefault(obj, {})
        key = str(old) if old is not None else None
        if key is not None and key in m:
            return m[key]
        new = None
        if key is not None:
            try:
                cand = ids.to_18(key)
                if cand.startswith(prefix):
                    new = cand
            except ids.InvalidSalesforceId:
                pass
        new = new or self.store.new_id(OBJECTS[obj])
        if key is not None:
            m[key] = new
        return new

    def ref(self, obj: str, old: Any) -> str | None:
        if old is None:
            return None
        return self.maps.get(obj, {}).get(str(old)) or self.assign(obj, old)


def _stamp(rec: dict[str, Any]) -> str | None:
    v = rec.get("last_modified")
    return now_stamp(v) if isinstance(v, datetime) else None


def _api(kind: str, rec: dict[str, Any], fmap: dict[str, str] | None = None) -> dict[str, Any]:
    fmap = fmap or DEFAULT_FIELDS[kind]
    out = {}
    for canon, api in fmap.items():
        if canon in ("record_id", "last_modified", "version") or canon not in rec or "." in api:
            continue  # relationship paths (Pricebook2.Name) are the parent's fields, written there
        out[api] = rec[canon]
    return out


def seed(store: OrgStore, crm: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Write the CRM frames into an empty org; returns records written per object."""
    idmap = _Ids(store)
    counts: dict[str, int] = {}

    def put(obj: str, values: dict[str, Any], old_id: Any, stamp: str | None) -> str:
        rid = idmap.assign(obj, old_id)
        values["Id"] = rid
        if stamp:
            values["LastModifiedDate"] = stamp
            values["SystemModstamp"] = stamp
            values["CreatedDate"] = stamp
        store.insert(OBJECTS[obj], values, stamp)
        counts[obj] = counts.get(obj, 0) + 1
        return rid

    with store.transaction():
        customers = _rows(crm.get("customers"))
        for rec in customers:  # ids first, so ParentId can point forward
            idmap.assign("Account", rec["record_id"])
        for rec in customers:
            v = _api("customers", rec)
            v["ParentId"] = idmap.ref("Account", rec.get("parent_id"))
            v["Type"] = "Customer"
            put("Account", v, rec["record_id"], _stamp(rec))

        products_by_code: dict[str, tuple[str, str | None]] = {}
        for rec in _rows(crm.get("products")):
            v = _api("products", rec)
            rid = put("Product2", v, rec["record_id"], _stamp(rec))
            products_by_code[str(rec["code"])] = (rid, rec.get("name"))

        pricebooks: dict[str, str] = {}
        # price books and products the frames do not hold are as old as the oldest price (an org's price books
        # come before their entries), not stamped at seeding: a re-run soon after would take every entry as changed
        price_rows = _rows(crm.get("prices"))
        made = min((st for st in map(_stamp, price_rows) if st), default=None)
        made_fields = {"LastModifiedDate": made, "SystemModstamp": made, "CreatedDate": made} if made else {}

        def pricebook(name: Any) -> str:
            key = str(name) if name else "Standard Price Book"
            if key not in pricebooks:
                try:
                    if ids.to_18(key).startswith(OBJECTS["Pricebook2"].prefix):
                        pricebooks[key] = idmap.assign("Pricebook2", key)
                        store.insert(OBJECTS["Pricebook2"], {"Id": pricebooks[key], "Name": "Standard Price Book",
                                                              "IsActive": True, "IsStandard": True, **made_fields},
                                     made)
                        return pricebooks[key]
                except ids.InvalidSalesforceId:
                    pass
                pricebooks[key] = store.insert(OBJECTS["Pricebook2"], {"Name": key, "IsActive": True,
                                                                      "IsStandard": key == "Standard Price Book",
                                                                      **made_fields}, made)
            return pricebooks[key]

        for rec in price_rows:
            v = _api("prices", rec)
            prod = products_by_code.get(str(rec.get("product_code")))
            if prod is None and rec.get("product_code") is not None:
                pid = store.insert(OBJECTS["Product2"], {"Name": rec.get("product_name") or rec["product_code"],
                                                          "ProductCode": rec["product_code"], "IsActive": True,
                                                          **made_fields}, made)
                prod = products_by_code[str(rec["product_code"])] = (pid, rec.get("product_name"))
            v["Product2Id"] = prod[0] if prod else None
            v["Name"] = rec.get("product_name") or (prod[1] if prod else None)
            v["Pricebook2Id"] = pricebook(rec.get("pricebook"))
            if v.get("IsActive") is None:
                v["IsActive"] = True
            put("PricebookEntry", v, rec["record_id"], _stamp(rec))

        for rec in _rows(crm.get("orders")):
            if (rec.get("kind") or "Order") == "Opportunity":
                v = _api("orders", rec, OPPORTUNITY_FIELDS)
                v["AccountId"] = idmap.ref("Account", rec.get("customer_id"))
                v["StageName"] = rec.get("status") or "Closed Won"
                v["IsWon"] = v["StageName"] == "Closed Won"
                v["IsClosed"] = v["StageName"].startswith("Closed")
                put("Opportunity", v, rec["record_id"], _stamp(rec))
            else:
                v = _api("orders", rec)
                v["AccountId"] = idmap.ref("Account", rec.get("customer_id"))
                v["Status"] = "Activated" if rec.get("booked") else (rec.get("status") or "Draft")
                if v["Status"] not in ("Draft", "Activated"):
                    v["Status"] = "Activated"
                v["OrderNumber"] = rec.get("number") or f"{counts.get('Order', 0) + 1:08d}"
                put("Order", v, rec["record_id"], _stamp(rec))

        for rec in _rows(crm.get("order_lines")):
            v = _api("order_lines", rec)
            v["OrderId"] = idmap.ref("Order", rec.get("order_id"))
            prod = products_by_code.get(str(rec.get("product_code")))
            v["Product2Id"] = prod[0] if prod else None
            if v.get("TotalPrice") is None and rec.get("quantity") is not None and rec.get("unit_price") is not None:
                v["TotalPrice"] = rec["quantity"] * rec["unit_price"]
            put("OrderItem", v, rec["record_id"], _stamp(rec))

        n = 0
        for rec in _rows(crm.get("invoices")):
            n += 1
            v = _api("invoices", rec)
            v["blng__Account__c"] = idmap.ref("Account", rec.get("customer_id"))
            order_ref = rec.get("order_ref")
            v["blng__Order__c"] = idmap.maps.get("Order", {}).get(str(order_ref)) if order_ref else None
            raw = rec.get("status_raw")
            parts = str(raw).split("|") if raw and "|" in str(raw) else _BILLING_FOR.get(rec.get("status") or "",
                                                                                          ["Draft", None])
            v["blng__InvoiceStatus__c"], v["blng__PaymentStatus__c"] = (parts + [None])[:2]
            if v["blng__InvoiceStatus__c"] != "Posted" and v["blng__PaymentStatus__c"] is None:
                v["blng__PaymentStatus__c"] = "Unpaid"
            v["Name"] = f"INV-{n:06d}"
            put("blng__Invoice__c", v, rec["record_id"], _stamp(rec))
    return counts
