"""The long jobs the app starts, shaped to run in a child process (see workbench.isolated).

Each is a module-level function (pickled by name) whose arguments and result are small and
picklable: the window needs a run's id and summary, not its million-row frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from workbench.progress import TaskState

from workbench.model.changes import Changes

if TYPE_CHECKING:  # the app imports this module for WARM_MODULES: keep that import light
    from workbench.store.db import Store

# What a spare job process imports while it waits (workbench.isolated.keep_spare): the engine,
# the store and the connectors, so a run or a push starts with its first request.
WARM_MODULES = (
    "workbench.jobs", "workbench.pipeline", "workbench.reconcile.engine", "workbench.corrections.service",
    "workbench.export.workbook", "workbench.sources.salesforce", "workbench.sources.business_central",
    "workbench.sources.odoo", "workbench.corrections.verify",
    "httpcore", "anyio", "keyring",  # httpx and the credential lookup load these on first use
)


@dataclass(frozen=True)
class RunDone:
    run_id: int
    summary: dict[str, Any]


def pull_and_reconcile(config: Any, store: Store, *, user: str | None, full: bool = False,
                        state: TaskState | None = None) -> RunDone:
    """Pull both sources (everything again when ``full``, else only what changed since the last run of
    this config where that can be done), reconcile and save the run; the window then loads it."""
    from workbench.pipeline import execute_run
    outcome = execute_run(config, store, user=user, state=state, full=full)
    return RunDone(outcome.run_id, outcome.summary)


def demo_run(config_path: str | Path, store: Store, *, user: str, state: TaskState | None = None) -> RunDone:
    """The demo's run: its config is read in the child (its secrets are in the environment)."""
    from workbench import config as cfg
    return pull_and_reconcile(cfg.load(Path(config_path)), store, user=user, state=state)


@dataclass(frozen=True)
class Pushed:
    report: Any  # a PushReport
    listed: Any  # the corrections the push answered for, as list_corrections reads them (None: none)
    changes: Changes  # those corrections, and their exceptions (resolved or reopened)


def push_and_list(store: Store, user: str, ids: list[int] | None, options: dict[str, Any], *,
                  state: TaskState | None = None) -> Pushed:
    """Push approved corrections, then read back (as a frame) the corrections the push answered for."""
    from workbench.corrections import service
    report = service.push(store, user, state=state, ids=ids, **options)
    answered = sorted({int(r["correction_id"]) for r in report.results})
    listed = service.list_corrections(store, ids=answered) if answered else None
    exceptions = listed["exception_id"].tolist() if listed is not None else []
    return Pushed(report, listed, Changes.of(exceptions=exceptions, corrections=answered))


def retry_and_push(store: Store, user: str, ids: list[int], options: dict[str, Any], *,
                   state: TaskState | None = None) -> Pushed:
    """Put failed corrections back in the outbox (recorded as retried by ``user``) and push them."""
    from workbench.corrections import service
    service.replay(store, ids, user, "retried from the approvals screen")
    return push_and_list(store, user, ids, options, state=state)


def export_workbook(store: Store, run_id: int, path: str | Path, *, state: TaskState | None = None) -> str:
    """Write the run's audit workbook (all or nothing); returns where it went."""
    from workbench.export.workbook import write_workbook
    write_workbook(store, run_id, Path(path), state=state)
    return str(path)
