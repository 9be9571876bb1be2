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
