"""A small generated scenario run through the files connector, as `workbench scenario` + `workbench run` make it."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import main


def scenario_store(tmp: Path, customers: int = 20, seed: int = 3) -> str:
    """Generate a scenario under ``tmp``, run it into a new SQLite store as ann; returns the store URL."""
    db = f"sqlite:///{tmp / 'store.sqlite3'}"
    assert main(["scenario", "--seed", str(seed), "--customers", str(customers), "--out", str(tmp / "sc")]) == 0
    assert main(["run", "--config", str(tmp / "sc" / "run.toml"), "--db", db, "--user", "ann"]) == 0
    return db
