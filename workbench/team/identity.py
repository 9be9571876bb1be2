"""When two user names are the same person.

Maker-checker only means something if ``Bob``, ``"bob "``, ``bоb`` (Cyrillic о) and
bob with a zero-width space inside are all ``bob``. ``same_person`` compares names after
NFKC, removal of whitespace and invisible characters, case folding and the Unicode
confusable skeleton (UTS #39 section 4), so names that look alike on screen are one person.

The skeleton's prototypes come from Unicode's ``confusables.txt`` 17.0.0, shipped
unmodified next to this module (source: https://www.unicode.org/Public/security/17.0.0/,
Unicode License V3 in ``confusables.LICENSE.txt``). No PyPI library computes the skeleton
itself: confusable_homoglyphs only lists look-alike pairs, and the ``confusables`` package
matches by expanding variants.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("confusables.txt")

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt): rendered as nothing, so a name
# holding one looks like the name without it. Format characters (Cf) are covered by category.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
    # Not default-ignorable, but drawn as nothing by every font: the braille blank is the classic
    # "invisible character" of user names (a name holding it looks like the name with a space).
    (0x2800, 0x2800),
)


def _invisible(ch: str) -> bool:
    cp = ord(ch)
    if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn"):
        return True
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


@cache
def _prototypes() -> dict[str, str]:
    table: dict[str, str] = {}
    with DATA.open(encoding="utf-8-sig") as fh:
        for line in fh:
            if not line[:1].isalnum():
                continue  # comments and blank lines
            source, target, _ = line.split(";", 2)
            table[chr(int(source, 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return table


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, drop default-ignorables, map each character to its prototype, NFD."""
    table = _prototypes()
    nfd = unicodedata.normalize("NFD", text)
    mapped = "".join(table.get(ch, ch) for ch in nfd if not _invisible(ch))
    return unicodedata.normalize("NFD", mapped)


def clean_name(name: str) -> str:
    """The name as it should be stored and shown: NFKC, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or not _invisible(ch))
    return " ".join(text.split())


def invisible_characters(name: str) -> list[str]:
    """The invisible characters inside ``name`` (not counting surrounding spaces), as U+XXXX NAME."""
    text = unicodedata.normalize("NFKC", name)
    return [f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}" for ch in text
            if not ch.isspace() and _invisible(ch)]


def _settled(text: str) -> str:
    # Prototypes may be capitals or compatibility forms (0 -> O), so fold again until stable.
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", skeleton(text)).casefold()
        if folded == text:
            break
        text = folded
    return text


@lru_cache(maxsize=4096)  # a bulk approval asks about the same few preparers again and again
def person_keys(name: str) -> frozenset[str]:
    """Names sharing a key are the same person (see the module docstring).

    Two keys because case and look-alikes do not commute: "ΑΝΝ" (Greek capitals) looks like
    ANN only before case folding, "Ian" is "ian" only after it (the skeleton maps I to l)."""
    text = "".join(ch for ch in clean_name(name) if not ch.isspace())
    return frozenset({_settled(text), _settled(text.casefold())})


def same_person(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and not person_keys(a).isdisjoint(person_keys(b))
