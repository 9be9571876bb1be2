"""The command-line reference is rendered from the argparse parsers themselves."""

from __future__ import annotations

import argparse

from workbench.cli import build_parser
from workbench.cli.reference import commands, render


def _sections(text: str) -> dict[str, str]:
    parts = text.split("\n## ")[1:]
    return {p.split("\n", 1)[0]: p for p in parts}


def test_every_core_command_and_subcommand_has_a_section():
    text = render(build_parser())
    sections = _sections(text)
    for name in ("workbench run", "workbench corrections push", "workbench db migrate-sqlite",
                 "workbench sandbox erp", "workbench users add", "workbench audit verify"):
        assert name in sections, name
        assert f"](#{name.replace(' ', '-')})" in text


def test_options_show_their_values_defaults_and_requirements():
    sections = _sections(render(build_parser()))
    push = sections["workbench corrections push"]
    assert "| `--max-attempts MAX_ATTEMPTS` | tries before a dead letter (default 5) |" in push
    assert "| `--format {table,json}` | table for people, json (every result, ISO 8601 times) for tools; " \
           "default `table` |" in push
    run = sections["workbench run"]
    assert "workbench run --config CONFIG [--user USER] [--full] [--db URL]" in run
    assert "| `--config CONFIG` | run config (TOML); required |" in run
    export = sections["workbench export"]
    assert "(--xlsx FILE | --verify FILE)" in export
    users = sections["workbench users add"]
    assert "repeatable" in users and "required" in users


def test_a_new_option_appears_in_the_reference():
    def add(sub: argparse._SubParsersAction) -> None:
        p = sub.add_parser("tidy", help="remove old runs")
        p.add_argument("--keep", type=int, default=12, help="runs to keep")
        p.add_argument("names", nargs="+", metavar="NAME")
    found = {c.name: c for c in commands(build_parser([add]))}
    assert "workbench tidy" in found
    section = _sections(render(build_parser([add])))["workbench tidy"]
    assert "workbench tidy [--keep KEEP] NAME [NAME ...]" in section
    assert "| `--keep KEEP` | runs to keep; default `12` |" in section


def test_group_commands_list_their_subcommands():
    section = _sections(render(build_parser()))["workbench db"]
    assert "Subcommands: [`upgrade`](#workbench-db-upgrade)" in section
