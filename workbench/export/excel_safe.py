"""Text that is safe to put in a workbook cell: never evaluated, never a secret, always writable.

Formula injection: a text cell from source data that begins with ``=``, ``+``, ``-``,
``@``, tab or carriage return is written as a *string* cell (``t="inlineStr"``) with
Excel's quote-prefix flag set. Excel and LibreOffice show such a cell as text and never
evaluate it, and the quote prefix keeps it text even if someone edits the cell and
presses Enter. The value itself is kept exactly as the source sent it (no leading
apostrophe is added): an auditor sees the source's own text, and the manifest hashes it.
CSV has no quote-prefix flag, so ``csv_cell`` puts the apostrophe in front instead (OWASP's
advice for CSV injection); plain numbers such as ``-12.50`` are left alone.

Secrets: text from configs, source metadata, errors and audit details passes through
``Scrubber`` (the rules of ``workbench.model.secrets``) so URL credentials, secret-named
parameters, PEM blocks and bearer tokens never reach a cell, and any value of an environment
variable the run config names as a secret (``*_env`` keys) is masked wherever it appears.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from workbench.model import secrets

# Excel also starts a formula at the full-width forms some input methods type.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
EXCEL_MAX_TEXT = 32_767
TRUNCATED = " …[truncated]"
CSV_GUARD = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

def csv_cell(value: Any) -> Any:
    """A value for a CSV file a spreadsheet may open: text a spreadsheet would evaluate as a
    formula gets a leading apostrophe (the value is then shown, never run). Plain numbers,
    negative ones included, stay as they are."""
    if type(value) is not str or not value.startswith(FORMULA_TRIGGERS):
        return value
    if value[0] in "+-" and _PLAIN_NUMBER.fullmatch(value):
        return value
    return CSV_GUARD + value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def cell_text(value: str) -> str:
    """Characters XML cannot carry become visible escapes; overlong text is cut with a marker."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if len(value) > EXCEL_MAX_TEXT:
        value = value[:EXCEL_MAX_TEXT - len(TRUNCATED)] + TRUNCATED
    return value


def env_secrets(config: Any) -> list[str]:
    """Values of the environment variables a run config names as holding secrets."""
    names: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                if isinstance(v, str) and str(k).lower().endswith("_env") and v:
                    names.add(v)
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(config)
    values = [os.environ.get(n, "") for n in sorted(names)]
    # Very short values would mask ordinary words; a real secret is longer than this.
    return sorted({v for v in values if len(v) >= 6}, key=len, reverse=True)


class Scrubber:
    """Masks credentials in free text (URLs, query strings, headers, error messages) and the
    values of the secrets the run config names, by the rules of ``workbench.model.secrets``."""

    def __init__(self, known: Iterable[str] = ()):
        self.secrets = [s for s in known if s]

    def __call__(self, text: str) -> str:
        return secrets.mask(text, self.secrets) if text else text

    def mask_known(self, text: str) -> str:
        """Only the known secret values; for bulk source data, where key=value text is business content."""
        for s in self.secrets:
            if s in text:
                text = text.replace(s, secrets.MASK)
        return text

    def value(self, key: str, value: Any) -> Any:
        """A config/metadata value under ``key``: redacted entirely when the key names a secret."""
        return secrets.mask_value(key, value, self.secrets)

    def obj(self, value: Any) -> Any:
        """A JSON-like structure with secret-named keys redacted and every string masked."""
        return secrets.mask_obj(value, self.secrets)
