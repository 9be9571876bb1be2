"""`workbench corrections list|propose|approve|reject|waive|push|replay|export-csv|import-results` and
`workbench audit verify|acknowledge`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

from workbench.cli import add_db_option
from workbench.cli.output import check_choices, dumps, fit
from workbench.model.labels import correction_state_label, field_label, value_text
from workbench.model.missing import is_missing
from workbench.model.states import CorrectionState

if TYPE_CHECKING:
    from workbench.corrections.proof import StateCheck
    from workbench.store.anchor import AnchorCheck
    from workbench.store.db import Store
    from workbench.store.trail import VerifyResult

FILTER_ARGS = [  # (option, filter name, help)
    ("--state", "state", "correction state(s), comma-separated (proposed, approved, queued, applied, ...)"),
    ("--run", "run_id", "run id(s)"),
    ("--type", "exception_type", "exception type(s), e.g. invoice.status_mismatch"),
    ("--family", "family", "exception family(ies): customer, pricing, invoice, ..."),
    ("--side", "target_side", "side written to: crm or erp"),
    ("--system", "target_system", "target system(s), e.g. salesforce, business_central"),
    ("--object", "object", "target object(s), e.g. customers, invoices"),
    ("--field", "field", "field(s) changed"),
    ("--preparer", "preparer", "who proposed"),
    ("--approver", "approver", "who approved"),
    ("--customer", "customer", "customer name contains (case-insensitive)"),
    ("--ids", "ids", "correction ids, comma-separated"),
]


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    """The filters given, each checked against the values that exist (an unknown one is exit 2)."""
    from workbench.model.records import KINDS
    from workbench.reconcile.rules import TYPE_SEVERITY
    found = {name: getattr(args, name) for _, name, _ in FILTER_ARGS if getattr(args, name, None)}
    valid = {"exception_type": (TYPE_SEVERITY, "--type"),
             "family": ({t.split(".")[0] for t in TYPE_SEVERITY}, "--family"),
             "target_side": (("crm", "erp"), "--side"), "object": (KINDS, "--object")}
    for name, (values, option) in valid.items():
        if name in found:
            check_choices(option, [v.strip() for v in str(found[name]).split(",") if v.strip()], values)
    return found




def _store(args: argparse.Namespace) -> Store:
    from workbench.store.db import open_store
    return open_store(args.db)


def _user(store: Store, name: str | None) -> str:
    from workbench.team.users import acting_user
    with store.session() as s:
        return acting_user(s, name)


def _ids(values: list[str]) -> list[int]:
    from workbench.errors import InputError
    out = []
    for v in values:
        for part in str(v).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise InputError(f"'{part}' is not an id", expected="whole numbers such as 12 or 12,13")
            out.append(int(part))
    return out


def _fields(r: Mapping[Hashable, Any]) -> str:
    """The field changed, and how many more a compound correction changes with it."""
    more = len(r.get("also") or [])
    return f"{field_label(r['field'])} +{more}" if more else field_label(r["field"])


def cmd_list(args: argparse.Namespace) -> int:
    from workbench.corrections.service import list_corrections
    store = _store(args)
    try:
        df = list_corrections(store, **_filters(args))
    finally:
        store.dispose()
    if args.format == "json":
        rows = [r | {"state_label": correction_state_label(r["state"], r["verification"])}
                for r in df.to_dict("records")]
        print(dumps(rows))
        return 0
    if df.empty:
        print("no corrections match")
        return 0
    print(f"{'Id':>6} {'Exc':>6}  {'State':<24}{'Side':<5}{'Record':<20}{'Field':<16}{'From':>18}{'To':>18}  "
          f"{'Preparer':<12}{'Approver':<12}Note")
    for r in df.to_dict("records"):
        note = next((n for n in (r["state_reason"], r["last_error"], r["verification"], r["reason"])
                     if not is_missing(n) and n), "")
        state = correction_state_label(r["state"], r["verification"])
        print(f"{r['id']:>6} {fit(r['exception_id'], 6):>6}  {fit(state, 23):<24}"
              f"{fit(str(r['target_side']).upper(), 4):<5}{fit(r['target_record'], 19):<20}"
              f"{fit(_fields(r), 15):<16}{fit(value_text(r['from_value']), 17):>18}"
              f"{fit(value_text(r['to_value']), 17):>18}  {fit(r['preparer'], 11):<12}"
              f"{fit(r['approver'], 11):<12}{fit(note, 60)}")
    print(f"{len(df)} correction(s)")
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    from workbench.corrections.service import propose
    store = _store(args)
    try:
        user = _user(store, args.user)
        cid = propose(store, args.exception, user, field=args.field, to_value=args.value, reason=args.reason,
                      target_side=args.target, deliver=args.deliver)
    finally:
        store.dispose()
    after = ("then `workbench corrections export-csv` writes it for loading" if args.deliver == "csv"
             else "then `workbench corrections push` writes it")
    print(f"correction {cid} proposed by {user}; it needs approval by someone else, {after}")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from workbench.corrections.service import approve, approve_matching
    from workbench.errors import InputError
    store = _store(args)
    try:
        user = _user(store, args.user)
        if args.all_matching:
            if args.correction_ids:
                raise InputError("give either correction ids or --all-matching with filters, not both")
            done = approve_matching(store, user, reason=args.reason, **_filters(args))
        else:
            if not args.correction_ids:
                raise InputError("which corrections? give their ids, or --all-matching with filters")
            done = approve(store, _ids(args.correction_ids), user, args.reason)
    finally:
        store.dispose()
    print(f"{len(done)} correction(s) approved by {user}" + (f": {_id_list(done)}" if done else ""))
    return 0


def _id_list(ids: list[int]) -> str:
    return ", ".join(map(str, ids[:20])) + (f" … (+{len(ids) - 20})" if len(ids) > 20 else "")


def _decide(args: argparse.Namespace, action_name: str, ids: list[int], done_text: str) -> int:
    """Run one of the service's decisions (reject, waive, replay) as ``--user`` and say what it did."""
    from workbench.corrections import service
    store = _store(args)
    try:
        user = _user(store, args.user)
        done = getattr(service, action_name)(store, ids, user, args.reason)
    finally:
        store.dispose()
    print(done_text.format(n=len(done), user=user, ids=_id_list(done)))
    return 0


