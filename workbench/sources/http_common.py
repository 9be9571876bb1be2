"""One httpx client per source: timeouts, connection limits, retries, token refresh, quiet logs.

Every ERP connector talks through ``HttpClient``. It retries what is safe to retry
(429 honouring ``Retry-After``, 5xx unless the connector's ``transient`` judge knows it for the service's own
refusal, timeouts) with exponential backoff and jitter
via tenacity, refreshes an expired token once on 401, counts requests for the
benchmark and API-usage display, and logs each request without headers, bodies or
secret-looking query values. JSON is decoded with ``parse_float=Decimal`` so money
never passes through a float.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from datetime import date, datetime, UTC
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt

from workbench.errors import ConfigError, SourceError

log = logging.getLogger("workbench.http")

TRANSIENT_STATUS = {429, 500, 502, 503, 504}
NOT_PROCESSED_STATUS = {429, 503}  # the server refused before doing anything: safe to resend any write
_SECRET_PARAMS = ("token", "secret", "password", "key", "signature", "code", "assertion", "sig")

T = TypeVar("T")
ErrorWords = Callable[[httpx.Response], tuple[str | None, str]]
Judge = Callable[[httpx.Response], bool]


class HttpFailure(SourceError):
    """The system answered with an error (or not at all) after the retries allowed."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 transient: bool = False):
        super().__init__(message)
        self.status, self.code, self.transient = status, code, transient


class _Retry(Exception):
    def __init__(self, reason: str, retry_after: float | None = None, response: httpx.Response | None = None):
        super().__init__(reason)
        self.retry_after, self.response = retry_after, response


class RetryLater(_Retry):
    """Raised by an attempt run through ``HttpClient.with_retries``: the answer was transient (e.g. an
    inner request of a batch answered 429 or 5xx); try again after the client's backoff."""


_DEC_MARK = "\u0000D"
_DEC_RE = re.compile(r'"\\u0000D([^"]*)"')


def _default(v: Any) -> Any:
    # called by the C encoder only for what JSON lacks, so plain values cost nothing extra
    if isinstance(v, Decimal):
        return _DEC_MARK + format(v, "f")
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def encode_json(obj: Any) -> str:
    """JSON with Decimals written as exact number literals (the json module only knows floats)."""
    text = json.dumps(obj, separators=(",", ":"), default=_default, ensure_ascii=False)
    return _DEC_RE.sub(r"\1", text) if "\\u0000D" in text else text


def decode(resp: httpx.Response) -> Any:
    """The response body as JSON with exact Decimal numbers."""
    try:
        return json.loads(resp.content, parse_float=Decimal)
    except ValueError:
        raise HttpFailure(f"{resp.request.method} {redact(str(resp.request.url))}: the answer is not JSON "
                          f"(HTTP {resp.status_code}, {resp.headers.get('content-type', 'no content type')})",
                          status=resp.status_code) from None


def redact(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    q = [(k, "***" if any(s in k.lower() for s in _SECRET_PARAMS) else v)
         for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(q, safe="$,'()")))


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def default_transient(resp: httpx.Response) -> bool:
    """An answer that may pass when asked again: 429, or a 5xx of TRANSIENT_STATUS."""
    return resp.status_code in TRANSIENT_STATUS


def default_error_words(resp: httpx.Response) -> tuple[str | None, str]:
    try:
        body = json.loads(resp.content)
    except ValueError:
        return None, resp.text[:300] or resp.reason_phrase
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return err.get("code"), str(err.get("message") or err)
        return None, str(err)
    return None, str(body)[:300]


