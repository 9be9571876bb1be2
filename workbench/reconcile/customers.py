"""Customer exceptions from the linking: missing, cross-references, duplicates, attributes,
data quality on linked pairs, hierarchy, and credit holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.model.labels import FIELD_LABELS, field_label, system_label
from workbench.model.missing import is_missing
from workbench.reconcile import normalize as nz
from workbench.reconcile.findings import Findings, diff, side_values
from workbench.reconcile.linking import Features, Linking
from workbench.reconcile.rules import Rules

# Comparison form per attribute: equal keys are the same value written differently.
_KEYS: dict[str, Callable[[Any, Any], Any]] = {
    "postcode": lambda v, c: nz.postcode_key(v, c),
    "state": lambda v, c: nz.state_key(v),
    "country": lambda v, c: nz.country_key(v),
    "currency": lambda v, c: (str(v).strip().upper() or None) if v is not None else None,
}
_LABEL = {"name": "legal name", "street": "billing street", "city": "billing city", "postcode": "billing postcode",
          "state": "billing state", "country": "billing country", "tax_id": "tax id", "currency": "currency"}


class Exposure:
    """Open balance per customer (by side and record position) for amount at risk."""

    def __init__(self, crm: Mapping[int, tuple[Decimal, str | None]], erp: Mapping[int, tuple[Decimal, str | None]]
                 ) -> None:
        self.crm, self.erp = crm, erp

    def of(self, side: str, pos: int | None) -> tuple[Decimal, str | None]:
        if pos is None or pos < 0:
            return Decimal(0), None
        return (self.crm if side == "crm" else self.erp).get(pos, (Decimal(0), None))


class _Risk:
    """A customer's exposure, looked up only when an exception on it needs the amount."""

    def __init__(self, exposure: Exposure, side: str, pos: int):
        self._args = (exposure, side, pos)
        self._value: tuple[Decimal, str | None] | None = None

    def _get(self) -> tuple[Decimal, str | None]:
        if self._value is None:
            exposure, side, pos = self._args
            self._value = exposure.of(side, pos)
        return self._value

    @property
    def amt(self) -> Decimal:
        return self._get()[0]

    @property
    def ccy(self) -> str | None:
        return self._get()[1]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    from workbench.reconcile.invoices import rows
    return rows(frame)


def _holds_xrefs(frame: pd.DataFrame) -> bool:
    return bool(frame["xref"].notna().any()) if len(frame) else False


