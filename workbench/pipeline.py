"""One run, end to end: pull both sides, reconcile, store. Used by the CLI, the app and the demo."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from datetime import datetime, timedelta, UTC
from typing import Any

from workbench import __version__
from workbench.close.lock import ensure_open
from workbench.close.materiality import waive_immaterial
from workbench.config import RunConfig
from workbench.config.schema import DEFAULT_OVERLAP_MINUTES
from workbench.errors import Cancelled, WorkbenchError, error_line
from workbench.memory import give_back
from workbench.model.labels import type_label
from workbench.model.missing import is_missing
from workbench.jsonable import plain
from workbench.model.money import amount_text, is_nonzero
from workbench.progress import NullProgress, Progress, TaskState, check_cancelled
from workbench.reconcile.result import UNREPORTED_LABELS, ReconResult, Unreported
from workbench.reconcile.summary import RunSummary, read_summary
from workbench.sources import open_source
from workbench.sources.base import SIDES, Extract, Source, SourceMeta, content_hash
from workbench.sources.delta import Derives, DeltaSource, MergedRaw, RawKeys, merge, since_for
from workbench.sources.ledger import format_ledger
from workbench.sources.pull_report import pull_line
from workbench.store import repo
from workbench.store.db import Store
from workbench.store.snapshots import PreviousRaw, RawParts, StoredPart, merged_raw, stored_parts, take_raw


@dataclass
class RunOutcome:
    run_id: int
    result: ReconResult
    summary: dict[str, Any]


class _SideProgress(Progress):
    """Forwards one source's progress to the caller's state as that source's progress. ``stop``: set
    when the other side's pull failed (or the caller was interrupted), so this one ends at its next check."""

    def __init__(self, state: TaskState, side: str, stop: threading.Event | None = None) -> None:
        self.state, self.side, self.stop = state, side, stop

    @property
    def cancelled(self) -> bool:
        return self.state.cancelled or (self.stop is not None and self.stop.is_set())

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self.state.set_source_progress(self.side, done, total, message)


@dataclass
class PullPlan:
    """How a run pulls each side: since the previous run of the same configuration, or in full (and why)."""
    previous_run: int | None = None
    previous_start: datetime | None = None
    previous_pulls: dict[str, Any] = field(default_factory=dict)  # the previous run's summary "pulls"
    # per side, the previous run's stored parts as checked against its event (read and hashed once,
    # taken by the pull that builds on them); None: not read yet
    previous_parts: dict[str, list[StoredPart]] | None = None
    why_full: str = ""  # a reason that holds for both sides
    sides: dict[str, dict[str, Any]] = field(default_factory=dict)  # per side, for the summary
    overlap: timedelta = timedelta(minutes=DEFAULT_OVERLAP_MINUTES)  # the config's [run] overlap_minutes

    def since(self) -> datetime | None:
        return since_for(self.previous_start, self.overlap) if self.previous_start is not None else None


