"""``workbench sandbox erp``: run the ERP sandbox standalone until interrupted.

Prints exactly one JSON line on stdout when ready (base URL, API root and ready-to-use
credentials), then serves until Ctrl+C / SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from collections.abc import Sequence

from workbench.sandbox.erp import FLAVORS, start


def add_parser(sandbox_subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = sandbox_subparsers.add_parser(
        "erp", help="run a local ERP-compatible server (Business Central, Odoo or ERPNext)",
        description="Serve the ERP side of a seeded scenario on 127.0.0.1 until interrupted. Prints one JSON "
                    "line with the base URL, API root and credentials when ready.")
    p.add_argument("--flavor", choices=FLAVORS, default="business-central",
                   help="which ERP API to imitate (default business-central)")
    p.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    p.add_argument("--scenario", type=Path, metavar="DIR", help="scenario directory (default: generate one)")
    p.add_argument("--state-dir", type=Path, metavar="DIR",
                   help="keep the SQLite store here so pushes survive a restart (default: a temp dir)")
    p.add_argument("--customers", type=int, default=200, help="customers when generating (default 200)")
    p.add_argument("--seed", type=int, default=7, help="random seed when generating a scenario (default 7)")
    p.add_argument("--odoo-version", type=int, default=19,
                   help="Odoo major version to imitate; below 19 only the legacy /jsonrpc exists")
    p.add_argument("--run-config", type=Path, metavar="FILE",
                   help="point the [erp] table of this run config at the sandbox (made from the scenario's "
                        "run.toml if it does not exist); the secret is named by an environment variable, printed")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    handle = start(args.scenario, flavor=args.flavor, port=args.port, state_dir=args.state_dir,
                   customers=args.customers, seed=args.seed, odoo_version=args.odoo_version)
    done = threading.Event()

    def stop(*_: object) -> None:
        done.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(json.dumps(handle.info), flush=True)
    if args.run_config is not None:
        from workbench.sandbox.erp import SECRET_ENV, demo_config
        from workbench.sandbox.run_config import point_side
        table = demo_config(handle)
        point_side(args.run_config, "erp", table, args.scenario / "run.toml" if args.scenario else None)
        env = SECRET_ENV[args.flavor]
        print(f"{args.run_config}: [erp] points at this sandbox; the run reads its secret from {env}:\n"
              f"  export {env}='{os.environ[env]}'", file=sys.stderr, flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        handle.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workbench sandbox")
    add_parser(parser.add_subparsers(dest="what", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
