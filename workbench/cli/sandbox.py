"""`workbench sandbox salesforce|erp` (the local servers, standalone) and `workbench scenario`.

The only CLI module that imports the sandbox package (an import contract holds it to that)."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_scenario(args: argparse.Namespace) -> int:
    from workbench.sandbox import scenario
    from workbench.errors import ConfigError

    if args.customers < 10:
        raise ConfigError("--customers must be at least 10")
    out = scenario.generate(args.seed, args.customers, Path(args.out),
                            invoices_per_customer=args.invoices_per_customer)
    print(f"Scenario written to {out} (seed {args.seed}, {args.customers:,} customers). "
          f"Run it with: workbench run --config {Path(out) / 'run.toml'}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sandbox", help="run a local Salesforce- or ERP-compatible sandbox server")
    inner = p.add_subparsers(dest="sandbox", metavar="SYSTEM", required=True)
    from workbench.sandbox.erp.cli import add_parser as add_erp
    from workbench.sandbox.salesforce.cli import add_parser as add_salesforce
    add_salesforce(inner)
    add_erp(inner)

    p = sub.add_parser("scenario", help="write a generated CRM/ERP scenario with its ground truth")
    p.add_argument("--seed", type=int, default=7,
                   help="random seed: the same seed writes the same scenario, byte for byte (default 7)")
    p.add_argument("--customers", type=int, default=200,
                   help="customers to generate, at least 10; orders, invoices and prices scale with them (default 200)")
    p.add_argument("--invoices-per-customer", type=int, default=10,
                   help="invoices per customer on average (default 10)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="directory to write: the CRM and ERP extracts, run.toml and the ground truth of every "
                        "planted mismatch")
    p.set_defaults(func=cmd_scenario)
