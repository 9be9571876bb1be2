"""simple-salesforce behind retries, one re-login on an expired session, and paging.

Every call goes through ``call``: REQUEST_LIMIT_EXCEEDED, UNABLE_TO_LOCK_ROW, 5xx,
timeouts and dropped connections are retried with exponential backoff (bounded);
an expired session triggers one fresh login; anything else becomes a SourceError
carrying Salesforce's own errorCode and message.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from decimal import Decimal
from typing import Any, TypeVar
from collections.abc import Callable, Iterator

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.bulk2 import Operation
from simple_salesforce.exceptions import (SalesforceError, SalesforceExpiredSession, SalesforceGeneralError,
                                          SalesforceOperationError)
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from workbench.errors import SourceError, TransientError
from workbench.sources.salesforce_auth import ApiMeter, Login, build_session, login

T = TypeVar("T")
TRANSIENT_CODES = {"REQUEST_LIMIT_EXCEEDED", "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "QUERY_TIMEOUT"}


def error_code(exc: SalesforceError) -> tuple[str, str]:
    """(errorCode, message) from a simple-salesforce exception's parsed body."""
    content = getattr(exc, "content", None)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode") or content[0].get("statusCode") or ""), \
            " ".join(str(content[0].get("message", "")).split())
    if isinstance(content, (bytes, str)):
        try:
            parsed = json.loads(content)
            if isinstance(parsed, list) and parsed:
                return str(parsed[0].get("errorCode", "")), str(parsed[0].get("message", ""))
        except ValueError:
            pass
    return "", " ".join(str(content or exc).split())[:300]


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (requests.exceptions.Timeout, requests.exceptions.ConnectionError)):
        return not isinstance(exc, requests.exceptions.SSLError)
    if isinstance(exc, SalesforceGeneralError) and getattr(exc, "status", 0) >= 500:
        return True
    if isinstance(exc, SalesforceError):
        return error_code(exc)[0] in TRANSIENT_CODES
    return False


class TransientFailure(TransientError):
    """Salesforce kept failing in a way that may pass (limits, locks, 5xx, timeouts)."""


class BudgetExceeded(SourceError):
    """A push would use more of the org's daily API requests than the config allows."""


class SalesforceClient:
    def __init__(self, sf_cfg: dict[str, Any], secrets_cfg: dict[str, Any], resolve: Callable[[str], Path]):
        self.cfg, self.secrets_cfg, self.resolve = sf_cfg, secrets_cfg, resolve
        self.api_version = str(sf_cfg.get("api_version", "59.0")).lstrip("v")
        self.meter = ApiMeter()
        self.session = build_session(sf_cfg, resolve, self.meter)
        self.attempts = int(sf_cfg.get("max_attempts", 5))
        self.wait_base = float(sf_cfg.get("retry_wait_seconds", 1.0))
        self.login: Login | None = None
        self._sf: Salesforce | None = None
        self.relogins = 0

    @property
    def sf(self) -> Salesforce:
        if self._sf is None:
            return self.connect()
        return self._sf

    def connect(self) -> Salesforce:
        self.login = login(self.cfg, self.secrets_cfg, self.session, self.resolve, self.api_version)
        self._sf = Salesforce(session_id=self.login.session_id, instance_url=self.login.instance_url,
                              session=self.session, version=self.api_version, parse_float=Decimal)
        return self._sf

    @property
    def instance_url(self) -> str:
        return self.login.instance_url if self.login else (self.cfg.get("instance_url") or "")

    def call(self, what: str, fn: Callable[[Salesforce], T]) -> T:
        """Run ``fn(sf)`` with retries; ``what`` names the call in error messages."""
        relogged = False
        while True:
            try:
                for attempt in Retrying(stop=stop_after_attempt(self.attempts), reraise=False,
                                        wait=wait_exponential(multiplier=self.wait_base, max=30 * self.wait_base),
                                        retry=retry_if_exception(is_transient)):
                    with attempt:
                        return fn(self.sf)
            except RetryError as exc:
                last = exc.last_attempt.exception()
                code, msg = error_code(last) if isinstance(last, SalesforceError) else (type(last).__name__, "")
                raise TransientFailure(f"Salesforce {what} still failing after {self.attempts} attempts: "
                                       f"{code}{': ' + msg if msg else ''}") from None
            except SalesforceExpiredSession:
                if relogged or self.cfg.get("auth", "jwt") == "session":
                    raise SourceError(
                        f"Salesforce {what}: session expired or invalid (INVALID_SESSION_ID)"
                        + ("; supply a fresh session id" if self.cfg.get("auth") == "session" else
                           " again right after a fresh login")) from None
                relogged = True
                self.relogins += 1
                self.connect()
            except SalesforceOperationError as exc:
                raise SourceError(f"Salesforce {what}: {' '.join(str(exc).split())[:300]}") from None
            except SalesforceError as exc:
                code, msg = error_code(exc)
                raise SourceError(f"Salesforce {what}: {code}: {msg}") from None
            except requests.exceptions.SSLError:
                raise SourceError(f"Salesforce {what}: cannot verify the TLS certificate of {self.instance_url}; "
                                  f"set [crm.salesforce] ca_bundle") from None

    # reading ------------------------------------------------------------------------
    def query_pages(self, soql: str, batch_size: int | None = None, include_deleted: bool = False
                    ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """REST query pages: (totalSize, records) per page, following nextRecordsUrl; ``include_deleted``
        asks queryAll, which also reads deleted records still in the Recycle Bin."""
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        page = self.call("query", lambda sf: sf.query(soql, include_deleted=include_deleted, headers=headers))
        while True:
            yield page["totalSize"], page["records"]
            if page.get("done", True):
                return
            nxt = page["nextRecordsUrl"]
            page = self.call("query", lambda sf: sf.query_more(nxt, identifier_is_url=True, headers=headers))  # noqa: B023 - call() runs it at once

    def count(self, soql_from_where: str) -> int:
        return int(self.call("query", lambda sf: sf.query(f"SELECT COUNT() {soql_from_where}"))["totalSize"])

    def bulk_pages(self, obj: str, soql: str, max_records: int, poll_seconds: float) -> Iterator[list[dict[str, Any]]]:
        """Bulk API 2.0 query: create the job, wait for it, read the CSV result pages by locator."""
        def client(sf: Salesforce) -> Any:  # a fresh client after any re-login
            return getattr(sf.bulk2, obj)._client
        job = self.call("Bulk 2.0 job create", lambda sf: client(sf).create_job(Operation.query, soql))
        job_id = job["id"]
        self.call("Bulk 2.0 job wait", lambda sf: client(sf).wait_for_job(job_id, True, poll_seconds))
        locator = ""
        while True:
            res = self.call("Bulk 2.0 results",
                            lambda sf: client(sf).get_query_results(job_id, locator, max_records))  # noqa: B023 - call() runs it at once
            text = res["records"]
            yield [{k: (v if v != "" else None) for k, v in row.items()}
                   for row in csv.DictReader(io.StringIO(text))] if text else []
            locator = res["locator"]
            if not locator:
                return

    def close(self) -> None:
        self.session.close()
