"""The business number of each record an exception names: what a person (or a script)
looks the record up by, where the record id is an internal GUID or row id."""

from __future__ import annotations

import pandas as pd

# object kind -> the field holding its business number
NUMBER_FIELD = {"customers": "number", "invoices": "number", "orders": "number", "prices": "product_code",
                "products": "code", "order_lines": "product_code", "payments": "invoice_number"}


def fill(exceptions: pd.DataFrame, frames: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """crm_number / erp_number of every exception, from the side's frame of its object
    (frames: side -> kind -> frame with the record ids as the exceptions carry them)."""
    if exceptions.empty:
        return exceptions
    out = exceptions.copy()
    for side in ("crm", "erp"):
        objs = out[f"{side}_object"].to_numpy(dtype=object)
        ids = out[f"{side}_id"].to_numpy(dtype=object)
        numbers: list[str | None] = [None] * len(out)
        for kind in pd.unique(objs[pd.notna(objs)]):
            frame = frames.get(side, {}).get(kind)
            fld = NUMBER_FIELD.get(kind)
            if frame is None or fld is None or fld not in frame.columns:
                continue
            rows = [n for n in range(len(out)) if objs[n] == kind and ids[n] is not None]
            wanted = {ids[n] for n in rows}
            hit = frame[frame["record_id"].isin(wanted)]
            lookup = dict(zip(hit["record_id"], hit[fld]))
            for n in rows:
                v = lookup.get(ids[n])
                numbers[n] = None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip() or None
        out[f"{side}_number"] = numbers
    return out
