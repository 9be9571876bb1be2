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

from workbench.reconcile.invoices import number_keys, rows, second_form
from workbench.reconcile.findings import Findings, diff, said
from workbench.reconcile.fx import rounded
from workbench.reconcile.rules import Rules


def _keys(values: Iterable[Any], rules: Rules, per_segment: bool = True) -> list[Any]:
    return list(number_keys(pd.Series(values, dtype=object), rules, per_segment))


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
    # each number in its normalised forms (invoices.number_keys): per segment, then run together
    forms = (True, False) if second_form(rules) else (True,)
    by_number = [_unique(_keys(erp["number"], rules, form)) for form in forms]
    by_ext = [_unique(_keys(erp["xref"], rules, form)) for form in forms]
    invoiced = {k for form in forms for k in _keys(erp_invoices["order_ref"], rules, form) if k is not None}
    tol = rules.tolerances["order_amount"]
    ck_x = [_keys(deals["xref"], rules, form) for form in forms]
    ck_n = [_keys(deals["number"], rules, form) for form in forms]
    ck_id = [_keys(deals["record_id"], rules, form) for form in forms]

    def find(pos: int) -> Any:
        """The ERP order of the deal at ``pos``: its ERP number, else its number or id as the ERP's reference,
        in the first form that finds one."""
        for n in range(len(forms)):
            for keys, erp_keys in ((ck_x, by_number), (ck_n, by_ext), (ck_id, by_ext)):
                if keys[n][pos] and (j := erp_keys[n].get(keys[n][pos])) is not None:
                    return j
        return None
    # records are built only for orders with a finding in view: missing, or a different
    # currency or amount (most booked orders match to the cent)
    c_ccy, c_tot = deals["currency"].to_numpy(dtype=object), deals["total_amount"].to_numpy(dtype=object)
    e_ccy, e_tot = erp["currency"].to_numpy(dtype=object), erp["total_amount"].to_numpy(dtype=object)
    look = []
    found = []
    for pos in range(len(deals)):
        j = find(pos)
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
            if any(keys[n][pos] and keys[n][pos] in invoiced for keys in (ck_x, ck_n) for n in range(len(forms))):
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
