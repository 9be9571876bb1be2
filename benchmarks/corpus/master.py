"""The underlying truth: customers, products, prices and invoices as they really are.

Each record is rendered twice (CRM and ERP view) by ``variants``; this module only draws the
entities, deterministically from one ``random.Random`` and per-locale seeded Faker instances.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from cleanco import basename
from faker import Faker

from benchmarks.corpus.vocab import BUSINESS_WORDS, JP_TRADE_WORDS, LEGAL_FORMS, LOCALES, Locale

AS_OF = date(2026, 10, 31)
CURRENCIES = ("EUR", "USD", "GBP", "SEK", "JPY")
# list-price conversion from the EUR base price (a price book is set per currency, not converted daily)
FX = {"EUR": Decimal("1"), "USD": Decimal("1.08"), "GBP": Decimal("0.86"), "SEK": Decimal("11.4"),
      "JPY": Decimal("162")}
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def minor(ccy: str) -> Decimal:
    return Decimal("1") if ccy == "JPY" else Decimal("0.01")


def sf_id(prefix: str, n: int) -> str:
    """An 18-character Salesforce id: 15 case-sensitive characters and the 3-character case checksum."""
    body = ""
    for _ in range(6):
        n, r = divmod(n, 62)
        body = _B62[r] + body
    short = prefix + "5g0000" + body
    suffix = ""
    for chunk in (short[0:5], short[5:10], short[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _SF_SUFFIX[bits]
    return short + suffix


@dataclass
class Customer:
    i: int
    loc: Locale
    core: str
    legal: tuple[str, str | None, bool]
    street: str
    house: str
    postcode: str
    city: str
    vat: str
    website: str | None
    phone: str
    crm_id: str
    erp_number: str
    erp_guid: str
    odoo_id: int
    on_crm: bool = True
    on_erp: bool = True

    @property
    def currency(self) -> str:
        return self.loc.currency


@dataclass
class Product:
    code: str
    name: str
    crm_id: str
    erp_guid: str
    odoo_id: int
    base: Decimal  # EUR list price

    def price(self, ccy: str) -> Decimal:
        return (self.base * FX[ccy]).quantize(minor(ccy))


@dataclass
class Invoice:
    n: int
    cust: Customer
    total: Decimal
    balance: Decimal
    state: str  # open | partial | paid | void
    invoice_date: date
    due_date: date
    crm_number: str
    erp_number: str
    odoo_number: str
    crm_id: str
    erp_guid: str
    odoo_id: int
    attrs: dict = field(default_factory=dict)


def _vat(rng: random.Random, iso: str) -> str:
    d = lambda k: "".join(rng.choice("0123456789") for _ in range(k))  # noqa: E731
    return {"DE": lambda: "DE" + d(9), "GB": lambda: "GB" + d(9), "FR": lambda: "FR" + d(2) + d(9),
            "ES": lambda: "ESB" + d(8), "IT": lambda: "IT" + d(11), "NL": lambda: "NL" + d(9) + "B01",
            "SE": lambda: "SE" + d(10) + "01", "US": lambda: d(2) + "-" + d(7),
            "JP": lambda: "T" + rng.choice("123456789") + d(12)}[iso]()


def _slug(text: str) -> str:
    import unicodedata
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", t)[:24] or "company"


def _core(f: Faker) -> str:
    """A Faker company name without its legal form(s): "Freudenberger OHG mbH" -> "Freudenberger"."""
    name = f.company()
    while (shorter := basename(name).strip(" ,")) and shorter != name:
        name = shorter
    return name or f.last_name()


def draw_customers(rng: random.Random, n: int, seed: int) -> list[Customer]:
    fakers = {}
    for k, loc in enumerate(LOCALES):
        f = Faker(loc.faker)
        f.seed_instance(seed * 101 + k)
        fakers[loc.faker] = f
    roman = Faker("en_US")  # latin street and city words for the romanised Japanese addresses
    roman.seed_instance(seed * 101 + 99)
    weights = [loc.weight for loc in LOCALES]
    vats: set[str] = set()
    cores: set[str] = set()
    domains: set[str] = set()
    out = []
    for i in range(n):
        loc = rng.choices(LOCALES, weights)[0]
        f = fakers[loc.faker]
        if loc.country == "JP":
            core = f"{f.last_romanized_name()} {rng.choice(JP_TRADE_WORDS)}"
            for _ in range(5):
                if core not in cores:
                    break
                core = f"{f.last_romanized_name()} {rng.choice(JP_TRADE_WORDS)}"
            street = f"{f.last_romanized_name()}-cho"
            house = f"{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
            city = f"{f.last_romanized_name()}-shi"
            postcode = f.postcode()
        else:
            core = _core(f)
            for _ in range(5):  # a few companies share a name (same_name_pairs adds them on purpose)
                if core not in cores:
                    break
                core = _core(f)
            if loc.country in ("US", "GB") and rng.random() < 0.2:
                core = f"{core} {rng.choice(BUSINESS_WORDS)[0]}"
            street = f.street_name()
            house = str(rng.randint(1, 250))
            city = f.city()
            postcode = f.postcode()
            if loc.country == "GB":
                postcode = postcode.upper()
        cores.add(core)
        vat = _vat(rng, loc.country)
        while vat in vats:
            vat = _vat(rng, loc.country)
        vats.add(vat)
        website = None
        if rng.random() < 0.8:
            dom = f"{_slug(core)}.{loc.tld}"
            k = 2
            while dom in domains:
                dom, k = f"{_slug(core)}{k}.{loc.tld}", k + 1
            domains.add(dom)
            website = dom
        digits = "".join(rng.choice("0123456789") for _ in range(9))
        phone = f"+{loc.phone_cc} {digits[:3]} {digits[3:6]} {digits[6:]}"
        out.append(Customer(
            i=i, loc=loc, core=core, legal=rng.choice(LEGAL_FORMS[loc.country]), street=street, house=house,
            postcode=postcode, city=city, vat=vat, website=website, phone=phone,
            crm_id=sf_id("001", 1000 + i), erp_number=f"C{100000 + i}",
            erp_guid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), odoo_id=5000 + i))
    return out


def draw_products(rng: random.Random, n: int, seed: int) -> list[Product]:
    f = Faker("en_US")
    f.seed_instance(seed * 101 + 77)
    families = ("HW", "SW", "SRV", "SUP", "LIC")
    out = []
    for i in range(n):
        cents = rng.randint(500, 500_000)
        if rng.random() < 0.3:  # a round price in tens of cents (10.50): the scale decoy needs them
            cents -= cents % 10
        out.append(Product(code=f"{families[i % 5]}-{10000 + i}", name=f.catch_phrase().title(),
                           crm_id=sf_id("01t", 1000 + i), erp_guid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                           odoo_id=800 + i, base=Decimal(cents) / 100))
    return out


def draw_invoices(rng: random.Random, customers: list[Customer]) -> list[Invoice]:
    out: list[Invoice] = []
    odoo_seq: dict[int, int] = {}
    for c in customers:
        if not (c.on_crm and c.on_erp):
            continue
        for _ in range(rng.randint(6, 14)):
            n = len(out)
            ccy = c.currency
            total = (Decimal(rng.randint(10_000, 2_500_000)) / 100 * FX[ccy]).quantize(minor(ccy))
            inv_date = AS_OF - timedelta(days=rng.randint(0, 400))
            due = inv_date + timedelta(days=rng.choice((14, 30, 30, 45, 60)))
            r = rng.random()
            if due < AS_OF - timedelta(days=15):
                state = "paid" if r < 0.82 else "partial" if r < 0.88 else "void" if r < 0.90 else "open"
            else:
                state = "open" if r < 0.6 else "paid" if r < 0.8 else "partial" if r < 0.95 else "void"
            if state == "partial":
                paid = (total * Decimal(rng.randint(10, 90)) / 100).quantize(minor(ccy))
                balance = total - paid
            else:
                balance = total if state == "open" else Decimal(0).quantize(minor(ccy))
            year = inv_date.year
            odoo_seq[year] = odoo_seq.get(year, 0) + 1
            out.append(Invoice(
                n=n, cust=c, total=total, balance=balance, state=state, invoice_date=inv_date, due_date=due,
                crm_number=f"INV-{n + 1:010d}", erp_number=f"PSI-{200001 + n}",
                odoo_number=f"INV/{year}/{odoo_seq[year]:05d}", crm_id=sf_id("a0X", 1000 + n),
                erp_guid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), odoo_id=90000 + n))
    return out
