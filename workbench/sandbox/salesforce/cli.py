"""`workbench sandbox salesforce`: run the sandbox org standalone until interrupted."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from pathlib import Path


def add_parser(sandbox_subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sandbox_subparsers.add_parser(
        "salesforce", help="serve a Salesforce-compatible sandbox org over HTTPS on 127.0.0.1",
        description="Serve a scenario's CRM side the way Salesforce does (REST query, describe, sObject "
                    "Collections, Bulk API 2.0, OAuth/SOAP login). Prints one JSON line with the instance URL, "
                    "the CA bundle and credentials for every auth mode once ready; Ctrl+C stops it.")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    p.add_argument("--scenario", type=Path, metavar="DIR", help="scenario directory (default: generate one)")
    p.add_argument("--state-dir", type=Path, metavar="DIR",
                   help="where the org's SQLite file, keys and credentials live (default: a temporary directory; "
                        "give one to keep writes across restarts)")
    p.add_argument("--customers", type=int, default=200, help="customers in a generated scenario (default 200)")
    p.add_argument("--seed", type=int, default=7, help="seed of a generated scenario (default 7)")
    p.add_argument("--single-currency", metavar="CODE",
                   help="serve an org without multicurrency whose one currency is CODE (ISO 4217, e.g. EUR): no "
                        "object has CurrencyIsoCode, as in such a Salesforce org")
    p.add_argument("--run-config", type=Path, metavar="FILE",
                   help="point the [crm] table of this run config at the sandbox (made from the scenario's "
                        "run.toml if it does not exist), signing in with JWT bearer: no secret to set")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from workbench.errors import ConfigError
    from workbench.sandbox.salesforce import start

    if args.scenario is not None and not Path(args.scenario).is_dir():
        raise ConfigError(f"--scenario {args.scenario}: not a directory")
    if args.single_currency is not None and not re.fullmatch(r"[A-Z]{3}", args.single_currency):
        raise ConfigError(f"--single-currency {args.single_currency}: expected an ISO 4217 code such as EUR")
    handle = start(args.scenario, port=args.port, state_dir=args.state_dir, customers=args.customers,
                   seed=args.seed, single_currency=args.single_currency)
    done = threading.Event()

    def stop(*_: object) -> None:
        done.set()
    # Handlers of our own, like the ERP sandbox: started from a script in the background the
    # process inherits an ignored SIGINT, and SIGTERM would end it without stopping the server.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        print(json.dumps(handle.info), flush=True)
        if args.run_config is not None:
            from workbench.sandbox.run_config import point_side
            from workbench.sandbox.salesforce import demo_config
            point_side(args.run_config, "crm", demo_config(handle),
                       args.scenario / "run.toml" if args.scenario else None)
            print(f"{args.run_config}: [crm] points at this sandbox (JWT bearer sign-in)", file=sys.stderr,
                  flush=True)
        while not done.wait(0.5):  # serve until Ctrl+C / SIGTERM
            pass
        print("salesforce sandbox stopped", file=sys.stderr)
    finally:
        handle.stop()
    return 0
