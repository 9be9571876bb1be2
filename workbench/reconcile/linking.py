"""Customer linking: which CRM account is which ERP customer, and how sure we are.

Passes, each a join on normalised keys so it could run as SQL:
1. cross-references on either side (Salesforce ids in 18-char form, ERP numbers per the
   id policy);
2. deterministic keys: tax id per country, website domain, DUNS;
3. fuzzy evidence on legal name and address within blocks (tax id, postcode, rare name
   tokens, sorted neighbourhood), scored with rapidfuzz over candidate pairs.
Every candidate pair gets an evidence score; assignment is one-to-one, greedy by tier
then confidence, ties broken by ids so runs are deterministic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from workbench.reconcile import normalize as nz
from workbench.reconcile.folding import OTHER_SCRIPT
from workbench.progress import TaskState, check_cancelled
from workbench.reconcile.rules import Rules

XREF_PLAUSIBLE = 0.5  # evidence below this with a strong alternative means the xref is wrong


@dataclass
class Features:
    """Per-customer comparison keys of one side, positionally aligned with its frame."""
    ids: np.ndarray
    id_key: np.ndarray       # CRM: 18-char id; ERP: number key
    xref_key: np.ndarray     # CRM: ERP number key; ERP: 18-char CRM id
    alt_key: np.ndarray      # ERP record_id as written (CRM xrefs sometimes hold the GUID)
    core: np.ndarray
    form: np.ndarray
    tax: np.ndarray
    tax_core: np.ndarray
    tax_entity: np.ndarray   # the legal entity a tax id names, where it also names a registration (SIREN, PAN)
    domain: np.ndarray
    duns: np.ndarray
    postcode: np.ndarray
    country: np.ndarray
    city: np.ndarray
    street: np.ndarray
    house: np.ndarray        # the numbers in the street line (house number, unit)
    short: np.ndarray        # the core name when it could be an acronym (one word of 2-6 letters), else None
    initials: np.ndarray     # the first letters of a core name of two words or more, else None
    numbers: np.ndarray      # the numbers in the core name ("Fund II", "Studio 54"; normalize.name_numbers)
    name: np.ndarray         # the name as written (str, or None where blank)
    trade: np.ndarray        # a name written with its trading name ("X t/a Y"): the cores of X and Y, else None
    blocks: list[np.ndarray] | None = None


def _arr(values: Iterable[Any]) -> np.ndarray:
    return np.array(list(values), dtype=object)


_number_key = lru_cache(maxsize=1 << 18)(nz.number_key)


def features(frame: pd.DataFrame, side: str, rules: Rules, script_forms: bool | None = None) -> Features:
    """The side's comparison keys per row; ``script_forms``: read "OOO", "AO" in Latin names as the forms they
    are in Cyrillic (``normalize.name_parts``), as where the other side writes its names in that script."""
    pol = dict(case=rules.id_case, leading_zeros=rules.id_leading_zeros, separators=rules.id_separators)

    def num(v: Any) -> str | None:
        # text through the cache (the other side holds the same numbers); anything else
        # uncached, where 1, 1.0 and True would share an entry but not a key
        return _number_key(v, **pol) if type(v) is str else nz.number_key(v, **pol)

    def crm_id(v: Any) -> str | None:
        return nz.sf_id_key(v) or num(v)

    ids = frame["record_id"].to_numpy(dtype=object)
    countries = [nz.country_key(c) for c in frame["country"]]
    if side == "crm":
        id_key = _arr(crm_id(v) for v in ids)
        xref_key = _arr(num(v) for v in frame["xref"])
        alt_key = _arr([None] * len(ids))
    else:
        id_key = _arr(num(v) for v in frame["number"])
        xref_key = _arr(crm_id(v) for v in frame["xref"])
        alt_key = _arr(None if v is None else str(v).strip() for v in ids)
    parts = [nz.name_parts(str(n), script_forms or None) if n is not None else ("", "") for n in frame["name"]]
    tax = [nz.tax_key(t, c) for t, c in zip(frame["tax_id"], countries)]
    street = _arr(nz.street_key(s, c) for s, c in zip(frame["street"], countries))
    return Features(
        ids=ids, id_key=id_key, xref_key=xref_key, alt_key=alt_key,
        core=_arr(p[0] for p in parts), form=_arr(p[1] for p in parts),
        tax=_arr(tax), tax_core=_arr(None if t is None else t.split(":", 1)[1] for t in tax),
        tax_entity=_arr(nz.tax_entity(t) for t in tax),
        domain=_arr(nz.domain_key(w) for w in frame["website"]),
        duns=_arr(nz.duns_key(d) for d in frame["duns"]),
        postcode=_arr(nz.postcode_key(p, c) for p, c in zip(frame["postcode"], countries)),
        country=_arr(countries),
        city=_arr(nz.city_key(c) for c in frame["city"]),
        street=street,
        house=_arr(_house_numbers(s) for s in street),
        short=_arr(_acronym_form(p[0]) for p in parts), initials=_arr(_initials(p[0]) for p in parts),
        numbers=_arr(nz.name_numbers(p[0]) for p in parts),
        name=_arr(None if n is None else str(n) for n in frame["name"]),
        trade=_objects(_trade_cores(n, script_forms) for n in frame["name"]),
    )


def _trade_cores(name: Any, script_forms: bool | None) -> tuple[str, ...] | None:
    parts = nz.trading_as(None if name is None else str(name))
    return None if parts is None else tuple(nz.name_parts(p, script_forms or None)[0] for p in parts)


def _trade_name(c: Features, e: Features, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Per pair where one name is written with its trading name ("John Smith t/a Smith Plumbing") and the other is
    not: the better likeness of the other to either of its two parts; 0 elsewhere."""
    out = np.zeros(len(i))
    has_c, has_e = pd.notna(c.trade), pd.notna(e.trade)
    for k in np.flatnonzero(has_c[i] != has_e[j]).tolist():
        tc, te = c.trade[i[k]], e.trade[j[k]]
        parts, other = (tc, e.core[j[k]]) if tc is not None else (te, c.core[i[k]])
        if other:
            out[k] = max(max(fuzz.token_sort_ratio(p, other), fuzz.ratio(p, other)) for p in parts if p) / 100.0
    return out


