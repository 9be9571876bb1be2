"""The one way a screen runs a core action (Anki's ``CollectionOp`` is the model).

``run_action`` runs the action off the GUI thread (the database worker, or a job process
when the action reports progress), puts a failure in the message bar as one line, and
broadcasts what the action changed once, on ``AppContext.data_changed``. Every screen
refreshes itself from that broadcast, whoever started the action, so no screen patches
another's rows or calls another's refresh::

    run_action(ctx, service.approve, ctx.store, ids, ctx.user, initiator=self,
               success=lambda done: ctx.info(f"{len(done)} corrections approved"))

The action returns a result with a ``changes`` attribute (``workbench.model.changes``);
``success`` gets the result before the broadcast, ``failure`` the one-line message after
it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from app.context import AppContext
from app.workers import QtProgress
from workbench.model.changes import HasChanges

R = TypeVar("R", bound=HasChanges)


def run_action(ctx: AppContext, action: Callable[..., R], *args: Any,
               success: Callable[[R], None] | None = None, failure: Callable[[str], None] | None = None,
               initiator: object | None = None, state: QtProgress | None = None, **kwargs: Any) -> None:
    """Run ``action(*args, **kwargs)`` in the background and broadcast its changes.

    With ``state`` the action is a long job (push): it runs in a job process and reports to
    ``state``. ``initiator`` (usually the screen) comes with the broadcast, so that screen
    knows the refresh answers its own action."""

    def done(result: R) -> None:
        try:
            if success is not None:
                success(result)
        finally:
            ctx.data_changed.emit(result.changes, initiator)

    def failed(message: str) -> None:
        ctx.error(message)
        if failure is not None:
            failure(message)

    if state is None:
        ctx.db.submit(action, *args, on_done=done, on_error=failed, **kwargs)
    else:
        ctx.jobs.submit_isolated(action, *args, state=state, on_done=done, on_error=failed, **kwargs)