def cmd_reject(args: argparse.Namespace) -> int:
    return _decide(args, "reject", _ids(args.correction_ids), "{n} correction(s) rejected by {user}: {ids}")


def cmd_waive(args: argparse.Namespace) -> int:
    return _decide(args, "waive", _ids(args.exception_ids), "{n} exception(s) waived by {user}: {ids}")


def cmd_replay(args: argparse.Namespace) -> int:
    return _decide(args, "replay", _ids(args.correction_ids),
                   "{n} dead letter(s) queued again by {user}: {ids}; run `workbench corrections push`")


def cmd_push(args: argparse.Namespace) -> int:
    from workbench import config as cfg
    from workbench.cli.progress import ConsoleProgress
    from workbench.corrections.outbox.push import Backoff
    from workbench.corrections.service import push
    store = _store(args)
    progress = ConsoleProgress()
    try:
        user = _user(store, args.user)
        config = cfg.load(args.config) if args.config else None
        rep = push(store, user, config=config, state=progress, max_attempts=args.max_attempts,
                   backoff=Backoff(base=args.backoff), wait=not args.no_wait,
                   ids=_ids(args.ids) if args.ids else None)
    finally:
        progress.close()
        store.dispose()
    if args.format == "json":
        print(dumps(rep.as_dict()))
        return 0
    c = rep.counts
    print(f"pushed in {rep.seconds:.1f} s with {rep.requests} write call(s): "
          f"{c['applied']} applied, {c['already_applied']} already held the value, {c['conflict']} conflict(s), "
          f"{c['dead_letter']} dead letter(s), {c['retried']} retry(ies) scheduled, {rep.pending} still queued")
    rec = c["recovered_applied"] + c["recovered_requeued"] + c["recovered_conflict"]
    if rec:
        print(f"recovered {rec} interrupted push(es): {c['recovered_applied']} had landed, "
              f"{c['recovered_requeued']} queued again, {c['recovered_conflict']} conflict(s)")
    if rep.resumed:
        print(f"resumed verification of {rep.resumed} correction(s) an interrupted push had applied")
    if rep.verified:
        v = rep.verified
        print(f"verification: {v.get('agreed', 0)} agreed, {v.get('still_differs', 0)} still differ, "
              f"{v.get('not_checked', 0)} not checked")
    for r in rep.results:
        if r["state"] in (CorrectionState.CONFLICT, CorrectionState.DEAD_LETTER):
            print(f"  correction {r['correction_id']}: {correction_state_label(r['state'])}: "
                  f"{r['message'] or ''}".rstrip())
    for e in rep.errors:
        print(f"  not pushed: {e}", file=sys.stderr)
    for why in rep.refused:
        print(f"  {why}", file=sys.stderr)
    waiting = _awaiting_export(args)
    if waiting:
        print(f"{waiting} approved correction(s) go to a system Recon Workbench cannot write (a files-based run); "
              "export them with `workbench corrections export-csv`")
    return 1 if rep.errors or rep.refused else 0


