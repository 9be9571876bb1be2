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
from workbench.model.labels import field_label, is_money_field, kind_label, system_label, value_text
from workbench.model.missing import is_missing
from workbench.model.money import format_amount
from workbench.reconcile.fx import FxTable
from workbench.reconcile.result import EXCEPTION_COLUMNS, Unreported, empty_exceptions
from workbench.reconcile.rules import SEVERITIES, TYPE_SEVERITY, Rules

SIDE_LABEL = {"crm": "CRM", "erp": "ERP"}


def jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def display(v: Any, currency: str | None = None) -> str | None:
    """A value as the source shows it (original), money with its currency's decimals; missing
    (None, nan, NaT) stays None, never the text "nan"."""
    if is_missing(v):
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
        # and the parts of it no exception reports, per reason: currency -> sum of (crm - erp)
        self.unreported: dict[Unreported, dict[str, Decimal]] = {why: defaultdict(Decimal) for why in Unreported}
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
                crm_value: Any, erp_value: Any, label: str | None = None, currency: str | None = None,
                also: list[tuple[str, Any, Any]] | None = None) -> dict[str, Any] | None:
        """Correction per the ownership rule of kind.field: the non-owner takes the owner's value.

        ``also``: (field, crm value, erp value) of fields the same fix implies on the same record
        (an invoice set back to open needs its open balance too); each is taken from the side
        that owns the first field, so one approval and one write per record fix the whole of it."""
        owner = self.rules.owner(kind, fld)
        what = label or f"{kind_label(kind).lower()} {field_label(fld).lower()}"
        rule = f'[rules.ownership] {kind}.{fld} = "{owner}"'
        target = self.rules.shared_target if owner == "shared" else ("crm" if owner == "erp" else "erp")
        system = system_label(self.systems[target], target)
        to = erp_value if target == "crm" else crm_value
        if owner == "shared":
            needs = True
            reason = f"ownership of {what} is shared ({rule}): a person decides which value is right"
            text = (f"The CRM and the ERP share {what}, so a person decides which is right: "
                    f"CRM {quoted(crm_value, fld, currency)}, ERP {quoted(erp_value, fld, currency)}")
        elif is_missing(to):
            # the owner holds nothing to copy; blanking the other side is a person's call
            needs, to = True, None
            reason = f"the {SIDE_LABEL[owner]} (authoritative for {what}) has no value; a person decides"
            text = (f"The {SIDE_LABEL[owner]} owns {what} but holds no value, so a person decides "
                    f"whether to clear it in {system}")
        else:
            needs = False
            reason = f"the {SIDE_LABEL[owner]} is authoritative for {what} ({rule})"
            text = f"The {SIDE_LABEL[owner]} owns {what}, so set {system} to {quoted(to, fld, currency)}"
        prop = self.proposal(target, kind, crm_rec if target == "crm" else erp_rec, fld,
                             crm_value if target == "crm" else erp_value, to, needs, reason, text=text, rule=rule)
        if prop is not None and also and not needs:
            extra = [(f_, c if target == "crm" else e, e if target == "crm" else c) for f_, c, e in also]
            prop["also"] = [{"field": f_, "from": jsonable(now), "to": jsonable(new)} for f_, now, new in extra]
            prop["text"] = text + "".join(f", and its {field_label(f_).lower()} to {quoted(new, f_, currency)}"
                                          for f_, _, new in extra)
        return prop

    def proposal(self, target: str, kind: str, rec: dict[str, Any] | None, fld: str, current: Any, to: Any,
                 needs: bool, reason: str, *, text: str | None = None, rule: str | None = None,
                 currency: str | None = None) -> dict[str, Any] | None:
        """A proposed change of one field of one record. ``text`` is the sentence a person reads
        ("The ERP owns invoice status, so set Salesforce to Open"); ``rule`` what it follows, in
        config syntax (shown on hover); ``reason`` is kept for readers of older proposals."""
        if rec is None:
            return None
        if text is None:
            system = system_label(self.systems[target], target)
            text = (f"Set the {field_label(fld).lower()} in {system} to {quoted(to, fld, currency)}: "
                    f"{reason}" if not needs else f"A person decides the {field_label(fld).lower()} in {system}: "
                                                  f"{reason}")
        return {"target_side": target, "target_system": self.systems[target], "object": kind,
                "record_id": rec.get("record_id"), "field": fld, "from": jsonable(current), "to": jsonable(to),
                "version": rec.get("version"), "needs_decision": bool(needs), "reason": reason,
                "text": text, "rule": rule}

    # -- rows -----------------------------------------------------------------------------------------
    def add(self, type_: str, message: str, *, crm_object: str | None = None, crm_id: str | None = None,
            erp_object: str | None = None, erp_id: str | None = None, customer_name: str | None = None,
            field: str | None = None, crm_value: Any = None, erp_value: Any = None,
            difference: Decimal | None = None, amount_at_risk: Decimal | None = None,
            currency: str | None = None, diffs: list[dict[str, Any]] | None = None,
            proposal: dict[str, Any] | None = None,
            severity: str | None = None, on: date | None = None, explains: Decimal | None = None,
            erp_currency: str | None = None) -> None:
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
                          None, None, customer_name, field, display(crm_value, currency),
                          display(erp_value, erp_currency or currency),
                          difference, risk, currency, diffs or [], proposal, message])

    def not_reported(self, why: Unreported, currency: str | None, amount: Decimal) -> None:
        """Part of the open-balance difference that no exception carries, and why."""
        if currency and amount:
            self.unreported[why][currency] += amount

    def frame(self) -> pd.DataFrame:
        if not self.rows:
            return empty_exceptions()
        df = pd.DataFrame(self.rows, columns=EXCEPTION_COLUMNS, dtype=object)
        order = {t: n for n, t in enumerate(TYPE_SEVERITY)}
        df["_o"] = df["type"].map(order)
        df = df.sort_values(["_o", "key"], kind="mergesort").drop(columns="_o").reset_index(drop=True)
        return df


def quoted(v: Any, fld: str | None = None, currency: str | None = None) -> str:
    """A value inside a sentence: money with its currency, a status in words, text in quotes,
    and "no value" for a missing one (never None, nan or NaT)."""
    if is_missing(v) or (isinstance(v, str) and not v.strip()):
        return "no value"
    if isinstance(v, Decimal):
        return format_amount(v, currency)
    shown = value_text(v, fld, currency)
    if isinstance(v, str) and shown == v and not (fld and is_money_field(fld)):
        return f"'{v}'"
    return shown


def said(v: Any, currency: str | None = None) -> str:
    """An amount (or any value) in a message: "1,234.50 EUR", "no value" when missing."""
    return quoted(v, None, currency)


def side_values(a: Any, b: Any, fld: str | None = None, currency: str | None = None) -> str:
    """"CRM 'Acme', ERP 'ACME GmbH'", or "CRM 'Acme', missing in the ERP" when one side has none."""
    if is_missing(b) or (isinstance(b, str) and not b.strip()):
        return f"CRM {quoted(a, fld, currency)}, missing in the ERP"
    if is_missing(a) or (isinstance(a, str) and not a.strip()):
        return f"missing in the CRM, ERP {quoted(b, fld, currency)}"
    return f"CRM {quoted(a, fld, currency)}, ERP {quoted(b, fld, currency)}"


def diff(fld: str, crm: Any, erp: Any, currency: str | None = None, erp_currency: str | None = None
         ) -> dict[str, Any]:
    """A differing field as display text; ``erp_currency`` when the ERP holds the amount in another currency."""
    return {"field": fld, "crm": display(crm, currency), "erp": display(erp, erp_currency or currency)}
