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
    from workbench.corrections.outbox.push import PushReport
    from workbench.store.db import Store

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


# The story the demo tells: a preparer proposes the engine's fixes, a second person approves
# (maker-checker) or rejects one, the approved ones are pushed to the sandboxes and read back, and
# the next run no longer finds them. One proposal is left waiting, as on any working day.
STORY_FIXES = 4
PREPARER_REASON = "Demo: checked the engine's proposal against the source documents"
APPROVER_REASON = "Demo: second review, the proposal matches the system of record"
REJECT_REASON = "Demo: the customer confirmed the current value; leave it as it is"


@dataclass
class DemoStory:
    run_id: int                      # the run the corrections were made on
    rerun_id: int                    # the next run, after the push
    pushed: list[int]                # corrections approved by the second user and pushed
    rejected: list[int]
    waiting: list[int]               # proposed, waiting for an approver
    report: PushReport
    cleared: int                     # pushed corrections whose exception the re-run no longer finds

    def lines(self) -> list[str]:
        verified = ", ".join(f"{n} {verdict.replace('_', ' ')}" for verdict, n in sorted(self.report.verified.items())
                             if n) or "none"
        return [f"Corrections on run {self.run_id}: {len(self.pushed)} proposed by {DEMO_PREPARER}, approved by "
                f"{DEMO_APPROVER} and pushed (verified: {verified}); {len(self.rejected)} rejected; "
                f"{len(self.waiting)} waiting for approval",
                f"Re-run {self.rerun_id}: {self.cleared} of the {len(self.pushed)} corrected exceptions are gone"]


def _story_picks(store: Store, run_id: int, n: int) -> list[dict[Any, Any]]:
    """Open exceptions the engine can fix by itself, one per type first, so the story shows variety."""
    from workbench.store import repo
    rows = [r for r in repo.load_exceptions(store, run_id).to_dict("records")
            if isinstance(r.get("proposal"), dict) and r["proposal"].get("target_side") in ("crm", "erp")
            and not r["proposal"].get("needs_decision") and r.get("status") == "open"]
    first: list[dict[Any, Any]] = []
    rest: list[dict[Any, Any]] = []
    seen: set[str] = set()
    for r in rows:
        (rest if r["type"] in seen else first).append(r)
        seen.add(r["type"])
    return (first + rest)[:n]


def tell_story(demo: Demo, store: Store, run_id: int, *, fixes: int = STORY_FIXES,
               config: RunConfig | None = None) -> DemoStory:
    """Propose, approve as the second user, reject one, push, verify, re-run (see the comment above).
    ``config``: the run config of ``run_id`` when it is not the demo's own (the re-run uses it too)."""
    from workbench.corrections import service
    from workbench.pipeline import execute_run
    from workbench.store import repo

    picks = _story_picks(store, run_id, fixes + 2)
    ids = [int(service.propose(store, int(r["id"]), DEMO_PREPARER, reason=PREPARER_REASON)) for r in picks]
    pushed, rejected, waiting = ids[:fixes], ids[fixes:fixes + 1], ids[fixes + 1:]
    if pushed:
        service.approve(store, pushed, DEMO_APPROVER, APPROVER_REASON)
    if rejected:
        service.reject(store, rejected, DEMO_APPROVER, REJECT_REASON)
    config = config or demo.config
    report = service.push(store, DEMO_APPROVER, config=config)
    again = execute_run(config, store, user=DEMO_PREPARER)
    keys = set(repo.load_exceptions(store, again.run_id)["key"])
    cleared = sum(1 for r in picks[:len(pushed)] if r["key"] not in keys)
    return DemoStory(run_id=run_id, rerun_id=again.run_id, pushed=pushed, rejected=rejected, waiting=waiting,
                     report=report, cleared=cleared)


def run_headless(args: argparse.Namespace) -> int:
    """`workbench demo --no-gui [--xlsx FILE]`: the demo pipeline and its story without a window.

    The workbook is the corrected run's: its corrections and their trail."""
    from workbench.pipeline import execute_run, format_summary
    from workbench.store.db import open_store

    url = getattr(args, "db", None) or demo_db_url()
    store = open_store(url)
    try:
        with prepare_demo(customers=getattr(args, "customers", None) or DEMO_CUSTOMERS) as demo:
            outcome = execute_run(demo.config, store, user=DEMO_PREPARER)
            print(format_summary(outcome.summary, outcome.run_id))
            story = tell_story(demo, store, outcome.run_id)
            print("\n" + "\n".join(story.lines()))
            xlsx = getattr(args, "xlsx", None)
            if xlsx:
                from workbench.export.workbook import write_workbook
                write_workbook(store, story.run_id, Path(xlsx))
                print(f"\nAudit workbook written to {xlsx} (run {story.run_id}: its corrections and their trail)")
            print(f"\nDemo database: {url}  (try: workbench exceptions --db '{url}')")
    finally:
        store.dispose()
    return 0
