"""Every option and argument of every `workbench` command says what it does in `--help`."""

from __future__ import annotations

import argparse

from app.entry import add_gui_commands
from workbench.cli import build_parser
from workbench.cli.reference import commands


def _undocumented(parser: argparse.ArgumentParser, name: str) -> list[str]:
    return [f"{name} {'/'.join(a.option_strings) or a.dest}" for a in parser._actions
            if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction)) and not (a.help or "").strip()]


def test_every_option_of_every_command_has_help():
    root = build_parser([add_gui_commands])
    found = commands(root)
    assert len(found) > 30  # the walk reaches the nested commands (corrections push, close rates set, ...)
    missing = _undocumented(root, "workbench")
    for cmd in found:
        missing += _undocumented(cmd.parser, cmd.name)
        if not cmd.summary.strip():
            missing.append(f"{cmd.name} (no one-line summary)")
    assert missing == []


def test_scenario_help_explains_its_flags(capsys):
    root = build_parser()
    try:
        root.parse_args(["scenario", "--help"])
    except SystemExit:
        pass
    out = " ".join(capsys.readouterr().out.split())
    for flag, words in (("--seed", "same seed"), ("--customers", "at least 10"),
                        ("--invoices-per-customer", "invoices per customer"), ("--out", "ground truth")):
        assert flag in out and words in out, flag


def test_help_answers_without_loading_the_data_stack():
    """`workbench --help` (and a typo in a command) answers at once: listing the commands loads no pandas,
    database layer or sandbox server, each of which costs tenths of a second before anything is printed."""
    import subprocess
    import sys
    code = ("import sys; from app.entry import add_gui_commands; from workbench.cli import build_parser; "
            "build_parser([add_gui_commands]); "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'sqlalchemy', 'PySide6', 'workbench.sandbox.erp.server', "
            "'workbench.sandbox.salesforce.store') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