def plan_pulls(config: RunConfig, store: Store, *, full: bool = False) -> PullPlan:
    """Find the run to continue from: the latest completed run of this very configuration (same content
    hash). A failed or cancelled run since is passed over: it stored nothing, so what the systems changed
    since that completed run's start is still all there is to read. A forced full pull or ``[run]
    incremental = false`` mean a full pull."""
    from sqlalchemy import select

    from workbench.store.coverage import snapshot_problems, start_problems
    from workbench.store.schema import Run

    if full:
        return PullPlan(why_full="a full pull was asked for")
    if config.raw.get("run", {}).get("incremental") is False:
        return PullPlan(why_full="[run] incremental = false in the config")
    wanted = content_hash(config.public())
    unfinished = None
    with store.session() as s:
        for run_id, status, started, cfg, summary, made_by in s.execute(
                select(Run.id, Run.status, Run.started_at, Run.config, Run.summary, Run.software_version)
                .order_by(Run.id.desc())):
            if content_hash(cfg or {}) != wanted:
                continue
            if status != "completed":
                unfinished = unfinished or f"no earlier run of this configuration completed (run {run_id} {status})"
                continue
            if made_by != __version__:
                # another version may have read and converted the records otherwise: a merge would mix the two
                return PullPlan(why_full=f"run {run_id} was made by Recon Workbench {made_by}, this is "
                                         f"{__version__}: its data is read again in full")
            started = started if started.tzinfo else started.replace(tzinfo=UTC)
            # never ask for changes since a start nothing vouches for: a later one would hide the changes between
            if problems := start_problems(s, run_id, started, datetime.now(UTC)):
                return PullPlan(why_full=problems[0])
            # never build on stored data its run no longer vouches for (edited outside the workbench)
            parts = stored_parts(s, run_id)
            if problems := snapshot_problems(s, run_id, parts):
                return PullPlan(why_full=problems[0])
            # each part against its own SHA-256 too: the run's event, which holds the digest, may be gone
            if edited := [f"{p.side.upper()} part {p.name}" for p in parts if p.actual != p.sha256]:
                return PullPlan(why_full=f"run {run_id}: its stored {', '.join(edited[:5])} no longer "
                                         "match their SHA-256: edited outside the workbench")
            by_side: dict[str, list[StoredPart]] = {"crm": [], "erp": []}
            for part in parts:
                by_side.setdefault(part.side, []).append(part)
            return PullPlan(previous_run=run_id, overlap=config.overlap,
                            previous_start=started,
                            previous_pulls=dict((summary or {}).get("pulls") or {}),
                            previous_parts=by_side if parts else None)
    return PullPlan(why_full=unfinished or "no earlier run of this configuration")


def _pull(source: Source, side: str, state: TaskState | None, store: Store | None = None,
          plan: PullPlan | None = None, stop: threading.Event | None = None
          ) -> tuple[Extract, RawParts | PreviousRaw | None]:
    """Pull one side: only the changes since the plan's previous run merged over that run's data
    where the connector and the previous run allow, else in full. Notes what was done in the plan.
    Also the side's raw parts when they are a previous run's, taken as they were stored, or the
    previous run's raw records the merged ones are made from (see ``_raw_parts``)."""
    progress = _SideProgress(state or NullProgress(), side, stop)
    # taken from the plan whatever the side does with them: not kept through the engine
    parts = plan.previous_parts.pop(side, []) if plan is not None and plan.previous_parts is not None else None
    if source.meta.connector == "files":
        return _pull_files(source, side, progress, store, plan, parts)
    loaded = _previous(source, side, store, plan, parts)
    since = plan.since() if plan is not None else None
    if loaded is None or since is None or not isinstance(source, DeltaSource):
        return _pulled(source, progress), None
    assert plan is not None  # a previous extract comes from a plan
    previous, previous_raw = loaded
    delta = source.pull_changes(progress, since, previous)
    merged, kinds = merge(previous, delta, None if previous_raw is None
                          else RawKeys(previous_raw.kinds, previous_raw.ids))
    if isinstance(source, Derives):  # fields filled from other kinds, now over the whole merged data
        source.derive(merged.frames)
    merged.meta.incremental_since = since
    plan.sides[side] = {"mode": "incremental", "since": since.isoformat(), "previous_run": plan.previous_run,
                        "kinds": kinds}
    return merged, previous_raw


# How long (seconds) the main thread waits for the pulls at a time. The OS may hand a terminal's SIGINT to
# any of the process's threads; Python then raises the KeyboardInterrupt in the main thread when that thread
# next runs Python code, which one in an endless wait would not do before both pulls were over. Short, so the
# pulls are told to stop before the page they are waiting for has come (a wake-up costs microseconds).
_SIGNAL_CHECK = 0.05