def _acronym_form(core: str) -> str | None:
    return core if core.isalpha() and 2 <= len(core) <= 6 else None


def _initials(core: str) -> str | None:
    words = [w for w in core.split() if w != "and"]
    return "".join(w[0] for w in words) if len(words) >= 2 else None


@dataclass
class Linking:
    links: pd.DataFrame                 # crm_pos, erp_pos, method, confidence, status, evidence
    crm_xref_target: np.ndarray         # per CRM row: ERP position its xref points at, or -1
    erp_xref_target: np.ndarray         # per ERP row: CRM position its xref points at, or -1
    duplicates: list[tuple[int, int, int, str]] = field(default_factory=list)  # (crm_pos, erp_pos, other, side)
    candidates: pd.DataFrame | None = None


def _unique_index(keys: np.ndarray) -> dict[str, Any]:
    """key -> position, for keys that occur exactly once (ambiguous keys link nothing)."""
    counts = Counter(k for k in keys if k is not None)
    return {k: i for i, k in enumerate(keys) if k is not None and counts[k] == 1}


def _pairs_on(a: np.ndarray, b: np.ndarray, max_pairs: int) -> pd.DataFrame:
    """Positions (i, j) with a[i] == b[j] (not None), skipping keys that would pair too many.

    Joined on integer codes of one factorisation of both sides: pandas would otherwise hold
    the keys as Arrow strings, whose isin/merge cost Python work per value. Pairs come in
    merge order (CRM position, then ERP position within a key)."""
    codes = pd.factorize(np.concatenate([a, b]), use_na_sentinel=True)[0]
    ca, cb = codes[:len(a)], codes[len(a):]
    k = int(codes.max()) + 1 if len(codes) else 0
    if k == 0:
        return pd.DataFrame({"i": np.array([], dtype=np.int64), "j": np.array([], dtype=np.int64)})
    na = np.bincount(ca[ca >= 0], minlength=k)
    nb = np.bincount(cb[cb >= 0], minlength=k)
    ok = (na > 0) & (nb > 0) & (na * nb <= max_pairs)
    ia = np.nonzero((ca >= 0) & ok[np.maximum(ca, 0)])[0]
    jb = np.nonzero((cb >= 0) & ok[np.maximum(cb, 0)])[0]
    if len(ia) == 0 or len(jb) == 0:
        return pd.DataFrame({"i": np.array([], dtype=np.int64), "j": np.array([], dtype=np.int64)})
    m = pd.DataFrame({"k": ca[ia], "i": ia}).merge(pd.DataFrame({"k": cb[jb], "j": jb}), on="k")
    return m[["i", "j"]]


