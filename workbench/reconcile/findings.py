"""Collects exceptions as rows of EXCEPTION_COLUMNS: severity, proposal, stable key.

Amount at risk is always a non-negative Decimal in the exception's currency (what each
type puts there is documented in docs/guide/runs.md, "Amount at risk"). Severity is the larger of the
type's floor and the band the amount at risk falls in (converted to the rules'
base currency when an FX rate allows).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.config import RunConfig
from workbench.model.money import format_amount
from workbench.reconcile.fx import FxTable
from workbench.reconcile.result import EXCEPTION_COLUMNS, empty_exceptions
from workbench.reconcile.rules import SEVERITIES, TYPE_SEVERITY, Rules

SIDE_LABEL = {"crm": "CRM", "erp": "ERP"}


def jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def display(v: Any, currency: str | None = None) -> str | None:
    """A value as the source shows it (original), money with its currency's decimals."""
    if v is None:
        return None
    if isinstance(v, Decimal):
        return format_amount(v, currency)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


class Findings:
    def __init__(self, config: RunConfig, rules: Rules, fx: FxTable):
        self.config, self.rules, self.fx = config, rules, fx
        self.rows: list[list[Any]] = []
        self._keys: set[str] = set()
        # reconciling-difference attribution: currency -> sum of (crm - erp) open balance explained
        self.explained: dict[str, Decimal] = defaultdict(Decimal)
        self.systems = {s: str((config.raw.get(s) or {}).get("system")
                               or (config.raw.get(s) or {}).get("connector") or s)
                        for s in ("crm", "erp")}

    # -- severity -------------------------------------------------------------------------------------
    def severity(self, type_: str, amount: Decimal | None, currency: str | None, on: date | None) -> str:
        floor = TYPE_SEVERITY.get(type_, "low")
        band = "low"
        if amount:
            value = amount
            base = self.rules.base_currency
            if base and currency and currency != base:
                hit = self.fx.convert(amount, currency, base, on or self.config.as_of)
                value = hit[0] if hit else amount
            for sev in ("critical", "high", "medium"):
                if value >= self.rules.severity_amounts[sev]:
                    band = sev
                    break
        return max(floor, band, key=SEVERITIES.index)

    # -- proposal -------------------------------------------------------------------------------------
    def propose(self, kind: str, fld: str, crm_rec: dict[str, Any] | None, erp_rec: dict[str, Any] | None,
                crm_value: Any, erp_value: Any, label: str | None = None) -> dict[str, Any] | None:
        """Correction per the ownership rule of kind.field: the non-owner takes the owner's value."""
        owner = self.rules.owner(kind, fld)
        what = label or f"{kind}.{fld}"
        if owner == "shared":
            target, needs = self.rules.shared_target, True
            reason = (f"ownership of {what} is shared ([rules.ownership] {kind}.{fld} = \"shared\"): "
                      f"a person decides which value is right")
        else:
            target, needs = ("crm" if owner == "erp" else "erp"), False
            reason = (f"the {SIDE_LABEL[owner]} is authoritative for {what} "
                      f"([rules.ownership] {kind}.{fld} = \"{owner}\")")
        to = erp_value if target == "crm" else crm_value
        if to is None and not needs:
            # the owner holds nothing to copy; blanking the other side is a person's call
            needs, reason = True, f"the {SIDE_LABEL[owner]} (authoritative for {what}) has no value; a person decides"
            to = None
        return self.proposal(target, kind, crm_rec if target == "crm" else erp_rec, fld,
                             crm_value if target == "crm" else erp_value, to, needs, reason)

    def proposal(self, target: str, kind: str, rec: dict[str, Any] | None, fld: str, current: Any, to: Any,
                 needs: bool, reason: str) -> dict[str, Any] | None:
        if rec is None:
            return None
        return {"target_side": target, "target_system": self.systems[target], "object": kind,
                "record_id": rec.get("record_id"), "field": fld, "from": jsonable(current), "to": jsonable(to),
                "version": rec.get("version"), "needs_decision": bool(needs), "reason": reason}

    # -- rows -----------------------------------------------------------------------------------------
    def add(self, type_: str, message: str, *, crm_object: str | None = None, crm_id: str | None = None,
            erp_object: str | None = None, erp_id: str | None = None, customer_name: str | None = None,
            field: str | None = None, crm_value: Any = None, erp_value: Any = None,
            difference: Decimal | None = None, amount_at_risk: Decimal | None = None,
            currency: str | None = None, diffs: list[dict[str, Any]] | None = None,
            proposal: dict[str, Any] | None = None,
            severity: str | None = None, on: date | None = None, explains: Decimal | None = None) -> None:
        key = f"{type_}|{crm_id}|{erp_id}|{field}"
        if key in self._keys:
            return
        self._keys.add(key)
        risk = abs(amount_at_risk) if amount_at_risk is not None else Decimal(0)
        sev = severity or self.severity(type_, risk, currency, on)
        if severity:
            sev = max(sev, self.severity(type_, risk, currency, on), key=SEVERITIES.index)
        if explains is not None and currency:
            self.explained[currency] += explains
        self.rows.append([key, type_, type_.split(".", 1)[0], sev, crm_object, crm_id, erp_object, erp_id,
                          None, None, customer_name, field, display(crm_value, currency), display(erp_value, currency),
                          difference, risk, currency, diffs or [], proposal, message])

    def frame(self) -> pd.DataFrame:
        if not self.rows:
            return empty_exceptions()
        df = pd.DataFrame(self.rows, columns=EXCEPTION_COLUMNS, dtype=object)
        order = {t: n for n, t in enumerate(TYPE_SEVERITY)}
        df["_o"] = df["type"].map(order)
        df = df.sort_values(["_o", "key"], kind="mergesort").drop(columns="_o").reset_index(drop=True)
        return df


def diff(fld: str, crm: Any, erp: Any, currency: str | None = None) -> dict[str, Any]:
    return {"field": fld, "crm": display(crm, currency), "erp": display(erp, currency)}
