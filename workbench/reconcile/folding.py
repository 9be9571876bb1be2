"""Text folded for comparison, shared by the comparison keys (normalize) and the street-type
tables (street_types), which both need it and must not import each other."""

from __future__ import annotations

import re
import unicodedata


# Latin letters NFKD leaves whole (they are letters of their own, not a letter and a mark), written as the
# ASCII their languages fall back to when the letter is not at hand: Sørensen is Sorensen as Müller is Muller
# (the ASCII spellings ø = oe, ü = ue stay different words, as a controller would report them)
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "ı": "i", "đ": "d", "ð": "d", "þ": "th",
                          "ħ": "h", "ŧ": "t", "ŀ": "l"})


# Cyrillic and Greek written in Latin letters, as companies write their names for a foreign system: the
# Russian and Ukrainian letters after BGN/PCGN (ж zh, х kh, ц ts, щ shch; the signs dropped), the Serbian and
# Macedonian ones after their own Latin alphabet, Greek after ELOT 743 (ISO 843): "ООО «Ромашка»" is
# "OOO Romashka". Applied after NFKD and lower case: й, ё, ї, ά are their base letter by then.
_SCRIPTS = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "є": "ye",
    "і": "i", "ґ": "g", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѕ": "dz",
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k", "λ": "l",
    "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f",
    "χ": "ch", "ψ": "ps", "ω": "o"})
# Greek pairs ELOT 743 writes as one sound (ου is "ou": Papadopoulos, Georgiou), before the letters
_GREEK_PAIRS = (("ου", "ou"), ("αυ", "av"), ("ευ", "ev"), ("γγ", "ng"), ("γκ", "gk"))
# A Cyrillic or Greek letter in a word of Latin letters is one that looks like a Latin letter, typed on
# another keyboard layout ("Асme" with a Cyrillic А and с): it is read as the letter it looks like, not
# transliterated (lower case: the capitals В Н Т and Greek Η look like B H T)
_LOOK_ALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
    "х": "x", "і": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "y", "χ": "x"})
_OTHER_SCRIPT = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_WORD = re.compile(r"\w+")


def _latin_word(m: re.Match[str]) -> str:
    word = m[0]
    if not _OTHER_SCRIPT.search(word):
        return word
    if any("a" <= ch <= "z" for ch in word):  # mixed: look-alikes
        return word.translate(_LOOK_ALIKES)
    for pair, latin in _GREEK_PAIRS:
        word = word.replace(pair, latin)
    return word.translate(_SCRIPTS)


def fold(text: object) -> str | None:
    """Lower case, diacritics removed (NFKD), ß -> ss, ø -> o, æ -> ae, ł -> l and the other Latin letters
    NFKD keeps whole (``_LETTERS``), Cyrillic and Greek in Latin letters (``_SCRIPTS``); None for blank."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    s = s.casefold()
    if s.isascii():
        return s  # nothing to decompose: the common case, kept off the per-character path
    s = unicodedata.normalize("NFKD", s).translate(_LETTERS)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _WORD.sub(_latin_word, s) if _OTHER_SCRIPT.search(s) else s
