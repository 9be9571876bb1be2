"""Score an engine result against a corpus's truth, record by record.

Every engine exception is mapped to business records through the ids it carries (crm_id, erp_id):
the maps come from the generated files (CRM Id, BC id / composite price key, Odoo ID) and the truth
links. A record is reported when any exception of its family touches it; precision counts distinct
reported records, so a wrongly paired link that touches a clean record is a false positive.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

FAMILIES = ("customer", "pricing", "invoice")
# the field an exception without one is about; other field-less exceptions concern the whole record
TYPE_FIELD = {"customer.missing_xref": "xref", "customer.wrong_xref": "xref"}


def _rows(path: Path) -> list[dict]:
    """Rows as text; an .xlsx sibling stands in for a .csv that is not there."""
    if not path.exists() and path.with_suffix(".xlsx").exists():
        from openpyxl import load_workbook
        ws = load_workbook(path.with_suffix(".xlsx"), read_only=True).active
        it = ws.iter_rows(values_only=True)
        header = list(next(it))
        return [{h: "" if v is None else str(v) for h, v in zip(header, row)} for row in it]
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def record_key(family: str, rec: dict) -> str:
    if family == "customer":
        return f"{rec['crm_id'] or ''}|{rec['erp_number'] or ''}"
    if family == "pricing":
        return f"{rec['product_code']}|{rec['currency']}"
    return rec["crm_number"] or f"erp:{rec['erp_number']}"


@dataclass
class IdMaps:
    """(family, side, record id as the files connector reads it) -> record key."""
    ids: dict[tuple[str, str, str], str] = field(default_factory=dict)
    erp_number_of: dict[str, str] = field(default_factory=dict)  # ERP customer record id -> number

    @classmethod
    def build(cls, corpus: Path, truth: dict) -> IdMaps:
        m = cls()
        crm_to_erp = dict(truth["links"])
        erp_to_crm = {e: c for c, e in truth["links"]}
        crm, erp, odoo = corpus / "crm", corpus / "erp", truth["erp"] == "odoo"
        for r in _rows(crm / "Account.csv"):
            m.ids["customer", "crm", r["ID"]] = f"{r['ID']}|{crm_to_erp.get(r['ID'], '')}"
        for r in _rows(crm / "PricebookEntry.csv"):
            m.ids["pricing", "crm", r["ID"]] = f"{r['PRODUCTCODE']}|{r['CURRENCYISOCODE']}"
        for r in _rows(crm / "blng__Invoice__c.csv"):
            m.ids["invoice", "crm", r["ID"]] = r["NAME"]
        if odoo:
            cust, rid, num = erp / "Contact (res.partner).csv", "ID", "Reference"
            for r in _rows(erp / "Pricelist Rule (product.pricelist.item).csv"):
                if r["Apply On"] in ("Product", "Product Variant"):
                    code = (r["Product Variant"] or r["Product"]).split("]")[0].lstrip("[")
                    m.ids["pricing", "erp", r["ID"]] = f"{code}|{r['Pricelist'][-4:-1]}"
            for r in _rows(erp / "Journal Entry (account.move).csv"):
                m.ids["invoice", "erp", r["ID"]] = r["Reference"] or f"erp:{r['Number']}"
        else:
            cust, rid, num = erp / "customers.csv", "id", "number"
            for r in _rows(erp / "salesPrices.csv"):
                key = "|".join((r["itemNumber"], r["currencyCode"], r["startingDate"]))
                m.ids["pricing", "erp", key] = f"{r['itemNumber']}|{r['currencyCode']}"
            for r in _rows(erp / "salesInvoices.csv"):
                m.ids["invoice", "erp", r["id"]] = r["externalDocumentNumber"] or f"erp:{r['number']}"
        for r in _rows(cust):
            m.erp_number_of[r[rid]] = r[num]
            m.ids["customer", "erp", r[rid]] = f"{erp_to_crm.get(r[num], '')}|{r[num]}"
        return m


@dataclass
class Score:
    erp: str
    customers: int
    families: dict[str, dict] = field(default_factory=dict)    # family -> tp, reported, truth, precision, recall
    kinds: dict[tuple[str, str], dict] = field(default_factory=dict)  # truth kind -> n, found, recall
    types: dict[str, dict] = field(default_factory=dict)       # engine type -> records, true
    decoys: dict[str, dict] = field(default_factory=dict)      # class -> instances, reported, share
    links: dict = field(default_factory=dict)
    seconds: float = 0.0


def score(corpus: Path, result, seconds: float = 0.0) -> Score:
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    maps = IdMaps.build(corpus, truth)
    sc = Score(truth["erp"], truth["customers"], seconds=seconds)
    reported: dict[str, set[str]] = defaultdict(set)
    by_type: dict[str, set[str]] = defaultdict(set)
    fields: dict[str, set[str]] = defaultdict(set)  # customer record -> fields reported on it
    ex = result.exceptions
    for typ, c, e, fld in zip(ex["type"], ex["crm_id"], ex["erp_id"], ex["field"]):
        fam = str(typ).split(".")[0]
        if fam not in FAMILIES:
            continue
        for side, rid in (("crm", c), ("erp", e)):
            if rid is None or rid != rid:  # None or NaN
                continue
            key = maps.ids.get((fam, side, str(rid)), f"unmapped:{side}:{rid}")
            reported[fam].add(key)
            by_type[typ].add(key)
            if fam == "customer":
                fields[key].add(fld if isinstance(fld, str) and fld else TYPE_FIELD.get(typ, "*"))
    want: dict[str, set[str]] = defaultdict(set)
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for d in truth["discrepancies"]:
        k = record_key(d["family"], d["record"])
        want[d["family"]].add(k)
        kinds[d["family"], d["kind"]].add(k)
    for fam in FAMILIES:
        tp = len(reported[fam] & want[fam])
        sc.families[fam] = {"tp": tp, "reported": len(reported[fam]), "truth": len(want[fam]),
                            "precision": tp / len(reported[fam]) if reported[fam] else 1.0,
                            "recall": tp / len(want[fam]) if want[fam] else 1.0}
    for (fam, kind), keys in sorted(kinds.items()):
        found = len(keys & reported[fam])
        sc.kinds[fam, kind] = {"n": len(keys), "found": found, "recall": found / len(keys)}
    for typ, keys in sorted(by_type.items()):
        fam = typ.split(".")[0]
        sc.types[typ] = {"records": len(keys), "true": len(keys & want[fam])}
    # a customer carries several decoys at once, so a customer decoy counts as reported only when an
    # exception names its field (or the whole record); an invoice or price carries one decoy
    inst: dict[str, set[str]] = defaultdict(set)
    hits: dict[str, set[str]] = defaultdict(set)
    fam_of: dict[str, str] = {}
    for d in truth["decoys"]:
        fam, key = d["family"], record_key(d["family"], d["record"])
        fam_of[d["class"]] = fam
        if key in want[fam]:
            continue
        inst[d["class"]].add(key)
        if key in reported[fam] and (fam != "customer" or {d["field"], "*"} & fields[key]):
            hits[d["class"]].add(key)
    for cls, keys in sorted(inst.items()):
        fam = fam_of[cls]
        hit, n = len(hits[cls]), len(keys)
        sc.decoys[cls] = {"family": fam, "instances": n, "reported": hit, "share": hit / n if n else 0.0}
    links = result.links
    auto = links[links["status"] == "auto"]
    got = {(str(c), maps.erp_number_of.get(str(e), f"?{e}")) for c, e in zip(auto["crm_id"], auto["erp_id"])}
    wanted = {(c, e) for c, e in truth["links"]}
    tp = len(got & wanted)
    sc.links = {"auto": len(got), "truth": len(wanted), "tp": tp,
                "precision": tp / len(got) if got else 1.0, "recall": tp / len(wanted) if wanted else 1.0,
                "suggested": int((links["status"] == "suggested").sum())}
    return sc


def run(corpus: Path, config_name: str):
    """Load the config and extracts the way `workbench run` does, reconcile, and score."""
    import time

    from workbench.config import load
    from workbench.reconcile.engine import reconcile
    from workbench.sources import open_source

    cfg = load(corpus / config_name)
    crm, erp = open_source("crm", cfg).pull(), open_source("erp", cfg).pull()
    t = time.perf_counter()
    res = reconcile(crm, erp, cfg)
    return score(corpus, res, time.perf_counter() - t), res


def table(sc: Score) -> str:
    lines = [f"Independent corpus: {sc.customers:,} customers, ERP {sc.erp}, engine {sc.seconds:.1f} s", "",
             f"{'family':<10}{'truth':>7}{'reported':>10}{'TP':>7}{'precision':>11}{'recall':>8}"]
    for fam, f in sc.families.items():
        lines.append(f"{fam:<10}{f['truth']:>7}{f['reported']:>10}{f['tp']:>7}"
                     f"{f['precision']:>11.4f}{f['recall']:>8.4f}")
    lk = sc.links
    lines += ["", f"links: auto {lk['auto']:,}  truth {lk['truth']:,}  suggested {lk['suggested']:,}  "
                  f"precision {lk['precision']:.4f}  recall {lk['recall']:.4f}", "",
              f"{'truth kind':<36}{'n':>6}{'found':>7}{'recall':>8}"]
    for (fam, kind), k in sc.kinds.items():
        lines.append(f"{fam + '.' + kind:<36}{k['n']:>6}{k['found']:>7}{k['recall']:>8.3f}")
    lines += ["", f"{'engine exception type':<40}{'records':>8}{'true':>6}{'false':>7}"]
    for typ, t in sc.types.items():
        lines.append(f"{typ:<40}{t['records']:>8}{t['true']:>6}{t['records'] - t['true']:>7}")
    lines += ["", f"{'decoy class':<34}{'family':<10}{'instances':>10}{'reported':>9}{'share':>8}"]
    for cls, d in sc.decoys.items():
        lines.append(f"{cls:<34}{d['family']:<10}{d['instances']:>10}{d['reported']:>9}{d['share']:>8.1%}")
    return "\n".join(lines)


