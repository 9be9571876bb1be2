"""Switchable misbehaviour, for tests and demos: what real orgs do on a bad day."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    request_limit_exceeded: int = 0  # next N API calls answer 403 REQUEST_LIMIT_EXCEEDED (concurrent requests)
    server_errors: int = 0  # next N API calls answer 500 UNKNOWN_EXCEPTION
    unable_to_lock_row: int = 0  # next N write calls fail every record with UNABLE_TO_LOCK_ROW
    # next N query operations (a query call, or one query subrequest of a Composite call) answer
    # 400 QUERY_TIMEOUT, in the words orgs use (restforce issue 790)
    query_timeouts: int = 0
    slow_seconds: float = 0.0  # every API call waits this long before answering
    # API calls wait until this event is set (at most ``gate_seconds``, see ``wait_gate``): a test sees
    # what else is asked of another system meanwhile
    gate: threading.Event | None = None
    gate_seconds: float = 30.0
    # record id -> {field: value}: "someone else" edits the record right after a query has
    # read it, i.e. between the read and the write that follows
    concurrent_edits: dict[str, dict[str, Any]] = field(default_factory=dict)
    # record ids "someone else" deletes right after a query has read them
    concurrent_deletes: set[str] = field(default_factory=set)
    # calls answered (per kind) while a fault was active, so tests can see it really fired
    fired: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _expire: threading.Event = field(default_factory=threading.Event, repr=False)

    def expire_sessions(self) -> None:
        """Invalidate every session issued so far (as a timeout or a logout would)."""
        self._expire.set()

    def take(self, name: str) -> bool:
        """Consume one occurrence of a counted fault; True when it applies to this call."""
        with self._lock:
            n = getattr(self, name)
            if n > 0:
                setattr(self, name, n - 1)
                self.fired[name] = self.fired.get(name, 0) + 1
                return True
            return False

    def wait_gate(self) -> None:
        """Hold this API call until ``gate`` is set. Past ``gate_seconds`` the gate opens for every call
        and ``fired["gate_timeout"]`` says so (the event it waited for never came)."""
        gate = self.gate
        if gate is not None and not gate.wait(self.gate_seconds):
            with self._lock:
                self.fired["gate_timeout"] = self.fired.get("gate_timeout", 0) + 1
            gate.set()

    def pop_expire(self) -> bool:
        if self._expire.is_set():
            self._expire.clear()
            with self._lock:
                self.fired["expire_sessions"] = self.fired.get("expire_sessions", 0) + 1
            return True
        return False

    def pop_edit(self, record_id: str) -> dict[str, Any] | None:
        with self._lock:
            edit = self.concurrent_edits.pop(record_id, None)
            if edit is not None:
                self.fired["concurrent_edits"] = self.fired.get("concurrent_edits", 0) + 1
            return edit

    def pop_delete(self, record_id: str) -> bool:
        with self._lock:
            if record_id in self.concurrent_deletes:
                self.concurrent_deletes.discard(record_id)
                self.fired["concurrent_deletes"] = self.fired.get("concurrent_deletes", 0) + 1
                return True
            return False

    def clear(self) -> None:
        with self._lock:
            self.concurrent_deletes.clear()
            self.request_limit_exceeded = self.server_errors = self.unable_to_lock_row = self.query_timeouts = 0
            self.slow_seconds = 0.0
            self.gate = None
            self.concurrent_edits.clear()
        self._expire.clear()
