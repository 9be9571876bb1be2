"""Due dates by severity and the aging buckets a controller reports."""

from __future__ import annotations

from datetime import date, datetime, UTC

import pytest

from workbench.close.aging import AgeBucket, aging, due_days
from workbench.errors import ConfigError

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(("seen", "bucket"), [
    (date(2026, 11, 30), AgeBucket.D0_30), (date(2026, 10, 31), AgeBucket.D0_30),
    (date(2026, 10, 30), AgeBucket.D31_60), (date(2026, 10, 1), AgeBucket.D31_60),
    (date(2026, 9, 30), AgeBucket.D61_90), (date(2026, 9, 1), AgeBucket.D61_90),
    (date(2026, 8, 31), AgeBucket.OVER_90),
])
def test_buckets_edges(seen, bucket):
    assert aging(seen, "low", TODAY, due_days(None)).bucket == bucket


def test_due_dates_follow_severity_and_a_period_may_override_them():
    seen = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    table = due_days(None)
    crit = aging(seen, "critical", TODAY, table)
    low = aging(seen, "low", TODAY, table)
    assert (crit.due_on, crit.overdue) == (date(2026, 11, 22), True)
    assert (low.due_on, low.overdue, low.age_days) == (date(2026, 12, 20), False, 10)
    assert aging(seen, "critical", TODAY, due_days({"critical": 15})).overdue is False


@pytest.mark.parametrize("bad", [{"urgent": 3}, {"low": -1}, {"low": "30"}, {"low": True}])
def test_bad_due_days_are_refused_naming_the_setting(bad):
    with pytest.raises(ConfigError, match="due days"):
        due_days(bad)


def test_a_periods_open_items_by_bucket_and_overdue_by_severity(tmp_path):
    from tests.workbench.export.test_workbook import _exc, make_run
    from workbench.close.aging import period_aging
    from workbench.close.periods import get_period
    from workbench.store.db import open_store

    store = open_store(f"sqlite:///{tmp_path / 'wb.db'}")
    try:
        make_run(store, exceptions=[
            _exc(1, severity="critical", first_seen=datetime(2026, 11, 29, tzinfo=UTC)),  # 1 day, due in 2
            _exc(2, severity="high", first_seen=datetime(2026, 11, 1, tzinfo=UTC)),       # 29 days, overdue
            _exc(3, severity="low", first_seen=datetime(2026, 10, 15, tzinfo=UTC)),       # 46 days, overdue
            _exc(4, severity="low", first_seen=datetime(2026, 8, 1, tzinfo=UTC)),         # 121 days, overdue
            _exc(5, severity="low", status="resolved", first_seen=datetime(2026, 1, 1, tzinfo=UTC)),  # not open
        ])
        with store.session() as s:
            ages = period_aging(s, get_period(s, "2026-10"), TODAY)
        assert ages.buckets == {AgeBucket.D0_30: 2, AgeBucket.D31_60: 1, AgeBucket.D61_90: 0, AgeBucket.OVER_90: 1}
        assert ages.overdue == 3 and ages.overdue_by_severity == {"high": 1, "low": 2}
    finally:
        store.dispose()