def _awaiting_export(args: argparse.Namespace) -> int:
    from workbench.corrections.read_only import csv_route_ids
    from workbench.store.schema import Correction
    from sqlalchemy import select
    store = _store(args)
    try:
        with store.session() as s:
            rows = list(s.execute(select(Correction).where(Correction.state == CorrectionState.APPROVED)).scalars())
            return len(csv_route_ids(s, rows))
    finally:
        store.dispose()


def cmd_export_csv(args: argparse.Namespace) -> int:
    from workbench.corrections.dataloader import BLANK, export_csv
    store = _store(args)
    try:
        user = _user(store, args.user)
        res = export_csv(store, user, Path(args.out), ids=_ids(args.ids) if args.ids else None, run_id=args.run)
    finally:
        store.dispose()
    for why in res.refused:
        print(f"  {why}", file=sys.stderr)
    if not res.files:
        print("no approved corrections to export: corrections to a files-based run are exported once someone "
              "other than their preparer has approved them")
        return 1 if res.refused else 0
    for f in res.files:
        print(f"{f.path}: {f.rows} row(s) for {f.side.upper()} {f.object} (run {f.run_id}), "
              f"correction(s) {', '.join(map(str, f.corrections))}")
    print(f"{len(res.corrections)} correction(s) exported by {user}. Load each file as an Update (Salesforce: "
          f"Data Loader, Auto-Match Fields to Columns; keep 'Insert null values' off: {BLANK} blanks a field), then "
          "read the results back: workbench corrections import-results --success FILE --error FILE")
    return 1 if res.refused else 0


def cmd_import_results(args: argparse.Namespace) -> int:
    from workbench.corrections.dataloader import import_results
    store = _store(args)
    try:
        user = _user(store, args.user)
        res = import_results(store, user, success=Path(args.success) if args.success else None,
                             error=Path(args.error) if args.error else None)
    finally:
        store.dispose()
    print(f"{res.rows} result row(s) read by {user}: {len(res.applied)} correction(s) applied, "
          f"{len(res.failed)} failed (dead letters: fix the cause, then export them again or waive them)")
    if res.applied:
        print("The next run on a fresh extract shows whether the changes held; "
              "`workbench corrections push` records each one's verification from the run's files.")
    return 0


@dataclass(frozen=True)
class AuditReading:
    """What `audit verify` reads of a store: the chain's walk, its head, the anchors' check, the mismatches
    the trail records, and the state replayed from it."""
    chain: VerifyResult
    events: int
    head_hash: str
    anchored: AnchorCheck
    recorded: list[str]
    waiting: set[int]  # the recorded mismatches no approver or admin has acknowledged: pushes wait for them
    state: StateCheck

    @property
    def problems(self) -> list[str]:
        return self.anchored.problems + self.recorded + self.state.problems


