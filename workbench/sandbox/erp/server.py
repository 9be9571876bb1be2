"""The HTTP side of the ERP sandbox: a threaded stdlib server on 127.0.0.1.

A flavour (Business Central, Odoo, ERPNext) turns a ``Request`` into a ``Response``;
this module owns sockets, keep-alive, and applying the armed faults before the
flavour sees an API request.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qs, unquote, urlsplit

from workbench.sandbox.erp.faults import Faults
from workbench.sources.http_common import encode_json as dumps


@dataclass
class Request:
    method: str
    path: str  # percent-decoded
    raw_path: str  # as sent, with the query
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @classmethod
    def parse(cls, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Request:
        """A request as sent: ``raw_path`` is the path with its query, still percent-encoded."""
        parts = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        return cls(method, unquote(parts.path), raw_path, query, {k.lower(): v for k, v in headers.items()}, body)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        return cls.json_text(status, dumps(payload), headers)

    @classmethod
    def json_text(cls, status: int, text: str, headers: dict[str, str] | None = None) -> Response:
        """``json`` of a payload already written as JSON text (pieced together without building it as objects)."""
        h = {"Content-Type": "application/json; charset=utf-8"}
        h.update(headers or {})
        return cls(status, text.encode("utf-8"), h)


class Flavor(Protocol):
    def is_api(self, req: Request) -> bool: ...

    def fault_response(self, status: int, message: str) -> Response: ...

    def handle(self, req: Request) -> Response: ...


@runtime_checkable
class ServesBatches(Protocol):
    """A flavour with a ``$batch`` endpoint: the server gives it the way to serve one inner request as if it
    came alone (faults, auth, strictness) and count it as an operation, not an HTTP request."""
    serve_inner: Callable[[Request], Response] | None


def _hold(conn: socket.socket, seconds: float) -> None:
    """A slow answer: held until the client gives up (its read timeout closes the connection)
    or ``seconds`` pass, so a test of timeouts does not depend on how fast the machine is."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([conn], [], [], left)
        if not readable:
            return
        try:
            if not conn.recv(1, socket.MSG_PEEK):
                return  # the client closed the connection
        except OSError:
            return
        time.sleep(left)  # a pipelined request is waiting, not a close: hold for the rest
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and the CLI own stdout
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client died mid-request: a real server never acts on half a request
            self.close_connection = True
            return
        req = Request.parse(self.command, self.path, dict(self.headers.items()), body)
        resp = self.server.answer(req, self.connection)
        self.server.count(self.command, self.path)
        try:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout fired)
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, flavor: Flavor, faults: Faults):
        self.flavor, self.faults, self.requests = flavor, faults, 0
        self.calls: dict[str, int] = {}  # per request shape, see ``count``
        self.batch_operations = 0  # inner requests of $batch requests, see ``answer_inner``
        self.inner_calls: dict[str, int] = {}  # the same per shape
        self._count_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)
        if isinstance(flavor, ServesBatches):  # each inner request of its $batch goes through here
            flavor.serve_inner = self.answer_inner

    def answer(self, req: Request, conn: socket.socket | None = None) -> Response:
        """The flavour's answer to ``req``, after the armed faults (an API request only). ``conn`` is
        the connection a slow answer holds; an inner request of a batch (none) sleeps instead."""
        flavor, faults = self.flavor, self.faults
        resp: Response | None = None
        try:
            if flavor.is_api(req):
                faults.arrived()
                if conn is not None and faults.round_trip:
                    time.sleep(faults.round_trip)
                shot = faults.next_shot()
                if shot is not None and shot.kind == "slow":
                    if conn is not None:
                        _hold(conn, shot.seconds)
                    else:
                        time.sleep(shot.seconds)
                elif shot is not None:
                    resp = flavor.fault_response(shot.status, "Too many requests" if shot.status == 429
                                                 else "The service is temporarily unavailable")
                    if shot.retry_after is not None:
                        resp.headers["Retry-After"] = str(shot.retry_after)
            if resp is None:
                resp = flavor.handle(req)
        except Exception as exc:  # a sandbox bug must still answer like a server, not hang the client
            resp = flavor.fault_response(500, f"sandbox error: {type(exc).__name__}: {exc}")
        return resp

    def answer_inner(self, req: Request) -> Response:
        """An inner request of a ``$batch``: served exactly as if it came alone (faults, auth,
        strictness), but not an HTTP request of its own: counted in ``batch_operations`` and
        ``inner_calls``, never in ``requests``/``calls``."""
        self.count(req.method, req.raw_path, inner=True)
        return self.answer(req)

    @staticmethod
    def _shape(method: str, raw_path: str) -> str:
        url = urlsplit(raw_path)
        last = unquote(url.path).rstrip("/").rsplit("/", 1)[-1].split("(", 1)[0]
        query = parse_qs(url.query, keep_blank_values=True)
        options = ",".join(f"{k}=id" if query[k] == ["id"] else k for k in sorted(query))
        return f"{method} {last}" + (f" ?{options}" if options else "")

    def count(self, method: str, raw_path: str, *, inner: bool = False) -> None:
        """One request more, also per shape: the method, the path's last segment without its key and
        the names of the query options (``GET salesInvoices ?$filter,$select``; ``$select=id`` for a key-only
        read), so the benchmark can say what each request was for. ``inner``: an inner request of a
        ``$batch``, counted apart (``batch_operations``, ``inner_calls``)."""
        shape = self._shape(method, raw_path)
        with self._count_lock:
            if inner:
                self.batch_operations += 1
                self.inner_calls[shape] = self.inner_calls.get(shape, 0) + 1
            else:
                self.requests += 1
                self.calls[shape] = self.calls.get(shape, 0) + 1


class HttpServer:
    def __init__(self, flavor: Flavor, faults: Faults, port: int = 0):
        self._server = _Server(port, flavor, faults)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"erp-sandbox:{self.port}", daemon=True)

    @property
    def requests(self) -> int:
        return self._server.requests

    @property
    def calls(self) -> dict[str, int]:
        return self._server.calls

    @property
    def batch_operations(self) -> int:
        return self._server.batch_operations

    @property
    def inner_calls(self) -> dict[str, int]:
        return self._server.inner_calls

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
