"""The one colour palette (resources/palette/palette.toml), shared by the app and the Excel export."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@cache
def palette(mode: str = "light") -> dict[str, Any]:
    """Colour name -> "#rrggbb", plus the tables "severity" and "status" (name -> "#rrggbb")."""
    data = tomllib.loads((RESOURCES / "palette" / "palette.toml").read_text(encoding="utf-8"))
    colours: dict[str, Any] = data[mode]
    return colours
