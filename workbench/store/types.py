"""Column types that keep money exact on every backend."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """Decimal stored exactly: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float)."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            # unconstrained NUMERIC keeps the value and its scale exactly ("100.00" stays "100.00")
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Decimal | str | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("float given for a money column; use Decimal")
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        return d if dialect.name == "postgresql" else str(d)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


class JSONText(TypeDecorator[Any]):
    """JSON kept as text with Decimal and dates as strings, same bytes on every backend."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


def json_text(value: Any) -> str:
    """The text a ``JSONText`` column stores for ``value``."""
    return json.dumps(value, sort_keys=True, default=_default, ensure_ascii=False)


def _default(v: Any) -> str:
    if isinstance(v, Decimal):
        return str(v)
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    raise TypeError(f"cannot store {type(v).__name__} as JSON")
