"""Vocabulary of real master-data variation: locales, legal forms, abbreviations.

Sources (cited, not copied):
- legal forms: cleanco's ``termdata.terms_by_country`` (each short form below is checked against it at
  import); spelled-out forms from Wikipedia "List of legal entity types by country".
- street types: USPS Publication 28 appendix C1 (US), Royal Mail PAF street descriptors (GB), INE
  "tipos de vía" (ES), La Poste / NF Z10-011 (FR), Duden "Str." (DE), Poste Italiane toponym
  abbreviations (IT), common Dutch and Swedish postal usage.
- business abbreviations: USPS Publication 28 appendix C2 business word abbreviations
  (International/Intl, Manufacturing/Mfg, Services/Svcs, ...).
- VAT formats: European Commission VIES "VAT number validation" format table; US EIN (IRS),
  Japan qualified invoice issuer number (National Tax Agency, "T" + 13-digit corporate number).
"""

from __future__ import annotations

from dataclasses import dataclass

from cleanco.termdata import terms_by_country


@dataclass(frozen=True)
class Locale:
    faker: str
    country: str        # ISO 3166-1 alpha-2
    country_name: str   # as a CRM user types it
    cleanco_country: str
    currency: str
    weight: int
    tld: str
    number_first: bool  # house number before the street name
    phone_cc: str


LOCALES = (
    Locale("en_US", "US", "United States", "United States of America", "USD", 25, "com", True, "1"),
    Locale("en_GB", "GB", "United Kingdom", "United Kingdom", "GBP", 12, "co.uk", True, "44"),
    Locale("de_DE", "DE", "Germany", "Germany", "EUR", 15, "de", False, "49"),
    Locale("fr_FR", "FR", "France", "France", "EUR", 10, "fr", True, "33"),
    Locale("es_ES", "ES", "Spain", "Spain", "EUR", 8, "es", False, "34"),
    Locale("it_IT", "IT", "Italy", "Italy", "EUR", 8, "it", False, "39"),
    Locale("nl_NL", "NL", "Netherlands", "Netherlands", "EUR", 7, "nl", False, "31"),
    Locale("sv_SE", "SE", "Sweden", "Sweden", "SEK", 5, "se", False, "46"),
    Locale("ja_JP", "JP", "Japan", "Japan", "JPY", 10, "co.jp", True, "81"),
)

# country -> [(short form as written, spelled-out form or None, may precede the name)]
LEGAL_FORMS: dict[str, list[tuple[str, str | None, bool]]] = {
    "US": [("Inc", "Incorporated", False), ("LLC", "Limited Liability Company", False),
           ("Corp", "Corporation", False), ("Co", "Company", False)],
    "GB": [("Ltd", "Limited", False), ("PLC", "Public Limited Company", False),
           ("LLP", "Limited Liability Partnership", False)],
    "DE": [("GmbH", "Gesellschaft mit beschränkter Haftung", False), ("AG", "Aktiengesellschaft", False),
           ("GmbH & Co. KG", None, False), ("KGaA", "Kommanditgesellschaft auf Aktien", False)],
    "FR": [("SARL", "Société à responsabilité limitée", True), ("SAS", "Société par actions simplifiée", True),
           ("SASU", None, True), ("EURL", None, True)],
    "ES": [("S.A.", "Sociedad Anónima", False), ("S.L.", "Sociedad Limitada", False)],
    "IT": [("S.p.A.", "Società per Azioni", False), ("S.r.l.", "Società a responsabilità limitata", False),
           ("S.n.c.", "Società in nome collettivo", False)],
    "NL": [("B.V.", "Besloten Vennootschap", False), ("N.V.", "Naamloze Vennootschap", False),
           ("V.O.F.", "Vennootschap onder firma", False)],
    "SE": [("AB", "Aktiebolag", False), ("HB", "Handelsbolag", False), ("KB", "Kommanditbolag", False)],
    "JP": [("K.K.", "Kabushiki Kaisha", True), ("G.K.", "Godo Kaisha", True)],
}
# punctuation variants of the same short form (G.m.b.H., Ltd., S.A. vs SA)
LEGAL_FORM_SPELLINGS = {"GmbH": "G.m.b.H.", "Ltd": "Ltd.", "Inc": "Inc.", "Corp": "Corp.", "Co": "Co.",
                        "S.A.": "SA", "S.L.": "SL", "S.p.A.": "SpA", "S.r.l.": "Srl", "B.V.": "BV",
                        "N.V.": "NV", "K.K.": "KK", "AB": "A.B.", "PLC": "plc", "LLC": "L.L.C."}


