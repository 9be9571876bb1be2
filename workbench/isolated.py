"""Run a long core job in a child process, so the process that draws the window never waits on it.

Why a process and not a thread: pull, reconcile, push and export are Python-heavy. On a
thread they share the GIL with the GUI thread, and benchmarks/bench_gui.py measured the window
freezing for 70-150 ms at a time during a 200-customer demo run or a push; in a child process the
longest gap between GUI timer ticks is 8-23 ms. The child is *spawned* (a fresh interpreter, never a
fork of a process that runs Qt threads) and talks back over a pipe:

- progress, exactly as the job reports it to its ``state`` (throttled in the child, so a chatty
  job cannot flood the pipe), relayed to the parent's ``state``;
- then the job's result (pickled) or its error as one line, re-raised in the parent as a
  :class:`ChildJobError` (a :class:`Cancelled` when the user stopped it).

Cancelling works as on a thread: the parent polls its own ``state.cancelled`` and sets an event
that the child's ``state.cancelled`` reads, so the job stops where it checks (between pages,
batches, sheets) and leaves the store as a cancelled job always does.

Arguments and results must pickle: a :class:`~workbench.store.db.Store` travels as its URL and
is reopened in the child; secrets stay in the environment and the OS keyring, which the child
reads the same way the parent does.

:func:`keep_spare` keeps one child started ahead with the core imported, so a job starts at once
instead of paying about a second for a fresh interpreter's imports.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import signal
import threading
from dataclasses import dataclass
from collections.abc import Callable, Sequence
from typing import Any

from workbench.errors import Cancelled, WorkbenchError, user_message
from workbench.progress import Progress, TaskState, Throttle

_SPAWN = mp.get_context("spawn")
_POLL = 0.05      # seconds between the parent's looks at its state's cancel flag
_THROTTLE = 0.02  # seconds between progress messages per channel in the child


class ChildJobError(WorkbenchError):
    """The job failed in its process; the message is the child's own one-line description."""


@dataclass
class _Child:
    proc: Any
    jobs: Any     # parent -> child: the one job this process will run
    answers: Any  # child -> parent: progress, then the answer
    cancel: Any   # set by the parent, read by the child's state.cancelled

    def close(self) -> None:
        self.jobs.close()
        self.answers.close()
        self.proc.join(10)
        if self.proc.is_alive():  # it answered (or was dropped) but does not exit: do not leave it behind
            self.proc.terminate()
            self.proc.join(5)


def _start(warm: tuple[str, ...]) -> _Child:
    job_end, jobs = _SPAWN.Pipe(duplex=False)
    answers, answer_end = _SPAWN.Pipe(duplex=False)
    cancel = _SPAWN.Event()
    proc = _SPAWN.Process(target=_child_main, args=(job_end, answer_end, cancel, warm), name="workbench-job",
                          daemon=True)
    proc.start()
    job_end.close()
    answer_end.close()  # the child holds the only writing end now: EOF means it has gone
    return _Child(proc, jobs, answers, cancel)


# A spare: one child started ahead of time that has already imported the core. A fresh
# interpreter importing pandas, SQLAlchemy and the connectors costs about a second, which
# every run, push or export would otherwise pay before its first request.
_lock = threading.Lock()
_spare: _Child | None = None
_warm: tuple[str, ...] = ()  # what a spare imports while it waits; () = keep no spare


def keep_spare(modules: Sequence[str]) -> None:
    """From now on keep one child process ready, with ``modules`` imported, for the next job."""
    global _warm
    with _lock:
        _warm = tuple(modules)
    _refill()


def drop_spare() -> None:
    """Stop keeping a spare and let the waiting one exit."""
    global _spare, _warm
    with _lock:
        spare, _spare, _warm = _spare, None, ()
    if spare is not None:  # it has no job: stopping it loses nothing
        spare.jobs.close()
        spare.answers.close()
        spare.proc.terminate()
        spare.proc.join(5)


def _refill() -> None:
    global _spare
    with _lock:
        if _warm and (_spare is None or not _spare.proc.is_alive()):
            _spare = _start(_warm)


def _take() -> _Child:
    global _spare
    with _lock:
        child, _spare = _spare, None
    if child is not None and child.proc.is_alive():
        return child
    if child is not None:
        child.close()
    return _start(())


def run_isolated(fn: Callable[..., Any], *args: Any, state: TaskState | None = None, **kwargs: Any) -> Any:
    """``fn(*args, state=<child state>, **kwargs)`` in a spawned process; blocks until it ends.

    ``fn`` must be a module-level function (it is pickled by name). Progress goes to ``state``;
    the result is returned, an error raised as :class:`ChildJobError` or :class:`Cancelled`.
    The child runs with this process's environment and working directory as they are now.
    """
    job = (fn, args, kwargs, dict(os.environ), os.getcwd())
    child = _take()
    try:
        try:
            child.jobs.send(job)
        except (BrokenPipeError, ConnectionResetError):  # the spare died while it waited
            child.close()
            child = _start(())
            child.jobs.send(job)
        return _answer(child, state)
    finally:
        _refill()  # the next spare starts once this job has answered, so it never competes with it
        _close_later(child)