def _pull_sides(sources: dict[str, Source], state: TaskState, store: Store, plan: PullPlan,
                raws: ThreadPoolExecutor) -> list[tuple[Extract, Future[RawParts]]]:
    """Both sides pulled (``_pull``), each side's raw parts then made on ``raws``; per side, in
    ``SIDES`` order, its extract and its parts to come.

    Where a side asks a service, the two sides are pulled at once: a pull spends most of its time
    waiting for its service's answers (an HTTP round trip per page or batch, a Bulk job being
    processed), and the other side's pages are read meanwhile. Two sides read from files are read one
    after the other: reading a file waits for nothing, and both at once would hold both sides' raw
    text in memory together. When one side fails, the other stops at its next check (between pages),
    and the run fails with the failing side's own error (the CRM's if both failed, as when pulled in turn)."""
    stop = threading.Event()
    together = any(source.meta.connector != "files" for source in sources.values())

    def pull(side: str) -> tuple[Extract, Future[RawParts]]:
        try:
            if stop.is_set():  # the other side failed before this one started
                raise Cancelled("the other side's pull failed")
            extract, stored = _pull(sources[side], side, state, store, plan, stop)
            check_cancelled(state)
        except BaseException:
            stop.set()
            raise
        return extract, raws.submit(_raw_parts, extract, stored, state)

    with ThreadPoolExecutor(max_workers=2 if together else 1, thread_name_prefix="pull") as pool:
        futures: list[Future[tuple[Extract, Future[RawParts]]]] = []
        try:
            # submitted inside the try: a Ctrl+C while the second pull is being handed to its thread
            # (the first already asking its service) must stop the first too, or leaving the pool waits for it
            for side in SIDES:
                futures.append(pool.submit(pull, side))
            while wait(futures, timeout=_SIGNAL_CHECK).not_done:
                pass
        except BaseException:  # interrupted (Ctrl+C in a terminal): the pulls end at their next check
            stop.set()
            raise
    failures = [exc for f in futures if (exc := f.exception()) is not None]
    # a side stopped because the other failed raises Cancelled: the failure itself is the one told
    told = [exc for exc in failures if not isinstance(exc, Cancelled)] or failures
    if told:
        raise told[0]
    return [f.result() for f in futures]


def _pull_files(source: Source, side: str, progress: Progress, store: Store | None,
                plan: PullPlan | None, parts: list[StoredPart] | None = None) -> tuple[Extract, RawParts | None]:
    """Files: when every file the side reads has the size, modification time and SHA-256 it had at the
    previous run of this configuration, that run's data is taken as it was stored, without reading
    them again (its raw records' parts not even decompressed); otherwise they are read in full."""
    from workbench.store.snapshots import load_reused

    if plan is None:
        return _pulled(source, progress), None
    before = (plan.previous_pulls.get(side) or {}).get("files")
    run = plan.previous_run
    if plan.why_full or run is None or store is None or not before \
            or _stats(source.meta) != {name: print_[:2] for name, print_ in before.items()}:
        # Nothing to reuse whatever the contents say: the files are hashed for the next run while they
        # are read (hashing lets go of the GIL), not before.
        before_read = _stats(source.meta)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fingerprints") as pool:
            hashing = pool.submit(_fingerprints, source.meta)
            extract: Extract | None = _pulled(source, progress)
            prints = _settled(hashing.result(), before_read, _stats(source.meta))
    else:
        extract, prints = None, _fingerprints(source.meta)
    if plan.why_full or run is None or store is None:
        why = plan.why_full or "no earlier run to build on"
    elif not before:
        why = f"run {run} recorded no fingerprints of its files"
    elif before != prints:
        moved = sorted(n for n in set(before) | set(prints) if before.get(n) != prints.get(n))
        why = f"{', '.join(moved)} changed since run {run}"
    elif (reused := load_reused(store, run, side, parts)) is None:
        why = f"run {run} has no stored data for this side to build on"
    else:
        plan.sides[side] = {"mode": "reused", "previous_run": run, "files": prints}
        reused[0].meta.incremental_since = None
        return reused
    plan.sides[side] = {"mode": "full", "why": why, "files": prints}
    return (extract if extract is not None else _pulled(source, progress)), None


