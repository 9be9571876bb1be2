"""What a core action says it changed: merged across chunks, and carried by results that stay
the plain list, int and dict their callers always used."""

import pickle

from workbench.model.changes import ChangedIds, ChangedRow, Changes, NewId


def test_changes_merge_and_say_whether_anything_changed():
    a = Changes.of(exceptions=[1, 2], corrections=[10])
    b = Changes.of(exceptions=[2, 3], links=[7], corrections=[None])  # a correction without exception id
    assert a | b == Changes(frozenset({1, 2, 3}), frozenset({10}), frozenset({7}))
    assert not Changes() and a and Changes.of(links=[7])


def test_results_stay_what_callers_used_and_survive_the_job_process():
    ids = ChangedIds([3, 4], Changes.of(exceptions=[3, 4]))
    assert ids == [3, 4] and ids.changes.exceptions == {3, 4}
    new = NewId(12, Changes.of(corrections=[12]))
    assert new == 12 and f"{new}" == "12" and new.changes.corrections == {12}
    row = ChangedRow({"id": 5, "status": "confirmed"}, Changes.of(links=[5]))
    assert row["status"] == "confirmed" and row.changes.links == {5}
    for value in (ids, new, row):  # results of jobs come back from the job process pickled
        back = pickle.loads(pickle.dumps(value))
        assert back == value and back.changes == value.changes
