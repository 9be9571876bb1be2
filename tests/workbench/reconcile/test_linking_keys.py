"""Linking's comparison keys are the normalisers' answers row by row, however they are
computed: once per distinct value, cached across the two sides, or per row. Awkward inputs
(None, NaN, blanks, non-ASCII, Salesforce ids in both forms, streets with unit numbers)
included, so the fast paths and the functions cannot drift apart unnoticed."""

import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from workbench.model.ids import to_18
from workbench.reconcile import linking
from workbench.reconcile import normalize as nz
from workbench.reconcile.rules import parse

SF15 = "001A000001abcDE"
NAMES = ["Hansen GmbH u. Co. KG", "hansen gmbh & co. kg", "Müller Maschinenbau GmbH", "", "   ", None,
         "東京 Trading K.K.", "Société Générale S.A.", "Acme", "ACME", "The And Co", "Acme"]
STREETS = ["Suite 400, 12 Main Street", "Hauptstr. 5a", "Apt 3B 221 Baker Street", "Kerkstraat 12-14 bus 3",
           "", " ", None, "Calle Mayor, 3", "Hauptstraße 5a", "12 Main St Ste 400", "Rue de l'Église", "Hauptstr. 5a"]
COUNTRIES = ["US", "DE", "United Kingdom", "BE", None, "", "us", "ES", "Deutschland", "US", "FR", "DE"]


def _frame(side: str) -> pd.DataFrame:
    n = len(NAMES)
    ids = [SF15, SF15.upper() + "IA5", to_18(SF15), "001a000001abcdeiay", " 001A000001abcDE ", "not-an-id",
           "0015g00000vaYyYAAU", "", None, "C-00012", "c12", "001A000001abcDE"]
    return pd.DataFrame({
        "record_id": ids if side == "crm" else [f"guid-{k}" if k % 3 else None for k in range(n)],
        "name": NAMES,
        "number": [None] * n if side == "crm" else ["C-00012", "c12", "C 0012", "", None, "X_1/2", "x.1.2",
                                                      "00", "0", "Ä-7", "C-00012", "  "],
        "xref": ids[::-1] if side == "erp" else ["C-00012", "c12", None, "", " ", "ä1", "1.5", "C-00012",
                                                  "0", "000", "c 12", "C/12"],
        "street": STREETS, "city": ["Boston", "BOSTON", "  ", None, "Zürich", "Zurich", "", "Boston",
                                     "São Paulo", "Sao Paulo", "Boston", "Köln"],
        "postcode": ["02101", "2101", "123456789", None, "", "80 331", "8033", "02101-1234", "1000", "1000",
                     "75001", "50667"],
        "country": COUNTRIES,
        "tax_id": ["DE 123 456 789", "DE123456789", None, "", "n/a", "CHE-123.456.789 MWST", "T1234567890123",
                   "GB123456789000", "EL123", "12-3456789", "DE 123 456 789", "ATU12345678"],
        "website": ["https://www.Example.com/x", "example.com.", None, "", "WWW2.example.co.uk:443",
                    "mailto:a@b.de", "localhost", "www.example.com", "Example.com", None, "x", "ä.de"],
        "duns": [None, "", "00-123-4567", "0", "123456789", None, None, "1234567", "000000000", "12 345 6789",
                 None, "n/a"],
    })


def _per_row(frame: pd.DataFrame, side: str) -> dict[str, list[object]]:
    """The definition of each key: the normaliser called on every row."""
    def num(v: object) -> str | None:
        return nz.number_key(v)

    countries = [nz.country_key(c) for c in frame["country"]]
    parts = [nz.name_parts(str(n)) if n is not None else ("", "") for n in frame["name"]]
    tax = [nz.tax_key(t, c) for t, c in zip(frame["tax_id"], countries)]
    streets = [nz.street_key(s, c) for s, c in zip(frame["street"], countries)]
    crm_id = [nz.sf_id_key(v) or num(v) for v in frame["record_id" if side == "crm" else "xref"]]
    return {
        "id_key": crm_id if side == "crm" else [num(v) for v in frame["number"]],
        "xref_key": [num(v) for v in frame["xref"]] if side == "crm" else crm_id,
        "alt_key": [None if side == "crm" or v is None else str(v).strip() for v in frame["record_id"]],
        "core": [p[0] for p in parts], "form": [p[1] for p in parts], "tax": tax,
        "tax_core": [None if t is None else t.split(":", 1)[1] for t in tax],
        "domain": [nz.domain_key(w) for w in frame["website"]], "duns": [nz.duns_key(d) for d in frame["duns"]],
        "postcode": [nz.postcode_key(p, c) for p, c in zip(frame["postcode"], countries)],
        "country": countries, "city": [nz.text_key(c) for c in frame["city"]], "street": streets,
        "house": [frozenset(re.findall(r"\S*\d\S*", s)) if s else frozenset() for s in streets],
    }