def _pulled(source: Source, progress: Progress) -> Extract:
    extract = source.pull(progress)
    return extract.finish() if extract.meta.content_hash is None else extract


def _raw_parts(extract: Extract, stored: RawParts | PreviousRaw | None, state: TaskState | None) -> RawParts:
    """The side's raw parts: as stored, merged over a previous run's stored records, or taken now."""
    if isinstance(stored, PreviousRaw):
        assert isinstance(extract, MergedRaw)  # merged over them
        return merged_raw(extract, stored, state)
    return stored if stored is not None else take_raw(extract, state)


def _files_of(meta: SourceMeta) -> list[tuple[str, Path]]:
    return [(str(name), Path(meta.instance or ".") / str(name)) for name in sorted(set(meta.objects.values()))]


def _stats(meta: SourceMeta) -> dict[str, list[int]]:
    """name -> [size, modification time (ns)] of each file the files connector reads (the first two
    parts of its fingerprint); empty when one of them cannot be read."""
    try:
        return {name: [st.st_size, st.st_mtime_ns] for name, path in _files_of(meta) for st in (path.stat(),)}
    except OSError:
        return {}


def _settled(prints: dict[str, list[Any]], before: dict[str, list[int]], after: dict[str, list[int]]
             ) -> dict[str, list[Any]]:
    """The fingerprints, without the SHA-256 of a file whose size or modification time moved while it was
    read and hashed (an export job rewriting it meanwhile): the hash may be of other bytes than the rows
    read, and the next run, finding no match, reads the file again instead of reusing those rows."""
    return {name: print_ if before.get(name) == after.get(name) == print_[:2] else [*print_[:2], None]
            for name, print_ in prints.items()}


def _fingerprints(meta: SourceMeta) -> dict[str, list[Any]]:
    """name -> [size, modification time (ns), SHA-256] of each file the files connector reads; empty
    when one of them cannot be read (the pull then says what is wrong)."""
    import hashlib
    import stat

    out: dict[str, list[Any]] = {}
    for name, path in _files_of(meta):
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):  # a device never ends, a pipe blocks on opening: the pull refuses it
                return {}
            h = hashlib.sha256()
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
        except OSError:
            return {}
        out[name] = [st.st_size, st.st_mtime_ns, h.hexdigest()]
    return out


def _previous(source: Source, side: str, store: Store | None, plan: PullPlan | None,
              parts: list[StoredPart] | None = None) -> tuple[Extract, PreviousRaw | None] | None:
    """The previous run's data of this side to build on, or None with the reason noted in the plan."""
    from workbench.store.snapshots import load_previous

    if plan is None:
        return None
    previous = None
    if plan.why_full:
        why = plan.why_full
    elif not isinstance(source, DeltaSource):
        why = f"the {source.meta.connector} connector reads everything each time"
    elif store is None or plan.previous_run is None:
        why = "no earlier run to build on"
    else:
        previous = load_previous(store, plan.previous_run, side, parts)
        why = f"run {plan.previous_run} has no stored data for this side to build on"
    if previous is None:
        plan.sides[side] = {"mode": "full", "why": why}
    return previous


def _no_overlap(plan: PullPlan) -> str | None:
    """A warning where a side was asked for its changes from the previous run's very start: systems stamp a
    record when its transaction starts and show it when it commits (Odoo's ``write_date`` is ``cr.now()``;
    Salesforce's getUpdated says so with *latestDateCovered*), so a change committing across that start is
    stamped before it and not read (docs/incremental.md, *Since when*)."""
    sides = [side.upper() for side in SIDES if (plan.sides.get(side) or {}).get("mode") == "incremental"]
    if plan.overlap or not sides:
        return None
    return (f"[run] overlap_minutes = 0: the {' and '.join(sides)} changes were asked for from the previous run's "
            f"very start, so a change a system stamped as its transaction began and committed after that start "
            f"was not read. Leave the overlap at its default of {DEFAULT_OVERLAP_MINUTES} minutes, or set it above "
            f"the longest posting batch")


