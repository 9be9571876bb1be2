"""`python -m workbench.sandbox.salesforce`: the same as `workbench sandbox salesforce`."""

import argparse
import sys

from workbench.cli import run_handler
from workbench.sandbox.salesforce.cli import add_parser

parser = argparse.ArgumentParser(prog="workbench sandbox")
add_parser(parser.add_subparsers(dest="sandbox", required=True))
args = parser.parse_args(["salesforce", *sys.argv[1:]])
sys.exit(run_handler(args.func, args))
