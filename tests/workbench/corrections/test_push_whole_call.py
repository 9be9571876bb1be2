"""A connector that refuses a whole push call: the error's class decides retry or dead letter."""

from __future__ import annotations

import pytest

from workbench.corrections.outbox.push import _send
from workbench.errors import SourceError, TransientError, WorkbenchError
from workbench.sources.base import WriteRequest, WriteResult


class _Refusing:
    def __init__(self, exc: WorkbenchError) -> None:
        self.exc = exc

    def push(self, requests: list[WriteRequest]) -> list[WriteResult]:
        raise self.exc


class Throttled(TransientError):
    """A connector's own passing failure, whatever its name says."""


_REQS = [WriteRequest(7, "k7", "customers", "C-1", "name", "Old", "New"),
         WriteRequest(8, "k8", "customers", "C-2", "name", "Old", "New")]


@pytest.mark.parametrize(("exc", "outcome"), [
    (Throttled("429 too many requests"), "transient"),
    (SourceError("the org is locked", transient=True), "transient"),
    (SourceError("the source is read-only"), "permanent"),
])
def test_whole_call_failure_is_retried_only_when_it_may_pass(exc: WorkbenchError, outcome: str) -> None:
    results = _send(_Refusing(exc), _REQS)
    assert [(r.correction_id, r.outcome) for r in results] == [(7, outcome), (8, outcome)]
    assert all(str(exc) in r.message for r in results)
