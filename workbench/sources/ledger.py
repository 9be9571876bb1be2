"""The read/used/dropped ledger of a run's file extracts, as rows and as text.

The files connector counts, per file, the rows it read, used and dropped (with the reason),
and how its references resolved; the run summary keeps that under ``ledger``. The terminal
summary, the app's run screen and the workbook cover all show it through these functions.
"""

from __future__ import annotations

from typing import Any

from workbench.model.records import KINDS


def in_kind_order(kinds: dict[str, Any]) -> dict[str, Any]:
    """A side's ledger with its kinds in the model's order (customers first, payments last), as a run stores
    it: a run that reused its files reads its ledger back from the store, whose JSON need not keep the order it
    was written in. (Rows are shown in the order stored: a workbook exported earlier still verifies.)"""
    return dict(sorted(kinds.items(), key=lambda kv: (KINDS.index(kv[0]) if kv[0] in KINDS else len(KINDS), kv[0])))


def ledger_rows(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per file read, in the order the run stored them: side, kind, file, read, used, dropped,
    unresolved references, and why."""
    rows = []
    for side in ("crm", "erp"):
        for kind, e in (ledger.get(side) or {}).items():
            dropped = e.get("dropped") or {}
            refs = e.get("references") or {}
            why = [f"{n:,} dropped: {reason}" for reason, n in dropped.items()]
            for fld, r in refs.items():
                for problem in ("ambiguous", "unknown"):
                    if r.get(problem):
                        examples = [x for x in r.get("examples", []) if x.get("problem") == problem][:3]
                        shown = ", ".join(f"row {x['row']} {x['value']!r}"
                                          + (f" (+{x['rows'] - 1:,} more rows)" if x.get("rows", 1) > 1 else "")
                                          for x in examples)
                        why.append(f"{r[problem]:,} {problem} {r.get('column')} ({fld} by {r.get('by')}): {shown}")
            rows.append({"side": side, "kind": kind, "file": e.get("file"), "read": int(e.get("read", 0)),
                         "used": int(e.get("used", 0)), "dropped": int(sum(dropped.values())),
                         "unresolved": int(sum(r.get("ambiguous", 0) + r.get("unknown", 0) for r in refs.values())),
                         "notes": why})
    return rows


def format_ledger(ledger: dict[str, Any]) -> list[str]:
    rows = ledger_rows(ledger)
    if not rows:
        return []
    names = [f"{r['side'].upper()} {r['kind']}: {r['file']}" for r in rows]
    w = max(len(n) for n in names) + 2
    lines = ["", f"{'Files read':<{w}}{'Read':>10}{'Used':>10}{'Dropped':>10}{'Unresolved':>12}"]
    for name, r in zip(names, rows):
        lines.append(f"{name:<{w}}{r['read']:>10,}{r['used']:>10,}{r['dropped']:>10,}{r['unresolved']:>12,}")
        lines += [f"    {note}" for note in r["notes"]]
    return lines


def conventions_rows(ledger: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(side.objects.kind, convention, value) for every declared value convention, profile or config."""
    out = []
    for side in ("crm", "erp"):
        for kind, e in (ledger.get(side) or {}).items():
            for name, value in (e.get("conventions") or {}).items():
                if value:
                    out.append((f"{side}.objects.{kind}", name, _text(value)))
    return out


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k} = {_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value)
