"""Run a long core job in a child process, so the process that draws the window never waits on it.

Why a process and not a thread: pull, reconcile, push and export are Python-heavy. On a
thread they share the GIL with the GUI thread, and benchmarks/bench_gui.py measured the window
freezing for 110-130 ms at a time during a 200-customer demo run; in a child process the longest
gap between GUI timer ticks is 15-20 ms. The child is *spawned* (a fresh interpreter, never a
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
"""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any, Callable

from workbench.errors import Cancelled, WorkbenchError, user_message

_SPAWN = mp.get_context("spawn")
_POLL = 0.05      # seconds between the parent's looks at its state's cancel flag
_THROTTLE = 0.02  # seconds between progress messages per channel in the child


class ChildJobError(WorkbenchError):
    """The job failed in its process; the message is the child's own one-line description."""


def run_isolated(fn: Callable[..., Any], *args: Any, state: object | None = None, **kwargs: Any) -> Any:
    """``fn(*args, state=<child state>, **kwargs)`` in a spawned process; blocks until it ends.

    ``fn`` must be a module-level function (it is pickled by name). Progress goes to ``state``;
    the result is returned, an error raised as :class:`ChildJobError` or :class:`Cancelled`.
    """
    receive, send = _SPAWN.Pipe(duplex=False)
    cancel = _SPAWN.Event()
    proc = _SPAWN.Process(target=_child_main, args=(send, cancel, fn, args, kwargs),
                          name=f"workbench-{getattr(fn, '__name__', 'job')}", daemon=True)
    proc.start()
    send.close()  # the child holds the only writing end now: EOF means it has gone
    try:
        while True:
            if state is not None and getattr(state, "cancelled", False):
                cancel.set()
            if not receive.poll(_POLL):
                continue
            try:
                kind, *payload = receive.recv()
            except EOFError:
                proc.join(5)
                raise ChildJobError(f"the job's process ended without an answer (exit code {proc.exitcode})"
                                    ) from None
            if kind == "progress":
                _relay(state, *payload)
            elif kind == "done":
                return payload[0]
            elif kind == "cancelled":
                raise Cancelled(payload[0])
            else:
                raise ChildJobError(payload[0])
    finally:
        receive.close()
        proc.join(10)
        if proc.is_alive():  # it answered but does not exit: do not leave it behind
            proc.terminate()
            proc.join(5)


def _relay(state: object | None, side: str, done: int, total: int | None, message: str) -> None:
    if state is None:
        return
    per_source = getattr(state, "set_source_progress", None)
    if side and per_source is not None:
        per_source(side, done, total, message)
    elif not side:
        state.set_progress(done, total, message)


class _ChildState:
    """The ``state`` the job sees in the child: progress into the pipe, cancel from the parent."""

    def __init__(self, conn: Any, cancel: Any):
        self._conn, self._cancel = conn, cancel
        self._last: dict[str, float] = {}
        self._lost = False  # the parent has gone: stop at the next check

    @property
    def cancelled(self) -> bool:
        return self._lost or self._cancel.is_set()

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self._send("", done, total, message)

    def set_source_progress(self, side: str, done: int, total: int | None = None, message: str = "") -> None:
        self._send(side, done, total, message)

    def _send(self, side: str, done: int, total: int | None, message: str) -> None:
        now = time.monotonic()
        # A step's start and end always pass (the window shows them); counts in between are thinned.
        if done != 0 and not (total is not None and done >= total) and now - self._last.get(side, 0.0) < _THROTTLE:
            return
        self._last[side] = now
        try:
            self._conn.send(("progress", side, int(done), None if total is None else int(total), message or ""))
        except (BrokenPipeError, OSError):
            self._lost = True


def _child_main(conn: Any, cancel: Any, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    state = _ChildState(conn, cancel)
    try:
        answer: tuple = ("done", fn(*args, state=state, **kwargs))
    except Cancelled as exc:
        answer = ("cancelled", exc.one_line())
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent as one line
        answer = ("error", user_message(exc))
    try:
        conn.send(answer)
    except (BrokenPipeError, OSError):
        pass  # nobody is listening any more
    except Exception as exc:  # noqa: BLE001 - the result did not pickle: say so rather than vanish
        conn.send(("error", f"internal error: the job's result could not be sent back: {exc}"))
    finally:
        conn.close()
