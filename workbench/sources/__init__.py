"""Source connectors: one module per kind of system, each exposing ``create(side, config)``."""

from __future__ import annotations

import importlib

from workbench.config import RunConfig
from workbench.errors import ConfigError
from workbench.sources.base import Source

CONNECTORS = {
    "files": "workbench.sources.files",
    "salesforce": "workbench.sources.salesforce",
    "business_central": "workbench.sources.business_central",
    "odoo": "workbench.sources.odoo",
    "rest": "workbench.sources.rest_profile",
}


def open_source(side: str, config: RunConfig) -> Source:
    name = config.side(side).get("connector")
    module = CONNECTORS.get(name) if isinstance(name, str) else None
    if module is None:
        raise ConfigError(f"{config.where()}: [{side}] connector = {name!r}, expected one of "
                          f"{', '.join(CONNECTORS)}")
    source: Source = importlib.import_module(module).create(side, config)
    return source
