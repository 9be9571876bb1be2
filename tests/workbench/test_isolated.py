"""Long jobs in a child process: progress, result, cancel and errors reach the caller as on a thread."""

from __future__ import annotations

import os
import time

import pytest

from workbench.errors import Cancelled, InputError
from workbench.isolated import ChildJobError, run_isolated
from workbench.progress import check_cancelled

WAIT_S = 60  # at most, for a job's process to end
EXIT_S = 5  # how long answer_then_exit_slowly's process takes to exit after answering


# ---- jobs (module level: the child imports them by name) --------------------------------------

def read_pages(pages: int, *, state) -> dict:
    for i in range(1, pages + 1):
        check_cancelled(state)
        state.set_source_progress("crm", i, pages, f"page {i}")
    state.set_progress(0, None, "Reconciling")
    return {"pid": os.getpid(), "pages": pages}


def work_until_cancelled(*, state) -> str:
    state.set_progress(0, None, "Working")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # small units of work, checking for Cancel between them
        check_cancelled(state)
        sum(range(20_000))
    return "never cancelled"


def bad_price_file(*, state) -> None:
    raise InputError("amount is not a number", file="prices.csv", row=7, column="amount",
                     expected="a decimal like 12.50")


def bug(*, state) -> None:
    raise KeyError("no such column")


def vanish(*, state) -> None:
    os._exit(3)


def answer_then_exit_slowly(*, state) -> int:
    import atexit
    atexit.register(time.sleep, EXIT_S)  # as an interpreter tearing down large libraries takes a while
    return os.getpid()


class Recorder:
    def __init__(self, cancel_after: int | None = None):
        self.steps: list[tuple] = []
        self.cancel_after = cancel_after

    @property
    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.steps) >= self.cancel_after

    def set_progress(self, done, total=None, message=""):
        self.steps.append(("", done, total, message))

    def set_source_progress(self, side, done, total=None, message=""):
        self.steps.append((side, done, total, message))


# ---- tests ------------------------------------------------------------------------------------

def test_the_job_runs_in_another_process_and_its_progress_and_result_come_back():
    state = Recorder()
    result = run_isolated(read_pages, 3, state=state)
    assert result["pages"] == 3 and result["pid"] != os.getpid()
    # every page's count reaches the caller per source, and the next step's message after them
    assert [s for s in state.steps if s[0] == "crm"][-1] == ("crm", 3, 3, "page 3")
    assert state.steps[-1] == ("", 0, None, "Reconciling")


def test_cancel_in_the_caller_stops_the_job_in_its_process():
    state = Recorder(cancel_after=1)  # press Cancel as soon as the job reports it has started
    with pytest.raises(Cancelled, match="cancelled by the user"):
        run_isolated(work_until_cancelled, state=state)


def test_bad_input_in_the_job_comes_back_as_the_same_one_line_error():
    with pytest.raises(ChildJobError) as err:
        run_isolated(bad_price_file)
    line = err.value.one_line()
    assert "prices.csv" in line and "row 7" in line and "amount" in line and "12.50" in line


def test_a_bug_in_the_job_is_one_line_with_the_traceback_in_the_log():
    with pytest.raises(ChildJobError, match=r"internal error: KeyError: 'no such column' \(details in "):
        run_isolated(bug)
    from workbench.errors import log_path
    assert "in bug" in log_path().read_text(encoding="utf-8")  # the child's traceback, for support


def test_the_answer_comes_back_without_waiting_for_the_job_s_process_to_exit():
    pid = run_isolated(answer_then_exit_slowly)
    (child,) = [p for p in _job_processes() if p.pid == pid]
    assert child.is_alive()  # still tearing down: the caller has its answer already
    _exits_waited_for()
    assert child.exitcode == 0  # and it does exit, on its own


def test_a_job_whose_process_dies_is_reported_not_waited_for():
    with pytest.raises(ChildJobError, match=r"ended without an answer \(exit code 3\)"):
        run_isolated(vanish)


def test_a_demo_run_in_a_child_process_lands_in_the_callers_store(store, tmp_path):
    from workbench import demo as demo_mod
    from workbench.jobs import demo_run
    from workbench.store import repo
    state = Recorder()
    with demo_mod.prepare_demo(tmp_path / "demo", customers=15) as demo:
        done = run_isolated(demo_run, str(demo.config_path), store, user="alice", state=state)
    stored = repo.load_run(store, done.run_id)
    assert stored["status"] == "completed" and stored["summary"] == done.summary
    assert done.summary["exceptions_total"] > 0
    # the run's pull was reported per source, as the Run screen's bars show it
    assert {s[0] for s in state.steps} >= {"crm", "erp"}


def env_and_pid(name: str, *, state) -> tuple[str | None, int]:
    return os.environ.get(name), os.getpid()


def _job_processes() -> list:
    import multiprocessing
    return [p for p in multiprocessing.active_children() if p.name == "workbench-job"]


def _exits_waited_for() -> None:
    from workbench.isolated import wait_for_exits
    wait_for_exits(WAIT_S)


def test_a_spare_process_takes_the_next_job_and_sees_the_environment_as_it_is_now(monkeypatch):
    from workbench.isolated import drop_spare, keep_spare
    _exits_waited_for()  # earlier tests' job processes
    keep_spare(["workbench.pipeline"])
    try:
        (spare,) = _job_processes()
        # a secret handed over by environment after the spare started (as the demo's sandboxes do)
        monkeypatch.setenv("WORKBENCH_TEST_SECRET", "s3cret")
        value, pid = run_isolated(env_and_pid, "WORKBENCH_TEST_SECRET")
        assert (value, pid) == ("s3cret", spare.pid)
        _exits_waited_for()  # the job's process exits on its own once it has answered
        (next_spare,) = _job_processes()  # the next job's process is already waiting
        assert next_spare.pid != spare.pid
    finally:
        drop_spare()
    assert _job_processes() == []
