"""Deletions as Salesforce reports them, read with simple-salesforce's own calls: queryAll reads the
Recycle Bin, and sObject Get Deleted keeps its documented rules (seconds ignored, start more than a
minute before end, no more than 15 days back)."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.helpers.sandboxes import salesforce_org, simple_salesforce
from tests.workbench.sandbox.salesforce.frames import crm_frames
from workbench.sandbox.salesforce.objects import OBJECTS
from workbench.sandbox.salesforce.store import now_stamp


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    yield from salesforce_org(crm_frames(40), tmp_path_factory.mktemp("sf"))


@pytest.fixture()
def sf(org):
    return simple_salesforce(org)


def _account(sf, number: str) -> str:
    return sf.query(f"SELECT Id FROM Account WHERE AccountNumber = '{number}'")["records"][0]["Id"]


def test_query_all_reads_a_deleted_record_that_query_no_longer_sees(sf):
    rid = _account(sf, "A-00003")
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert sf.Account.delete(rid) == 204
    soql = f"SELECT Id, IsDeleted FROM Account WHERE Id = '{rid}'"
    assert sf.query_all(soql)["totalSize"] == 0
    gone = sf.query_all(soql, include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in gone] == [(rid, True)]
    stamp = before.strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = sf.query_all(f"SELECT Id FROM Account WHERE IsDeleted = true AND SystemModstamp > {stamp}",
                          include_deleted=True)["records"]
    assert rid in {r["Id"] for r in recent}


def test_get_deleted_lists_deletions_in_the_window_with_whole_minutes(sf, org):
    rid = _account(sf, "A-00007")
    when = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=30)
    org.org.store.delete(OBJECTS["Account"], rid, stamp=now_stamp(when))
    out = sf.Account.deleted(when - timedelta(minutes=5), datetime.now(UTC))
    assert {"id": rid, "deletedDate": now_stamp(when)} in out["deletedRecords"]
    covered = datetime.strptime(out["latestDateCovered"][:19], "%Y-%m-%dT%H:%M:%S")
    assert covered.second == 0  # seconds are ignored: coverage ends on a whole minute
    # a window ending at 12:xx:45 covers up to 12:xx:00 only, so a deletion at :30 in that minute is not in it
    narrow = sf.Account.deleted(when - timedelta(minutes=5), when.replace(second=45))
    assert rid not in {r["id"] for r in narrow["deletedRecords"]}


@pytest.mark.parametrize("start, end, words", [
    (timedelta(minutes=-30), timedelta(minutes=-30, seconds=50), "more than one minute"),
    (timedelta(minutes=-10), timedelta(minutes=-20), "more than one minute"),
    (timedelta(days=-16), timedelta(0), "15 days"),
])
def test_get_deleted_refuses_windows_salesforce_refuses(sf, start, end, words):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.Account.deleted(now + start, now + end)
    assert err.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    assert words in err.value.content[0]["message"]


def test_records_removed_from_the_recycle_bin_leave_query_all_and_move_earliest_date_available(sf, org):
    # REST API guide, QueryAll: records removed from the Recycle Bin can no longer be queried; SOAP getDeleted:
    # earliestDateAvailable is the timestamp of the last physically deleted object of the type
    rid = _account(sf, "A-00011")
    assert sf.Account.delete(rid) == 204
    window = (datetime.now(UTC) - timedelta(minutes=30), datetime.now(UTC))
    horizon = sf.Account.deleted(*window)["earliestDateAvailable"]
    assert org.empty_recycle_bin("Account", [rid]) == 1
    soql = f"SELECT Id FROM Account WHERE Id = '{rid}'"
    assert sf.query_all(soql, include_deleted=True)["totalSize"] == 0
    after = sf.Account.deleted(*window)
    assert rid not in {r["id"] for r in after["deletedRecords"]}
    assert after["earliestDateAvailable"] > horizon  # the delete log is complete only from the removal on
    assert after["earliestDateAvailable"] > now_stamp(window[0])