def _check_legal_forms() -> None:
    by_iso = {loc.country: loc.cleanco_country for loc in LOCALES}
    for iso, forms in LEGAL_FORMS.items():
        known = set(terms_by_country[by_iso[iso]])
        for short, _, _ in forms:
            if short.lower() not in known and short.lower() + "." not in known:
                raise AssertionError(f"legal form {short!r} is not in cleanco's list for {by_iso[iso]}")


_check_legal_forms()

# conjunctions per language: the same company written with "&" or the word
CONJUNCTIONS = {"US": "and", "GB": "and", "DE": "und", "FR": "et", "ES": "y", "IT": "e", "NL": "en",
                "SE": "och", "JP": "and"}

# USPS Pub. 28 C2 business words (long, short)
BUSINESS_WORDS = [("International", "Intl"), ("Manufacturing", "Mfg"), ("Services", "Svcs"),
                  ("Industries", "Inds"), ("Systems", "Sys"), ("Holdings", "Hldgs"),
                  ("Technologies", "Tech"), ("Associates", "Assoc")]

# per country: (long street word, abbreviation); matched as a whole word, or as a suffix where
# the language writes compounds (German "...straße", Dutch "...straat", Swedish "...gatan")
STREET_WORDS: dict[str, list[tuple[str, str]]] = {
    "US": [("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Boulevard", "Blvd"), ("Drive", "Dr"),
           ("Lane", "Ln"), ("Court", "Ct"), ("Place", "Pl"), ("Square", "Sq"), ("Terrace", "Ter"),
           ("Parkway", "Pkwy"), ("Circle", "Cir"), ("Trail", "Trl"), ("Trace", "Trce"), ("Hollow", "Holw"),
           ("Meadows", "Mdws"), ("Village", "Vlg"), ("Mountain", "Mtn"), ("Station", "Sta"),
           ("Heights", "Hts"), ("Springs", "Spgs"), ("Junction", "Jct"), ("Crossing", "Xing")],
    "GB": [("Road", "Rd"), ("Street", "St"), ("Avenue", "Ave"), ("Close", "Cl"), ("Crescent", "Cres"),
           ("Lane", "Ln"), ("Gardens", "Gdns"), ("Drive", "Dr"), ("Place", "Pl"), ("Square", "Sq"),
           ("Terrace", "Terr"), ("Grove", "Gr")],
    "DE": [("straße", "str."), ("Straße", "Str."), ("platz", "pl."), ("Platz", "Pl.")],
    "FR": [("avenue", "av."), ("boulevard", "bd"), ("chemin", "ch."), ("place", "pl."), ("impasse", "imp."),
           ("route", "rte"), ("allée", "all."), ("rue", "r.")],
    "ES": [("Calle", "C/"), ("Avenida", "Avda."), ("Plaza", "Pza."), ("Paseo", "Pº"), ("Camino", "Cno."),
           ("Glorieta", "Gta."), ("Carretera", "Ctra."), ("Ronda", "Rda."), ("Travesía", "Trva.")],
    "IT": [("Via", "V."), ("Piazza", "P.za"), ("Viale", "V.le"), ("Corso", "C.so"), ("Largo", "L.go"),
           ("Vicolo", "Vic.")],
    "NL": [("straat", "str."), ("plein", "pln."), ("laan", "ln.")],
    "SE": [("gatan", "g."), ("vägen", "v.")],
    "JP": [],
}
COMPOUND_STREETS = {"DE", "NL", "SE"}

# Japanese company names in romanised form: family name + a common trade word
JP_TRADE_WORDS = ["Shoji", "Sangyo", "Kogyo", "Denki", "Seisakusho", "Shokai", "Bussan", "Kensetsu"]