def customer_exceptions(f: Findings, crm: pd.DataFrame, erp: pd.DataFrame, lk: Linking, c: Features, e: Features,
                        exposure: Exposure) -> None:
    rules = f.rules
    crec, erec = _records(crm), _records(erp)
    links = lk.links
    auto = links[links["status"] == "auto"]
    sugg = links[links["status"] == "suggested"]
    linked_c = set(auto["i"].tolist()) | set(sugg["i"].tolist())
    linked_e = set(auto["j"].tolist()) | set(sugg["j"].tolist())
    pair_of_c = dict(zip(auto["i"].tolist(), auto["j"].tolist()))
    pair_of_e = dict(zip(auto["j"].tolist(), auto["i"].tolist()))
    crm_holds, erp_holds = _holds_xrefs(crm), _holds_xrefs(erp)
    parents = _Parents(crm, erp, c, e)

    dup_c = {d[0] for d in lk.duplicates if d[3] == "crm"}
    dup_e = {d[1] for d in lk.duplicates if d[3] == "erp"}
    for ci, ej, other, side in lk.duplicates:
        cr, er = crec[ci], erec[ej]
        amt, ccy = exposure.of("erp", ej)
        if side == "crm":
            first = crec[other]
            msg = (f"CRM accounts {first['record_id']} and {cr['record_id']} both describe ERP customer "
                   f"{er.get('number') or er['record_id']} ({er['name']}); one of them is a duplicate.")

        else:
            first = erec[other]
            msg = (f"ERP customers {first.get('number') or first['record_id']} and "
                   f"{er.get('number') or er['record_id']} "
                   f"both describe CRM account {cr['record_id']} ({cr['name']}); one of them is a duplicate.")

        f.add("customer.duplicate", msg, crm_object="customers", crm_id=cr["record_id"], erp_object="customers",
              erp_id=er["record_id"], customer_name=cr["name"] if side == "crm" else er["name"],
              amount_at_risk=amt, currency=ccy, proposal=None,  # a merge is a person's job, not a field write
              diffs=[diff("name", cr["name"], er["name"]),
                     {"field": "duplicate_of", "crm": first["record_id"] if side == "crm" else None,
                      "erp": first["record_id"] if side == "erp" else None}])

    # records with no counterpart
    for ci, r in enumerate(crec):
        if ci in linked_c or ci in dup_c:
            continue
        amt, ccy = exposure.of("crm", ci)
        stale = (f" Its cross-reference {r['xref']!r} matches no ERP customer that fits."
                 if not _blank(r.get("xref")) else "")
        f.add("customer.missing_in_erp", f"CRM account {who(r, {})} has no customer in the ERP.{stale}",
              crm_object="customers", crm_id=r["record_id"], customer_name=r["name"], amount_at_risk=amt, currency=ccy,
              crm_value=r["name"])
    for ej, r in enumerate(erec):
        if ej in linked_e or ej in dup_e:
            continue
        amt, ccy = exposure.of("erp", ej)
        f.add("customer.missing_in_crm",
              f"ERP customer {r.get('number') or r['record_id']}"
              f"{'' if _blank(r.get('name')) else ' ' + str(r['name'])} has no account in the CRM.",
              erp_object="customers", erp_id=r["record_id"], customer_name=r["name"], amount_at_risk=amt, currency=ccy,
              erp_value=r["name"])

    # cross-references on auto links, for the links where anything can differ
    for row in auto[_worth_a_look(rules, crm, erp, auto, c, e, lk, crm_holds, erp_holds)].itertuples(index=False):
        ci, ej = int(row.i), int(row.j)  # type: ignore[arg-type]  # pandas-stubs: a tuple field is any scalar
        cr, er = crec[ci], erec[ej]
        risk = _Risk(exposure, "erp", ej)
        number = er.get("number") or er["record_id"]
        c_points, e_points = lk.crm_xref_target[ci], lk.erp_xref_target[ej]
        c_blank, e_blank = c.xref_key[ci] is None, e.xref_key[ej] is None
        wrong_c = not c_blank and c_points != ej
        wrong_e = not e_blank and e_points != ci
        if wrong_c or wrong_e:
            dfs = []
            if wrong_c:
                dfs.append({"field": "crm.xref", "crm": cr.get("xref"), "erp": number})
                prop = f.proposal("crm", "customers", cr, "xref", cr.get("xref"), number, False,
                                  f"the CRM cross-reference points at another ERP customer while the evidence "
                                  f"({row.method}, {row.confidence:.2f}) links this account to {number}",
                                  text=f"The evidence ({_evidence(row.method)}) links this account to ERP customer "
                                       f"{number}, so set the cross-reference in {_system(f, 'crm')} to '{number}'",
                                  rule=_link_rule(rules))
            if wrong_e:
                dfs.append({"field": "erp.xref", "crm": cr["record_id"], "erp": er.get("xref")})
                if not wrong_c:
                    prop = f.proposal("erp", "customers", er, "xref", er.get("xref"), cr["record_id"], False,
                                      f"the ERP cross-reference points at another CRM account while the evidence "
                                      f"({row.method}, {row.confidence:.2f}) links this customer to {cr['record_id']}",
                                      text=f"The evidence ({_evidence(row.method)}) links this customer to CRM account "
                                           f"{who(cr, er)}, so set the cross-reference in {_system(f, 'erp')} to "
                                           f"'{cr['record_id']}'",
                                      rule=_link_rule(rules))
            where = "CRM" if wrong_c else "ERP"
            shown = cr.get("xref") if wrong_c else er.get("xref")
            f.add("customer.wrong_xref",
                  f"{where} cross-reference {shown!r} of {cr['name']} points at a different customer than the "
                  f"evidence ({row.method}); it should be {number if wrong_c else cr['record_id']}.",
                  crm_object="customers", crm_id=cr["record_id"], erp_object="customers", erp_id=er["record_id"],
                  customer_name=cr["name"], field="xref", crm_value=cr.get("xref"), erp_value=er.get("xref"),
                  amount_at_risk=risk.amt, currency=risk.ccy, diffs=dfs, proposal=prop)
        elif _xref_missing(rules, c_blank, e_blank, crm_holds, erp_holds):
            owner = rules.owner("customers", "xref")
            if (c_blank and (crm_holds or not erp_holds or owner == "erp")
                    and not (e_blank and owner == "crm" and erp_holds)):
                prop = f.proposal("crm", "customers", cr, "xref", None, number, False,
                                  f"linked by {row.method} ({row.confidence:.2f}) with the CRM cross-reference blank",
                                  text=f"Linked to ERP customer {number} by {_evidence(row.method)}, so fill the blank "
                                       f"cross-reference in {_system(f, 'crm')} with '{number}'",
                                  rule=f'[rules.ownership] customers.xref = "{owner}"')
                side = "CRM"
            else:
                prop = f.proposal("erp", "customers", er, "xref", None, cr["record_id"], False,
                                  f"linked by {row.method} ({row.confidence:.2f}) with the ERP cross-reference blank",
                                  text=f"Linked to CRM account {who(cr, er)} by {_evidence(row.method)}, so fill the "
                                       f"blank cross-reference in {_system(f, 'erp')} with '{cr['record_id']}'",
                                  rule=f'[rules.ownership] customers.xref = "{owner}"')
                side = "ERP"
            f.add("customer.missing_xref",
                  f"{cr['name']} is linked to ERP customer {number} by {row.method} evidence but the {side} "
                  f"cross-reference is blank.",
                  crm_object="customers", crm_id=cr["record_id"], erp_object="customers", erp_id=er["record_id"],
                  customer_name=cr["name"], field="xref", crm_value=cr.get("xref"), erp_value=er.get("xref"),
                  proposal=prop)

        _attributes(f, cr, er, risk)
        _data_quality(f, cr, er)
        _hierarchy(f, cr, er, parents, pair_of_c, pair_of_e)
        _credit(f, cr, er, risk)


