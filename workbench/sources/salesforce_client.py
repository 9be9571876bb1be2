"""simple-salesforce behind retries, one re-login on an expired session, and paging.

Every call goes through ``call``: REQUEST_LIMIT_EXCEEDED, UNABLE_TO_LOCK_ROW, 5xx,
timeouts and dropped connections are retried with exponential backoff (bounded);
an expired session triggers one fresh login; anything else becomes a SourceError
carrying Salesforce's own errorCode and message.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from decimal import Decimal
from typing import Any, TypeVar
from collections.abc import Callable, Iterator
from urllib.parse import urlencode
from xml.sax.saxutils import escape, unescape

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
# REST API Developer Guide, "Send Multiple Requests Using Composite": up to 25 subrequests per call, "up to 5 of
# these subrequests can be query operations, including Query and QueryAll requests, and Query More requests to
# get the next batch of query results"; "the entire series of requests counts as a single call toward your API
# limits".
COMPOSITE_QUERIES = 5
COMPOSITE_SUBREQUESTS = 25
_DEC = "\x00dec:"


def json_body(payload: Any) -> str:
    """JSON with Decimal amounts written as exact numbers (requests' json= cannot take Decimal)."""
    def prep(v: Any) -> Any:
        if isinstance(v, Decimal):
            return _DEC + format(v, "f")
        if isinstance(v, dict):
            return {k: prep(x) for k, x in v.items()}
        if isinstance(v, list):
            return [prep(x) for x in v]
        return v
    text = json.dumps(prep(payload), ensure_ascii=False, separators=(",", ":"))
    return re.sub(r'"\\u0000dec:([-0-9.]+)"', r"\1", text)


def post_composite(sf: Salesforce, subrequests: list[dict[str, Any]]) -> Any:
    """One ``POST composite`` with allOrNone=false, so one failing subrequest does not hold back the others
    (REST API Developer Guide: Composite Request Body). Answers ``{"compositeResponse": [...]}``, one
    ``{body, httpHeaders, httpStatusCode, referenceId}`` per subrequest (Composite Subrequest Result)."""
    body = json_body({"allOrNone": False, "compositeRequest": subrequests})
    return sf.restful("composite", method="POST", data=body.encode("utf-8"))


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


def daily_limit_reached(exc: SalesforceError) -> bool:
    """REQUEST_LIMIT_EXCEEDED for the org's API requests of the last 24 hours ("TotalRequests Limit exceeded."),
    not for too many long requests at once (ConcurrentRequests): it passes in hours, not seconds, so asking
    again at once only adds requests (REST API Developer Guide, API Request Limits and Allocations: a rolling
    24-hour window)."""
    code, msg = error_code(exc)
    return code == "REQUEST_LIMIT_EXCEEDED" and "totalrequests" in msg.lower()


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (requests.exceptions.Timeout, requests.exceptions.ConnectionError)):
        return not isinstance(exc, requests.exceptions.SSLError)
    if isinstance(exc, SalesforceGeneralError) and getattr(exc, "status", 0) >= 500:
        return True
    if isinstance(exc, SalesforceError):
        return error_code(exc)[0] in TRANSIENT_CODES and not daily_limit_reached(exc)
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
                if daily_limit_reached(exc):
                    raise TransientFailure(f"Salesforce {what}: {code}: {msg} The org has used every API request "
                                           f"it is allowed in the last 24 hours (a rolling window, shared with its "
                                           f"other integrations): try again in a few hours; Setup > System "
                                           f"Overview shows the usage") from None
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

    def composite_queries(self, queries: list[tuple[str, bool]], batch_size: int | None = None,
                          probes: list[str] | None = None) -> CompositeQueries:
        """Several queries read together in Composite calls; ``(soql, include_deleted)`` each. ``probes``: GET
        resources other than queries (paths after ``/services/data/vXX.X``), asked in the first call."""
        return CompositeQueries(self, queries, batch_size, probes or [])

    def count(self, soql_from_where: str) -> int:
        return int(self.call("query", lambda sf: sf.query(f"SELECT COUNT() {soql_from_where}"))["totalSize"])

    def bulk_pages(self, obj: str, soql: str, max_records: int, poll_seconds: float) -> Iterator[str]:
        """Bulk API 2.0 query: create the job, wait for it, read the CSV result pages by locator (each page's
        text, a header line first; empty when the query matched nothing)."""
        def client(sf: Salesforce) -> Any:  # a fresh client after any re-login
            return getattr(sf.bulk2, obj)._client
        job = self.call("Bulk 2.0 job create", lambda sf: client(sf).create_job(Operation.query, soql))
        job_id = job["id"]
        self.call("Bulk 2.0 job wait", lambda sf: client(sf).wait_for_job(job_id, True, poll_seconds))
        locator = ""
        while True:
            res = self.call("Bulk 2.0 results",
                            lambda sf: client(sf).get_query_results(job_id, locator, max_records))  # noqa: B023 - call() runs it at once
            yield res["records"]
            locator = res["locator"]
            if not locator:
                return

    def describe_many(self, objects: list[str]) -> dict[str, dict[str, Any]]:
        """Each object's describe, read in one Composite call (Composite supports sObject Describe: REST API
        Developer Guide, Composite, "Resources supported"); object -> describe, or SourceError naming the
        objects Salesforce refused (an object the user cannot see answers 404 NOT_FOUND)."""
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(objects), COMPOSITE_SUBREQUESTS):
            chunk = objects[i:i + COMPOSITE_SUBREQUESTS]
            subs = [{"method": "GET", "url": f"/services/data/v{self.api_version}/sobjects/{obj}/describe",
                     "referenceId": f"d{k}"} for k, obj in enumerate(chunk)]
            answer = self.call("describe", lambda sf: post_composite(sf, subs))  # noqa: B023 - call() runs it at once
            results = {r.get("referenceId"): r for r in (answer or {}).get("compositeResponse") or []}
            refused = []
            for k, obj in enumerate(chunk):
                res: dict[str, Any] = results.get(f"d{k}") or next(iter(results.values()), {})
                if _status(res) >= 300:
                    code, msg = _error(res)
                    refused.append(f"{obj}: {code}: {msg}")
                else:
                    out[obj] = res["body"]
            if refused:
                raise describe_refused(refused)
        return out

    def user_info(self) -> dict[str, str]:
        """SOAP API getUserInfo() on this session: ``organizationMultiCurrency`` and, when that is false,
        ``orgDefaultCurrencyIsoCode``, the currency of every record (SOAP API Developer Guide,
        GetUserInfoResult: "Applicable only when organizationMultiCurrency is false"). The REST API has no
        resource that names a single-currency org's currency; OAuth access tokens are valid SOAP sessions."""
        def ask(sf: Salesforce) -> dict[str, str]:
            envelope = ('<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv='
                        '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">'
                        f'<soapenv:Header><urn:SessionHeader><urn:sessionId>{escape(sf.session_id)}</urn:sessionId>'
                        '</urn:SessionHeader></soapenv:Header><soapenv:Body><urn:getUserInfo/></soapenv:Body>'
                        '</soapenv:Envelope>')
            url = f"{sf.base_url.split('/services/')[0]}/services/Soap/u/{self.api_version}"
            r = sf.session.post(url, data=envelope.encode("utf-8"), timeout=60,
                                headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "getUserInfo"})
            text = r.text
            if r.status_code != 200:
                code = _xml_text(text, "faultcode") or str(r.status_code)
                if code.endswith("INVALID_SESSION_ID"):
                    raise SalesforceExpiredSession(r.url, r.status_code, "getUserInfo", r.content)
                raise SourceError(f"Salesforce getUserInfo: {code}: {_xml_text(text, 'faultstring') or text[:200]}")
            return {tag: _xml_text(text, tag) or "" for tag in ("organizationMultiCurrency",
                                                               "orgDefaultCurrencyIsoCode")}
        return self.call("getUserInfo", ask)

    def close(self) -> None:
        self.session.close()


