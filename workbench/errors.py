"""Errors a user can read.

Everything raised to a user derives from WorkbenchError and renders as one line.
InputError/ConfigError mean "fix your input" (CLI exit code 2); the rest mean the
work could not be done (exit code 1).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

# Masks secrets in text shown to a user or written to the log. workbench.model.secrets owns the
# rules and installs them here when it is imported (this module sits below it).
_mask: Callable[[str], str] = str


def set_mask(mask: Callable[[str], str]) -> None:
    global _mask
    _mask = mask


class WorkbenchError(Exception):
    exit_code = 1
    transient = False  # trouble that may pass: a push retries it with backoff instead of dead-lettering it

    def one_line(self) -> str:
        return _mask(" ".join(str(self).split()))


class InputError(WorkbenchError):
    """Bad input data: names the file, row, column/field and what was expected."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, expected: str | None = None, got: object = None):
        self.file, self.row, self.column, self.expected, self.got = file, row, column, expected, got
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column '{column}'")
        text = message
        if got is not None:
            text += f": got {got!r}"
        if expected:
            text += f", expected {expected}"
        super().__init__(f"{', '.join(where)}: {text}" if where else text)


class ConfigError(WorkbenchError):
    exit_code = 2


class SourceError(WorkbenchError):
    """A source system refused or failed; the message carries the system's own words.

    ``transient=True`` marks this failure as trouble that may pass (the system unreachable,
    throttled, locked); a failure that always may pass derives from :class:`TransientError`.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        if transient:
            self.transient = True


class TransientError(SourceError):
    """A source failed in a way that may pass (limits, locks, 5xx, timeouts)."""

    transient = True


class PermissionDenied(WorkbenchError):
    exit_code = 2


class IllegalTransition(WorkbenchError):
    exit_code = 2


class StaleState(WorkbenchError):
    """Someone else changed the record first (optimistic concurrency)."""

    exit_code = 2
    fresh: dict[str, Any] | None = None  # the record as it is now, for the screen to show


class Cancelled(WorkbenchError):
    """The user cancelled a long task; nothing half-written remains."""


def log_path() -> Path:
    """The support log: where an unexpected error's traceback goes (the user sees one line)."""
    from platformdirs import user_log_dir
    p = Path(user_log_dir("recon-workbench", appauthor=False))
    p.mkdir(parents=True, exist_ok=True)
    return p / "workbench.log"


def log_traceback(exc: BaseException) -> Path | None:
    """Append ``exc``'s traceback to the support log; the log's path, or None when it cannot be written."""
    import traceback
    try:
        where = log_path()
        with open(where, "a", encoding="utf-8") as fh:
            fh.write(_mask("".join(traceback.format_exception(exc))))
    except OSError:
        return None
    return where


def error_line(exc: BaseException) -> str:
    """What went wrong, in one line with secrets masked, logging nothing (``user_message`` also logs)."""
    if isinstance(exc, WorkbenchError):
        return exc.one_line()
    return f"{type(exc).__name__}: {_mask(' '.join(str(exc).split()))[:300]}"


def _lost_database(exc: BaseException) -> str | None:
    """The words for a database connection lost in the middle of a command (the server stopped, the network
    dropped): not the workbench's own fault, so not an "internal error"; None for any other error."""
    import psycopg  # only on this last-resort path: the store imports both anyway
    from sqlalchemy.exc import DBAPIError
    if not isinstance(exc, DBAPIError):
        return None
    state = str(getattr(exc.orig, "sqlstate", "") or "")
    # SQLSTATE class 08 is a connection exception; a reconnect that failed (the pool checks a connection before
    # using it, and the server is gone) is a PostgreSQL OperationalError with no SQLSTATE at all
    reconnect_failed = isinstance(exc.orig, psycopg.OperationalError) and not state
    if not (exc.connection_invalidated or state.startswith("08") or reconnect_failed):
        return None
    said = _mask(" ".join(str(exc.orig).split()))[:300]
    return (f"the database stopped answering ({said}): check that its server is running and reachable, then run "
            f"the command again (a run stores nothing until it completes)")


def user_message(exc: BaseException) -> str:
    """One line for a window or a parent process; an unexpected error's traceback goes to the log file."""
    if isinstance(exc, WorkbenchError):
        return exc.one_line()
    where = log_traceback(exc)
    tail = f" (details in {where})" if where else ""
    if (lost := _lost_database(exc)) is not None:
        return f"{lost}{tail}"
    return f"internal error: {error_line(exc)}{tail}"
