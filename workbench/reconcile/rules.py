"""The `[rules]` table of a run config: thresholds, tolerances, ownership, FX, severity.

Every key has a default, so an empty `[rules]` reconciles sensibly. Unknown keys and
bad values are refused with a ConfigError naming the key and what was expected,
because a misspelt tolerance silently ignored would change the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from workbench.errors import ConfigError
from workbench.model.currency import is_currency, minor_units
from workbench.model.money import parse_decimal

SIDES = ("crm", "erp")
OWNERS = ("crm", "erp", "shared")

# Which system is authoritative per attribute ("kind.field"). The other system is
# corrected to the owner's value; "shared" means a person decides.
DEFAULT_OWNERSHIP: dict[str, str] = {
    "customers.name": "erp",        # the legal name invoices are issued to
    "customers.street": "erp",
    "customers.city": "erp",
    "customers.postcode": "erp",
    "customers.country": "erp",
    "customers.tax_id": "erp",      # tax registration lives with invoicing
    "customers.currency": "erp",
    "customers.parent_id": "shared",
    "customers.xref": "erp",        # the ERP number is written into the CRM cross-reference field
    "prices.unit_price": "erp",     # the price list invoices are priced from
    "invoices.status": "erp",       # the ledger is the book of record
    "invoices.open_balance": "erp",
    "invoices.total_amount": "erp",
    "invoices.due_date": "erp",
    "orders.total_amount": "shared",
}

# Lowest severity per exception type; money at risk can raise it (see Severity).
TYPE_SEVERITY: dict[str, str] = {
    "customer.missing_in_erp": "medium", "customer.missing_in_crm": "medium",
    "customer.missing_xref": "low", "customer.wrong_xref": "high", "customer.duplicate": "high",
    "customer.attribute_mismatch": "low", "customer.name_variant": "low",
    "pricing.price_mismatch": "medium", "pricing.missing_in_erp": "medium", "pricing.missing_in_crm": "low",
    "pricing.off_price_order_line": "medium",
    "invoice.status_mismatch": "medium", "invoice.balance_mismatch": "medium",
    "invoice.partial_payment_not_reflected": "medium", "invoice.due_date_mismatch": "low",
    "invoice.amount_mismatch": "high", "invoice.missing_in_crm": "medium", "invoice.missing_in_erp": "high",
    "order.missing_in_erp": "high", "order.amount_mismatch": "high",
    "credit.blocked_in_erp": "high", "timing.event_not_reflected": "low",
    "data_quality.missing_tax_id": "medium", "data_quality.missing_billing_country": "medium",
    "data_quality.unmapped_product": "medium", "data_quality.hierarchy_mismatch": "low",
    "data_quality.unresolved_reference": "medium",
}
SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Tolerance:
    """How far two amounts may differ and still be the same amount.

    Always: less than one minor unit of the currency (5992.5989 and 5992.60 EUR are the
    same amount, as are 1234.4 and 1234 JPY), which is the default. A configured tolerance
    widens that: an absolute part in minor units or as an amount, an amount per currency
    (which replaces the absolute part for that currency), and a relative part."""
    abs_minor: int = 0            # in the currency's minor units: 1 = 0.01 EUR, 1 JPY, 0.001 KWD
    rel: Decimal = Decimal(0)     # fraction of the CRM amount, e.g. 0.001 = 0.1 %
    abs_amount: Decimal = Decimal(0)  # an absolute amount in major units, whatever the currency
    per_currency: tuple[tuple[str, Decimal], ...] = ()  # (ISO code, amount in that currency)

    def allowed(self, currency: str | None, a: Decimal, b: Decimal) -> Decimal:
        own = dict(self.per_currency).get(currency) if self.per_currency and currency else None
        if own is not None:
            absolute = own
        else:
            absolute = max(Decimal(self.abs_minor).scaleb(-_units(currency)), self.abs_amount)
        return max(absolute, self.rel * abs(a))

    def within(self, currency: str | None, a: Decimal, b: Decimal) -> bool:
        d = abs(a - b)
        return d < Decimal(1).scaleb(-_units(currency)) or d <= self.allowed(currency, a, b)

    def negligible(self, currency: str | None, amount: Decimal) -> bool:
        """The amount is zero within the tolerance (a balance left over by rounding)."""
        return self.within(currency, amount, Decimal(0))

    def below_minor_unit(self, currency: str) -> Decimal | None:
        """The configured absolute amount for the currency when it is above zero but below
        the currency's minor unit (0.01 applied to JPY), which then has no effect."""
        own = dict(self.per_currency).get(currency)
        amount = own if own is not None else self.abs_amount
        unit = Decimal(1).scaleb(-_units(currency))
        return amount if 0 < amount < unit else None


