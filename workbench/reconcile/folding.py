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


# Cyrillic and Greek written in Latin letters, as companies write their names for a foreign system: Russian
# after BGN/PCGN (ж zh, й y, х kh, ц ts, щ shch, ы y; the signs dropped), Ukrainian after its national system of
# 2010 (г h, и y, ї i: "Київ" is "Kyiv") in a text with a letter only Ukrainian has (і ї є ґ), Serbian and
# Macedonian as their own Latin alphabet writes them (ђ is the đ that folds to d: "Ђуро" is "Đuro"), Greek after
# ELOT 743 (ISO 843): "ООО «Ромашка»" is "OOO Romashka". Applied to lower case, before NFKD takes й and ї apart.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "є": "ye", "і": "i", "ї": "i", "ґ": "g", "ђ": "d", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c",
    "џ": "dz", "ѕ": "dz", "ѓ": "g", "ќ": "k", "ў": "u"}
_RUSSIAN = str.maketrans(_CYRILLIC)
_UKRAINIAN = str.maketrans({**_CYRILLIC, "г": "h", "и": "y", "й": "i"})
_UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
_GREEK = str.maketrans({
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k", "λ": "l",
    "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f",
    "χ": "ch", "ψ": "ps", "ω": "o"})
# Greek pairs ELOT 743 writes as one sound (ου is "ou": Papadopoulos, Georgiou), before the letters
_GREEK_PAIRS = (("ου", "ou"), ("αυ", "av"), ("ευ", "ev"), ("γγ", "ng"), ("γκ", "gk"))
# A letter of one script in a word written in another is one that looks like a letter of that script, typed on
# another keyboard layout: "Асme" with a Cyrillic А and с is "Acme", "Рoмашка" with a Latin o is "Ромашка". Read
# by its looks before lower case (a capital Greek Ν is N, its small ν looks like v); µ is the micro sign, "u".
_AS_LATIN = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
    "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
    "Τ": "T", "Υ": "Y", "Χ": "X", "\u03a9": "O", "\u2126": "O", "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "µ": "u", "μ": "u"})
_AS_CYRILLIC = str.maketrans({
    "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р", "C": "С", "T": "Т", "X": "Х",
    "Y": "У", "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "k": "к", "m": "м", "t": "т"})
_AS_GREEK = str.maketrans({
    "A": "Α", "B": "Β", "E": "Ε", "Z": "Ζ", "H": "Η", "I": "Ι", "K": "Κ", "M": "Μ", "N": "Ν", "O": "Ο", "P": "Ρ",
    "T": "Τ", "Y": "Υ", "X": "Χ", "o": "ο", "i": "ι", "k": "κ", "v": "ν", "p": "ρ", "t": "τ", "u": "υ", "x": "χ"})
OTHER_SCRIPT = re.compile("[\u00b5\u0370-\u03ff\u0400-\u052f\u2126]")
_CYRILLIC_LETTER = re.compile("[\u0400-\u052f]")
_LATIN_LETTER = re.compile("[A-Za-z]")
_WORD = re.compile(r"\w+")


def _in_latin(text: str) -> str:
    """Each Cyrillic or Greek word of ``text`` in Latin letters (see _RUSSIAN, _GREEK, _AS_LATIN)."""
    table = _UKRAINIAN if _UKRAINIAN_ONLY.search(text) else _RUSSIAN

    def word(m: re.Match[str]) -> str:
        w = m[0]
        others = len(OTHER_SCRIPT.findall(w))
        if not others:
            return w
        latins = len(_LATIN_LETTER.findall(w))
        if latins >= others:  # a Latin word with look-alikes typed in; a letter without one is transliterated
            w = w.translate(_AS_LATIN)
        elif latins:  # a Cyrillic or Greek word with a Latin look-alike typed in
            w = w.translate(_AS_CYRILLIC if _CYRILLIC_LETTER.search(w) else _AS_GREEK)
        # Cyrillic before NFKD (it takes й and ї apart), Greek after it (ού is ου, a pair)
        w = unicodedata.normalize("NFKD", w.casefold().translate(table))
        w = "".join(ch for ch in w if not unicodedata.combining(ch))
        for pair, latin in _GREEK_PAIRS:
            w = w.replace(pair, latin)
        return w.translate(_GREEK)
    return _WORD.sub(word, text)


def fold(text: object) -> str | None:
    """Lower case, diacritics removed (NFKD), ß -> ss, ø -> o, æ -> ae, ł -> l and the other Latin letters
    NFKD keeps whole (``_LETTERS``), Cyrillic and Greek in Latin letters (``_in_latin``); None for blank."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    if not s.isascii() and OTHER_SCRIPT.search(s):
        s = _in_latin(s)
    s = s.casefold()
    if s.isascii():
        return s  # nothing to decompose: the common case, kept off the per-character path
    s = unicodedata.normalize("NFKD", s).translate(_LETTERS)
    return "".join(ch for ch in s if not unicodedata.combining(ch))