def read_audit(store: Store) -> AuditReading:
    """The store as one moment (``Store.snapshot``): read statement by statement, a teammate's change
    committed during the check was seen by one part and not another, and reported as tampering."""
    from workbench.corrections.outbox.guards import unacknowledged_mismatches
    from workbench.corrections.proof import check_store
    from workbench.store import anchor
    from workbench.store.trail import head, verify
    with store.snapshot() as s:
        res = verify(s)
        events, head_hash = head(s)
        return AuditReading(res, events, head_hash, anchor.check(s, store.engine.url, events, head_hash),
                            anchor.recorded_mismatches(s), set(unacknowledged_mismatches(s)), check_store(s))


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """The chain, its anchors, and every correction's, exception's and run's state replayed from it."""
    from workbench.store import anchor
    store = _store(args)
    try:
        reading = read_audit(store)
    finally:
        store.dispose()
    res, events, head_hash, anchored, state = (reading.chain, reading.events, reading.head_hash, reading.anchored,
                                               reading.state)
    problems, waiting = reading.problems, reading.waiting
    if res.ok:
        print(f"audit trail chained: {res.checked} event(s), every hash chains to the one before")
    else:
        print(f"audit trail BROKEN at event {res.first_bad_id}: {res.reason}")
    for note in anchored.notes + state.notes:
        print(f"  note: {note}")
    if waiting:
        print(f"  corrections are not pushed until an approver or admin acknowledges event(s) "
              f"{', '.join(map(str, sorted(waiting)))}: workbench audit acknowledge --reason TEXT")
    if res.ok and not problems:
        print(f"audit trail intact: the state of {state.corrections} correction(s), {state.exceptions} "
              f"exception(s) and {state.runs} run(s) is what the trail proves")
        if events:  # a verified head is one this computer can hold the store to from now on
            anchor.write_local(store.engine.url, events, head_hash)
        return 0
    shown = problems[:50]
    print(f"audit trail does NOT prove the store's state: {len(problems)} problem(s)" if problems else
          "audit trail does NOT prove the store's state")
    for p in shown:
        print(f"  - {p}")
    if len(problems) > len(shown):
        print(f"  … and {len(problems) - len(shown)} more")
    return 1


def cmd_audit_acknowledge(args: argparse.Namespace) -> int:
    """An approver's or admin's word, in the trail, that a recorded change of the trail outside the workbench
    was looked into: corrections are written to the systems again (until the next such change)."""
    from workbench.corrections.outbox.guards import acknowledge_tamper, unacknowledged_mismatches
    store = _store(args)
    try:
        user = _user(store, args.user)
        with store.session() as s:
            done = acknowledge_tamper(s, user, args.reason, args.event or None)
        with store.session() as s:
            left = unacknowledged_mismatches(s)
    finally:
        store.dispose()
    print(f"{user} acknowledged the change(s) of the audit trail recorded in event(s) {', '.join(map(str, done))}")
    if left:
        print(f"still waiting for an acknowledgement: event(s) {', '.join(map(str, left))} (the trail was changed "
              "again; see: workbench audit verify); corrections are not written until they are acknowledged",
              file=sys.stderr)
        return 1
    print("corrections are written to the systems again; `workbench audit verify` still lists the change(s)")
    return 0


def _user_opt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", help="who is acting (default: your OS login, mapped to a workbench user)")


