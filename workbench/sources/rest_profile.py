"""Configurable REST connector: a TOML profile describes an ERP's API, no code per ERP.

For ERPs without a dedicated adapter (ERPNext, NetSuite, SAP S/4HANA OData, in-house
APIs). A profile (see ``resources/profiles/*.toml`` and docs/guide/erp.md) gives:
auth (bearer, basic, header template, OAuth 2.0 client credentials, none), paging
(keyset: after the last key read; offset/limit parameter names; or a next-link path; and a
stop rule), per object the
list path, the records path, field paths to canonical fields, status fields and map,
and the write method/path/body template with a concurrency mode (etag header, version
field in the body, compare-before-write, none), plus where errors carry code/message.

Run config::

    [erp]
    connector = "rest"
    system = "erpnext"
    [erp.rest]
    profile = "erpnext"                  # a shipped profile name, or a path to a .toml
    base_url = "https://erp.acme.com"
    token_env = "ERPNEXT_TOKEN"          # secrets named by the profile: <name>_env or keyring
"""

from __future__ import annotations

import base64
import json
import re
import tomllib
from datetime import datetime, UTC
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator

import httpx

from workbench.config import RunConfig
from workbench.errors import ConfigError, InputError
from workbench.model import frames
from workbench.model.status import StatusMap, UnknownStatus
from workbench.progress import TaskState, check_cancelled, report
from workbench.sources.base import Extract, SourceMeta, WriteRequest, WriteResult, push_each
from workbench.sources import frappe_schema
from workbench.sources.credentials import get_secret
from workbench.sources.erp_columns import Page
from workbench.sources.erp_mapping import NEGATE, ObjectMap, PullBuffer, coerce, get_path, object_maps, same_value
from workbench.sources.http_common import (ClientCredentials, HttpClient, HttpFailure, StaticHeaders, decode,
                                           encode_json)

PROFILES_DIR = Path(__file__).resolve().parents[2] / "resources" / "profiles"
AUTH_TYPES = ("none", "bearer", "basic", "header_template", "oauth_client_credentials")
PAGING_STYLES = ("keyset", "offset", "next_link", "none")
STOP_RULES = ("short_page", "empty_page", "total", "has_more", "no_next_link")
KEYSET_STOPS = ("short_page", "empty_page", "has_more")  # no total to count up to, no next link
CONCURRENCY = ("etag_header", "version_field", "compare_before_write", "none")
_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")
_TAG = re.compile(r"</?(?:strong|b|em|i|br|p|span)\b[^>]*>", re.IGNORECASE)


def find_profile(ref: str, base_dir: Path) -> Path:
    p = Path(ref).expanduser()
    if not p.is_absolute():
        p = base_dir / p
    if p.exists():
        return p
    shipped = PROFILES_DIR / (ref if ref.endswith(".toml") else f"{ref}.toml")
    if shipped.exists():
        return shipped
    names = ", ".join(sorted(x.stem for x in PROFILES_DIR.glob("*.toml")))
    raise ConfigError(f"REST profile {ref!r} not found (looked at {p} and the shipped profiles: {names})")


def load_profile(path: Path) -> dict[str, Any]:
    """Read and check a profile; errors name the file and the key that is wrong."""
    try:
        prof = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    where = str(path)

    def need(cond: bool, msg: str) -> None:
        if not cond:
            raise ConfigError(f"{where}: {msg}")
    need(bool(prof.get("profile", {}).get("name")), "[profile] needs a name")
    auth = prof.get("auth", {})
    need(auth.get("type", "none") in AUTH_TYPES, f"[auth] type = {auth.get('type')!r}, expected one of "
                                                 f"{', '.join(AUTH_TYPES)}")
    paging = prof.get("paging", {})
    need(paging.get("style", "none") in PAGING_STYLES, f"[paging] style = {paging.get('style')!r}, expected one of "
                                                       f"{', '.join(PAGING_STYLES)}")
    need(paging.get("stop", "short_page") in STOP_RULES, f"[paging] stop = {paging.get('stop')!r}, expected one of "
                                                         f"{', '.join(STOP_RULES)}")
    if paging.get("style") == "next_link":
        need(bool(paging.get("next_path")), "[paging] style next_link needs next_path")
    if paging.get("style") == "keyset":
        _check_keyset(paging, prof.get("objects") or {}, need)
    if paging.get("stop") == "total":
        need(bool(paging.get("total_path")), "[paging] stop = total needs total_path")
    if paging.get("stop") == "has_more":
        need(bool(paging.get("has_more_path")), "[paging] stop = has_more needs has_more_path")
    schema = prof.get("schema")
    if schema is not None:
        need(schema.get("dialect") == "frappe" and bool(schema.get("path")),
             "[schema] needs dialect = \"frappe\" (the only one so far) and a path such as "
             "\"/api/resource/DocType/{record_type}\"")
    write = prof.get("write", {})
    need(write.get("concurrency", "none") in CONCURRENCY, f"[write] concurrency = {write.get('concurrency')!r}, "
                                                          f"expected one of {', '.join(CONCURRENCY)}")
    objects = prof.get("objects") or {}
    need(bool(objects), "no [objects.<kind>] tables")
    for kind, obj in objects.items():
        need(kind in frames.KINDS, f"[objects.{kind}] is not a canonical kind ({', '.join(frames.KINDS)})")
        need(bool(obj.get("path")), f"[objects.{kind}] needs a path")
        need(bool(obj.get("fields", {}).get("record_id")), f"[objects.{kind}.fields] needs record_id")
    return prof