def _xref_missing(rules: Rules, c_blank: bool, e_blank: bool, crm_holds: bool, erp_holds: bool) -> bool:
    """Whether a linked pair's blank cross-reference is a finding. The cross-reference is the
    field the ownership rule writes (customers.xref = "erp": the ERP number in the CRM field;
    "crm": the CRM id in the ERP field; "shared": both); blank there is missing. The other
    side's back-reference, blank while the cross-reference names the partner, leaves the link
    proven: a completeness note reported only with [rules.customers] blank_back_reference =
    "report"."""
    if c_blank and e_blank:
        return True
    owner = rules.owner("customers", "xref")
    if c_blank and crm_holds and (owner != "crm" or rules.blank_back_reference == "report"):
        return True
    return e_blank and erp_holds and (owner != "erp" or rules.blank_back_reference == "report")


def _column(frame: pd.DataFrame, name: str, pos: np.ndarray) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(pos), None, dtype=object)
    column: np.ndarray = frame[name].to_numpy(dtype=object)[pos]
    return column


def _blanks(values: np.ndarray) -> np.ndarray:
    return np.fromiter((_blank(v) for v in values), dtype=bool, count=len(values))


def _worth_a_look(rules: Rules, crm: pd.DataFrame, erp: pd.DataFrame, auto: pd.DataFrame, c: Features, e: Features,
                  lk: Linking, crm_holds: bool, erp_holds: bool) -> np.ndarray:
    """Auto links on which a cross-reference, attribute, data-quality, hierarchy or credit
    finding is possible, screened column-wise (most of a hundred thousand links are clean);
    the per-link checks below decide. A conservative screen: it may let a clean link
    through, never hold back one with a finding."""
    i, j = auto["i"].to_numpy(dtype=np.int64), auto["j"].to_numpy(dtype=np.int64)
    c_blank, e_blank = pd.isna(c.xref_key[i]), pd.isna(e.xref_key[j])
    look: np.ndarray = (~c_blank & (lk.crm_xref_target[i] != j)) | (~e_blank & (lk.erp_xref_target[j] != i))
    look |= (c_blank & crm_holds) | (e_blank & erp_holds) | (c_blank & e_blank)
    for fld in rules.customer_fields:
        look |= ~np.asarray(_column(crm, fld, i) == _column(erp, fld, j), dtype=bool)
    for fld in ("tax_id", "country"):
        look |= _blanks(_column(crm, fld, i)) & _blanks(_column(erp, fld, j))
    look |= ~(_blanks(_column(crm, "parent_id", i)) & _blanks(_column(erp, "parent_id", j)))
    look |= ~_blanks(_column(erp, "blocked", j))
    return look