def _units(currency: str | None) -> int:
    return minor_units(currency) if currency and is_currency(currency) else 2


@dataclass(frozen=True)
class FxRate:
    day: date
    base: str
    quote: str
    rate: Decimal  # 1 base = rate quote


@dataclass
class Rules:
    # linking
    auto_threshold: float = 0.90
    suggest_threshold: float = 0.72
    id_case: str = "insensitive"
    id_leading_zeros: str = "ignore"
    id_separators: str = "ignore"
    fuzzy: bool = True
    max_block: int = 2500
    neighbourhood: int = 4
    # comparison
    tolerances: dict[str, Tolerance] = field(default_factory=lambda: {
        "price": Tolerance(0), "invoice_amount": Tolerance(0), "invoice_balance": Tolerance(0),
        "order_amount": Tolerance(0), "discount": Tolerance(0)})
    ownership: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_OWNERSHIP))
    shared_target: str = "crm"
    customer_fields: tuple[str, ...] = ("name", "street", "city", "postcode", "country", "tax_id", "currency")
    # a linked pair whose one cross-reference names the other record while the other side's
    # back-reference is blank: "ignore" (the link is proven) or "report" (customer.missing_xref)
    blank_back_reference: str = "ignore"
    # cosmetic name variants (typo, word order, legal form spelling): "ignore" or "report"
    # (customer.name_variant, low)
    name_variants: str = "ignore"
    # pricing
    product_map: dict[str, str] = field(default_factory=dict)
    pricebook_map: dict[str, str] = field(default_factory=dict)
    approved_discount: Decimal = Decimal(0)  # no discount policy configured: any sale below list is flagged
    # invoices / orders
    invoice_date_window: int = 3
    # timing
    lag_days: int = 2
    erp_events_as: str = "status_mismatch"  # or "timing": ERP paid/cancelled not in the CRM after the lag
    # FX
    fx: list[FxRate] = field(default_factory=list)
    # severity by amount at risk (in base_currency when an FX rate exists, else the amount's own)
    base_currency: str | None = None
    severity_amounts: dict[str, Decimal] = field(default_factory=lambda: {
        "critical": Decimal(10000), "high": Decimal(1000), "medium": Decimal(100)})
    timing_days: dict[str, int] = field(default_factory=lambda: {"medium": 7, "high": 14, "critical": 30})

    def owner(self, kind: str, fld: str) -> str:
        return self.ownership.get(f"{kind}.{fld}", "shared")


_KNOWN = {
    "linking": {"auto_threshold", "suggest_threshold", "id_case", "id_leading_zeros", "id_separators",
                "fuzzy", "max_block", "neighbourhood"},
    "tolerances": {"price", "invoice_amount", "invoice_balance", "order_amount", "discount",
                   "price_abs", "price_rel", "amount_minor_units"},
    "ids": {"ignore_leading_zeros", "case_insensitive", "ignore_separators"},
    "ownership": None,  # any "kind.field"
    "pricing": {"product_map", "pricebook_map", "approved_discount"},
    "invoices": {"date_window_days"},
    "timing": {"lag_days", "medium_after_days", "high_after_days", "critical_after_days", "erp_events_as"},
    "fx": {"rates"},
    "severity": {"base_currency", "critical", "high", "medium"},
    "customers": {"compare_fields", "blank_back_reference", "name_variants"},
}


