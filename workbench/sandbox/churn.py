"""Change a share of the records in running sandboxes, through their own APIs, the way a day of work
would between two runs: some invoices get a new due date, some customers a new city, a few new
customers appear and a few invoices (in Business Central also sales orders) are deleted. Used to prove
incremental re-runs (tests, benchmark).

Salesforce goes through simple-salesforce (each write moves SystemModstamp); Business Central through
its REST API (PATCH with the etag, POST, DELETE). Choices are seeded, so the same call changes the
same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
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
