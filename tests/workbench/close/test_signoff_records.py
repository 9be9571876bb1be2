"""What the close records and shows: the registered user's own name whatever variant was typed, a
second carry-forward of one item refused in one line (not a database error), and a period whose FX
table lacks a currency still shown by `close status`, saying which rate is missing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.workbench.export.test_workbook import _exc, make_run
from workbench.cli import main
from workbench.close import signoff as close
from workbench.close.fx import set_rates
from workbench.close.periods import get_period
from workbench.errors import IllegalTransition, InputError
from workbench.store.schema import ExceptionRow
from workbench.team.users import add_user

PERIOD = "2026-10"




def _critical(store, rid: int) -> list[str]:
    with store.session() as s:
        return [e.key for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == rid)).scalars()
                if e.severity == "critical"]


def test_the_history_names_the_registered_user_not_the_variant_typed(store):
    rid = make_run(store)
    with store.session() as s:
        add_user(s, "ann", ["preparer"])
        add_user(s, "bob", ["approver"])
    close.signoff(store, PERIOD, " ANN ")
    key = _critical(store, rid)[0]
    close.carry_forward(store, PERIOD, key, "\u0430nn", "disputed")  # Cyrillic а
    close.certify(store, PERIOD, "Bob")
    with store.session() as s:
        assert [(h.action, h.actor) for h in close.history(s, PERIOD)] == [("signoff", "ann"), ("certify", "bob")]
        assert close.carried_forward(s, PERIOD)[key].actor == "ann"


def test_an_item_carried_forward_twice_is_refused_naming_the_first(store, url, capsys):
    rid = make_run(store)
    key = _critical(store, rid)[0]
    close.carry_forward(store, PERIOD, key, "ann", "disputed, see ticket 44")
    with pytest.raises(IllegalTransition, match="carried forward from period 2026-10 by ann on .* already: "
                                                "disputed, see ticket 44"):
        close.carry_forward(store, PERIOD, key, "ann", "again")
    code = main(["close", "carry-forward", "--period", PERIOD, "--key", key, "--reason", "again", "--db", url,
                 "--user", "ann"])
    err = capsys.readouterr().err
    assert code == 2 and "already: disputed, see ticket 44" in err and "internal error" not in err
    with store.session() as s:
        assert close.carried_forward(s, PERIOD)[key].reason == "disputed, see ticket 44"


def test_status_shows_the_period_when_its_fx_table_lacks_a_currency_and_sign_off_refuses(store, url, capsys):
    rid = make_run(store)
    with store.session() as s:
        set_rates(s, get_period(s, PERIOD), "EUR", {"JPY": Decimal("0.0062"), "KWD": Decimal(3)}, "r.csv sha256:0")
        # a later run brings an item in USD, a currency the table was loaded without
        s.add(ExceptionRow(**{**_exc(9, currency="USD", amount_at_risk=Decimal("5.00")), "run_id": rid}))
    assert main(["close", "status", "--period", PERIOD, "--db", url]) == 0
    out = capsys.readouterr().out
    assert "at risk: 5.00 USD" in out and "open items:" in out and "aging:" in out
    assert "at risk in EUR: not known, the FX table (r.csv sha256:0) has no rate for USD" in out
    with pytest.raises(InputError, match="no rate for USD"):
        close.signoff(store, PERIOD, "ann")
