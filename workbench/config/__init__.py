"""Run configuration (TOML): which sources to pull, how their fields map, and the rules.

Layout (see resources/examples/*.toml and docs/CONTRACTS.md):

    [run]      name, as_of (YYYY-MM-DD; default today), period
    [crm]      connector = "files" | "salesforce";  system = "salesforce"
    [erp]      connector = "files" | "business_central" | "odoo" | "rest";  system = ...
    [crm.objects.<kind>] / [erp.objects.<kind>]   file/object, fields (canonical = source), status_map
    [rules.*]  tolerances, linking thresholds, ownership (owned by workbench.reconcile.rules)

Every key and its type is checked on load against ``schema.Schema`` (an unknown key or a
value of the wrong type is a ConfigError naming the key path and what was expected);
``schema.reference()`` lists them for the reference page.

Secrets are never read from here: a key whose name means one (in any spelling), a PEM
block, or a URL or parameter carrying a password is refused with the way to supply it
instead (environment variable or OS keyring); ``workbench.model.secrets`` decides.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from workbench.config import schema, tolerances
from workbench.errors import ConfigError
from workbench.model import secrets


FIRST_AS_OF = date(1900, 3, 1)  # Excel's dates start in 1900 (and its 1900 has a 29 February that never was)
MAX_AS_OF_AHEAD_DAYS = 366


@dataclass
class RunConfig:
    raw: dict[str, Any]
    path: Path | None = None
    base_dir: Path = field(default_factory=Path.cwd)

    @property
    def name(self) -> str:
        return str(self.raw.get("run", {}).get("name") or (self.path.stem if self.path else "run"))

    @property
    def as_of(self) -> date:
        v = self.raw.get("run", {}).get("as_of")
        if v is None:
            return date.today()
        if isinstance(v, date) and not isinstance(v, datetime):  # a TOML date-time is a date subclass
            day = v
        else:
            try:
                day = date.fromisoformat(str(v))
            except ValueError:
                raise ConfigError(f"{self.where()}: [run] as_of = {v!r}, expected a date YYYY-MM-DD") from None
        # A year mistyped (2062 for 2026) judged every balance overdue by decades, and a day before 1900 is one
        # Excel cannot show (the workbook's Cover printed ####): both ran without a word.
        latest = date.today() + timedelta(days=MAX_AS_OF_AHEAD_DAYS)
        if not FIRST_AS_OF <= day <= latest:
            raise ConfigError(f"{self.where()}: [run] as_of = {str(day)!r}, expected a date from "
                              f"{FIRST_AS_OF.isoformat()} to {latest.isoformat()} (a year from today at most)")
        return day

    @property
    def period(self) -> str | None:
        p = self.raw.get("run", {}).get("period")
        return str(p) if p else None

    @property
    def overlap(self) -> timedelta:
        """How far before the last run's start a re-run asks for changes (``[run] overlap_minutes``)."""
        minutes = self.raw.get("run", {}).get("overlap_minutes")
        return timedelta(minutes=schema.DEFAULT_OVERLAP_MINUTES if minutes is None else int(minutes))

    def side(self, side: str) -> dict[str, Any]:
        s = self.raw.get(side)
        if not isinstance(s, dict):
            raise ConfigError(f"{self.where()}: missing the [{side}] table (which source is the "
                              f"{'CRM' if side == 'crm' else 'ERP'} side)")
        return s

    @property
    def rules(self) -> dict[str, Any]:
        rules: dict[str, Any] = self.raw.get("rules", {})
        return rules

    def resolve(self, p: str | Path) -> Path:
        p = Path(p).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    def where(self) -> str:
        return str(self.path) if self.path else "run config"

    def public(self) -> dict[str, Any]:
        """The config as stored with a run and shown in exports (secret-free by construction)."""
        return copy.deepcopy(self.raw)


MAX_CONFIG_BYTES = 16 << 20  # the shipped examples are under 10 KB


def load(path: str | Path) -> RunConfig:
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: config file not found")
    if p.is_dir():
        raise ConfigError(f"{p}: is a folder; --config takes the run config file (a .toml file) itself")
    try:
        with p.open("rb") as fh:  # at most one byte past the limit: /dev/zero or a huge file never fills memory
            data = fh.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{p}: larger than {MAX_CONFIG_BYTES >> 20} MiB (or endless, like a device); a run "
                              "config is a few KB of TOML")
        raw = tomllib.loads(data.decode("utf-8-sig"))  # Notepad saves UTF-8 with a BOM
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the config ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 text (byte {exc.start}); save the config as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return from_dict(raw, path=p)


def from_dict(raw: dict[str, Any], path: Path | None = None, base_dir: Path | None = None) -> RunConfig:
    where = str(path) if path else "run config"
    secrets.refuse_in_config(raw, where)
    for side in ("crm", "erp"):
        if side not in raw:
            raise ConfigError(f"{where}: missing the [{side}] table")
        if isinstance(raw[side], dict) and "connector" not in raw[side]:
            raise ConfigError(f"{where}: [{side}] has no 'connector' (files, salesforce, business_central, odoo, rest)")
    problem = schema.validate(raw) or tolerances.problem(raw.get("rules"))
    if problem:
        raise ConfigError(f"{where}: {problem}")
    cfg = RunConfig(raw=raw, path=path, base_dir=base_dir or (path.parent if path else Path.cwd()))
    _ = cfg.as_of  # validates
    return cfg