def _attributes(f: Findings, cr: dict[str, Any], er: dict[str, Any], risk: _Risk) -> None:
    for fld in f.rules.customer_fields:
        a, b = cr.get(fld), er.get(fld)
        if a == b:
            continue
        if _blank(a) and _blank(b):
            continue  # blank on both sides: a data-quality finding (tax id, country), not a difference
        if _blank(a) or _blank(b):
            same = False
        elif fld == "name":
            same = nz.names_equivalent(a, b, (cr.get("country"), er.get("country")))
            if same and f.rules.name_variants == "report" and not nz.names_identical(a, b):
                _name_variant(f, cr, er, a, b)
        elif fld == "tax_id":
            same = nz.tax_equivalent(a, b, cr.get("country"), er.get("country"))
        elif fld == "street":
            # both lines read in the languages of one country, whichever side names it
            where = nz.country_key(cr.get("country")) or nz.country_key(er.get("country"))
            same = nz.streets_equivalent(a, b, where)
        elif fld == "city":
            same = nz.cities_equivalent(a, b)
        else:
            key = _KEYS[fld]
            same = key(a, cr.get("country")) == key(b, er.get("country"))
        if same:
            continue
        prop = f.propose("customers", fld, cr, er, a, b, label=f"the customer's {_LABEL.get(fld, fld)}")
        f.add("customer.attribute_mismatch",
              f"The {_LABEL.get(fld, fld)} of {who(cr, er)} differs: {side_values(a, b, fld)}.",
              crm_object="customers", crm_id=cr["record_id"], erp_object="customers", erp_id=er["record_id"],
              customer_name=cr["name"], field=fld, crm_value=a, erp_value=b,
              diffs=[diff(fld, a, b)], proposal=prop,
              amount_at_risk=risk.amt if fld in ("tax_id", "currency") else None,
              currency=risk.ccy if fld in ("tax_id", "currency") else None)


def who(cr: dict[str, Any], er: dict[str, Any]) -> str:
    """The customer as a sentence names it: the CRM name, else the ERP's, else its number."""
    for v in (cr.get("name"), er.get("name"), er.get("number"), cr.get("record_id")):
        if not is_missing(v) and str(v).strip():
            return str(v)
    return "this customer"


def _evidence(method: object) -> str:
    """The link's evidence in words: "tax_id+name" → "tax ID and name"."""
    return " and ".join(field_label(m).lower().replace("tax id", "tax ID") if m in FIELD_LABELS else m.replace("_", " ")
                        for m in str(method).split("+"))


def _system(f: Findings, side: str) -> str:
    return system_label(f.systems[side], side)


def _link_rule(rules: Rules) -> str:
    return f"[rules.linking] auto_threshold = {rules.auto_threshold}"


def _name_variant(f: Findings, cr: dict[str, Any], er: dict[str, Any], a: Any, b: Any) -> None:
    f.add("customer.name_variant",
          f"The legal name of {who(cr, er)} is written differently in the two systems (same words, other "
          f"spelling, order or short forms): {side_values(a, b, 'name')}.",
          crm_object="customers", crm_id=cr["record_id"], erp_object="customers", erp_id=er["record_id"],
          customer_name=cr["name"], field="name", crm_value=a, erp_value=b, diffs=[diff("name", a, b)],
          proposal=f.propose("customers", "name", cr, er, a, b, label="the customer's legal name"))


def _blank(v: Any) -> bool:
    return is_missing(v) or (isinstance(v, str) and not v.strip())


def _data_quality(f: Findings, cr: dict[str, Any], er: dict[str, Any]) -> None:
    for fld, type_, what in (("tax_id", "data_quality.missing_tax_id", "tax id"),
                             ("country", "data_quality.missing_billing_country", "billing country")):
        a, b = cr.get(fld), er.get(fld)
        if not (_blank(a) and _blank(b)):
            continue  # present on one side only is an attribute difference with a proposal to copy it
        prop = None  # nothing to copy from either system: someone has to obtain it
        f.add(type_, f"{cr['name']} has no {what} in either system, which invoicing needs.",
              crm_object="customers", crm_id=cr["record_id"], erp_object="customers", erp_id=er["record_id"],
              customer_name=cr["name"], field=fld, crm_value=a, erp_value=b, diffs=[diff(fld, a, b)], proposal=prop)