def describe_refused(refused: list[str]) -> SourceError:
    """The error of describes Salesforce refused, ``object: code: message`` each."""
    return SourceError(f"Salesforce describe: {'; '.join(refused)} (is the object's name right, and may the "
                       f"integration user read it?)")


def _xml_text(text: str, tag: str) -> str | None:
    """The text of the first element ``tag`` (any namespace prefix) in a SOAP answer."""
    m = re.search(rf"<(?:\w+:)?{tag}>([^<]*)</(?:\w+:)?{tag}>", text)
    return unescape(m.group(1)) if m else None


@dataclass
class _Query:
    url: str | None  # the subrequest that reads its next page; None once every page is in
    pages: deque[tuple[int, list[dict[str, Any]]]] = field(default_factory=deque)
    failures: int = 0  # passing failures of the page asked for now, in a row
    # Salesforce's refusal of the query, raised when its pages are read: the answers of the other subrequests
    # (another query's pages, a probe) stand, and a caller may look at a probe before it reads any page
    error: SourceError | None = None


class CompositeQueries:
    """Queries read through Composite calls, each call one request against the API limits. A call carries the
    next page request (Query, QueryAll, or Query More by ``nextRecordsUrl``) of the first five queries still
    unfinished, so pages come in the order the queries were given; ``pages(i)`` yields query i's
    (totalSize, records) pages as ``SalesforceClient.query_pages`` yields one query's, making the calls as
    they are needed. Records and their order are what each query read on its own returns."""

    def __init__(self, client: SalesforceClient, queries: list[tuple[str, bool]], batch_size: int | None,
                 probes: list[str] | None = None):
        base = f"/services/data/v{client.api_version}"
        self.client = client
        # Subrequests take any header their resource takes (Composite Subrequest, httpHeaders): the page size
        self.headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        self.queries = [_Query(f"{base}/{'queryAll' if deleted else 'query'}?{urlencode({'q': soql})}")
                        for soql, deleted in queries]
        # resources that are not query operations ride along in the first call, which holds 25 subrequests
        if len(probes or []) > COMPOSITE_SUBREQUESTS - COMPOSITE_QUERIES:
            raise ValueError(f"at most {COMPOSITE_SUBREQUESTS - COMPOSITE_QUERIES} probes go with the first call")
        self._probes: list[str] | None = [f"{base}{path}" for path in probes or []]
        self._answers: list[dict[str, Any]] = []

    def probe(self, k: int) -> dict[str, Any]:
        """Probe k's answer (the first call is made if it was not yet): the resource's body, or raises
        SourceError with Salesforce's words."""
        if self._probes is not None:
            self._call()
        r = self._answers[k]
        if _status(r) >= 300:
            code, msg = _error(r)
            raise SourceError(f"Salesforce {code}: {msg}")
        body: dict[str, Any] = r["body"]
        return body

    def pages(self, i: int) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        q = self.queries[i]
        while q.pages or q.url:
            if q.pages:
                yield q.pages.popleft()
            else:
                self._call()
        if q.error is not None:
            raise q.error

    def _call(self) -> None:
        due = [(i, q) for i, q in enumerate(self.queries) if q.url][:COMPOSITE_QUERIES]
        subs = [{"method": "GET", "url": q.url, "referenceId": f"q{i}",
                 **({"httpHeaders": self.headers} if self.headers else {})} for i, q in due]
        probes, self._probes = self._probes or [], None
        subs += [{"method": "GET", "url": url, "referenceId": f"p{k}"} for k, url in enumerate(probes)]
        answer = self.client.call("query", lambda sf: post_composite(sf, subs))
        results = {r.get("referenceId"): r for r in (answer or {}).get("compositeResponse") or []}
        self._answers += [results.get(f"p{k}") or {"httpStatusCode": 500, "body": [
            {"errorCode": "UNKNOWN", "message": "no answer to this subrequest"}]} for k in range(len(probes))]
        retry = 0
        for i, q in due:
            r = results.get(f"q{i}")
            if r is None:  # the call as a whole was refused, in one result with no referenceId
                code, msg = _error(next(iter(results.values()), {}))
                raise SourceError(f"Salesforce composite: {code}: {msg}")
            if _status(r) >= 300:
                code, msg = _error(r)
                if _status(r) < 500 and code not in TRANSIENT_CODES:  # in the words the query alone gets
                    q.error, q.url = SourceError(f"Salesforce query: {code}: {msg}"), None
                    continue
                # A failure that may pass (QUERY_TIMEOUT, 5xx): asked again in the next call, after the same
                # backoff as a single query; pages already read are kept, none is read twice.
                q.failures += 1
                if q.failures >= self.client.attempts:
                    raise TransientFailure(f"Salesforce query still failing after {self.client.attempts} attempts: "
                                           f"{code}: {msg}")
                retry = max(retry, q.failures)
                continue
            page = r["body"]
            q.pages.append((page["totalSize"], page["records"]))
            q.url = None if page.get("done", True) else page["nextRecordsUrl"]
            q.failures = 0
        if retry:
            time.sleep(min(30 * self.client.wait_base, self.client.wait_base * 2 ** (retry - 1)))


def _status(result: dict[str, Any]) -> int:
    return int(result.get("httpStatusCode") or 500)


def _error(result: dict[str, Any]) -> tuple[str, str]:
    """(errorCode, message) of a failed subrequest, whose body is Salesforce's error list."""
    body = result.get("body")
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    return str(first.get("errorCode") or "UNKNOWN"), " ".join(str(first.get("message", "")).split())
