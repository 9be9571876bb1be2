"""Invoices: matched by the ERP invoice number the CRM references, with a fallback on
linked customer + currency + amount + date; then status, balance, amount and due date.

Matching and the equality screen are joins and column comparisons over all rows; only
pairs that differ are looked at one by one, so a million clean invoices cost little.
"""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.model.status import aging_bucket, is_overdue, settle
from workbench.reconcile import normalize as nz
from workbench.reconcile.findings import Findings, diff, said
from workbench.reconcile.fx import rounded
from workbench.reconcile.result import Unreported
from workbench.reconcile.rules import Rules, Tolerance
from workbench.progress import TaskState

UNPAID = ("open", "partially_paid")
# Drafts are not yet invoices: one side lacking a draft is no finding. (A cancelled invoice
# missing on one side is still reported: the audit trail of the cancellation is missing; but
# nothing of it is owed, so nothing of it is at risk.)
NOT_A_CLAIM = ("draft",)


def is_credit(rec: dict[str, Any]) -> bool:
    """A credit note, by its status or the source's own flag."""
    return rec.get("status") == "credit_note" or rec.get("is_credit_note") is True


def owed(status: object, balance: Decimal | None) -> Decimal | None:
    """The balance a document leaves the customer owing: nothing on a cancelled one, whatever
    residual the source still shows (Odoo keeps amount_residual on a cancelled move)."""
    return Decimal(0) if status == "void" and balance else balance


def receivable(status: object, credit: bool, balance: Decimal | None) -> Decimal:
    """A document's share of the open receivable: an unapplied credit note lowers it whichever
    sign its system writes (Odoo's amount_residual and Business Central's credit memo amounts are
    positive, a file export may carry them negative); a cancelled one is no part of it."""
    b = owed(status, balance) or Decimal(0)
    return -abs(b) if credit else b


def number_keys(values: pd.Series, rules: Rules, per_segment: bool = True) -> np.ndarray:
    """nz.number_key over a column, as vectorised string operations (a million invoice
    numbers per side); None stays None. ``per_segment``: leading zeros go per segment, before the
    separators: "SI-2026-000123" is "SI-2026-123" (a year-segmented number padded by one system, not
    by the other), which dropping the separators first would run together into "2026000123". Else
    the separators go first: "INV-2026-0042" is "INV20260042" (one system writes the separators, the
    other runs the segments together), which per segment would read "INV202642". Matching tries the
    first, then the second (``second_form``)."""
    s = pd.Series(values, dtype=object).astype("string[pyarrow]").str.strip()
    if rules.id_case == "insensitive":
        s = s.str.upper()
    if not per_segment and rules.id_separators == "ignore":
        s = s.str.replace(r"[\s\-_./]", "", regex=True)
    if rules.id_leading_zeros == "ignore":
        s = s.str.replace(r"(?<!\d)0+(?=\d)", "", regex=True)
    if per_segment and rules.id_separators == "ignore":
        s = s.str.replace(r"[\s\-_./]", "", regex=True)
    s = s.where(s.str.len() > 0)
    # pandas-stubs refuse na_value=None, which pandas documents and this relies on
    return s.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload,no-any-return]


def rows(frame: pd.DataFrame, pos: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Records as plain dicts of the frame's objects (no pandas boxing, which dominates
    DataFrame.to_dict on wide object frames)."""
    cols = list(frame.columns)
    arrays = [frame[c].to_numpy(dtype=object) if pos is None else frame[c].to_numpy(dtype=object)[pos] for c in cols]
    return [dict(zip(cols, vals)) for vals in zip(*arrays)]


def _unique_pairs(ka: np.ndarray, kb: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of positions whose keys occur once on each side (a key on two invoices of a
    side is ambiguous and pairs nothing); in CRM position order."""
    # keys that occur once on each side, joined on integer codes of one factorisation
    # (Arrow-string joins cost Python work per value); pairs in CRM position order
    codes = pd.factorize(np.concatenate([ka, kb]), use_na_sentinel=True)[0]
    ca, cb = codes[:len(ka)], codes[len(ka):]
    k = int(codes.max()) + 1 if len(codes) else 0
    if k == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    na = np.bincount(ca[ca >= 0], minlength=k)
    nb = np.bincount(cb[cb >= 0], minlength=k)
    j_of = np.full(k, -1, dtype=np.int64)
    hit_b = (cb >= 0) & (nb[np.maximum(cb, 0)] == 1)
    j_of[cb[hit_b]] = np.asarray(ib, dtype=np.int64)[hit_b]
    hit_a = (ca >= 0) & (na[np.maximum(ca, 0)] == 1)
    hit_a &= j_of[np.maximum(ca, 0)] >= 0
    return np.asarray(ia, dtype=np.int64)[hit_a], j_of[ca[hit_a]]