def _check_keyset(paging: dict[str, Any], objects: dict[str, Any], need: Callable[[bool, str], None]) -> None:
    """Keyset paging asks for the records after the last key read, sorted by that key: the profile names
    the key, the sort and the filter term that says "after" (with ``{last}``), sent in the query."""
    need(bool(paging.get("key_field")), "[paging] style keyset needs key_field, the unique key each page goes on "
                                        "after (e.g. \"name\")")
    need(bool(paging.get("sort_param")) and bool(paging.get("sort")),
         "[paging] style keyset needs sort_param and sort, the query parameter and value that sort by the key "
         "ascending (e.g. order_by = \"name asc\")")
    after = paging.get("after")
    need(isinstance(after, list) and "{last}" in after,
         "[paging] style keyset needs after, the filter term that keeps the records after the last key read, "
         "with {last} for it (e.g. [\"name\", \">\", \"{last}\"])")
    need(paging.get("stop", "short_page") in KEYSET_STOPS,
         f"[paging] style keyset stops on {', '.join(KEYSET_STOPS)}, not {paging.get('stop')!r}")
    for kind, obj in objects.items():
        need(not obj.get("body"), f"[objects.{kind}] sends its query in a body; keyset paging adds its filter to "
                                  f"the query parameters")
        sort = (obj.get("params") or {}).get(paging.get("sort_param"))
        need(sort in (None, paging.get("sort")), f"[objects.{kind}] params sets {paging.get('sort_param')} = "
                                                 f"{sort!r}, but keyset paging sorts by {paging.get('sort')!r}")


def _shown(v: Any) -> str:
    return "empty" if v is None else repr(v) if isinstance(v, str) else str(v)


class _Ctx(dict[str, Any]):
    def __init__(self, values: dict[str, Any], where: str):
        super().__init__(values)
        self.where = where

    def __missing__(self, key: str) -> Any:
        raise ConfigError(f"{self.where}: the template needs {{{key}}}, which no setting provides "
                          f"(add {key} = ... under [erp.rest])")


def render(template: Any, ctx: _Ctx) -> Any:
    """Fill ``{name}`` placeholders; a string that is exactly one placeholder keeps the value's type."""
    if isinstance(template, dict):
        return {str(render(k, ctx)): render(v, ctx) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, ctx) for v in template]
    if isinstance(template, str):
        m = _PLACEHOLDER.match(template)
        if m:
            return ctx[m.group(1)]
        return template.format_map(ctx)
    return template


