"""docs/reference/configuration.md is generated from the code and must not drift from it."""

from __future__ import annotations

import inspect
from importlib import import_module
from pathlib import Path

from workbench.cli.config_reference import (
    CONNECTOR_SETTINGS,
    FILE_OBJECT_KEYS,
    RULE_MEANING,
    render,
    rule_default,
    rule_keys,
)
from workbench.reconcile.rules import Rules, parse
from workbench.sources import CONNECTORS
from workbench.sources.files import OBJECT_KEYS

DOC = Path(__file__).resolve().parents[3] / "docs" / "reference" / "configuration.md"


def test_the_committed_configuration_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/reference/configuration.md is stale: "
        "python -m workbench.cli.config_reference > docs/reference/configuration.md")


def test_every_rules_key_the_parser_accepts_is_explained():
    assert [f"{t}.{k}" for t, k in rule_keys() if not RULE_MEANING.get((t, k))] == []


def test_rules_defaults_shown_are_the_parsers_own():
    rules = parse({})
    assert rule_default("linking", "auto_threshold", rules) == f"`{Rules().auto_threshold}`"
    assert rule_default("severity", "critical", rules) == f"`{rules.severity_amounts['critical']}`"
    assert rule_default("invoices", "date_window_days", rules) == f"`{rules.invoice_date_window}`"


def test_every_file_object_key_is_explained_and_nothing_else():
    assert set(FILE_OBJECT_KEYS) == OBJECT_KEYS


def test_every_connector_setting_listed_is_read_by_its_connector():
    credentials = inspect.getsource(import_module("workbench.sources.credentials"))
    unread = []
    for name, (modules, rows) in CONNECTOR_SETTINGS.items():
        assert name in CONNECTORS
        source = credentials + "".join(inspect.getsource(import_module(f"workbench.sources.{m}")) for m in modules)
        unread += [f"[{name}] {key}" for key, _default, _meaning in rows if f'"{key}"' not in source]
    assert unread == []
