"""SQL ``IN`` lists cut to a size every supported database takes in one statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# SQLite (3.32+) takes up to 32,766 bound parameters in a statement, PostgreSQL 65,535; 5,000
# leaves room for the statement's other parameters and keeps each statement quick to plan.
IN_LIST_SIZE = 5000


def chunks(items: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size`` (default IN_LIST_SIZE)."""
    size = size or IN_LIST_SIZE
    for i in range(0, len(items), size):
        yield items[i:i + size]
