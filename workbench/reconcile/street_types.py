"""Street-type words per language (avenida/av/avda, calle/c/cl, boulevard/bd, close/cl),
from libpostal's address dictionaries (street_types.csv, derived by
resources/street_types/derive.py; MIT licence) and, for the United States first, the USPS
standard suffix abbreviations (street_types_usps.csv, Publication 28 Appendix C1); and the
languages street lines are written in per country."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from workbench.reconcile.folding import fold

# ISO country -> languages its street lines are written in, most common first
STREET_LANGUAGES: dict[str, tuple[str, ...]] = {
    "DE": ("de",), "AT": ("de",), "LI": ("de",), "CH": ("de", "fr", "it"), "LU": ("fr", "de"),
    "FR": ("fr",), "MC": ("fr",), "BE": ("fr", "nl"), "NL": ("nl",), "ES": ("es", "ca"), "AD": ("ca", "es"),
    "IT": ("it",), "SM": ("it",), "SE": ("sv",), "DK": ("da",), "NO": ("nb",), "FI": ("fi", "sv"),
    "PL": ("pl",), "PT": ("pt",), "BR": ("pt",), "MX": ("es",), "AR": ("es",), "CL": ("es",), "CO": ("es",),
    "GB": ("en",), "IE": ("en",), "US": ("en_us", "en"), "CA": ("en", "fr"), "AU": ("en",), "NZ": ("en",),
    "SG": ("en",), "IN": ("en",), "ZA": ("en",), "JP": ("en",),
}
DEFAULT_LANGUAGES = ("en",)

_PUNCT_DROP = re.compile(r"[.'’`´/]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def words(folded: str) -> list[str]:
    return [t for t in _NON_WORD.split(_PUNCT_DROP.sub("", folded)) if t]


@dataclass
class Locale:
    types: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # variant words -> canonical
    single: dict[str, tuple[str, ...]] = field(default_factory=dict)  # one-word variants
    multi_first: set[str] = field(default_factory=set)  # first words of multi-word variants
    longest: int = 1
    suffixes: list[tuple[str, str]] = field(default_factory=list)  # (full suffix, canonical), longest first
    abbreviated: list[tuple[str, str]] = field(default_factory=list)  # ("str", "straat"): only before a dot
    suffix_re: re.Pattern[str] | None = None
    abbreviated_re: re.Pattern[str] | None = None
    suffix_of: dict[str, str] = field(default_factory=dict)
    abbreviated_of: dict[str, str] = field(default_factory=dict)
    pieces: dict[str, list[str]] = field(default_factory=dict)  # split_suffix per piece (street words repeat)


def _fold(text: str) -> str:
    return fold(text) or ""


@lru_cache(maxsize=1)
def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in ("street_types_usps.csv", "street_types.csv"):
        with Path(__file__).with_name(name).open(encoding="utf-8") as fh:
            rows += csv.DictReader(line for line in fh if not line.startswith("#"))
    return rows


@lru_cache(maxsize=64)
def locale(country: str | None) -> Locale:
    langs = STREET_LANGUAGES.get(country or "", DEFAULT_LANGUAGES)
    loc = Locale()
    for lang in langs:  # the first language's reading of a word wins
        for row in _rows():
            if row["lang"] != lang:
                continue
            canonical = tuple(words(_fold(row["canonical"])))
            if not canonical:
                continue
            variants = [row["canonical"]] + [v for v in row["variants"].split("|") if v.strip()]
            if row["kind"] == "type":
                for v in variants:
                    key = tuple(words(_fold(v)))
                    if key:
                        loc.types.setdefault(key, canonical)
                        loc.longest = max(loc.longest, len(key))
            else:
                full = "".join(canonical)
                loc.suffixes.append((full, full))
                for v in variants[1:]:
                    fv = _fold(v)
                    if fv.endswith("."):
                        loc.abbreviated.append(("".join(words(fv)), full))
                    elif len(fv) >= 4:
                        loc.suffixes.append(("".join(words(fv)), full))
    # a definite form is the same street type ("gatan"/"gata", "vägen"/"väg", "veien"/"vei"):
    # one abbreviation ("g.", "v.") stands for both
    fulls = {full for _, full in loc.suffixes}
    base = {f: min((g for g in fulls if len(g) >= 3 and f.startswith(g)), key=len) for f in fulls}
    loc.suffixes = sorted(((v, base[f]) for v, f in loc.suffixes), key=lambda s: -len(s[0]))
    loc.abbreviated = sorted(((a, base.get(f, f)) for a, f in loc.abbreviated), key=lambda s: -len(s[0]))
    # one regular expression per list: the longest suffix wins, the stem keeps 3 characters
    for name, pairs in (("suffix", loc.suffixes), ("abbreviated", loc.abbreviated)):
        of: dict[str, str] = {}
        for v, f in pairs:
            of.setdefault(v, f)
        setattr(loc, f"{name}_of", of)
        if of:
            alts = "|".join(re.escape(v) for v in sorted(of, key=len, reverse=True))
            setattr(loc, f"{name}_re", re.compile(rf"^(.{{3,}}?)({alts})$"))
    loc.single = {k[0]: v for k, v in loc.types.items() if len(k) == 1}
    loc.multi_first = {k[0] for k in loc.types if len(k) > 1}
    return loc


def split_suffix(piece: str, loc: Locale) -> list[str]:
    """A street name with its type written onto it ("kerkstraat", "kerkstr.") as separate
    words ("kerk straat"); an abbreviated suffix only when a dot marks it as one."""
    hit = loc.pieces.get(piece)
    if hit is None:
        if len(loc.pieces) > 1 << 18:
            loc.pieces.clear()  # bounded like the other key caches
        hit = loc.pieces[piece] = _split_suffix(piece, loc)
    return hit


def _split_suffix(piece: str, loc: Locale) -> list[str]:
    bare = _NON_WORD.sub("", _PUNCT_DROP.sub("", piece))
    if loc.suffix_re is not None and len(bare) > 5:
        m = loc.suffix_re.match(bare)
        if m:
            return [m.group(1), loc.suffix_of[m.group(2)]]
    if piece.endswith(".") and loc.abbreviated_re is not None:
        m = loc.abbreviated_re.match(bare)
        if m:
            return [m.group(1), loc.abbreviated_of[m.group(2)]]
    return [bare] if bare == piece else words(piece)


def abbreviated_splits(piece: str, loc: Locale) -> list[list[str]]:
    """Every reading of a street name with an abbreviated type written onto it: "joepln."
    is "joep" + laan ("ln.") or "joe" + plein ("pln."); the key takes the longest, and the
    comparison of two lines accepts any reading (see normalize.streets_equivalent)."""
    if not piece.endswith(".") or not loc.abbreviated_of:
        return []
    bare = _NON_WORD.sub("", _PUNCT_DROP.sub("", piece))
    return [[bare[:-len(v)], f] for v, f in loc.abbreviated_of.items()
            if bare.endswith(v) and len(bare) - len(v) >= 3]


def canonical_words(toks: list[str], loc: Locale) -> list[str]:
    """Street-type words and their abbreviations replaced by the canonical word, longest
    match first (libpostal lists multi-word types such as "avenida calle")."""
    out: list[str] = []
    k = 0
    single, multi = loc.single, loc.multi_first
    while k < len(toks):
        t = toks[k]
        if t in multi:
            for n in range(min(loc.longest, len(toks) - k), 1, -1):
                hit = loc.types.get(tuple(toks[k:k + n]))
                if hit is not None:
                    out.extend(hit)
                    k += n
                    break
            else:
                out.extend(single.get(t, (t,)))
                k += 1
            continue
        out.extend(single.get(t, (t,)))
        k += 1
    return out