def execute_run(config: RunConfig, store: Store, *, user: str | None = None,
                state: TaskState | None = None, full: bool = False) -> RunOutcome:
    from workbench.team.users import require, resolve_user

    state = state or NullProgress()
    started = datetime.now(UTC)
    with store.session() as s:
        user = resolve_user(s, user)
        require(s, user, "run")
        ensure_open(s, period=config.period)  # a certified period takes no new runs until reopened
    # Open both sources first so a config mistake on either side stops the run before any pull.
    sources: dict[str, Source] = {}
    try:
        try:
            for side in ("crm", "erp"):
                sources[side] = open_source(side, config)
        except WorkbenchError as exc:
            repo.record_fail(store, config, user=user, started_at=started, status="failed", error=exc.one_line())
            raise
        return _execute(config, store, sources, user, state, started, full)
    finally:
        for source in sources.values():
            source.close()


def _execute(config: RunConfig, store: Store, sources: dict[str, Source], user: str, state: TaskState,
             started: datetime, full: bool) -> RunOutcome:
    from workbench.reconcile.engine import reconcile

    try:
        plan = plan_pulls(config, store, full=full)
        # Each side's raw records are compressed into their stored parts as soon as it is pulled, on a
        # worker thread (zstd lets go of the GIL), while the other side is still being pulled or the
        # engine starts. Their text is let go long before the engine's own peak.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="raw-parts") as pool:
            (crm, crm_raw), (erp, erp_raw) = _pull_sides(sources, state, store, plan, pool)
            give_back()  # what the pulls dropped, before the engine adds its own (see workbench.memory)
            state.set_progress(0, None, "Reconciling")
            result = reconcile(crm, erp, config, state)
            check_cancelled(state)
            raw = {"erp": erp_raw.result(), "crm": crm_raw.result()}
        give_back()  # and what the engine dropped, before the save encodes the frames
        if (said := _no_overlap(plan)) is not None:
            result.stats.setdefault("warnings", []).append(said)
        summary = RunSummary.build(crm, erp, result).to_json()
        summary["pulls"] = plain({side: plan.sides[side] for side in SIDES if side in plan.sides})
        state.set_progress(0, None, "Saving the run")
        # with the period's materiality waivers (each an audit event) in the same transaction: a run is
        # never stored without them, whenever the process ends
        run_id = repo.save_run(store, config, crm, erp, result, user=user, started_at=started,
                               summary=summary, state=state, raw=raw,
                               then=lambda s, rid: waive_immaterial(s, rid, user))
    except Cancelled:
        repo.record_fail(store, config, user=user, started_at=started, status="cancelled",
                         error="cancelled by the user")
        raise
    except KeyboardInterrupt:  # Ctrl+C in a terminal (during the pulls, both end at their next check: _pull_sides)
        # (the save and its waivers are one transaction: interrupted there, nothing of the run is stored)
        with contextlib.suppress(Exception):
            repo.record_fail(store, config, user=user, started_at=started, status="cancelled",
                             error="interrupted (Ctrl+C)")
        raise
    except WorkbenchError as exc:
        repo.record_fail(store, config, user=user, started_at=started, status="failed", error=exc.one_line())
        raise
    except Exception as exc:  # a full disk, no memory: the run's list still shows it failed, and why
        with contextlib.suppress(Exception):  # the store may be what failed; the first error is the one told
            repo.record_fail(store, config, user=user, started_at=started, status="failed", error=error_line(exc))
        raise
    state.set_progress(1, 1, "Done")
    return RunOutcome(run_id, result, summary)


