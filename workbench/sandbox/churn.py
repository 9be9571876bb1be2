"""Change a share of the records in running sandboxes, through their own APIs, the way a day of work
would between two runs: some invoices get a new due date, some customers a new city, a few new
customers appear and a few invoices (in Business Central also sales orders) are deleted. Used to prove
incremental re-runs (tests, benchmark).

Salesforce goes through simple-salesforce (each write moves SystemModstamp); Business Central through
its REST API (PATCH with the etag, POST, DELETE); Odoo through JSON-2 (``write``, which moves
``write_date``, and ``unlink``; a customer is also archived, which Odoo's "Archive" action does by
writing ``active``). Odoo refuses to delete a posted invoice (it is cancelled or reversed instead), so
there the deleted records are price list items, as a price list clean-up deletes them. The Odoo
sandbox serves no ``create``, so its new customers are put in its store as Odoo's own form would
save them (stamped now). Choices are seeded, so the same call changes the same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import httpx
import requests
from simple_salesforce.api import Salesforce, SFType

from workbench.sandbox import erp, salesforce


@dataclass
class Churn:
    updated: int = 0
    inserted: int = 0
    deleted: int = 0
    orders_deleted: int = 0  # with their lines

    @property
    def total(self) -> int:
        return self.updated + self.inserted + self.deleted + self.orders_deleted


def _pick(rng: random.Random, items: list[Any], n: int) -> list[Any]:
    return rng.sample(items, min(len(items), n))


def _split(share: float, n: int) -> tuple[int, int, int]:
    """(updates, inserts, deletions) for ``share`` of ``n`` records: most changes are updates."""
    total = max(3, round(n * share))
    return total - 2 * max(1, total // 6), max(1, total // 6), max(1, total // 6)


def _later(day: str | None, days: int) -> str:
    return ((date.fromisoformat(day[:10]) if day else date(2026, 11, 30)) + timedelta(days=days)).isoformat()


def salesforce_client(handle: salesforce.SandboxHandle) -> Salesforce:
    session = requests.Session()
    session.trust_env = False
    session.verify = handle.info["ca_bundle"]
    return Salesforce(instance_url=handle.instance_url, session=session, version=handle.info["api_version"],
                      session_id=handle.info["credentials"]["session"]["session_id"])


def churn_salesforce(handle: salesforce.SandboxHandle, share: float = 0.01, seed: int = 1) -> Churn:
    rng = random.Random(seed)
    sf = salesforce_client(handle)
    invoices = sf.query_all("SELECT Id, blng__DueDate__c FROM blng__Invoice__c ORDER BY Id")["records"]
    ups, ins, dels = _split(share, len(invoices))
    out = Churn()
    chosen = _pick(rng, invoices, ups + dels)
    invoice_api, account_api = cast(SFType, sf.blng__Invoice__c), cast(SFType, sf.Account)
    for inv in chosen[:ups]:
        invoice_api.update(inv["Id"], {"blng__DueDate__c": _later(inv["blng__DueDate__c"], 14)})
        out.updated += 1
    for inv in chosen[ups:]:
        invoice_api.delete(inv["Id"])
        out.deleted += 1
    for n in range(ins):
        account_api.create({"Name": f"Churned Newco {seed}-{n} Ltd", "BillingCity": "Leeds", "BillingCountry": "GB"})
        out.inserted += 1
    return out


def _ids(http: httpx.Client, url: str | None) -> list[str]:
    out: list[str] = []
    while url:
        body = http.get(url).raise_for_status().json()
        out += [str(r["id"]) for r in body["value"]]
        url = body.get("@odata.nextLink")
    return out


def churn_business_central(handle: erp.SandboxHandle, share: float = 0.01, seed: int = 2) -> Churn:
    rng = random.Random(seed)
    root = handle.info["api_root"]
    out = Churn()
    with httpx.Client(headers={"Authorization": f"Bearer {handle.info['access_token']}"}, timeout=60,
                      trust_env=False) as http:
        invoices: list[dict[str, Any]] = []
        url: str | None = f"{root}/salesInvoices?$select=id,dueDate"
        while url:
            body = http.get(url).raise_for_status().json()
            invoices += body["value"]
            url = body.get("@odata.nextLink")
        ups, ins, dels = _split(share, len(invoices))
        # half the deletions are whole sales orders, with their lines, as posting a fully shipped and
        # invoiced order deletes it
        orders = _ids(http, f"{root}/salesOrders?$select=id")
        gone_orders = _pick(rng, orders, dels // 2)
        chosen = _pick(rng, invoices, ups + dels - len(gone_orders))
        for inv in chosen[:ups]:
            http.patch(f"{root}/salesInvoices({inv['id']})", json={"dueDate": _later(inv["dueDate"], 7)},
                       headers={"If-Match": inv["@odata.etag"]}).raise_for_status()
            out.updated += 1
        for inv in chosen[ups:]:
            http.delete(f"{root}/salesInvoices({inv['id']})", headers={"If-Match": "*"}).raise_for_status()
            out.deleted += 1
        for rid in gone_orders:
            http.delete(f"{root}/salesOrders({rid})", headers={"If-Match": "*"}).raise_for_status()
            out.orders_deleted += 1
        for n in range(ins):
            http.post(f"{root}/customers", json={"displayName": f"Churned Newco {seed}-{n} Ltd",
                                                 "city": "Leeds",
                                                 "country": "GB"}).raise_for_status()
            out.inserted += 1
    return out


def _odoo(http: httpx.Client, model: str, method: str, **params: Any) -> Any:
    return http.post(f"/json/2/{model}/{method}", json=params).raise_for_status().json()


def churn_odoo(handle: erp.SandboxHandle, share: float = 0.01, seed: int = 3) -> Churn:
    rng = random.Random(seed)
    info = handle.info
    out = Churn()
    headers = {"Authorization": f"bearer {info['api_key']}", "X-Odoo-Database": info["database"]}
    with httpx.Client(base_url=info["base_url"], headers=headers, timeout=60, trust_env=False) as http:
        invoices = _odoo(http, "account.move", "search_read", fields=["invoice_date_due"], order="id",
                         domain=[["move_type", "in", ["out_invoice", "out_refund"]]])
        ups, ins, dels = _split(share, len(invoices))
        for move in _pick(rng, invoices, ups):
            _odoo(http, "account.move", "write", ids=[move["id"]],
                  vals={"invoice_date_due": _later(move["invoice_date_due"] or None, 10)})
            out.updated += 1
        items = _odoo(http, "product.pricelist.item", "search", domain=[], order="id")
        gone = _pick(rng, items, dels)
        if gone:
            _odoo(http, "product.pricelist.item", "unlink", ids=gone)
            out.deleted += len(gone)
        customers = _odoo(http, "res.partner", "search", domain=[["customer_rank", ">", 0]], order="id")
        for cid in _pick(rng, customers, max(1, ins // 2)):
            _odoo(http, "res.partner", "write", ids=[cid], vals={"active": False})
            out.updated += 1
    _new_odoo_customers(handle, seed, ins)
    out.inserted += ins
    return out


def _new_odoo_customers(handle: erp.SandboxHandle, seed: int, n: int) -> None:
    """Customers saved from Odoo's form: every field of the model, unset ones ``False``."""
    from workbench.sandbox.erp.odoo import MODELS

    top = max((int(d["id"]) for _, d, _ in handle.store.scan("res.partner")), default=0)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    rows = []
    for k in range(n):
        name = f"Churned Newco {seed}-{k} SARL"
        record: dict[str, Any] = dict.fromkeys(MODELS["res.partner"], False)
        record.update(id=top + 1 + k, name=name, display_name=name, city="Lyon", is_company=True, customer_rank=1,
                      active=True, sale_warn="no-message", write_date=now)
        rows.append((str(top + 1 + k), record))
    handle.store.insert_many("res.partner", rows)