class RestProfileSource:
    connector = "rest"

    def __init__(self, side: str, config: RunConfig):
        self.side, self.config = side, config
        side_cfg = config.side(side)
        self.settings = dict(side_cfg.get("rest") or {})
        if not self.settings.get("profile"):
            raise ConfigError(f"{config.where()}: [{side}.rest] needs 'profile' (a shipped name such as "
                              f"'erpnext' or a path to a profile .toml)")
        self.profile_path = find_profile(str(self.settings["profile"]), config.base_dir)
        self.prof = load_profile(self.profile_path)
        self.where = str(self.profile_path)
        p = self.prof["profile"]
        self.system = str(side_cfg.get("system") or p.get("system") or f"rest:{p['name']}")
        self.name = str(p["name"])
        self._secret_cfg = {**self.settings, "side": side, "system": self.system}
        ctx = self._ctx({})
        base = render(str(self.settings.get("base_url") or p.get("base_url") or ""), ctx).rstrip("/")
        if not base:
            raise ConfigError(f"{config.where()}: [{side}.rest] needs base_url")
        req = self.prof.get("request", {})
        paging = self.prof.get("paging", {})
        self.page_size = int(self.settings.get("page_size") or paging.get("page_size") or 100)
        self.http = HttpClient(system=self.name, base_url=base,
                               timeout=float(self.settings.get("timeout") or req.get("timeout", 60)),
                               attempts=int(self.settings.get("retries", req.get("retries", 5))),
                               backoff=float(self.settings.get("backoff", req.get("backoff", 0.5))),
                               max_backoff=float(self.settings.get("max_backoff", 60)),
                               max_connections=int(self.settings.get("max_connections", 4)),
                               auth=self._auth(), headers=dict(req.get("headers") or {}),
                               error_words=self._error_words)
        side_view = {"objects": {k: {"object": k, **v} for k, v in self.prof["objects"].items()}}
        for kind, over in (side_cfg.get("objects") or {}).items():  # the run config may override fields
            tbl = side_view["objects"].setdefault(kind, {"object": kind})
            tbl.setdefault("fields", {}).update(over.get("fields") or {})
            for k, v in over.items():
                if k != "fields":
                    tbl[k] = v
        defaults = {k: {"object": k, **{x: y for x, y in v.items() if x != "object"}}
                    for k, v in side_view["objects"].items()}
        self.maps = object_maps({"objects": {}}, defaults, self.system)
        self._smaps: dict[str, StatusMap] = {}
        self._schemas: dict[str, dict[str, frappe_schema.DocField] | None] = {}
        self.meta = SourceMeta(side=side, system=self.system, connector=self.connector, instance=base,
                               api_version=f"profile {self.name}")

    # -- plumbing ------------------------------------------------------------------
    def _ctx(self, extra: dict[str, Any]) -> _Ctx:
        plain = {k: v for k, v in self.settings.items() if not isinstance(v, (dict, list))}
        return _Ctx({**plain, **extra}, self.where)

    def _auth(self) -> ClientCredentials | StaticHeaders | None:
        auth = self.prof.get("auth", {})
        kind = auth.get("type", "none")
        if kind == "none":
            return None
        if kind == "bearer":
            tok = get_secret(self._secret_cfg, auth.get("secret", "token"))
            return StaticHeaders({"Authorization": f"Bearer {tok}"})
        if kind == "basic":
            user = self.settings.get("username") or auth.get("username")
            if not user:
                raise ConfigError(f"{self.where}: basic auth needs username under [erp.rest]")
            pw = get_secret(self._secret_cfg, auth.get("secret", "password"))
            return StaticHeaders({"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()})
        if kind == "header_template":
            names = auth.get("secrets") or ["token"]
            values = {n: get_secret(self._secret_cfg, n) for n in names}
            return StaticHeaders({auth.get("header", "Authorization"):
                                  render(auth.get("template", "{token}"), self._ctx(values))})
        client_id = self.settings.get("client_id") or auth.get("client_id")
        token_url = self.settings.get("token_url") or auth.get("token_url")
        if not client_id or not token_url:
            raise ConfigError(f"{self.where}: OAuth client credentials need client_id and token_url")
        return ClientCredentials(render(str(token_url), self._ctx({})), str(client_id),
                                 get_secret(self._secret_cfg, auth.get("secret", "client_secret")),
                                 self.settings.get("scope") or auth.get("scope"))

    def _error_words(self, resp: httpx.Response) -> tuple[str | None, str]:
        errs = self.prof.get("errors", {})
        try:
            body = decode(resp)
        except HttpFailure:
            return None, resp.text[:300] or resp.reason_phrase
        code = get_path(body, errs["code_path"]) if errs.get("code_path") else None
        msg = get_path(body, errs["message_path"]) if errs.get("message_path") else None
        # ERPs such as Frappe mark up their messages (<strong>...</strong>); the user reads one plain line
        words = _TAG.sub("", str(msg if msg is not None else body)).strip()
        if code is not None:  # "frappe.exceptions.UpdateAfterSubmitError: Not allowed ..." -> "Not allowed ..."
            words = re.sub(rf"^[\w.]*\b{re.escape(str(code))}:\s*", "", words)
        return (None if code is None else str(code)), words[:500]

    def close(self) -> None:
        self.http.close()

    def _map(self, kind: str) -> ObjectMap:
        om = self.maps.get(kind)
        if om is None:
            raise ConfigError(f"{self.where}: no [objects.{kind}] in the profile")
        return om

    # -- pull -----------------------------------------------------------------------
    def _filters(self, obj: dict[str, Any], since: datetime | None) -> list[Any]:
        """The object's filter terms, and the incremental one when pulling changes since a time."""
        flt = self.prof.get("filters", {})
        filters = [list(f) for f in obj.get("filters") or []]
        if since is not None and flt.get("incremental"):
            stamp = since.astimezone(UTC).strftime(flt.get("since_format", "%Y-%m-%dT%H:%M:%SZ"))
            filters.append(render(list(flt["incremental"]), self._ctx({"since": stamp})))
        return filters

    def _pages(self, om: ObjectMap, since: datetime | None,
               limit: int | None = None) -> Iterator[tuple[list[Any], str]]:
        obj = self.prof["objects"][om.kind]
        paging = self.prof.get("paging", {})
        style = paging.get("style", "none")
        method = str(obj.get("method", "GET")).upper()
        path = render(obj["path"], self._ctx({}))
        params = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in (obj.get("params") or {}).items()}
        filters = self._filters(obj, since)
        if style == "keyset":
            params[paging["sort_param"]] = paging["sort"]
        if filters:
            params[self.prof.get("filters", {}).get("param", "filters")] = json.dumps(filters)
        body = render(obj["body"], self._ctx({})) if obj.get("body") else None
        headers = dict(obj.get("headers") or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
        size = limit or self.page_size
        read, last = 0, None
        url: str | None = path
        query = f"{method} {path}" + (f"?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else "") + \
            (f" {encode_json(body)}" if body else "")
        while url:
            p = self._page_params(params, filters, size, read, last)
            resp = self.http.request(method, url, params=p if url == path else None, headers=headers,
                                     content=encode_json(body).encode("utf-8") if body is not None else None,
                                     retry="all")
            if resp.status_code >= 400:
                raise self.http.fail(resp, f"reading {om.kind} ({path})")
            data = decode(resp)
            records = get_path(data, obj.get("records_path", "")) if obj.get("records_path") else data
            if not isinstance(records, list):
                raise InputError(f"{self.name} {path}: expected a list of records at "
                                 f"'{obj.get('records_path', '')}'", file=self.where,
                                 got=type(records).__name__)
            yield records, query
            if limit is not None:
                return
            read += len(records)
            if style in ("offset", "keyset"):
                if self._last_page(data, records, size, read):
                    return
                if style == "keyset":
                    last = self._key_after(records, last, path)
            elif style == "next_link":
                nxt = get_path(data, paging["next_path"])
                url = str(nxt) if nxt else None
                if paging.get("stop") == "empty_page" and not records:
                    return
            else:
                return

    def _page_params(self, params: dict[str, str], filters: list[Any], size: int, read: int,
                     last: Any) -> dict[str, str]:
        """One page's query parameters: the object's, with how long the page is and where it starts (after
        ``read`` records, or after the key ``last``; None before the first page)."""
        paging = self.prof.get("paging", {})
        style = paging.get("style", "none")
        p = dict(params)
        if style in ("offset", "keyset"):
            p[paging.get("limit_param", "limit")] = str(size)
        if style == "offset":
            p[paging.get("offset_param", "offset")] = str(read)
        if last is not None:
            after = render(list(paging["after"]), self._ctx({"last": last}))
            p[self.prof.get("filters", {}).get("param", "filters")] = json.dumps([*filters, after])
        return p

    def _last_page(self, data: Any, records: list[Any], size: int, read: int) -> bool:
        """Whether an offset or keyset page is the last, by the profile's stop rule (an empty page always is)."""
        paging = self.prof.get("paging", {})
        stop = paging.get("stop", "short_page")
        return (stop == "short_page" and len(records) < size) or (stop == "empty_page" and not records) \
            or (stop == "total" and read >= int(get_path(data, paging["total_path"]) or 0)) \
            or (stop == "has_more" and not get_path(data, paging["has_more_path"])) or not records

    def _key_after(self, records: list[Any], last: Any, path: str) -> Any:
        """The key of a page's last record, which the next page goes on after. Keyset paging, not an offset:
        an API such as Frappe's counts an offset from the first row again (SQL OFFSET), so a record deleted
        during the pull moves every later one up a place and the next page skips one it never read."""
        key_field = self.prof["paging"]["key_field"]
        key = get_path(records[-1], key_field)
        if key is None:
            raise InputError(f"{self.name} {path}: keyset paging needs the key {key_field!r} in every record "
                             f"(ask for it among the fields)", file=self.where)
        if key == last:  # the filter was not applied: the same page would come back for ever
            raise InputError(f"{self.name} {path}: the page after {key_field} {last!r} ends at the same key; the "
                             f"API did not apply [paging] after", file=self.where)
        return key

    def pull(self, state: TaskState | None = None, since: datetime | None = None) -> Extract:
        buf = PullBuffer()
        done = 0
        for kind, om in self.maps.items():
            check_cancelled(state)
            got = 0
            obj_name = self.prof["objects"][kind]["path"]
            for records, query in self._pages(om, since):
                self.meta.objects[kind] = obj_name
                self.meta.queries[kind] = query
                rows = [self._canonical(om, rec) for rec in records]
                buf.add_page(kind, obj_name, query, Page(records), frames.from_records(kind, rows))
                got += len(records)
                done += len(records)
                report(state, done, None, f"{kind}: {got:,} read")
        self.meta.api_usage = {"calls": self.http.requests, "retries": self.http.retries}
        self.meta.incremental_since = since
        self.meta.extracted_at = datetime.now(UTC)
        return Extract(self.meta, buf.frames(), buf.snapshots()).finish()

    def _canonical(self, om: ObjectMap, rec: dict[str, Any]) -> dict[str, Any]:
        obj = self.prof["objects"][om.kind]
        where = f"{self.name} {om.object} {get_path(rec, om.fields['record_id'])}"
        out: dict[str, Any] = {}
        for canon, src in om.fields.items():
            raw = get_path(rec, src.lstrip(NEGATE))
            v = coerce(om.kind, canon, raw, where)
            out[canon] = (None if v is None else not v) if src.startswith(NEGATE) else v
        out.update(obj.get("constants") or {})
        vf = obj.get("version_field")
        out["version"] = None if not vf or get_path(rec, vf) is None else str(get_path(rec, vf))
        if om.kind == "invoices" and om.status_fields:
            values = [get_path(rec, f) for f in om.status_fields]
            try:
                smap = self._smaps.get(om.kind)
                if smap is None:
                    smap = self._smaps[om.kind] = StatusMap.for_source(om.status_system or self.system,
                                                                       om.status_overrides)
                out["status"] = smap.map(*values)
            except UnknownStatus as exc:
                raise InputError(f"{where}: {exc}", column="|".join(om.status_fields)) from None
            out["status_raw"] = "|".join("" if v is None else str(v) for v in values)
            cn = obj.get("credit_note_field")
            out["is_credit_note"] = bool(coerce("invoices", "is_credit_note", get_path(rec, cn), where)) if cn \
                else out["status"] == "credit_note"
        return out

    # -- read/write ---------------------------------------------------------------------
    def _read_one(self, kind: str, record_id: str) -> tuple[dict[str, Any] | None, str | None]:
        obj = self.prof["objects"][kind]
        read = {**self.prof.get("read", {}), **(obj.get("read") or {})}
        if not read.get("path"):
            raise ConfigError(f"{self.where}: [read] path is needed to check records before writing")
        path = render(read["path"], self._ctx({"object_path": obj["path"], "id": record_id,
                                                "record_type": obj.get("record_type", kind)}))
        resp = self.http.request("GET", path)
        if resp.status_code == 404:
            return None, None
        if resp.status_code >= 400:
            raise self.http.fail(resp, f"reading {kind} {record_id}")
        body = decode(resp)
        rec = get_path(body, read["record_path"]) if read.get("record_path") else body
        vf = read.get("version_field") or obj.get("version_field")
        version = resp.headers.get("ETag") if self._concurrency() == "etag_header" else None
        if version is None and vf and get_path(rec, vf) is not None:
            version = str(get_path(rec, vf))
        return rec, version

    def _record_type(self, kind: str) -> str:
        return str((self.prof["objects"].get(kind) or {}).get("record_type", kind))

    def _concurrency(self) -> str:
        return str(self.prof.get("write", {}).get("concurrency", "none"))

    def read_current(self, kind: str, record_ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        om = self._map(kind)
        out: dict[str, dict[str, Any]] = {}
        for rid in record_ids:
            rec, version = self._read_one(kind, rid)
            if rec is not None:
                canon = self._canonical(om, rec)
                out[rid] = {f: canon.get(f) for f in fields} | {"version": version}
        return out

    def push(self, requests: list[WriteRequest], state: TaskState | None = None) -> list[WriteResult]:
        results = push_each(requests, self._push_one, state, self.name)
        self.meta.api_usage = {"calls": self.http.requests, "retries": self.http.retries}
        return results

    def _push_one(self, req: WriteRequest) -> WriteResult:
        cid = req.correction_id
        try:
            om = self._map(req.object)
        except ConfigError as exc:
            return WriteResult(cid, "permanent", str(exc))
        src = om.fields.get(req.field)
        if src is None or "." in src:
            return WriteResult(cid, "permanent", f"{self.name} {self._record_type(req.object)} {req.record_id}: field "
                                                 f"{req.field!r} is "
                                                 f"not mapped to a writable top-level field of {self.name}")
        negate, prop = src.startswith(NEGATE), src.lstrip(NEGATE)

        def canon(rec: dict[str, Any]) -> Any:
            v = coerce(req.object, req.field, get_path(rec, prop), f"{om.object} {req.record_id}")
            return (None if v is None else not v) if negate else v
        try:
            rec, version = self._read_one(req.object, req.record_id)
        except HttpFailure as exc:
            return WriteResult(cid, "transient" if exc.transient else "permanent", str(exc))
        if rec is None:
            return WriteResult(cid, "permanent", f"{self.name}: {req.object} {req.record_id} no longer exists")
        now_value = canon(rec)
        mode = self._concurrency()
        if same_value(req.object, req.field, now_value, req.new_value):
            return WriteResult(cid, "already_applied", f"the value is already in {self.name}",
                               current_value=now_value, new_version=version, response_id=version)
        if mode != "none" and req.seen_version and version and req.seen_version != version:
            return WriteResult(cid, "conflict", f"the record changed in {self.name} since it was approved "
                                                f"(version {version}, approved at {req.seen_version})",
                               current_value=now_value, new_version=version)
        if (mode == "none" or not req.seen_version) and not same_value(req.object, req.field, now_value,
                                                                        req.old_value):
            return WriteResult(cid, "conflict", f"{self.name} now holds {now_value!r}, not the {req.old_value!r} "
                                                f"seen at approval", current_value=now_value, new_version=version)
        value = coerce(req.object, req.field, req.new_value, "new value")
        if negate:
            value = None if value is None else (0 if value else 1) if isinstance(get_path(rec, prop), int) \
                else not value
        why = self._refusal(req.object, prop, value, rec)
        if why:
            return WriteResult(cid, "permanent", f"{self.name} {self._record_type(req.object)} {req.record_id} "
                                                 f"{prop}: {why}; not sent")
        write = {**self.prof.get("write", {}), **(self.prof["objects"][req.object].get("write") or {})}
        obj = self.prof["objects"][req.object]
        ctx = self._ctx({"object_path": obj["path"], "id": req.record_id, "field": prop, "value": value,
                         "version": req.seen_version or version, "record_type": obj.get("record_type", req.object)})
        body = render(write.get("body") or {"{field}": "{value}"}, ctx)
        if mode != "version_field":
            vf = obj.get("version_field")
            body = {k: v for k, v in body.items() if k != vf} if vf else body
        headers = {"Content-Type": "application/json"}
        if mode == "etag_header":
            headers["If-Match"] = str(req.seen_version or version)
        try:
            resp = self.http.request(str(write.get("method", "PUT")).upper(),
                                     render(write.get("path", "{object_path}/{id}"), ctx), retry="unsent",
                                     content=encode_json(body).encode("utf-8"), headers=headers)
        except HttpFailure as exc:
            return self._after_uncertain(req, canon, exc)
        if resp.status_code < 300:
            try:
                latest, new_version = self._read_one(req.object, req.record_id)
            except HttpFailure:
                latest, new_version = None, None
            # an ERP may accept a save yet keep its own value (ERPNext recomputes a draft's status and
            # totals, Frappe turns a non-number into 0): the write did not do what was approved
            if latest is not None and not same_value(req.object, req.field, canon(latest), req.new_value):
                return WriteResult(cid, "permanent", f"{self.name} saved {self._record_type(req.object)} "
                                                     f"{req.record_id} but {prop} reads back "
                                                     f"{_shown(canon(latest))}, not {_shown(req.new_value)}: "
                                                     f"{self.name} sets this field itself",
                                   current_value=canon(latest), new_version=new_version)
            return WriteResult(cid, "applied", f"{write.get('method', 'PUT')} {req.object} {req.record_id} {prop}",
                               response_id=new_version, new_version=new_version)
        code, words = self._error_words(resp)
        conflict_codes = set(self.prof.get("errors", {}).get("conflict_codes") or [])
        if resp.status_code in (409, 412) or (code and code in conflict_codes):
            latest, latest_version = self._read_one(req.object, req.record_id)
            return WriteResult(cid, "conflict", f"{self.name}: {code or resp.status_code}: {' '.join(words.split())}",
                               current_value=canon(latest) if latest else None, new_version=latest_version)
        if resp.status_code in (500, 502, 504):
            return self._after_uncertain(req, canon, self.http.fail(resp, "the write"))
        return WriteResult(cid, "permanent", f"{self.name} refused {self._record_type(req.object)} {req.record_id} "
                                             f"{prop} (HTTP "
                                             f"{resp.status_code}{f' {code}' if code else ''}): "
                                             f"{' '.join(words.split())}")

    def _refusal(self, kind: str, prop: str, value: Any, rec: dict[str, Any]) -> str | None:
        """Why the service would refuse this write, from the field rules it publishes
        ([schema] of the profile; only the Frappe dialect so far), or None."""
        schema = self.prof.get("schema")
        if not schema:
            return None
        if kind not in self._schemas:
            path = render(schema["path"], self._ctx({"record_type": self._record_type(kind)}))
            resp = self.http.request("GET", path)
            # a user may lack permission to read the DocType: the service's own refusal still stands
            self._schemas[kind] = frappe_schema.fields_of(get_path(decode(resp), schema.get("record_path", "data"))
                                                          or {}) if resp.status_code < 300 else None
        fields = self._schemas[kind]
        if fields is None:
            return None
        f = fields.get(prop)
        if f is None:
            return f"{prop!r} is not a field of the {self._record_type(kind)} DocType"
        return frappe_schema.refusal(f, value, rec.get("docstatus"))

    def _after_uncertain(self, req: WriteRequest, canon: Any, exc: HttpFailure) -> WriteResult:
        try:
            latest, version = self._read_one(req.object, req.record_id)
        except HttpFailure:
            return WriteResult(req.correction_id, "transient", str(exc))
        if latest is not None and same_value(req.object, req.field, canon(latest), req.new_value):
            return WriteResult(req.correction_id, "applied", "the write landed although the answer was lost",
                               response_id=version, new_version=version)
        return WriteResult(req.correction_id, "transient" if exc.transient else "permanent", str(exc))

    # -- discovery ------------------------------------------------------------------
    def describe(self, kind: str) -> list[dict[str, Any]]:
        """Fields of one sample record: a REST profile has no schema service to ask."""
        om = self._map(kind)
        for records, _ in self._pages(om, None, limit=1):
            if not records:
                return []
            obj = self.prof["objects"][kind]
            fixed = {str(obj.get("id_field")), str(obj.get("version_field"))}
            return [{"name": k, "label": k, "type": type(v).__name__ if v is not None else "unknown",
                     "updateable": k not in fixed and str([k]) not in fixed} for k, v in records[0].items()]
        return []

    def test_connection(self) -> list[tuple[str, bool, str]]:
        checks: list[tuple[str, bool, str]] = []
        for kind, om in self.maps.items():
            try:
                for _records, _ in self._pages(om, None, limit=1):
                    checks.append((f"read {kind}", True, f"{self.prof['objects'][kind]['path']} answers"))
            except (HttpFailure, InputError, ConfigError) as exc:
                checks.append((f"read {kind}", False, str(exc)))
                if getattr(exc, "status", None) == 401:
                    break
        checks.append(("API usage", True, f"{self.http.requests} requests made, {self.http.retries} retried"))
        return checks


def create(side: str, config: RunConfig) -> RestProfileSource:
    return RestProfileSource(side, config)
