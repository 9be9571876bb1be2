"""How a run pulled each side, in words, from its summary's ``pulls`` record (see docs/incremental.md):
the line `workbench run` ends with and the run list's Pull column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.model.labels import SIDE_LABELS


def pull_line(side: str, pull: dict[str, Any]) -> str:
    """How a side was pulled, in one line: incremental (changed, deleted, reused) or full and why."""
    if pull.get("mode") == "reused":
        return (f"Pull {side.upper()}: reused run {pull.get('previous_run')}'s data (no file changed: same size, "
                f"modification time and SHA-256)")
    if pull.get("mode") != "incremental":
        return f"Pull {side.upper()}: full ({pull.get('why') or 'no reason recorded'})"
    kinds = pull.get("kinds") or {}
    inc = [k for k in kinds.values() if k.get("mode") == "changes"]
    total = {w: sum(int(k.get(w, 0)) for k in inc) for w in ("changed", "deleted", "reused")}
    full = [f"{name} ({k.get('why')})" for name, k in kinds.items() if k.get("mode") != "changes"]
    return (f"Pull {side.upper()}: incremental since {_to_the_second(str(pull.get('since', '')))} UTC "
            f"(after run {pull.get('previous_run')}): {total['changed']:,} changed, {total['deleted']:,} deleted, "
            f"{total['reused']:,} reused" + (f"; read in full: {', '.join(full)}" if full else ""))


def _to_the_second(text: str) -> str:
    """A stored moment (ISO 8601) in UTC to the nearest second, as the workbook's cover shows the same moment
    (Excel rounds a time's fraction of a second when it shows whole seconds): one moment reads the same in both."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text[:19].replace("T", " ")
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return (moment + timedelta(microseconds=500_000)).strftime("%Y-%m-%d %H:%M:%S")


def pull_modes(pulls: dict[str, Any] | None) -> str:
    """Each side's pull in a word or two, "CRM incremental, ERP full"; empty for a run that kept no record
    of it (before incremental runs existed)."""
    words = {"incremental": "incremental", "reused": "files reused", "full": "full"}
    return ", ".join(f"{SIDE_LABELS.get(side, side.upper())} {words.get(str(p.get('mode')), 'full')}"
                     for side, p in sorted((pulls or {}).items()) if isinstance(p, dict))