class _Parents:
    """Resolves parent references of each side to record positions."""

    def __init__(self, crm: pd.DataFrame, erp: pd.DataFrame, c: Features, e: Features):
        self.crm, self.erp = crm, erp
        self.c_by = {str(k): n for n, k in enumerate(crm["record_id"])}
        self.c_by.update({k: n for n, k in enumerate(c.id_key) if k is not None})
        self.e_by = {str(k): n for n, k in enumerate(erp["record_id"])}
        self.e_num = {k: n for n, k in enumerate(e.id_key) if k is not None}

    def crm_pos(self, v: Any) -> int | None:
        s = str(v).strip()
        return self.c_by.get(s, self.c_by.get(nz.sf_id_key(s) or ""))

    def erp_pos(self, v: Any) -> int | None:
        s = str(v).strip()
        return self.e_by.get(s, self.e_num.get(nz.number_key(s) or ""))


def _hierarchy(f: Findings, cr: dict[str, Any], er: dict[str, Any], parents: _Parents, pair_of_c: dict[int, int],
               pair_of_e: dict[int, int]) -> None:
    cp, ep = cr.get("parent_id"), er.get("parent_id")
    if _blank(cp) and _blank(ep):
        return
    parent_c = None if _blank(cp) else parents.crm_pos(cp)
    parent_e = None if _blank(ep) else parents.erp_pos(ep)
    if not _blank(cp) and (parent_c is None or parent_c not in pair_of_c):
        return  # the CRM parent is outside the extract or has no ERP counterpart: nothing to compare
    expected_e = pair_of_c.get(parent_c) if parent_c is not None else None
    if expected_e == parent_e:
        return
    crm, erp = parents.crm, parents.erp
    shown_c = crm["name"].iloc[parent_c] if parent_c is not None else None
    shown_e = erp["name"].iloc[parent_e] if parent_e is not None else (None if _blank(ep) else str(ep))
    want_e = erp["record_id"].iloc[expected_e] if expected_e is not None else None
    back = pair_of_e.get(parent_e) if parent_e is not None else None
    want_c = crm["record_id"].iloc[back] if back is not None else None
    prop = f.propose("customers", "parent_id", cr, er, cp, ep, label="the account hierarchy")
    if prop is not None:
        # the value written must be the other system's id of the same parent
        prop["to"] = want_e if prop["target_side"] == "erp" else want_c
        # the parents by name, as the message names them, not by their record ids
        prop["text"] = (f"The CRM and the ERP share the account hierarchy, so a person decides which parent is "
                        f"right: CRM {shown_c or 'none'}, ERP {shown_e or 'none'}")
    f.add("data_quality.hierarchy_mismatch",
          f"The parent of {cr['name']} differs: CRM {shown_c or 'none'}, ERP {shown_e or 'none'}.",
          crm_object="customers", crm_id=cr["record_id"], erp_object="customers", erp_id=er["record_id"],
          customer_name=cr["name"], field="parent_id", crm_value=shown_c, erp_value=shown_e,
          diffs=[diff("parent_id", shown_c, shown_e)], proposal=prop)


def _credit(f: Findings, cr: dict[str, Any], er: dict[str, Any], risk: _Risk) -> None:
    blocked = er.get("blocked")
    if _blank(blocked) or str(blocked).strip().lower() in ("no", "none", "false", "0", " "):
        return
    if cr.get("active") is False:
        return
    f.add("credit.blocked_in_erp",
          f"{cr['name']} is blocked in the ERP ({blocked}) while the CRM shows the account as active.",
          crm_object="customers", crm_id=cr["record_id"], erp_object="customers", erp_id=er["record_id"],
          customer_name=cr["name"], field="blocked", crm_value="active", erp_value=blocked,
          amount_at_risk=risk.amt, currency=risk.ccy, diffs=[diff("blocked", "active", blocked)],
          proposal=f.proposal("crm", "customers", cr, "active", cr.get("active"), False, True,
                              "the ERP blocks this customer; sales should know before booking more business",
                              text=f"The ERP blocks {who(cr, er)} ({blocked}), so a person decides whether to mark "
                                   f"the account inactive in {system_label(f.systems['crm'], 'crm')}"))
