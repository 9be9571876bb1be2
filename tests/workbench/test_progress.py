"""Progress updates are thinned, but what a user must see always gets through."""

from __future__ import annotations

from workbench.progress import Throttle, source_line


def test_a_burst_of_updates_is_thinned_but_the_start_and_the_final_count_always_pass():
    throttle = Throttle(60.0)  # nothing passes on time alone during this test
    passed = [done for done in range(10_001) if throttle.due("crm", done, 10_000)]
    assert passed == [0, 10_000]  # the step's start and the final count
    assert throttle.due("erp", 5, 100)  # another source has its own pace
    assert throttle.due("crm", 0, None)  # a new step (done == 0) always shows


def test_a_source_on_a_one_line_display_is_named():
    assert source_line("crm", 1200) == "CRM: 1,200 records"
    assert source_line("erp", 3, "page 3 of customers") == "ERP: page 3 of customers"
