"""How the Odoo sandbox turns a written value into what the field stores, as the ORM does.

Each rule follows the field class's ``convert_to_cache`` in odoo/odoo (``odoo/orm/fields_*.py``,
Odoo 17-19), which every ``write`` goes through:

- boolean: ``bool(value)`` (fields_misc.py ``Boolean``): "maybe" is stored as true, not refused;
- integer: ``int(value or 0)`` (fields_numeric.py ``Integer``): "lots" raises ValueError;
- float/monetary: ``float(value or 0.0)`` (fields_numeric.py): "abc" raises ValueError;
- char: text, cut at the field's ``size`` when it has one (fields_textual.py ``Char``);
- date/datetime: ``Date.to_date`` / ``Datetime.to_datetime`` parse ``%Y-%m-%d`` /
  ``%Y-%m-%d %H:%M:%S`` (fields_temporal.py): "not-a-date" raises ValueError;
- selection: a listed value, or False for a falsy one, else ``ValueError("Wrong value for
  model.field: 'x'")`` (fields_selection.py);
- many2one: an int id, ``[id, name]``, or False; any other value (a code such as "CA") becomes
  *empty* (fields_relational.py ``Many2one.convert_to_cache`` falls through to None); an id with
  no record fails the foreign key at flush, reported as a ValidationError
  (odoo/service/model.py ``_as_validation_error``).

A ValueError reaches a JSON-2 client as HTTP 500 and a UserError/ValidationError as 422
(addons/rpc/controllers/json2.py ``handle_error``); JSON-RPC wraps both in an error object.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from collections.abc import Callable

# selection values per (model, field): addons/sale (sale_warn), account (account_move.py), product
SELECTIONS: dict[tuple[str, str], list[str]] = {
    ("res.partner", "sale_warn"): ["no-message", "warning", "block"],
    ("product.pricelist.item", "applied_on"): ["3_global", "2_product_category", "1_product", "0_product_variant"],
    ("product.pricelist.item", "compute_price"): ["fixed", "percentage", "formula"],
    ("sale.order", "state"): ["draft", "sent", "sale", "cancel"],
    ("account.move", "move_type"): ["entry", "out_invoice", "out_refund", "in_invoice", "in_refund",
                                    "out_receipt", "in_receipt"],
    ("account.move", "state"): ["draft", "posted", "cancel"],
    ("account.move", "payment_state"): ["not_paid", "in_payment", "paid", "partial", "reversed", "blocked",
                                        "invoicing_legacy"],
    ("account.payment", "payment_type"): ["outbound", "inbound"],
    ("account.payment", "state"): ["draft", "in_process", "paid", "canceled", "rejected"],
}
# char sizes Odoo declares (base/models/res_country.py: code size=2; res_currency.py: name size=3)
SIZES: dict[tuple[str, str], int] = {("res.country", "code"): 2, ("res.currency", "name"): 3}


class OrmValueError(Exception):
    """A value the ORM refuses (``builtins.ValueError`` on the wire) or a failed constraint."""

    def __init__(self, message: str, name: str = "builtins.ValueError"):
        super().__init__(message)
        self.message, self.name = message, name


def _float(value: Any) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    try:
        return Decimal(str(value or 0).strip()) if isinstance(value, (str, float)) or not value else Decimal("?")
    except InvalidOperation:
        raise OrmValueError(f"could not convert string to float: {value!r}") from None


def _int(value: Any) -> int:
    try:
        if isinstance(value, (list, dict)):
            raise TypeError
        return int(value or 0)
    except (TypeError, ValueError):
        raise OrmValueError(f"invalid literal for int() with base 10: {value!r}") from None


def _date(value: Any) -> str:
    try:
        return datetime.strptime(str(value)[:10], "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise OrmValueError(f"time data {value!r} does not match format '%Y-%m-%d'") from None


def _datetime(value: Any) -> str:
    text = str(value)
    fmt = "%Y-%m-%d %H:%M:%S" if len(text) > 10 else "%Y-%m-%d"
    try:
        return datetime.strptime(text[:19], fmt).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise OrmValueError(f"time data {value!r} does not match format {fmt!r}") from None


def convert(model: str, name: str, ftype: str, relation: str | None, value: Any,
            exists: Callable[[str, int], bool]) -> Any:
    """The stored (wire-shaped) value of ``model.name`` after writing ``value``."""
    if ftype == "boolean":
        return bool(value)
    if ftype == "integer":
        return _int(value)
    if ftype in ("float", "monetary"):
        return _float(value)
    if ftype == "char":
        if value is None or value is False:
            return False
        text = value if isinstance(value, str) else str(value)
        size = SIZES.get((model, name))
        return text[:size] if size else text
    if ftype == "date":
        return _date(value) if value else False
    if ftype == "datetime":
        return _datetime(value) if value else False
    if ftype == "selection":
        allowed = SELECTIONS.get((model, name), [])
        if value in allowed:
            return value
        if not value:
            return False
        raise OrmValueError(f"Wrong value for {model}.{name}: {value!r}")
    if ftype == "many2one":
        if isinstance(value, list) and value:  # [id, name] as read: JSON has no tuple
            value = value[0]
        if type(value) is not int or not value:
            return False
        if not exists(relation or "", value):
            raise OrmValueError(
                "The operation cannot be completed: another model requires the record being deleted. "
                f"If possible, archive it instead.\n\nModel: {model}\nConstraint: "
                f"{model.replace('.', '_')}_{name}_fkey", name="odoo.exceptions.ValidationError")
        return value
    return value
