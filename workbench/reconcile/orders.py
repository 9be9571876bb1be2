"""Orders, the revenue-leakage view: booked CRM deals with no ERP sales order, and amounts
that differ between the two.

A CRM order matches an ERP order by the ERP order number the CRM stores (xref), or by
the CRM order number the ERP stores (external document number), compared by the id policy
(trimmed, case, leading zeros). An ERP invoice referencing the order counts as the ERP
having it (Business Central deletes a sales order once it is fully invoiced).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.reconcile.invoices import number_keys, rows
from workbench.reconcile.findings import Findings, diff, said
from workbench.reconcile.fx import rounded
from workbench.reconcile.rules import Rules


def _keys(values: Iterable[Any], rules: Rules) -> list[Any]:
    return list(number_keys(pd.Series(values, dtype=object), rules))


def _unique(keys: list[Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for n, k in enumerate(keys):
        if k is None:
            continue
        seen[k] = -1 if k in seen else n
    return {k: n for k, n in seen.items() if n >= 0}


def booked(crm: pd.DataFrame) -> np.ndarray:
    """Which CRM orders the engine compares: those booked (a deal not yet won is no order to find)."""
    flags: np.ndarray = crm["booked"].to_numpy(dtype=object) == True  # noqa: E712 - None is not booked
    return flags


def compare(f: Findings, crm: pd.DataFrame, erp: pd.DataFrame, erp_invoices: pd.DataFrame,
            names: dict[Any, str]) -> None:
    rules = f.rules
    deals = crm[booked(crm)]
    if deals.empty:
        return
    by_number = _unique(_keys(erp["number"], rules))
    by_ext = _unique(_keys(erp["xref"], rules))
    invoiced = {k for k in _keys(erp_invoices["order_ref"], rules) if k is not None}
    tol = rules.tolerances["order_amount"]
    ck_x = _keys(deals["xref"], rules)
    ck_n = _keys(deals["number"], rules)
    ck_id = _keys(deals["record_id"], rules)
    # records are built only for orders with a finding in view: missing, or a different
    # currency or amount (most booked orders match to the cent)
    c_ccy, c_tot = deals["currency"].to_numpy(dtype=object), deals["total_amount"].to_numpy(dtype=object)
    e_ccy, e_tot = erp["currency"].to_numpy(dtype=object), erp["total_amount"].to_numpy(dtype=object)
    look = []
    found = []
    for pos in range(len(deals)):
        j = by_number.get(ck_x[pos]) if ck_x[pos] else None
        if j is None:
            j = by_ext.get(ck_n[pos]) if ck_n[pos] else None
        if j is None:
            j = by_ext.get(ck_id[pos]) if ck_id[pos] else None
        if j is not None and c_ccy[pos] == e_ccy[j] and c_tot[pos] is not None and c_tot[pos] == e_tot[j]:
            continue
        look.append(pos)
        found.append(j)
    wanted = sorted({j for j in found if j is not None})
    erp_recs = dict(zip(wanted, rows(erp, np.array(wanted, dtype=np.int64))))
    for pos, j, r in zip(look, found, rows(deals, np.array(look, dtype=np.int64))):
        who = names.get(r["customer_id"])
        ccy = r["currency"]
        if j is None:
            if (ck_x[pos] and ck_x[pos] in invoiced) or (ck_n[pos] and ck_n[pos] in invoiced):
                continue
            f.add("order.missing_in_erp",
                  f"Booked order {r['number'] or r['record_id']} ({said(r['total_amount'], ccy)}) has no sales "
                  f"order in the ERP.",
                  crm_object="orders", crm_id=r["record_id"], customer_name=who, crm_value=r["total_amount"],
                  amount_at_risk=r["total_amount"] or Decimal(0), currency=ccy, on=r.get("order_date"),
                  diffs=[diff("total_amount", r["total_amount"], None, ccy)])
            continue
        er = erp_recs[j]
        a, b = r["total_amount"], er["total_amount"]
        if a is None or b is None:
            continue
        extra = []
        if er["currency"] != ccy:
            hit = f.fx.rate(er["currency"], ccy, r.get("order_date"))
            if hit is None:
                continue  # nothing to compare without a rate; the currency difference is not an amount finding
            rate, day = hit
            b_conv = rounded(b * rate, ccy)  # as the CRM's currency writes it (see invoices._convert)
            extra = [{"field": "fx_rate", "crm": ccy, "erp": er["currency"], "rate": str(rate),
                      "rate_date": day.isoformat(), "pair": f"{er['currency']}/{ccy}"}]
        else:
            b_conv = b
        if a == b_conv or tol.within(ccy, a, b_conv):
            continue
        d = a - b_conv
        f.add("order.amount_mismatch",
              f"Order {r['number'] or r['record_id']} totals {said(a, ccy)} in the CRM but "
              f"{said(b, er['currency'])} in the ERP (sales order {er['number']}).",
              crm_object="orders", crm_id=r["record_id"], erp_object="orders", erp_id=er["record_id"],
              customer_name=who, field="total_amount", crm_value=a, erp_value=b, erp_currency=er["currency"],
              difference=d, amount_at_risk=abs(d), currency=ccy, on=r.get("order_date"),
              diffs=[diff("total_amount", a, b, ccy, er["currency"])] + extra,
              # in the CRM order's currency: the ERP's amount converted at the rate the diffs show
              proposal=f.propose("orders", "total_amount", r, er, a, b_conv, label="the order amount",
                                 currency=ccy))
