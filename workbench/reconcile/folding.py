"""Text folded for comparison, shared by the comparison keys (normalize) and the street-type
tables (street_types), which both need it and must not import each other."""

from __future__ import annotations

import unicodedata


def fold(text: object) -> str | None:
    """Lower case, diacritics removed (NFKD), ß -> ss; None for blank."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    s = s.casefold()
    if s.isascii():
        return s  # nothing to decompose: the common case, kept off the per-character path
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))