def parse(raw: dict[str, Any] | None, where: str = "run config") -> Rules:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [rules] must be a table")
    r = Rules()
    for section, value in raw.items():
        if section not in _KNOWN:
            raise ConfigError(f"{where}: unknown table [rules.{section}]; expected one of {', '.join(sorted(_KNOWN))}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: [rules.{section}] must be a table")
        allowed = _KNOWN[section]
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise ConfigError(f"{where}: unknown key '{key}' in [rules.{section}]; expected one of "
                                      f"{', '.join(sorted(allowed))}")
    ctx = _Ctx(where)

    lk = raw.get("linking", {})
    r.auto_threshold = ctx.fraction(lk, "linking", "auto_threshold", r.auto_threshold)
    r.suggest_threshold = ctx.fraction(lk, "linking", "suggest_threshold", r.suggest_threshold)
    if r.suggest_threshold > r.auto_threshold:
        raise ConfigError(f"{where}: [rules.linking] suggest_threshold ({r.suggest_threshold}) must not exceed "
                          f"auto_threshold ({r.auto_threshold})")
    r.id_case = ctx.choice(lk, "linking", "id_case", r.id_case, ("insensitive", "sensitive"))
    r.id_leading_zeros = ctx.choice(lk, "linking", "id_leading_zeros", r.id_leading_zeros, ("ignore", "keep"))
    r.id_separators = ctx.choice(lk, "linking", "id_separators", r.id_separators, ("ignore", "keep"))
    r.fuzzy = ctx.boolean(lk, "linking", "fuzzy", r.fuzzy)
    r.max_block = ctx.integer(lk, "linking", "max_block", r.max_block, 2)
    r.neighbourhood = ctx.integer(lk, "linking", "neighbourhood", r.neighbourhood, 0)

    tl = raw.get("tolerances", {})
    # shorthand: price_abs (an amount), price_rel (a fraction), amount_minor_units (invoices and orders)
    if {"price_abs", "price_rel"} & set(tl) and "price" in tl:
        # the table would replace the shorthand whole, its relative part too
        both = " and ".join(sorted({"price_abs", "price_rel"} & set(tl)))
        raise ConfigError(f"{where}: [rules.tolerances] has price and {both}, expected one of them: "
                          f"price = {{abs_minor = 1, rel = \"0.005\", JPY = \"1\"}} holds what price_abs and "
                          f"price_rel say, with an amount per currency")
    if {"price_abs", "price_rel"} & set(tl):
        r.tolerances["price"] = Tolerance(0, ctx.fraction_text(tl, "price_rel", "0"),
                                          ctx.amount(tl.get("price_abs", "0"), "[rules.tolerances] price_abs"))
    if "amount_minor_units" in tl:
        units = ctx.integer(tl, "tolerances", "amount_minor_units", 0, 0)
        for name in ("invoice_amount", "invoice_balance", "order_amount"):
            r.tolerances[name] = Tolerance(units)
    for name, spec in tl.items():
        if name not in ("price_abs", "price_rel", "amount_minor_units"):
            r.tolerances[name] = ctx.tolerance(spec, name)

    ids = raw.get("ids", {})
    if "ignore_leading_zeros" in ids:
        r.id_leading_zeros = "ignore" if ctx.boolean(ids, "ids", "ignore_leading_zeros", True) else "keep"
    if "case_insensitive" in ids:
        r.id_case = "insensitive" if ctx.boolean(ids, "ids", "case_insensitive", True) else "sensitive"
    if "ignore_separators" in ids:
        r.id_separators = "ignore" if ctx.boolean(ids, "ids", "ignore_separators", True) else "keep"

    for key, owner in raw.get("ownership", {}).items():
        if key == "shared_target":
            r.shared_target = ctx.choice(raw["ownership"], "ownership", key, r.shared_target, SIDES)
            continue
        if "." not in key:
            raise ConfigError(f"{where}: [rules.ownership] key '{key}' must be 'kind.field', e.g. 'customers.name'")
        if owner not in OWNERS:
            raise ConfigError(f"{where}: [rules.ownership] {key} = {owner!r}, expected one of crm, erp, shared")
        r.ownership[key] = owner

    pr = raw.get("pricing", {})
    r.product_map = ctx.string_map(pr, "pricing", "product_map")
    r.pricebook_map = ctx.string_map(pr, "pricing", "pricebook_map")
    r.approved_discount = ctx.decimal_fraction(pr, "pricing", "approved_discount", r.approved_discount)

    r.invoice_date_window = ctx.integer(raw.get("invoices", {}), "invoices", "date_window_days",
                                        r.invoice_date_window, 0)
    tm = raw.get("timing", {})
    r.lag_days = ctx.integer(tm, "timing", "lag_days", r.lag_days, 0)
    r.erp_events_as = ctx.choice(tm, "timing", "erp_events_as", r.erp_events_as, ("status_mismatch", "timing"))
    for sev in ("medium", "high", "critical"):
        r.timing_days[sev] = ctx.integer(tm, "timing", f"{sev}_after_days", r.timing_days[sev], 0)

    r.fx = ctx.rates(raw.get("fx", {}).get("rates", []))

    sv = raw.get("severity", {})
    if "base_currency" in sv:
        code = sv["base_currency"]
        if not is_currency(code):
            raise ConfigError(f"{where}: [rules.severity] base_currency = {code!r}, expected an ISO 4217 code")
        r.base_currency = code
    for sev in ("critical", "high", "medium"):
        if sev in sv:
            r.severity_amounts[sev] = ctx.amount(sv[sev], f"[rules.severity] {sev}")

    cf = raw.get("customers", {}).get("compare_fields")
    if cf is not None:
        allowed_fields = ("name", "street", "city", "postcode", "state", "country", "tax_id", "currency")
        if not isinstance(cf, list) or any(f not in allowed_fields for f in cf):
            raise ConfigError(f"{where}: [rules.customers] compare_fields = {cf!r}, expected a list of "
                              f"{', '.join(allowed_fields)}")
        r.customer_fields = tuple(cf)
    cu = raw.get("customers", {})
    r.blank_back_reference = ctx.choice(cu, "customers", "blank_back_reference", r.blank_back_reference,
                                        ("ignore", "report"))
    r.name_variants = ctx.choice(cu, "customers", "name_variants", r.name_variants, ("ignore", "report"))
    return r


