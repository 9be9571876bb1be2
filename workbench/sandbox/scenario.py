"""Seeded scenario generator: a realistic Salesforce / Business Central pair with ground truth.

``generate(seed, customers, out_dir)`` writes::

    out_dir/crm/Account.csv Product2.csv PricebookEntry.csv Order.csv OrderItem.csv
                blng__Invoice__c.csv                    (Salesforce Data Loader exports)
    out_dir/erp/customers.csv items.csv salesPrices.csv salesOrders.csv salesOrderLines.csv
                salesInvoices.csv customerPayments.csv  (Business Central API v2.0 names)
    out_dir/erp/partner_refs.csv   ERP-side cross-reference (number, salesforceId) that an
                                   Odoo flavour serves as res.partner.ref; BC has no such field,
                                   so run.toml does not read it
    out_dir/truth.json scenario.json run.toml

``load(dir)`` reads it back through the files connector (using run.toml) into canonical
frames. Same seed and arguments give byte-identical files.

Ground-truth rules (what the engine is expected to report; truth.json follows them)
===============================================================================
Ids in truth are canonical: CRM 18-char Salesforce ids, ERP Business Central GUIDs
(lower case), None where that side has no record. ``field`` is the canonical field.

Customers. Every generated company is one *base customer*; one case at most is applied
to it, so cases never overlap on a customer.
 - links: every base customer present on both sides is one link [crm_id, erp_id], whether
   or not its cross-reference is right (the engine must find missing/wrong ones by tax id,
   name and address evidence).
 - customer.missing_xref (field xref): CRM ERP_Customer_Number__c is blank.
 - customer.wrong_xref (field xref): CRM ERP_Customer_Number__c holds another existing ERP
   customer's number; erp_id is the customer it *should* point to (the true counterpart).
 - customer.missing_in_erp (crm only) / customer.missing_in_crm (erp only): the company
   exists on one side. Such customers have no orders, invoices or payments on either side,
   so only the customer exception is expected.
 - customer.duplicate: an extra record of an already linked company. CRM duplicate:
   crm_id = the extra Account, erp_id = the ERP customer of the company. ERP duplicate:
   crm_id = the company's Account, erp_id = the extra ERP customer. Duplicates have no
   child records and are reported only as duplicates (not as missing on the other side).
 - customer.attribute_mismatch, one field of name, street, city, postcode, country, tax_id,
   currency differs (on a correctly cross-referenced pair). A name mismatch is a word added; a
   name written with its diacritics on one side and in ASCII on the other is a decoy (below).
   A tax id present on one side only is attribute_mismatch tax_id.
 - credit.blocked_in_erp (field blocked): ERP customer blocked "All" while the Account is active.
 - data_quality.missing_tax_id (field tax_id) / data_quality.missing_billing_country
   (field country): blank on BOTH sides of a linked pair.
 - data_quality.hierarchy_mismatch (field parent_id): CRM ParentId's counterpart is not the
   ERP customer's billToCustomerNumber (the ERP child has no bill-to). crm_id/erp_id are the child.

Invoices are matched by ERP invoice number (CRM ERP_Invoice_Number__c = BC number, compared
trimmed and case-insensitively). At most one case per invoice pair. For a matched pair the
expected exception is the first that applies of:
 1. totals differ beyond tolerance -> invoice.amount_mismatch (total_amount)
 2. CRM shows no payment (CRM balance == total, status open) and ERP is part-paid
    (0 < balance < total) -> invoice.partial_payment_not_reflected (open_balance)
 3. effective statuses differ -> invoice.status_mismatch (status); effective status is the
    canonical status except that "open" with 0 < balance < total counts as partially_paid
    (Business Central has no part-paid status)
 4. balances differ beyond tolerance -> invoice.balance_mismatch (open_balance)
 5. due dates differ -> invoice.due_date_mismatch (due_date)
 - invoice.missing_in_erp (crm only): the CRM invoice's ERP number is not in the ERP.
 - invoice.missing_in_crm (erp only): no CRM invoice references the ERP number.

Orders: CRM Orders with Status "Activated" are booked; they match ERP salesOrders by the CRM
ERP_Order_Number__c = BC number, or by BC externalDocumentNumber = CRM OrderNumber compared
ignoring leading zeros. Draft CRM orders have no ERP order and are not reported.
 - order.missing_in_erp (crm only): an activated CRM order with no ERP order.
 - order.amount_mismatch (total_amount): the ERP order's lines/total differ.

Prices are matched by product code and currency (CRM PricebookEntry in the standard price
book vs BC salesPrices).
 - pricing.price_mismatch (unit_price), pricing.missing_in_erp, pricing.missing_in_crm.
 - data_quality.unmapped_product (crm_id = Product2 id, erp_id None): a CRM product whose
   ProductCode no ERP item has. Its price book entries are not reported separately.
 - pricing.off_price_order_line (unit_price; crm_id = OrderItem id, erp_id = the ERP salesPrices
   record for the line's product and currency): a line of an activated CRM order sold below
   the price list, where the CRM and ERP price lists agree for that product and currency
   (where they disagree the price_mismatch is the exception, not every line using it). The
   ERP order line carries the same price, so the order totals still agree.

Tolerances (written to run.toml [rules.tolerances]): a price differs when
|crm - erp| > max(one minor unit of its currency, 0.5% of |crm|); an amount or balance differs when
|crm - erp| > amount_minor_units minor units of its currency (1 cent, 1 yen).

Not generated: timing.event_not_reflected (a late payment is generated as the
status_mismatch "ERP Paid, CRM Posted|Unpaid" instead).

Decoys (listed in truth["decoys"], must NOT be reported): 15-char Account ids on invoices,
ERP numbers in lower case / with spaces in CRM cross-references, a name in ASCII on one side
(García / Garcia; Müller / Mueller, as German writes it), order numbers without
leading zeros, names differing only in case or whitespace, legal-form synonyms (GmbH /
G.m.b.H., Inc / Incorporated, Ltd / Limited), "&" vs "and", prices within tolerance,
one-minor-unit rounding differences, "Cancelled" vs "Canceled", and "Posted|Partially Paid"
in CRM vs "Open" with the same part-paid balance in BC.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import InputError
from workbench.progress import TaskState, report
from workbench.sandbox import names
from workbench.sandbox.scenario_ids import (date_text, guids, int_text, money_text, money_text_like,
                                            salesforce_ids, timestamp_text, write_csv)

GENERATOR_VERSION = "1.0"
DEFAULT_AS_OF = date(2026, 10, 31)
# in minor units, not an amount: "0.01" would allow no difference in JPY, and the run would warn about its own demo
PRICE_TOLERANCE: dict[str, Any] = {"abs_minor": 1, "rel": "0.005"}
TOLERANCES: dict[str, Any] = {"price": PRICE_TOLERANCE, "amount_minor_units": 1}
CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF", "SEK")
_FX = {"EUR": 1.0, "USD": 1.08, "GBP": 0.86, "JPY": 160.0, "CHF": 0.95, "SEK": 11.5}
_DECIMALS = {"EUR": 2, "USD": 2, "GBP": 2, "JPY": 0, "CHF": 2, "SEK": 2}
INVOICE_PREFIX = "a0X"  # blng__Invoice__c custom-object key prefix in the generated org
STANDARD_PRICEBOOK = "Standard Price Book"

# Customer cases: (name, share of base customers). Order is priority when the scenario is
# too small to hold them all. xref shares are scaled by xref_error_share.
_CUSTOMER_CASES = (
    ("missing_xref", None), ("wrong_xref", None),
    ("missing_in_erp", 0.02), ("missing_in_crm", 0.02), ("dup_crm", 0.01), ("dup_erp", 0.01),
    ("attr_name", 0.01), ("attr_street", 0.01), ("attr_city", 0.01), ("attr_postcode", 0.01),
    ("attr_country", 0.01), ("attr_tax_id", 0.01), ("attr_currency", 0.01),
    ("blocked", 0.01), ("missing_tax_id", 0.01), ("missing_country", 0.01), ("hierarchy", 0.01),
    ("d_name_case", 0.02), ("d_legal", 0.02), ("d_amp", 0.01), ("d_name_ws", 0.01), ("d_xref_fmt", 0.02),
)
_GERMAN_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_CUSTOMER_DECOYS = {"d_ascii": "diacritics_ascii", "d_name_case": "name_case", "d_legal": "legal_form_synonym",
                    "d_amp": "ampersand_and",
                    "d_name_ws": "name_whitespace", "d_xref_fmt": "xref_case_whitespace"}
_ATTR_FIELDS = {"attr_name": "name", "attr_street": "street", "attr_city": "city",
                "attr_postcode": "postcode", "attr_country": "country", "attr_tax_id": "tax_id",
                "attr_currency": "currency"}


@dataclass
class Scenario:
    crm: dict[str, pd.DataFrame]
    erp: dict[str, pd.DataFrame]
    truth: dict[str, Any]
    meta: dict[str, Any]
    path: Path | None = None
    erp_xref: dict[str, str] = field(default_factory=dict)  # ERP customer number -> Salesforce Account id


def _strip_accents(text: str) -> str:
    import unicodedata
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    # object dtype: keeps text as Python str instead of converting millions of cells to Arrow
    return pd.DataFrame(columns, dtype=object)


def _count(share: float, n: int) -> int:
    return max(1, int(round(share * n)))


class _Gen:
    def __init__(self, seed: int, customers: int, ipc: int, as_of: date, xref_share: float):
        if customers < 1:
            raise InputError("customers must be at least 1", column="customers", got=customers)
        self.rng = np.random.default_rng(seed)
        self.seed, self.n, self.ipc, self.as_of, self.xref_share = seed, customers, ipc, as_of, xref_share
        self.as_of64 = np.datetime64(as_of.isoformat(), "D")
        self.exceptions: list[dict[str, Any]] = []
        self.decoys: list[dict[str, Any]] = []
        self.links: list[list[str]] = []
        self.crm: dict[str, pd.DataFrame] = {}
        self.erp: dict[str, pd.DataFrame] = {}
        self.xref_rows: list[tuple[str, str]] = []
        self._sfseq = int(self.rng.integers(10_000_000, 900_000_000))
        self._stamps: np.ndarray | None = None

    # ---- helpers
    def sfids(self, prefix: str, n: int) -> np.ndarray:
        start = self._sfseq
        self._sfseq += n + 1
        return salesforce_ids(prefix, start, n)

    def exc(self, typ: str, crm_id: str | None, erp_id: str | None, fld: str | None) -> None:
        self.exceptions.append({"type": typ, "crm_id": crm_id, "erp_id": erp_id, "field": fld})

    def decoy(self, what: str, crm_id: str | None, erp_id: str | None) -> None:
        self.decoys.append({"what": what, "crm_id": crm_id, "erp_id": erp_id})

    def modstamps(self, n: int) -> np.ndarray:
        # drawn from a pool of formatted stamps: formatting millions of them one by one is slow
        if self._stamps is None:
            k = 20_000
            self._stamps = timestamp_text(self.as_of64 - self.rng.integers(1, 400, k), self.rng.integers(0, 86400, k))
        return self._stamps[self.rng.integers(0, len(self._stamps), n)]

    def pick(self, eligible: np.ndarray, share: float, taken: np.ndarray) -> np.ndarray:
        """Choose ~share of the eligible indices not yet taken, at least one if any."""
        free: np.ndarray = eligible[~taken[eligible]]
        if len(free) == 0:
            return free
        k = min(len(free), _count(share, len(eligible)))
        chosen = self.rng.choice(free, size=k, replace=False)
        chosen.sort()
        taken[chosen] = True
        return chosen

    # ---- customers
    def customers(self) -> None:
        rng, n = self.rng, self.n
        country = rng.choice(names.COUNTRIES, size=n, p=names.COUNTRY_WEIGHTS)
        r = rng.integers(0, 10**12, size=(n, 8))
        cases = np.array([""] * n, dtype=object)
        order = rng.permutation(n)
        slots = max(0, int(n * 0.6)) if n >= 10 else n // 2
        pos = 0
        for case, share in _CUSTOMER_CASES:
            if share is None:
                share = self.xref_share * (0.6 if case == "missing_xref" else 0.4)
            k = _count(share, n)
            k = min(k, slots - pos)
            cases[order[pos:pos + k]] = case
            pos += k
        self.cases = cases
        crm_ids = self.sfids("001", n)
        erp_ids = guids(rng, n)
        numbers = np.array([f"C{10000 + i}" for i in rng.permutation(n)])
        acct_numbers = np.array([f"ACC-{100000 + i:06d}" for i in range(n)])
        rows = []
        for i in range(n):
            c = str(country[i])
            ri = r[i]
            stems = names.STEMS[c]
            s1 = stems[ri[0] % len(stems)]
            two = ri[1] % 4 == 0 or cases[i] == "d_amp"
            if two:
                s2 = stems[(ri[0] // 7 + 1 + ri[1] % (len(stems) - 1)) % len(stems)]
                if s2 == s1:
                    s2 = stems[(ri[0] + 1) % len(stems)]
                stem = f"{s1} & {s2}"
            else:
                stem = s1
            ind = names.INDUSTRY[c][ri[2] % len(names.INDUSTRY[c])]
            legal = names.LEGAL_FORMS[c][ri[3] % len(names.LEGAL_FORMS[c])]
            name = f"{stem} {ind} {legal}"
            city, state, pstem = names.CITIES[c][ri[4] % len(names.CITIES[c])]
            street = names.STREETS[c][ri[5] % len(names.STREETS[c])]
            hn = ri[5] // 11 % 180 + 1
            line = f"{hn} {street}" if c in names.NUMBER_FIRST else f"{street} {hn}"
            slug = "".join(ch for ch in (s1.split()[-1] + ind).lower() if ch.isascii() and ch.isalnum())
            rows.append(dict(
                country=c, name=name, stem=stem, legal=legal, street=line, city=city, state=state,
                postcode=names.postcode(c, pstem, int(ri[6] % 10**6)), tax_id=names.tax_id(c, int(ri[7])),
                website=f"www.{slug}{i % 97}.{names.TLD[c]}",
                phone=f"{names.PHONE_PREFIX[c]} {ri[6] % 900 + 100} {ri[7] % 9000000 + 1000000}",
                currency=names.CURRENCY[c], terms=(14, 30, 30, 45, 60)[ri[1] % 5],
            ))
        co = pd.DataFrame(rows)
        # accents dropped on one side (García / Garcia) is a decoy; it needs a name with accents
        accented = np.flatnonzero(co["name"].map(lambda x: not x.isascii()).to_numpy() & (cases == ""))
        if pos < slots and len(accented):
            k = min(len(accented), _count(0.01, n), slots - pos)
            cases[rng.choice(accented, size=k, replace=False)] = "d_ascii"
        co["crm_id"], co["erp_id"], co["number"], co["acct"] = crm_ids, erp_ids, numbers, acct_numbers
        co["case"] = cases
        co["on_crm"] = co["case"] != "missing_in_crm"
        co["on_erp"] = co["case"] != "missing_in_erp"
        co["linked"] = co["on_crm"] & co["on_erp"]
        self.co = co
        self._customer_frames()

    def _customer_frames(self) -> None:
        rng, co = self.rng, self.co
        n = len(co)
        # plain column lists: per-cell edits on a DataFrame cost ~10 µs each
        C = {k: co[k].tolist() for k in ("crm_id", "erp_id", "number", "acct", "name", "stem", "legal", "street",
                                          "city", "state", "postcode", "country", "tax_id", "website", "phone",
                                          "currency", "case")}
        crm = {"Id": list(C["crm_id"]), "Name": list(C["name"]), "AccountNumber": list(C["acct"]),
               "ERP_Customer_Number__c": list(C["number"]), "BillingStreet": list(C["street"]),
               "BillingCity": list(C["city"]), "BillingPostalCode": list(C["postcode"]),
               "BillingState": list(C["state"]), "BillingCountry": list(C["country"]),
               "Tax_ID__c": list(C["tax_id"]), "Website": list(C["website"]), "Phone": list(C["phone"]),
               "CurrencyIsoCode": list(C["currency"]), "ParentId": [""] * n}
        erp = {"id": list(C["erp_id"]), "number": list(C["number"]), "displayName": list(C["name"]),
               "type": ["Company"] * n, "addressLine1": list(C["street"]), "city": list(C["city"]),
               "state": list(C["state"]), "country": list(C["country"]), "postalCode": list(C["postcode"]),
               "phoneNumber": list(C["phone"]), "website": list(C["website"]),
               "taxRegistrationNumber": list(C["tax_id"]), "currencyCode": list(C["currency"]),
               "blocked": [" "] * n, "billToCustomerNumber": [""] * n}
        self.C = C
        erp_ref = list(C["crm_id"])
        numbers = C["number"]
        cases = C["case"]
        clean_linked = np.flatnonzero(np.array(cases, dtype=object) == "")
        for i in np.flatnonzero(np.array(cases, dtype=object) != ""):
            case = cases[i]
            cid, eid = C["crm_id"][i], C["erp_id"][i]
            if case == "missing_xref":
                crm["ERP_Customer_Number__c"][i] = ""
                erp_ref[i] = ""
                self.exc("customer.missing_xref", cid, eid, "xref")
            elif case == "wrong_xref":
                other = int(clean_linked[rng.integers(len(clean_linked))]) if len(clean_linked) else (i + 1) % n
                if other == i:
                    other = (i + 1) % n
                crm["ERP_Customer_Number__c"][i] = numbers[other]
                erp_ref[i] = ""
                self.exc("customer.wrong_xref", cid, eid, "xref")
            elif case == "missing_in_erp":
                crm["ERP_Customer_Number__c"][i] = ""
                self.exc("customer.missing_in_erp", cid, None, None)
            elif case == "missing_in_crm":
                self.exc("customer.missing_in_crm", None, eid, None)
            elif case in _ATTR_FIELDS:
                fld = _ATTR_FIELDS[case]
                self._attr(crm, erp, int(i), fld)
                self.exc("customer.attribute_mismatch", cid, eid, fld)
            elif case == "blocked":
                erp["blocked"][i] = "All"
                self.exc("credit.blocked_in_erp", cid, eid, "blocked")
            elif case == "missing_tax_id":
                crm["Tax_ID__c"][i] = ""
                erp["taxRegistrationNumber"][i] = ""
                self.exc("data_quality.missing_tax_id", cid, eid, "tax_id")
            elif case == "missing_country":
                crm["BillingCountry"][i] = ""
                erp["country"][i] = ""
                self.exc("data_quality.missing_billing_country", cid, eid, "country")
            elif case == "d_name_case":
                erp["displayName"][i] = C["name"][i].upper()
            elif case == "d_name_ws":
                crm["Name"][i] = "  " + C["name"][i].replace(" ", "  ", 1) + " "
            elif case == "d_legal":
                legal = C["legal"][i]
                erp["displayName"][i] = C["name"][i][: -len(legal)] + names.LEGAL_SYNONYMS[legal]
            elif case == "d_amp":
                erp["displayName"][i] = C["name"][i].replace(" & ", " and ")
            elif case == "d_xref_fmt":
                crm["ERP_Customer_Number__c"][i] = f" {numbers[i].lower()} "
            elif case == "d_ascii":
                # German letters as German writes them in ASCII (Müller / Mueller), other accents dropped
                erp["displayName"][i] = _strip_accents(C["name"][i].translate(_GERMAN_ASCII))
            if case in _CUSTOMER_DECOYS:
                self.decoy(_CUSTOMER_DECOYS[case], cid, eid)
        # hierarchy: some clean linked customers are children of other clean linked ones
        children_pool = clean_linked.copy()
        rng.shuffle(children_pool)
        n_children = len(children_pool) // 12
        parents = children_pool[n_children:]
        hier = np.flatnonzero(np.array(cases, dtype=object) == "hierarchy")
        children = np.concatenate([children_pool[:n_children], hier]).astype(int)
        if len(parents):
            for child in children:
                p = int(parents[rng.integers(len(parents))])
                crm["ParentId"][child] = C["crm_id"][p]
                if cases[child] == "hierarchy":
                    self.exc("data_quality.hierarchy_mismatch", C["crm_id"][child], C["erp_id"][child], "parent_id")
                else:
                    erp["billToCustomerNumber"][child] = numbers[p]
        crm_df, erp_df = _frame(crm), _frame(erp)
        # duplicates (extra records, no children)
        dups_crm = np.flatnonzero(np.array(cases, dtype=object) == "dup_crm")
        dups_erp = np.flatnonzero(np.array(cases, dtype=object) == "dup_erp")
        extra_crm = crm_df.iloc[dups_crm].copy()
        extra_crm["Id"] = self.sfids("001", len(dups_crm))
        for col in ("ERP_Customer_Number__c", "AccountNumber", "Tax_ID__c", "ParentId"):
            extra_crm[col] = ""
        for j, i in enumerate(dups_crm):
            self.exc("customer.duplicate", extra_crm["Id"].iloc[j], C["erp_id"][i], None)
        extra_erp = erp_df.iloc[dups_erp].copy()
        extra_erp["id"] = guids(rng, len(dups_erp))
        extra_erp["number"] = [f"C{10000 + self.n + 1000 + j}" for j in range(len(dups_erp))]
        extra_erp["billToCustomerNumber"] = ""
        for j, i in enumerate(dups_erp):
            self.exc("customer.duplicate", C["crm_id"][i], extra_erp["id"].iloc[j], None)
        on_crm, on_erp = co["on_crm"].to_numpy(), co["on_erp"].to_numpy()
        crm_df = pd.concat([crm_df[on_crm], extra_crm], ignore_index=True)
        erp_df = pd.concat([erp_df[on_erp], extra_erp], ignore_index=True)
        crm_df["LastModifiedDate"] = self.modstamps(len(crm_df))
        crm_df["SystemModstamp"] = crm_df["LastModifiedDate"]
        erp_df["lastModifiedDateTime"] = self.modstamps(len(erp_df))
        self.crm["Account"], self.erp["customers"] = crm_df, erp_df
        for i in np.flatnonzero(co["linked"].to_numpy()):
            self.links.append([C["crm_id"][i], C["erp_id"][i]])
        refs = _frame({"number": numbers, "salesforceId": erp_ref})
        self.erp["partner_refs"] = refs[on_erp & (refs["salesforceId"] != "").to_numpy()]

    def _attr(self, crm: dict[str, list[Any]], erp: dict[str, list[Any]], i: int, fld: str) -> None:
        C, rng = self.C, self.rng
        c = C["country"][i]
        if fld == "name":
            # a word added is another name; an ASCII spelling (Müller / Mueller, García / Garcia) is a decoy
            erp["displayName"][i] = C["name"][i].replace(C["stem"][i], C["stem"][i] + " International", 1)
        elif fld == "street":
            words = C["street"][i].split()
            num = words[0] if c in names.NUMBER_FIRST else words[-1]
            new = str(int(num) + int(rng.integers(200, 400)))
            erp["addressLine1"][i] = " ".join([new, *words[1:]] if c in names.NUMBER_FIRST else [*words[:-1], new])
        elif fld == "city":
            cities = [x[0] for x in names.CITIES[c] if x[0] != C["city"][i]]
            erp["city"][i] = cities[int(rng.integers(len(cities)))]
        elif fld == "postcode":
            old = C["postcode"][i]
            stem = next(x[2] for x in names.CITIES[c] if x[0] == C["city"][i])
            new = names.postcode(c, stem, int(rng.integers(0, 10**6)))
            erp["postalCode"][i] = new if new != old else old[:-1] + ("1" if old[-1] != "1" else "2")
        elif fld == "country":
            others = ([x for x in names.COUNTRIES if x != c and names.CURRENCY[x] == names.CURRENCY[c]]
                      or [x for x in names.COUNTRIES if x != c])
            erp["country"][i] = others[int(rng.integers(len(others)))]
        elif fld == "tax_id":
            erp["taxRegistrationNumber"][i] = names.tax_id(c, int(rng.integers(0, 10**12)))
        elif fld == "currency":
            erp["currencyCode"][i] = "USD" if C["currency"][i] != "USD" else "EUR"

    # ---- products and prices
    def products(self) -> None:
        rng = self.rng
        n = int(min(2000, max(12, self.n // 8)))
        fams = (("SRV", "Service"), ("LIC", "Licence"), ("HW", "Hardware"), ("SUP", "Support"), ("TRN", "Training"))
        adj = ("Standard", "Professional", "Enterprise", "Basic", "Premium", "Annual", "Monthly")
        fam = rng.integers(0, len(fams), n)
        codes = np.array([f"{fams[f][0]}-{1000 + i}" for i, f in enumerate(fam)])
        pnames = np.array([f"{fams[f][1]} {adj[rng.integers(len(adj))]} {1000 + i}" for i, f in enumerate(fam)])
        n_unmapped = max(1, n // 100)
        un_codes = np.array([f"BNDL-{5000 + i}" for i in range(n_unmapped)])
        un_names = np.array([f"Bundle {adj[i % len(adj)]} {5000 + i}" for i in range(n_unmapped)])
        all_codes = np.concatenate([codes, un_codes])
        all_names = np.concatenate([pnames, un_names])
        crm_pid = self.sfids("01t", len(all_codes))
        erp_pid = guids(rng, n)
        base_eur = np.round(np.exp(rng.uniform(np.log(50), np.log(5000), n)), 0) * 100  # cents, whole EUR
        self.crm["Product2"] = _frame({"Id": crm_pid, "Name": all_names, "ProductCode": all_codes,
                                             "Family": [fams[f][1] for f in fam] + ["Bundle"] * n_unmapped,
                                             "IsActive": "true", "LastModifiedDate": self.modstamps(len(all_codes))})
        self.erp["items"] = _frame({"id": erp_pid, "number": codes, "displayName": pnames, "type": "Inventory",
                                          "baseUnitOfMeasureCode": "PCS",
                                          "unitPrice": money_text(base_eur.astype(np.int64), np.full(n, 2)),
                                          "blocked": "false", "lastModifiedDateTime": self.modstamps(n)})
        for j in range(n_unmapped):
            self.exc("data_quality.unmapped_product", crm_pid[n + j], None, None)
        # one entry per product and currency; unmapped bundles only priced in CRM
        k = len(CURRENCIES)
        pi = np.repeat(np.arange(len(all_codes)), k)
        cur = np.tile(np.array(CURRENCIES), len(all_codes))
        dec = np.array([_DECIMALS[c] for c in cur])
        eur = np.concatenate([base_eur, np.round(np.exp(rng.uniform(np.log(100), np.log(900), n_unmapped))) * 100])
        fx = np.array([_FX[c] for c in cur])
        major = eur[pi] / 100 * fx
        minor = np.where(dec == 0, np.round(major / 10) * 10, np.round(major * 100)).astype(np.int64)
        erp_minor = minor.copy()
        m = len(pi)
        mapped = pi < n
        taken = np.zeros(m, dtype=bool)
        taken[~mapped] = True
        elig = np.arange(m)
        mism = self.pick(elig, 0.02, taken)
        miss_erp = self.pick(elig, 0.01, taken)
        miss_crm = self.pick(elig, 0.01, taken)
        tol = self.pick(elig, 0.02, taken)
        sign = np.where(rng.random(len(mism)) < 0.5, -1, 1)
        erp_minor[mism] = (minor[mism] * (1 + sign * rng.uniform(0.05, 0.15, len(mism)))).astype(np.int64)
        unit = np.where(dec[tol] == 0, 1, 1)
        erp_minor[tol] = minor[tol] + np.maximum(unit, (minor[tol] * 0.002).astype(np.int64))
        self.price_minor = {(int(p), c): int(v) for p, c, v in zip(pi, cur, minor)}
        crm_ids = self.sfids("01u", m)
        erp_ids = guids(rng, m)
        self.erp_price_id = {(int(p), c): e for p, c, e in zip(pi, cur, erp_ids)}
        dirty = np.zeros(m, dtype=bool)
        dirty[np.concatenate([mism, miss_erp, miss_crm, tol])] = True
        self.dirty_prices = {(int(pi[j]), cur[j]) for j in np.flatnonzero(dirty)}
        for j in mism:
            self.exc("pricing.price_mismatch", crm_ids[j], erp_ids[j], "unit_price")
        for j in miss_erp:
            self.exc("pricing.missing_in_erp", crm_ids[j], None, None)
        for j in miss_crm:
            self.exc("pricing.missing_in_crm", None, erp_ids[j], None)
        for j in tol:
            self.decoy("price_within_tolerance", crm_ids[j], erp_ids[j])
        pb_id = self.sfids("01s", 1)[0]
        keep_crm = np.ones(m, dtype=bool)
        keep_crm[miss_crm] = False
        keep_erp = mapped.copy()
        keep_erp[miss_erp] = False
        self.crm["PricebookEntry"] = _frame({
            "Id": crm_ids, "Pricebook2Id": pb_id, "Pricebook2.Name": STANDARD_PRICEBOOK,
            "Product2Id": crm_pid[pi], "ProductCode": all_codes[pi], "Product2.Name": all_names[pi],
            "CurrencyIsoCode": cur, "UnitPrice": money_text(minor, dec), "IsActive": "true",
            "LastModifiedDate": self.modstamps(m)})[keep_crm]
        self.erp["salesPrices"] = _frame({
            "id": erp_ids, "itemNumber": all_codes[pi], "salesType": "All Customers", "currencyCode": cur,
            "unitPrice": money_text(erp_minor, dec), "startingDate": f"{self.as_of.year}-01-01",
            "minimumQuantity": "0", "lastModifiedDateTime": self.modstamps(m)})[keep_erp]
        self.n_products = n
        self.product_codes = codes
        self.crm_product_ids = crm_pid

    # ---- orders
    def orders(self) -> None:
        rng, co = self.rng, self.co
        linked = np.flatnonzero(co["linked"].to_numpy())
        k = rng.integers(0, 4, len(linked))
        oc = np.repeat(linked, k)
        n = len(oc)
        cur = co["currency"].to_numpy()[oc]
        dec = np.array([_DECIMALS[c] for c in cur], dtype=np.int64)
        nlines = rng.integers(1, 4, n)
        lo = np.repeat(np.arange(n), nlines)
        ln = len(lo)
        prod = rng.integers(0, self.n_products, ln)
        qty = rng.integers(1, 21, ln).astype(np.int64)
        unit = np.array([self.price_minor[(int(p), c)] for p, c in zip(prod, cur[lo])], dtype=np.int64)
        erp_qty = qty.copy()
        activated = rng.random(n) < 0.85
        taken = ~activated
        elig = np.arange(n)
        miss = self.pick(elig, 0.01, taken)
        amt = self.pick(elig, 0.01, taken)
        lz = self.pick(elig, 0.02, taken)
        # off-price lines: a discount on an activated order whose product's price lists agree
        first_line = np.concatenate([[0], np.cumsum(nlines)[:-1]])
        free_order = ~taken
        line_ok = np.array([free_order[o] and (int(p), c) not in self.dirty_prices
                            for o, p, c in zip(lo, prod, cur[lo])], dtype=bool) if ln else np.zeros(0, bool)
        off = self.pick(np.flatnonzero(line_ok), 0.01, np.zeros(ln, dtype=bool))
        list_price = unit.copy()
        unit = unit.copy()
        unit[off] = np.maximum(1, (unit[off] * rng.uniform(0.7, 0.9, len(off))).astype(np.int64))
        erp_qty[first_line[amt]] += 1
        total = np.bincount(lo, weights=qty * unit, minlength=n).astype(np.int64)
        erp_total = np.bincount(lo, weights=erp_qty * unit, minlength=n).astype(np.int64)
        crm_ids = self.sfids("801", n)
        erp_ids = guids(rng, n)
        ordnum = np.array([f"{i + 100:08d}" for i in range(n)])
        sonum = np.array([f"SO-{100001 + i}" for i in range(n)])
        odate = self.as_of64 - rng.integers(0, 200, n)
        xref = np.where(activated, sonum, "")
        xref[miss] = ""
        xref[lz] = ""
        ext = ordnum.copy()
        ext[lz] = np.array([str(int(x)) for x in ordnum[lz]], dtype=ext.dtype)
        for j in miss:
            self.exc("order.missing_in_erp", crm_ids[j], None, None)
        for j in amt:
            self.exc("order.amount_mismatch", crm_ids[j], erp_ids[j], "total_amount")
        for j in lz:
            self.decoy("order_number_leading_zeros", crm_ids[j], erp_ids[j])
        line_ids = self.sfids("802", ln)
        for j in off:
            self.exc("pricing.off_price_order_line", line_ids[j], self.erp_price_id[(int(prod[j]), cur[lo[j]])],
                     "unit_price")
        self.crm["Order"] = _frame({
            "Id": crm_ids, "OrderNumber": ordnum, "AccountId": co["crm_id"].to_numpy()[oc],
            "EffectiveDate": date_text(odate), "Status": np.where(activated, "Activated", "Draft"),
            "CurrencyIsoCode": cur, "TotalAmount": money_text(total, dec), "ERP_Order_Number__c": xref,
            "Pricebook2Id": self.crm["PricebookEntry"]["Pricebook2Id"].iloc[0],
            "LastModifiedDate": self.modstamps(n)})
        self.crm["OrderItem"] = _frame({
            "Id": line_ids, "OrderId": crm_ids[lo], "Product2Id": self.crm_product_ids[prod],
            "Product2.ProductCode": self.product_codes[prod], "Quantity": int_text(qty),
            "UnitPrice": money_text(unit, dec[lo]), "ListPrice": money_text(list_price, dec[lo]),
            "TotalPrice": money_text(qty * unit, dec[lo]), "CurrencyIsoCode": cur[lo],
            "LastModifiedDate": self.modstamps(ln)})
        in_erp = activated.copy()
        in_erp[miss] = False
        seq = np.arange(ln) - first_line[lo] + 1
        self.erp["salesOrders"] = _frame({
            "id": erp_ids, "number": sonum, "externalDocumentNumber": ext, "orderDate": date_text(odate),
            "customerId": co["erp_id"].to_numpy()[oc], "customerNumber": co["number"].to_numpy()[oc],
            "currencyCode": cur, "status": np.where(rng.random(n) < 0.5, "Open", "Released"),
            "totalAmountIncludingTax": money_text(erp_total, dec),
            "lastModifiedDateTime": self.modstamps(n)})[in_erp]
        self.erp["salesOrderLines"] = _frame({
            "id": guids(rng, ln), "documentId": erp_ids[lo], "sequence": int_text(seq * 10000),
            "lineType": "Item", "lineObjectNumber": self.product_codes[prod], "quantity": int_text(erp_qty),
            "unitPrice": money_text(unit, dec[lo]), "amountIncludingTax": money_text(erp_qty * unit, dec[lo]),
            })[in_erp[lo]]

    # ---- invoices and payments
    def invoices(self) -> None:
        rng, co, ipc = self.rng, self.co, self.ipc
        linked = np.flatnonzero(co["linked"].to_numpy())
        spread = max(0, ipc // 3)
        k = rng.integers(max(1, ipc - spread), ipc + spread + 1, len(linked))
        ic = np.repeat(linked, k)
        n = len(ic)
        cur = co["currency"].to_numpy()[ic]
        dec = np.array([_DECIMALS[c] for c in cur], dtype=np.int64)
        fx = np.array([_FX[c] for c in cur])
        major = np.exp(rng.uniform(np.log(200), np.log(60000), n)) * fx
        total = np.where(dec == 0, np.round(major), np.round(major * 100)).astype(np.int64)
        idate = self.as_of64 - rng.integers(0, 365, n)
        terms = co["terms"].to_numpy()[ic].astype(np.int64)
        due = idate + terms
        u = rng.random(n)
        # paid / open / part-paid / void; older invoices are more often settled
        age = (self.as_of64 - idate).astype(np.int64)
        p_paid = np.clip(age / 120, 0.1, 0.85)
        base = np.where(u < p_paid, "paid", np.where(u < p_paid + 0.09, "partial",
                                                      np.where(u < p_paid + 0.13, "void", "open")))
        part = np.where(dec == 0, np.round(total * rng.uniform(0.2, 0.8, n)),
                        np.round(total * rng.uniform(0.2, 0.8, n))).astype(np.int64)
        # CRM and ERP state before injections
        crm_inv = np.where(base == "void", "Cancelled", "Posted")
        crm_pay = np.select([base == "paid", base == "partial"], ["Paid", "Partially Paid"], "Unpaid")
        crm_bal = np.select([base == "paid", base == "void", base == "partial"], [0, 0, total - part], total)
        erp_status = np.select([base == "paid", base == "void"], ["Paid", "Canceled"], "Open").astype(object)
        erp_total = total.copy()
        erp_bal = crm_bal.copy()
        erp_due = due.copy()
        paid_amt = np.select([base == "paid", base == "partial"], [total, part], 0).astype(np.int64)
        crm_total = total.copy()
        taken = np.zeros(n, dtype=bool)
        is_open = np.flatnonzero(base == "open")
        is_part = np.flatnonzero(base == "partial")
        not_void = np.flatnonzero(base != "void")
        every = np.arange(n)
        rate = 0.005
        st_a = self.pick(is_open, rate, taken)
        st_b = self.pick(is_open, rate / 2, taken)
        bal = self.pick(is_part, rate * 2, taken)
        ppnr = self.pick(is_open, rate, taken)
        dd = self.pick(not_void, rate, taken)
        am = self.pick(is_open, rate, taken)
        miss_crm = self.pick(every, rate, taken)
        miss_erp = self.pick(every, rate, taken)
        d_round = self.pick(is_open, rate, taken)
        d_spell = self.pick(np.flatnonzero(base == "void"), 0.3, taken)
        d_part = self.pick(is_part, 0.05, taken)
        d_id15 = self.pick(every, rate, taken)
        d_num = self.pick(every, rate, taken)
        # status: ERP paid, CRM still unpaid (payment not synced back)
        erp_status[st_a] = "Paid"
        erp_bal[st_a] = 0
        paid_amt[st_a] = total[st_a]
        # status: CRM cancelled, ERP still open
        crm_inv[st_b] = "Cancelled"
        crm_bal[st_b] = 0
        # balance: both part-paid, different amounts
        other = np.where(dec[bal] == 0, np.round(total[bal] * 0.1), np.round(total[bal] * 0.1)).astype(np.int64)
        erp_bal[bal] = np.where(part[bal] > total[bal] // 2, crm_bal[bal] + other, crm_bal[bal] - other)
        paid_amt[bal] = total[bal] - erp_bal[bal]
        # part payment in ERP not reflected in CRM
        erp_bal[ppnr] = total[ppnr] - part[ppnr]
        paid_amt[ppnr] = part[ppnr]
        erp_due[dd] = due[dd] + np.where(rng.random(len(dd)) < 0.5, 15, -10)
        delta = np.maximum(np.round(total[am] * rng.uniform(0.05, 0.2, len(am))), 100).astype(np.int64)
        erp_total[am] = total[am] + delta
        erp_bal[am] = erp_total[am]
        erp_total[d_round] += 1
        erp_bal[d_round] += 1
        erp_status[d_spell] = "Cancelled"
        crm_ids = self.sfids(INVOICE_PREFIX, n)
        erp_ids = guids(rng, n)
        crm_name = np.array([f"INV-{i + 1:07d}" for i in range(n)])
        psi = np.array([f"PSI-{103000 + i}" for i in rng.permutation(n)])
        crm_ref = psi.copy().astype(object)
        for j in d_num:
            crm_ref[j] = f" {psi[j].lower()}"
        acct = co["crm_id"].to_numpy()[ic].astype(object)
        acct[d_id15] = np.array([a[:15] for a in acct[d_id15]], dtype=object)
        for idx, typ, fld in ((st_a, "invoice.status_mismatch", "status"), (st_b, "invoice.status_mismatch", "status"),
                              (bal, "invoice.balance_mismatch", "open_balance"),
                              (ppnr, "invoice.partial_payment_not_reflected", "open_balance"),
                              (dd, "invoice.due_date_mismatch", "due_date"),
                              (am, "invoice.amount_mismatch", "total_amount")):
            for j in idx:
                self.exc(typ, crm_ids[j], erp_ids[j], fld)
        for j in miss_crm:
            self.exc("invoice.missing_in_crm", None, erp_ids[j], None)
        for j in miss_erp:
            self.exc("invoice.missing_in_erp", crm_ids[j], None, None)
        for idx, what in ((d_round, "amount_rounding"), (d_spell, "status_spelling"),
                          (d_part, "partial_status_equivalent"), (d_id15, "id_15_char"),
                          (d_num, "invoice_number_case_whitespace")):
            for j in idx:
                self.decoy(what, crm_ids[j], erp_ids[j])
        keep_crm = np.ones(n, dtype=bool)
        keep_crm[miss_crm] = False
        keep_erp = np.ones(n, dtype=bool)
        keep_erp[miss_erp] = False
        total_txt = money_text(crm_total, dec)
        zero_txt = np.where(dec == 0, "0", "0.00").astype(object)
        crm_bal_txt = money_text_like(crm_bal, dec, crm_total, total_txt)
        zeros = np.flatnonzero(crm_bal == 0)
        crm_bal_txt[zeros] = zero_txt[zeros]
        self.crm["blng__Invoice__c"] = _frame({
            "Id": crm_ids, "Name": crm_name, "blng__Account__c": acct, "ERP_Invoice_Number__c": crm_ref,
            "blng__InvoiceDate__c": date_text(idate), "blng__DueDate__c": date_text(due),
            "blng__InvoiceStatus__c": crm_inv, "blng__PaymentStatus__c": crm_pay,
            "blng__TotalAmount__c": total_txt, "blng__Balance__c": crm_bal_txt,
            "CurrencyIsoCode": cur, "LastModifiedDate": self.modstamps(n)})[keep_crm]
        self.erp["salesInvoices"] = _frame({
            "id": erp_ids, "number": psi, "externalDocumentNumber": crm_name,
            "invoiceDate": date_text(idate), "dueDate": date_text(erp_due),
            "customerId": co["erp_id"].to_numpy()[ic], "customerNumber": co["number"].to_numpy()[ic],
            "customerName": co["name"].to_numpy()[ic], "currencyCode": cur,
            "totalAmountIncludingTax": money_text_like(erp_total, dec, crm_total, total_txt),
            "remainingAmount": money_text_like(erp_bal, dec, crm_bal, crm_bal_txt),
            "status": erp_status, "lastModifiedDateTime": self.modstamps(n)})[keep_erp]
        has_pay = (paid_amt > 0) & keep_erp
        pj = np.flatnonzero(has_pay)
        pdate = np.minimum(idate[pj] + rng.integers(3, 60, len(pj)), self.as_of64)
        self.erp["customerPayments"] = _frame({
            "id": guids(rng, len(pj)), "customerId": co["erp_id"].to_numpy()[ic[pj]],
            "customerNumber": co["number"].to_numpy()[ic[pj]], "postingDate": date_text(pdate),
            "documentNumber": [f"PAY-{200000 + i}" for i in range(len(pj))],
            "appliesToInvoiceNumber": psi[pj],
            "amount": money_text_like(paid_amt[pj], dec[pj], total[pj], total_txt[pj]),
            "currencyCode": cur[pj], "lastModifiedDateTime": self.modstamps(len(pj))})
        self.n_invoices = int(keep_crm.sum())


_RUN_TOML = '''# Generated by `workbench scenario` (seed {seed}, {customers} customers, generator {version}).
# Runs the generated extracts with the files connector: `workbench run --config run.toml`.
[run]
name = "Scenario seed {seed}"
as_of = "{as_of}"
period = "{period}"

[crm]
connector = "files"
system = "salesforce"          # Data Loader export: API field names as column headers
[crm.files]
dir = "crm"
[crm.objects.customers]
file = "Account.csv"
[crm.objects.customers.fields]
xref = "ERP_Customer_Number__c"   # custom field holding the Business Central customer number
tax_id = "Tax_ID__c"
[crm.objects.products]
file = "Product2.csv"
[crm.objects.prices]
file = "PricebookEntry.csv"
[crm.objects.orders]
file = "Order.csv"
[crm.objects.orders.fields]
xref = "ERP_Order_Number__c"
[crm.objects.order_lines]
file = "OrderItem.csv"
[crm.objects.invoices]
file = "blng__Invoice__c.csv"
[crm.objects.invoices.fields]
number = "ERP_Invoice_Number__c"  # the ERP invoice number the Billing invoice was posted as

[erp]
connector = "files"
system = "business_central"    # API v2.0 entity field names as column headers
[erp.files]
dir = "erp"
[erp.objects.customers]
file = "customers.csv"
[erp.objects.products]
file = "items.csv"
[erp.objects.prices]
file = "salesPrices.csv"
[erp.objects.orders]
file = "salesOrders.csv"
[erp.objects.order_lines]
file = "salesOrderLines.csv"
[erp.objects.invoices]
file = "salesInvoices.csv"
[erp.objects.payments]
file = "customerPayments.csv"

[rules.tolerances]
price = {{ abs_minor = {price_abs_minor}, rel = "{price_rel}" }}   # differs beyond max(minor units, rel * crm)
amount_minor_units = {amount_minor_units}      # invoice/order amounts: allowed difference in minor units

[rules.ids]
ignore_leading_zeros = true     # order numbers "00000123" and "123" are the same order
'''


def generate(seed: int, customers: int, out_dir: Path, *, invoices_per_customer: int = 10,
             as_of: date | None = None, xref_error_share: float = 0.2, state: TaskState | None = None) -> Path:
    """Write a scenario directory (see the module docstring) and return its path."""
    as_of = as_of or DEFAULT_AS_OF
    out = Path(out_dir)
    if not 0 <= xref_error_share <= 0.9:
        raise InputError("xref error share out of range", column="xref_error_share", got=xref_error_share,
                         expected="a share between 0 and 0.9")
    _check_target(out)
    g = _Gen(int(seed), int(customers), int(invoices_per_customer), as_of, float(xref_error_share))
    steps = ["customers", "products", "orders", "invoices", "write"]
    report(state, 0, len(steps), "customers")
    g.customers()
    report(state, 1, len(steps), "products and prices")
    g.products()
    report(state, 2, len(steps), "orders")
    g.orders()
    report(state, 3, len(steps), "invoices and payments")
    g.invoices()
    report(state, 4, len(steps), "writing files")
    _write(g, out)
    report(state, 5, len(steps), "done")
    return out


def _check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "scenario.json").exists())):
        # only an earlier scenario is ever replaced; anything else the user keeps there stays
        raise InputError("exists and is not a generated scenario; choose a new or empty directory",
                         file=str(out))


def _write(g: _Gen, out: Path) -> None:
    # write into a sibling temp dir and rename, so a cancelled or failed run leaves no half scenario
    import shutil
    import tempfile
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        (tmp / "crm").mkdir()
        (tmp / "erp").mkdir()
        for name, df in g.crm.items():
            write_csv(tmp / "crm" / f"{name}.csv", df, quote_all=True)
        for name, df in g.erp.items():
            write_csv(tmp / "erp" / f"{name}.csv", df, quote_all=False)
        (tmp / "truth.json").write_text(_truth_text(g), encoding="utf-8")
        meta = {"seed": g.seed, "customers": g.n, "invoices": g.n_invoices,
                "invoices_per_customer": g.ipc, "as_of": g.as_of.isoformat(),
                "xref_error_share": g.xref_share, "generator_version": GENERATOR_VERSION,
                "files": {f"crm/{k}.csv": len(v) for k, v in g.crm.items()}
                | {f"erp/{k}.csv": len(v) for k, v in g.erp.items()}}
        (tmp / "scenario.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        (tmp / "run.toml").write_text(_RUN_TOML.format(
            seed=g.seed, customers=g.n, version=GENERATOR_VERSION, as_of=g.as_of.isoformat(),
            period=g.as_of.strftime("%Y-%m"), price_abs_minor=PRICE_TOLERANCE["abs_minor"],
            price_rel=PRICE_TOLERANCE["rel"], amount_minor_units=TOLERANCES["amount_minor_units"]),
            encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _truth_text(g: _Gen) -> str:
    """truth.json with one link / exception / decoy per line: diffable, and written by the C encoder."""
    def block(name: str, items: list[Any]) -> str:
        body = ",\n  ".join(json.dumps(x, ensure_ascii=False) for x in items)
        return f'"{name}": [\n  {body}\n ]' if items else f'"{name}": []'
    head = f'"seed": {g.seed},\n "as_of": "{g.as_of.isoformat()}",\n "tolerances": {json.dumps(TOLERANCES)}'
    return "{\n " + ",\n ".join([head, block("links", g.links), block("exceptions", g.exceptions),
                                  block("decoys", g.decoys)]) + "\n}\n"


def load(scenario_dir: Path, state: TaskState | None = None) -> Scenario:
    """Read a generated scenario back through the files connector into canonical frames."""
    from workbench import config as config_mod
    from workbench.sources import files

    d = Path(scenario_dir)
    cfg = config_mod.load(d / "run.toml")
    crm = files.create("crm", cfg).pull(state)
    erp = files.create("erp", cfg).pull(state)
    truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
    meta = json.loads((d / "scenario.json").read_text(encoding="utf-8"))
    refs_path = d / "erp" / "partner_refs.csv"
    erp_xref: dict[str, str] = {}
    if refs_path.exists():
        refs = pd.read_csv(refs_path, dtype=str, keep_default_na=False)
        erp_xref = dict(zip(refs["number"], refs["salesforceId"]))
    return Scenario(crm=dict(crm.frames), erp=dict(erp.frames), truth=truth, meta=meta, path=d, erp_xref=erp_xref)
