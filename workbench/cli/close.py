"""`workbench close status|signoff|certify|reopen|carry-forward|rates|materiality --period P`: the month-end
close; `workbench exceptions comment|attach|assign|evidence`: the work on one item."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

from workbench.cli import add_db_option
from workbench.model.labels import type_label
from workbench.model.money import amount_text


def _acting(store: Any, name: str | None) -> str:
    """Who runs the command: ``--user`` may only name yourself (``acting_user``), as for corrections and runs.
    Taken as typed, a preparer certified and reopened the close, or commented, as the approver."""
    from workbench.team.users import acting_user
    with store.session() as s:
        return acting_user(s, name)


def _by_severity(counts: dict[str, int]) -> str:
    """"1 critical, 2 high, 1 low": most severe first, as the Close screen lists them (not A to Z)."""
    from workbench.close.materiality import SEVERITIES  # the store's modules load only when a command runs
    order = [s for s in SEVERITIES if s in counts] + sorted(set(counts) - set(SEVERITIES))
    return ", ".join(f"{counts[sev]:,} {sev}" for sev in order if counts[sev])


def cmd_status(args: argparse.Namespace) -> int:
    from workbench.close import signoff as close
    from workbench.close.aging import period_aging
    from workbench.close.fx import rates_of
    from workbench.close.materiality import materiality_of
    from workbench.close.periods import get_period
    from workbench.store.db import open_store

    store = open_store(args.db)
    with store.session() as s:
        period = get_period(s, args.period)
        snap = close.snapshot(s, period)
        out = sys.stdout
        out.write(f"Period {period.name}: {period.state.replace('_', ' ')}\n")
        out.write(f"  latest run: {snap.run_id if snap.run_id is not None else '(none)'}\n")
        counts = _by_severity(snap.open_by_severity) or "none"
        out.write(f"  open items: {counts}\n")
        for cur, total in snap.open_total_by_currency.items():
            out.write(f"  at risk: {amount_text(total, cur)} {cur}\n")  # stored text shown as it is if no amount
        if snap.reporting_total is not None:
            out.write(f"  at risk in {snap.reporting_currency}: "
                      f"{amount_text(snap.reporting_total, snap.reporting_currency)} {snap.reporting_currency} "
                      f"({period.fx_source})\n")
        elif snap.reporting_currency and snap.open_total_by_currency:
            lacking = sorted(set(snap.open_total_by_currency) - set(rates_of(s, period.name)))
            out.write(f"  at risk in {snap.reporting_currency}: not known, the FX table ({period.fx_source}) has no "
                      f"rate for {', '.join(lacking)}: load one with workbench close rates --period {period.name}\n")
        ages = period_aging(s, period, datetime.now(UTC).date())
        out.write("  aging: " + ", ".join(f"{b} days: {n:,}" for b, n in ages.buckets.items()) + "\n")
        at_risk = [f"{b} days: " + ", ".join(f"{amount_text(str(v), c)} {c}" for c, v in ages.amounts[b].items())
                   for b in ages.buckets if ages.amounts.get(b)]
        if at_risk:  # per currency, adding up to the amounts at risk above
            out.write("  aging at risk: " + "; ".join(at_risk) + "\n")
        late = _by_severity(ages.overdue_by_severity)
        out.write(f"  overdue: {ages.overdue:,}" + (f" ({late})" if late else "") + "\n")
        rules = materiality_of(period)
        if not rules.empty:
            parts = ([f"absolute {rules.absolute}"] if rules.absolute is not None else []) + \
                [f"{sev} {v}" for sev, v in sorted(rules.by_severity.items())]
            out.write(f"  materiality ({period.reporting_currency}): {', '.join(parts)}\n")
        carried = close.carried_forward(s, period.name)
        for key, c in carried.items():
            out.write(f"  carried forward: {key} by {c.actor}: {c.reason}\n")
        hist = close.history(s, period.name)
        for h in hist:
            why = f": {h.reason}" if h.reason else ""
            out.write(f"  {h.at:%Y-%m-%d %H:%M} UTC  {h.action:<8} by {h.actor}{why}\n")
        last = next((h for h in reversed(hist) if h.action in ("signoff", "certify")), None)
        if last is not None and period.state != "open":
            moved = snap.moved_since(last)
            said = f"CHANGED ({', '.join(moved)}): sign it off again" if moved else "unchanged"
            out.write(f"  since the last {last.action}: {said}\n")
    return 0


def cmd_signoff(args: argparse.Namespace) -> int:
    from workbench.close import signoff as close
    from workbench.store.db import open_store

    store = open_store(args.db)
    row = close.signoff(store, args.period, _acting(store, args.user), note=args.note)
    digest = (row.snapshot_hash or "")[:12]
    print(f"Period {args.period} signed off by {row.actor} (snapshot {digest}); "
          f"a reviewer certifies it next: workbench close certify --period {args.period}")
    return 0


def cmd_certify(args: argparse.Namespace) -> int:
    from workbench.close import signoff as close
    from workbench.store.db import open_store

    store = open_store(args.db)
    row = close.certify(store, args.period, _acting(store, args.user), note=args.note)
    print(f"Period {args.period} certified by {row.actor}; it is locked until reopened")
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    from workbench.close import signoff as close
    from workbench.store.db import open_store

    store = open_store(args.db)
    row = close.reopen(store, args.period, _acting(store, args.user), args.reason)
    print(f"Period {args.period} reopened by {row.actor}: {row.reason}")
    return 0


def cmd_carry_forward(args: argparse.Namespace) -> int:
    from workbench.close import signoff as close
    from workbench.store.db import open_store

    store = open_store(args.db)
    row = close.carry_forward(store, args.period, args.key, _acting(store, args.user), args.reason)
    print(f"{row.exception_key} carried forward from {args.period} by {row.actor}")
    return 0


def cmd_rates(args: argparse.Namespace) -> int:
    from workbench.close.fx import read_rates_file, set_rates
    from workbench.close.lock import ensure_open, hold
    from workbench.close.periods import check_name, get_period
    from workbench.store.db import open_store
    from workbench.team.users import require

    rates, source = read_rates_file(Path(args.file))
    store = open_store(args.db)
    user = _acting(store, args.user)
    with store.session() as s:
        require(s, user, "signoff")
        hold(s, check_name(args.period))  # before the reads: a sign-off or a run under way is waited for
        period = get_period(s, args.period, create=True)
        ensure_open(s, period=period.name)
        set_rates(s, period, args.reporting_currency, rates, source, actor=user)  # with its audit event
    print(f"Period {args.period}: {len(rates)} rate(s) to {args.reporting_currency.upper()} from {source}")
    return 0


def cmd_materiality(args: argparse.Namespace) -> int:
    from workbench.close.materiality import parse_thresholds, set_materiality
    from workbench.store.db import open_store

    rules = parse_thresholds(args.absolute, args.severity or [])
    store = open_store(args.db)
    period = set_materiality(store, args.period, _acting(store, args.user), rules)
    print(f"Period {period.name}: materiality in {period.reporting_currency} set to {period.materiality}; "
          "the next run of the period waives open items at or below it")
    return 0


def cmd_unwaive(args: argparse.Namespace) -> int:
    from workbench.close.materiality import lift_waiver
    from workbench.store.db import open_store

    store = open_store(args.db)
    (exception_id,) = _one(args.id)
    exc = lift_waiver(store, exception_id, _acting(store, args.user), args.reason, period=args.period)
    print(f"Exception {exc.id}: its automatic waiver is undone ({exc.resolution}); it is reopened and no run "
          "waives it again by rule")
    return 0


def _exception_ids(text: str) -> list[int]:
    from workbench.errors import InputError

    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"--id {text!r}: expected exception ids such as 12 or 12,13") from None


def cmd_comment(args: argparse.Namespace) -> int:
    from workbench.close.evidence import add_comment
    from workbench.store.db import open_store

    store = open_store(args.db)
    (exception_id,) = _one(args.id)
    add_comment(store, exception_id, _acting(store, args.user), args.text)
    print(f"Comment added to exception {exception_id}")
    return 0


def _one(text: str) -> list[int]:
    from workbench.errors import InputError

    ids = _exception_ids(text)
    if len(ids) != 1:
        raise InputError(f"--id {text!r}: expected one exception id")
    return ids


def cmd_attach(args: argparse.Namespace) -> int:
    from workbench.close.evidence import attach
    from workbench.store.db import open_store

    store = open_store(args.db)
    (exception_id,) = _one(args.id)
    info = attach(store, exception_id, _acting(store, args.user), Path(args.file))
    print(f"Attached {info.file_name} ({info.size:,} bytes, sha256 {info.sha256}) to exception {exception_id}")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from workbench.review.assign import assign
    from workbench.store.db import open_store

    store = open_store(args.db)
    changed = assign(store, _exception_ids(args.id), _acting(store, args.user), args.to)
    who = args.to or "nobody"
    print(f"{len(changed):,} exception(s) assigned to {who}")
    return 0


def cmd_evidence(args: argparse.Namespace) -> int:
    from workbench.close.evidence import attachments, comments
    from workbench.errors import InputError
    from workbench.store.db import open_store
    from workbench.store.schema import ExceptionRow

    store = open_store(args.db)
    (exception_id,) = _one(args.id)
    with store.session() as s:
        exc = s.get(ExceptionRow, exception_id)
        if exc is None:
            raise InputError(f"exception {exception_id} does not exist in this store")
        number = exc.erp_number or exc.crm_number
        print(f"Exception {exc.id}: {type_label(exc.type)}" + (f", {number}" if number else "")
              + (f", {exc.customer_name}" if exc.customer_name else ""))
        for c in comments(s, exc.key):
            print(f"  {c.at:%Y-%m-%d %H:%M} UTC  {c.author}: {c.text}")
        for a in attachments(s, exc.key):
            print(f"  {a.at:%Y-%m-%d %H:%M} UTC  {a.uploader} attached {a.file_name} ({a.size:,} bytes, "
                  f"sha256 {a.sha256})")
    return 0


def register_exception_actions(p: argparse.ArgumentParser) -> None:
    """``workbench exceptions comment|attach|assign|evidence``: the actions on one listed exception."""
    inner = p.add_subparsers(dest="exceptions_command", metavar="ACTION")

    def action(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        q = inner.add_parser(name, help=help_text, description=help_text)
        q.add_argument("--user", help="who is acting (default: your OS login, mapped to a workbench user)")
        add_db_option(q)
        q.set_defaults(func=func)
        return q

    q = action("comment", cmd_comment, "add a comment to an exception (kept with who and when; never edited)")
    q.add_argument("--id", required=True, help="the exception's id (see workbench exceptions)")
    q.add_argument("--text", required=True, help="the comment")
    q = action("attach", cmd_attach, "attach a supporting file to an exception (stored with its SHA-256)")
    q.add_argument("--id", required=True, help="the exception's id (see workbench exceptions)")
    q.add_argument("--file", required=True, help="the file to attach (at most 25 MB)")
    q = action("assign", cmd_assign, "give exceptions to a user (--to \"\" unassigns)")
    q.add_argument("--id", required=True, help="exception ids, comma-separated")
    q.add_argument("--to", required=True, help="the user who works on them")
    q = action("evidence", cmd_evidence, "list an exception's comments and attached files with their hashes")
    q.add_argument("--id", required=True, help="the exception's id")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("close", help="month-end close: status, sign-off, certification, reopening, FX rates")
    inner = p.add_subparsers(dest="close_command", metavar="ACTION", required=True)

    def action(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        q: argparse.ArgumentParser = inner.add_parser(name, help=help_text, description=help_text)
        q.add_argument("--period", required=True, help="the period, as in the run config's [run] period (YYYY-MM)")
        q.add_argument("--user", help="who is acting (default: your OS login, mapped to a workbench user)")
        add_db_option(q)
        q.set_defaults(func=func)
        return q

    action("status", cmd_status, "the period's open items, totals, sign-off history and whether anything moved")
    q = action("signoff", cmd_signoff, "sign the period off as its preparer (freezes open items and totals)")
    q.add_argument("--note", help="a note kept with the sign-off")
    q = action("certify", cmd_certify, "certify a signed-off period as its reviewer; this locks the period")
    q.add_argument("--note", help="a note kept with the certification")
    q = action("reopen", cmd_reopen, "reopen a signed-off or certified period (approver or admin), with a reason")
    q.add_argument("--reason", required=True, help="why the period is reopened (kept in the audit trail)")
    q = action("carry-forward", cmd_carry_forward, "leave an open critical item for the next period, with a reason")
    q.add_argument("--key", required=True, help="the exception's key (see workbench exceptions --format json)")
    q.add_argument("--reason", required=True, help="why it stays open")
    q = action("rates", cmd_rates, "load the period's FX table (CSV: currency,rate) into a reporting currency")
    q.add_argument("--file", required=True, help="CSV file with currency,rate rows (units of the reporting "
                                                 "currency per unit of the currency)")
    q.add_argument("--reporting-currency", required=True, help="ISO 4217 code of the reporting currency, e.g. EUR")
    q = action("materiality", cmd_materiality, "set the period's materiality thresholds (in its reporting "
               "currency): later runs waive open items at or below them, each waiver in the audit trail")
    q.add_argument("--absolute", help="waive items whose amount at risk is at most this (not critical items)")
    q.add_argument("--severity", action="append", metavar="SEVERITY=AMOUNT",
                   help="a threshold for one severity, e.g. low=100 (repeatable; critical only when named)")
    q = action("unwaive", cmd_unwaive, "undo one automatic (materiality) waiver of the period, with a reason: the "
               "item is reopened and no later run waives it by rule")
    q.add_argument("--id", required=True, help="the exception's id (see workbench exceptions)")
    q.add_argument("--reason", required=True, help="why the item matters after all (kept in the audit trail)")