class ClientCredentials:
    """OAuth 2.0 client-credentials token, fetched lazily and refreshed before or on expiry."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, scope: str | None = None):
        self.token_url, self.client_id, self._secret, self.scope = token_url, client_id, client_secret, scope
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self.fetched = 0

    def headers(self, client: httpx.Client, refresh: bool) -> dict[str, str]:
        with self._lock:
            if refresh or self._token is None or time.time() > self._expires - 60:
                self._fetch(client)
            return {"Authorization": f"Bearer {self._token}"}

    def _fetch(self, client: httpx.Client) -> None:
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self._secret}
        if self.scope:
            form["scope"] = self.scope
        try:
            resp = client.post(self.token_url, data=form)
        except httpx.HTTPError as exc:
            raise HttpFailure(f"token endpoint {redact(self.token_url)} unreachable: {type(exc).__name__}",
                              transient=True) from None
        if resp.status_code != 200:
            try:
                body = resp.json()
                words = body.get("error_description") or body.get("error") or resp.text
            except ValueError:
                words = resp.text
            raise HttpFailure(f"sign-in refused by {redact(self.token_url)} (HTTP {resp.status_code}): "
                              f"{' '.join(str(words).split())[:300]}", status=resp.status_code)
        body = resp.json()
        self._token = body["access_token"]
        self._expires = time.time() + float(body.get("expires_in", 3600))
        self.fetched += 1


class StaticHeaders:
    """A fixed credential (API key, basic auth, header template): nothing to refresh."""

    def __init__(self, headers: dict[str, str]):
        self._headers = headers

    def headers(self, client: httpx.Client, refresh: bool) -> dict[str, str]:
        return dict(self._headers)


class HttpClient:
    def __init__(self, *, system: str, base_url: str = "", timeout: float = 30.0, connect_timeout: float = 10.0,
                 max_connections: int = 4, attempts: int = 5, backoff: float = 0.5, max_backoff: float = 60.0,
                 auth: ClientCredentials | StaticHeaders | None = None, headers: dict[str, str] | None = None,
                 error_words: ErrorWords = default_error_words, transient: Judge = default_transient,
                 verify: bool | str = True):
        if attempts < 1:
            raise ConfigError(f"{system}: retries must allow at least one attempt")
        self.system, self.auth, self.error_words, self.transient = system, auth, error_words, transient
        self.attempts, self.backoff, self.max_backoff = attempts, backoff, max_backoff
        self.client = httpx.Client(
            base_url=base_url, verify=verify, headers=headers or {},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections))
        self.requests = 0
        self.retries = 0
        self.waited = 0.0

    def close(self) -> None:
        self.client.close()

    # -- the one entry point -------------------------------------------------
    def request(self, method: str, url: str, *, retry: str = "all", **kwargs: Any) -> httpx.Response:
        """Send with retries. ``retry``: "all" (reads, idempotent writes), "unsent" (only what the
        server refused before processing: 429/503/connect errors), "none". Returns any
        non-transient response (the caller decides what a 404/412 means); raises HttpFailure when
        transient failures outlast the attempts."""
        refreshed = False

        def attempt() -> httpx.Response:
            nonlocal refreshed
            headers = dict(kwargs.pop("headers", None) or {})
            send_headers = dict(headers)
            if self.auth is not None:
                send_headers.update(self.auth.headers(self.client, refresh=False))
            kwargs["headers"] = headers
            t0 = time.perf_counter()
            self.requests += 1
            try:
                resp = self.client.request(method, url, headers=send_headers,
                                           **{k: v for k, v in kwargs.items() if k != "headers"})
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                log.info("%s %s %s -> %s", self.system, method, redact(url), type(exc).__name__)
                if retry == "none":
                    raise HttpFailure(f"{self.system}: cannot connect ({type(exc).__name__})",
                                      transient=True) from None
                raise _Retry(f"cannot connect ({type(exc).__name__})") from None
            except httpx.TimeoutException as exc:
                log.info("%s %s %s -> %s", self.system, method, redact(url), type(exc).__name__)
                if retry != "all":
                    raise HttpFailure(f"{self.system}: no answer in time ({type(exc).__name__}); the write may or "
                                      f"may not have happened", transient=True) from None
                raise _Retry(f"no answer in time ({type(exc).__name__})") from None
            except httpx.HTTPError as exc:
                raise HttpFailure(f"{self.system}: {method} {redact(url)} failed: {type(exc).__name__}: {exc}",
                                  transient=True) from None
            log.info("%s %s %s -> %s in %.3fs", self.system, method, redact(str(resp.request.url)),
                     resp.status_code, time.perf_counter() - t0)
            if resp.status_code == 401 and self.auth is not None and not refreshed:
                refreshed = True
                self.auth.headers(self.client, refresh=True)
                raise _Retry("token refreshed", retry_after=0)
            status = resp.status_code
            retryable = status in NOT_PROCESSED_STATUS if retry == "unsent" else self.transient(resp)
            if retry != "none" and retryable:
                raise _Retry(f"HTTP {status}", retry_after_seconds(resp.headers.get("Retry-After")), resp)
            return resp

        return self.with_retries(attempt)

    def with_retries(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` until it returns, retrying (with this client's attempts, backoff with jitter and
        ``Retry-After``) each time it raises ``RetryLater``; raises HttpFailure when the attempts run out."""
        def wait(state: Any) -> float:
            exc = state.outcome.exception()
            if isinstance(exc, _Retry) and exc.retry_after is not None:
                delay = min(exc.retry_after, self.max_backoff)
            else:
                delay = min(self.max_backoff, self.backoff * 2 ** (state.attempt_number - 1))
                delay = delay * (0.5 + random.random() / 2)  # jitter so parallel clients spread out
            self.retries += 1
            self.waited += delay
            return delay

        retrying = Retrying(stop=stop_after_attempt(self.attempts + (1 if self.auth else 0)), wait=wait,
                            retry=retry_if_exception_type(_Retry), reraise=False)
        try:
            return retrying(attempt)
        except RetryError as err:
            last = err.last_attempt.exception()
            resp = getattr(last, "response", None)
            if resp is not None:
                code, words = self.error_words(resp)
                raise HttpFailure(f"{self.system} still failing after {self.attempts} attempts: HTTP "
                                  f"{resp.status_code}{f' {code}' if code else ''}: {_one_line(words)}",
                                  status=resp.status_code, code=code, transient=True) from None
            raise HttpFailure(f"{self.system} still failing after {self.attempts} attempts: {last}",
                              transient=True) from None

    def fail(self, resp: httpx.Response, what: str) -> HttpFailure:
        """An HttpFailure carrying the system's own words for a non-success answer."""
        code, words = self.error_words(resp)
        transient = self.transient(resp)
        return HttpFailure(f"{self.system}: {what} refused (HTTP {resp.status_code}"
                           f"{f' {code}' if code else ''}): {_one_line(words)}",
                           status=resp.status_code, code=code, transient=transient)

    def get_json(self, url: str, what: str, **kwargs: Any) -> Any:
        resp = self.request("GET", url, **kwargs)
        if resp.status_code >= 400:
            raise self.fail(resp, what)
        return decode(resp)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())[:500]
