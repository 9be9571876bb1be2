"""Whether a value is missing: the one test every layer uses for a frame cell or a record field."""

from __future__ import annotations

import sys
from typing import Any


def is_missing(v: Any) -> bool:
    """None, NaN, pandas NA or NaT. Text (even blank), lists and dicts are values."""
    if v is None:
        return True
    if isinstance(v, float):  # numpy's float64 too
        return bool(v != v)
    if isinstance(v, (str, bytes, list, dict, tuple)):
        return False
    # NA and NaT exist only once pandas is loaded; asking for it here would load it for every caller.
    pd = sys.modules.get("pandas")
    if pd is None or not pd.api.types.is_scalar(v):  # an array holds values, it is not one missing
        return False
    return bool(pd.isna(v))
