"""The built-in demo: a generated scenario served by the local Salesforce and ERP sandboxes,
pulled through the real connectors. No credentials, no network beyond loopback.

The demo keeps its own database (``demo.sqlite3`` in the user data directory) so it never
mixes with real runs, unless ``--db`` says otherwise.
"""

from __future__ import annotations

import argparse
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w
from workbench.progress import TaskState

if TYPE_CHECKING:
    from workbench.config import RunConfig

DEMO_SEED = 7
DEMO_CUSTOMERS = 200
DEMO_PREPARER = "demo-preparer"
DEMO_APPROVER = "demo-approver"


def demo_dir() -> Path:
    from platformdirs import user_data_dir
    p = Path(user_data_dir("recon-workbench", appauthor=False)) / "demo"
    p.mkdir(parents=True, exist_ok=True)
    return p


def demo_db_url() -> str:
    return f"sqlite:///{demo_dir() / 'demo.sqlite3'}"


@dataclass
class Demo:
    workdir: Path
    config_path: Path
    handles: list[Any] = field(default_factory=list)

    @property
    def config(self) -> RunConfig:
        from workbench import config as cfg
        return cfg.load(self.config_path)

    def stop(self) -> None:
        while self.handles:
            self.handles.pop().stop()

    def __enter__(self) -> Demo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def prepare_demo(workdir: Path | None = None, *, customers: int = DEMO_CUSTOMERS, seed: int = DEMO_SEED,
                 state: TaskState | None = None) -> Demo:
    """Generate the demo scenario (once), start both sandboxes in-process, write a run config for them."""
    from workbench.sandbox import erp as erp_sandbox
    from workbench.sandbox import salesforce as sf_sandbox
    from workbench.sandbox import scenario

    workdir = Path(workdir) if workdir else demo_dir()
    workdir.mkdir(parents=True, exist_ok=True)
    scen = workdir / f"scenario-{seed}-{customers}"
    if state is not None:
        state.set_progress(0, None, "Preparing the demo scenario")
    if not (scen / "run.toml").exists():
        scenario.generate(seed, customers, scen)
    raw = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))
    demo = Demo(workdir=workdir, config_path=workdir / "demo.toml")
    try:
        if state is not None:
            state.set_progress(0, None, "Starting the Salesforce and Business Central sandboxes")
        sf = sf_sandbox.start(scen, port=0, state_dir=workdir / "salesforce")
        demo.handles.append(sf)
        bc = erp_sandbox.start(scen, flavor="business-central", port=0, state_dir=workdir / "business-central")
        demo.handles.append(bc)
        raw["crm"] = sf_sandbox.demo_config(sf)
        raw["erp"] = erp_sandbox.demo_config(bc)
        raw.setdefault("run", {})["name"] = "Demo: Salesforce sandbox vs Business Central sandbox"
        demo.config_path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    except BaseException:
        demo.stop()
        raise
    return demo


def run_headless(args: argparse.Namespace) -> int:
    """`workbench demo --no-gui [--xlsx FILE]`: the demo pipeline without a window."""
    from workbench.pipeline import execute_run, format_summary
    from workbench.store.db import open_store

    url = getattr(args, "db", None) or demo_db_url()
    store = open_store(url)
    try:
        with prepare_demo(customers=getattr(args, "customers", None) or DEMO_CUSTOMERS) as demo:
            outcome = execute_run(demo.config, store, user=DEMO_PREPARER)
            print(format_summary(outcome.summary, outcome.run_id))
            xlsx = getattr(args, "xlsx", None)
            if xlsx:
                from workbench.export.workbook import write_workbook
                write_workbook(store, outcome.run_id, Path(xlsx))
                print(f"\nAudit workbook written to {xlsx}")
            print(f"\nDemo database: {url}  (try: workbench exceptions --db '{url}')")
    finally:
        store.dispose()
    return 0
