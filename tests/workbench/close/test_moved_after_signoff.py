"""After a sign-off, a correction approved or a threshold changed in the period moves it as much as a new
open item: the certification is refused naming what moved, and `close status` says so."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.workbench.export.test_workbook import make_run
from workbench.cli import main
from workbench.close import signoff as close
from workbench.close.fx import set_rates
from workbench.close.materiality import parse_thresholds, set_materiality
from workbench.close.periods import get_period
from workbench.corrections import service
from workbench.errors import IllegalTransition
from workbench.store.schema import ExceptionRow

PERIOD = "2026-10"




def _prepared(store) -> int:
    """A period with a proposed correction and its critical items carried forward; the proposal's id."""
    rid = make_run(store)
    with store.session() as s:
        rows = list(s.execute(select(ExceptionRow).where(ExceptionRow.run_id == rid)).scalars())
        set_rates(s, get_period(s, PERIOD), "EUR", {"JPY": Decimal("0.0062"), "KWD": Decimal(3)}, "r.csv sha256:0")
    target = next(e.id for e in rows if e.status == "open" and e.severity != "critical")
    cid = service.propose(store, target, "ann", target_side="crm", to_value="paid")
    for key in [e.key for e in rows if e.severity == "critical"]:
        close.carry_forward(store, PERIOD, key, "ann", "disputed")
    return int(cid)


def test_a_correction_approved_after_the_signoff_is_not_certified_unseen(store, url, capsys):
    cid = _prepared(store)
    close.signoff(store, PERIOD, "ann")
    service.approve(store, [cid], "bob")  # the item stays in review: only the correction's state moved
    with pytest.raises(IllegalTransition, match="changed since ann signed it off .*: its corrections moved"):
        close.certify(store, PERIOD, "carol")
    assert main(["close", "status", "--period", PERIOD, "--db", url]) == 0
    assert "since the last signoff: CHANGED (corrections): sign it off again" in capsys.readouterr().out


def test_thresholds_changed_after_the_signoff_are_not_certified_unseen(store):
    _prepared(store)
    close.signoff(store, PERIOD, "ann")
    set_materiality(store, PERIOD, "ann", parse_thresholds("5000", []))
    with pytest.raises(IllegalTransition, match="its materiality moved"):
        close.certify(store, PERIOD, "carol")


def test_an_unmoved_period_is_certified(store):
    _prepared(store)
    close.signoff(store, PERIOD, "ann")
    assert close.certify(store, PERIOD, "carol").action == "certify"


def test_a_signoff_frozen_before_corrections_were_held_is_compared_on_what_it_held(store):
    _prepared(store)
    close.signoff(store, PERIOD, "ann")
    with store.session() as s:  # as the version before this one froze it: without corrections and thresholds
        row = close.history(s, PERIOD)[-1]
        old = {k: v for k, v in row.snapshot.items() if k not in ("corrections", "materiality")}
        row.snapshot = old
        row.snapshot_hash = hashlib.sha256(json.dumps(old, sort_keys=True, separators=(",", ":"))
                                           .encode("utf-8")).hexdigest()
    assert close.certify(store, PERIOD, "carol").action == "certify"
