"""The `Pull` line a run ends with: its moment reads as the audit workbook's cover shows the same one."""

from __future__ import annotations

import pytest

from workbench.sources.pull_report import pull_line


@pytest.mark.parametrize("since, shown", [
    ("2026-12-07T10:54:30.857000+00:00", "2026-12-07 10:54:31"),  # Excel shows 10:54:31 for this moment
    ("2026-12-07T10:54:30.499999+00:00", "2026-12-07 10:54:30"),
    ("2026-12-07T11:54:30.600000+01:00", "2026-12-07 10:54:31"),  # in UTC, whatever offset it was stored with
    ("2026-12-31T23:59:59.500000+00:00", "2027-01-01 00:00:00"),
])
def test_the_incremental_since_moment_is_shown_in_utc_to_the_nearest_second(since, shown):
    line = pull_line("erp", {"mode": "incremental", "since": since, "previous_run": 7, "kinds": {}})
    assert line.startswith(f"Pull ERP: incremental since {shown} UTC (after run 7)"), line
