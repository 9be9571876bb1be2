"""`workbench corrections list|propose|approve|reject|waive|push|replay` and `workbench audit verify`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

from workbench.cli import add_db_option
from workbench.jsonable import plain
from workbench.model.states import CorrectionState

if TYPE_CHECKING:
    from workbench.store.db import Store

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
    return {name: getattr(args, name) for _, name, _ in FILTER_ARGS if getattr(args, name, None)}




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


def _show(v: Any, width: int) -> str:
    text = "" if v is None else str(plain(v))
    return text if len(text) <= width else text[: width - 1] + "…"


def _fields(r: Mapping[Hashable, Any]) -> str:
    """The field changed, and how many more a compound correction changes with it."""
    more = len(r.get("also") or [])
    return f"{r['field']} +{more}" if more else str(r["field"])


def cmd_list(args: argparse.Namespace) -> int:
    from workbench.corrections.service import list_corrections
    store = _store(args)
    try:
        df = list_corrections(store, **_filters(args))
    finally:
        store.dispose()
    if args.format == "json":
        rows = [{k: plain(v) for k, v in r.items()} for r in df.to_dict("records")]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if df.empty:
        print("no corrections match")
        return 0
    print(f"{'Id':>6} {'Exc':>6} {'State':<12}{'Side':<5}{'Record':<20}{'Field':<14}{'From':<18}{'To':<18}"
          f"{'Preparer':<12}{'Approver':<12}Note")
    for r in df.to_dict("records"):
        note = r["state_reason"] or r["last_error"] or r["verification"] or r["reason"] or ""
        print(f"{r['id']:>6} {_show(r['exception_id'], 6):>6} {r['state']:<12}{r['target_side']:<5}"
              f"{_show(r['target_record'], 19):<20}{_show(_fields(r), 13):<14}{_show(r['from_value'], 17):<18}"
              f"{_show(r['to_value'], 17):<18}{_show(r['preparer'], 11):<12}{_show(r['approver'], 11):<12}"
              f"{_show(note, 60)}")
    print(f"{len(df)} correction(s)")
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    from workbench.corrections.service import propose
    store = _store(args)
    try:
        user = _user(store, args.user)
        cid = propose(store, args.exception, user, field=args.field, to_value=args.value, reason=args.reason,
                      target_side=args.target)
    finally:
        store.dispose()
    print(f"correction {cid} proposed by {user}; it needs approval by someone else")
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
        print(json.dumps(rep.as_dict(), indent=2, ensure_ascii=False, default=plain))
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
            print(f"  correction {r['correction_id']}: {r['state']}: {r['message'] or ''}".rstrip())
    for e in rep.errors:
        print(f"  not pushed: {e}", file=sys.stderr)
    for why in rep.refused:
        print(f"  {why}", file=sys.stderr)
    return 1 if rep.errors or rep.refused else 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """The chain, its anchors, and every correction's, exception's and run's state replayed from it."""
    from workbench.corrections.proof import check_store
    from workbench.store import anchor
    from workbench.store.trail import head, verify
    store = _store(args)
    try:
        with store.session() as s:
            res = verify(s)
            events, head_hash = head(s)
            anchored = anchor.check(s, store.engine.url, events, head_hash)
            state = check_store(s)
    finally:
        store.dispose()
    problems = anchored.problems + state.problems
    if res.ok:
        print(f"audit trail chained: {res.checked} event(s), every hash chains to the one before")
    else:
        print(f"audit trail BROKEN at event {res.first_bad_id}: {res.reason}")
    for note in anchored.notes + state.notes:
        print(f"  note: {note}")
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
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_list)

    p = csub.add_parser("propose", help="propose a correction for an exception")
    p.add_argument("exception", type=int, metavar="EXCEPTION_ID")
    p.add_argument("--field", help="field to change (default: the exception's proposal)")
    p.add_argument("--value", help="new value (default: the exception's proposed value)")
    p.add_argument("--target", choices=["crm", "erp"], help="side to change (default: the proposal's)")
    p.add_argument("--reason")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_propose)

    p = csub.add_parser("approve", help="approve corrections proposed by someone else")
    p.add_argument("correction_ids", nargs="*", metavar="ID")
    p.add_argument("--all-matching", action="store_true", help="approve every proposed correction matching "
                                                               "the filters (not your own)")
    _filter_opts(p)
    p.add_argument("--reason")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_approve)

    p = csub.add_parser("reject", help="reject proposed corrections")
    p.add_argument("correction_ids", nargs="+", metavar="ID")
    p.add_argument("--reason", required=True)
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_reject)

    p = csub.add_parser("waive", help="waive exceptions (no change needed) with a reason")
    p.add_argument("exception_ids", nargs="+", metavar="EXCEPTION_ID")
    p.add_argument("--reason", required=True)
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_waive)

    p = csub.add_parser("push", help="write approved corrections to their systems")
    p.add_argument("--config", metavar="FILE", help="run config to connect with (default: each run's stored one)")
    p.add_argument("--ids", help="only these correction ids, comma-separated")
    p.add_argument("--max-attempts", type=int, default=5, help="tries before a dead letter (default 5)")
    p.add_argument("--backoff", type=float, default=1.0, help="first retry delay in seconds (default 1)")
    p.add_argument("--no-wait", action="store_true", help="do not wait for scheduled retries")
    p.add_argument("--format", choices=["table", "json"], default="table")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_push)

    p = csub.add_parser("replay", help="queue chosen dead letters again after a fix")
    p.add_argument("correction_ids", nargs="+", metavar="ID")
    p.add_argument("--reason")
    _user_opt(p)
    add_db_option(p)
    p.set_defaults(func=cmd_replay)

    a = sub.add_parser("audit", help="check the audit trail")
    asub = a.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = asub.add_parser("verify", help="check the hash chain and its anchors, and that every correction's, "
                                       "exception's and run's state is what the trail proves")
    add_db_option(p)
    p.set_defaults(func=cmd_audit_verify)
