"""`workbench sandbox salesforce|erp`: the local servers, standalone."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sandbox", help="run a local Salesforce- or ERP-compatible sandbox server")
    inner = p.add_subparsers(dest="sandbox", metavar="SYSTEM", required=True)
    from workbench.sandbox.erp.cli import add_parser as add_erp
    from workbench.sandbox.salesforce.cli import add_parser as add_salesforce
    add_salesforce(inner)
    add_erp(inner)
