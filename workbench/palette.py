"""The one colour palette (resources/palette/palette.toml), shared by the app and the Excel export."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@cache
def palette(mode: str = "light") -> dict[str, str]:
    data = tomllib.loads((RESOURCES / "palette" / "palette.toml").read_text(encoding="utf-8"))
    colours: dict[str, str] = data[mode]
    return colours
