"""What the review screen loads on the database worker."""

from __future__ import annotations

import gc
from decimal import Decimal

import numpy as np

from app import data
from tests.app.conftest import seed_run


def test_a_loaded_run_holds_every_exception_across_fetch_slices_and_leaves_the_gc_on(store):
    run_id = seed_run(store, extra_pricing=45_000)  # more rows than two fetch slices
    bundle = data.load_bundle(store, run_id)
    fr = bundle.frame
    assert len(fr) == 5 + 45_000 and len(np.unique(fr.ids)) == len(fr)
    # the last extra row arrived whole: ids, values and the exact Decimal amount line up
    last = fr.record(len(fr) - 1)
    assert (last["crm_id"], last["erp_value"], last["amount_at_risk"]) == ("01u45099", "45000", Decimal(44999))
    assert bundle.run["id"] == run_id and gc.isenabled()
