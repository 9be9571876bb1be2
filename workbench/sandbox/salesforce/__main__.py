"""`python -m workbench.sandbox.salesforce`: the same as `workbench sandbox salesforce`."""

import argparse
import sys

from workbench.errors import WorkbenchError
from workbench.sandbox.salesforce.cli import add_parser

parser = argparse.ArgumentParser(prog="workbench sandbox")
add_parser(parser.add_subparsers(dest="sandbox", required=True))
args = parser.parse_args(["salesforce", *sys.argv[1:]])
try:
    sys.exit(args.func(args))
except WorkbenchError as exc:  # the sandbox sits below the CLI, so it reports its own one-line error
    print(f"workbench: error: {exc.one_line()}", file=sys.stderr)
    sys.exit(exc.exit_code)
