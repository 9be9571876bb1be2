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
