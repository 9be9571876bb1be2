"""`workbench screenshots --out DIR`: every registered screen as PNG, light and dark, on the demo.

Runs offscreen on a fresh demo (its own scenario, sandboxes and database in a temporary
directory, settings isolated), so the pictures are the same on every machine and never
touch the user's data or saved layout.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from workbench.errors import InputError


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(p) for p in text.lower().split("x"))
        if w < 320 or h < 240:
            raise ValueError
        return w, h
    except ValueError:
        raise InputError("--size: expected WIDTHxHEIGHT such as 1440x900", got=text) from None


def wait_idle(app, win, timeout: float = 30.0) -> None:
    """Let queued work and repaints finish (screens load through the workers)."""
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline:
        app.processEvents()
        if win.ctx.db.busy or win.ctx.jobs.busy:
            calm = 0
        else:
            calm += 1
            if calm >= 5:
                return
        time.sleep(0.01)  # a command-line tool waiting for worker threads, not a test


def render_screenshots(args: argparse.Namespace) -> int:
    size = _size(getattr(args, "size", "1440x900"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    before = os.environ.get("XDG_CONFIG_HOME")
    with tempfile.TemporaryDirectory(prefix="workbench-shots-") as tmp:
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # a clean layout, not the user's
        try:
            written = _render(Path(tmp), out, size, int(getattr(args, "customers", 60) or 60))
        finally:
            if before is None:
                os.environ.pop("XDG_CONFIG_HOME", None)
            else:
                os.environ["XDG_CONFIG_HOME"] = before
    for p in written:
        print(p)
    print(f"{len(written)} screenshots written to {out}")
    return 0


def _render(tmp: Path, out: Path, size: tuple[int, int], customers: int) -> list[Path]:
    from app.main_window import build_window, make_app
    from workbench import demo as demo_mod
    from workbench.pipeline import execute_run
    from workbench.store.db import open_store

    store = open_store(f"sqlite:///{tmp / 'screens.sqlite3'}")
    written: list[Path] = []
    app = make_app()
    try:
        with demo_mod.prepare_demo(tmp / "demo", customers=customers) as demo:
            config = demo.config
            # the Close screen needs the run to belong to a period (the month it runs in)
            config.raw.setdefault("run", {}).setdefault("period", f"{config.as_of:%Y-%m}")
            outcome = execute_run(config, store, user=demo_mod.DEMO_PREPARER)
            _demo_rates(store, config.period)
            win = build_window(store, user=demo_mod.DEMO_PREPARER, mode="light")
            win.ctx.demo = demo  # screens that pull or push use the demo's sandboxes
            win.ctx.runs_changed.emit()  # screens adopt the demo's run config on this signal
            win.add_users([demo_mod.DEMO_PREPARER, demo_mod.DEMO_APPROVER])
            win.resize(*size)
            win.show()
            win.start(outcome.run_id)
            wait_idle(app, win)
            try:
                for mode in ("light", "dark"):
                    win.set_mode(mode)
                    for key, widget in win.screens.items():
                        win.show_screen(key)
                        states = getattr(widget, "screenshot_states", lambda: [""])() or [""]
                        for state in states:
                            win.clear_message()  # each picture shows only what its own state says
                            enter = getattr(widget, "enter_screenshot_state", None)
                            if state and callable(enter):
                                enter(state)
                            wait_idle(app, win)
                            name = f"{key}-{state}-{mode}.png" if state else f"{key}-{mode}.png"
                            path = out / name
                            if not win.grab().save(str(path)):
                                raise OSError(f"could not write {path}")
                            written.append(path)
            finally:
                win.close()
                app.processEvents()
    finally:
        store.dispose()
    return written


# Illustrative rates to EUR for the demo's currencies, so the Close screen shows reporting-currency
# totals; the demo's data is synthetic and so are these.
_DEMO_RATES = {"EUR": "1", "USD": "0.92", "GBP": "1.17", "CHF": "1.05", "SEK": "0.087", "JPY": "0.0061"}


def _demo_rates(store: Any, period: str) -> None:
    from decimal import Decimal

    from workbench.close.fx import currencies_in_use, set_rates
    from workbench.close.periods import get_period

    with store.session() as s:
        used = currencies_in_use(s, period)
        rates = {c: Decimal(_DEMO_RATES[c]) for c in used if c in _DEMO_RATES}
        if set(rates) == set(used):  # a demo currency without a rate: show the screen's "no FX table" line
            set_rates(s, get_period(s, period), "EUR", rates, "demo-rates.csv (illustrative)")
