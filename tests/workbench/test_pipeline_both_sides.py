"""A run asks Salesforce and the ERP at once: each pull mostly waits for its service, so the two
waits overlap rather than add up. When one side fails, the run fails with that side's own error
(not a "cancelled" from the side it stopped) and stores nothing; Ctrl+C in a terminal ends both at
their next page."""

from __future__ import annotations

import os
import signal
import threading
import tomllib
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from tests.helpers.sandboxes import erp_sandbox, salesforce_org
from workbench import pipeline
from workbench.config import from_dict
from workbench.errors import WorkbenchError
from workbench.pipeline import execute_run
from workbench.sandbox import erp, salesforce
from workbench.sandbox.scenario import generate, load
from workbench.store.db import open_store
from workbench.store.schema import Run


@pytest.fixture(scope="module")
def scen(tmp_path_factory):
    return generate(11, 40, tmp_path_factory.mktemp("scen") / "s", invoices_per_customer=4)


@pytest.fixture()
def bc(scen):
    yield from erp_sandbox("business-central", scenario_dir=scen)


@pytest.fixture()
def sf(scen, tmp_path):
    yield from salesforce_org(load(scen).crm, tmp_path / "sf")


@pytest.fixture()
def config(scen, sf, bc):
    raw = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))
    raw["crm"], raw["erp"] = salesforce.demo_config(sf), erp.demo_config(bc, page_size=20)
    raw["erp"]["business_central"]["backoff"] = 0.01  # a refused request is not worth waiting for here
    return from_dict(raw, path=scen / "run.toml")


@pytest.fixture()
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield s
    s.dispose()


def test_the_erp_is_asked_while_salesforce_is_still_answering(config, store, sf, bc):
    # Salesforce holds every answer until the ERP has been asked something: pulled one after the
    # other, Salesforce's first answer would wait out the gate (and the run would say so below).
    asked = threading.Event()
    bc.faults.announce(asked)
    sf.org.faults.gate, sf.org.faults.gate_seconds = asked, 20.0
    outcome = execute_run(config, store, user="ann")
    assert asked.is_set()
    assert sf.org.faults.fired.get("gate_timeout", 0) == 0
    assert outcome.summary["records"]["crm"]["invoices"] and outcome.summary["records"]["erp"]["invoices"]
    assert list(outcome.summary["pulls"]) == ["crm", "erp"]  # the summary keeps the sides' order


def test_a_side_that_fails_fails_the_run_with_its_own_error_while_the_other_was_pulling(config, store, sf, bc):
    # Salesforce is still waiting for its first answer when Business Central refuses for good.
    asked = threading.Event()
    bc.faults.announce(asked)
    bc.faults.server_error(500, times=1000)
    sf.org.faults.gate, sf.org.faults.gate_seconds = asked, 20.0
    with pytest.raises(WorkbenchError) as failed:
        execute_run(config, store, user="ann")
    told = failed.value.one_line()
    assert "500" in told and "cancelled" not in told.lower()
    with store.session() as s:
        runs = s.execute(select(Run.status, Run.error)).all()
    assert [status for status, _ in runs] == ["failed"]  # the failure is listed; no run was stored whole
    assert runs[0][1] == told


@pytest.mark.parametrize("received_by", ["any thread", "another thread"])
def test_ctrl_c_ends_both_pulls_at_their_next_page_and_lists_the_run_as_cancelled(config, store, sf, bc,
                                                                                  received_by):
    # Both services answer slowly, so each pull is mid-way (a page asked, more to come) when Ctrl+C
    # comes, as soon as Business Central has been asked something.
    asked = threading.Event()
    bc.faults.announce(asked)
    bc.faults.round_trip = sf.org.faults.slow_seconds = 0.3
    at_interrupt: dict[str, int] = {}

    def ctrl_c() -> None:
        if asked.wait(60):  # never once the run is over: that would stop the test session itself
            at_interrupt.update(erp=bc.requests, crm=sf.org.api_used)
            if received_by == "any thread":  # as a terminal sends it: to the process
                os.kill(os.getpid(), signal.SIGINT)
            else:
                # The OS may hand a process's signal to any of its threads, and did under two test workers:
                # the main thread, waiting for the pulls, was not woken and they went on to their end.
                signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    threading.Thread(target=ctrl_c, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        execute_run(config, store, user="ann")
    # the page each side was waiting for, and none after it (a whole pull here is dozens of requests)
    assert bc.requests - at_interrupt["erp"] <= 1
    assert sf.org.api_used - at_interrupt["crm"] <= 1
    with store.session() as s:
        runs = s.execute(select(Run.status, Run.error)).all()
    assert runs == [("cancelled", "interrupted (Ctrl+C)")]  # listed, and nothing stored whole


def test_ctrl_c_while_the_pulls_are_being_started_still_ends_both_at_their_next_page(config, store, sf, bc,
                                                                                      monkeypatch):
    # Python raises the KeyboardInterrupt wherever the main thread runs next. On a busy machine that can
    # still be the handing of the ERP's pull to its thread, after that pull has asked its first page: the
    # interrupt is raised right there, every time (it left the pulls running to their end).
    asked = threading.Event()
    bc.faults.announce(asked)
    bc.faults.round_trip = sf.org.faults.slow_seconds = 0.3
    at_interrupt: dict[str, int] = {}

    class InterruptedWhileStarting(ThreadPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.pulls = kwargs.get("thread_name_prefix") == "pull"  # not the pool making raw parts

        def submit(self, fn, /, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)
            if self.pulls and args == ("erp",):
                assert asked.wait(60)
                at_interrupt.update(erp=bc.requests, crm=sf.org.api_used)
                raise KeyboardInterrupt
            return future

    monkeypatch.setattr(pipeline, "ThreadPoolExecutor", InterruptedWhileStarting)
    with pytest.raises(KeyboardInterrupt):
        execute_run(config, store, user="ann")
    assert bc.requests - at_interrupt["erp"] <= 1
    assert sf.org.api_used - at_interrupt["crm"] <= 1
    with store.session() as s:
        runs = s.execute(select(Run.status, Run.error)).all()
    assert runs == [("cancelled", "interrupted (Ctrl+C)")]