def _same(got: np.ndarray, want: list[object]) -> None:
    assert got.dtype == object and got.shape == (len(want),)
    for g, w in zip(got.tolist(), want):
        assert type(g) is type(w) and g == w, (g, w)


@pytest.mark.parametrize("side", ["crm", "erp"])
def test_features_are_the_normalisers_answers_row_by_row(side):
    frame = _frame(side)
    f = linking.features(frame, side, parse({}))
    for key, want in _per_row(frame, side).items():
        _same(getattr(f, key), want)
    ids = f.id_key if side == "crm" else f.xref_key[::-1]
    assert ids[0] == ids[2] == ids[3] == ids[4] == to_18(SF15)  # 15/18 chars, case lost, padded: one id


def test_block_keys_are_per_record_first_and_rarest_name_words_over_both_sides():
    c = linking.features(_frame("crm"), "crm", parse({}))
    e = linking.features(_frame("erp"), "erp", parse({}))
    e.core = np.array(["acme tools", "tools", "", None, "é ü", "tools acme"] * 2, dtype=object)
    cores = list(c.core) + list(e.core)
    freq = Counter(t for core in cores for t in set((core or "").split()))

    def rarest(core):
        toks = [t for t in set((core or "").split()) if len(t) > 1]
        return min(toks, key=lambda t: (freq[t], t)) if toks else None

    blocks_c, blocks_e = linking._block_keys(c, e)
    for f, blocks in ((c, blocks_c), (e, blocks_e)):
        first = np.array([(x or "").split(" ", 1)[0] or None for x in f.core], dtype=object)
        _same(blocks[0], linking._joined(f.country, f.postcode, first).tolist())
        _same(blocks[3], linking._joined(f.country, np.array([rarest(x) for x in f.core], dtype=object)).tolist())
    assert blocks_e[3][0] == "US|tools"  # in 6 cores of the two sides, "acme" in 7


def test_distinct_values_cover_every_row_and_leave_other_types_row_by_row():
    col = np.array(["a", None, "", " ", "a", "é", None, "A"], dtype=object)
    codes, values = linking._distinct(col)
    assert [values[k] for k in codes] == col.tolist() and len(values) == 6
    # 1, 1.0 and True are equal to pandas and Python, NaN and pd.NA "missing" like None,
    # but a key function reads each differently: one entry per row, the values themselves
    mixed = np.array([1, 1.0, True, float("nan"), None, pd.NA, "1"], dtype=object)
    codes, values = linking._distinct(mixed)
    assert codes.tolist() == list(range(7)) and all(v is m for v, m in zip(values, mixed))


@pytest.mark.parametrize("name,parts", [
    ("Hansen GmbH u. Co. KG", ("hansen", "gmbh co kg")),
    ("Smith and Co", ("smith", "co")),
    ("Kabushiki Kaisha Watanabe Logistics", ("watanabe logistics", "kk")),
    ("AG", ("ag", "")), ("and", ("and", "")), ("", ("", "")), ("   ", ("", "")),
    ("The Co", ("co", "")), ("Nowak Sp. z o.o.", ("nowak", "sp z oo")),
    ("Co Co Co", ("co", "co co")), ("Grupo Bimbo S.A. de C.V.", ("grupo bimbo", "sa de cv")),
    ("SA Grupo", ("grupo", "sa")), ("Ltd Ltd", ("ltd", "ltd")), ("Et Cie", ("and", "co")),
    ("Société Générale S.A.", ("societe generale", "sa")), ("東京 Trading K.K.", ("東京 trading", "kk")),  # kanji kept
])
def test_legal_forms_at_either_end_of_a_name(name, parts):
    assert nz.name_parts(name) == parts
