"""Pricing: CRM price book entries against ERP sales prices, per product, currency and
price book, at the prices in effect on the run's as-of date; and order lines priced
below the approved discount.

Products are mapped CRM ProductCode -> ERP item number case- and whitespace-insensitively,
through `[rules.pricing] product_map` for renamed products. A CRM product no ERP item
maps to is one data-quality finding (with the closest ERP item suggested), not one
missing price per currency.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from workbench.model.money import quantize
from workbench.reconcile import normalize as nz
from workbench.reconcile.findings import Findings, diff, said
from workbench.reconcile.fx import rounded


def _map_codes(values: Iterable[Any], product_map: dict[str, str]) -> np.ndarray:
    table = {nz.code_key(k): nz.code_key(v) for k, v in product_map.items()}
    out = []
    for v in values:
        k = nz.code_key(v)
        out.append(table.get(k, k))
    return np.array(out, dtype=object)


def _tier(min_quantity: Decimal | None) -> str:
    """The quantity break a price starts at. No minimum, 0 and 1 all price the first unit: Salesforce has no
    minimum, Business Central writes 0, Odoo 0 or 1, so they are one tier."""
    q = min_quantity or Decimal(0)
    return "0" if q <= 1 else str(q.normalize())


def net_unit_price(unit: Decimal, discount_percent: Decimal | None) -> Decimal:
    """What a line sells one unit for: its unit price less the line's discount in percent, which every source
    keeps apart from the unit price (Salesforce OpportunityLineItem Discount, Business Central salesOrderLines
    discountPercent, Odoo sale.order.line discount: each applied to the unit price to give the line amount)."""
    return unit * (1 - discount_percent / 100) if discount_percent else unit


def in_effect(prices: pd.DataFrame, on: date) -> pd.DataFrame:
    """The entries in effect on a day: active, started, not ended; the latest start wins per key."""
    if prices.empty:
        return prices
    active = prices["active"].to_numpy(dtype=object) != False  # noqa: E712 - None means active
    eff = prices["effective_date"].to_numpy(dtype=object)
    end = prices["end_date"].to_numpy(dtype=object)
    started = np.array([d is None or d <= on for d in eff], dtype=bool)
    not_ended = np.array([d is None or d >= on for d in end], dtype=bool)
    p = prices[active & started & not_ended].copy()
    p["_start"] = [d or date.min for d in p["effective_date"]]
    p = p.sort_values(["_start", "record_id"], kind="mergesort")
    latest: pd.DataFrame = p.drop_duplicates(subset=["_k"], keep="last").drop(columns="_start")
    return latest


def _sold(crm_prices: pd.DataFrame, crm_products: pd.DataFrame, product_map: dict[str, str]
          ) -> Callable[[Any, Any], bool]:
    """Whether the CRM currently sells an item in a currency, so that an ERP price for it
    belongs in the CRM price book. An inactive price book entry means the CRM does not sell
    the product at that price: an item whose entries are all inactive is not sold, nor is a
    currency whose entries are all inactive. An active product without any entry is sold
    (its prices are missing); an inactive product is not."""
    act = crm_prices["active"].to_numpy(dtype=object) != False  # noqa: E712 - None means active
    items, ccys = crm_prices["_item"].to_numpy(dtype=object), crm_prices["currency"].to_numpy(dtype=object)
    live_items, dead_items = set(items[act]), set(items[~act])
    live_pairs = set(zip(items[act], ccys[act]))
    dead_pairs = set(zip(items[~act], ccys[~act])) - live_pairs
    products = _map_codes(crm_products["code"], product_map)
    active_products = set(products[crm_products["active"].to_numpy(dtype=object) != False])  # noqa: E712
    sold = (live_items | (active_products - dead_items)) - {None}

    def sells(item: Any, currency: Any) -> bool:
        return item in sold and (item, currency) not in dead_pairs
    return sells


def _pricebook_keys(crm: pd.DataFrame, erp: pd.DataFrame, pb_map: dict[str, str]) -> tuple[list[Any], list[Any]]:
    mapped = {nz.text_key(k): nz.text_key(v) for k, v in pb_map.items()}
    kc = [mapped.get(nz.text_key(v), nz.text_key(v)) for v in crm["pricebook"]]
    ke = [nz.text_key(v) for v in erp["pricebook"]]
    # Price books only separate prices when both sides name them alike (or a map says how);
    # "Standard Price Book" against an unnamed ERP price list is one list on each side.
    if not pb_map and not (set(kc) - {None}) & (set(ke) - {None}):
        kc, ke = [""] * len(kc), [""] * len(ke)
    return [k or "" for k in kc], [k or "" for k in ke]


class PriceBook:
    """What the order-line check needs from the price comparison: the ERP price record in
    effect per item and currency, and the item/currency pairs whose prices disagree."""

    def __init__(self) -> None:
        self.erp_price: dict[str, dict[Hashable, Any]] = {}
        self.disputed: set[str] = set()


def compare(f: Findings, crm_prices: pd.DataFrame, erp_prices: pd.DataFrame, crm_products: pd.DataFrame,
            erp_products: pd.DataFrame, *, both_priced: bool = True) -> PriceBook:
    """Products every CRM code must map to, then the prices in effect, where ``both_priced``: both sides read a
    price list (one that reads none has no prices to miss, as Business Central's API v2.0 publishes none)."""
    rules, as_of = f.rules, f.config.as_of
    tol = rules.tolerances["price"]
    erp_items = set(_map_codes(erp_products["code"], {})) | set(_map_codes(erp_prices["product_code"], {}))
    erp_items.discard(None)

    # products: every CRM product code must map to an ERP item
    crm_codes = pd.DataFrame({
        "code": list(crm_products["code"]) + list(crm_prices["product_code"]),
        "record_id": list(crm_products["record_id"]) + list(crm_prices["product_id"].where(
            crm_prices["product_id"].notna(), None)),
        "name": list(crm_products["name"]) + list(crm_prices["product_name"]),
        "active": list(crm_products["active"]) + [True] * len(crm_prices),
    })
    crm_codes["key"] = _map_codes(crm_codes["code"], rules.product_map)
    crm_codes = crm_codes.dropna(subset=["key"]).drop_duplicates(subset=["key"], keep="first")
    unmapped = crm_codes[~crm_codes["key"].isin(erp_items) & (crm_codes["active"] != False)]  # noqa: E712
    if len(unmapped):
        crm_keys = set(crm_codes["key"])
        free = erp_products[~pd.Series(_map_codes(erp_products["code"], {})).isin(crm_keys).to_numpy()]
        choices = [f"{c} {n or ''}" for c, n in zip(free["code"], free["name"])]
        for r in unmapped.to_dict("records"):
            hint, suggestion = "", []
            if choices:
                best = process.extractOne(f"{r['code']} {r['name'] or ''}", choices, scorer=fuzz.token_set_ratio)
                if best and best[1] >= 60:
                    item = free["code"].iloc[best[2]]
                    hint = (f" Closest unmapped ERP item: {item} ({best[1]:.0f}%); "
                            "add it to [rules.pricing] product_map.")
                    suggestion = [{"field": "suggested_item", "crm": str(r["code"]), "erp": str(item),
                                   "score": round(float(best[1]), 1)}]
            f.add("data_quality.unmapped_product",
                  f"CRM product {r['code']} ({r['name'] or 'no name'}) has no ERP item with that number.{hint}",
                  crm_object="products", crm_id=r["record_id"], field="product_code", crm_value=r["code"],
                  diffs=[diff("product_code", r["code"], None)] + suggestion)
    unmapped_keys = set(unmapped["key"])
    if not both_priced:
        return PriceBook()

    # prices in effect, keyed by item, currency, price book and minimum quantity
    pc, pe = crm_prices.copy(), erp_prices.copy()
    pc["_item"] = _map_codes(pc["product_code"], rules.product_map)
    pe["_item"] = _map_codes(pe["product_code"], {})
    kb_c, kb_e = _pricebook_keys(pc, pe, rules.pricebook_map)
    pc["_pb"], pe["_pb"] = kb_c, kb_e
    for p in (pc, pe):
        p["_q"] = [_tier(q) for q in p["min_quantity"]]
        p["_k"] = [f"{a}|{b}|{c}|{d}" for a, b, c, d in zip(p["_item"], p["currency"], p["_pb"], p["_q"])]
    sells = _sold(pc, crm_products, rules.product_map)
    pc, pe = in_effect(pc, as_of), in_effect(pe, as_of)
    book = PriceBook()
    for r in pe[["_item", "currency", "record_id", "unit_price"]].to_dict("records"):
        book.erp_price.setdefault(f"{r['_item']}|{r['currency']}", r)
    m = pc.merge(pe, on="_k", how="outer", suffixes=("_c", "_e"), indicator=True)
    both = m[m["_merge"] == "both"]
    if len(both):
        neq = both["unit_price_c"].to_numpy(dtype=object) != both["unit_price_e"].to_numpy(dtype=object)
        for r in both[neq].to_dict("records"):
            a, b, ccy = r["unit_price_c"], r["unit_price_e"], r["currency_c"]
            if a is None or b is None or tol.within(ccy, a, b):
                continue
            d = a - b
            book.disputed.add(f"{r['_item_c']}|{ccy}")
            cr = {"record_id": r["record_id_c"], "version": r["version_c"]}
            er = {"record_id": r["record_id_e"], "version": r["version_e"]}
            f.add("pricing.price_mismatch",
                  f"{r['product_code_c']} in {ccy} costs {said(a, ccy)} in the CRM price book but "
                  f"{said(b, ccy)} in the ERP.",
                  crm_object="prices", crm_id=r["record_id_c"], erp_object="prices", erp_id=r["record_id_e"],
                  field="unit_price", crm_value=a, erp_value=b, difference=d, amount_at_risk=abs(d), currency=ccy,
                  diffs=[diff("unit_price", a, b, ccy)],
                  proposal=f.propose("prices", "unit_price", cr, er, a, b, label="the product's list price",
                                     currency=ccy))
    only_c = m[m["_merge"] == "left_only"]
    for r in only_c.to_dict("records"):
        if r["_item_c"] in unmapped_keys:
            continue
        ccy = r["currency_c"]
        f.add("pricing.missing_in_erp",
              f"{r['product_code_c']} has a {ccy} price in the CRM ({said(r['unit_price_c'], ccy)}) but none in "
              f"the ERP.",
              crm_object="prices", crm_id=r["record_id_c"], field="unit_price", crm_value=r["unit_price_c"],
              amount_at_risk=r["unit_price_c"], currency=ccy, diffs=[diff("unit_price", r["unit_price_c"], None, ccy)])
    only_e = m[m["_merge"] == "right_only"]
    for r in only_e.to_dict("records"):
        if not sells(r["_item_e"], r["currency_e"]):
            continue  # an ERP item (or currency) the CRM does not sell
        ccy = r["currency_e"]
        f.add("pricing.missing_in_crm",
              f"{r['product_code_e']} has a {ccy} price in the ERP ({said(r['unit_price_e'], ccy)}) but none in "
              f"the CRM price book.",
              erp_object="prices", erp_id=r["record_id_e"], field="unit_price", erp_value=r["unit_price_e"],
              amount_at_risk=r["unit_price_e"], currency=ccy, diffs=[diff("unit_price", None, r["unit_price_e"], ccy)])
    return book


def off_price_lines(f: Findings, lines: pd.DataFrame, orders: pd.DataFrame, prices: pd.DataFrame,
                    book: PriceBook, names: dict[Any, str]) -> None:
    """Lines of booked CRM orders sold below list price by more than the approved discount.

    Where the two systems' prices for the product disagree, the price mismatch is the
    finding, not every line priced from it.
    """
    if lines.empty:
        return
    rules = f.rules
    crm_book = prices.copy()
    crm_book["_item"] = _map_codes(crm_book["product_code"], rules.product_map)
    # every quantity break in effect, each line priced from the break its quantity reaches
    crm_book["_k"] = [f"{a}|{b}|{_tier(q)}" for a, b, q in
                      zip(crm_book["_item"], crm_book["currency"], crm_book["min_quantity"])]
    crm_book = in_effect(crm_book, f.config.as_of)
    tiers: dict[str, list[tuple[Decimal, Decimal]]] = {}
    for a, b, q, p in zip(crm_book["_item"], crm_book["currency"], crm_book["min_quantity"], crm_book["unit_price"]):
        tiers.setdefault(f"{a}|{b}", []).append((Decimal(_tier(q)), p))
    for breaks in tiers.values():
        breaks.sort(key=lambda t: t[0])

    def list_price(key: str, qty: Decimal | None) -> Decimal | None:
        """The list price for the line's quantity: the highest break it reaches (the first below every break)."""
        breaks = tiers.get(key)
        if not breaks:
            return None
        reached = [p for q, p in breaks if qty is not None and q <= qty]
        return reached[-1] if reached else breaks[0][1]
    booked = orders[orders["booked"].to_numpy(dtype=object) == True]  # noqa: E712
    order_of = dict(zip(booked["record_id"], zip(booked["customer_id"], booked["number"])))
    tol = rules.tolerances["discount"]
    keep = 1 - rules.approved_discount
    # lines of booked orders only, and only those below the floor become records: the
    # screen reads the columns directly (a million lines, few of them off price)
    on_booked = np.nonzero(lines["order_id"].isin(order_of.keys()).to_numpy(dtype=bool))[0]
    items = _map_codes(lines["product_code"].to_numpy(dtype=object)[on_booked], rules.product_map)
    col = {c: lines[c].to_numpy(dtype=object)[on_booked]
           for c in ("currency", "unit_price", "list_price", "discount_percent", "quantity")}
    below: list[int] = []
    for n, (item, ccy, unit, lp, disc, qty) in enumerate(zip(items, col["currency"], col["unit_price"],
                                                              col["list_price"], col["discount_percent"],
                                                              col["quantity"])):
        key = f"{item}|{ccy}"
        ref = lp or list_price(key, qty)
        if unit is None or not ref or ref <= 0 or key in book.disputed:
            continue
        unit = net_unit_price(unit, disc)
        floor = ref * keep
        if unit >= floor or tol.within(ccy, unit, floor):
            continue
        below.append(n)
    rows = np.array(below, dtype=np.int64)
    recs = lines.iloc[on_booked[rows]].to_dict("records")
    for r, item in zip(recs, items[rows]):
        ccy, qty = r["currency"], r["quantity"] or Decimal(0)
        unit = net_unit_price(r["unit_price"], r["discount_percent"])
        key = f"{item}|{ccy}"
        ref = r["list_price"] or list_price(key, r["quantity"])
        assert ref is not None  # the loop above kept only lines with a list price
        floor = ref * keep
        given = (1 - unit / ref) * 100
        risk = quantize((floor - unit) * qty, ccy)
        cust, number = order_of[r["order_id"]]
        erp = book.erp_price.get(key)
        disc = r["discount_percent"]
        after = f" ({said(r['unit_price'], ccy)} less {disc.normalize():f}%)" if disc else ""
        f.add("pricing.off_price_order_line",
              f"Order {number or r['order_id']} sells {r['product_code']} at {said(unit, ccy)}{after}, "
              f"{given:.1f}% below list {said(ref, ccy)} (approved up to {rules.approved_discount * 100:.1f}%).",
              crm_object="order_lines", crm_id=r["record_id"], erp_object="prices" if erp else None,
              erp_id=erp["record_id"] if erp else None, customer_name=names.get(cust), field="unit_price",
              crm_value=r["unit_price"], erp_value=erp["unit_price"] if erp else None,
              difference=rounded(unit - floor, ccy),
              amount_at_risk=risk, currency=ccy,
              diffs=[diff("unit_price", r["unit_price"], erp["unit_price"] if erp else None, ccy),
                     diff("list_price", ref, None, ccy)]
              + ([{"field": "discount_percent", "crm": f"{disc.normalize():f}", "erp": None}] if disc else []))