def second_form(rules: Rules) -> bool:
    """Whether numbers have a second normalised form to be tried (``number_keys``): only where both
    separators and leading zeros are ignored do the two orders of dropping them differ."""
    return rules.id_separators == "ignore" and rules.id_leading_zeros == "ignore"


def match(crm: pd.DataFrame, erp: pd.DataFrame, customer_map: dict[str, str], rules: Rules
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(crm positions, erp positions, method) of matched invoices, one-to-one.

    Numbers written identically are joined first; only the rest are compared in their
    normalised form (case, spaces, separators, leading zeros per the id policy), which
    keeps a million clean invoice numbers off the slow path.
    """
    i, j = by_external_ref(crm, erp, rules)
    meth = np.full(len(i), "external_ref", dtype=object)
    raw_c, raw_e = crm["number"].to_numpy(dtype=object), erp["number"].to_numpy(dtype=object)
    left_c = np.ones(len(crm), dtype=bool)
    left_e = np.ones(len(erp), dtype=bool)
    left_c[i] = False
    left_e[j] = False
    rc, re_ = np.nonzero(left_c)[0], np.nonzero(left_e)[0]
    i1, j1 = _unique_pairs(raw_c[rc], raw_e[re_], rc, re_)
    left_c[i1] = False
    left_e[j1] = False
    found = [i1, j1]
    for per_segment in (True, False) if second_form(rules) else (True,):
        rc, re_ = np.nonzero(left_c)[0], np.nonzero(left_e)[0]
        if not (len(rc) and len(re_)):
            break
        i2, j2 = _unique_pairs(number_keys(pd.Series(raw_c[rc]), rules, per_segment),
                               number_keys(pd.Series(raw_e[re_]), rules, per_segment), rc, re_)
        left_c[i2] = False
        left_e[j2] = False
        found += [i2, j2]
    i, j = np.concatenate([i, *found[0::2]]), np.concatenate([j, *found[1::2]])
    meth = np.concatenate([meth, np.full(sum(len(x) for x in found[0::2]), "number", dtype=object)])

    # fallback: same linked customer, currency and amount, dates within the window
    used_c = np.zeros(len(crm), dtype=bool)
    used_e = np.zeros(len(erp), dtype=bool)
    used_c[i] = True
    used_e[j] = True
    rc, re_ = np.nonzero(~used_c)[0], np.nonzero(~used_e)[0]
    if len(rc) and len(re_) and customer_map:
        fc = pd.DataFrame({"i": rc, "cust": crm["customer_id"].to_numpy(dtype=object)[rc],
                           "ccy": crm["currency"].to_numpy(dtype=object)[rc],
                           "amt": crm["total_amount"].to_numpy(dtype=object)[rc],
                           "d1": crm["invoice_date"].to_numpy(dtype=object)[rc]})
        fc["cust"] = fc["cust"].map(lambda x: customer_map.get(x))
        fc = fc.dropna(subset=["cust", "amt"])
        fe = pd.DataFrame({"j": re_, "cust": erp["customer_id"].to_numpy(dtype=object)[re_],
                           "ccy": erp["currency"].to_numpy(dtype=object)[re_],
                           "amt": erp["total_amount"].to_numpy(dtype=object)[re_],
                           "d2": erp["invoice_date"].to_numpy(dtype=object)[re_]}).dropna(subset=["cust", "amt"])
        # a credit note pairs with a credit note of the same amount, whichever sign each system writes it with
        fc["cn"] = credit_mask(crm)[fc["i"].to_numpy(dtype=np.int64)]
        fe["cn"] = credit_mask(erp)[fe["j"].to_numpy(dtype=np.int64)]
        for f_ in (fc, fe):
            f_["amt"] = [_amount_key(d, cn) for d, cn in zip(f_["amt"], f_["cn"])]
            f_.drop(columns="cn", inplace=True)
        mm = fc.merge(fe, on=["cust", "ccy", "amt"])
        if len(mm):
            gap = [abs((x - y).days) if isinstance(x, date) and isinstance(y, date) else 10**6
                   for x, y in zip(mm["d1"], mm["d2"])]
            mm["gap"] = gap
            mm = mm[mm["gap"] <= rules.invoice_date_window].sort_values(["gap", "i", "j"], kind="mergesort")
            fi, fj = [], []
            # another invoice fitting as closely is a tie: never guess which one it is
            ties = (mm.groupby(["gap", "i"])["j"].transform("size").to_numpy() > 1) | \
                (mm.groupby(["gap", "j"])["i"].transform("size").to_numpy() > 1)
            for x, y, tie in zip(mm["i"].tolist(), mm["j"].tolist(), ties.tolist()):
                if used_c[x] or used_e[y] or tie:
                    continue
                used_c[x] = used_e[y] = True
                fi.append(x)
                fj.append(y)
            if fi:
                i = np.concatenate([i, np.array(fi, dtype=np.int64)])
                j = np.concatenate([j, np.array(fj, dtype=np.int64)])
                meth = np.concatenate([meth, np.full(len(fi), "customer+amount+date", dtype=object)])
    return i, j, meth


def _amount_key(amount: object, credit: bool) -> str:
    """An invoice amount as the fallback match joins it: 100, 100.00 and 100.0000 alike; a credit note by its size."""
    if not isinstance(amount, Decimal):
        return str(amount)
    return f"credit {abs(amount).normalize()}" if credit else str(amount.normalize())


def by_external_ref(crm: pd.DataFrame, erp: pd.DataFrame, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """(crm positions, erp positions) of ERP invoices whose reference to the CRM document
    (external_ref: BC externalDocumentNumber, Odoo ref) names exactly one CRM invoice, by
    its number (trimmed, any case) or its record id (15 or 18 characters). A reference
    shared by two ERP invoices, or naming two CRM invoices, pairs nothing: it is never guessed."""
    none = np.array([], dtype=np.int64)
    if "external_ref" not in erp.columns or not len(crm):
        return none, none
    refs = _trimmed(erp["external_ref"])
    je = np.nonzero(pd.notna(refs))[0]
    if not len(je):
        return none, none
    i, j = _unique_pairs(_trimmed(crm["number"]), refs[je], np.arange(len(crm)), je)
    # the rest may hold a CRM record id: joined on the 18-character id
    left = np.zeros(len(erp), dtype=bool)  # a mask, not setdiff1d: no sort of a million positions
    left[je] = True
    left[j] = False
    rest = np.nonzero(left)[0]
    shaped = pd.Series(refs[rest], dtype="string[pyarrow]").str.fullmatch(r"[0-9A-Z]{15}|[0-9A-Z]{18}")
    rest = rest[shaped.fillna(False).to_numpy(dtype=bool)]
    if len(rest):
        ext = erp["external_ref"].to_numpy(dtype=object)
        ref_ids = np.array([nz.sf_id_key(str(v).strip()) for v in ext[rest]], dtype=object)
        rest, ref_ids = rest[pd.notna(ref_ids)], ref_ids[pd.notna(ref_ids)]
        left_c = np.ones(len(crm), dtype=bool)
        left_c[i] = False
        rc = np.nonzero(left_c)[0]
        ids = np.array([nz.sf_id_key(v) for v in crm["record_id"].to_numpy(dtype=object)[rc]], dtype=object)
        i2, j2 = _unique_pairs(ids, ref_ids, rc, rest)
        i, j = np.concatenate([i, i2]), np.concatenate([j, j2])
    return i, j


def _trimmed(values: pd.Series) -> np.ndarray:
    """Values trimmed and upper-cased (vectorised); blank is None."""
    s = pd.Series(values, dtype=object).astype("string[pyarrow]").str.strip().str.upper()
    return s.where(s.str.len() > 0).to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload,no-any-return]


def _col(frame: pd.DataFrame, name: str, pos: np.ndarray) -> np.ndarray:
    column: np.ndarray = frame[name].to_numpy(dtype=object)[pos]
    return column


def _payment_dates(payments: pd.DataFrame | None, numbers: list[Any]) -> dict[str, Any]:
    """ERP invoice number -> the latest payment date applied to it, for the given invoices.
    Payments reference invoice numbers of their own system, so the join is exact."""
    if payments is None or payments.empty or not numbers:
        return {}
    hit = payments[payments["invoice_number"].isin(set(numbers))]
    last: dict[str, Any] = {}
    for k, d in zip(hit["invoice_number"], hit["payment_date"]):
        if d is not None and (k not in last or d > last[k]):
            last[k] = d
    return last


def _event_day(rec: dict[str, Any]) -> date | None:
    lm = rec.get("last_modified")
    if isinstance(lm, datetime):
        return (lm.astimezone(UTC) if lm.tzinfo else lm).date()
    return lm if isinstance(lm, date) else None


def compare(f: Findings, crm: pd.DataFrame, erp: pd.DataFrame, i: np.ndarray, j: np.ndarray,
            names: dict[Any, str], payments: pd.DataFrame | None = None, state: TaskState | None = None) -> None:
    rules, as_of = f.rules, f.config.as_of
    eq = {col: np.asarray(_col(crm, col, i) == _col(erp, col, j), dtype=bool)
          for col in ("currency", "total_amount", "open_balance", "status", "due_date")}
    same = eq["currency"] & eq["total_amount"] & eq["open_balance"] & eq["status"] & eq["due_date"]
    # "Partially paid" against an ERP "open" with the same part-paid balance is the same
    # state spelled by a system without a part-paid status: screened here in bulk.
    only_status = np.nonzero(~eq["status"] & eq["currency"] & eq["total_amount"] & eq["open_balance"]
                             & eq["due_date"])[0]
    if len(only_status):
        sc, se = _col(crm, "status", i[only_status]), _col(erp, "status", j[only_status])
        rc, re_ = _raw(crm, i[only_status]), _raw(erp, j[only_status])
        tot, bal = _col(erp, "total_amount", j[only_status]), _col(erp, "open_balance", j[only_status])
        ccy = _col(erp, "currency", j[only_status])
        tol = rules.tolerances["invoice_balance"]
        same[only_status] = [effective_status(a, ra, t, b, tol, cy) == effective_status(c, rc_, t, b, tol, cy)
                             for a, ra, c, rc_, t, b, cy in zip(sc, rc, se, re_, tot, bal, ccy)]
    todo = np.nonzero(~same)[0]
    crs = rows(crm, i[todo])
    ers = rows(erp, j[todo])
    paid_on = _payment_dates(payments, [er["number"] for cr, er in zip(crs, ers) if cr["status"] != er["status"]])
    for cr, er in zip(crs, ers):
        _compare_pair(f, cr, er, names, paid_on, rules, as_of)


def _raw(frame: pd.DataFrame, pos: np.ndarray) -> np.ndarray:
    if "status_raw" not in frame.columns:
        return np.full(len(pos), None, dtype=object)
    column: np.ndarray = frame["status_raw"].to_numpy(dtype=object)[pos]
    return column


def _convert(f: Findings, cr: dict[str, Any], er: dict[str, Any]
             ) -> tuple[Decimal | None, Decimal | None, dict[str, str] | None]:
    """ERP amounts in the CRM invoice's currency, and the rate used (None if same currency)."""
    if cr["currency"] == er["currency"]:
        return er["total_amount"], er["open_balance"], None
    hit = f.fx.rate(er["currency"], cr["currency"], er.get("invoice_date") or cr.get("invoice_date"))
    if hit is None:
        return None, None, None
    rate, day = hit

    def conv(v: Decimal | None) -> Decimal | None:
        # the ERP amount as the CRM currency writes it: 100.00 EUR at 1.08321234 is 108.32 USD, not 108.321234
        return None if v is None else rounded(v * rate, cr["currency"])
    fx = {"field": "fx_rate", "crm": cr["currency"], "erp": er["currency"], "rate": str(rate),
          "rate_date": day.isoformat(), "pair": f"{er['currency']}/{cr['currency']}"}
    return conv(er["total_amount"]), conv(er["open_balance"]), fx


def effective_status(status: str, raw: object, total: Decimal | None, balance: Decimal | None,
                     tol: Tolerance, currency: str | None) -> str:
    """The status compared (model.status.settle), with the balance tolerance of the run:
    a part payment or a paid balance is only one by more than the tolerance."""
    return settle(status, raw, total, balance, lambda amount: tol.negligible(currency, amount))


def _timing_severity(rules: Rules, late: int) -> str:
    for s in ("critical", "high", "medium"):
        if late >= rules.timing_days[s]:
            return s
    return "low"


def _compare_pair(f: Findings, cr: dict[str, Any], er: dict[str, Any], names: dict[Any, str], paid_on: dict[str, Any],
                  rules: Rules, as_of: date) -> None:
    """One exception per invoice pair: the first of amount, part payment, status, balance, due
    date that differs; every differing field is listed in its diffs."""
    ccy = cr["currency"]
    who = names.get(er.get("customer_id")) or names.get(cr.get("customer_id"))
    label = er.get("number") or er["record_id"]
    refs = dict(crm_object="invoices", crm_id=cr["record_id"], erp_object="invoices", erp_id=er["record_id"],
                customer_name=who)
    e_total, e_bal, fx = _convert(f, cr, er)
    extra = [fx] if fx else []
    one_currency = cr["currency"] == er["currency"]
    c_credit, e_credit = is_credit(cr), is_credit(er)
    if not one_currency:
        # each balance counts under its own currency in the control totals: that is the pair's whole share of
        # both currencies' difference, whatever an exception below reports of it in the CRM's currency
        f.not_reported(Unreported.OTHER_CURRENCY, cr["currency"],
                       receivable(cr["status"], c_credit, cr["open_balance"]))
        f.not_reported(Unreported.OTHER_CURRENCY, er["currency"],
                       -receivable(er["status"], e_credit, er["open_balance"]))
    if c_credit and e_credit and cr["total_amount"] is not None and e_total is not None \
            and (cr["total_amount"] < 0) != (e_total < 0) and e_total != 0 and cr["total_amount"] != 0:
        # one credit written in the two systems' sign conventions: the ERP's in the CRM's terms
        e_total, e_bal = -e_total, (None if e_bal is None else -e_bal)
    if e_total is None and er["total_amount"] is not None:
        f.add("invoice.amount_mismatch",
              f"Invoice {label} is in {ccy} in the CRM and {er['currency']} in the ERP, with no FX rate to compare.",
              field="currency", crm_value=ccy, erp_value=er["currency"], currency=er["currency"],
              amount_at_risk=er["total_amount"], diffs=[diff("currency", ccy, er["currency"])],
              proposal=f.propose("invoices", "currency", cr, er, ccy, er["currency"]), **refs)
        return
    on = er.get("invoice_date")
    tol_amt, tol_bal = rules.tolerances["invoice_amount"], rules.tolerances["invoice_balance"]
    c_total = cr["total_amount"]
    c_bal, e_bal = owed(cr["status"], cr["open_balance"]), owed(er["status"], e_bal)
    sc = effective_status(cr["status"], cr.get("status_raw"), c_total, c_bal, tol_bal, ccy)
    se = effective_status(er["status"], er.get("status_raw"), e_total, e_bal, tol_bal, ccy)
    amount_differs = c_total is not None and e_total is not None and not tol_amt.within(ccy, c_total, e_total)
    bal_differs = (c_bal is not None and e_bal is not None and not tol_bal.within(ccy, c_bal, e_bal)) or \
        ((c_bal is None) != (e_bal is None))
    bal_d = (c_bal or Decimal(0)) - (e_bal or Decimal(0))
    due_differs = cr.get("due_date") != er.get("due_date")
    # the ERP's figures as shown: in the CRM's terms within one currency, as the ERP holds them in another
    e_ccy = er["currency"]
    shown_total = e_total if one_currency else er["total_amount"]
    shown_bal = e_bal if one_currency else owed(er["status"], er["open_balance"])
    # the pair's share of the control totals' difference: an invoice against a credit note is apart by both
    gap = (receivable(cr["status"], c_credit, cr["open_balance"])
           - receivable(er["status"], e_credit, er["open_balance"]))
    counted = bal_differs or not tol_bal.within(ccy, gap, bal_d)
    if one_currency and not counted:
        f.not_reported(Unreported.WITHIN_TOLERANCE, ccy, gap)

    diffs = []
    if amount_differs:
        diffs.append(diff("total_amount", c_total, shown_total, ccy, e_ccy))
    if sc != se:
        diffs.append({"field": "status", "crm": cr.get("status_raw") or sc, "erp": er.get("status_raw") or se})
    if bal_differs:
        diffs.append(diff("open_balance", c_bal, shown_bal, ccy, e_ccy))
    if due_differs:
        diffs.append(diff("due_date", cr.get("due_date"), er.get("due_date")))
    diffs += extra
    explains = gap if counted and one_currency else None
    # what else differs on the pair, for a fix that must carry it along (same currency only:
    # an ERP balance in another currency is no value to write into the CRM)
    along = {"status": (cr["status"], er["status"]) if sc != se and cr["status"] != er["status"] and one_currency
             else None,
             "open_balance": (cr["open_balance"], e_bal) if bal_differs and one_currency else None}

    def implied(first: str, *fields: str) -> list[tuple[str, Any, Any]]:
        """The fields a fix of ``first`` implies: they differ too and the same system owns them."""
        owner = rules.owner("invoices", first)
        return [(x, *pair) for x in fields if (pair := along[x]) is not None and rules.owner("invoices", x) == owner]

    if amount_differs:
        d = c_total - e_total
        f.add("invoice.amount_mismatch",
              f"Invoice {label} totals {said(c_total, ccy)} in the CRM but "
              f"{said(shown_total, e_ccy)} in the ERP.",
              field="total_amount", crm_value=c_total, erp_value=shown_total, erp_currency=e_ccy, difference=d,
              amount_at_risk=abs(d), currency=ccy, on=on, diffs=diffs, explains=explains,
              proposal=f.propose("invoices", "total_amount", cr, er, c_total, e_total, currency=ccy,
                                 also=implied("total_amount", "open_balance", "status") if one_currency else None),
              **refs)
        return
    if (sc == "open" and se == "partially_paid" and c_bal is not None and c_total is not None
            and c_bal == c_total and bal_d > 0):
        f.add("invoice.partial_payment_not_reflected",
              f"Invoice {label} is part-paid in the ERP ({said(shown_bal, e_ccy)} open) "
              f"but the CRM shows no payment ({said(c_bal, ccy)} open).",
              field="open_balance", crm_value=c_bal, erp_value=shown_bal, erp_currency=e_ccy, difference=bal_d,
              amount_at_risk=abs(bal_d), currency=ccy, on=on, explains=explains, diffs=diffs,
              proposal=f.propose("invoices", "open_balance", cr, er, cr["open_balance"], e_bal, currency=ccy,
                                 also=implied("open_balance", "status")), **refs)
        return
    if sc != se:
        day = paid_on.get(er["number"]) or _event_day(er)
        erp_event = se in ("paid", "void", "credit_note") and sc in UNPAID and day is not None
        age = (as_of - day).days if erp_event and day is not None else 0  # read only for an ERP event
        as_timing = erp_event and rules.erp_events_as == "timing"
        if as_timing and age <= rules.lag_days:  # the CRM has not caught up within the allowed lag yet
            if one_currency and counted:
                f.not_reported(Unreported.IN_FLIGHT, ccy, gap)
            return
        what = {"paid": "paid", "void": "cancelled", "credit_note": "credited"}.get(se)
        timing = ""
        if erp_event and day is not None:
            # an event after the as-of date (a payment posted on the 1st, a stamp past midnight UTC) is
            # that many days after it, never "-1 days before"
            days = f"{abs(age)} day{'' if abs(age) == 1 else 's'} {'before' if age >= 0 else 'after'}"
            timing = f" The ERP recorded it {what} on {day.isoformat()}, {days} {as_of.isoformat()}"
            timing += " (within the sync lag)." if age <= rules.lag_days else "."
        sev = _timing_severity(rules, age - rules.lag_days) if erp_event and age > rules.lag_days else None
        risk = max(abs(c_bal or Decimal(0)), abs(e_bal or Decimal(0)))
        type_ = "timing.event_not_reflected" if as_timing else "invoice.status_mismatch"
        f.add(type_,
              f"Invoice {label} is {sc.replace('_', ' ')} in the CRM but {se.replace('_', ' ')} in the ERP"
              + (" (overdue)." if is_overdue(se, er.get("due_date"), e_bal, as_of) else ".") + timing,
              field="status", crm_value=cr.get("status_raw") or sc, erp_value=er.get("status_raw") or se,
              difference=bal_d if bal_differs else None, amount_at_risk=risk, currency=ccy, on=on, severity=sev,
              explains=explains, diffs=diffs,
              proposal=f.propose("invoices", "status", cr, er, cr["status"], er["status"], currency=ccy,
                                 also=implied("status", "open_balance")),
              **refs)
        return
    if bal_differs:
        f.add("invoice.balance_mismatch",
              f"Invoice {label} has {said(c_bal, ccy)} open in the CRM but "
              f"{said(shown_bal, e_ccy)} in the ERP.",
              field="open_balance", crm_value=c_bal, erp_value=shown_bal, erp_currency=e_ccy, difference=bal_d,
              amount_at_risk=abs(bal_d), currency=ccy, on=on, explains=explains, diffs=diffs,
              proposal=f.propose("invoices", "open_balance", cr, er, cr["open_balance"], e_bal, currency=ccy),
              **refs)
        return
    if due_differs:
        cd, ed = cr.get("due_date"), er.get("due_date")
        bucket = aging_bucket(ed, as_of)
        f.add("invoice.due_date_mismatch",
              f"Invoice {label} is due {cd or 'never'} in the CRM but {ed or 'never'} in the ERP"
              + (f" (ERP aging {bucket})." if bucket != "current" else "."),
              field="due_date", crm_value=cd, erp_value=ed, amount_at_risk=e_bal or Decimal(0), currency=ccy,
              on=on, diffs=diffs, proposal=f.propose("invoices", "due_date", cr, er, cd, ed), **refs)


def missing(f: Findings, crm: pd.DataFrame, erp: pd.DataFrame, i: np.ndarray, j: np.ndarray,
            names: dict[Any, str]) -> None:
    for side, frame, matched in (("crm", crm, i), ("erp", erp, j)):
        left = np.ones(len(frame), dtype=bool)
        left[matched] = False
        claims = ~np.isin(frame["status"].to_numpy(dtype=object), NOT_A_CLAIM)
        sign = 1 if side == "crm" else -1
        for r in rows(frame, np.nonzero(left & ~claims)[0]):
            f.not_reported(Unreported.DRAFTS, r["currency"], sign * receivable(r["status"], is_credit(r),
                                                                                 r["open_balance"]))
        for r in rows(frame, np.nonzero(left & claims)[0]):
            ccy = r["currency"]
            label = r.get("number") or r["record_id"]
            bal = receivable(r["status"], is_credit(r), r["open_balance"])
            # what is at stake is the document's amount, whichever sign a credit note is written with;
            # nothing of a cancelled invoice is owed
            risk = Decimal(0) if r["status"] == "void" else abs(r["total_amount"] or Decimal(0))
            if side == "crm":
                f.add("invoice.missing_in_erp",
                      f"Invoice {label} ({said(r['total_amount'], ccy)}) is in the CRM but not in the ERP.",
                      crm_object="invoices", crm_id=r["record_id"], customer_name=names.get(r.get("customer_id")),
                      field=None, crm_value=r["total_amount"], amount_at_risk=risk,
                      currency=ccy, on=r.get("invoice_date"), explains=bal,
                      diffs=[diff("total_amount", r["total_amount"], None, ccy)])
            else:
                f.add("invoice.missing_in_crm",
                      f"Invoice {label} ({said(r['total_amount'], ccy)}, {r['status']}) is in the ERP but not "
                      f"in the CRM.",
                      erp_object="invoices", erp_id=r["record_id"], customer_name=names.get(r.get("customer_id")),
                      field=None, erp_value=r["total_amount"], amount_at_risk=risk,
                      currency=ccy, on=r.get("invoice_date"), explains=-bal,
                      diffs=[diff("total_amount", None, r["total_amount"], ccy)])


def _sum(values: np.ndarray) -> Decimal:
    """Exact Decimal sum of an object array (None counts as nothing), summed in C."""
    vals = values[pd.notna(values)]
    return np.add.reduce(vals, initial=Decimal(0)) if len(vals) else Decimal(0)


def credit_mask(frame: pd.DataFrame) -> np.ndarray:
    """Which rows are credit notes: by status, or the source's own flag."""
    credit: np.ndarray = frame["status"].to_numpy(dtype=object) == "credit_note"
    if "is_credit_note" in frame.columns:
        credit |= frame["is_credit_note"].to_numpy(dtype=object) == True  # noqa: E712 - None is no credit note
    return credit


def control_totals(side: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Per currency: documents, their total and the open receivable. Credit notes count against both
    whichever sign their system writes them with, a cancelled invoice leaves nothing open (see receivable)."""
    if frame.empty:
        return []
    out = []
    credit = credit_mask(frame)
    void = frame["status"].to_numpy(dtype=object) == "void"
    tot = frame["total_amount"].to_numpy(dtype=object).copy()
    bal = frame["open_balance"].to_numpy(dtype=object).copy()
    for n in np.nonzero(credit | void)[0].tolist():
        if tot[n] is not None and credit[n]:
            tot[n] = -abs(tot[n])
        if bal[n] is not None:
            bal[n] = Decimal(0) if void[n] else -abs(bal[n])
    for c, idx in sorted(frame.groupby("currency", sort=True).indices.items()):
        out.append({"side": side, "currency": c, "invoices": int(len(idx)),
                    "total_amount": _sum(tot[idx]), "open_balance": _sum(bal[idx])})
    return out


def aging(frame: pd.DataFrame, as_of: date) -> dict[str, dict[str, str]]:
    """Open balance of unpaid invoices per currency and aging bucket (relative to as_of)."""
    if frame.empty:
        return {}
    unpaid = frame[frame["status"].isin(UNPAID)]
    if unpaid.empty:
        return {}
    ref = as_of.toordinal()
    days = np.fromiter((ref - d.toordinal() if d is not None else 0 for d in unpaid["due_date"]),
                       dtype=np.int64, count=len(unpaid))
    bucket = np.select([days <= 0, days <= 30, days <= 60, days <= 90], ["current", "1-30", "31-60", "61-90"],
                       default="90+")
    bal = unpaid["open_balance"].to_numpy(dtype=object)
    keys = pd.DataFrame({"c": unpaid["currency"].to_numpy(dtype=object), "b": bucket})
    out: dict[str, dict[str, str]] = {}
    # pandas-stubs key .indices by Hashable; grouped by two columns, the keys are (currency, bucket)
    groups: dict[tuple[str, str], np.ndarray] = keys.groupby(["c", "b"], sort=True).indices  # type: ignore[assignment]
    for (c, b), idx in sorted(groups.items()):
        out.setdefault(c, {})[b] = str(_sum(bal[idx]))
    return out
