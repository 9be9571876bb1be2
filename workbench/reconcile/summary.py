"""A run's summary: the counts a user sees after a run, built once and stored as the run's JSON.

``RunSummary.build`` is the only place that counts records, links and exceptions of a run; the
store keeps ``to_json()`` (the keys stores have always held) and every reader goes through
``read_summary``, which also reads summaries written by older versions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from workbench.jsonable import plain
from workbench.reconcile.result import ReconResult
from workbench.sources.base import Extract
from workbench.sources.ledger import in_kind_order

# Links that count as made: the engine's own and those a reviewer confirmed.
_MADE = ("auto", "confirmed")


@dataclass(frozen=True)
class RunSummary:
    records: dict[str, dict[str, int]] = field(default_factory=dict)  # side -> kind -> records pulled
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # side -> system, connector, instance, ...
    links: dict[str, int] = field(default_factory=dict)  # made links per method
    links_total: int = 0
    suggested_links: int = 0
    exceptions: dict[str, int] = field(default_factory=dict)  # exceptions per type
    exceptions_total: int = 0
    control_totals: list[dict[str, Any]] = field(default_factory=list)
    api_usage: dict[str, Any] = field(default_factory=dict)
    ledger: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)  # the engine's figures (reconciling, aging, warnings, ...)

    @classmethod
    def build(cls, crm: Extract, erp: Extract, result: ReconResult) -> RunSummary:
        links = result.links
        by_method: Counter[str] = Counter()
        suggested = 0
        if links is not None and not links.empty:
            for method, status in zip(links["method"], links["status"], strict=True):
                if status == "suggested":
                    suggested += 1
                elif status in _MADE:
                    by_method[method] += 1
        exc = result.exceptions
        per_type: Counter[str] = Counter(exc["type"]) if exc is not None and not exc.empty else Counter()
        totals = []
        if result.control_totals is not None and not result.control_totals.empty:
            for rec in result.control_totals.to_dict("records"):
                totals.append({str(k): (int(v) if k == "invoices" else plain(v)) for k, v in rec.items()})
        metas = (crm.meta, erp.meta)
        return cls(
            records={m.side: dict(m.row_counts) for m in metas},
            sources={m.side: {"system": m.system, "connector": m.connector, "instance": m.instance,
                              "api_version": m.api_version, "content_hash": m.content_hash} for m in metas},
            links=dict(sorted(by_method.items())),
            links_total=sum(by_method.values()),
            suggested_links=suggested,
            exceptions={str(t): int(n) for t, n in sorted(per_type.items())},
            exceptions_total=sum(per_type.values()),
            control_totals=totals,
            api_usage={m.side: m.api_usage for m in metas if m.api_usage},
            ledger={m.side: plain(in_kind_order(m.ledger)) for m in metas if m.ledger},
            stats=plain(dict(result.stats or {})),
        )

    def to_json(self) -> dict[str, Any]:
        """The run's stored summary, with the keys it has always had."""
        return {
            "records": self.records, "sources": self.sources,
            "links": self.links, "links_total": self.links_total, "suggested_links": self.suggested_links,
            "exceptions": self.exceptions, "exceptions_total": self.exceptions_total,
            "control_totals": self.control_totals, "api_usage": self.api_usage, "ledger": self.ledger,
            "stats": self.stats,
        }


def read_summary(data: dict[str, Any] | None) -> RunSummary | None:
    """A run's stored summary; None for a run that stored none (failed, cancelled). Keys an
    older version did not write read as empty."""
    if not data:
        return None
    d = data
    stats = d.get("stats") or {}
    # Older runs kept the per-type exception counts only among the engine's figures.
    exceptions = {str(t): int(n) for t, n in (d.get("exceptions") or stats.get("exceptions_by_type") or {}).items()}
    links = {str(m): int(n) for m, n in (d.get("links") or {}).items()}
    return RunSummary(
        records={str(side): {str(k): int(n) for k, n in (kinds or {}).items()}
                 for side, kinds in (d.get("records") or {}).items()},
        sources=dict(d.get("sources") or {}),
        links=links,
        links_total=int(d.get("links_total") or sum(links.values())),
        suggested_links=int(d.get("suggested_links") or 0),
        exceptions=exceptions,
        exceptions_total=int(d.get("exceptions_total") or sum(exceptions.values())),
        control_totals=list(d.get("control_totals") or []),
        api_usage=dict(d.get("api_usage") or {}),
        ledger=dict(d.get("ledger") or {}),
        stats=dict(stats),
    )
