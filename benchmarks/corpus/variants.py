"""Variation classes: each record's CRM and ERP views, with decoys and true discrepancies.

A decoy writes the same fact differently (must not be reported); a true discrepancy writes a
different fact (must be reported). Classes follow what entity-resolution benchmarks inject
(Febrl's generator: typographical errors, token swaps, abbreviations, missing values, per field;
the DuDe toolkit and Magellan datasets: real name/address variation such as legal forms,
abbreviated street types and formatting) plus the vendor-specific ways the same state is exported.
Decoys only go on records that carry no true discrepancy of their family, so each can be judged.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from benchmarks.corpus.master import AS_OF, CURRENCIES, Customer, Invoice, Product, minor
from benchmarks.corpus.vocab import (BUSINESS_WORDS, COMPOUND_STREETS, CONJUNCTIONS, LEGAL_FORM_SPELLINGS,
                                     LOCALES, STREET_WORDS)

# share of records per true discrepancy kind
CUSTOMER_TRUE = {"missing_in_erp": 0.01, "missing_in_crm": 0.01, "name_word_replaced": 0.007,
                 "name_word_added": 0.007, "name_word_dropped": 0.007, "street_changed": 0.007,
                 "house_number_changed": 0.007, "city_changed": 0.007, "postcode_changed": 0.007,
                 "country_changed": 0.005, "tax_id_changed": 0.007, "wrong_xref": 0.01, "missing_xref": 0.02}
PRICE_TRUE = {"price_differs": 0.01, "missing_in_erp": 0.005, "missing_in_crm": 0.005}
INVOICE_TRUE = {"total_differs": 0.005, "balance_differs": 0.005, "status_paid_vs_open": 0.005,
                "status_void_vs_open": 0.004, "due_date_differs": 0.005, "missing_in_crm": 0.004,
                "missing_in_erp": 0.004}
FIELD = {"name_word_replaced": "name", "name_word_added": "name", "name_word_dropped": "name",
         "street_changed": "street", "house_number_changed": "street", "city_changed": "city",
         "postcode_changed": "postcode", "country_changed": "country", "tax_id_changed": "tax_id",
         "wrong_xref": "xref", "missing_xref": "xref", "price_differs": "unit_price",
         "total_differs": "total_amount", "balance_differs": "open_balance", "status_paid_vs_open": "status",
         "status_void_vs_open": "status", "due_date_differs": "due_date"}


@dataclass
class Truth:
    links: list[list[str]] = field(default_factory=list)
    discrepancies: list[dict] = field(default_factory=list)
    decoys: list[dict] = field(default_factory=list)

    def true(self, family: str, kind: str, record: dict) -> None:
        self.discrepancies.append({"family": family, "kind": kind, "record": record, "field": FIELD.get(kind)})

    def decoy(self, cls: str, family: str, record: dict, fld: str | None) -> None:
        self.decoys.append({"class": cls, "family": family, "record": record, "field": fld})


def pick(rng: random.Random, table: dict[str, float]) -> str | None:
    r = rng.random()
    for kind, share in table.items():
        if r < share:
            return kind
        r -= share
    return None


# ---------------------------------------------------------------- customers
def legal_name(core: str, legal: tuple[str, str | None, bool], *, form: str | None = None,
               before: bool = False) -> str:
    form = form if form is not None else legal[0]
    if not form:
        return core
    return f"{form} {core}" if before else f"{core} {form}"


def street_line(c: Customer, street: str, house: str, number_first: bool) -> str:
    if number_first:
        return f"{house} {street}"
    return f"{street}, {house}" if c.loc.country in ("ES", "IT") else f"{street} {house}"


def abbreviate_street(iso: str, street: str) -> str | None:
    for long, short in STREET_WORDS.get(iso, []):
        if iso in COMPOUND_STREETS and street.endswith(long) and street != long:
            return street[: -len(long)] + short
        pat = rf"(?<![\w]){re.escape(long)}(?![\w])"
        if re.search(pat, street):
            return re.sub(pat, short, street, count=1)
    return None


def strip_accents(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


def _typo(rng: random.Random, core: str) -> str | None:
    words = [w for w in core.split() if len(w) >= 6 and w.isalpha()]
    if not words:
        return None
    w = rng.choice(words)
    k = rng.randrange(1, len(w) - 1)
    repl = rng.choice([ch for ch in "aeiourstnl" if ch != w[k].lower()])
    return core.replace(w, w[:k] + repl + w[k + 1:], 1)


def _swap_tokens(core: str) -> str | None:
    m = re.match(r"^(\w[\w'-]*)[ ,-]+(\w[\w'-]*)$", core)
    return f"{m.group(2)} {m.group(1)}" if m and m.group(1) != m.group(2) else None


def _conjunction(c: Customer, core: str) -> str | None:
    word = CONJUNCTIONS[c.loc.country]
    if " & " in core:
        return core.replace(" & ", f" {word} ")
    for w in ("and", "und", "et", "y", "e", "en", "och"):
        if f" {w} " in core:
            return core.replace(f" {w} ", " & ")
    return None


def render_customers(rng: random.Random, customers: list[Customer], truth: Truth) -> tuple[list[dict], list[dict]]:
    """CRM rows and ERP rows (canonical keys; the writers name the columns per vendor)."""
    crm_rows, erp_rows = [], []
    name_pool = [c.core.split()[0] for c in customers if c.core.split()]
    by_loc: dict[str, list[Customer]] = {}
    for c in customers:
        by_loc.setdefault(c.loc.country, []).append(c)
    for c in customers:
        rec = {"crm_id": c.crm_id if c.on_crm else None, "erp_number": c.erp_number if c.on_erp else None}
        base = {
            "name": legal_name(c.core, c.legal, before=c.legal[2] and c.loc.country == "JP"),
            "street": street_line(c, c.street, c.house, c.loc.number_first), "city": c.city,
            "postcode": c.postcode, "country": c.loc.country, "tax_id": c.vat, "website": c.website,
            "phone": c.phone, "currency": c.currency}
        crm, erp = dict(base), dict(base)
        crm["xref"] = c.erp_number
        erp["backref"] = c.crm_id
        # Salesforce users type the country name more often than the code
        if rng.random() < 0.3:
            crm["country"] = c.loc.country_name
            truth.decoy("country_name_vs_code", "customer", rec, "country")
        kind = None
        if c.on_crm and c.on_erp:
            truth.links.append([c.crm_id, c.erp_number])
            kind = pick(rng, {k: v for k, v in CUSTOMER_TRUE.items() if not k.startswith("missing_in")})
            kind = _apply_true(rng, kind, c, crm, customers, by_loc[c.loc.country], name_pool)
            if kind:
                truth.true("customer", kind, rec)
            else:
                _apply_decoys(rng, c, crm, erp, truth, rec)
        elif not c.on_erp:
            truth.true("customer", "missing_in_erp", rec)
            crm["xref"] = None
        else:
            truth.true("customer", "missing_in_crm", rec)
            erp["backref"] = None
        if c.on_crm:
            crm_rows.append({"c": c, **crm})
        if c.on_erp:
            erp_rows.append({"c": c, **erp})
    return crm_rows, erp_rows


def _apply_true(rng, kind, c: Customer, crm: dict, customers, local, name_pool) -> str | None:
    """Applies a true difference to the CRM view (the CRM holds the stale value); None if not applicable."""
    if kind is None:
        return None
    words = c.core.split()
    if kind == "name_word_replaced":
        new = rng.choice(name_pool)
        if len(words[0]) < 3 or new.lower() == words[0].lower():
            return None
        crm["name"] = legal_name(" ".join([new] + words[1:]), c.legal)
    elif kind == "name_word_added":
        crm["name"] = legal_name(f"{c.core} {rng.choice(name_pool)}", c.legal)
    elif kind == "name_word_dropped":
        keep = [w for w in words if len(w) >= 3]
        if len(keep) < 2:
            return None
        crm["name"] = legal_name(" ".join(w for w in words if w != keep[-1]), c.legal)
    elif kind == "street_changed":
        other = rng.choice(local)
        if other.street == c.street:
            return None
        crm["street"] = street_line(c, other.street, c.house, c.loc.number_first)
    elif kind == "house_number_changed":
        h = c.house.split("-")
        h[0] = str(int(h[0]) + rng.randint(1, 40))
        crm["street"] = street_line(c, c.street, "-".join(h), c.loc.number_first)
    elif kind == "city_changed":
        other = rng.choice(local)
        if other.city == c.city:
            return None
        crm["city"] = other.city
    elif kind == "postcode_changed":
        other = rng.choice(local)
        if re.sub(r"\W", "", other.postcode) == re.sub(r"\W", "", c.postcode):
            return None
        crm["postcode"] = other.postcode
    elif kind == "country_changed":
        crm["country"] = rng.choice([loc.country for loc in LOCALES if loc.country != c.loc.country])
    elif kind == "tax_id_changed":
        digits = re.sub(r"\D", "", c.vat)
        k = rng.randrange(len(digits))
        new_digit = str((int(digits[k]) + rng.randint(1, 9)) % 10)
        pos = [m.start() for m in re.finditer(r"\d", c.vat)][k]
        crm["tax_id"] = c.vat[:pos] + new_digit + c.vat[pos + 1:]
    elif kind == "wrong_xref":
        other = rng.choice(customers)
        if other is c or not other.on_erp:
            return None
        crm["xref"] = other.erp_number
    elif kind == "missing_xref":
        crm["xref"] = None
    return kind


def _apply_decoys(rng, c: Customer, crm: dict, erp: dict, truth: Truth, rec: dict) -> None:
    iso = c.loc.country

    def side() -> dict:
        return erp if rng.random() < 0.5 else crm

    def add(cls: str, fld: str) -> None:
        truth.decoy(cls, "customer", rec, fld)

    if rng.random() < 0.15:  # the ERP's back-reference was never filled in
        erp["backref"] = None
        add("backref_one_sided", "xref")
    if rng.random() < 0.02 and (v := _typo(rng, c.core)):
        side()["name"] = legal_name(v, c.legal)
        add("name_typo", "name")
    elif rng.random() < 0.03 and (v := _swap_tokens(c.core)):
        side()["name"] = legal_name(v, c.legal)
        add("name_token_order", "name")
    elif rng.random() < 0.3 and (v := _conjunction(c, c.core)):
        side()["name"] = legal_name(v, c.legal)
        add("name_conjunction", "name")
    elif rng.random() < 0.04 and c.legal[1]:
        side()["name"] = legal_name(c.core, c.legal, form=c.legal[1])
        add("legal_form_spelled_out", "name")
    elif rng.random() < 0.04 and c.legal[0] in LEGAL_FORM_SPELLINGS:
        side()["name"] = legal_name(c.core, c.legal, form=LEGAL_FORM_SPELLINGS[c.legal[0]])
        add("legal_form_punctuation", "name")
    elif rng.random() < 0.04:
        side()["name"] = c.core
        add("legal_form_one_side", "name")
    elif rng.random() < 0.2 and c.legal[2]:
        before = iso != "JP"  # the usual position is after the name except in Japan
        side()["name"] = legal_name(c.core, c.legal, before=before)
        add("legal_form_position", "name")
    elif rng.random() < 0.06:
        s = side()
        s["name"] = rng.choice([s["name"].upper(), strip_accents(s["name"]), "  " + s["name"].replace(" ", "  ") + " ",
                                s["name"].replace("-", " ").replace(",", "").replace(".", "")])
        add("name_case_accents_punctuation", "name")
    elif rng.random() < 0.02 and iso in ("US", "GB"):
        side()["name"] = "The " + crm["name"]
        add("name_article", "name")
    elif rng.random() < 0.5 and (bw := next((b for b in BUSINESS_WORDS if c.core.endswith(b[0])), None)):
        side()["name"] = legal_name(c.core[: -len(bw[0])] + bw[1], c.legal)
        add("name_business_abbreviation", "name")

    if rng.random() < 0.08 and (v := abbreviate_street(iso, c.street)):
        side()["street"] = street_line(c, v, c.house, c.loc.number_first)
        add("street_type_abbreviation", "street")
    elif rng.random() < 0.03:
        side()["street"] = street_line(c, c.street, c.house, not c.loc.number_first)
        add("house_number_position", "street")
    if rng.random() < 0.05:
        pc = c.postcode
        new = {"GB": pc.replace(" ", ""), "NL": pc.replace(" ", "") if " " in pc else pc[:4] + " " + pc[4:],
               "SE": pc.replace(" ", "") if " " in pc else pc[:3] + " " + pc[3:], "JP": pc.replace("-", ""),
               "US": f"{pc}-{rng.randint(1000, 9999)}" if len(pc) == 5 else pc[:5]}.get(iso)
        if new and new != pc:
            side()["postcode"] = new
            add("postcode_format", "postcode")
    if rng.random() < 0.06:
        v = c.vat
        digits = v[2:] if v[:2].isalpha() and iso not in ("US", "JP") else v
        new = {"US": v.replace("-", ""), "JP": v[1:]}.get(iso) or rng.choice(
            [digits, f"{v[:2]} {' '.join(digits[i:i + 3] for i in range(0, len(digits), 3))}"])
        side()["tax_id"] = new
        add("tax_id_format", "tax_id")
    if c.website and rng.random() < 0.1:
        side()["website"] = rng.choice([f"https://www.{c.website}", f"http://{c.website}/", f"www.{c.website}",
                                        f"https://{c.website}/contact"])
        add("website_format", "website")
    if rng.random() < 0.1:
        digits = c.phone.split(" ", 1)[1].replace(" ", "")
        side()["phone"] = rng.choice([f"0{digits}", f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
                                      f"00{c.loc.phone_cc}{digits}"])
        add("phone_format", "phone")


def assign_presence(rng: random.Random, customers: list[Customer]) -> None:
    """Customers on one side only (a prospect never synced, an ERP-only account)."""
    for c in customers:
        kind = pick(rng, {k: CUSTOMER_TRUE[k] for k in ("missing_in_erp", "missing_in_crm")})
        c.on_erp = kind != "missing_in_erp"
        c.on_crm = kind != "missing_in_crm"


def same_name_pairs(rng: random.Random, customers: list[Customer], truth: Truth, share: float = 0.005) -> None:
    """Two different companies with one name (other address and tax id): display names are not unique."""
    for _ in range(int(len(customers) * share)):
        a, b = rng.sample(customers, 2)
        if a.loc is b.loc and a.core != b.core:
            b.core, b.legal = a.core, a.legal
            for c in (a, b):
                rec = {"crm_id": c.crm_id if c.on_crm else None, "erp_number": c.erp_number if c.on_erp else None}
                truth.decoy("same_name_other_customer", "customer", rec, "name")


# ---------------------------------------------------------------- prices
def render_prices(rng: random.Random, products: list[Product], truth: Truth) -> tuple[list[dict], list[dict]]:
    crm_rows, erp_rows = [], []
    for p in products:
        for ccy in CURRENCIES:
            price = p.price(ccy)
            rec = {"product_code": p.code, "currency": ccy}
            crm = {"p": p, "currency": ccy, "price": price, "text": f"{price:f}", "active": True,
                   "book": "Standard Price Book"}
            erp = {"p": p, "currency": ccy, "price": price, "start": "2026-01-01", "end": ""}
            kind = pick(rng, PRICE_TRUE)
            if kind == "price_differs":
                delta = minor(ccy) * rng.randint(1, 500) * rng.choice((-1, 1))
                if price + delta <= 0:
                    delta = -delta
                crm["price"] = price + delta
                crm["text"] = f"{crm['price']:f}"
            if kind:
                truth.true("pricing", kind, rec)
            else:
                if rng.random() < 0.05 and ccy != "JPY" and crm["text"].endswith("0"):
                    crm["text"] = crm["text"].rstrip("0")
                    truth.decoy("price_scale", "pricing", rec, "unit_price")
                if rng.random() < 0.03:
                    old = (price * Decimal("0.93")).quantize(minor(ccy))
                    crm_rows.append({**crm, "price": old, "text": f"{old:f}", "active": False,
                                     "book": "Legacy Price Book 2024"})
                    truth.decoy("inactive_pricebook_entry", "pricing", rec, "unit_price")
                if rng.random() < 0.05:
                    old = (price * Decimal("0.95")).quantize(minor(ccy))
                    erp_rows.append({**erp, "price": old, "start": "2025-01-01", "end": "2025-12-31"})
                    truth.decoy("superseded_erp_price", "pricing", rec, "unit_price")
            if kind != "missing_in_crm":
                crm_rows.append(crm)
            if kind != "missing_in_erp":
                erp_rows.append(erp)
    return crm_rows, erp_rows


# ---------------------------------------------------------------- invoices
def render_invoices(rng: random.Random, invoices: list[Invoice], truth: Truth, erp: str) -> tuple[list[dict], list[dict]]:
    crm_rows, erp_rows = [], []
    for inv in invoices:
        erp_no = inv.odoo_number if erp == "odoo" else inv.erp_number
        crm = {"inv": inv, "total": inv.total, "balance": f"{inv.balance:f}", "state": inv.state, "due": inv.due_date}
        er = {"inv": inv, "total": inv.total, "balance": inv.balance, "state": inv.state, "due": inv.due_date,
              "corrective": False, "number": erp_no, "external_ref": inv.crm_number}
        kind = pick(rng, INVOICE_TRUE)
        ccy = inv.cust.currency
        if kind == "total_differs":
            crm["total"] = inv.total + minor(ccy) * rng.randint(100, 50_000)
            if inv.state == "open":
                crm["balance"] = f"{crm['total']:f}"
        elif kind == "balance_differs":
            if inv.state != "open":
                kind = None
            else:  # the ERP recorded a part payment the CRM never saw
                paid = (inv.total * Decimal(rng.randint(10, 90)) / 100).quantize(minor(ccy))
                er["balance"], er["state"] = inv.total - paid, "partial"
        elif kind == "status_paid_vs_open":
            if inv.state != "paid":
                kind = None
            else:
                crm["state"], crm["balance"] = "open", f"{inv.total:f}"
        elif kind == "status_void_vs_open":
            if inv.state != "void":
                kind = None
            else:
                crm["state"], crm["balance"] = "open", f"{inv.total:f}"
        elif kind == "due_date_differs":
            crm["due"] = inv.due_date + timedelta(days=rng.choice((-10, 7, 14, 30)))
        rec = {"crm_number": inv.crm_number if kind != "missing_in_crm" else None,
               "erp_number": erp_no if kind != "missing_in_erp" else None}
        if kind == "missing_in_crm":
            er["external_ref"] = ""  # entered in the ERP directly: no CRM document to refer to
        if kind:
            truth.true("invoice", kind, rec)
        else:
            if inv.state in ("open", "partial") and ccy != "JPY" and rng.random() < 0.04:
                # Billing keeps the balance at 4 decimals; rounded to the cent it is the ERP's
                crm["balance"] = f"{inv.balance + Decimal(rng.choice((-1, 1)) * rng.randint(1, 49)) / 10000:.4f}"
                truth.decoy("crm_balance_four_decimals", "invoice", rec, "open_balance")
            elif erp == "business_central" and inv.state in ("paid", "open") and \
                    inv.invoice_date < AS_OF - timedelta(days=180) and rng.random() < 0.01:
                er["corrective"] = True
                truth.decoy("bc_corrective_invoice", "invoice", rec, "status")
            if erp == "odoo" and inv.balance == 0:
                truth.decoy("odoo_empty_amount_due", "invoice", rec, "open_balance")
        if kind != "missing_in_crm":
            crm_rows.append(crm)
        if kind != "missing_in_erp":
            erp_rows.append(er)
    return crm_rows, erp_rows
