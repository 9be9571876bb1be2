"""One set of the variation probe: write the files, run the workbench CLI on them, score against the truth.

A set is one class of cases (cases.py) in one mode:

- ``fuzzy``: no cross-reference, no tax id, no website: the engine has the name and the address only;
- ``xref``: the CRM's ``ERP_Customer_Number__c`` names the ERP customer, tax ids and websites filled;
- ``tax``: no cross-reference, no website, tax ids filled.

``write`` puts into the set's folder ``crm/Account.csv`` and ``crm/blng__Invoice__c.csv`` (Salesforce
Data Loader style), ``erp/customers.csv`` and ``erp/salesInvoices.csv`` (Business Central API style), one
invoice per pair, ``run.toml`` and ``truth.json``. ``run`` calls ``workbench run``, ``workbench links``
and ``workbench exceptions`` as a user does: the console script's module (``app.entry``, the
``[project.scripts]`` entry) under the running interpreter, on this checkout's code. ``score`` reads only
the CLI's JSON. Nothing here imports the engine.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the checkout whose workbench is measured
CLI_MODULE = "app.entry"  # pyproject.toml [project.scripts] workbench = "app.entry:main"
MODES = ("fuzzy", "xref", "tax")
# The table's columns: the set's size from its truth, then the score.
SIZE_FIELDS = ("pairs", "singles", "diffs_total")
SCORE_FIELDS = ("correct_auto", "correct_sugg", "wrong_auto", "wrong_sugg", "missed",
                "true_diff", "missed_diff", "false_exc", "false_missing")
ALPH = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


class ProbeError(Exception):
    """The run itself failed (a command exited with an error or printed no JSON): no measurement."""


@dataclass
class SetResult:
    name: str  # "<class>_<mode>"
    cls: str
    mode: str
    score: dict[str, int]
    details: list[list[Any]] = field(default_factory=list)
    seconds: float = 0.0


def sf18(id15: str) -> str:
    """Salesforce's 18-character id: the 15-character id and its case-safe checksum."""
    suf = ""
    for i in range(3):
        chunk = id15[i * 5:(i + 1) * 5]
        n = sum(1 << j for j, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suf += ALPH[n]
    return id15 + suf


def crm_id(n: int) -> str:
    return sf18(f"001Dn00000{n:05d}")


def inv_id(n: int) -> str:
    return sf18(f"a0XDn00000{n:05d}")


def guid(prefix: str, n: int) -> str:
    return f"{prefix}{n:07x}-4c1e-ee11-8ef0-6045bd{n:06x}"


CONFIG = """[run]
name = "probe {name}"
as_of = "2026-10-31"
period = "2026-10"

[crm]
connector = "files"
system = "salesforce"
[crm.files]
dir = "crm"
[crm.objects.customers]
file = "Account.csv"
[crm.objects.customers.fields]
xref = "ERP_Customer_Number__c"
tax_id = "Tax_ID__c"
[crm.objects.invoices]
file = "blng__Invoice__c.csv"
status_fields = ["blng__InvoiceStatus__c", "blng__PaymentStatus__c"]
status_system = "salesforce_billing"
[crm.objects.invoices.fields]
number = "ERP_Invoice_Number__c"

[erp]
connector = "files"
system = "business_central"
[erp.files]
dir = "erp"
[erp.objects.customers]
file = "customers.csv"
[erp.objects.invoices]
file = "salesInvoices.csv"
"""

ACCOUNT = ["Id", "Name", "AccountNumber", "ERP_Customer_Number__c", "BillingStreet", "BillingCity",
           "BillingPostalCode", "BillingState", "BillingCountry", "Tax_ID__c", "Website", "CurrencyIsoCode",
           "ParentId", "LastModifiedDate"]
BILLING_INVOICE = ["Id", "Name", "blng__Account__c", "ERP_Invoice_Number__c", "blng__InvoiceDate__c",
                   "blng__DueDate__c", "blng__InvoiceStatus__c", "blng__PaymentStatus__c", "blng__TotalAmount__c",
                   "blng__Balance__c", "CurrencyIsoCode"]
BC_CUSTOMER = ["id", "number", "displayName", "type", "addressLine1", "city", "state", "country", "postalCode",
               "website", "taxRegistrationNumber", "currencyCode", "blocked", "billToCustomerNumber",
               "lastModifiedDateTime"]
BC_INVOICE = ["id", "number", "externalDocumentNumber", "invoiceDate", "dueDate", "customerId", "customerNumber",
              "customerName", "currencyCode", "totalAmountIncludingTax", "remainingAmount", "status"]


def write(d: Path, name: str, cases: list[dict[str, Any]], mode: str) -> Path:
    """The set's files in ``d``: the CRM and ERP extracts, run.toml and truth.json."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    (d / "crm").mkdir(parents=True, exist_ok=True)
    (d / "erp").mkdir(parents=True, exist_ok=True)
    acc, cust, cinv, einv = [], [], [], []
    truth = []
    for k, c in enumerate(cases, start=1):
        cid = crm_id(k) if c["kind"] in ("pair", "crm_only") else None
        eid = guid("b", k) if c["kind"] in ("pair", "erp_only") else None
        enum = f"C{20000 + k:05d}" if eid else None
        truth.append(dict(idx=k, kind=c["kind"], crm_id=cid, erp_id=eid, erp_number=enum,
                          diffs=sorted(c.get("diffs", ())), tag=c.get("tag", ""),
                          crm_name=c["crm"].get("name") if cid else None,
                          erp_name=c["erp"].get("name") if eid else None))
        cur = c.get("currency", "EUR")
        if cid:
            r = c["crm"]
            xref = enum if (mode == "xref" and enum) else ""
            tax = r.get("tax", "") if mode in ("xref", "tax") else ""
            web = r.get("web", "") if mode == "xref" else ""
            acc.append([cid, r["name"], f"ACC-{k:05d}", xref, r.get("street", ""), r.get("city", ""),
                        r.get("pc", ""), r.get("state", ""), r.get("country", ""), tax, web, cur, "",
                        "2026-10-10T09:30:00.000Z"])
        if eid:
            r = c["erp"]
            tax = r.get("tax", "") if mode in ("xref", "tax") else ""
            web = r.get("web", "") if mode == "xref" else ""
            cust.append([eid, enum, r["name"], "Company", r.get("street", ""), r.get("city", ""),
                         r.get("state", ""), r.get("country", ""), r.get("pc", ""), web, tax, cur, " ", "",
                         "2026-10-12T14:05:00.000Z"])
        if cid and eid:
            num = f"PSI-{300000 + k:06d}"
            amt = f"{1000 + k * 7}.{k % 100:02d}"
            cinv.append([inv_id(k), f"INV-{k:07d}", cid, num, "2026-09-30", "2026-10-30", "Posted", "Unpaid",
                         amt, amt, cur])
            einv.append([guid("f", k), num, f"INV-{k:07d}", "2026-09-30", "2026-10-30", eid, enum,
                         c["erp"]["name"], cur, amt, amt, "Open"])

    def w(path: Path, header: list[str], rows: list[list[Any]], quote_all: bool) -> None:
        with open(path, "w", newline="", encoding="utf-8") as f:
            wr = csv.writer(f, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
            wr.writerow(header)
            wr.writerows(rows)

    w(d / "crm" / "Account.csv", ACCOUNT, acc, True)
    w(d / "crm" / "blng__Invoice__c.csv", BILLING_INVOICE, cinv, True)
    w(d / "erp" / "customers.csv", BC_CUSTOMER, cust, False)
    w(d / "erp" / "salesInvoices.csv", BC_INVOICE, einv, False)
    (d / "run.toml").write_text(CONFIG.format(name=name), encoding="utf-8")
    with open(d / "truth.json", "w", encoding="utf-8") as f:
        json.dump(dict(mode=mode, cases=truth), f, indent=1, ensure_ascii=False)
    return d


def _cli(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """``workbench ARGS`` on this checkout's code (its root first on the module path), started."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen([sys.executable, "-m", CLI_MODULE, *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _finish(proc: subprocess.Popen[str], what: str) -> str:
    out, err = proc.communicate()
    if proc.returncode != 0:
        last = next((line for line in reversed(err.strip().splitlines()) if line.strip()), "no message")
        raise ProbeError(f"{what} exited {proc.returncode}: {last.strip()}")
    return out


def run(d: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``workbench run`` on the set in ``d`` (a fresh store in ``d``), then its links and exceptions as JSON."""
    store = d / "store.sqlite3"
    store.unlink(missing_ok=True)
    db = f"sqlite:///{store}"
    _finish(_cli(["run", "--config", str(d / "run.toml"), "--db", db], d), f"workbench run on {d.name}")
    # both only read the store: run them side by side
    procs = {what: _cli([what, "--format", "json", "--db", db], d) for what in ("links", "exceptions")}
    got = {}
    for what, proc in procs.items():
        out = _finish(proc, f"workbench {what} on {d.name}")
        try:
            got[what] = json.loads(out)
        except json.JSONDecodeError as exc:
            raise ProbeError(f"workbench {what} on {d.name} printed no JSON ({exc})") from None
        (d / f"{what}.json").write_text(json.dumps(got[what], indent=1, ensure_ascii=False), encoding="utf-8")
    return got["links"], got["exceptions"]


def score(truth: dict[str, Any], links: dict[str, Any],
          exc: dict[str, Any]) -> tuple[dict[str, int], list[list[Any]]]:
    """The set's score and the cases behind it.

    Links (``links``: the auto links, ``suggested``: the suggestions), one per CRM customer:
    ``correct_auto``/``correct_sugg`` a pair's CRM customer linked to its own ERP customer,
    ``wrong_auto``/``wrong_sugg`` any other link (to another customer, or of a one-sided customer),
    ``missed`` a pair's CRM customer with no link at all.
    Customer exceptions: ``true_diff`` an attribute mismatch on a field the pair really differs in,
    ``false_exc`` one on any other field or customer, ``missed_diff`` a real difference with no exception,
    ``false_missing`` "missing in ERP/CRM" reported for a customer that has a counterpart.
    ``customer.missing_xref`` is not scored; any other customer exception is listed as OTHER_EXC.
    """
    cases = truth["cases"]
    by_crm = {c["crm_id"]: c for c in cases if c["crm_id"]}
    by_erp = {c["erp_id"]: c for c in cases if c["erp_id"]}
    res = dict(correct_auto=0, correct_sugg=0, wrong_auto=0, wrong_sugg=0, missed=0,
               false_exc=0, missed_diff=0, true_diff=0, false_missing=0)
    details: list[list[Any]] = []
    auto: dict[str, dict[str, Any]] = {}
    sugg: dict[str, dict[str, Any]] = {}
    for lk in links["links"]:
        (auto if lk["status"] == "auto" else sugg)[lk["crm_id"]] = lk
    for lk in links.get("suggested", []):
        sugg[lk["crm_id"]] = lk
    for st, dct in (("auto", auto), ("sugg", sugg)):
        for cid, lk in dct.items():
            c = by_crm.get(cid)
            ok = c is not None and c["erp_id"] == lk["erp_id"] and c["kind"] == "pair"
            res[("correct_" if ok else "wrong_") + st] += 1
            if not ok:
                e = by_erp.get(lk["erp_id"])
                details.append(["WRONG_LINK_" + st, c and c["crm_name"], e and e["erp_name"],
                                lk["method"], lk["confidence"]])
    for c in cases:
        if c["kind"] == "pair" and c["crm_id"] not in auto and c["crm_id"] not in sugg:
            res["missed"] += 1
            details.append(["MISSED_LINK", c["crm_name"], c["erp_name"], c["tag"]])
        elif c["kind"] == "pair" and c["crm_id"] in sugg and sugg[c["crm_id"]]["erp_id"] == c["erp_id"]:
            details.append(["SUGGESTED_ONLY", c["crm_name"], c["erp_name"], c["tag"],
                            sugg[c["crm_id"]]["confidence"]])
    reported: dict[int, set[str]] = {}
    for e in exc["exceptions"]:
        if e["family"] != "customer":
            continue
        c = by_crm.get(e["crm_id"]) or by_erp.get(e["erp_id"])
        typ = e["type"]
        if typ == "customer.attribute_mismatch":
            if c and e["field"] in c["diffs"] and c["crm_id"] == e["crm_id"] and c["erp_id"] == e["erp_id"]:
                reported.setdefault(c["idx"], set()).add(e["field"])
                res["true_diff"] += 1
            else:
                res["false_exc"] += 1
                details.append(["FALSE_EXC", e["field"], e["crm_value"], e["erp_value"], c and c["tag"]])
        elif typ in ("customer.missing_in_erp", "customer.missing_in_crm"):
            if c and c["kind"] == "pair":
                res["false_missing"] += 1
        elif typ != "customer.missing_xref":
            details.append(["OTHER_EXC", typ, e.get("field"), e.get("crm_value"), e.get("erp_value"),
                            e.get("message")])
    for c in cases:
        if c["kind"] == "pair":
            for f in c["diffs"]:
                if f not in reported.get(c["idx"], set()):
                    res["missed_diff"] += 1
                    details.append(["MISSED_DIFF", f, c["crm_name"], c["erp_name"], c["tag"]])
    n_pairs = sum(1 for c in cases if c["kind"] == "pair")
    res["pairs"] = n_pairs
    res["singles"] = len(cases) - n_pairs
    res["diffs_total"] = sum(len(c["diffs"]) for c in cases if c["kind"] == "pair")
    return res, details


def run_set(out: Path, cls: str, mode: str, cases: list[dict[str, Any]]) -> SetResult:
    """Write, run and score one set in ``out/<class>_<mode>``; its score.json keeps the score and details."""
    name = f"{cls}_{mode}"
    t = time.perf_counter()
    d = write(out / name, name, cases, mode)
    links, exc = run(d)
    truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
    res, details = score(truth, links, exc)
    (d / "score.json").write_text(json.dumps(dict(score=res, details=details), indent=1, ensure_ascii=False),
                                  encoding="utf-8")
    return SetResult(name, cls, mode, res, details, time.perf_counter() - t)
