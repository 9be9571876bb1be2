"""Switchable faults, so connectors can be tested against what real ERPs do on a bad day.

Each fault is armed for a number of requests (``times``) and fires on the next API
requests in order; token endpoints are never faulted except by ``expire_tokens``.

    handle.faults.rate_limit(times=2, retry_after=1)   # 429 + Retry-After
    handle.faults.server_error(500) / server_error(503)
    handle.faults.slow(seconds=2.0, times=1)            # held until the client gives up, at most 2 s
    handle.faults.expire_tokens()                       # every issued token/key now gets 401
    handle.faults.change_before_write(times=1)          # someone edits the record between read and write
    handle.faults.announce(event)                       # the next API request sets the event as it arrives
    handle.faults.round_trip = 0.15                     # every HTTP API request answered 150 ms late
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Shot:
    kind: str  # "rate_limit" | "server_error" | "slow"
    status: int = 0
    retry_after: int | None = None
    seconds: float = 0.0
    remaining: int = 1
    after: int = 0  # API requests (inner requests of a batch included) let through before it fires


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shots: list[Shot] = []
        self._changes = 0
        self.token_epoch = 0  # bumped by expire_tokens(); tokens carry the epoch they were issued in
        self.fired: list[str] = []
        self._announce: list[threading.Event] = []
        # every HTTP API request (a batch's inner requests are not HTTP requests) waits this long before it is
        # answered, as a round trip to a service elsewhere on the network would (benchmarks)
        self.round_trip = 0.0

    def rate_limit(self, times: int = 1, retry_after: int | None = 1, after: int = 0) -> None:
        self._add(Shot("rate_limit", 429, retry_after=retry_after, remaining=times, after=after))

    def server_error(self, status: int = 500, times: int = 1, after: int = 0) -> None:
        self._add(Shot("server_error", status, remaining=times, after=after))

    def slow(self, seconds: float = 2.0, times: int = 1) -> None:
        self._add(Shot("slow", seconds=seconds, remaining=times))

    def expire_tokens(self) -> None:
        with self._lock:
            self.token_epoch += 1

    def change_before_write(self, times: int = 1) -> None:
        with self._lock:
            self._changes += times

    def announce(self, event: threading.Event) -> None:
        """Set ``event`` when the next API request arrives: a test sees when this system is first asked."""
        with self._lock:
            self._announce.append(event)

    def arrived(self) -> None:
        with self._lock:
            events, self._announce = self._announce, []
        for event in events:
            event.set()

    def clear(self) -> None:
        with self._lock:
            self._shots.clear()
            self._changes = 0
            self._announce.clear()
            self.round_trip = 0.0

    def _add(self, shot: Shot) -> None:
        with self._lock:
            self._shots.append(shot)

    def next_shot(self) -> Shot | None:
        """The fault to apply to this request, if any (consumes one use)."""
        with self._lock:
            if not self._shots:
                return None
            shot = self._shots[0]
            if shot.after > 0:
                shot.after -= 1
                return None
            shot.remaining -= 1
            if shot.remaining <= 0:
                self._shots.pop(0)
            self.fired.append(shot.kind)
            return shot

    def take_change(self) -> bool:
        with self._lock:
            if self._changes > 0:
                self._changes -= 1
                self.fired.append("change_before_write")
                return True
            return False