# The answer is in when run_isolated returns. The process's own exit (its interpreter tearing down pandas,
# Arrow, SQLAlchemy: about half a second) is waited for on a thread, not by the caller: opening a large run
# or the end of a run or a push does not wait for it. ``wait_for_exits`` waits for those threads.
_exiting: set[threading.Thread] = set()


def _close_later(child: _Child) -> None:
    def close() -> None:
        try:
            child.close()
        finally:
            with _lock:
                _exiting.discard(threading.current_thread())

    waiter = threading.Thread(target=close, name="workbench-job-exit", daemon=True)
    with _lock:
        _exiting.add(waiter)
    waiter.start()


def wait_for_exits(timeout: float = 20.0) -> None:
    """Until the processes of jobs that have answered have exited (one that has not 10 seconds after its
    answer is stopped: ``_Child.close``), each waited for at most ``timeout`` seconds: for a window closing,
    or a test ending, with no job process left behind."""
    with _lock:
        waiting = list(_exiting)
    for waiter in waiting:
        waiter.join(timeout)


def _answer(child: _Child, state: TaskState | None) -> Any:
    while True:
        if state is not None and state.cancelled:
            child.cancel.set()
        if not child.answers.poll(_POLL):
            continue
        try:
            kind, *payload = child.answers.recv()
        except EOFError:
            child.proc.join(5)
            raise ChildJobError(f"the job's process ended without an answer (exit code {child.proc.exitcode})"
                                ) from None
        if kind == "progress":
            _relay(state, *payload)
        elif kind == "done":
            return payload[0]
        elif kind == "cancelled":
            raise Cancelled(payload[0])
        else:
            raise ChildJobError(payload[0])


def _relay(state: TaskState | None, side: str, done: int, total: int | None, message: str) -> None:
    if state is None:
        return
    if side:
        state.set_source_progress(side, done, total, message)
    else:
        state.set_progress(done, total, message)


class _ChildState(Progress):
    """The ``state`` the job sees in the child: progress into the pipe, cancel from the parent."""

    def __init__(self, conn: Any, cancel: Any):
        self._conn, self._cancel = conn, cancel
        self._throttle = Throttle(_THROTTLE)  # a chatty job cannot flood the pipe
        self._sending = threading.Lock()  # a run pulls both sides at once: one message at a time in the pipe
        self._lost = False  # the parent has gone: stop at the next check

    @property
    def cancelled(self) -> bool:
        return self._lost or self._cancel.is_set()

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self._send("", done, total, message)

    def set_source_progress(self, side: str, done: int, total: int | None = None, message: str = "") -> None:
        self._send(side, done, total, message)

    def _send(self, side: str, done: int, total: int | None, message: str) -> None:
        with self._sending:
            if not self._throttle.due(side, done, total):
                return
            try:
                self._conn.send(("progress", side, int(done), None if total is None else int(total), message or ""))
            except (BrokenPipeError, OSError):
                self._lost = True


def _child_main(jobs: Any, conn: Any, cancel: Any, warm: tuple[str, ...]) -> None:
    # Ctrl+C in the terminal reaches the whole process group: the parent decides (it cancels the
    # job, which then stops cleanly), so the child neither dies mid-write nor prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in warm:
        try:
            importlib.import_module(name)
        except Exception:  # only a head start: the job reports what it cannot import
            pass
    try:
        job = jobs.recv()
    except (EOFError, OSError):
        return  # a spare that was dropped: nothing to run
    except Exception as exc:  # the job did not unpickle here (e.g. a module is missing)
        conn.send(("error", user_message(exc)))
        return
    finally:
        jobs.close()
    fn, args, kwargs, environ, cwd = job
    # As if spawned now: secrets handed over by environment variables after this process started
    # (the demo's sandboxes set theirs when they start) must be seen by the job.
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)
    state = _ChildState(conn, cancel)
    try:
        answer: tuple[str, Any] = ("done", fn(*args, state=state, **kwargs))
    except Cancelled as exc:
        answer = ("cancelled", exc.one_line())
    except BaseException as exc:  # every failure goes back to the parent as one line
        answer = ("error", user_message(exc))
    try:
        conn.send(answer)
    except (BrokenPipeError, OSError):
        pass  # nobody is listening any more
    except Exception as exc:  # the result did not pickle: say so rather than vanish
        conn.send(("error", f"internal error: the job's result could not be sent back: {exc}"))
    finally:
        conn.close()
