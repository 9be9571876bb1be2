"""Text folded for comparison, shared by the comparison keys (normalize) and the street-type
tables (street_types), which both need it and must not import each other."""

from __future__ import annotations

import unicodedata


# Latin letters NFKD leaves whole (they are letters of their own, not a letter and a mark), written as the
# ASCII their languages fall back to when the letter is not at hand: Sørensen is Sorensen as Müller is Muller
# (the ASCII spellings ø = oe, ü = ue stay different words, as a controller would report them)
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "ı": "i", "đ": "d", "ð": "d", "þ": "th",
                          "ħ": "h", "ŧ": "t", "ŀ": "l"})


def fold(text: object) -> str | None:
    """Lower case, diacritics removed (NFKD), ß -> ss, ø -> o, æ -> ae, ł -> l and the other Latin letters
    NFKD keeps whole (``_LETTERS``); None for blank."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    s = s.casefold()
    if s.isascii():
        return s  # nothing to decompose: the common case, kept off the per-character path
    s = unicodedata.normalize("NFKD", s).translate(_LETTERS)
    return "".join(ch for ch in s if not unicodedata.combining(ch))
