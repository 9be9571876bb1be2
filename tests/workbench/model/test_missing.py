from decimal import Decimal

import numpy as np
import pandas as pd

from workbench.model.missing import is_missing


def test_missing_means_none_nan_na_or_nat_and_nothing_else():
    assert all(is_missing(v) for v in (None, float("nan"), np.float64("nan"), pd.NA, pd.NaT))
    # blank text, zero and containers are values a user typed or a source sent
    assert not any(is_missing(v) for v in ("", " ", 0, Decimal("0"), [], {}, np.array([np.nan])))
