"""A pulled side stored as a run of its own, without pulling, reconciling or saving a whole run:
what the snapshot tests read back."""

from __future__ import annotations

from datetime import UTC, date, datetime

from workbench.config import RunConfig
from workbench.sources import open_source
from workbench.sources.base import Extract
from workbench.store import snapshots
from workbench.store.db import Store
from workbench.store.schema import Run


def store_side(store: Store, extract: Extract) -> int:
    """Store ``extract``'s parts under a new completed run; returns the run's id."""
    with store.session() as s:
        run = Run(name="t", status="completed", started_at=datetime.now(UTC), as_of=date(2026, 10, 31),
                  user_name="ann", software_version="t")
        s.add(run)
        s.flush()
        snapshots.save(s, run.id, extract)
        return run.id


def pull_side(config: RunConfig, side: str) -> Extract:
    """One side of ``config`` pulled in full, its source closed again."""
    source = open_source(side, config)
    try:
        return source.pull()
    finally:
        source.close()