def format_summary(summary: dict[str, Any], run_id: int | None = None) -> str:
    """The run summary as a plain-text report for the terminal: labels from the label table
    (with the type code ``--type`` takes), amounts to their currency's minor units, no Python reprs."""
    run = read_summary(summary) or RunSummary()
    lines = []
    if run_id is not None:
        lines.append(f"Run {run_id}")
    rec = run.records
    kinds = sorted(set(rec.get("crm", {})) | set(rec.get("erp", {})))
    lines.append("")
    lines.append(f"{'Records':<14}{'CRM':>12}{'ERP':>12}")
    for k in kinds:
        lines.append(f"{k:<14}{rec.get('crm', {}).get(k, 0):>12,}{rec.get('erp', {}).get(k, 0):>12,}")
    lines.append("")
    lines.append(f"Customer links: {run.links_total:,}"
                 + (f"  ({', '.join(f'{m} {n:,}' for m, n in run.links.items())})"
                    if run.links else "")
                 + f"; suggested for review: {run.suggested_links:,}")
    lines.append("")
    exc = run.exceptions
    lines.append(f"{'Exceptions by type':<44}{'Count':>10}  Code")
    for kind, n in exc.items():
        lines.append(f"{type_label(kind)[:43]:<44}{n:>10,}  {kind}")
    lines.append(f"{'Total':<44}{run.exceptions_total:>10,}")
    totals = run.control_totals
    if totals:
        lines.append("")
        lines.append(f"{'Control totals':<16}{'Currency':<10}{'Invoices':>10}{'Total amount':>20}{'Open balance':>20}")
        for t in totals:
            ccy = t.get("currency") or ""
            lines.append(f"{str(t.get('side', '')).upper():<16}{ccy:<10}{t.get('invoices', 0):>10,}"
                         f"{amount_text(t.get('total_amount'), ccy):>20}{amount_text(t.get('open_balance'), ccy):>20}")
        diff = run.stats.get("reconciling")
        if isinstance(diff, dict) and diff:
            lines += [""] + _reconciling_lines({ccy: d for ccy, d in sorted(diff.items()) if isinstance(d, dict)})
    lines += format_ledger(run.ledger)
    for warning in run.stats.get("warnings") or ():
        lines.append(f"Warning: {warning}")
    for side, u in run.api_usage.items():
        lines.append(f"API usage {side.upper()}: {_usage_text(u)}")
    lines += [pull_line(side, p) for side, p in (summary.get("pulls") or {}).items()]
    return "\n".join(lines)


def _reconciling_lines(diff: dict[str, dict[str, Any]]) -> list[str]:
    """The open-balance difference per currency: what the exceptions explain, the reconciling items no
    exception reports (a column each where any currency has one: within tolerance, in flight, drafts, matched
    in another currency),
    and what is left unexplained."""
    items = [why for why in Unreported if any(is_nonzero(d.get(why.value)) for d in diff.values())]
    columns = [("difference", "CRM - ERP"), ("explained", "Explained"),
               *((why.value, UNREPORTED_LABELS[why]) for why in items), ("unexplained", "Unexplained")]
    # each column as wide as its label needs ("Matched in another currency"), at least an amount's 22
    widths = [max(22, len(label) + 2) for _, label in columns]
    lines = [f"{'Open balance difference':<26}{'Currency':<10}"
             + "".join(f"{label:>{w}}" for (_, label), w in zip(columns, widths))]
    for ccy, d in diff.items():
        lines.append(f"{'':<26}{ccy:<10}"
                     + "".join(f"{amount_text(d.get(key), ccy):>{w}}" for (key, _), w in zip(columns, widths)))
    return lines


def _usage_text(value: Any) -> str:
    """A connector's usage figures in words: "calls 15, by resource: query 14, sobjects 1, max 15,000"."""
    if isinstance(value, dict):
        parts = [f"{str(k).replace('_', ' ')}{':' if isinstance(v, dict) else ''} {_usage_text(v)}"
                 for k, v in value.items() if not is_missing(v) and v != {}]
        return ", ".join(parts) if parts else "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_usage_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
