"""The Salesforce connector: pull mapped objects, push approved corrections (simple-salesforce).

Config (``[crm.salesforce]``)::

    auth = "jwt"                  # jwt | client_credentials | session | password
    login_url = "https://acme.my.salesforce.com"   # or domain = "login" | "test" | "acme.my"
    instance_url = "https://acme.my.salesforce.com" # session mode
    api_version = "59.0"
    username = "integration@acme.com"
    consumer_key = "3MVG9..."
    private_key_file = "~/.config/recon/sf.key"    # a path; the key itself never goes in config
    ca_bundle = "corp-ca.pem"     # optional
    bulk_threshold = 10000        # Bulk API 2.0 from this many records on
    invoice_object = "blng__Invoice__c"            # or "Invoice" or a custom object
    max_api_share = 0.5           # a push may use at most this share of the remaining daily requests

Secrets (client_secret, password, security_token, session_id, private_key) come from
the OS keyring or the environment variables named by ``<key>_env``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, UTC
from typing import Any
from urllib.parse import urlencode
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
from simple_salesforce.format import format_soql

from workbench.config import RunConfig
from workbench.errors import ConfigError, SourceError, WorkbenchError
from workbench.model import frames
from workbench.progress import TaskState, check_cancelled, report
from workbench.sources.base import Extract, SourceMeta, WriteRequest, WriteResult, snapshot_frame
from workbench.sources.delta import CHANGES, FULL, DeltaExtract, KindDelta
from workbench.sources.salesforce_auth import AUTH_WORDS, PASSWORD_RETIREMENT
from workbench.sources.salesforce_columns import canonical_frame, read_page, snapshot_rows
from workbench.sources.salesforce_client import (COMPOSITE_QUERIES, COMPOSITE_SUBREQUESTS, BudgetExceeded,
                                                 CompositeQueries, SalesforceClient, describe_refused)
from workbench.sources.salesforce_mapping import ObjectMap, as_bulk_text, modstamp, object_maps, parse_datetime
from workbench.sources.salesforce_push import push_requests

IDS_PER_QUERY = 200  # keeps an Id IN (...) filter well under the SOQL length limit
# Deleted records stay queryable (queryAll, IsDeleted = true) while in the Recycle Bin, and getDeleted
# returns "no more than 15 days previous to the day the call is executed" (REST API Developer Guide,
# sObject Get Deleted; SOAP API getDeleted(), Rules and Guidelines). Changes older than that are read in full.
DELETE_LOG_DAYS = 15
# canonical fields a pull needs that the frames do not keep: a line's product id (Product2Id, when the
# config maps it) finds the line's product code when the line carries none
PULL_ONLY = {"order_lines": ["product_id"]}


def _unchanged_codes(previous: Extract | None, products: KindDelta | None) -> dict[str, Any]:
    """Product id -> code of the previous run's products that are still there unchanged, where the re-run read
    only the products' changes: a code changed moves the product's SystemModstamp, so the changes hold it and
    override these; a product deleted, or gone from the map's filter, is left out and asked for by id, as a full
    pull asks for a line's product its products did not read. Saves the re-run a Composite call."""
    if previous is None or products is None or products.mode != CHANGES or "products" not in previous.frames:
        return {}
    before = previous.frames["products"]
    codes = {i: c for i, c in zip(before["record_id"], before["code"]) if i not in products.deleted}
    return codes if products.live is None else {i: c for i, c in codes.items() if i in products.live}