class _Ctx:
    def __init__(self, where: str):
        self.where = where

    def _bad(self, section: str, key: str, value: Any, expected: str) -> ConfigError:
        return ConfigError(f"{self.where}: [rules.{section}] {key} = {value!r}, expected {expected}")

    def fraction(self, d: dict[str, Any], section: str, key: str, default: float) -> float:
        v = d.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise self._bad(section, key, v, "a number between 0 and 1")
        return float(v)

    def decimal_fraction(self, d: dict[str, Any], section: str, key: str, default: Decimal) -> Decimal:
        if key not in d:
            return default
        v = d[key]
        try:
            dv = parse_decimal(str(v)) if not isinstance(v, bool) else None
        except ValueError:
            dv = None
        if dv is None or not 0 <= dv <= 1:
            raise self._bad(section, key, v, "a fraction between 0 and 1 such as \"0.10\" for 10 %")
        return dv

    def choice(self, d: dict[str, Any], section: str, key: str, default: str, options: Sequence[str]) -> str:
        v = d.get(key, default)
        if v not in options:
            raise self._bad(section, key, v, " or ".join(options))
        return str(v)

    def boolean(self, d: dict[str, Any], section: str, key: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            raise self._bad(section, key, v, "true or false")
        return v

    def integer(self, d: dict[str, Any], section: str, key: str, default: int, minimum: int) -> int:
        v = d.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            raise self._bad(section, key, v, f"a whole number >= {minimum}")
        return v

    def string_map(self, d: dict[str, Any], section: str, key: str) -> dict[str, str]:
        v = d.get(key, {})
        if not isinstance(v, dict) or not all(isinstance(a, str) and isinstance(b, str) for a, b in v.items()):
            raise self._bad(section, key, v, 'a table of "crm value" = "erp value" strings')
        return dict(v)

    def amount(self, v: Any, what: str) -> Decimal:
        try:
            d = parse_decimal(str(v)) if not isinstance(v, (bool, float)) else parse_decimal(repr(v))
        except ValueError:
            d = None
        if d is None or d < 0:
            raise ConfigError(f"{self.where}: {what} = {v!r}, expected a non-negative amount such as \"1000\"")
        return d

    def fraction_text(self, d: dict[str, Any], key: str, default: Any) -> Decimal:
        v = d.get(key, default)
        try:
            rd = parse_decimal(str(v)) if not isinstance(v, bool) else None
        except ValueError:
            rd = None
        if rd is None or not 0 <= rd < 1:
            raise ConfigError(f"{self.where}: [rules.tolerances] {key} = {v!r}, expected a fraction such as "
                              f"\"0.005\" (0.5 %)")
        return rd

    def tolerance(self, spec: Any, name: str) -> Tolerance:
        expected = ("{abs_minor = <minor units>, rel = \"<fraction>\"}, optionally with an amount per "
                    "currency such as JPY = \"1\"")
        if not isinstance(spec, dict) or not all(k in ("abs_minor", "rel") or is_currency(k) for k in spec):
            raise ConfigError(f"{self.where}: [rules.tolerances] {name} = {spec!r}, expected a table {expected}")
        a = spec.get("abs_minor", 0)
        if isinstance(a, bool) or not isinstance(a, int) or a < 0:
            raise ConfigError(f"{self.where}: [rules.tolerances] {name}.abs_minor = {a!r}, expected a whole number "
                              f"of the currency's minor units (1 = 0.01 EUR, 1 JPY)")
        rel = spec.get("rel", "0")
        try:
            rd = parse_decimal(str(rel)) if not isinstance(rel, bool) else None
        except ValueError:
            rd = None
        if rd is None or not 0 <= rd < 1:
            raise ConfigError(f"{self.where}: [rules.tolerances] {name}.rel = {rel!r}, expected a fraction such as "
                              f"\"0.001\" (0.1 %)")
        per = tuple(sorted((k, self.amount(v, f"[rules.tolerances] {name}.{k}")) for k, v in spec.items()
                           if k not in ("abs_minor", "rel")))
        return Tolerance(a, rd, per_currency=per)

    def rates(self, rows: Any) -> list[FxRate]:
        if not isinstance(rows, list):
            raise ConfigError(f"{self.where}: [rules.fx] rates must be a list of "
                              f"{{date, from, to, rate}} tables")
        out = []
        for i, row in enumerate(rows, 1):
            if not isinstance(row, dict) or set(row) != {"date", "from", "to", "rate"}:
                raise ConfigError(f"{self.where}: [rules.fx] rate #{i} = {row!r}, expected "
                                  f"{{date = 2026-10-01, from = \"EUR\", to = \"USD\", rate = \"1.0832\"}}")
            day = row["date"]
            if not isinstance(day, date):
                try:
                    day = date.fromisoformat(str(day))
                except ValueError:
                    raise ConfigError(f"{self.where}: [rules.fx] rate #{i} date = {row['date']!r}, "
                                      f"expected YYYY-MM-DD") from None
            for k in ("from", "to"):
                if not is_currency(row[k]):
                    raise ConfigError(f"{self.where}: [rules.fx] rate #{i} {k} = {row[k]!r}, expected an ISO 4217 code")
            try:
                rate = parse_decimal(str(row["rate"])) if not isinstance(row["rate"], float) else None
            except ValueError:
                rate = None
            if rate is None or rate <= 0:
                raise ConfigError(f"{self.where}: [rules.fx] rate #{i} rate = {row['rate']!r}, expected a positive "
                                  f"decimal as text such as \"1.0832\"")
            out.append(FxRate(day, row["from"], row["to"], rate))
        return sorted(out, key=lambda x: (x.base, x.quote, x.day))


def _one_unit_hint(name: str, tol: Tolerance, ccy: str) -> str:
    """How to write the tolerance so that it allows a minor unit of ``ccy`` too."""
    if tol.abs_amount:  # from price_abs: a table in its place (both together are refused)
        rel = f", rel = \"{tol.rel}\"" if tol.rel else ""
        return (f"write it as a table in place of price_abs and price_rel, e.g. {name} = {{ abs_minor = 1{rel} }} "
                f"(one minor unit of every currency: 0.01 EUR, 1 JPY)")
    return f"give {ccy} its own amount in the table, e.g. {name} = {{ ..., {ccy} = \"1\" }}"


def tolerance_warnings(rules: Rules, currencies: set[str]) -> list[str]:
    """One line per configured absolute tolerance that is below the minor unit of a currency
    the run compares (a literal 0.01 applied to JPY is 0.01 yen: no tolerance at all)."""
    out = []
    for name, tol in sorted(rules.tolerances.items()):
        for ccy in sorted(c for c in currencies if isinstance(c, str) and is_currency(c)):
            amount = tol.below_minor_unit(ccy)
            if amount is not None:
                out.append(f"[rules.tolerances] {name}: {amount} is below one minor unit of {ccy} "
                           f"({Decimal(1).scaleb(-minor_units(ccy))}), so it allows no difference there; "
                           + _one_unit_hint(name, tol, ccy))
    return out
