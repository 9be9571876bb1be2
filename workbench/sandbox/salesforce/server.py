"""The HTTPS endpoints of the sandbox org, answering with Salesforce's shapes.

OAuth token and SOAP login, REST query with paging, describe, sObject rows (GET, PATCH,
POST, DELETE, upsert by external id), Composite (conditional subrequests), sObject
Collections PATCH, Bulk API 2.0 query and update/delete jobs, limits. Every write is
checked against the org's own describe; every API response carries Sforce-Limit-Info.
What is served, and the vendor document each behaviour follows: docs/fidelity/salesforce.md.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import re
import secrets
import ssl
import threading
import time
from datetime import datetime, timedelta, UTC
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt

from workbench.model import ids
from workbench.sandbox.salesforce import soql, wire
from workbench.sandbox.salesforce.faults import Faults
from workbench.sandbox.salesforce.objects import OBJECTS, ObjectDef, describe, find_object
from workbench.sandbox.salesforce.store import OrgStore, now_stamp, to_csv_value, to_json_value

API_VERSIONS = [f"{v}.0" for v in range(55, 63)]
ORG_ID = "00DWb0000000001EAA"
USER_ID = "005Wb0000000001AAA"
MAX_COLLECTION = 200
DELETE_LOG_DAYS = 15  # sObject Get Deleted: "no more than 15 days previous to the day the call is executed"
# REST API Developer Guide, "Send Multiple Requests Using Composite": "You can have up to 25 subrequests in a
# single call. Up to 5 of these subrequests can be query operations, including Query and QueryAll requests, and
# Query More requests to get the next batch of query results."
MAX_COMPOSITE = 25
MAX_COMPOSITE_QUERIES = 5
_Read = tuple[ObjectDef, list[str]] | None  # the records a query page showed, for the concurrent-edit fault


class OrgState:
    """Everything the handlers share: the store, credentials, sessions, cursors, jobs, counters."""

    def __init__(self, store: OrgStore, credentials: dict[str, Any], jwt_cert_pem: bytes, faults: Faults,
                 api_max: int = 15000, currency: str | None = None):
        self.store = store
        # None: multicurrency enabled (every object has CurrencyIsoCode); else the single currency of the org
        self.currency = currency
        self.hidden: dict[str, set[str]] = {}  # object -> lower-case fields the integration user cannot see
        self.conditions: list[str] = []  # If-Unmodified-Since values received, as sent, for tests to read
        self.creds = credentials
        self.jwt_public_key = _public_key(jwt_cert_pem)
        self.faults = faults
        self.api_max = api_max
        self.api_used = 0
        self.instance_url = ""
        self.sessions: set[str] = {credentials["session"]["session_id"]}
        self.cursors: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.ingest: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.calls: dict[str, int] = {}

    def new_session(self) -> str:
        token = f"{ORG_ID[:15]}!{secrets.token_urlsafe(48)}"
        with self.lock:
            self.sessions.add(token)
        return token

    def seen(self, obj: ObjectDef) -> ObjectDef:
        """The object as the integration user sees it: no CurrencyIsoCode in a single-currency org, no field
        that field-level security hides."""
        hidden = self.hidden.get(obj.name, set()) | ({"currencyisocode"} if self.currency else set())
        return obj.without(hidden)

    def find(self, name: str) -> ObjectDef | None:
        obj = find_object(name)
        return self.seen(obj) if obj is not None else None

    def count_call(self, kind: str) -> int:
        with self.lock:
            self.api_used += 1
            self.calls[kind] = self.calls.get(kind, 0) + 1
            return self.api_used


def _public_key(cert_pem: bytes) -> Any:  # an RSA key, which cryptography types as any public key
    from cryptography import x509
    return x509.load_pem_x509_certificate(cert_pem).public_key()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SalesforceSandbox/1.0"
    org: OrgState  # set on the subclass made per server

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet: tests and the CLI's stdout stay clean
        pass

    # plumbing -----------------------------------------------------------------------
    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        # Salesforce accepts compressed request bodies (REST API Developer Guide: Compression Headers)
        if raw and self.headers.get("Content-Encoding", "").strip().lower() == "gzip":
            try:
                return gzip.decompress(raw)
            except (OSError, EOFError):
                return b"\x00not gzip"  # fails JSON parsing below, answered as JSON_PARSER_ERROR
        return raw

    def _send(self, status: int, body: bytes = b"", ctype: str = "application/json;charset=UTF-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if body or status != 204:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if self._api_call:
            self.send_header("Sforce-Limit-Info", f"api-usage={self.org.api_used}/{self.org.api_max}")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, wire.dumps(payload), headers=headers)

    def _err(self, status: int, code: str, message: str, fields: list[str] | None = None) -> None:
        self._json(status, wire.error(code, message, fields))

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        self._api_call = False
        url = urlsplit(self.path)
        path = unquote(url.path).rstrip("/")
        self.query_params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            if path == "/services/oauth2/token" and method == "POST":
                return self.oauth_token()
            m = re.fullmatch(r"/services/Soap/u/(\d+\.\d)(/\w+)?", path)
            if m and method == "POST":
                return self.soap(m.group(1))
            if path == "/services/data" and method == "GET":
                return self._json(200, [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v}
                                        for v in API_VERSIONS])
            m = re.fullmatch(r"/services/data/v(\d+\.\d)(/.*)?", path)
            if not m:
                self._body()
                return self._err(404, "NOT_FOUND", "The requested resource does not exist")
            self.api_version, rest = m.group(1), m.group(2) or ""
            self._api_call = True
            return self.api(method, rest)
        except (ConnectionError, ssl.SSLError, TimeoutError):
            self.close_connection = True  # the client gave up (e.g. its timeout); nobody to answer
        except Exception as exc:  # a sandbox bug must still answer like Salesforce, not hang the client
            try:
                self._err(500, "UNKNOWN_EXCEPTION", f"An unexpected error occurred: {type(exc).__name__}: {exc}")
            except (ConnectionError, ssl.SSLError):
                self.close_connection = True

    # auth -----------------------------------------------------------------------------
    def oauth_token(self) -> None:
        form = {k: v[-1] for k, v in parse_qs(self._body().decode("utf-8")).items()}
        grant = form.get("grant_type")
        c = self.org.creds
        bad: Callable[[str, str], None] = lambda code, desc: self._json(400, {"error": code, "error_description": desc})  # noqa: E731
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                claims = jwt.decode(form.get("assertion", ""), self.org.jwt_public_key, algorithms=["RS256"],
                                    audience=[self.org.instance_url, "https://login.salesforce.com",
                                              "https://test.salesforce.com"],
                                    options={"require": ["exp", "iss", "sub", "aud"]})
            except jwt.ExpiredSignatureError:
                return bad("invalid_grant", "expired authorization code")
            except jwt.InvalidAudienceError:
                return bad("invalid_grant", "audience is invalid")
            except jwt.PyJWTError:
                return bad("invalid_grant", "invalid assertion")
            if claims.get("iss") != c["jwt"]["consumer_key"]:
                return bad("invalid_client_id", "client identifier invalid")
            if claims.get("sub") != c["jwt"]["username"]:
                return bad("invalid_grant", "user hasn't approved this consumer")
        elif grant == "client_credentials":
            cid, secret = form.get("client_id"), form.get("client_secret")
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    cid, _, secret = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
                except ValueError:
                    return bad("invalid_client", "invalid client credentials")
            if cid != c["client_credentials"]["client_id"]:
                return bad("invalid_client_id", "client identifier invalid")
            if secret != c["client_credentials"]["client_secret"]:
                return bad("invalid_client", "invalid client credentials")
        elif grant == "password":
            p = c["password"]
            if form.get("client_id") != c["client_credentials"]["client_id"] or \
                    form.get("client_secret") != c["client_credentials"]["client_secret"]:
                return bad("invalid_client", "invalid client credentials")
            if form.get("username") != p["username"] or \
                    form.get("password") not in (p["password"] + p["security_token"], p["password"]):
                return bad("invalid_grant", "authentication failure")
        else:
            return bad("unsupported_grant_type", "grant type not supported")
        token = self.org.new_session()
        self._json(200, {"access_token": token, "instance_url": self.org.instance_url,
                         "id": f"{self.org.instance_url}/id/{ORG_ID}/{USER_ID}", "token_type": "Bearer",
                         "issued_at": str(int(time.time() * 1000)), "scope": "api",
                         "signature": base64.b64encode(hashlib.sha256(token.encode()).digest()).decode()})

    def soap(self, version: str) -> None:
        """The Partner SOAP endpoint: login(), and getUserInfo() on a session (SessionHeader)."""
        body = self._body().decode("utf-8", "replace")
        if re.search(r"<(?:\w+:)?getUserInfo\b", body):
            return self.soap_user_info(body, version)
        return self.soap_login(body, version)

    def soap_user_info(self, body: str, version: str) -> None:
        """SOAP API getUserInfo(): organizationMultiCurrency and, in a single-currency org,
        orgDefaultCurrencyIsoCode ("Applicable only when organizationMultiCurrency is false"; SOAP API
        Developer Guide, GetUserInfoResult). A SOAP call counts against the daily API requests."""
        if _xml_value(body, "sessionId") not in self.org.sessions:
            return self._send(500, wire.soap_fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: "
                                                   "Illegal Session. Session not found, missing session hash"),
                              ctype="text/xml;charset=UTF-8")
        self.org.count_call("soap")
        self._send(200, wire.soap_user_info_response(ORG_ID, USER_ID, self.org.creds["jwt"]["username"],
                                                     self.org.currency), ctype="text/xml;charset=UTF-8")

    def soap_login(self, body: str, version: str) -> None:
        user = _xml_value(body, "username")
        password = _xml_value(body, "password")
        p = self.org.creds["password"]
        if user != p["username"] or password != p["password"] + p["security_token"]:
            return self._send(500, wire.soap_fault(
                "INVALID_LOGIN", "Invalid username, password, security token; or user locked out."),
                ctype="text/xml;charset=UTF-8")
        token = self.org.new_session()
        self._send(200, wire.soap_login_response(token, self.org.instance_url, version, ORG_ID, USER_ID, p["username"]),
                   ctype="text/xml;charset=UTF-8")

    def _authorized(self) -> bool:
        if self.org.faults.pop_expire():
            with self.org.lock:
                self.org.sessions.clear()
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else auth[6:] if auth.startswith("OAuth ") else ""
        if token and token in self.org.sessions:
            return True
        self._err(401, "INVALID_SESSION_ID", "Session expired or invalid")
        return False

    # the REST API ---------------------------------------------------------------------
    def api(self, method: str, rest: str) -> None:
        body = self._body()
        if self.api_version not in API_VERSIONS:
            return self._err(404, "NOT_FOUND", f"The requested resource does not exist (API version "
                                               f"{self.api_version} is not served; use one of "
                                               f"{', '.join(API_VERSIONS)})")
        if not self._authorized():
            return None
        f = self.org.faults
        # The daily allowance used up, in the words orgs answer (REST API Developer Guide, API Request Limits and
        # Allocations; success.salesforce.com/answers?id=90630000000gnuYAAQ); the fault is the passing kind,
        # too many long requests at once (Salesforce Help, article 000389067)
        if self.org.api_used >= self.org.api_max:
            return self._err(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        if f.take("request_limit_exceeded"):
            return self._err(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentRequests (Concurrent API Requests) Limit "
                                                            "exceeded.")
        self.org.count_call(rest.split("/")[1] if rest.count("/") else "root")
        # counted as it arrives: a call the client gave up waiting for (its timeout) has been spent all the
        # same, and is not counted later, in the middle of whatever the client does next
        f.wait_gate()
        if f.slow_seconds:
            time.sleep(f.slow_seconds)
        if f.take("server_errors"):
            return self._err(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId "
                                                       "if you contact support: 1234567890-12345 (-1234567890)")
        if rest in ("", "/"):
            return self._json(200, {k: f"/services/data/v{self.api_version}/{k}"
                                    for k in ("sobjects", "query", "limits", "composite", "jobs")})
        if rest == "/limits" and method == "GET":
            return self._json(200, {"DailyApiRequests": {"Max": self.org.api_max,
                                                         "Remaining": self.org.api_max - self.org.api_used},
                                    "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000 - len(self.org.jobs)}})
        if rest in ("/query", "/queryAll") and method == "GET":
            return self.query(self.query_params.get("q", ""), include_deleted=rest == "/queryAll")
        m = re.fullmatch(r"/query(?:All)?/(01g\w+)-(\d+)", rest)
        if m and method == "GET":
            return self.query_more(m.group(1), int(m.group(2)))
        if rest == "/composite" and method == "POST":
            return self.composite(body)
        if rest == "/composite/sobjects" and method == "PATCH":
            return self.collections_update(body)
        if rest == "/sobjects" and method == "GET":
            return self._json(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [
                {"name": o.name, "label": o.label, "keyPrefix": o.prefix, "custom": o.custom, "queryable": True}
                for o in OBJECTS.values()]})
        m = re.fullmatch(r"/sobjects/(\w+)/deleted", rest)
        if m and method == "GET":
            obj = self.org.find(m.group(1))
            if obj is None:
                return self._err(404, "NOT_FOUND", "The requested resource does not exist")
            return self.get_deleted(obj)
        m = re.fullmatch(r"/sobjects/(\w+)/describe", rest)
        if m and method == "GET":
            obj = self.org.find(m.group(1))
            if obj is None:
                return self._err(404, "NOT_FOUND", "The requested resource does not exist")
            return self._json(200, describe(obj, self.api_version))
        m = re.fullmatch(r"/sobjects/(\w+)", rest)
        if m and method == "POST" and (target := self.org.find(m.group(1))):
            return self.sobject_create(target, body)
        m = re.fullmatch(r"/sobjects/(\w+)/(\w{15,18})", rest)
        if m:
            obj = self.org.find(m.group(1))
            if obj is None:
                return self._err(404, "NOT_FOUND", "The requested resource does not exist")
            if method == "GET":
                return self.sobject_get(obj, m.group(2))
            if method == "PATCH":
                return self.sobject_patch(obj, m.group(2), body)
            if method == "DELETE":
                return self.sobject_delete(obj, m.group(2))
        m = re.fullmatch(r"/sobjects/(\w+)/(\w+__c)/([^/]+)", rest)
        if m and method == "PATCH" and (target := self.org.find(m.group(1))):
            return self.sobject_upsert(target, m.group(2), m.group(3), body)
        if rest == "/jobs/ingest" and method == "POST":
            return self.ingest_create(body)
        m = re.fullmatch(r"/jobs/ingest/(750\w+)(/batches|/successfulResults|/failedResults|/unprocessedrecords)?",
                         rest)
        if m:
            job = self.org.ingest.get(m.group(1))
            if job is None:
                return self._err(404, "NOT_FOUND", "The requested resource does not exist")
            return self.ingest_job(job, method, m.group(2) or "", body)
        if rest == "/jobs/query" and method == "POST":
            return self.bulk_create(body)
        m = re.fullmatch(r"/jobs/query/(750\w+)(/results)?", rest)
        if m:
            job = self.org.jobs.get(m.group(1))
            if job is None:
                return self._err(404, "NOT_FOUND", "The requested resource does not exist")
            if m.group(2) and method == "GET":
                return self.bulk_results(job)
            if method == "GET":
                return self.bulk_status(job)
            if method == "PATCH":
                job["state"] = "Aborted"
                return self._json(200, self._job_info(job))
            if method == "DELETE":
                self.org.jobs.pop(job["id"], None)
                return self._send(204)
        return self._err(404, "NOT_FOUND", "The requested resource does not exist")

    def get_deleted(self, obj: ObjectDef) -> None:
        status, body = self._get_deleted(obj, self.query_params)
        self._json(status, body)

    def _get_deleted(self, obj: ObjectDef, params: dict[str, str]) -> tuple[int, Any]:
        """sObject Get Deleted (REST API Developer Guide; rules from SOAP getDeleted()): ``start`` and ``end``
        are required ISO 8601 dateTimes whose seconds are ignored; start must precede end by more than one
        minute and lie within the last 15 days, else INVALID_REPLICATION_DATE. Deleted records are those
        whose SystemModstamp (the deletion time) falls in [start, end). Served alone and as a Composite
        subrequest (Composite supports "all sObject resources")."""
        now = datetime.now(UTC)
        bounds = []
        for name in ("start", "end"):
            text = params.get(name, "").replace(" ", "+")  # an unescaped "+" arrives as a space
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return 400, wire.error("MALFORMED_QUERY" if text else "MISSING_ARGUMENT",
                                       f"{name}: expected an ISO 8601 dateTime such as 2026-12-01T00:00:00+00:00, "
                                       f"got {text!r}")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            bounds.append(moment.astimezone(UTC).replace(second=0, microsecond=0))
        start, end = bounds
        horizon = (now - timedelta(days=DELETE_LOG_DAYS)).replace(second=0, microsecond=0)
        if end - start <= timedelta(minutes=1):
            return 400, wire.error("INVALID_REPLICATION_DATE",
                                   "startDate must chronologically precede endDate by more than one minute")
        if start < horizon:
            return 400, wire.error("INVALID_REPLICATION_DATE",
                                   f"startDate cannot be more than {DELETE_LOG_DAYS} days ago; replicate the whole "
                                   f"table instead")
        covered = min(end, now.replace(second=0, microsecond=0))
        rows = self.org.store.deleted_between(obj, now_stamp(start), now_stamp(covered))
        # the delete log is complete from the last time deleted records of this object were removed for good
        earliest = max(now_stamp(horizon), self.org.store.purged_at(obj) or "")
        return 200, {"deletedRecords": [{"id": rid, "deletedDate": stamp} for rid, stamp in rows],
                     "earliestDateAvailable": earliest, "latestDateCovered": now_stamp(covered)}

    # query --------------------------------------------------------------------------------
    def _parse(self, q: str) -> soql.Query | None:
        try:
            return soql.parse(q, seen=self.org.seen)
        except soql.SoqlError as exc:
            self._err(400, exc.code, exc.message)
            return None

    def query(self, q: str, include_deleted: bool = False) -> None:
        status, payload, read = self._query(q, include_deleted, self.headers.get("Sforce-Query-Options", ""))
        self._json(status, payload)
        self._apply_concurrent_edits(read)

    def query_more(self, loc: str, offset: int) -> None:
        status, payload, read = self._query_more(loc, offset)
        self._json(status, payload)
        self._apply_concurrent_edits(read)

    def _query(self, q: str, include_deleted: bool, options: str) -> tuple[int, Any, _Read]:
        """A Query or QueryAll answer as (status, body, the records it showed), for the resource itself
        and for Composite subrequests alike."""
        try:
            parsed = soql.parse(q, seen=self.org.seen)
        except soql.SoqlError as exc:
            return 400, wire.error(exc.code, exc.message), None
        parsed.include_deleted = include_deleted
        if parsed.count:
            return 200, {"totalSize": self.org.store.count(parsed), "done": True, "records": []}, None
        rows = self.org.store.select(parsed)
        size = _batch_size(options)
        cursor = {"obj": parsed.obj, "fields": parsed.fields, "rows": rows, "size": size}
        loc = None
        if len(rows) > size:
            loc = ids.to_18("01gWb" + secrets.token_hex(5))
            with self.org.lock:
                self.org.cursors[loc] = cursor
        return self._page(cursor, loc, 0)

    def _query_more(self, loc: str, offset: int) -> tuple[int, Any, _Read]:
        cursor = self.org.cursors.get(loc)
        if cursor is None or offset > len(cursor["rows"]):
            return 400, wire.error("INVALID_QUERY_LOCATOR", "invalid query locator"), None
        return self._page(cursor, loc, offset)

    def _page(self, cursor: dict[str, Any], loc: str | None, offset: int) -> tuple[int, Any, _Read]:
        if self.org.faults.take("query_timeouts"):
            return 400, wire.error("QUERY_TIMEOUT", "Your query request was running for too long."), None
        obj: ObjectDef = cursor["obj"]
        cols: list[soql.Column] = cursor["fields"]
        rows = cursor["rows"]
        page = rows[offset:offset + cursor["size"]]
        base = f"/services/data/v{self.api_version}"
        id_pos = next((i for i, c in enumerate(cols) if c.name == "Id"), None)
        rels = list(dict.fromkeys(c.rel for c in cols if c.rel))
        records = []
        for row in page:
            rec: dict[str, Any] = {"attributes": {"type": obj.name}}
            if id_pos is not None:
                rec["attributes"]["url"] = f"{base}/sobjects/{obj.name}/{row[id_pos]}"
            parent_ids = dict(zip(rels, row[len(cols):]))
            for c, v in zip(cols, row):
                if c.rel is None:
                    rec[c.field.name] = to_json_value(c.field, v)
                    continue
                pid = parent_ids.get(c.rel)
                if pid is None:  # Salesforce sends null for a missing parent, not an empty object
                    rec[c.rel] = None
                    continue
                assert c.rel_obj is not None  # a relationship column knows its object
                parent = rec.get(c.rel) or {"attributes": {"type": c.rel_obj.name,
                                                           "url": f"{base}/sobjects/{c.rel_obj.name}/{pid}"}}
                parent[c.field.name] = to_json_value(c.field, v)
                rec[c.rel] = parent
            records.append(rec)
        end = offset + len(page)
        done = end >= len(rows)
        out = {"totalSize": len(rows), "done": done, "records": records}
        if not done:
            # query, for a QueryAll too (REST API Developer Guide, QueryAll More Results: "The URI specified in
            # the nextRecordsUrl field of a QueryAll response body contains query instead of queryAll")
            out["nextRecordsUrl"] = f"{base}/query/{loc}-{end}"
        elif loc:
            with self.org.lock:
                self.org.cursors.pop(loc, None)
        return 200, out, (obj, [row[id_pos] for row in page]) if id_pos is not None else None

    def _apply_concurrent_edits(self, read: _Read) -> None:
        """The 'someone else' fault: edit records just after this client has read them."""
        f = self.org.faults
        if read is None or (not f.concurrent_edits and not f.concurrent_deletes):
            return
        obj, record_ids = read
        for rid in record_ids:
            edit = f.pop_edit(rid)
            if edit:
                self.org.store.update(obj, rid, {obj.spelled(k): v for k, v in edit.items()})
            if f.pop_delete(rid):
                self.org.store.delete(obj, rid)

    # sObject rows -------------------------------------------------------------------------
    def _etag(self, rec: dict[str, Any]) -> str:
        return '"' + hashlib.sha256(f"{rec['Id']}{rec['SystemModstamp']}".encode()).hexdigest()[:32] + '--gzip"'

    def sobject_get(self, obj: ObjectDef, rid: str) -> None:
        rec = self._find(obj, rid)
        if rec is None:
            return None
        wanted = self.query_params.get("fields")
        fields = [obj.field(n.strip()) for n in wanted.split(",")] if wanted else list(obj.fields.values())
        if any(f is None for f in fields):
            return self._err(400, "INVALID_FIELD", f"No such column on sobject of type {obj.name}")
        out = self._row(obj, rec, fields)
        headers = {"Last-Modified": _http_date(rec["LastModifiedDate"])}
        if obj.name == "Account":  # Salesforce sends ETags (and honours If-Match) for Account rows only
            headers["ETag"] = self._etag(rec)
        self._json(200, out, headers=headers)

    def _row(self, obj: ObjectDef, rec: dict[str, Any], fields: list[Any]) -> dict[str, Any]:
        out = {"attributes": {"type": obj.name, "url": f"/services/data/v{self.api_version}/sobjects/{obj.name}/"
                                                       f"{rec['Id']}"}}
        out.update({f.name: to_json_value(f, rec[f.name]) for f in fields})
        return out

    def _find(self, obj: ObjectDef, rid: str) -> dict[str, Any] | None:
        try:
            rid18 = ids.to_18(rid)
        except ids.InvalidSalesforceId:
            self._err(400, "MALFORMED_ID", f"{obj.name} ID: id value of incorrect type: {rid}")
            return None
        rec = self.org.store.get(obj, rid18, include_deleted=True)
        if rec is None:
            self._err(404, "NOT_FOUND", "The requested resource does not exist")
            return None
        if rec["IsDeleted"]:
            self._err(404, "ENTITY_IS_DELETED", "entity is deleted")
            return None
        return rec

    def sobject_patch(self, obj: ObjectDef, rid: str, body: bytes) -> None:
        try:
            values = json.loads(body or b"{}", parse_float=Decimal)
        except ValueError:
            return self._err(400, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON value")
        with self.org.store.transaction():
            status, payload = self._patch_record(obj, rid, values, self.headers)
        if status == 204:
            return self._send(204)
        self._json(status, payload)

    def _patch_record(self, obj: ObjectDef, rid: str, values: Any, headers: Any) -> tuple[int, Any]:
        """One sObject update, as the sObject Rows resource answers it: (status, body). Shared by the
        direct PATCH and Composite subrequests, whose own httpHeaders carry the conditions (REST API
        Developer Guide: Conditional Request Headers; Composite Subrequest)."""
        err: Callable[..., tuple[int, Any]] = (  # noqa: E731
            lambda status, code, msg, fields=None: (status, wire.error(code, msg, fields)))
        try:
            rid18 = ids.to_18(rid)
        except ids.InvalidSalesforceId:
            return err(400, "MALFORMED_ID", f"{obj.name} ID: id value of incorrect type: {rid}")
        rec = self.org.store.get(obj, rid18, include_deleted=True)
        if rec is None:
            return err(404, "NOT_FOUND", "The requested resource does not exist")
        if rec["IsDeleted"]:
            return err(404, "ENTITY_IS_DELETED", "entity is deleted")
        if not isinstance(values, dict):
            return err(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object value")
        ius = headers.get("If-Unmodified-Since")
        if ius:
            self.org.conditions.append(ius)
            try:
                limit = parsedate_to_datetime(ius)
            except (TypeError, ValueError):
                return err(400, "MALFORMED_QUERY", f"invalid If-Unmodified-Since date: {ius}")
            # RFC 9110 5.6.7: a recipient accepts all three HTTP-date forms, each in GMT (asctime's names no zone);
            # the date has whole seconds, so the last modification is compared by its second (13.1.4)
            limit = limit if limit.tzinfo is not None else limit.replace(tzinfo=UTC)
            if _stamp_dt(rec["LastModifiedDate"]).replace(microsecond=0) > limit:
                return err(412, "PRECONDITION_FAILED", "The requested resource has been modified since the time "
                                                       "specified in If-Unmodified-Since.")
        if_match = headers.get("If-Match")
        if if_match and obj.name == "Account" and \
                "*" not in if_match and self._etag(rec) not in [t.strip() for t in if_match.split(",")]:
            return err(412, "PRECONDITION_FAILED", "The requested resource does not match your precondition.")
        if self.org.faults.take("unable_to_lock_row"):
            return err(400, "UNABLE_TO_LOCK_ROW", f"unable to obtain exclusive access to this record or 1 "
                                                  f"records: {rec['Id']}")
        problem = _check_write(self.org.store, obj, rec, values)
        if problem:
            return err(400, *problem)
        self.org.store.update(obj, rec["Id"], {obj.spelled(k): v for k, v in values.items()})
        return 204, None

    def composite(self, body: bytes) -> None:
        """POST /composite: up to 25 subrequests in one call, each with its own httpHeaders; allOrNone rolls
        all back (REST API Developer Guide: Composite, Composite Subrequest, Composite Response Body). Served
        subrequests: sObject row GET and PATCH, sObject Get Deleted, and Query, QueryAll and Query More (by
        nextRecordsUrl) GETs, at most 5 of these. Any other subrequest is refused up front with a 400, as
        Salesforce refuses a malformed request body before running any subrequest. The call counts once
        against the API limits, whatever it holds ("the entire series of requests counts as a single call"):
        ``api`` counted it."""
        try:
            payload = json.loads(body or b"{}", parse_float=Decimal)
        except ValueError:
            return self._err(400, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON value")
        subs = payload.get("compositeRequest") if isinstance(payload, dict) else None
        if not isinstance(subs, list) or not subs:
            return self._err(400, "INVALID_FIELD", "compositeRequest is required")
        if len(subs) > MAX_COMPOSITE:
            return self._composite_refused(f"The request can’t contain more than {MAX_COMPOSITE} operations.")
        plan: list[tuple[dict[str, Any], Callable[[OrgStore], tuple[int, Any, _Read]]]] = []
        for sub in subs:
            if not isinstance(sub, dict) or not sub.get("referenceId") or not sub.get("url") or \
                    sub.get("method") not in ("GET", "PATCH"):
                return self._err(400, "INVALID_FIELD", "Each subrequest needs method (GET or PATCH here), url and "
                                                       "referenceId")
            step = self._subrequest(sub)
            if step is None:
                return self._err(400, "NOT_FOUND", f"The requested resource does not exist: {sub['url']} "
                                                   f"(referenceId {sub['referenceId']}); a subrequest's url is a "
                                                   f"/services/data/vXX.X/ path of an sObject row, its Describe or "
                                                   f"Get Deleted, or a query")
            plan.append((sub, step))
        queries = sum(1 for sub, _ in plan if _is_query(sub))
        if queries > MAX_COMPOSITE_QUERIES:
            return self._composite_refused(f"The request can’t contain more than {MAX_COMPOSITE_QUERIES} query "
                                           f"operations (Query, QueryAll, Query More); it holds {queries}.")
        all_or_none = bool(payload.get("allOrNone", False))
        out = []
        reads: list[_Read] = []
        with self.org.store.transaction() as store:
            for sub, step in plan:
                status, result, read = step(store)
                reads.append(read)
                out.append({"body": result, "httpHeaders": {}, "httpStatusCode": status,
                            "referenceId": sub["referenceId"]})
            if all_or_none and any(r["httpStatusCode"] >= 400 for r in out):
                store.db.execute("ROLLBACK")
                store.db.execute("BEGIN")
                out = [r if r["httpStatusCode"] >= 400 else
                       {"body": wire.error("PROCESSING_HALTED", "The transaction was rolled back since another "
                                                                "operation in the same transaction failed."),
                        "httpHeaders": {}, "httpStatusCode": 400, "referenceId": r["referenceId"]} for r in out]
        self._json(200, {"compositeResponse": out})
        for read in reads:
            self._apply_concurrent_edits(read)

    def _subrequest(self, sub: dict[str, Any]) -> Callable[[OrgStore], tuple[int, Any, _Read]] | None:
        """What a subrequest does, or None for a url this sandbox does not serve in Composite. Its url is a
        path of the REST API with its version (Composite Subrequest: url, "/services/data/vXX.X/...")."""
        url = urlsplit(sub["url"])
        m = re.fullmatch(r"/services/data/v(\d+\.\d)(/.*)", unquote(url.path).rstrip("/"))
        if m is None or m.group(1) not in API_VERSIONS:
            return None
        rest = m.group(2)
        headers = {str(k).title(): str(v) for k, v in (sub.get("httpHeaders") or {}).items()}
        if _is_query(sub):
            more = re.fullmatch(r"/query(?:All)?/(01g\w+)-(\d+)", rest)
            if more:
                loc, offset = more.group(1), int(more.group(2))
                return lambda store: self._query_more(loc, offset)
            q = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}.get("q", "")
            options = headers.get("Sforce-Query-Options", "")
            return lambda store: self._query(q, rest == "/queryAll", options)
        described = re.fullmatch(r"/sobjects/(\w+)/describe", rest)
        if described and sub["method"] == "GET":
            shown = self.org.find(described.group(1))
            if shown is None:  # answered in its subrequest, as the resource itself answers it
                return lambda store: (404, wire.error("NOT_FOUND", "The requested resource does not exist"), None)
            return lambda store: (200, describe(shown, m.group(1)), None)
        deleted = re.fullmatch(r"/sobjects/(\w+)/deleted", rest)
        of = self.org.find(deleted.group(1)) if deleted else None
        if of is not None and sub["method"] == "GET":
            params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            return lambda store: (*self._get_deleted(of, params), None)
        row = re.fullmatch(r"/sobjects/(\w+)/(\w{15,18})", rest)
        obj = self.org.find(row.group(1)) if row else None
        if row is None or obj is None:
            return None
        rid = row.group(2)
        if sub["method"] == "PATCH":
            return lambda store: (*self._patch_record(obj, rid, sub.get("body") or {}, headers), None)

        def get(store: OrgStore) -> tuple[int, Any, _Read]:
            rec = store.get(obj, ids.to_18(rid)) if ids.is_salesforce_id(rid) else None
            if rec is None:
                return 404, wire.error("NOT_FOUND", "The requested resource does not exist"), None
            return 200, self._row(obj, rec, list(obj.fields.values())), None
        return get

    def _composite_refused(self, message: str) -> None:
        """A Composite call over its limits is refused as a whole: one result, no referenceId, LIMIT_EXCEEDED,
        as an org answered it (logged in guardian/support-service-lambdas pull request 766:
        ``{"compositeResponse":[{"body":[{"errorCode":"LIMIT_EXCEEDED","message":"The request can't contain
        more than 25 operations."}],"httpHeaders":{},"httpStatusCode":400,"referenceId":null}]}``). The guide
        states the 5-query limit but not its words; the same shape is used for it."""
        self._json(200, {"compositeResponse": [{"body": [{"errorCode": "LIMIT_EXCEEDED", "message": message}],
                                                "httpHeaders": {}, "httpStatusCode": 400, "referenceId": None}]})

    def _values(self, body: bytes) -> dict[str, Any] | None:
        try:
            values = json.loads(body or b"{}", parse_float=Decimal)
        except ValueError:
            values = None
        if not isinstance(values, dict):
            self._err(400, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON object")
            return None
        return {k: v for k, v in values.items() if k != "attributes"}

    def _create(self, obj: ObjectDef, values: dict[str, Any]) -> tuple[int, Any]:
        """sObject Basic Information POST: createable fields only, required fields present (describe)."""
        for name in values:
            f = obj.field(name)
            if f is not None and not f.createable:
                return 400, wire.error("INVALID_FIELD_FOR_INSERT_UPDATE", f"Unable to create/update fields: "
                                                                          f"{f.name}. Please check the security "
                                                                          f"settings of this field.", [f.name])
        missing = [f.name for f in obj.fields.values() if f.required_on_create and
                   not any(k.lower() == f.name.lower() and v not in (None, "") for k, v in values.items())]
        if missing:
            return 400, wire.error("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                                   missing)
        blank = {"Id": "", "BillingCountry": None}
        problem = _check_write(self.org.store, obj, blank, values, creating=True)
        if problem:
            return 400, wire.error(*problem)
        rid = self.org.store.insert(obj, {obj.spelled(k): v for k, v in values.items()})
        return 201, {"id": rid, "success": True, "errors": []}

    def sobject_create(self, obj: ObjectDef, body: bytes) -> None:
        values = self._values(body)
        if values is None:
            return None
        with self.org.store.transaction():
            status, payload = self._create(obj, values)
        self._json(status, payload)

    def sobject_delete(self, obj: ObjectDef, rid: str) -> None:
        with self.org.store.transaction():
            rec = self._find(obj, rid)
            if rec is None:
                return None
            self.org.store.delete(obj, rec["Id"])
        self._send(204)

    def sobject_upsert(self, obj: ObjectDef, ext_name: str, ext_value: str, body: bytes) -> None:
        """sObject Rows by External ID: update the one match (200 since API 46.0), create if none (201),
        300 if several (REST API Developer Guide: Insert or Update (Upsert) a Record Using an External ID)."""
        ext = obj.field(ext_name)
        if ext is None or not ext.external_id:
            return self._err(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: "
                                               f"{ext_name}")
        values = self._values(body)
        if values is None:
            return None
        with self.org.store.transaction() as store:
            matches = [r[0] for r in store.db.execute(
                f'SELECT "Id" FROM "{obj.name}" WHERE "{ext.name}" = ? COLLATE {soql.CI} AND "IsDeleted" = 0',
                [ext_value]).fetchall()]
            if len(matches) > 1:
                return self._json(300, [f"/services/data/v{self.api_version}/sobjects/{obj.name}/{r}"
                                        for r in matches])
            if not matches:
                status, payload = self._create(obj, {**values, ext.name: ext_value})
                if status == 201:
                    payload["created"] = True
                return self._json(status, payload)
            status, payload = self._patch_record(obj, matches[0], values, self.headers)
        if status != 204:
            return self._json(status, payload)
        self._json(200, {"id": matches[0], "success": True, "errors": [], "created": False})

    def collections_update(self, body: bytes) -> None:
        try:
            payload = json.loads(body or b"{}", parse_float=Decimal)
        except ValueError:
            return self._err(400, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON value")
        records = payload.get("records") if isinstance(payload, dict) else None
        if not isinstance(records, list):
            return self._err(400, "INVALID_FIELD", "records is required")
        if len(records) > MAX_COLLECTION:
            return self._err(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 "
                                                       "records into this call")
        all_or_none = bool(payload.get("allOrNone", False))
        locked = self.org.faults.take("unable_to_lock_row")
        results: list[dict[str, Any]] = []
        with self.org.store.transaction() as store:
            for r in records:
                results.append(self._update_one(store, r, locked))
            if all_or_none and not all(x["success"] for x in results):
                store.db.execute("ROLLBACK")
                store.db.execute("BEGIN")
                results = [x if not x["success"] else
                           {"id": x["id"], "success": False, "errors": [wire.record_error(
                               "ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not all records "
                                                                    "were valid and the request was using AllOrNone "
                                                                    "header")]}
                           for x in results]
        self._json(200, results)

    def _update_one(self, store: OrgStore, r: Any, locked: bool) -> dict[str, Any]:
        if not isinstance(r, dict):
            return {"success": False, "errors": [wire.record_error("INVALID_FIELD", "record must be an object")]}
        rid = r.get("id") or r.get("Id")
        fail: Callable[..., dict[str, Any]] = lambda code, msg, fields=None: {"id": rid, "success": False,  # noqa: E731
                                               "errors": [wire.record_error(code, msg, fields)]}
        obj_name = (r.get("attributes") or {}).get("type")
        obj = self.org.find(obj_name) if obj_name else None
        if obj is None:
            return fail("INVALID_TYPE", "sObject type is required in attributes" if not obj_name else
                        f"sObject type '{obj_name}' is not supported.")
        try:
            rid18 = ids.to_18(rid or "")
        except ids.InvalidSalesforceId:
            return fail("MALFORMED_ID", f"{obj.name} ID: id value of incorrect type: {rid}", ["Id"])
        rec = store.get(obj, rid18, include_deleted=True)
        if rec is None:
            return fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        if rec["IsDeleted"]:
            return fail("ENTITY_IS_DELETED", "entity is deleted")
        if locked:
            return fail("UNABLE_TO_LOCK_ROW", f"unable to obtain exclusive access to this record or 1 records: "
                                              f"{rid18}")
        values = {k: v for k, v in r.items() if k not in ("attributes", "id", "Id")}
        problem = _check_write(self.org.store, obj, rec, values)
        if problem:
            return fail(*problem)
        store.update(obj, rid18, {obj.spelled(k): v for k, v in values.items()})
        return {"id": rid18, "success": True, "errors": []}

    # Bulk API 2.0 ------------------------------------------------------------------------
    def bulk_create(self, body: bytes) -> None:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return self._err(400, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON value")
        op = payload.get("operation")
        if op not in ("query", "queryAll"):
            return self._err(400, "INVALIDJOB", f"Unsupported operation: {op}")
        parsed = self._parse(payload.get("query") or "")
        if parsed is None:
            return None
        if parsed.count or parsed.offset:
            return self._err(400, "INVALIDJOB", "COUNT() and OFFSET are not supported in Bulk API 2.0 queries")
        parsed.include_deleted = op == "queryAll"
        rows = self.org.store.select(parsed)
        job_id = ids.to_18("750Wb" + secrets.token_hex(5))
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        job = {"id": job_id, "operation": op, "object": parsed.obj.name, "createdById": USER_ID,
               "createdDate": now, "systemModstamp": now, "state": "UploadComplete", "polls": 0,
               "concurrencyMode": "Parallel", "contentType": "CSV", "apiVersion": float(self.api_version),
               "lineEnding": payload.get("lineEnding", "LF"), "columnDelimiter": payload.get("columnDelimiter",
                                                                                              "COMMA"),
               "fields": parsed.fields, "rows": rows}
        with self.org.lock:
            self.org.jobs[job_id] = job
        self._json(200, self._job_info(job))

    def _job_info(self, job: dict[str, Any]) -> dict[str, Any]:
        info = {k: v for k, v in job.items() if k not in ("fields", "rows", "polls")}
        if job["state"] == "JobComplete":
            info.update({"numberRecordsProcessed": len(job["rows"]), "retries": 0, "totalProcessingTime": 1})
        return info

    def bulk_status(self, job: dict[str, Any]) -> None:
        # one poll sees it in progress, as clients must be ready for; the next sees it done
        if job["state"] == "UploadComplete":
            job["state"] = "InProgress"
        elif job["state"] == "InProgress":
            job["state"] = "JobComplete"
        self._json(200, self._job_info(job))

    def bulk_results(self, job: dict[str, Any]) -> None:
        if job["state"] != "JobComplete":
            return self._err(412, "JOB_NOT_COMPLETE", "Job is not complete")
        try:
            size = int(self.query_params.get("maxRecords") or 0) or len(job["rows"]) or 1
            locator = self.query_params.get("locator") or ""
            start = int(base64.b64decode(locator).decode()) if locator else 0
        except ValueError:
            return self._err(400, "INVALIDLOCATOR", "invalid locator")
        rows = job["rows"][start:start + size]
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n" if job["lineEnding"] == "LF" else "\r\n",
                       delimiter=_DELIMITERS.get(job["columnDelimiter"], ","))
        cols: list[soql.Column] = job["fields"]
        w.writerow([c.name for c in cols])
        for row in rows:
            w.writerow([to_csv_value(c.field, v) for c, v in zip(cols, row)])
        end = start + len(rows)
        nxt = base64.b64encode(str(end).encode()).decode() if end < len(job["rows"]) else "null"
        self._send(200, buf.getvalue().encode("utf-8"), ctype="text/csv",
                   headers={"Sforce-Locator": nxt, "Sforce-NumberOfRecords": str(len(rows))})


    # Bulk API 2.0 ingest (update and delete) -------------------------------------------------
    def ingest_create(self, body: bytes) -> None:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return self._err(400, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON value")
        op, obj = payload.get("operation"), self.org.find(payload.get("object") or "")
        if op not in INGEST_OPERATIONS:
            return self._err(400, "INVALIDJOB", f"InvalidJob : Invalid operation: {op} (this sandbox ingests "
                                                f"{', '.join(INGEST_OPERATIONS)})")
        if obj is None:
            return self._err(400, "INVALIDJOB", f"InvalidJob : Invalid object: {payload.get('object')}")
        job_id = ids.to_18("750Wb" + secrets.token_hex(5))
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        job = {"id": job_id, "operation": op, "object": obj.name, "createdById": USER_ID, "createdDate": now,
               "systemModstamp": now, "state": "Open", "concurrencyMode": "Parallel", "contentType": "CSV",
               "apiVersion": float(self.api_version), "jobType": "V2Ingest",
               "contentUrl": f"services/data/v{self.api_version}/jobs/ingest/{job_id}/batches",
               "lineEnding": payload.get("lineEnding", "LF"),
               "columnDelimiter": payload.get("columnDelimiter", "COMMA"), "data": b"", "ok": [], "failed": []}
        with self.org.lock:
            self.org.ingest[job_id] = job
        self._json(200, self._ingest_info(job))

    def _ingest_info(self, job: dict[str, Any]) -> dict[str, Any]:
        info = {k: v for k, v in job.items() if k not in ("data", "ok", "failed")}
        if job["state"] in ("InProgress", "JobComplete"):
            info.update({"numberRecordsProcessed": len(job["ok"]) + len(job["failed"]),
                         "numberRecordsFailed": len(job["failed"]), "retries": 0, "totalProcessingTime": 1})
        return info

    def ingest_job(self, job: dict[str, Any], method: str, part: str, body: bytes) -> None:
        if part == "/batches" and method == "PUT":
            if job["state"] != "Open":
                return self._err(400, "INVALIDJOBSTATE", f"Job state is {job['state']}, data can only be "
                                                         f"uploaded to an Open job")
            job["data"] += body
            return self._send(201)
        if part and method == "GET":
            if job["state"] != "JobComplete":
                return self._err(400, "INVALIDJOBSTATE", "Job is not complete")
            return self._ingest_results(job, part)
        if not part and method == "GET":
            if job["state"] == "InProgress":  # one poll sees it in progress, the next done
                job["state"] = "JobComplete"
            return self._json(200, self._ingest_info(job))
        if not part and method == "PATCH":
            state = (json.loads(body or b"{}") or {}).get("state")
            if state == "Aborted" and job["state"] in ("Open", "UploadComplete", "InProgress"):
                job["state"] = "Aborted"
            elif state == "UploadComplete" and job["state"] == "Open":
                self._ingest_run(job)
                job["state"] = "InProgress"
            else:
                return self._err(400, "INVALIDJOBSTATE", f"Cannot move a {job['state']} job to {state}")
            return self._json(200, self._ingest_info(job))
        if not part and method == "DELETE":
            self.org.ingest.pop(job["id"], None)
            return self._send(204)
        return self._err(404, "NOT_FOUND", "The requested resource does not exist")

    def _ingest_run(self, job: dict[str, Any]) -> None:
        """Each CSV row on its own, checked like a REST write; empty cells are left alone, #N/A clears
        (Bulk API 2.0 Developer Guide: Valid Date Format in Records; Prepare CSV Files)."""
        obj = self.org.seen(OBJECTS[job["object"]])
        text = job["data"].decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=_DELIMITERS.get(job["columnDelimiter"], ",")))
        with self.org.store.transaction():
            for row in rows:
                rid = next((v for k, v in row.items() if k and k.lower() == "id"), "")
                values = {k: _csv_input(obj.field(k), v) for k, v in row.items()
                          if k and k.lower() != "id" and v != ""}
                if job["operation"] == "delete":
                    status, payload = self._delete_record(obj, rid)
                else:
                    status, payload = self._patch_record(obj, rid, values, {})
                if status < 300:
                    job["ok"].append((ids.to_18(rid), row))
                else:
                    e = payload[0]
                    job["failed"].append((rid, f"{e['errorCode']}:{e['message']}:{'--'.join(e['fields'])}", row))

    def _delete_record(self, obj: ObjectDef, rid: str) -> tuple[int, Any]:
        if not ids.is_salesforce_id(rid):
            return 400, wire.error("MALFORMED_ID", f"{obj.name} ID: id value of incorrect type: {rid}", ["Id"])
        rec = self.org.store.get(obj, ids.to_18(rid), include_deleted=True)
        if rec is None or rec["IsDeleted"]:
            return 404, wire.error("ENTITY_IS_DELETED", "entity is deleted", [])
        self.org.store.delete(obj, rec["Id"])
        return 204, None

    def _ingest_results(self, job: dict[str, Any], part: str) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n" if job["lineEnding"] == "LF" else "\r\n")
        cols = list((job["ok"] or job["failed"] or [(None, {})])[0][-1].keys())
        if part == "/successfulResults":
            w.writerow(["sf__Id", "sf__Created", *cols])
            for rid, row in job["ok"]:
                w.writerow([rid, "false", *[row.get(c, "") for c in cols]])
        elif part == "/failedResults":
            w.writerow(["sf__Id", "sf__Error", *cols])
            for rid, err, row in job["failed"]:
                w.writerow([rid if ids.is_salesforce_id(rid) else "", err, *[row.get(c, "") for c in cols]])
        else:
            w.writerow(cols)
        self._send(200, buf.getvalue().encode("utf-8"), ctype="text/csv")


INGEST_OPERATIONS = ("update", "delete")


def _csv_input(f: Any, v: str) -> Any:
    """A Bulk CSV cell as the JSON value a REST write would carry."""
    if v == "#N/A":
        return None
    if f is not None and f.type == "boolean" and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return v


_DELIMITERS = {"COMMA": ",", "TAB": "\t", "SEMICOLON": ";", "PIPE": "|", "CARET": "^", "BACKQUOTE": "`"}
_COUNTRY_RULE = re.compile(r"^[A-Z]{2}$")


def _check_write(store: OrgStore, obj: ObjectDef, rec: dict[str, Any], values: dict[str, Any],
                 creating: bool = False) -> tuple[Any, ...] | None:
    """Salesforce's per-record checks against the sandbox's own describe (types, lengths, precision,
    picklists, updateable, nillable, reference targets), in its words: (statusCode, message, fields) or None.
    Codes and messages follow the REST API Developer Guide's Status Codes and Error Responses page."""
    invalid: Callable[..., tuple[Any, ...]] = lambda f, v: ("INVALID_TYPE_ON_FIELD_IN_RECORD",  # noqa: E731
                            f"{f.label}: value not of required type: {v}", [f.name])
    for name, v in values.items():
        f = obj.field(name)
        if f is None:
            return ("INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}", [name])
        if not (f.createable if creating else f.updateable):
            return ("INVALID_FIELD_FOR_INSERT_UPDATE", f"Unable to create/update fields: {f.name}. Please check "
                                                       f"the security settings of this field and verify that it is "
                                                       f"read/write for your profile or permission set.", [f.name])
        if isinstance(v, (dict, list)):
            return ("JSON_PARSER_ERROR", f"Cannot deserialize instance of {f.type} from "
                                         f"{'START_OBJECT' if isinstance(v, dict) else 'START_ARRAY'} value "
                                         f"for field {f.name}", [f.name])
        if v is None or (v == "" and not f.numeric and f.type not in ("boolean", "date")):
            if not f.nillable:
                return ("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{f.name}]", [f.name])
            continue
        if f.numeric:
            try:
                if isinstance(v, bool) or not Decimal(str(v)).is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                return invalid(f, v)
            digits = Decimal(str(v)).adjusted() + 1
            if digits > f.precision - f.scale:
                return ("NUMBER_OUTSIDE_VALID_RANGE", f"{f.label}: value outside of valid range on numeric field: "
                                                      f"{v}", [f.name])
        elif f.type == "boolean" and not isinstance(v, bool):
            return invalid(f, v)
        elif f.type == "date":
            try:
                datetime.strptime(str(v), "%Y-%m-%d")
            except ValueError:
                return invalid(f, v)
        elif f.type == "picklist" and str(v) not in f.picklist:
            return ("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f"{f.label}: bad value for restricted picklist "
                                                               f"field: {v}", [f.name])
        elif f.type == "reference":
            if not ids.is_salesforce_id(str(v)):
                return ("MALFORMED_ID", f"{f.label}: id value of incorrect type: {v}", [f.name])
            target_obj = OBJECTS[f.reference_to or ""]
            if not str(v).startswith(target_obj.prefix):
                return ("FIELD_INTEGRITY_EXCEPTION", f"{f.label}: id value of incorrect type: {v}", [f.name])
            if store.get(target_obj, ids.to_18(str(v))) is None:
                return ("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name])
        elif f.length and len(str(v)) > f.length:
            return ("STRING_TOO_LONG", f"{f.label}: data value too large: {str(v)[:40]} (max length={f.length})",
                    [f.name])
    if obj.name == "Account":
        country = values.get("BillingCountry", rec.get("BillingCountry"))
        if country and not _COUNTRY_RULE.match(str(country)):
            return ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Billing Country must be a two-letter ISO 3166 code "
                                                         "(validation rule Billing_Country_ISO)", ["BillingCountry"])
    return None


def _is_query(sub: dict[str, Any]) -> bool:
    """Query, QueryAll, or Query More by nextRecordsUrl: the operations the 5-a-call limit counts."""
    path = urlsplit(str(sub.get("url") or "")).path
    return sub.get("method") == "GET" and re.search(r"/services/data/v\d+\.\d/query(All)?(/|$)", path) is not None


def _batch_size(options: str) -> int:
    m = re.search(r"batchSize\s*=\s*(\d+)", options or "")
    if not m:
        return 2000
    return max(200, min(2000, int(m.group(1))))


def _xml_value(body: str, tag: str) -> str | None:
    from xml.sax.saxutils import unescape
    m = re.search(rf"<(?:\w+:)?{tag}>(.*?)</(?:\w+:)?{tag}>", body, re.S)
    return unescape(m.group(1)) if m else None


def _stamp_dt(stamp: str) -> datetime:
    return datetime.strptime(stamp[:23], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)


def _http_date(stamp: str) -> str:
    return wire.http_date(_stamp_dt(stamp).timestamp())


def make_server(org: OrgState, port: int = 0) -> ThreadingHTTPServer:
    handler = type("OrgHandler", (Handler,), {"org": org})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server
