"""Move a single-user SQLite store into a shared PostgreSQL database, as it is.

Every row keeps its id (the audit trail names ids, exports cite them), money stays
the exact Decimal it was, and the audit chain is verified on the copy before the
copy is committed: if anything does not tie out, the target is left untouched.
The target must be at the current schema (``workbench db upgrade``) and empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from workbench.store import trail
from workbench.store.advisory import CHAIN_LOCK
from workbench.errors import ConfigError
from workbench.progress import TaskState, check_cancelled, report
from workbench.store.db import Store, open_store, redact
from workbench.store.schema import Base

BATCH = 5000


@dataclass
class MigrationReport:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    audit_events: int = 0

    def lines(self) -> list[str]:
        out = [f"{'Table':<18}{'Rows':>12}"]
        out += [f"{t:<18}{n:>12,}" for t, n in self.rows.items()]
        out.append(f"audit chain verified on the copy: {self.audit_events:,} events")
        return out


def _aware(value: Any) -> Any:
    # SQLite hands back naive datetimes; every time in the store is UTC, so say so to PostgreSQL.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children, so foreign keys hold on insert


def migrate(source_url: str, target_url: str, *, state: TaskState | None = None) -> MigrationReport:
    if not source_url.startswith("sqlite"):
        raise ConfigError("--from must be a SQLite store (sqlite:///path/to/workbench.sqlite3), "
                          f"got {redact(source_url)}")
    if not target_url.startswith("postgresql"):
        raise ConfigError(f"--to must be a PostgreSQL database (postgresql+psycopg://user@host/db), "
                          f"got {redact(target_url)}")
    _require_file(source_url)
    src = open_store(source_url)  # brings an older single-user store up to the current schema first
    dst = open_store(target_url)  # refuses, with the fix, when the shared database is behind
    try:
        return _copy(src, dst, state)
    finally:
        src.dispose()
        dst.dispose()


def _require_file(url: str) -> None:
    from pathlib import Path
    from sqlalchemy.engine import make_url
    db = make_url(url).database
    if not db or db == ":memory:" or not Path(db).is_file():
        raise ConfigError(f"there is no SQLite store at {db or url}")


def _copy(src: Store, dst: Store, state: TaskState | None) -> MigrationReport:
    tables = _tables()
    rep = MigrationReport(source=redact(src.url), target=redact(dst.url))
    with src.engine.connect() as sconn:
        counts = {t.name: sconn.execute(select(func.count()).select_from(t)).scalar() or 0 for t in tables}
        total = sum(counts.values())
        done = 0
        with dst.session() as d:
            busy = [t.name for t in tables if d.execute(select(func.count()).select_from(t)).scalar()]
            if busy:
                raise ConfigError(f"the target database {redact(dst.url)} already holds data (tables "
                                  f"{', '.join(busy)}); migrate into a new, empty database")
            # Other instances must not write while the copy runs: hold the audit chain's lock
            # and lock every table against writes until commit.
            d.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
            d.execute(text("LOCK TABLE " + ", ".join(f'"{t.name}"' for t in tables) + " IN EXCLUSIVE MODE"))
            report(state, 0, total, "copying the store")
            for t in tables:
                result = sconn.execution_options(stream_results=True).execute(
                    select(t).order_by(*t.primary_key.columns))
                while True:
                    chunk = result.fetchmany(BATCH)
                    if not chunk:
                        break
                    rows = [{k: _aware(v) for k, v in r._mapping.items()} for r in chunk]
                    d.execute(insert(t), rows)
                    done += len(rows)
                    report(state, done, total, f"copying {t.name}")
                rep.rows[t.name] = counts[t.name]
            _reset_sequences(d, tables)
            check_cancelled(state)
            for t in tables:
                got = d.execute(select(func.count()).select_from(t)).scalar()
                if got != counts[t.name]:
                    raise ConfigError(f"copy of table {t.name} has {got} rows, the SQLite store {counts[t.name]}; "
                                      "nothing was written")
            _compare_money(sconn, d)
            check = trail.verify(d)
            if not check.ok:
                raise ConfigError(f"the audit chain does not verify on the copy ({check.reason}); nothing was "
                                  "written. Run 'workbench audit verify' on the SQLite store")
            rep.audit_events = check.checked
            report(state, total, total, "committing")
    return rep


def _reset_sequences(d: Any, tables: list[Table]) -> None:
    """Ids were copied as they were, so each id sequence must continue after the highest one."""
    for t in tables:
        pk = list(t.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        col = pk[0].name
        seq = d.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": t.name, "c": col}).scalar()
        if seq:
            d.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{col}") FROM "{t.name}"), 0) + 1, false)'),
                      {"s": seq})


def _compare_money(sconn: Any, d: Any) -> None:
    """Decimal exactness: every money value must arrive with the same digits and scale."""
    from workbench.store.types import ExactDecimal
    for t in _tables():
        for c in t.columns:
            if not isinstance(c.type, ExactDecimal):
                continue
            # compared as text so 100.10 and 100.1 count as different: the scale is part of the figure
            src_vals = sorted(str(v) for v in sconn.execute(select(c)).scalars() if v is not None)
            dst_vals = sorted(str(v) for v in d.execute(select(c)).scalars() if v is not None)
            if src_vals != dst_vals:
                raise ConfigError(f"money column {t.name}.{c.name} differs after the copy; nothing was written")
