"""`audit verify` while the team works: the check reads one moment of the store, so a teammate's change
committed during it is never taken for tampering.

Read statement by statement, the walk of the chain, the anchor, this computer's anchor file and the
tables each saw a different moment: verifying while others assigned exceptions reported 'the trail
ends at event 96 but its anchor records 97 event(s): 1 event(s) were deleted' and 'exception 19: the
table says assignee 'cara', the trail proves 'bob''."""

from __future__ import annotations

import threading

from workbench.cli.corrections import read_audit
from workbench.team import concurrency as cc

from tests.workbench.team.conftest import add_run, add_team

ROUNDS = 12


def _audit(store) -> list[str]:
    """What `workbench audit verify` reads and finds."""
    reading = read_audit(store)
    return ([] if reading.chain.ok else [reading.chain.reason]) + reading.problems


def test_verifying_while_others_assign_raises_no_false_alarm(any_store):
    add_team(any_store)
    _, ids = add_run(any_store, n=6)
    at_rest = _audit(any_store)  # the test's run was stored without its event: that problem stays, alone
    stop, wrote = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def work(k: int) -> None:
        n = 0
        while not stop.is_set():
            i = ids[(2 * n + k) % len(ids)]
            n += 1
            try:
                cc.assign(any_store, i, ("bob", "cara")[n % 2], "ann", cc.get_exception(any_store, i)["version"])
            except cc.StaleState:
                continue  # the other worker got there first
            except BaseException as exc:  # shown by the assertion below
                failures.append(exc)
                return
            wrote.set()

    workers = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for w in workers:
        w.start()
    seen = []
    try:
        for _ in range(ROUNDS):
            assert wrote.wait(60), failures
            wrote.clear()  # each round verifies after at least one more change, while more are being made
            seen.append(_audit(any_store))
    finally:
        stop.set()
        for w in workers:
            w.join(60)
    assert failures == []
    assert [p for p in seen if p != at_rest] == []
    assert _audit(any_store) == at_rest
