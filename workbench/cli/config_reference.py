"""The run-config reference (docs/reference/configuration.md), generated from the code.

``python -m workbench.cli.config_reference > docs/reference/configuration.md`` writes it. What
the code declares is read from it: the connectors (``workbench.sources.CONNECTORS``), the
``[rules.*]`` tables and keys the rules parser accepts with their defaults, the keys a file
object accepts, the setting names refused as secrets, and each connector's settings
(``workbench.config.connector_settings``); a test checks that every setting listed is one its
connector reads and that every declared key is explained.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from workbench.config import tolerances
from workbench.config.connector_settings import CONNECTOR_SETTINGS, Setting
from workbench.model.secrets import KEY_QUALIFIERS, REFERENCE_WORDS, SECRET_WORDS
from workbench.reconcile.rules import _KNOWN as RULE_KEYS
from workbench.reconcile.rules import Rules
from workbench.sources import CONNECTORS
from workbench.sources.files import OBJECT_KEYS

RUN: list[Setting] = [
    ("name", "the config file's name", "shown in the run list, the app and the workbook"),
    ("as_of", "today", "the run's date (`YYYY-MM-DD`, from 1900-03-01 to a year from today): aging, prices in "
                       "effect, timing lags are measured at it"),
    ("period", "", "the accounting period, `YYYY-MM` (`2026-10`), `YYYY-Qn` or `YYYY`, shown with the run"),
    ("incremental", "`true`", "a re-run of the same config pulls only what changed since its last run and merges "
                              "it (see incremental.md); `false`: always pull everything, like `workbench run --full`"),
    ("overlap_minutes", "`5`", "how many minutes before the last run's start a re-run asks for changes (0 to 1440): "
                               "set it above the longest posting batch or import the systems run (incremental.md)"),
]

SIDE: list[Setting] = [
    ("connector", "", "required: " + " \\| ".join(f"`{c}`" for c in CONNECTORS)
     + " (`salesforce` and `files` for the CRM side)"),
    ("system", "the connector's", ("which system the records come from: picks the status table and, for "
                                   "files, the export profile (`salesforce`, `business_central`, `odoo`, ...)")),
]

# [<side>.objects.<kind>] of the live connectors
LIVE_OBJECT_SETTINGS: list[tuple[str, str, str]] = [
    ("object", "all", "the system's object/entity/model to read (e.g. `Account`, `salesInvoices`, `res.partner`)"),
    ("fields", "all", "table: canonical field = source field; only what differs from the connector's defaults"),
    ("status_fields", "all", "invoices: the source fields whose values, joined by `|`, give the status"),
    ("status_system", "all", "invoices: which built-in status table to start from"),
    ("status_map", "all", "invoices: source value = canonical status; extends the table; `\"*\"` matches anything"),
    ("enabled", "business_central, odoo, rest", "`false`: this kind is not pulled"),
    ("where", "salesforce", "a SOQL filter added to the query (values from data are always escaped)"),
    ("include_opportunities", "salesforce", "orders: also read won Opportunities (default `true`)"),
    ("incremental", "business_central", "`false`: always read this kind in full"),
    ("domain", "odoo", "an Odoo domain added to `search_read`, e.g. `[[\"customer_rank\", \">\", 0]]`"),
    ("write_fields", "odoo", "table: canonical field = the Odoo field corrections write to"),
]

FILE_OBJECT_KEYS: dict[str, str] = {
    "file": "the extract's file name (`.csv` or `.xlsx`), in the side's `dir`",
    "sheet": "XLSX: the sheet to read (default: the first, even when hidden; a missing column names the sheet "
             "read and the others)",
    "delimiter": "CSV: the delimiter (default: the one Excel's first line `sep=;` names, else detected from "
                 "the header among `,` `;` tab `|`; set and different from the file's `sep=` line: refused)",
    "encoding": "CSV: the text encoding (default UTF-8, with or without BOM)",
    "date_format": "`strptime` format of every date column (default ISO `2026-10-31`)",
    "date_formats": "table: column = format (or a list tried in order); overrides `date_format`",
    "decimal_comma": "`true`: amounts like `1.234,56`; or a list of the columns written that way; `false`: a "
                     "comma groups thousands (`1,234` is 1234). Left out: `1,234` is read as 1234 only where the "
                     "file shows a decimal point elsewhere, else refused naming the cell (XLSX number cells are "
                     "read as the numbers they hold)",
    "fields": "table: canonical field = column; only what differs from the export profile",
    "status_fields": "invoices: the columns whose values, joined by `|`, give the status",
    "status_system": "invoices: which built-in status table to start from",
    "status_map": "invoices: source value = canonical status; extends the table; `\"*\"` matches anything",
    "booked_values": "orders: the status values that count as booked",
    "key": "list of columns whose values, joined by `|`, are the record id",
    "references": "table: field = `{column, by, pattern}` for a column naming another record",
    "patterns": "table: field = regular expression whose group 1 is the value",
    "empty_as_zero": "list of columns where an empty cell means 0",
    "fill_empty": "table: column = the value an empty cell stands for",
    "keep": "table: column = the values of the rows to use; the others are dropped and counted",
    "labels": "table: field = `{\"label\" = \"value\"}` replacing exported labels before reading",
}

RULE_MEANING: dict[tuple[str, str], str] = {
    ("linking", "auto_threshold"): "link automatically at or above this confidence (0-1)",
    ("linking", "suggest_threshold"): "suggest the link for a person to confirm at or above (0-1)",
    ("linking", "id_case"): "ERP numbers compared `insensitive` \\| `sensitive` to case",
    ("linking", "id_leading_zeros"): "`ignore` (`C-00012` = `C12`) \\| `keep`",
    ("linking", "id_separators"): "`ignore` (`C-12` = `C12`) \\| `keep`",
    ("linking", "fuzzy"): "match by name and address the records keys did not settle",
    ("linking", "max_block"): "skip a blocking key that would pair more records than this",
    ("linking", "neighbourhood"): "sorted-neighbourhood window of the fuzzy blocking",
    ("ids", "ignore_leading_zeros"): "shorthand for `[rules.linking] id_leading_zeros` (`true` = `ignore`)",
    ("ids", "case_insensitive"): "shorthand for `[rules.linking] id_case` (`true` = `insensitive`)",
    ("ids", "ignore_separators"): "shorthand for `[rules.linking] id_separators` (`true` = `ignore`)",
    ("tolerances", "price"): "price book vs ERP price: `{abs_minor = 1}`, `{rel = \"0.005\"}`, or per currency "
                             "`{EUR = \"0.05\"}`",
    ("tolerances", "invoice_amount"): "invoice totals, same form as `price`",
    ("tolerances", "invoice_balance"): "open balances, same form as `price`",
    ("tolerances", "order_amount"): "order totals, same form as `price`",
    ("tolerances", "discount"): "order line below list beyond the approved discount, same form",
    ("tolerances", "price_abs"): "shorthand: an absolute price tolerance as an amount (`\"0.01\"`)",
    ("tolerances", "price_rel"): "shorthand: a relative price tolerance (`\"0.005\"`)",
    ("tolerances", "amount_minor_units"): "shorthand: invoice and order amounts, in minor units",
    ("ownership", "<kind>.<field>"): "`crm` \\| `erp` \\| `shared`: which system is right for the attribute",
    ("ownership", "shared_target"): "`crm` \\| `erp`: the side a shared-ownership proposal names as target",
    ("pricing", "product_map"): "table: CRM product code = ERP item number",
    ("pricing", "pricebook_map"): "table: CRM price book = ERP price list",
    ("pricing", "approved_discount"): "order lines may sell this fraction below list (`\"0.10\"`)",
    ("invoices", "date_window_days"): "fallback invoice match: invoice dates this many days apart (at most "
                                      f"{tolerances.MAX_DAYS})",
    ("timing", "lag_days"): f"days the CRM may take to show an ERP payment or cancellation (at most "
                            f"{tolerances.MAX_DAYS})",
    ("timing", "erp_events_as"): "`status_mismatch` \\| `timing` (report them as `timing.event_not_reflected`)",
    ("timing", "medium_after_days"): "severity medium this many days late beyond the lag",
    ("timing", "high_after_days"): "severity high this many days late",
    ("timing", "critical_after_days"): "severity critical this many days late",
    ("fx", "rates"): "dated rates `[{date = 2026-10-01, from = \"EUR\", to = \"USD\", rate = \"1.0832\"}]`",
    ("severity", "base_currency"): "amounts at risk are converted to it when an FX rate allows",
    ("severity", "critical"): "amount at risk from which an exception is critical",
    ("severity", "high"): "amount at risk from which it is high",
    ("severity", "medium"): "amount at risk from which it is medium",
    ("customers", "compare_fields"): "customer attributes compared (also `state`)",
    ("customers", "blank_back_reference"): "`ignore` \\| `report` a proven link's blank back-reference "
                                           "(low `customer.missing_xref`)",
    ("customers", "name_variants"): "`ignore` \\| `report` cosmetic name variants (low `customer.name_variant`)",
}

_TOLERANCE_DEFAULT = "less than one minor unit apart is equal (0.0011 EUR, 0.4 JPY)"
_RULE_DEFAULT: dict[tuple[str, str], Callable[[Rules], Any]] = {
    ("ids", "ignore_leading_zeros"): lambda r: r.id_leading_zeros == "ignore",
    ("ids", "case_insensitive"): lambda r: r.id_case == "insensitive",
    ("ids", "ignore_separators"): lambda r: r.id_separators == "ignore",
    ("invoices", "date_window_days"): lambda r: r.invoice_date_window,
    ("customers", "compare_fields"): lambda r: list(r.customer_fields),
    ("fx", "rates"): lambda r: r.fx,
    ("pricing", "product_map"): lambda r: r.product_map,
    ("pricing", "pricebook_map"): lambda r: r.pricebook_map,
}
for _level in ("medium", "high", "critical"):
    _RULE_DEFAULT[("timing", f"{_level}_after_days")] = partial(lambda r, level: r.timing_days[level], level=_level)
    _RULE_DEFAULT[("severity", _level)] = partial(lambda r, level: r.severity_amounts[level], level=_level)


def rule_keys() -> list[tuple[str, str]]:
    """Every (table, key) the rules parser accepts, in its own order; ownership takes any kind.field."""
    out: list[tuple[str, str]] = []
    for table, keys in RULE_KEYS.items():
        out += [(table, "<kind>.<field>"), (table, "shared_target")] if keys is None else \
            [(table, k) for k in sorted(keys)]
    return out


def _show(value: Any) -> str:
    if value is None or value == {} or value == []:
        return ""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, (Decimal, int, float)):
        return f"`{value}`"
    if isinstance(value, list):
        return "`[" + ", ".join(f'"{v}"' for v in value) + "]`"
    return f'`"{value}"`'


def rule_default(table: str, key: str, rules: Rules) -> str:
    if table == "tolerances":
        return "" if key in ("price_abs", "price_rel", "amount_minor_units") else _TOLERANCE_DEFAULT
    if table == "ownership":
        return "see below" if key != "shared_target" else _show(rules.shared_target)
    get = _RULE_DEFAULT.get((table, key))
    return _show(get(rules) if get else getattr(rules, key))


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    # a bare | splits a table cell even inside a code span
    cells = [[re.sub(r"(?<!\\)\|", r"\\|", c) for c in row] for row in rows]
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *("| " + " | ".join(row) + " |" for row in cells), ""]


def _settings(rows: list[Setting]) -> list[str]:
    return _table(("Key", "Default", "Meaning"),
                  [(f"`{k}`", f"`{d}`" if d and " " not in d else d, m) for k, d, m in rows])


def render() -> str:
    from workbench.reconcile.rules import DEFAULT_OWNERSHIP
    rules = Rules()
    lines = [
        "# Run configuration reference", "",
        "Generated by `python -m workbench.cli.config_reference` from the code; do not edit by hand. The",
        "connectors, the `[rules]` keys and their defaults, the keys of a file object and the refused",
        "secret names are read from the code; the connector settings are listed in the generator (the",
        "connectors do not declare them) and a test checks each one is read by its connector.",
        "", "A run config is a TOML file: `workbench run --config FILE`. A misspelt `[rules]` or file-object key, a",
        "bad value or a secret stops the run with one line naming it (exit code 2). Examples:",
        "`resources/examples/*.toml`; how to set up each side: [connections](../guide/connections.md).", "",
        "## [run]", "", *_settings(RUN),
        "## [crm] and [erp]", "", *_settings(SIDE),
        "## Secrets", "",
        "A config never holds a secret ([secrets](../secrets.md)). Refused, with the key path: a setting whose",
        "name contains the word " + ", ".join(f"`{k}`" for k in sorted(SECRET_WORDS)) + " in any case or separator",
        "style (`clientSecret`, `client_secret`, `CLIENT-SECRET`), or `key` after "
        + ", ".join(f"`{k}`" for k in sorted(KEY_QUALIFIERS)) + " (`apiKey`, `private_key`), whatever its",
        "value's type; a value that is a PEM block, a URL with a password (`user:password@`) or a",
        "secret-named parameter (`?password=`), or a `Bearer …` credential. Names ending in "
        + ", ".join(f"`{k}`" for k in sorted(REFERENCE_WORDS)),
        "say where a secret lives and are not refused. Give `<name>_env = \"VARIABLE\"` "
        "(an environment variable holding it) or",
        "store it in the OS keyring, service `recon-workbench`, entry `<side>.<system>.<name>` (or",
        "`<keyring_user>.<name>`); the Connections screen does that for you.", "",
    ]
    for name, (_modules, rows) in CONNECTOR_SETTINGS.items():
        table = {"salesforce": "[crm.salesforce]", "files": "[crm.files] / [erp.files]"}.get(name, f"[erp.{name}]")
        lines += [f"## {table}", "",
                  *_settings(rows)]
    lines += ["## `[<side>.objects.<kind>]` of a live connector", "",
              "`<kind>` is one of customers, products, prices, orders, order_lines, invoices, payments; every",
              "canonical field with its default source field: [fields](fields.md).", "",
              *_table(("Key", "Connectors", "Meaning"), [(f"`{k}`", c, m) for k, c, m in LIVE_OBJECT_SETTINGS]),
              "## `[<side>.objects.<kind>]` of a files side", "",
              "How each is used, with examples: [file conventions](../extracts/conventions.md).", "",
              *_table(("Key", "Meaning"), [(f"`{k}`", FILE_OBJECT_KEYS.get(k, "")) for k in sorted(OBJECT_KEYS)]),
              "## [rules]", "",
              "Every key is optional; an empty `[rules]` reconciles with the defaults below. What the rules",
              "do: [runs and the engine](../guide/runs.md).", ""]
    for table in RULE_KEYS:
        keys = [k for t, k in rule_keys() if t == table]
        lines += [f"### [rules.{table}]", "",
                  *_table(("Key", "Default", "Meaning"),
                          [(f"`{k}`", rule_default(table, k, rules), RULE_MEANING.get((table, k), ""))
                           for k in keys])]
        if table == "ownership":
            lines += ["Default ownership (any other attribute is `shared`):", "",
                      *_table(("Attribute", "Owner"), [(f"`{k}`", v) for k, v in DEFAULT_OWNERSHIP.items()])]
        if table == "tolerances":
            lines += ["A tolerance is a table: `abs_minor` (minor units: 1 = 0.01 EUR, 1 JPY), `rel` (a fraction",
                      "of the CRM amount), or an ISO code giving that currency its own absolute amount",
                      "(`invoice_balance = {abs_minor = 1, JPY = \"1\", CHF = \"0.05\"}`). An absolute amount below",
                      "a compared currency's minor unit (0.01 for JPY) is a warning in the run summary.",
                      "`price` and its shorthand `price_abs` / `price_rel` together are refused: the table would",
                      "replace the shorthand whole (`price = {abs_minor = 1, rel = \"0.005\"}` says both).",
                      f"A tolerance is for rounding: `abs_minor` and `amount_minor_units` above "
                      f"{tolerances.MAX_MINOR_UNITS:,}, an amount",
                      f"above {tolerances.MAX_MINOR_UNITS:,} minor units of its currency (100.00 EUR, 10,000 JPY; "
                      "`price_abs` counts in",
                      f"cents), and a `rel` or `price_rel` above `\"{tolerances.MAX_FRACTION}\"` are refused on load, "
                      "naming the key:",
                      "a wider one would reconcile real differences with nothing in the run to say so.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
