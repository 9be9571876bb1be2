"""Text that is safe to put in a workbook cell: never evaluated, never a secret, always writable.

Formula injection: a text cell from source data that begins with ``=``, ``+``, ``-``,
``@``, tab or carriage return is written as a *string* cell (``t="inlineStr"``) with
Excel's quote-prefix flag set. Excel and LibreOffice show such a cell as text and never
evaluate it, and the quote prefix keeps it text even if someone edits the cell and
presses Enter. The value itself is kept exactly as the source sent it (no leading
apostrophe is added): an auditor sees the source's own text, and the manifest hashes it.

Secrets: text from configs, source metadata, errors and audit details passes through
``scrub`` so URL credentials, token/password query parameters and bearer tokens never
reach a cell, and any value of an environment variable the run config names as a secret
(``*_env`` keys) is masked wherever it appears.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_TEXT = 32_767
TRUNCATED = " …[truncated]"
MASK = "***"

SECRET_KEY_WORDS = ("password", "passwd", "secret", "token", "api_key", "apikey", "private_key",
                    "session_id", "sessionid", "credential")

_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@\s:]*):(?P<pw>[^/@\s]+)@")
_SECRET_PARAM = re.compile(
    r"(?i)(?P<key>[\w.-]*(?:password|passwd|secret|token|api_?key|signature|session_?id|assertion)"
    r"[\w.-]*)(?P<sep>\s*[=:]\s*)(?P<val>[^&\s,;\"'}]+)")
_BEARER = re.compile(r"(?i)\b(bearer|basic|oauth)\s+[A-Za-z0-9._~+/=-]{8,}")


def cell_text(value: str) -> str:
    """Characters XML cannot carry become visible escapes; overlong text is cut with a marker."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if len(value) > EXCEL_MAX_TEXT:
        value = value[:EXCEL_MAX_TEXT - len(TRUNCATED)] + TRUNCATED
    return value


def is_secret_key(key: str) -> bool:
    k = key.lower()
    if k.endswith("_env") or k.endswith("_file") or k.endswith("_path"):
        return False  # the *name* of where a secret lives, not the secret
    return any(w in k for w in SECRET_KEY_WORDS)


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
    """Masks credentials in free text (URLs, query strings, headers, error messages)."""

    def __init__(self, secrets: Iterable[str] = ()):
        self.secrets = [s for s in secrets if s]

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for s in self.secrets:
            if s in text:
                text = text.replace(s, MASK)
        if "://" in text:
            text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
        if "=" in text or ":" in text:
            text = _SECRET_PARAM.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)
        return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)

    def mask_known(self, text: str) -> str:
        """Only the known secret values; for bulk source data, where key=value text is business content."""
        for s in self.secrets:
            if s in text:
                text = text.replace(s, MASK)
        return text

    def value(self, key: str, value: Any) -> Any:
        """A config/metadata value under ``key``: redacted entirely when the key names a secret."""
        if is_secret_key(key) and value not in (None, "", False) and not isinstance(value, (dict, list)):
            return "(redacted)"
        return self.obj(value)

    def obj(self, value: Any) -> Any:
        """A JSON-like structure with secret-named keys redacted and every string scrubbed."""
        if isinstance(value, dict):
            return {k: self.value(str(k), v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.obj(v) for v in value]
        if isinstance(value, str):
            return self(value)
        return value