def _filter_opts(p: argparse.ArgumentParser) -> None:
    for opt, name, text in FILTER_ARGS:
        p.add_argument(opt, dest=name, metavar="VALUE", help=text)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = sub.add_parser("corrections", help="propose, approve, push and replay corrections")
    csub = c.add_subparsers(dest="corrections_command", metavar="ACTION", required=True)

    p = csub.add_parser("list", help="list corrections (filters combine)")
    _filter_opts(p)
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="table (states in words) for people, json (codes, exact values, ISO 8601 times) for tools")
    add_db_option(p)
    p.set_defaults(func=cmd_list)

    p = csub.add_parser("propose", help="propose a correction for an exception")
    p.add_argument("exception", type=int, metavar="EXCEPTION_ID", help="the exception to correct (its Id column)")
    p.add_argument("--field", help="field to change (default: the exception's proposal)")
    p.add_argument("--value", help="new value (default: the exception's proposed value)")
    p.add_argument("--target", choices=["crm", "erp"], help="side to change (default: the proposal's)")
    p.add_argument("--deliver", choices=["push", "csv"], default="push",
                   help="push: written through the connector after approval; csv: for a side read from files, "
                        "which cannot be written: exported after approval with `corrections export-csv` for Data "
                        "Loader or the ERP's import (default push)")
    p.add_argument("--reason", help="why the change is right, for the approver and the audit trail")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_propose)

    p = csub.add_parser("approve", help="approve corrections proposed by someone else")
    p.add_argument("correction_ids", nargs="*", metavar="ID", help="corrections to approve (ids, or comma-separated)")
    p.add_argument("--all-matching", action="store_true", help="approve every proposed correction matching "
                                                               "the filters (not your own)")
    _filter_opts(p)
    p.add_argument("--reason", help="the approver's reason, kept in the audit trail and the workbook")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_approve)

    p = csub.add_parser("reject", help="reject proposed corrections")
    p.add_argument("correction_ids", nargs="+", metavar="ID", help="corrections to reject")
    p.add_argument("--reason", required=True, help="why it is rejected (its exception goes back to open)")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_reject)

    p = csub.add_parser("waive", help="waive exceptions (no change needed) with a reason")
    p.add_argument("exception_ids", nargs="+", metavar="EXCEPTION_ID", help="exceptions to waive")
    p.add_argument("--reason", required=True, help="why no change is needed, kept in the audit trail")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_waive)

    p = csub.add_parser("push", help="write approved corrections to their systems")
    p.add_argument("--config", metavar="FILE", help="run config to connect with (default: each run's stored one)")
    p.add_argument("--ids", help="only these correction ids, comma-separated")
    p.add_argument("--max-attempts", type=int, default=5, help="tries before a dead letter (default 5)")
    p.add_argument("--backoff", type=float, default=1.0, help="first retry delay in seconds (default 1)")
    p.add_argument("--no-wait", action="store_true", help="do not wait for scheduled retries")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="table for people, json (every result, ISO 8601 times) for tools")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_push)

    p = csub.add_parser("replay", help="queue chosen dead letters again after a fix")
    p.add_argument("correction_ids", nargs="+", metavar="ID", help="dead letters to queue again")
    p.add_argument("--reason", help="what was fixed (default: replayed)")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_replay)

    p = csub.add_parser("export-csv", help="write approved corrections to a files-based side as Data Loader-style "
                                           "update files, one per object")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="directory for the files (run<N>-<side>-<object>-update.csv: the Id column, then the "
                        "source column of each corrected field)")
    p.add_argument("--ids", help="only these correction ids, comma-separated (default: every approved one)")
    p.add_argument("--run", type=int, help="only corrections of this run")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_export_csv)

    p = csub.add_parser("import-results", help="read a load's success and error files back: each row marks its "
                                               "correction applied or failed")
    p.add_argument("--success", metavar="FILE", help="the loader's success file (rows it updated)")
    p.add_argument("--error", metavar="FILE", help="the loader's error file (rows it refused, with an ERROR column)")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_import_results)

    a = sub.add_parser("audit", help="check the audit trail")
    asub = a.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = asub.add_parser("verify", help="check the hash chain and its anchors, and that every correction's, "
                                       "exception's and run's state is what the trail proves")
    add_db_option(p)
    p.set_defaults(func=cmd_audit_verify)
    p = asub.add_parser("acknowledge", help="as an approver or admin, record that a change of the audit trail "
                                            "outside the workbench was looked into, so corrections are pushed again")
    p.add_argument("--reason", required=True, help="what was checked and why corrections may be written again, "
                                                   "kept in the audit trail")
    p.add_argument("--event", type=int, action="append", metavar="ID",
                   help="a trail.anchor_mismatch event to acknowledge (repeatable; default: every one waiting)")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_audit_acknowledge)
