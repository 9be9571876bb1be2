"""The reconciliation engine: two extracts in, links, exceptions and control totals out.

Pure and deterministic: no I/O, no clock (dates come from the run's as-of), the same
input gives the same result. Passes run in a fixed order with progress and cancel
between them: customers (linking), customer findings, pricing, orders, invoices, totals.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.config import RunConfig
from workbench.progress import TaskState, report
from workbench.reconcile import customers as cust
from workbench.reconcile import invoices as inv
from workbench.reconcile import normalize as nz
from workbench.reconcile import numbers
from workbench.reconcile import orders as ords
from workbench.reconcile import pricing
from workbench.reconcile.coverage import one_sided_kinds, unread_kinds
from workbench.reconcile.findings import Findings
from workbench.reconcile.extract_findings import unresolved_references
from workbench.reconcile.fx import FxTable
from workbench.reconcile.linking import Linking, evidences, link_customers
from workbench.reconcile.result import CONTROL_TOTAL_COLUMNS, LINK_COLUMNS, ReconResult, Unreported, empty_links
from workbench.reconcile.rules import parse, tolerance_warnings
from workbench.sources.base import Extract

STEPS = ("linking customers", "customer findings", "pricing", "orders", "invoices", "control totals")


def _crm_ids(values: pd.Series) -> pd.Series:
    """CRM references to accounts in 18-char form (exports often carry the 15-char one)."""
    # each distinct id normalised once, spread back by integer codes (no per-row hashing)
    codes, uniq = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    table = np.array([nz.sf_id_key(v) or v for v in uniq] + [None], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype=object, name=values.name)


class _LazyExposure(dict[int, tuple[Decimal, str | None]]):
    """Open receivable per customer position, computed only for the customers asked about
    (those with an exception), from a customer -> invoice rows index: in its largest currency, net of
    unapplied credit notes whichever sign their system writes and with nothing of a cancelled invoice
    (``inv.receivable``, as the control totals count them); nothing where the credits outweigh."""

    def __init__(self, invoices: pd.DataFrame, ids: pd.Series) -> None:
        super().__init__()
        # customer -> its invoice rows as slices of one stable sort by customer code
        # (groupby().indices builds a million-row dict of arrays up front)
        codes, uniq = pd.factorize(invoices["customer_id"].to_numpy(dtype=object), use_na_sentinel=True)
        self.order = np.argsort(codes, kind="stable")
        self.bounds = np.searchsorted(codes[self.order], np.arange(len(uniq) + 1))
        self.code_of = dict(zip(uniq.tolist(), range(len(uniq))))
        self.ids = ids.to_numpy(dtype=object)
        self.ccy = invoices["currency"].to_numpy(dtype=object)
        self.bal = invoices["open_balance"].to_numpy(dtype=object)
        self.status = invoices["status"].to_numpy(dtype=object)
        self.credit = inv.credit_mask(invoices)

    def get(self, pos: int, default: Any = None) -> tuple[Decimal, str | None]:
        if pos in self:
            return self[pos]
        sums: dict[str, Decimal] = {}
        c = self.code_of.get(self.ids[pos])
        for n in (self.order[self.bounds[c]:self.bounds[c + 1]].tolist() if c is not None else ()):
            if self.bal[n] is not None:
                b = inv.receivable(self.status[n], bool(self.credit[n]), self.bal[n])
                sums[self.ccy[n]] = sums.get(self.ccy[n], Decimal(0)) + b
        best = max(sorted((c, b) for c, b in sums.items() if b > 0), key=lambda kv: kv[1], default=None)
        self[pos] = best[::-1] if best else (default or (Decimal(0), None))
        return self[pos]


def reconcile(crm: Extract, erp: Extract, config: RunConfig, state: TaskState | None = None) -> ReconResult:
    rules = parse(config.rules, config.where())
    fx = FxTable(rules.fx)
    f = Findings(config, rules, fx)
    total = len(STEPS)
    unread = unread_kinds(crm, erp)  # a side maps no object to them: not compared, the run says so once

    report(state, 0, total, STEPS[0])
    cc, ec = crm.frame("customers").reset_index(drop=True), erp.frame("customers").reset_index(drop=True)
    cc = cc.assign(record_id=_crm_ids(cc["record_id"]))
    ci = crm.frame("invoices").reset_index(drop=True)
    ci = ci.assign(customer_id=_crm_ids(ci["customer_id"]))
    ei = erp.frame("invoices").reset_index(drop=True)
    co = crm.frame("orders").reset_index(drop=True)
    co = co.assign(customer_id=_crm_ids(co["customer_id"]))
    lk, cf, ef = link_customers(cc, ec, rules, state)

    report(state, 1, total, STEPS[1])
    exposure = cust.Exposure(_LazyExposure(ci, cc["record_id"]), _LazyExposure(ei, ec["record_id"]))
    if "customers" not in unread:
        cust.customer_exceptions(f, cc, ec, lk, cf, ef, exposure)
    names = dict(zip(ec["record_id"], ec["name"]))
    names.update(zip(cc["record_id"], cc["name"]))
    nz.clear_caches()  # the customers' keys are not asked for again: their memory goes before the big passes

    report(state, 2, total, STEPS[2])
    book = pricing.compare(f, crm.frame("prices"), erp.frame("prices"), crm.frame("products"), erp.frame("products"),
                           both_priced="prices" not in unread)
    pricing.off_price_lines(f, crm.frame("order_lines"), co, crm.frame("prices"), book, names)

    report(state, 3, total, STEPS[3])
    if "orders" not in unread:
        ords.compare(f, co, erp.frame("orders"), ei, names)

    report(state, 4, total, STEPS[4])
    auto = lk.links[lk.links["status"] == "auto"]
    customer_map = dict(zip(cc["record_id"].to_numpy(dtype=object)[auto["i"].to_numpy(dtype=np.int64)],
                            ec["record_id"].to_numpy(dtype=object)[auto["j"].to_numpy(dtype=np.int64)]))
    if "invoices" in unread:
        how = np.array([], dtype=object)
    else:
        i, j, how = inv.match(ci, ei, customer_map, rules)
        inv.compare(f, ci, ei, i, j, names, erp.frame("payments"), state)
        inv.missing(f, ci, ei, i, j, names)

    report(state, 5, total, STEPS[5])
    totals = inv.control_totals("crm", ci) + inv.control_totals("erp", ei)
    control = pd.DataFrame(totals, columns=CONTROL_TOTAL_COLUMNS) if totals else \
        pd.DataFrame({c: pd.Series([], dtype=object) for c in CONTROL_TOTAL_COLUMNS})
    unresolved_references(f, crm, erp)
    exceptions = numbers.fill(f.frame(), {
        "crm": {"customers": cc, "invoices": ci, "orders": co, "prices": crm.frame("prices"),
                "products": crm.frame("products"), "order_lines": crm.frame("order_lines")},
        "erp": {"customers": ec, "invoices": ei, "orders": erp.frame("orders"), "prices": erp.frame("prices"),
                "products": erp.frame("products"), "payments": erp.frame("payments")}})
    links = _links_frame(lk, cc, ec)
    # Records, links and exceptions are counted once, by the run's summary (reconcile.summary).
    stats = {
        "invoices_matched": dict(sorted(Counter(how.tolist()).items())),
        # one side's open balances against nothing read on the other would all be "unexplained"
        "reconciling": {} if "invoices" in unread else _reconciling(control, f),
        "aging": {"crm": inv.aging(ci, config.as_of), "erp": inv.aging(ei, config.as_of)},
        "as_of": config.as_of.isoformat(),
        "warnings": one_sided_kinds(crm, erp) + tolerance_warnings(rules, _currencies(crm, erp)),
    }
    report(state, total, total, "reconciled")
    return ReconResult(links=links, exceptions=exceptions, control_totals=control, stats=stats)


def _currencies(*extracts: Extract) -> set[str]:
    """The currencies of the amounts the run compares (prices, orders, invoices)."""
    out: set[str] = set()
    for x in extracts:
        for kind in ("prices", "orders", "invoices"):
            frame = x.frame(kind)
            if "currency" in frame.columns and len(frame):
                out.update(v for v in pd.unique(frame["currency"].to_numpy(dtype=object)) if isinstance(v, str))
    return out


def _reconciling(control: pd.DataFrame, f: Findings) -> dict[str, Any]:
    """Per currency: CRM open balance - ERP open balance, how much of it the exceptions
    explain (the balance differences they report), the parts no exception reports and why
    (``Unreported``: within tolerance, in flight, drafts), and what is left unexplained."""
    out: dict[str, Any] = {}
    if control.empty:
        return out
    zero = Decimal(0)
    for ccy in sorted(set(control["currency"])):
        part = control[control["currency"] == ccy]
        crm = sum((v for v in part.loc[part["side"] == "crm", "open_balance"]), zero)
        erp = sum((v for v in part.loc[part["side"] == "erp", "open_balance"]), zero)
        d = crm - erp
        explained = f.explained.get(ccy, zero)
        unreported = {why: f.unreported[why].get(ccy, zero) for why in Unreported}
        out[ccy] = {"crm_open": str(crm), "erp_open": str(erp), "difference": str(d), "explained": str(explained),
                    **{why.value: str(amount) for why, amount in unreported.items()},
                    "unexplained": str(d - explained - sum(unreported.values(), zero))}
    return out


def _links_frame(lk: Linking, cc: pd.DataFrame, ec: pd.DataFrame) -> pd.DataFrame:
    links = lk.links
    if links.empty:
        return empty_links()
    cid = cc["record_id"].to_numpy(dtype=object)[links["i"].to_numpy(dtype=np.int64)]
    eid = ec["record_id"].to_numpy(dtype=object)[links["j"].to_numpy(dtype=np.int64)]
    out = pd.DataFrame({
        "crm_id": cid, "erp_id": eid, "method": links["method"].to_numpy(dtype=object),
        "confidence": [round(float(x), 4) for x in links["confidence"]],
        "evidence": evidences(links),
        "status": links["status"].to_numpy(dtype=object),
    }, columns=LINK_COLUMNS)
    return out.sort_values(["status", "crm_id"], kind="mergesort").reset_index(drop=True)
