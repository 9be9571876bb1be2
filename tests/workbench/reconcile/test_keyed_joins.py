"""The integer-coded joins behind invoice matching and customer blocking: ambiguous keys
pair nothing, blank keys pair nothing, oversized blocks are skipped."""

from datetime import date

import numpy as np

from workbench.reconcile.linking import _joined, _pairs_on

from .test_invoices import C, run
from .helpers import inv


def test_an_invoice_number_used_twice_on_one_side_is_not_matched_by_number():
    res = run([inv("a1", "N1", C, "10.00", "10.00", "open"), inv("a2", "N1", C, "20.00", "20.00", "open",
                                                                invoice_date=date(2026, 5, 1)),
               inv("a3", "N3", C, "30.00", "30.00", "open")],
              [inv("b1", "n1", "e1", "99.00", "99.00", "open"), inv("b3", "N3", "e1", "30.00", "30.00", "open")])
    assert res.stats["invoices_matched"] == {"number": 1}  # N3 only: N1 is ambiguous on the CRM side
    missing_erp = sorted(res.exceptions.loc[res.exceptions["type"] == "invoice.missing_in_erp", "crm_id"])
    missing_crm = sorted(res.exceptions.loc[res.exceptions["type"] == "invoice.missing_in_crm", "erp_id"])
    assert missing_erp == ["a1", "a2"] and missing_crm == ["b1"]


def test_blocking_pairs_skip_blank_keys_and_blocks_above_the_cap():
    a = np.array(["x", None, "y", "y", "z"], dtype=object)
    b = np.array(["y", "x", None, "y", "q"], dtype=object)
    pairs = _pairs_on(a, b, max_pairs=4)
    assert sorted(zip(pairs["i"], pairs["j"])) == [(0, 1), (2, 0), (2, 3), (3, 0), (3, 3)]
    capped = _pairs_on(a, b, max_pairs=3)  # "y" would pair 2 x 2 records
    assert sorted(zip(capped["i"], capped["j"])) == [(0, 1)]
    assert len(_pairs_on(np.array([None], dtype=object), b, 4)) == 0


def test_block_keys_are_blank_when_any_part_is_blank():
    out = _joined(np.array(["us", "us", None], dtype=object), np.array(["02101", "", "02101"], dtype=object),
                  np.array(["acme", "acme", "acme"], dtype=object))
    assert out.tolist() == ["us|02101|acme", None, None]