class SalesforceSource:
    def __init__(self, side: str, config: RunConfig):
        self.side = side
        self.config = config
        side_cfg = config.side(side)
        self.side_cfg = side_cfg
        self.cfg: dict[str, Any] = dict(side_cfg.get("salesforce") or {})
        secrets_cfg = {**self.cfg, "side": side, "system": side_cfg.get("system", "salesforce")}
        self.client = SalesforceClient(self.cfg, secrets_cfg, config.resolve)
        self.maps = object_maps(side_cfg)
        self.org_currency: str | None = None  # a single-currency org's currency, once ``_fit`` has asked
        self._fitted = False
        self._described: dict[str, dict[str, Any]] = {}  # object -> its describe, as ``_fit`` read it
        self.meta = SourceMeta(side=side, system=side_cfg.get("system", "salesforce"), connector="salesforce",
                               instance=self.cfg.get("instance_url") or self.cfg.get("login_url"),
                               api_version=self.client.api_version)
        try:
            self.bulk_threshold = int(self.cfg.get("bulk_threshold", 10000))
            self.batch_size = int(self.cfg["batch_size"]) if self.cfg.get("batch_size") else None
            self.bulk_page = int(self.cfg.get("bulk_page_records", 50000))
            self.bulk_poll = float(self.cfg.get("bulk_poll_seconds", 1.0))
            self.max_api_share = float(self.cfg.get("max_api_share", 0.5))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{config.where()}: [{side}.salesforce] has a non-numeric setting: {exc}") from None
        self.query_mode = self.cfg.get("query_mode", "auto")
        if self.query_mode not in ("auto", "rest", "bulk"):
            raise ConfigError(f"[{side}.salesforce] query_mode = {self.query_mode!r}, expected auto, rest or bulk")

    def _fit(self, described: dict[str, dict[str, Any]] | None = None) -> None:
        """Fit the maps to the org, once: spelled as its describe spells each field, and, where an object has
        no CurrencyIsoCode because the org has one currency, that currency for every record (``ObjectMap.fitted``).
        ``described``: each object's describe, where the caller asked for them; else one Composite call of
        describes. In an org whose objects lack CurrencyIsoCode, one getUserInfo."""
        if self._fitted:
            return
        described = self._described = described or self.client.describe_many(self._objects())
        lacking = [m.object for m in self.maps if "currencyisocode" in {a.lower() for a in m.fields.values()}
                   and not any(f["name"].lower() == "currencyisocode" for f in described[m.object].get("fields", []))]
        if lacking:
            info = self.client.user_info()
            code = info.get("orgDefaultCurrencyIsoCode") or ""
            if info.get("organizationMultiCurrency") == "false" and re.fullmatch(r"[A-Z]{3}", code):
                self.org_currency = code
        fitted, problems = [], []
        for m in self.maps:
            try:
                fitted.append(m.fitted(described[m.object], self.org_currency))
            except ConfigError as exc:
                problems.append(str(exc))
        if problems:
            raise ConfigError("; ".join(problems))
        self.maps = fitted
        self._fitted = True

    # pulling ----------------------------------------------------------------------------
    def _soql(self, m: ObjectMap, since: datetime | None) -> tuple[str, str]:
        """(full SELECT, the FROM/WHERE tail) with every literal escaped by format_soql. Changes since a
        moment also select IsDeleted: one queryAll returns the changed records and, IsDeleted = true, the
        ones deleted since (still in the Recycle Bin): REST API Developer Guide, QueryAll resource."""
        conds = []
        if m.where:
            conds.append(f"({m.where})")  # from the config file, written by the org's admin
        if since is not None:
            conds.append(self._changed_since(m, since))
        tail = f"FROM {m.object}" + (f" WHERE {' AND '.join(conds)}" if conds else "")
        fields = m.api_fields()
        if since is not None and "IsDeleted" not in fields:
            fields = ["IsDeleted", *fields]
        return f"SELECT {', '.join(fields)} {tail}", tail

    @staticmethod
    def _changed_since(m: ObjectMap, since: datetime) -> str:
        """The record's SystemModstamp, or that of a parent whose fields the map reads or filters on, in or after
        the second of ``since``: a parent's change (a product's code, an account's type) moves only the parent's
        stamp (SOQL and SOSL Reference, Relationship Queries: a parent's fields filter as the record's own).
        format_soql writes ``since`` to the second, and Salesforce compares datetimes without their milliseconds
        (salesforce.stackexchange.com/questions/234824): a change made after ``since`` in its second is stamped
        with that second, so ``>=``, not ``>`` (what else that second holds is read again, harmlessly)."""
        stamps = ["SystemModstamp", *(f"{p}.SystemModstamp" for p in m.parent_paths())]
        cond = " OR ".join(f"{stamp} >= {{}}" for stamp in stamps)
        return format_soql(f"({cond})" if len(stamps) > 1 else cond, *[since.astimezone(UTC)] * len(stamps))

    @classmethod
    def _left_filter_soql(cls, m: ObjectMap, since: datetime) -> str:
        """Records of a filtered object changed since, whether the filter takes them or not."""
        return f"SELECT Id FROM {m.object} WHERE {cls._changed_since(m, since)}"

    def _whole_kinds(self) -> dict[str, str]:
        """Kinds a re-run reads in full, and why: a map's filter can take or leave a record while no stamp
        moves (``ObjectMap.unstamped_filter``); the kind's other objects are read in full with it."""
        out: dict[str, str] = {}
        for m in self.maps:
            if (why := m.unstamped_filter()) is not None:
                out[m.kind] = f"{out[m.kind]}; {why}" if m.kind in out else why
        return out

    def _change_queries(self, since: datetime, whole: dict[str, str]) -> tuple[CompositeQueries, list[int]]:
        """Every map's queryAll (none for a kind in ``whole``, read as a full pull reads it) and, right after a
        map with a ``where``, its ``_left_filter_soql``, read together through Composite calls (five queries a
        call, each call one request against the org's API limits); with the index of each map's queryAll.

        Maps not yet fitted to the org (``_fit``) ask their objects' describes in the first call too, beside
        the queries spelled as configured, and are fitted from them: a re-run then costs no call for its
        describes. Only where fitting spells a query otherwise (a field's case, a single-currency org's
        currency) are the queries asked again, in one call more."""
        objects, deleted = self._objects(), self._deleted_probes(since)
        describes = [] if self._fitted or len(deleted) + len(objects) > COMPOSITE_SUBREQUESTS - COMPOSITE_QUERIES \
            else [f"/sobjects/{obj}/describe" for obj in objects]
        if not describes:
            self._fit()
        queries, first = self._change_query_list(since, whole)
        changes = self.client.composite_queries(queries, self.batch_size, deleted + describes)
        if describes:
            self._fit(self._probed_describes(changes, len(deleted), objects))
            fitted, first = self._change_query_list(since, whole)
            if fitted != queries:
                changes = self.client.composite_queries(fitted, self.batch_size, deleted)
        return changes, first

    @staticmethod
    def _probed_describes(changes: CompositeQueries, at: int, objects: list[str]) -> dict[str, dict[str, Any]]:
        """The objects' describes asked as probes ``at`` on in ``changes``' first call; SourceError naming those
        Salesforce refused, in the words ``SalesforceClient.describe_many`` uses."""
        out: dict[str, dict[str, Any]] = {}
        refused: list[str] = []
        for k, obj in enumerate(objects):
            try:
                out[obj] = changes.probe(at + k)
            except SourceError as exc:
                refused.append(f"{obj}: {str(exc).removeprefix('Salesforce ')}")
        if refused:
            raise describe_refused(refused)
        return out

    def _change_query_list(self, since: datetime, whole: dict[str, str]) -> tuple[list[tuple[str, bool]], list[int]]:
        """``_change_queries``' queries, ``(soql, include deleted)`` each, and the index of each map's queryAll."""
        queries: list[tuple[str, bool]] = []
        first: list[int] = []
        for m in self.maps:
            first.append(len(queries))
            if m.kind in whole:
                continue
            queries.append((self._soql(m, since)[0], True))
            if m.where:
                queries.append((self._left_filter_soql(m, since), False))
        return queries, first

    def _deleted_probes(self, since: datetime) -> list[str]:
        """Each mapped object's sObject Get Deleted since ``since`` (REST API Developer Guide), asked in the
        first Composite call (not a query operation): only its ``earliestDateAvailable`` is read (see
        ``_purged``)."""
        now = datetime.now(UTC)
        # Get Deleted refuses a window of a minute or less (INVALID_REPLICATION_DATE); an earlier start
        # changes nothing of earliestDateAvailable
        start = min(since.astimezone(UTC), now - timedelta(minutes=2))
        window = urlencode({"start": start.isoformat(timespec="seconds"), "end": now.isoformat(timespec="seconds")})
        return [f"/sobjects/{obj}/deleted/?{window}" for obj in self._objects()]

    def _objects(self) -> list[str]:
        return list(dict.fromkeys(m.object for m in self.maps))

    def _purged(self, changes: CompositeQueries, since: datetime) -> dict[str, str]:
        """Objects whose deleted records may have been removed for good since ``since`` (the Recycle Bin
        emptied, a hard delete, the bin over its limit): queryAll no longer returns those, so their deletions
        are found by reading every id. Get Deleted's ``earliestDateAvailable`` is when the object's delete log
        was last cut (SOAP API, GetDeletedResult: "the timestamp of the last physically deleted object"); at or
        before ``since`` nothing was removed since. object -> why."""
        out: dict[str, str] = {}
        for k, obj in enumerate(self._objects()):
            try:
                earliest = changes.probe(k).get("earliestDateAvailable")
                cut = parse_datetime(earliest)
            except (SourceError, ValueError) as exc:
                out[obj] = f"getDeleted did not say whether deleted {obj} records were removed ({exc})"
                continue
            if cut is not None and cut > since:
                out[obj] = (f"deleted {obj} records were removed for good since {since:%Y-%m-%d %H:%M} UTC "
                            f"(getDeleted earliestDateAvailable {earliest}): every id read")
        return out

    def _mode(self, tail: str) -> tuple[str, int | None]:
        """REST or Bulk API 2.0 for a query ``SELECT … tail``: as configured, or by its count (``auto``); and
        the count when one was asked for."""
        if self.query_mode != "auto":
            return self.query_mode, None
        total = self.client.count(tail)
        return ("bulk" if total >= self.bulk_threshold else "rest"), total

    def _live_ids(self, m: ObjectMap) -> set[str]:
        """Every id the map's object holds now that its filter takes (a key-only read, as a full pull reads)."""
        tail = f"FROM {m.object}" + (f" WHERE ({m.where})" if m.where else "")
        soql = f"SELECT Id {tail}"
        if self._mode(tail)[0] == "bulk":
            return {i for text in self.client.bulk_pages(m.object, soql, self.bulk_page, self.bulk_poll) if text
                    for i in read_page(text, m.object).column("Id").to_pylist() if i}
        return {r["Id"] for _, recs in self.client.query_pages(soql, self.batch_size) for r in recs}

    def pull(self, state: TaskState | None = None, since: datetime | None = None) -> Extract:
        return self._read(state, since, None)

    def _read(self, state: TaskState | None, since: datetime | None, previous: Extract | None) -> Extract:
        """A pull, since a moment or in full; ``previous``, what the previous run read, lends the codes of
        products that did not change to the lines read (``_fill_product_codes``)."""
        if since is None:  # changes since a moment fit the maps with their first call (_change_queries)
            self._fit()
        pieces: dict[str, list[pd.DataFrame]] = {}  # per kind, a frame per map that read records
        snaps: list[pd.DataFrame] = []
        progress = _Progress(state)
        self.meta.queries, self.meta.objects = {}, {}
        kinds: dict[str, KindDelta] = {}
        whole = self._whole_kinds() if since is not None else {}
        changes, first = self._change_queries(since, whole) if since is not None else (None, [])
        for n, m in enumerate(self.maps):
            check_cancelled(state)
            m_since = None if m.kind in whole else since
            soql, tail = self._soql(m, m_since)
            composite = changes is not None and m.kind not in whole
            if composite:
                mode, total = "composite", None
            else:
                mode, total = self._mode(tail)
                check_cancelled(state)  # a stop asked for while counting: before the records are asked for
            gone: set[str] = set()
            read: set[str] = set()
            prev = self.meta.queries.get(m.kind)
            self.meta.queries[m.kind] = f"{prev}; {soql}" if prev else soql
            obj_prev = self.meta.objects.get(m.kind)
            self.meta.objects[m.kind] = f"{obj_prev}+{m.object}" if obj_prev else m.object
            if mode == "bulk":
                frame, snap = self._bulk(m, soql, total, progress)
            else:
                pages = changes.pages(first[n]) if composite and changes is not None else \
                    self.client.query_pages(soql, self.batch_size)
                frame, snap = self._by_record(m, soql, pages, _Seen(m_since, gone, read), progress.of(m, mode))
            if len(frame):
                pieces.setdefault(m.kind, []).append(frame)
            snaps.append(snap)
            if m.kind in whole:
                kinds[m.kind] = KindDelta(FULL, why=whole[m.kind])
            elif changes is not None and since is not None:
                left = None
                if m.where:
                    left = (self._left_filter_soql(m, since),
                            {r["Id"] for _, recs in changes.pages(first[n] + 1) for r in recs})
                kinds[m.kind] = self._delta(gone, read, soql, left, kinds.get(m.kind))
        if changes is not None and since is not None:
            self._read_ids_where_purged(kinds, self._purged(changes, since))
        pulled = {kind: pd.concat(fs, ignore_index=True) if len(fs) > 1 else fs[0] for kind, fs in pieces.items()}
        self._fill_product_codes(pulled, composite=changes is not None,
                                 known=_unchanged_codes(previous, kinds.get("products")))
        out = {kind: frames.conform(kind, f) for kind, f in pulled.items()}
        for m in self.maps:
            out.setdefault(m.kind, frames.empty(m.kind))
        self.meta.instance = self.client.instance_url
        self.meta.extracted_at = datetime.now(UTC)
        self.meta.incremental_since = since
        self.meta.api_usage = self.client.meter.as_dict()
        snapshots = pd.concat(snaps, ignore_index=True)
        if since is None:
            return Extract(self.meta, out, snapshots).finish()
        return DeltaExtract(self.meta, out, snapshots, kinds=kinds).finish()

    @staticmethod
    def _by_record(m: ObjectMap, soql: str, pages: Iterator[tuple[int | None, list[dict[str, Any]]]], seen: _Seen,
                   progress: _Pages) -> tuple[pd.DataFrame, pd.DataFrame]:
        """REST or Composite query pages (JSON records), record by record: the canonical frame and snapshot rows."""
        flag = seen.since is not None and "IsDeleted" not in m.api_fields()  # selected for the query only
        rows: list[dict[str, Any]] = []
        snaps: list[tuple[str, str, str, str, Any]] = []
        for total, page in pages:
            for raw in page:
                raw = {k: v for k, v in raw.items() if k != "attributes"}
                if seen.since is not None:
                    seen.read.add(raw["Id"])
                    deleted = raw.pop("IsDeleted") if flag else raw.get("IsDeleted")
                    if deleted:
                        seen.gone.add(raw["Id"])
                        continue
                canon = m.to_canonical(raw)
                if m.kind == "orders":
                    canon["kind"] = m.object
                    canon["booked"] = True if m.object == "Opportunity" else canon.get("status") == "Activated"
                rows.append(canon)
                snaps.append((m.object, m.kind, canon["record_id"], soql, as_bulk_text(raw, m.api_fields())))
            progress.page(len(page), total)
        return _records_frame(m.kind, rows), snapshot_frame(snaps)

    def _bulk(self, m: ObjectMap, soql: str, total: int | None, progress: _Progress
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """A Bulk API 2.0 query's CSV pages, in columns (salesforce_columns): the canonical frame and snapshot rows."""
        pages = progress.of(m, "bulk")
        tables = []
        for text in self.client.bulk_pages(m.object, soql, self.bulk_page, self.bulk_poll):
            table = read_page(text, m.object)
            if table.num_columns:
                tables.append(table)
            pages.page(table.num_rows, total)
        if not tables:
            return _records_frame(m.kind, []), snapshot_frame([])
        whole = pa.concat_tables(tables)
        del tables
        frame = canonical_frame(m, whole, _pulled_columns(m.kind))
        return frame, snapshot_rows(m.object, m.kind, soql, whole, frame["record_id"].to_numpy())

    def pull_changes(self, state: TaskState | None, since: datetime, previous: Extract) -> DeltaExtract:
        """Records changed since ``since`` (``SystemModstamp >=`` its second) and the ids deleted since (queryAll);
        everything when ``since`` is further back than Salesforce keeps deleted records."""
        if since < datetime.now(UTC) - timedelta(days=DELETE_LOG_DAYS):
            why = (f"the last run read it on {since:%Y-%m-%d}, more than {DELETE_LOG_DAYS} days ago: Salesforce "
                   f"keeps deleted records that long")
            whole = self.pull(state)
            return DeltaExtract(whole.meta, whole.frames, whole.snapshots,  # already finished by pull()
                                kinds={m.kind: KindDelta(FULL, why=why) for m in self.maps})
        out = self._read(state, since, previous)
        assert isinstance(out, DeltaExtract)  # a pull since a moment answers with a delta
        return out

    def _read_ids_where_purged(self, kinds: dict[str, KindDelta], purged: dict[str, str]) -> None:
        """Every id of each kind an object of which had deleted records removed for good (``_purged``), read
        from all of the kind's objects (orders: Order and Opportunity): a known record none of them holds
        now is gone, flagged deleted or not. A kind read in full needs none."""
        for kind in dict.fromkeys(m.kind for m in self.maps if m.object in purged and kinds[m.kind].mode == CHANGES):
            maps = [m for m in self.maps if m.kind == kind]
            live: set[str] = set()
            for m in maps:
                live |= self._live_ids(m)
            why = "; ".join(purged[m.object] for m in maps if m.object in purged)
            kd = kinds[kind]
            kinds[kind] = replace(kd, live=frozenset(live), query=f"{kd.query}; {why}")

    @staticmethod
    def _delta(gone: set[str], read: set[str], soql: str, left: tuple[str, set[str]] | None,
               seen: KindDelta | None) -> KindDelta:
        """The kind's deletions: the ones queryAll flagged and, where the map has a ``where``, records
        changed since that the filter no longer takes (a full pull would not read them): ``left`` holds
        that query and the ids it read."""
        words = f"queryAll: {soql}"
        if left is not None:
            changed_q, changed = left
            gone |= changed - read
            words += f"; left the filter: {changed_q}"
        if seen is not None:  # orders: Order and Opportunity side by side
            gone |= seen.deleted
            words = f"{seen.query}; {words}"
        return KindDelta(CHANGES, deleted=frozenset(gone), query=words)

    def _fill_product_codes(self, out: dict[str, pd.DataFrame], composite: bool = False,
                            known: dict[str, Any] | None = None) -> None:
        """Order lines carry Product2Id; the canonical line wants the product code: from the products read,
        else ``known`` (an incremental pull: the previous run's unchanged products), else asked for by id. An
        incremental pull asks in Composite calls, as it asks for the changes."""
        lines = out.get("order_lines")
        if lines is None or lines.empty:
            return
        products = out.get("products")
        codes = dict(known or {})
        if products is not None:
            codes.update(zip(products["record_id"], products["code"]))
        product_ids = lines["product_id"].to_numpy(dtype=object)
        missing = sorted({p for p in set(product_ids) if p and p not in codes})
        queries = [format_soql("SELECT Id, ProductCode FROM Product2 WHERE Id IN {}", missing[i:i + IDS_PER_QUERY])
                   for i in range(0, len(missing), IDS_PER_QUERY)]
        if composite:
            batch = self.client.composite_queries([(q, False) for q in queries])
            pages = (page for i in range(len(queries)) for page in batch.pages(i))
        else:
            pages = (page for q in queries for page in self.client.query_pages(q))
        for _, recs in pages:
            codes.update({r["Id"]: r.get("ProductCode") for r in recs})
        filled = lines["product_code"].to_numpy(dtype=object).copy()
        empty = np.flatnonzero(pd.isna(filled))
        filled[empty] = [codes.get(p) for p in product_ids[empty]]
        lines["product_code"] = filled

    # reading single records ------------------------------------------------------------
    def map_for(self, kind_or_object: str) -> ObjectMap:
        for m in self.maps:
            if kind_or_object in (m.kind, m.object) and m.object != "Opportunity":
                return m
        for m in self.maps:
            if kind_or_object == m.object:
                return m
        raise ConfigError(f"the Salesforce connector maps no object for {kind_or_object!r} "
                          f"(mapped: {', '.join(sorted({m.kind for m in self.maps}))})")

    def map_for_record(self, kind_or_object: str, record_id: str) -> ObjectMap:
        """Orders come from Order and Opportunity: the id's key prefix says which."""
        m = self.map_for(kind_or_object)
        if m.kind == "orders" and str(record_id).startswith("006"):
            return next((x for x in self.maps if x.object == "Opportunity"), m)
        return m

    def read_raw(self, m: ObjectMap, record_ids: list[str], api_fields: list[str]) -> dict[str, dict[str, Any]]:
        """Current raw values of records by id, one query per 200 ids."""
        fields = ["Id", "SystemModstamp"] + [f for f in api_fields if f not in ("Id", "SystemModstamp")]
        out: dict[str, dict[str, Any]] = {}
        uniq = list(dict.fromkeys(record_ids))
        for i in range(0, len(uniq), IDS_PER_QUERY):
            q = format_soql(f"SELECT {', '.join(fields)} FROM {m.object} WHERE Id IN {{}}", uniq[i:i + IDS_PER_QUERY])
            for _, recs in self.client.query_pages(q):
                for r in recs:
                    out[r["Id"]] = {k: v for k, v in r.items() if k != "attributes"}
        return out

    def read_current(self, kind: str, record_ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        self._fit()
        by_map: dict[str, tuple[ObjectMap, list[str]]] = {}
        for rid in record_ids:  # orders: Order and Opportunity ids side by side
            m = self.map_for_record(kind, rid)
            by_map.setdefault(m.object, (m, []))[1].append(rid)
        out = {}
        for m, ids_ in by_map.values():
            out.update(self._read_current(m, ids_, fields))
        return out

    def _read_current(self, m: ObjectMap, record_ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        raw = self.read_raw(m, record_ids, m.api_fields())
        out = {}
        for rid, rec in raw.items():
            canon = m.to_canonical(rec)
            unknown = [f for f in fields if f not in canon]
            if unknown:
                raise ConfigError(f"[crm.objects.{m.kind}.fields] maps no Salesforce field to "
                                  f"{', '.join(unknown)} on {m.object}")
            row = {f: canon.get(f) for f in fields}
            row["version"] = modstamp(rec.get("SystemModstamp"))
            out[rid] = row
        return out

    # pushing -----------------------------------------------------------------------------
    def push(self, requests: list[WriteRequest], state: TaskState | None = None) -> list[WriteResult]:
        try:
            self._fit()
        except WorkbenchError as exc:  # nothing was written: each correction says why, to be tried again or not
            return [WriteResult(r.correction_id, "transient" if exc.transient else "permanent", exc.one_line())
                    for r in requests]
        results = push_requests(self, requests, state)
        self.meta.api_usage = self.client.meter.as_dict()
        return results

    def check_api_budget(self, calls_needed: int) -> None:
        """Refuse a push that would take more than the allowed share of today's remaining requests."""
        meter = self.client.meter
        if meter.remaining is None:
            limits = self.client.call("limits", lambda sf: sf.limits())
            daily = limits.get("DailyApiRequests", {})
            remaining, mx = int(daily.get("Remaining", 0)), int(daily.get("Max", 0))
        else:
            remaining, mx = meter.remaining, meter.max or 0  # the org reports both or neither
        allowed = math.floor(remaining * self.max_api_share)
        if calls_needed > allowed:
            raise BudgetExceeded(
                f"push refused: it needs about {calls_needed:,} Salesforce API requests but only {allowed:,} are "
                f"allowed ({self.max_api_share:.0%} of the {remaining:,} left of today's {mx:,}); push fewer "
                f"corrections or raise [crm.salesforce] max_api_share")

    # describing and checking ---------------------------------------------------------------
    def describe(self, kind: str) -> list[dict[str, Any]]:
        m = self.map_for(kind)
        d = self._described.get(m.object) or self.client.call("describe", lambda sf: getattr(sf, m.object).describe())
        canon_for = {api: canon for canon, api in m.fields.items()}
        return [{"name": f["name"], "label": f.get("label"), "type": f.get("type"),
                 "updateable": bool(f.get("updateable")), "canonical": canon_for.get(f["name"]),
                 "picklist": [p["value"] for p in f.get("picklistValues") or [] if p.get("active", True)],
                 "reference_to": f.get("referenceTo") or [], "length": f.get("length") or 0,
                 "nillable": bool(f.get("nillable", True)), "precision": f.get("precision") or 0,
                 "scale": f.get("scale") or 0, "restricted": bool(f.get("restrictedPicklist", True))}
                for f in d.get("fields", [])]

    def test_connection(self) -> list[tuple[str, bool, str]]:
        out: list[tuple[str, bool, str]] = []
        mode = self.cfg.get("auth", "jwt")
        try:
            self.client.connect()
            words = f"signed in to {self.client.instance_url} with {AUTH_WORDS.get(mode, mode)}"
            if self.client.login and self.client.login.user:
                words += f" as {self.client.login.user}"
            if mode == "password":
                words += f"; note: {PASSWORD_RETIREMENT}"
            out.append(("auth", True, words))
        except WorkbenchError as exc:
            return [("auth", False, exc.one_line())]
        try:
            versions = self.client.call("versions", lambda sf: sf.session.get(
                f"{self.client.instance_url}/services/data/").json())
            offered = [v["version"] for v in versions]
            ok = self.client.api_version in offered
            out.append(("API version", ok, f"API v{self.client.api_version} pinned"
                        + (f"; the org offers up to v{offered[-1]}" if ok else
                           f" but the org offers only {', '.join(offered[-5:])}")))
        except (WorkbenchError, ValueError, KeyError, TypeError) as exc:
            out.append(("API version", False, f"cannot list API versions: {exc}"))
        try:
            self._fit()
            out.append(("objects readable", True, f"readable: {', '.join(self._objects())}" + (
                f"; single-currency org: every record in {self.org_currency}" if self.org_currency else "")))
        except WorkbenchError as exc:
            out.append(("objects readable", False, exc.one_line()))
        try:
            limits = self.client.call("limits", lambda sf: sf.limits())
            daily = limits["DailyApiRequests"]
            mx, rem = int(daily["Max"]), int(daily["Remaining"])
            out.append(("API usage", rem > 0, f"{mx - rem:,} of {mx:,} daily API requests used; {rem:,} left"))
        except (WorkbenchError, KeyError, TypeError, ValueError) as exc:
            out.append(("API usage", False, f"cannot read /limits: {exc}"))
        return out

    def close(self) -> None:
        self.client.close()


def _pulled_columns(kind: str) -> list[str]:
    """The kind's canonical columns and those only the pull needs (dropped as the pull ends)."""
    return frames.columns(kind) + PULL_ONLY.get(kind, [])


def _records_frame(kind: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Canonical records (dicts) as a frame of the kind's ``_pulled_columns``, column by column."""
    cols = _pulled_columns(kind)
    return pd.DataFrame({c: [r.get(c) for r in rows] for c in cols}, columns=cols, dtype=object)


@dataclass
class _Seen:
    """What a pull of changes since a moment has seen of a map's records: ids read and ids deleted."""
    since: datetime | None
    gone: set[str] = field(default_factory=set)
    read: set[str] = field(default_factory=set)


@dataclass
class _Progress:
    """Records read so far in a pull, reported after each page."""
    state: TaskState | None
    done: int = 0

    def of(self, m: ObjectMap, mode: str) -> _Pages:
        return _Pages(self, m, mode)


@dataclass
class _Pages:
    """One map's pages, counted into the pull's progress."""
    pull: _Progress
    m: ObjectMap
    mode: str
    count: int = 0

    def page(self, records: int, total: int | None) -> None:
        self.count += records
        self.pull.done += records
        report(self.pull.state, self.pull.done, None, f"Salesforce {self.m.object}: {self.count:,}"
                                                      f"{f' of {total:,}' if total else ''} records "
                                                      f"({self.mode.upper()})")


def create(side: str, config: RunConfig) -> SalesforceSource:
    return SalesforceSource(side, config)