def _distinct(col: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """(codes, values): col == values[codes] element for element, each distinct value once.

    Only for str and None, which pandas' factorisation groups exactly as Python's ==
    does (1, 1.0 and True would share a code; NaN, pd.NA and None are all "missing" to
    it); a column holding anything else gets one entry per row."""
    if not set(map(type, col.tolist())) <= {str, type(None)}:
        return np.arange(len(col)), col.tolist()
    codes, uniq = pd.factorize(col, use_na_sentinel=True)
    return np.where(codes < 0, len(uniq), codes), uniq.tolist() + [None]


def _objects(values: Iterable[Any]) -> np.ndarray:
    """A 1-d object array of the values as they are (np.array would unpack tuples)."""
    items = list(values)
    return np.fromiter(items, dtype=object, count=len(items))


def _name_tokens(cores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First word and rarest token (among all the given cores; ties by the token) of each
    name core, worked out once per distinct core: the two sides share most of theirs."""
    codes, uniq = _distinct(cores)
    words = [set((core or "").split()) for core in uniq]
    # in how many records of both sides each word occurs: once per distinct core (counted
    # in C), then again for the records sharing a core
    freq = Counter(chain.from_iterable(words))
    for ws, n in zip(words, np.bincount(codes, minlength=len(uniq)).tolist()):
        if n > 1:
            for t in ws:
                freq[t] += n - 1

    def rarest(ws: set[str]) -> str | None:
        toks = [t for t in ws if len(t) > 1]
        return min(toks, key=lambda t: (freq[t], t)) if toks else None

    first = _objects((core or "").split(" ", 1)[0] or None for core in uniq)
    return first[codes], _objects(map(rarest, words))[codes]


def _joined(*cols: np.ndarray) -> np.ndarray:
    """Key parts joined with "|", None where any part is blank (concatenated column-wise)."""
    ok = np.ones(len(cols[0]), dtype=bool)
    for col in cols:
        ok &= pd.notna(col) & np.asarray(col != "", dtype=bool)
    out = np.full(len(cols[0]), None, dtype=object)
    if ok.any():
        acc = cols[0][ok]
        for col in cols[1:]:
            acc = acc + "|" + col[ok]
        out[ok] = acc
    return out


def _block_keys(c: Features, e: Features) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Blocking keys of every record of both sides (computed once per linking)."""
    if c.blocks is None or e.blocks is None:
        first, rarest = _name_tokens(np.concatenate([c.core, e.core]))
        for f, part in ((c, slice(0, len(c.core))), (e, slice(len(c.core), None))):
            f.blocks = [
                _joined(f.country, f.postcode, first[part]),
                _joined(f.country, f.city, f.core),
                _joined(f.country, f.city, f.street),
                _joined(f.country, rarest[part]),
            ]
    assert c.blocks is not None and e.blocks is not None  # set just above
    return c.blocks, e.blocks


def blocked_pairs(c: Features, e: Features, crm_pos: np.ndarray, erp_pos: np.ndarray, rules: Rules) -> pd.DataFrame:
    """Candidate pairs among the given rows from several blocking passes.

    Blocks are selective composite keys (postcode within country with the name's first
    word, exact name within city, street line within city, rarest name token within country) plus a sorted
    neighbourhood on name and postcode for typos; a key that would pair more than ``max_block`` records is skipped.
    """
    empty = pd.DataFrame({"i": np.array([], dtype=np.int64), "j": np.array([], dtype=np.int64)})
    if len(crm_pos) == 0 or len(erp_pos) == 0:
        return empty
    cap = rules.max_block
    frames: list[pd.DataFrame] = []

    def add(pairs: pd.DataFrame) -> None:
        if len(pairs):
            frames.append(pd.DataFrame({"i": crm_pos[pairs["i"].to_numpy()], "j": erp_pos[pairs["j"].to_numpy()]}))

    keys_c, keys_e = _block_keys(c, e)
    keys_c = [k[crm_pos] for k in keys_c]
    keys_e = [k[erp_pos] for k in keys_e]
    cc, ec = c.core[crm_pos], e.core[erp_pos]
    for kc, ke in zip(keys_c, keys_e):
        add(_pairs_on(kc, ke, cap))
    # sorted neighbourhood on name core + postcode: catches typos in names and keys
    w = rules.neighbourhood
    if w:
        sc = np.array([f"{a or ''}|{b or ''}" for a, b in zip(cc, c.postcode[crm_pos])], dtype=object)
        se = np.array([f"{a or ''}|{b or ''}" for a, b in zip(ec, e.postcode[erp_pos])], dtype=object)
        names = np.concatenate([sc, se]).astype(str)
        side = np.concatenate([np.zeros(len(cc), dtype=np.int8), np.ones(len(ec), dtype=np.int8)])
        local = np.concatenate([np.arange(len(cc)), np.arange(len(ec))])
        order = np.lexsort((side, names))
        s_side, s_local = side[order], local[order]
        ii, jj = [], []
        for d in range(1, w + 1):
            a_side, b_side = s_side[:-d], s_side[d:]
            a_loc, b_loc = s_local[:-d], s_local[d:]
            m1 = (a_side == 0) & (b_side == 1)
            m2 = (a_side == 1) & (b_side == 0)
            ii += [a_loc[m1], b_loc[m2]]
            jj += [b_loc[m1], a_loc[m2]]
        add(pd.DataFrame({"i": np.concatenate(ii), "j": np.concatenate(jj)}))
    if not frames:
        return empty
    return pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)


def _sim(a: np.ndarray, b: np.ndarray, *scorers: Callable[..., float]) -> tuple[list[np.ndarray], np.ndarray]:
    """Similarity 0..1 of pairwise strings by each scorer, and a mask of pairs where both are
    present (the strings gathered once for all scorers)."""
    both = pd.notna(a) & pd.notna(b) & (a != "") & (b != "")
    outs = [np.zeros(len(a), dtype=np.float64) for _ in scorers]
    if both.any():
        aa = [str(x) for x in a[both]]
        bb = [str(y) for y in b[both]]
        for out, scorer in zip(outs, scorers):
            out[both] = process.cpdist(aa, bb, scorer=scorer, workers=-1) / 100.0
    return outs, both


_NUMBER_TOKEN = re.compile(r"\S*\d\S*")


@lru_cache(maxsize=1 << 18)  # the other side's street keys are mostly the same lines
def _house_numbers(street: str | None) -> frozenset[Any]:
    """The tokens holding a digit (street keys are space-separated ASCII words)."""
    return frozenset(_NUMBER_TOKEN.findall(street)) if street else frozenset()


def _numbers_differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.fromiter((bool(x) and bool(y) and x != y for x, y in zip(a, b)), dtype=bool, count=len(a))


def _eq(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    both = pd.notna(a) & pd.notna(b)
    same = np.asarray(a == b, dtype=bool) & both
    return same, both


# the score's ceiling where the two names' words say different things (normalize.names_equivalent: another word
# that is no typo, no short form, no spelling of it): a suggestion at most, as for an acronym, unless a tax id or
# DUNS number agrees. The letters of "Hans Müller" / "Hanna Müller", "Hammond Engineering" / "Harmon Engineering",
# "한빛전자" / "한빛전기" are nearly all alike, and at one address the rest of the evidence is too: only the name
# tells two people or two companies apart. One name under two legal forms (GmbH / AG) keeps its own rule (score_pairs:
# less evidence, and the name reported once linked): a company that changed its form is common.
NAMES_DIFFER = 0.85


def _names_differ(c: Features, e: Features, i: np.ndarray, j: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Per pair, at the positions ``at`` only (the others False): both names known, their cores not one, and the
    names not equivalent."""
    out = np.zeros(len(i), dtype=bool)
    for k in np.flatnonzero(at).tolist():
        a, b = c.name[i[k]], e.name[j[k]]
        out[k] = a is not None and b is not None and c.core[i[k]] != e.core[j[k]] \
            and not nz.names_equivalent(a, b, (c.country[i[k]], e.country[j[k]]))
    return out


def _names_apart(c: Features, e: Features, i: np.ndarray, j: np.ndarray, at: np.ndarray,
                 apart: Callable[[Any, Any], bool]) -> np.ndarray:
    """Per pair, at the positions ``at`` only (the others False): whether the two names are ``apart`` (one plural
    "s", normalize.plural_apart; one letter of one word, normalize.letter_apart)."""
    out = np.zeros(len(i), dtype=bool)
    for k in np.flatnonzero(at).tolist():
        out[k] = apart(c.name[i[k]], e.name[j[k]])
    return out


# The name evidence of a name an ERP cut at the width of its field ("Northern Lights Renewable Ener" for "Northern
# Lights Renewable Energy Solutions Limited", normalize.cut_at_field_width): all of it that is left agrees, so the
# name is likely the same; the cut-off rest is unknown, so not certainly (an address that differs keeps the pair a
# suggestion: "Northern Lights Renewable Ener" is as much "... Energy Storage Limited" next door).
CUT_NAME = 0.95
CUT_NAME_MIN = 0.5  # a cut name's own likeness to the full one (its share of the letters): well above this
JOINED_MIN = 0.7  # two fields joined again: the same letters, one space more or less (a legal form run onto
# the name, "Hartstein-IndustrieAktiengesellschaft", leaves the likeness at 0.79)


def _cut_names(c: Features, e: Features, i: np.ndarray, j: np.ndarray, name: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, where the likeness is that of a cut: (the names are the same letters and figures, spaced apart
    otherwise, as two fields joined again write them; one name is the other cut at an ERP field's width)."""
    joined = np.zeros(len(i), dtype=bool)
    cut = np.zeros(len(i), dtype=bool)
    for k in np.flatnonzero((name >= CUT_NAME_MIN) & (name < CUT_NAME)).tolist():
        a, b = c.name[i[k]], e.name[j[k]]
        if a is None or b is None:
            continue
        if name[k] >= JOINED_MIN and nz.same_letters_and_figures(a, b):
            joined[k] = True
        else:
            cut[k] = nz.cut_at_field_width(a, b)
    return joined, cut


# the name evidence, and the score's ceiling, of a name that is the other's acronym: above the default threshold
# of a suggestion (0.72), below an automatic link (0.90)
ACRONYM_NAME = 0.85


def _same_letters(short: np.ndarray, initials: np.ndarray) -> np.ndarray:
    """Per pair: the one name is the acronym of the other (both known); compared only where both are."""
    out = np.zeros(len(short), dtype=bool)
    at = np.flatnonzero(pd.notna(short) & pd.notna(initials))
    if len(at):
        out[at] = short[at] == initials[at]
    return out


def score_pairs(c: Features, e: Features, pairs: pd.DataFrame) -> pd.DataFrame:
    """Evidence of each candidate pair and a score 0..1 combining it."""
    i = pairs["i"].to_numpy()
    j = pairs["j"].to_numpy()
    out = pairs.copy()
    (name, name_ratio), name_ok = _sim(c.core[i], e.core[j], fuzz.token_sort_ratio, fuzz.ratio)
    name = np.maximum(name, name_ratio)
    name = np.maximum(name, _trade_name(c, e, i, j))
    joined, cut = _cut_names(c, e, i, j, name)
    name = np.where(joined, 1.0, np.where(cut, CUT_NAME, name))
    # one name the other's acronym ("IBM" / "International Business Machines"): the same company said short,
    # as far as the name tells; never linked on that alone (the letters may stand for another company there)
    acronym = _same_letters(c.short[i], e.initials[j]) | _same_letters(e.short[j], c.initials[i])
    name = np.where(acronym, np.maximum(name, ACRONYM_NAME), name)
    # another number in the name is another company ("Fund II" / "Fund III", "Studio 54" / "Studio 45"), however
    # alike the letters: as a different house number is a different address
    name = np.where(_numbers_differ(c.numbers[i], e.numbers[j]), np.minimum(name, 0.2), name)
    (street,), street_ok = _sim(c.street[i], e.street[j], fuzz.token_sort_ratio)
    # a different house number is a different address, however alike the street names
    street = np.where(_numbers_differ(c.house[i], e.house[j]), np.minimum(street, 0.2), street)
    (city,), city_ok = _sim(c.city[i], e.city[j], fuzz.ratio)
    city = np.where(city >= 0.85, city, 0.0)  # typo-level similarity only: Austin is not Boston
    post_eq, post_ok = _eq(c.postcode[i], e.postcode[j])
    ctry_eq, ctry_ok = _eq(c.country[i], e.country[j])
    tax_eq, tax_ok = _eq(c.tax_core[i], e.tax_core[j])
    # one entity's number and one of its registrations' (a SIREN and the VAT number holding it, a PAN and a GSTIN)
    one_entity = ~tax_eq & _eq(c.tax_entity[i], e.tax_entity[j])[0]
    for k in np.flatnonzero(one_entity).tolist():
        tax_eq[k] = nz.tax_keys_equivalent(c.tax[i[k]], e.tax[j[k]])
    dom_eq, _ = _eq(c.domain[i], e.domain[j])
    duns_eq, duns_ok = _eq(c.duns[i], e.duns[j])
    form_eq, form_ok = _eq(c.form[i], e.form[j])
    form_ok &= (c.form[i] != "") & (e.form[j] != "")

    weights = [(name, name_ok, 0.55), (street, street_ok, 0.15), (post_eq.astype(float), post_ok, 0.15),
               (city, city_ok, 0.10), (ctry_eq.astype(float), ctry_ok, 0.05)]
    num = np.zeros(len(i))
    den = np.zeros(len(i))
    for v, ok, w in weights:
        num += np.where(ok, v * w, 0.0)
        den += np.where(ok, w, 0.0)
    score = np.where(den > 0, num / np.maximum(den, 1e-9), 0.0)
    # a name alone proves little: with no address evidence, cap below auto-link
    addr_evidence = street_ok | post_ok | city_ok
    score = np.where(addr_evidence, score, np.minimum(score, 0.85))
    # different countries or different legal forms: rarely the same legal entity
    score = np.where(ctry_ok & ~ctry_eq, np.minimum(score, 0.80), score)
    score = np.where(form_ok & ~form_eq & ~cut, score - 0.08, score)  # a cut name lost its legal form
    score = np.where(_names_differ(c, e, i, j, score > NAMES_DIFFER), np.minimum(score, NAMES_DIFFER), score)
    # identifiers: equal is strong evidence when the name agrees; different is strong against
    strong_id = tax_eq | duns_eq
    score = np.where(strong_id & (name >= 0.6), np.maximum(score, 0.97), score)
    score = np.where(strong_id & (name < 0.6), np.maximum(score, 0.80), score)
    score = np.where(tax_ok & ~tax_eq & ~duns_eq, score - 0.25, score)
    score = np.where(duns_ok & ~duns_eq & ~tax_eq, score - 0.15, score)
    score = np.where(dom_eq & (name >= 0.8), np.maximum(score, np.minimum(score + 0.1, 0.96)), score)
    # an acronym pair is a suggestion at most, whatever else agrees, unless a tax id or DUNS number does
    score = np.where(acronym & ~strong_id, np.minimum(score, ACRONYM_NAME), score)
    # so is a pair of names one plural "s" apart, where it would link on its own: the same words, or two firms
    # (Premier Tool and Premier Tools at one address); the letters and the address cannot tell which
    plural = _names_apart(c, e, i, j, (score > NAMES_DIFFER) & ~strong_id, nz.plural_apart)
    plural |= _names_apart(c, e, i, j, (score > NAMES_DIFFER) & ~strong_id & ~plural, nz.letter_apart)
    score = np.where(plural, np.minimum(score, NAMES_DIFFER), score)
    out["score"] = np.clip(score, 0.0, 1.0)
    out["name"] = name
    out["street"] = np.where(street_ok, street, np.nan)
    out["city"] = np.where(city_ok, city, np.nan)
    # numpy's stubs refuse None as the fill value; an object column with None where unknown is the point here
    out["postcode"] = np.where(post_ok, post_eq, None)  # type: ignore[call-overload]
    out["country"] = np.where(ctry_ok, ctry_eq, None)  # type: ignore[call-overload]
    out["tax_id"] = np.where(tax_ok, tax_eq, None)  # type: ignore[call-overload]
    out["domain"] = np.where(dom_eq, True, None)  # type: ignore[call-overload]
    out["duns"] = np.where(duns_ok, duns_eq, None)  # type: ignore[call-overload]
    out["det"] = np.select([tax_eq, duns_eq, dom_eq], ["tax_id", "duns", "domain"], default=None)  # type: ignore[call-overload]
    return out


def link_customers(crm: pd.DataFrame, erp: pd.DataFrame, rules: Rules,
                   state: TaskState | None = None) -> tuple[Linking, Features, Features]:
    # a side with names in Cyrillic or Greek: the other's Latin "OOO Romashka" is its "ООО «Ромашка»"
    scripts = any(isinstance(n, str) and not n.isascii() and OTHER_SCRIPT.search(n) is not None
                  for frame in (crm, erp) for n in frame["name"].to_numpy(dtype=object))
    c = features(crm, "crm", rules, scripts)
    e = features(erp, "erp", rules, scripts)
    # what the two sides shared is in their features now: its memory goes before the pairs are scored
    _number_key.cache_clear()
    _house_numbers.cache_clear()
    nc, ne = len(c.ids), len(e.ids)

    # 1. cross-references
    erp_by_number = _unique_index(e.id_key)
    erp_by_rid = _unique_index(e.alt_key)
    crm_by_id = _unique_index(c.id_key)
    crm_target = np.array([erp_by_number.get(k, erp_by_rid.get(k, -1)) if k is not None else -1
                           for k in c.xref_key], dtype=np.int64)
    erp_target = np.array([crm_by_id.get(k, -1) if k is not None else -1 for k in e.xref_key], dtype=np.int64)
    xc = pd.DataFrame({"i": np.nonzero(crm_target >= 0)[0], "j": crm_target[crm_target >= 0]})
    xe = pd.DataFrame({"i": erp_target[erp_target >= 0], "j": np.nonzero(erp_target >= 0)[0]})

    # 2. deterministic keys
    cap = rules.max_block
    det = [_pairs_on(c.tax_core, e.tax_core, cap), _pairs_on(c.tax_entity, e.tax_entity, cap),
           _pairs_on(c.domain, e.domain, cap), _pairs_on(c.duns, e.duns, cap)]
    # 3. fuzzy blocks, for records not already settled: a pair from passes 1-2 whose own
    # evidence clears the auto threshold settles both records (no search needed for them).
    cand = pd.concat([p[["i", "j"]] for p in [xc, xe] + det], ignore_index=True).drop_duplicates(ignore_index=True)
    cand = score_pairs(c, e, cand.astype({"i": np.int64, "j": np.int64}))
    settled_c = np.zeros(nc, dtype=bool)
    settled_e = np.zeros(ne, dtype=bool)
    good = cand[cand["score"] >= rules.auto_threshold]
    # only unambiguous settlements: a record with two strong candidates keeps searching
    good = good[~good["i"].duplicated(keep=False) & ~good["j"].duplicated(keep=False)]
    settled_c[good["i"].to_numpy()] = True
    settled_e[good["j"].to_numpy()] = True
    check_cancelled(state)
    if rules.fuzzy:
        open_c, open_e = np.nonzero(~settled_c)[0], np.nonzero(~settled_e)[0]
        extra = pd.concat([blocked_pairs(c, e, open_c, np.arange(ne), rules),
                           blocked_pairs(c, e, np.arange(nc), open_e, rules)], ignore_index=True)
        if len(extra):
            extra = extra.drop_duplicates(ignore_index=True)
            known = pd.MultiIndex.from_arrays([cand["i"], cand["j"]])
            extra = extra[~pd.MultiIndex.from_arrays([extra["i"], extra["j"]]).isin(known)]
            if len(extra):
                cand = pd.concat([cand, score_pairs(c, e, extra.reset_index(drop=True))], ignore_index=True)

    i = cand["i"].to_numpy()
    j = cand["j"].to_numpy()
    cand["xref_crm"] = crm_target[i] == j
    cand["xref_erp"] = erp_target[j] == i

    # Strong alternatives: a record with a better-evidenced partner than its xref target.
    best_c = cand.groupby("i")["score"].max()
    best_e = cand.groupby("j")["score"].max()
    xref_any = cand["xref_crm"].to_numpy() | cand["xref_erp"].to_numpy()
    xref_both = cand["xref_crm"].to_numpy() & cand["xref_erp"].to_numpy()
    alt_c = best_c.reindex(i).to_numpy()
    alt_e = best_e.reindex(j).to_numpy()
    score = cand["score"].to_numpy()
    contradicted = (score < XREF_PLAUSIBLE) & ((alt_c >= rules.auto_threshold) | (alt_e >= rules.auto_threshold))
    tier = np.where(xref_both, 0, np.where(xref_any & ~contradicted, 1, 2))
    # a plausible cross-reference outranks evidence, and among rival xrefs the better evidence wins
    conf = np.where(tier == 0, 1.0, np.where(tier == 1, 0.98 + 0.02 * score, score))
    cand["tier"] = tier
    cand["confidence"] = conf
    cand["method"] = np.where(xref_both, "xref_both", np.where(
        (tier == 1) & cand["xref_crm"].to_numpy(), "xref_crm", np.where(
            tier == 1, "xref_erp", np.where(cand["det"].notna(), cand["det"], "fuzzy"))))

    # one-to-one, greedy by tier then confidence; ties by record order for determinism
    eligible = cand[cand["confidence"] >= rules.suggest_threshold]
    eligible = eligible.sort_values(["tier", "confidence", "i", "j"], ascending=[True, False, True, True],
                                    kind="mergesort")
    used_c = [False] * nc
    used_e = [False] * ne
    partner_c = [-1] * nc
    partner_e = [-1] * ne
    is_auto = (eligible["confidence"] >= rules.auto_threshold).to_numpy()
    ei, ej = eligible["i"].to_numpy().tolist(), eligible["j"].to_numpy().tolist()
    chosen: list[int] = []
    for n in np.nonzero(is_auto)[0].tolist():
        a, b = ei[n], ej[n]
        if used_c[a] or used_e[b]:
            continue
        used_c[a] = used_e[b] = True
        partner_c[a], partner_e[b] = b, a
        chosen.append(n)

    # duplicates: an unlinked record whose strong evidence is a record already auto-linked
    # (decided before suggestions, so a duplicate is never offered as a link to someone else)
    dups: list[tuple[int, int, int, str]] = []
    strong = cand[(cand["score"] >= rules.auto_threshold) | ((cand["tier"] <= 1) & (cand["score"] >= XREF_PLAUSIBLE))]
    strong = strong.sort_values(["score", "i", "j"], ascending=[False, True, True], kind="mergesort")
    for a, b in zip(strong["i"].to_numpy().tolist(), strong["j"].to_numpy().tolist()):
        if not used_c[a] and partner_e[b] >= 0:
            dups.append((a, b, partner_e[b], "crm"))
            used_c[a] = True
        elif not used_e[b] and partner_c[a] >= 0:
            dups.append((a, b, partner_c[a], "erp"))
            used_e[b] = True

    for n in np.nonzero(~is_auto)[0].tolist():
        a, b = ei[n], ej[n]
        if used_c[a] or used_e[b]:
            continue
        used_c[a] = used_e[b] = True
        chosen.append(n)
    links = eligible.iloc[chosen]
    links = links.assign(status=np.where(links["confidence"] >= rules.auto_threshold, "auto", "suggested"))
    return Linking(links, crm_target, erp_target, dups, cand), c, e


def evidences(links: pd.DataFrame) -> list[dict[str, Any]]:
    """What was compared for each link and how it scored (JSON-able), column-wise."""
    cols = {k: links[k].to_numpy(dtype=object) for k in
            ("score", "name", "street", "city", "postcode", "country", "tax_id", "domain", "duns",
             "xref_crm", "xref_erp")}
    out = []
    for n in range(len(links)):
        ev = {"score": round(float(cols["score"][n]), 4), "name": round(float(cols["name"][n]), 4)}
        for k in ("street", "city"):
            v = cols[k][n]
            if v is not None and v == v:
                ev[k] = round(float(v), 4)
        for k in ("postcode", "country", "tax_id", "domain", "duns"):
            v = cols[k][n]
            if v is not None:
                ev[k] = bool(v)
        if cols["xref_crm"][n]:
            ev["xref_crm"] = True
        if cols["xref_erp"][n]:
            ev["xref_erp"] = True
        out.append(ev)
    return out
