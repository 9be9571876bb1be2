"""What a core action changed, so every screen showing it can refresh itself (Anki's ``OpChanges``).

A core action (propose, approve, waive, assign, confirm a link...) returns its usual value
with a ``changes`` attribute: the ids of the exceptions, corrections and customer links it
changed. The app broadcasts that once; each screen re-reads only what it shows of them.
The results stay the plain list, int or dict they were, so the CLI, scripts and tests that
use them as such are untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any, Protocol


def _ids(values: Iterable[Any]) -> frozenset[int]:
    return frozenset(int(v) for v in values if v is not None)


@dataclass(frozen=True)
class Changes:
    # exceptions whose status, assignee or corrections changed (what the queue and the detail show)
    exceptions: frozenset[int] = frozenset()
    corrections: frozenset[int] = frozenset()
    links: frozenset[int] = frozenset()  # customer links decided

    @classmethod
    def of(cls, *, exceptions: Iterable[Any] = (), corrections: Iterable[Any] = (),
           links: Iterable[Any] = ()) -> Changes:
        """From any ids (ints, numpy ints, None for a correction without exception)."""
        return cls(_ids(exceptions), _ids(corrections), _ids(links))

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.exceptions | other.exceptions, self.corrections | other.corrections,
                       self.links | other.links)

    def __bool__(self) -> bool:
        return bool(self.exceptions or self.corrections or self.links)


NO_CHANGES = Changes()


class HasChanges(Protocol):
    @property
    def changes(self) -> Changes: ...


class ChangedIds(list[int]):
    """The ids an action acted on, as the list it always returned, with what it changed."""

    def __init__(self, ids: Iterable[int] = (), changes: Changes = NO_CHANGES) -> None:
        super().__init__(ids)
        self.changes = changes


class NewId(int):
    """A new record's id, as the int it always was, with what creating it changed."""

    changes: Changes

    def __new__(cls, value: int, changes: Changes) -> NewId:
        self = super().__new__(cls, value)
        self.changes = changes
        return self

    def __getnewargs__(self) -> tuple[int, Changes]:  # type: ignore[override]  # pickles with its changes
        return int(self), self.changes


class ChangedRow(dict[str, Any]):
    """A record's new state, as the dict it always was, with what the change touched."""

    def __init__(self, row: dict[str, Any], changes: Changes) -> None:
        super().__init__(row)
        self.changes = changes
