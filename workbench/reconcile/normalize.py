"""Comparison keys: the forms in which equivalent representations become equal.

Nothing here is ever shown to a user; the originals are what the app and exports
display. Every function is total (None in, None out) and deterministic.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import OSA

from workbench.model.ids import InvalidSalesforceId, to_18
from workbench.reconcile import street_types
from workbench.reconcile.folding import OTHER_SCRIPT, fold

# Legal forms across jurisdictions, written as their normalised token sequences
# (dots and slashes already removed, lower case) -> one canonical token.
LEGAL_FORMS: dict[str, str] = {
    # English-speaking
    "inc": "inc", "incorporated": "inc",
    "corp": "corp", "corporation": "corp",
    "co": "co", "company": "co", "cie": "co", "compagnie": "co",
    "ltd": "ltd", "limited": "ltd", "ltda": "ltda", "limitada": "ltda",
    "llc": "llc", "limited liability company": "llc", "l l c": "llc",
    "llp": "llp", "limited liability partnership": "llp",
    "lp": "lp", "limited partnership": "lp",
    "plc": "plc", "public limited company": "plc",
    # Irish: the Companies Act 2014 lets a name end in the Irish word for its form (Teoranta for Limited)
    "teoranta": "ltd", "cuideachta phoibli theoranta": "plc",
    "pty": "pty", "proprietary": "pty", "pte": "pte", "pvt": "pvt", "private": "pvt",
    # India: a private limited company written "(P) Ltd" (Companies Act 2013, s. 2(68): "private limited")
    "p ltd": "pvt ltd",
    # German-speaking
    # ("mbH" alone is no form: "KG mbH", "OHG mbH" are names as generated data writes them)
    "gmbh": "gmbh", "gesellschaft mit beschrankter haftung": "gmbh", "gesmbh": "gmbh", "gesellschaft mbh": "gmbh",
    "ggmbh": "ggmbh", "gemeinnutzige gmbh": "ggmbh",
    "ek": "ek", "eingetragener kaufmann": "ek", "eingetragene kauffrau": "ek", "ug haftungsbeschrankt": "ug",
    "ag": "ag", "aktiengesellschaft": "ag",
    "kg": "kg", "kommanditgesellschaft": "kg", "cokg": "co kg", "ohg": "ohg", "ug": "ug", "ev": "ev", "eg": "eg",
    "kgaa": "kgaa", "kommanditgesellschaft auf aktien": "kgaa", "se": "se", "societas europaea": "se",
    "gbr": "gbr", "gesellschaft burgerlichen rechts": "gbr", "offene handelsgesellschaft": "ohg",
    "og": "og", "offene gesellschaft": "og", "gesbr": "gesbr", "partg": "partg",
    "unternehmergesellschaft": "ug", "eingetragener verein": "ev", "eingetragene genossenschaft": "eg",
    # French / Spanish / Portuguese / Italian
    "sa": "sa", "societe anonyme": "sa", "sociedad anonima": "sa", "sociedade anonima": "sa",
    "sarl": "sarl", "societe a responsabilite limitee": "sarl", "sa rl": "sarl", "s a rl": "sarl",
    "sas": "sas", "societe par actions simplifiee": "sas", "sasu": "sasu", "eurl": "eurl",
    "sl": "sl", "sociedad limitada": "sl", "slu": "slu", "sa de cv": "sa de cv",
    "spa": "spa", "societa per azioni": "spa", "srl": "srl", "societa a responsabilita limitata": "srl",
    "snc": "snc", "societe en nom collectif": "snc", "societa in nome collettivo": "snc",
    "scs": "scs", "societe en commandite simple": "scs", "sca": "sca", "societe en commandite par actions": "sca",
    "societa in accomandita semplice": "sas", "sapa": "sapa", "societa in accomandita per azioni": "sapa",
    "srls": "srls", "scarl": "scarl", "sci": "sci", "societe civile immobiliere": "sci",
    "sc": "sc", "sociedad colectiva": "sc", "scom": "scom", "sociedad comanditaria": "scom",
    "sau": "sau", "sll": "sll", "lda": "ltda", "sociedade limitada": "ltda",
    # Benelux / Nordics
    "bv": "bv", "besloten vennootschap": "bv", "nv": "nv", "naamloze vennootschap": "nv",
    "bvba": "bvba", "sprl": "sprl", "vof": "vof", "vennootschap onder firma": "vof",
    "cv": "cv", "commanditaire vennootschap": "cv", "cvba": "cvba", "comm v": "cv", "commv": "cv",
    "ab": "ab", "aktiebolag": "ab", "aktiebolaget": "ab", "ab publ": "ab", "oy": "oy", "oyj": "oyj", "osakeyhtio": "oy",
    "as": "as", "asa": "asa", "aps": "aps", "aksjeselskap": "as", "aktieselskab": "as", "hf": "hf", "ehf": "ehf",
    "allmennaksjeselskap": "asa", "anpartsselskab": "aps", "hb": "hb", "handelsbolag": "hb",
    "kb": "kb", "kommanditbolag": "kb", "is": "is", "interessentskab": "is", "ks": "ks",
    "kommanditselskab": "ks", "kommandittselskap": "ks", "ans": "ans", "ansvarlig selskap": "ans",
    "amba": "amba", "smba": "smba", "ay": "ay", "avoin yhtio": "ay", "ky": "ky", "kommandiittiyhtio": "ky",
    "julkinen osakeyhtio": "oyj",
    # Central / Eastern Europe
    "sp z oo": "sp z oo", "spzoo": "sp z oo", "sp zoo": "sp z oo", "spolka z oo": "sp z oo",
    "spolka z ograniczona odpowiedzialnoscia": "sp z oo",
    "sp j": "sp j", "spolka jawna": "sp j", "sp k": "sp k", "spolka komandytowa": "sp k",
    "spolka akcyjna": "sa", "sro": "sro", "spol s r o": "sro", "sro.": "sro",
    # run together by their dots: "sp.k.", "sp.j." (Polish), "spol. s r.o." (Czech, Slovak)
    "spk": "sp k", "spj": "sp j", "spol s ro": "sro",
    "spolecnost s rucenim omezenym": "sro", "spolocnost s rucenim obmedzenym": "sro",
    "akciova spolecnost": "as", "akciova spolocnost": "as",
    # Turkey (Turkish Commercial Code 6102): anonim şirket (A.Ş.), limited şirket (Ltd. Şti.)
    "anonim sirketi": "as", "anonim sirket": "as", "ltd sti": "ltd sti", "ltdsti": "ltd sti",
    "limited sirketi": "ltd sti", "ltd sirketi": "ltd sti",
    # Brazil: a limitada or an EIRELI with its size after a dash, ME (microempresa) or EPP (empresa de pequeno
    # porte, Lei Complementar 123/2006): the size is no other form
    "ltda me": "ltda", "ltda epp": "ltda", "eireli": "eireli", "eireli me": "eireli", "eireli epp": "eireli",
    "kft": "kft", "zrt": "zrt", "nyrt": "nyrt", "doo": "doo", "dd": "dd", "ad": "ad", "ood": "ood",
    "korlatolt felelossegu tarsasag": "kft", "zartkoruen mukodo reszvenytarsasag": "zrt",
    "nyilvanosan mukodo reszvenytarsasag": "nyrt",
    # Russian and Ukrainian (ООО, АО, ПАО, ЗАО, ОАО, ТОВ) and Greek (Α.Ε., Ο.Ε., Ε.Ε., Ε.Π.Ε., Ι.Κ.Ε.) in the Latin
    # letters folding writes them in, as the forms they are in English (a limited liability company, a joint-stock
    # company: public, closed, open; a société anonyme): read so only in a name written in those scripts, or
    # beside one (_SCRIPT_FORMS)
    "ooo": "llc", "tov": "llc", "ao": "jsc", "pao": "pjsc", "zao": "cjsc", "oao": "ojsc",
    # ... and written out (Civil Code of the Russian Federation, art. 87, 96; Ukraine's ТОВ)
    "obshchestvo s ogranichennoy otvetstvennostyu": "llc", "aktsionernoe obshchestvo": "jsc",
    "publichnoe aktsionernoe obshchestvo": "pjsc", "zakrytoe aktsionernoe obshchestvo": "cjsc",
    "otkrytoe aktsionernoe obshchestvo": "ojsc", "tovarystvo z obmezhenoyu vidpovidalnistyu": "llc",
    "ae": "sa", "oe": "oe", "ee": "ee", "epe": "epe", "ike": "ike",
    "jsc": "jsc", "pjsc": "pjsc", "cjsc": "cjsc", "ojsc": "ojsc",
    # Asia-Pacific
    "sagl": "sagl", "societa a garanzia limitata": "sagl", "abp": "abp", "ltee": "ltee", "limitee": "ltee",
    # in kanji and hanzi, written onto the name or apart from it (_CJK_FORMS): 株式会社 is a kabushiki kaisha
    "株式会社": "kk", "合同会社": "gk", "有限会社": "yk", "股份有限公司": "co ltd", "有限公司": "co ltd",
    "有限责任公司": "co ltd", "有限責任公司": "co ltd",
    "合名会社": "gomei kaisha", "合資会社": "goshi kaisha",
    "kk": "kk", "kabushiki kaisha": "kk", "kabushiki gaisha": "kk", "godo kaisha": "gk", "gk": "gk",
    "yk": "yk", "yugen kaisha": "yk", "gomei kaisha": "gomei kaisha", "goshi kaisha": "goshi kaisha",
    "pllc": "pllc", "professional limited liability company": "pllc", "pc": "pc", "professional corporation": "pc",
    "lllp": "lllp", "cic": "cic", "community interest company": "cic",
    # the Gulf and Egypt: a W.L.L. (with limited liability), free-zone establishments and companies, an Egyptian
    # S.A.E. (société anonyme égyptienne)
    "wll": "wll", "with limited liability": "wll", "fze": "fze", "free zone establishment": "fze", "fzco": "fzco",
    "fz llc": "fz llc", "fzllc": "fz llc", "sae": "sae",
    "bhd": "bhd", "berhad": "bhd", "sdn": "sdn", "sendirian": "sdn", "tbk": "tbk", "pt": "pt",
}
# forms written only after the name: before it they are a name's initials ("MBH Consulting", "EK Automotive")
# Korean forms in Hangul, keyed as folding writes them (NFKD takes a Hangul syllable apart into its letters): a
# jusik hoesa (stock company: "Co., Ltd.", "Corporation" in English), yuhan hoesa, hapja hoesa, hapmyeong hoesa
# (Commercial Act, Art. 170)
LEGAL_FORMS.update({str(fold(k)): v for k, v in {
    "주식회사": "jusik hoesa", "유한회사": "yuhan hoesa", "합자회사": "hapja hoesa", "합명회사": "hapmyeong hoesa",
    "유한책임회사": "yuhan chaegim hoesa"}.items()})
LEGAL_FORMS.update({"jusik hoesa": "jusik hoesa", "chusik hoesa": "jusik hoesa", "yuhan hoesa": "yuhan hoesa"})
_TAIL_ONLY_FORMS = frozenset({"gesmbh", "gesellschaft mbh", "ggmbh", "ek", "ug haftungsbeschrankt", "ae", "oe", "ee",
                              "ike", "abp", "sagl", "ltee", "limitee", "spk", "spj", "cokg", "teoranta"})
# forms as Cyrillic and Greek write them, which in a Latin name are words of it: "AO World", "Pão de Açúcar",
# "Mike and Ike", "TOV Furniture"
_SCRIPT_FORMS = frozenset({"ooo", "tov", "ao", "pao", "zao", "oao", "ae", "oe", "ee", "epe", "ike"})
_LEGAL_MAX_TOKENS = max(len(k.split()) for k in LEGAL_FORMS)
_LEGAL_FIRST_WORDS = frozenset(k.split(" ")[0] for k in LEGAL_FORMS if k not in _TAIL_ONLY_FORMS)
_LEGAL_LAST_WORDS = frozenset(k.split(" ")[-1] for k in LEGAL_FORMS)

# Common business abbreviations -> the word they stand for.
ABBREVIATIONS: dict[str, str] = {
    "intl": "international", "int'l": "international", "mfg": "manufacturing", "mfrs": "manufacturers",
    "svcs": "services", "svc": "service", "srvcs": "services", "bros": "brothers", "assoc": "associates",
    "assocs": "associates", "natl": "national", "mgmt": "management", "grp": "group", "hldgs": "holdings",
    "hldg": "holding", "inds": "industries", "ind": "industries", "tech": "technology", "techs": "technologies",
    "sys": "systems", "dist": "distribution", "distr": "distribution", "eng": "engineering",
    "engg": "engineering", "labs": "laboratories", "lab": "laboratory", "dept": "department",
    "univ": "university", "ctr": "center", "centre": "center", "mktg": "marketing", "prods": "products",
    "equip": "equipment", "prop": "property", "props": "properties", "mgt": "management", "gebr": "gebruder",
    # Turkish names' "Sanayi ve Ticaret" (industry and trade), Portuguese and Spanish "Cia." (companhia, compañía),
    # and the Indian honorific before a firm's name as three spellings write it (Shri, Shree, Sri)
    "san": "sanayi", "tic": "ticaret", "cia": "companhia", "compania": "companhia",
    "shri": "sri", "shree": "sri", "sree": "sri",
    # trade words as company names shorten them, and the French Sté (société)
    "pharma": "pharmaceuticals", "ste": "societe",
    "med": "medical", "hosp": "hospital", "mt": "mount", "ft": "fort", "st": "saint", "sankt": "saint",
    # "and" as legal names write it: "&", "+", "und" / "u." (German), "et", "y", "e", "en" (Dutch),
    # "och" (Swedish), "og" (Danish, Norwegian), "ja" (Finnish)
    "and": "and", "und": "and", "u": "and", "et": "and", "y": "and", "e": "and", "en": "and", "och": "and",
    "og": "and", "ja": "and", "ve": "and",
}
_STOPWORDS = {"the", "der", "die", "das", "la", "le", "les", "el", "los", "il", "de", "of"}

_STREET_WORDS: dict[str, str] = {
    "street": "st", "str": "st", "strasse": "st", "st": "st", "road": "rd", "rd": "rd",
    "avenue": "ave", "av": "ave", "ave": "ave", "avenida": "ave", "boulevard": "blvd", "blvd": "blvd",
    "drive": "dr", "dr": "dr", "lane": "ln", "ln": "ln", "place": "pl", "pl": "pl", "square": "sq",
    "sq": "sq", "court": "ct", "ct": "ct", "suite": "ste", "ste": "ste", "floor": "fl", "fl": "fl",
    "highway": "hwy", "hwy": "hwy", "parkway": "pkwy", "pkwy": "pkwy", "north": "n", "south": "s",
    "east": "e", "west": "w", "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
    "platz": "pl", "weg": "weg", "gasse": "g", "rue": "rue", "via": "via", "calle": "calle",
    # the directions in French and Spanish lines (Canada Post writes Ouest short as O; Sherbrooke O is West)
    "nord": "n", "sud": "s", "est": "e", "ouest": "w", "oeste": "w", "number": "no", "nr": "no", "no": "no",
    # ordinal street names written out or in figures: "Fifth Avenue" / "5th Ave"
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
    "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "eleventh": "11th", "twelfth": "12th",
}
# Words naming the unit within a building, not the place: "Suite 200", "#200", "Apt 200" are one unit 200
_UNIT_WORDS = frozenset({"ste", "apt", "apartment", "unit"})
# A street type the country's lines mostly leave out: Polish "ul." (ulica), "ul. Marszałkowska 10" is
# "Marszałkowska 10"
_UNWRITTEN_TYPES = frozenset({"ulica"})
# a line's last word O is the direction Ouest or Oeste ("1000 Rue Sherbrooke O"): Canada Post's French short form
_OUEST = "o"
# A street's first word that is a title written short or long: "St Mary's Close" / "Saint Mary's Close",
# "Sankt-Georg-Platz" / "St.-Georg-Platz" (a last "St" is Street)
_STREET_FIRST_WORDS = {"st": "saint", "sankt": "saint", "saint": "saint"}

_PUNCT_DROP = re.compile(r"[.'’`´/]")  # joined: G.m.b.H. -> gmbh, A/S -> as, O'Neil -> oneil
# a slash between two words of two letters or more parts them: "SA/NV", "Oy/Ab" (a form in two languages)
_WORDS_SLASH = re.compile(r"(?<=[^\W\d_]{2})/(?=[^\W\d_]{2})")
# between words: anything but a letter or a figure. Folding leaves Latin letters in ASCII; a script it has no
# Latin letters for (kanji, hanzi, Hebrew, Arabic) keeps its own: "東京商事" and "大阪物産" are two names, not two
# empty ones
_NON_WORD = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[a-z]")
# the patterns of the key functions, compiled once: they run per value, hundreds of
# thousands of times a run, and re's own pattern cache costs a lookup per call
_GERMAN_STREET = re.compile(r"(stra(ss|ß)e|str\.?)(?=\s|\d|$|,)")
_STREET_SEPARATORS = re.compile(r"[\s,;]+")
_POSTCODE_SEPARATORS = re.compile(r"[\s\-.]")
_TAX_NON_ALNUM = re.compile(r"[^0-9a-z]")
_JP_REGISTRATION = re.compile(r"T\d{13}")
_URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_WWW_NUMBERED = re.compile(r"^www\d\.")
_NON_DIGITS = re.compile(r"\D")
_NUMBER_SEPARATORS = re.compile(r"[\s\-_./]")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
_WHITESPACE = re.compile(r"\s+")
# a title joined to the name by a hyphen, anywhere in a street line: "Sankt-Georg-Platz", "St.-Georg-Platz",
# "rue St-Denis", "rue Ste-Catherine" (where "Ste" is no Suite)
_SAINT_HYPHENATED = re.compile(r"(?<![0-9a-z])(?:sankt|saint|st)\.?-(?=[a-z]{2})")  # "Ste-B" is Suite B
_SAINTE_HYPHENATED = re.compile(r"(?<![0-9a-z])(?:sainte|ste)\.?-(?=[a-z]{2})")
# "#200" is unit 200; Singapore's "#05-12" (floor 05, unit 12) and Colombia's "# 3-45" (a plot) stay as written
_UNIT_SIGN = re.compile(r"#\s*(?=\d+(?![\d-]))")
_FIGURES_SLASH = re.compile(r"(?<=\d)/(?=\d)")  # "12/1" is house 12, building 1; "5/10" unit 5 at number 10


# legal forms in kanji and hanzi, longest first: written without a space before or after the name ("東京商事株式会社")
_CJK_FORMS = sorted((k for k in LEGAL_FORMS if not k.isascii()), key=len, reverse=True)


# A legal form written as its first character in brackets, as Japanese and Korean lists and invoices write it:
# (株) / ㈱ / （株） for 株式会社, (有) 有限会社, (同) 合同会社, (名) 合名会社, (資) 合資会社;
# (주) / ㈜ for 주식회사, (유) 유한회사, (합) 합자회사 (folding has made ㈱ and （株） "(株)")
_BRACKETED_FORMS = {str(fold(short)): f" {fold(long)} " for short, long in {
    "株": "株式会社", "有": "有限会社", "同": "合同会社", "名": "合名会社", "資": "合資会社",
    "주": "주식회사", "유": "유한회사", "합": "합자회사"}.items()}
_BRACKETED_FORM = re.compile(r"\(\s*(" + "|".join(map(re.escape, _BRACKETED_FORMS)) + r")\s*\)")


# UTF-8 text that a program read as Windows-1252 and saved again, as a CSV opened in Excel with the wrong code page
# comes back: "MÃ¼ller" for "Müller", "SociÃ©tÃ©" for "Société", "Å»abiÅ„ski" for "Żabiński". Read back where the
# whole text, as Windows-1252 bytes (Latin-1 for the five bytes that code page leaves undefined, which such a
# program keeps as they are), is valid UTF-8: text typed in a Latin alphabet is almost never that (its "Ä" or "Ã"
# would have to be followed by a character such as "¼" or "©"), so no other text changes.
_UTF8_LEAD_AS_CP1252 = re.compile("[\u00c2-\u00f4]")  # a UTF-8 sequence's first byte, as Windows-1252 shows it


def _cp1252_byte(ch: str) -> int:
    try:
        return ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        if ord(ch) < 0x100:
            return ord(ch)
        raise


@lru_cache(maxsize=1 << 16)
def _utf8_read_back(text: str) -> str:
    if text.isascii() or _UTF8_LEAD_AS_CP1252.search(text) is None:
        return text
    try:
        return bytes(_cp1252_byte(ch) for ch in text).decode("utf-8")
    except UnicodeError:
        return text


def repaired(text: object) -> object:
    """``text`` with UTF-8 read as Windows-1252 read back (``_utf8_read_back``); anything else as it is."""
    return _utf8_read_back(text) if isinstance(text, str) else text


def _tokens(text: object) -> list[str]:
    s = fold(repaired(text))
    if s is None:
        return []
    if not s.isascii() and "(" in s:
        s = _BRACKETED_FORM.sub(lambda m: _BRACKETED_FORMS[m[1]], s)
    s = s.replace("&", " and ").replace("+", " and ")
    if "/" in s:
        s = _WORDS_SLASH.sub(" ", s)
    s = _PUNCT_DROP.sub("", s)
    toks = [t for t in _NON_WORD.split(s) if t]
    if s.isascii():
        return toks
    out: list[str] = []
    for t in toks:
        form = next((f for f in _CJK_FORMS if t != f and (t.endswith(f) or t.startswith(f))), None)
        if form is None:
            out.append(t)
        else:
            out += [t[:-len(form)], form] if t.endswith(form) else [form, t[len(form):]]
    return out


def _strip_forms(toks: list[str], head: bool, script: bool = False) -> tuple[list[str], list[str]]:
    """Legal forms at one end of a token list (several in a row, "and" between them as in
    "GmbH u. Co. KG"), as (remaining tokens, canonical forms); a name is never left empty."""
    forms: list[str] = []
    edge = _LEGAL_FIRST_WORDS if head else _LEGAL_LAST_WORDS
    while toks:
        end = toks[0] if head else toks[-1]
        # a form written at this end starts (head) or ends (tail) with this word: most
        # words are no form's, and then no longer run of words needs joining and looking up
        longest = min(_LEGAL_MAX_TOKENS, len(toks) - 1) if end in edge else 0
        for n in range(longest, 0, -1):
            part = toks[:n] if head else toks[-n:]
            words = " ".join(part)
            if words in LEGAL_FORMS and not (head and words in _TAIL_ONLY_FORMS) \
                    and (script or words not in _SCRIPT_FORMS):
                forms.append(LEGAL_FORMS[words])
                toks = toks[n:] if head else toks[:-n]
                break
        else:
            # "and" left dangling next to a legal form ("Smith and Co") belongs to it
            if forms and len(toks) > 1 and end == "and":
                toks = toks[1:] if head else toks[:-1]
                continue
            break
    return toks, (forms if head else forms[::-1])


@lru_cache(maxsize=1 << 18)
def name_parts(name: str | None, script_forms: bool | None = None) -> tuple[str, str]:
    """(core, legal form) of a company name, both canonical.

    The core is the name without leading articles and without legal forms written before
    or after it ("Kabushiki Kaisha Watanabe Logistics", "Watanabe Logistics KK"), with
    abbreviations expanded and "&"/"and"/"und"/"u." unified; the legal form is the
    canonical token sequence of the forms (e.g. "gmbh co kg"), "" when none. ``script_forms``: whether
    "OOO", "AO", "A.E." are read as the legal forms they are in Cyrillic and Greek (_SCRIPT_FORMS); by
    default where the name is written in those scripts.
    """
    script = script_forms if script_forms is not None else name is not None and OTHER_SCRIPT.search(name) is not None
    toks = [ABBREVIATIONS.get(t, t) for t in _tokens(_addressee(name))]
    while toks and toks[0] in _STOPWORDS:
        toks = toks[1:]
    if len(toks) > 1 and toks[-1] == "the":
        toks = toks[:-1]  # a list's inverted form: "Cheesecake Factory Inc, The"
    toks, tail = _strip_forms(toks, head=False, script=script)
    toks, head = _strip_forms(toks, head=True, script=script)
    core = " ".join(t for t in toks if t not in _STOPWORDS) or " ".join(toks)
    return core, " ".join(head + tail)


# Where a name line goes on to whom it is for: "Fund II Ltd c/o Aberdeen Fund Services", "Globex Corp Attn: AP",
# "Stadtwerke Ulm GmbH z. Hd. Buchhaltung". What follows names an agent or a person, not the company.
_ADDRESSEE = re.compile(r"\s+(?:c/o|c\.o\.|attn\b\.?|attention\s*:|z\.\s?hd\.)", re.IGNORECASE)
# "M/s" (Messrs) before a firm's name, as Indian and Pakistani invoices and ledgers address a firm: "M/s. Gupta
# Enterprises" is Gupta Enterprises
_MESSRS = re.compile(r"^\s*(?:m/s\b\.?|messrs\b\.?)\s*", re.IGNORECASE)


def _addressee(name: str | None) -> str | None:
    """The name without the care-of or attention part its line goes on with, and without "M/s" before it."""
    if name is None:
        return None
    cut = _ADDRESSEE.search(name)
    name = name[:cut.start()] if cut and cut.start() > 0 else name
    rest = _MESSRS.sub("", name)
    return rest if rest.strip() else name


def _as_written(text: str) -> str | None:
    """A street line of a script the street tables have no words for (kanji, hanzi, Hebrew, Arabic, ...), as
    written: its compatibility forms and case folded, without spaces ("丸の内2-4-1" is "丸の内 2-4-1"); None
    where it has no letter."""
    if not any(ch.isalpha() for ch in text):
        return None
    return "".join(unicodedata.normalize("NFKC", text).casefold().split()) or None


def names_identical(a: str | None, b: str | None) -> bool:
    """Same name written the same way up to case, punctuation, diacritics, articles,
    abbreviations and legal-form spelling; a legal form present on only one side counts as
    identical (trading name vs legal name); two different legal forms do not (GmbH vs AG)."""
    if a is None or b is None:
        return a is None and b is None
    ca, fa = name_parts(str(a))
    cb, fb = name_parts(str(b))
    if ca == cb and _forms_agree(fa, fb):
        return True
    # a name in Cyrillic or Greek beside its Latin transliteration: the Latin one's "OOO", "AO" are its form too
    if (OTHER_SCRIPT.search(str(a)) is None) != (OTHER_SCRIPT.search(str(b)) is None):
        (ca, fa), (cb, fb) = name_parts(str(a), True), name_parts(str(b), True)
        return ca == cb and _forms_agree(fa, fb)
    return False


def _forms_agree(fa: str, fb: str) -> bool:
    return not fa or not fb or sorted(fa.split()) == sorted(fb.split())


# One legal form under its names in a country's official languages, or one form and its one-member variant: a
# name written with either is the same company's name (a name variant), where GmbH and AG stay two companies. Only
# where both customers are in a country that writes the form both ways: a Finnish Oy and a Swedish AB, a German
# GmbH and a French SARL are sister companies. (forms, one of them on a side or None, the countries)
_ONE_FORM: tuple[tuple[frozenset[str], str | None, frozenset[str]], ...] = (
    # Switzerland (Code of Obligations: AG, SA, SA/SpA; GmbH, Sàrl, Sagl), Luxembourg (SA, AG; Sàrl, GmbH)
    (frozenset({"ag", "sa", "spa"}), None, frozenset({"CH", "LU"})),
    (frozenset({"gmbh", "sarl", "sagl"}), None, frozenset({"CH", "LU"})),
    # Belgium (Code of Companies and Associations, 2019: NV/SA, BV/SRL; before it BVBA/SPRL)
    (frozenset({"nv", "sa"}), None, frozenset({"BE"})),
    (frozenset({"bv", "srl", "sarl"}), None, frozenset({"BE"})),
    (frozenset({"bvba", "sprl"}), None, frozenset({"BE"})),
    # Finland (Limited Liability Companies Act: Oy/Ab, Oyj/Abp), Canada (Ltd./Ltée)
    (frozenset({"oy", "ab"}), None, frozenset({"FI"})),
    (frozenset({"oyj", "abp"}), None, frozenset({"FI"})),
    (frozenset({"ltd", "ltee"}), None, frozenset({"CA"})),
    # France: a SAS with one shareholder, a SARL with one member (Code de commerce L227-1, L223-1)
    (frozenset({"sas", "sasu"}), None, frozenset({"FR"})),
    (frozenset({"sarl", "eurl"}), None, frozenset({"FR"})),
    # a kabushiki kaisha's English names (Sony Group Corporation, Hitachi, Ltd., ... Co., Ltd.), one side a K.K.
    (frozenset({"kk", "co ltd", "corp", "inc", "ltd", "co"}), "kk", frozenset({"JP"})),
    # a jusik hoesa's English names (Samsung Electronics Co., Ltd., Hyundai Motor Company, POSCO Corporation): in
    # Korea one form however written, as nearly every company there is one
    (frozenset({"jusik hoesa", "co ltd", "corp", "inc", "co"}), None, frozenset({"KR"})),
)


def _forms_alike(fa: str, fb: str, countries: tuple[object, object] = (None, None)) -> bool:
    """The same legal form: written alike (``_forms_agree``), or in another language of the country both customers
    are in (``_ONE_FORM``)."""
    if _forms_agree(fa, fb):
        return True
    where = {country_key(c) for c in countries} - {None}
    fa, fb = _one_language(fa, where), _one_language(fb, where)
    return _forms_agree(fa, fb) or bool(where) and any(
        fa in forms and fb in forms and (one is None or one in (fa, fb)) and where <= places
        for forms, one, places in _ONE_FORM)


def _one_language(form: str, where: set[str | None]) -> str:
    """A form written in two of the country's languages ("Oy Ab", "SA/NV") as one of them: the company writes
    its one form in both."""
    words = form.split()
    one = len(words) > 1 and any(set(words) <= forms and where <= places for forms, _, places in _ONE_FORM)
    return words[0] if one and where else form


# A one-edit difference (a letter dropped, added, replaced or two swapped) is a typo only in
# words long enough that one edit cannot turn one real word into another ("Atlatic" is
# "Atlantic"; "Bauer" and "Baier" are different people).
TYPO_MIN_LENGTH = 6


# Letters a scan or a keyboard writes as others inside a word: 0 for o, 1 for l, rn for m ("0lympia", "Mil1brook",
# "Harnmond"); read back only in a word of letters otherwise, long enough for the typo rule
_MISREAD = str.maketrans({"0": "o", "1": "l"})


def _as_read(word: str) -> str:
    return word.translate(_MISREAD).replace("rn", "m") if len(word) >= TYPO_MIN_LENGTH else word


def _typo(a: str, b: str) -> bool:
    # letters only, and Latin ones: one kanji is a word of its own ("山田" / "山本" are two families)
    if max(len(a), len(b)) < TYPO_MIN_LENGTH or not (a + b).isascii():
        return False
    # one edit as written, or as read back: a slip that wrote "rn" for one letter ("Andernon" for "Anderson") is
    # one edit as written and two once "rn" is read as "m"
    return any(not any(ch.isdigit() for ch in x + y) and OSA.distance(x, y, score_cutoff=1) <= 1
               for x, y in ((a, b), (_as_read(a), _as_read(b))))


def _singular(word: str) -> str:
    """"technologies" and "technology", "services" and "service" as one word (an abbreviation
    such as "Tech" expands to the singular)."""
    if len(word) < 5 or word[-1] != "s" or word.endswith("ss") or word[-2].isdigit():
        return word
    return word[:-3] + "y" if word.endswith("ies") else word[:-1]


_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), start=1)}


# an ordinal from first to tenth in words, as its figures: "First Street Bakery" is "1st Street Bakery"
_ORDINAL_WORDS = {w: f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'}" for n, w in enumerate(
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"), start=1)}
# Words naming a chain's store or branch before its number, which one system writes and another leaves out
# ("Walmart #1234" / "Walmart Store 1234", "ALDI SÜD Filiale Nr. 123", "Carrefour Market n°214"): the number
# names the unit ("#" is no word already)
_UNIT_DESIGNATORS = frozenset({"store", "shop", "branch", "filiale", "filiaal", "succursale", "sucursal", "no",
                               "nr", "number", "n"})


@lru_cache(maxsize=1 << 18)
def _core_words(name: str) -> tuple[str, ...]:
    """The core's words without "and", a Roman numeral after the first word as its figures ("Fund II" is "Fund 2",
    as name_numbers reads it), a number from one to ten in words as its figures ("Three Rivers" is "3 Rivers"), an
    ordinal as its figures ("First" is "1st"), figures without leading zeros ("#0612" is "612"), and without the
    words of a store's number (``_UNIT_DESIGNATORS``) after the first word."""
    core, _ = name_parts(name)
    words = [t for t in core.split() if t != "and"]
    out: list[str] = []
    for k, w in enumerate(words):
        after = next((v for v in words[k + 1:] if v not in _UNIT_DESIGNATORS), "")
        if k and w in _UNIT_DESIGNATORS and after.isdigit():
            continue
        if k and _ROMAN.fullmatch(w):
            out.append(str(_roman_value(w)))
        elif w.isdigit():
            out.append(str(int(w)))
        else:
            out.append(_NUMBER_WORDS.get(w) or _ORDINAL_WORDS.get(w, w))
    return tuple(out)


_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                                  "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa"})


def _transliterated(name: str) -> str:
    return name.translate(_TRANSLITERATION)


def _in_ascii_as_written_locally(a: object, b: object) -> tuple[str, str] | None:
    """Both texts with ä, ö, ü, ß, ø, å written as German and Danish write them in ASCII (ae, oe, ue, ss, oe, aa),
    where either holds one of those letters; None where neither does."""
    ta, tb = _transliterated(str(a)), _transliterated(str(b))
    return None if (ta, tb) == (str(a), str(b)) else (ta, tb)


# Japanese names in Latin letters: Hepburn and Kunrei-shiki spell some syllables apart (shi/si, chi/ti, tsu/tu,
# fu/hu, ji/zi, sha/sya, cho/tyo, ja/zya: ISO 3602 and the Cabinet notice of 1954 beside the Hepburn table), and a
# long o or u is written with a macron, doubled, with u or with h (Satō, Satoo, Satou, Satoh). Read only in names
# with a Japanese legal form, where "fu" and "hu" are one sound; elsewhere Fuller and Huller are two names.
_JAPANESE_FORMS = frozenset({"kk", "gk", "yk"})
_LONG_O_U = re.compile(r"o[ou]|oh(?![aeiouy])|uu")
_HEPBURN = (("shi", "si"), ("chi", "ti"), ("tsu", "tu"), ("fu", "hu"), ("ji", "zi"), ("sh", "sy"), ("ch", "ty"),
            ("j", "zy"))


# the syllabic n before b, m, p, which traditional Hepburn writes m (Shimbashi) and modified Hepburn n (Shinbashi)
_HEPBURN_M = re.compile(r"m(?=[bmp])")


def _romaji_key(core: str) -> str:
    s = _HEPBURN_M.sub("n", _LONG_O_U.sub(lambda m: m.group(0)[0], core))
    for hepburn, kunrei in _HEPBURN:
        s = s.replace(hepburn, kunrei)
    return s


def _japanese_spellings(a: str, b: str) -> bool:
    (ca, fa), (cb, fb) = name_parts(a), name_parts(b)
    return bool(_JAPANESE_FORMS & {fa, fb}) and _forms_agree(fa, fb) and _romaji_key(ca) == _romaji_key(cb)


# A person's or company's name and the name it trades under on one line: "John Smith t/a Smith Plumbing", "Bright
# Horizons LLC dba Sunny Days Daycare", "Jane Doe trading as Doe Designs", Australia's "T/as". Either part is the
# customer's name as the other system may hold it.
_TRADING_AS = re.compile(r"\s+(?:t/as?|t/a\.?|dba|d/b/a|d\.b\.a\.|trading\s+as|doing\s+business\s+as)\s+",
                         re.IGNORECASE)


def trading_as(name: str | None) -> tuple[str, str] | None:
    """(the name, the name it trades under) of a name line written with both ("X t/a Y"), else None."""
    if name is None:
        return None
    parts = _TRADING_AS.split(name, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 and parts[0].strip() and parts[1].strip() else None


# The widths of the fixed name and address fields of widely used ERPs, which cut a longer value from the CRM where
# it ends (SAP's customer master: NAME1..NAME4 and STRAS 35 characters, the central address's NAME1 40 and STREET
# 60; Dynamics NAV's Name and Address 30, later 50; QuickBooks Desktop's customer name 41). A trailing space at the
# cut is dropped on export, so a cut value is as long as its field or one character shorter.
FIELD_WIDTHS = (30, 35, 40, 41, 50, 60)


def cut_at_field_width(a: object, b: object) -> bool:
    """The shorter of two texts is the longer one's beginning (up to case and runs of spaces), cut at the width of
    an ERP's field (``FIELD_WIDTHS``): "Northern Lights Renewable Ener" is "Northern Lights Renewable Energy
    Solutions Limited" in a field of 30. So long a beginning names one company or street line."""
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    short, long_ = sorted((a.strip(), b.strip()), key=len)
    if len(short) == len(long_) or not any(w - 1 <= len(short) <= w for w in FIELD_WIDTHS):
        return False
    return _spaced(long_).startswith(_spaced(short))


def _spaced(text: str) -> str:
    return " ".join(text.casefold().split())


def same_letters_and_figures(a: object, b: object) -> bool:
    """The same letters and figures in the same order, whatever stands between them: the two halves of a long name
    that an ERP keeps in two fields (SAP's NAME1 and NAME2) joined again without the space, or with one inside a
    word where the first field was full ("Hartmann Verpackungstechnik und" + "Logistik GmbH & Co. KG" written
    "...undLogistik...", "Australian Agricultural Machinery I" + "mporters Pty Ltd")."""
    ka, kb = _letters_and_figures(str(a)), _letters_and_figures(str(b))
    return bool(ka) and ka == kb


@lru_cache(maxsize=1 << 16)
def _letters_and_figures(text: str) -> str:
    return "".join(_NON_WORD.split(fold(repaired(text)) or ""))


# A letter an export to ASCII could not write, written "?" in its place: "M?ller" for "Müller", "H?tel" for "Hôtel"
_LOST_LETTER = re.compile(r"(?<=[^\W\d_])\?|\?(?=[^\W\d_])")


def _lost_letters(a: str, b: str) -> tuple[str, str] | None:
    """Where one name has a "?" for a letter and the other has letters beyond ASCII: both with each such letter as
    "?"; else None."""
    if (_LOST_LETTER.search(a) is None) == (_LOST_LETTER.search(b) is None):
        return None
    written = tuple("".join(ch if ch.isascii() else "?" for ch in unicodedata.normalize("NFC", x)) for x in (a, b))
    return None if written == (a, b) else (written[0], written[1])


def names_equivalent(a: str | None, b: str | None, countries: tuple[object, object] = (None, None)) -> bool:
    """``_names_equivalent``, where a name written with its trading name ("X t/a Y") is either of the two beside a
    name without one, and both of them beside another such name (one person's two trades are two customers)."""
    if a is None or b is None:
        return a is None and b is None
    if cut_at_field_width(a, b) or same_letters_and_figures(a, b):
        return True
    ta, tb = trading_as(str(a)), trading_as(str(b))
    if ta is not None and tb is not None:
        return all(_names_equivalent(x, y, countries) for x, y in zip(ta, tb))
    if ta is not None:
        return any(_names_equivalent(part, str(b), countries) for part in ta)
    if tb is not None:
        return any(_names_equivalent(str(a), part, countries) for part in tb)
    return _names_equivalent(a, b, countries)


def _names_equivalent(a: str | None, b: str | None, countries: tuple[object, object] = (None, None)) -> bool:
    """The two names say the same thing: identical (names_identical), written in ASCII as the language writes it
    ("Müller" / "Mueller"), a Japanese name in another romanisation ("Satō" / "Satou"), the same words in
    another order ("Elektro Saar GmbH" / "Saar Elektro GmbH"), the same words run together, words written short
    ("Amer" / "American", "IBM"), or with one-edit typos in long words. A word replaced, added or dropped (beyond
    legal forms, articles and "and") is a different name; so are two different legal forms."""
    if a is None or b is None:
        return a is None and b is None
    if names_identical(a, b):
        return True
    ascii_ = _in_ascii_as_written_locally(a, b)
    if ascii_ is not None and names_identical(*ascii_):
        return True  # "Müller" / "Mueller", "Sørensen" / "Soerensen": as "Ромашка" / "Romashka", one name
    if _japanese_spellings(str(a), str(b)):
        return True  # "Satō Shōji K.K." / "Satou Shouji K.K.", "Fujita" / "Huzita"
    lost = _lost_letters(str(a), str(b))
    if lost is not None and names_identical(*lost):
        return True  # "M?ller Logistik GmbH" / "Müller Logistik GmbH"
    if not _forms_alike(name_parts(str(a))[1], name_parts(str(b))[1], countries):
        return False
    wa, wb = _core_words(str(a)), _core_words(str(b))
    if "".join(wa) == "".join(wb) and wa:
        return True  # "Data Tech" / "DataTech"
    if _run_together_in_another_order(wa, wb) or _run_together_in_another_order(wb, wa):
        return True  # "明达贸易（上海）" / "上海明达贸易": the place before the trade name or in brackets after it
    if _written_short(str(a), str(b), wa, wb):
        return True  # "Amer Steel" / "American Steel", "IBM" / "International Business Machines"
    rest_a, rest_b = list(wa), list(wb)
    for w in wa:
        match = next((v for v in rest_b if _singular(v) == _singular(w)), None)
        if match is not None:
            rest_a.remove(w)
            rest_b.remove(match)
    if len(rest_a) != len(rest_b) or len(rest_a) > max(1, len(wa) // 3):
        return False
    for w in rest_a:
        hit = next((v for v in rest_b if _typo(w, v)), None)
        if hit is None:
            return False
        rest_b.remove(hit)
    return True


def plural_apart(a: str | None, b: str | None) -> bool:
    """The two names' words are the same but for a plural "s" on one or more of them ("Premier Tool" / "Premier
    Tools", "Hill & Sons" / "Hills & Sons"): the letter by which a firm's name most often differs from its
    neighbour's, and a customer's name as often written one way as the other."""
    if a is None or b is None:
        return False
    wa, wb = _core_words(str(a)), _core_words(str(b))
    return len(wa) == len(wb) and wa != wb and all(x == y or x + "s" == y or y + "s" == x for x, y in zip(wa, wb))


def letter_apart(a: str | None, b: str | None) -> bool:
    """The two names' words are the same but for one letter of one word put in another's place ("Wagner" /
    "Wegner", "Brightline" / "Brightlane"): how two surnames or two brands most often differ, as much as a slip of
    the keyboard. A letter misread (0/O, 1/l, rn/m) is no such letter."""
    if a is None or b is None or _japanese_spellings(str(a), str(b)):
        return False  # "Shinbashi" / "Shimbashi": one name in two romanisations
    wa, wb = _core_words(str(a)), _core_words(str(b))
    apart = [(x, y) for x, y in zip(wa, wb) if x != y]
    if len(wa) != len(wb) or len(apart) != 1:
        return False
    x, y = apart[0]
    return len(x) == len(y) and sum(p != q for p, q in zip(x, y)) == 1 and _as_read(x) != _as_read(y) \
        and x.isalpha() and y.isalpha()


RUN_TOGETHER_WORDS_MAX = 4  # the orders of at most 4 words are tried (24)


def _run_together_in_another_order(words: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """The words, in some other order, run together into the other name's one word: Chinese names put the place
    first ("上海明达贸易有限公司") or in brackets after the trade name ("明达贸易（上海）有限公司"), and a
    script without spaces runs the rest together."""
    if len(other) != 1 or not 1 < len(words) <= RUN_TOGETHER_WORDS_MAX or len("".join(words)) != len(other[0]):
        return False
    return any("".join(order) == other[0] for order in itertools.permutations(words))


# A Roman numeral as names number funds, series and generations ("Fund II", "Holdings IV"): I to XXXIX, never
# a name's first word ("Vi Solutions", "XI Technologies" are names)
_ROMAN = re.compile(r"(?=[ivx])(x{0,3})(ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_DIGIT_RUN = re.compile(r"\d+")


def _roman_value(word: str) -> int:
    values = [_ROMAN_VALUES[ch] for ch in word]
    return sum(-v if k + 1 < len(values) and v < values[k + 1] else v for k, v in enumerate(values))


@lru_cache(maxsize=1 << 18)
def name_numbers(core: str | None) -> frozenset[str]:
    """The numbers a company name's core holds, as figures: the runs of figures in its words ("Studio 54", "A1" as
    "A-1", "21st" as 21) and Roman numerals after the first word ("Fund II" is "Fund 2"). Two names with different
    numbers name two companies (a fund and its successor fund, two franchise stores), however alike their letters."""
    if not core:
        return frozenset()
    words = core.split()
    figures = {str(int(run)) for w in words for run in _DIGIT_RUN.findall(w)}  # "A-1" / "A1", "007" / "7"
    figures |= {str(_roman_value(w)) for w in words[1:] if _ROMAN.fullmatch(w)}
    return frozenset(figures)


# A word written short by its first letters ("Amer" for "American", "Constr" for "Construction") or by its
# consonants in order ("Bldg", "Mfg", "Hldgs"): at least this many letters, and this many fewer than the word, so
# that "Bay" / "Bayer" or "Electric" / "Electrical" are two words, not a word and its short form.
SHORT_FORM_MIN = 3
_VOWELS = frozenset("aeiouy")


SHORT_FORM_WORDS_MAX = 40  # a longer "name" (a notes field mapped as the name) is not searched for short forms


def _short_for(short: str, word: str, dotted: frozenset[str]) -> bool:
    """``short`` is ``word`` written short: its first letters, or its consonants in order from its first letter.
    A whole word that begins a longer one is often another word (Anders / Andersson, Star / Starbucks, Jan /
    Jansen): first letters are a short form where a dot marks them (``dotted``: "Stahlw.") or where the cut falls
    inside a syllable, after a consonant and before a vowel (Amer|ican, Constr|uction, Chem|icals)."""
    if len(short) < SHORT_FORM_MIN or len(word) < len(short) + SHORT_FORM_MIN or not short.isalpha() \
            or not (short + word).isascii() or short[0] != word[0]:
        return False  # Latin letters only: a kanji word has no short form of its first characters
    if word.startswith(short):
        return short in dotted or (short[-1] not in _VOWELS and word[len(short)] in _VOWELS)
    if _VOWELS.intersection(short[1:]):
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in short[1:])  # a subsequence: each letter found after the one before


def _acronym_of(short: str, words: tuple[str, ...], capitals: frozenset[str]) -> bool:
    """``short``, written in capitals in its name (``capitals``: "IBM", not "Ace"), is the initials of ``words``
    (as many as its letters; "and", "of", "the" already left out of a core)."""
    return short in capitals and len(words) == len(short) >= 2 and short == "".join(w[0] for w in words)


def _marks(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words of ``name`` written with a dot after them, and those written in capitals (none where every word
    of two or more beside its legal form is: an ERP that writes every name in capitals tells no acronym), both
    folded as name words are."""
    folded = fold(name) or ""
    dotted = frozenset(re.findall(r"([^\W\d_]+)\.", folded))
    words = re.findall(r"[^\W\d_]+", name)
    named = [w for w in words if (fold(w) or "") not in LEGAL_FORMS]
    if len(named) >= 2 and all(w.isupper() for w in named):
        return dotted, frozenset()
    return dotted, frozenset(f for w in words if len(w) >= 2 and w.isupper() for f in (fold(w),) if f)


def _written_short(a: str, b: str, wa: tuple[str, ...], wb: tuple[str, ...]) -> bool:
    """The same words in the same order, where some of either side's are written short (``_short_for``) or as
    the initials of the other's next words (``_acronym_of``), and at least one is. A walk over the pairs of
    positions (i in ``wa``, j in ``wb``), each visited once: no recursion, at most len(wa) x len(wb) steps."""
    if not wa or not wb or len(wa) + len(wb) > SHORT_FORM_WORDS_MAX:
        return False
    (dot_a, cap_a), (dot_b, cap_b) = _marks(a), _marks(b)
    seen: set[tuple[int, int, bool]] = set()
    todo = [(0, 0, False)]
    while todo:
        i, j, shortened = state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        if i == len(wa) or j == len(wb):
            if i == len(wa) and j == len(wb) and shortened:
                return True
            continue
        x, y = wa[i], wb[j]
        if _singular(x) == _singular(y):
            todo.append((i + 1, j + 1, shortened))
        if _short_for(x, y, dot_a) or _short_for(y, x, dot_b):
            todo.append((i + 1, j + 1, True))
        if _acronym_of(x, wb[j:j + len(x)], cap_a):
            todo.append((i + 1, j + len(x), True))
        if _acronym_of(y, wa[i:i + len(y)], cap_b):
            todo.append((i + len(y), j + 1, True))
    return False


@lru_cache(maxsize=1 << 18)
def text_key(text: object) -> str | None:
    toks = _tokens(text)
    return " ".join(toks) or None


# Cities known by another name in English or in a neighbour's language: each -> one of its names. Only whole names:
# a city is a proper name, and a fuzzy rule would make Austin Boston. An ASCII spelling (Muenchen for München) is
# the same name (cities_equivalent), as Mueller is Müller.
_CITY_NAMES: dict[str, str] = {
    **dict.fromkeys(("munich", "monaco di baviera"), "munchen"),
    **dict.fromkeys(("cologne",), "koln"),
    **dict.fromkeys(("vienna",), "wien"),
    **dict.fromkeys(("milan", "milano"), "milano"), **dict.fromkeys(("rome", "roma"), "roma"),
    **dict.fromkeys(("turin", "torino"), "torino"), **dict.fromkeys(("naples", "napoli"), "napoli"),
    **dict.fromkeys(("florence", "firenze"), "firenze"), **dict.fromkeys(("venice", "venezia"), "venezia"),
    **dict.fromkeys(("genoa", "genova"), "genova"),
    **dict.fromkeys(("prague", "praha"), "praha"), **dict.fromkeys(("warsaw", "warszawa"), "warszawa"),
    **dict.fromkeys(("cracow", "krakow"), "krakow"), **dict.fromkeys(("lisbon", "lisboa"), "lisboa"),
    **dict.fromkeys(("seville", "sevilla"), "sevilla"), **dict.fromkeys(("athens", "athina"), "athina"),
    **dict.fromkeys(("brussels", "bruxelles", "brussel"), "bruxelles"),
    **dict.fromkeys(("antwerp", "anvers", "antwerpen"), "antwerpen"),
    **dict.fromkeys(("the hague", "den haag", "s gravenhage", "sgravenhage"), "den haag"),
    **dict.fromkeys(("gothenburg", "goteborg"), "goteborg"),
    **dict.fromkeys(("copenhagen", "kobenhavn"), "kobenhavn"),
    **dict.fromkeys(("geneva", "geneve", "genf", "ginevra"), "geneve"),
    **dict.fromkeys(("basel", "bale", "basle"), "basel"),
    **dict.fromkeys(("lucerne", "luzern"), "luzern"), **dict.fromkeys(("nuremberg",), "nurnberg"),
    **dict.fromkeys(("frankfurt am main", "frankfurt am", "frankfurt a m", "frankfurt main",
                      "frankfurtmain", "frankfurt a main"), "frankfurt am main"),
    **dict.fromkeys(("moscow", "moskva"), "moskva"),
    # Indian cities under their names before and after renaming (Bombay 1995, Madras 1996, Calcutta 2001,
    # Bangalore 2014, Gurgaon 2016): master data keeps both
    **dict.fromkeys(("bombay",), "mumbai"), **dict.fromkeys(("madras",), "chennai"),
    **dict.fromkeys(("calcutta",), "kolkata"), **dict.fromkeys(("bangalore",), "bengaluru"),
    **dict.fromkeys(("gurgaon",), "gurugram"), **dict.fromkeys(("poona",), "pune"),
    **dict.fromkeys(("baroda",), "vadodara"), **dict.fromkeys(("cochin",), "kochi"),
    **dict.fromkeys(("trivandrum",), "thiruvananthapuram"), **dict.fromkeys(("mysore",), "mysuru"),
    **dict.fromkeys(("new york city", "nyc"), "new york"),
}
# an umlaut written in ASCII ("ue" for ü), read back only where that gives a city _CITY_NAMES knows
_UMLAUT_IN_ASCII = re.compile(r"(?<=[aou])e")
_KNOWN_CITIES = frozenset(_CITY_NAMES) | frozenset(_CITY_NAMES.values())
# a city's first word that is a title written short or long: St. Louis, Saint Louis; Sankt Gallen, St. Gallen
_CITY_FIRST_WORDS = {"st": "saint", "sankt": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}


@lru_cache(maxsize=1 << 16)
def city_key(text: object) -> str | None:
    """A city's comparison key: ``text_key``, its first word's title written out (St. -> saint), and one name
    for a city known by several (Munich, München; ``_CITY_NAMES``)."""
    # a slash parts words in a city's name ("Halle/Saale", "Frankfurt/Main"), where it joins letters in a company's
    toks = _tokens(text.replace("/", " ") if isinstance(text, str) else text)
    if not toks:
        return None
    toks[0] = _CITY_FIRST_WORDS.get(toks[0], toks[0])
    joined = " ".join(toks)
    if joined not in _CITY_NAMES and (folded := _UMLAUT_IN_ASCII.sub("", joined)) in _KNOWN_CITIES:
        joined = folded  # "Muenchen" is München, and so Munich too; "Soest" stays Soest (no city "sost" known)
    if joined not in _CITY_NAMES and len(toks) > 1 and _postal_district(toks[-1]) \
            and (head := " ".join(toks[:-1])) in _CITY_NAMES:
        return f"{_CITY_NAMES[head]} {toks[-1]}"  # "Copenhagen V" is "København V", "Prague 1" "Praha 1"
    return _CITY_NAMES.get(joined, joined)


def _postal_district(word: str) -> bool:
    """A city's last word that is its postal district: a number or one or two letters (København K, Aarhus C,
    Praha 1, Dublin 2)."""
    return word.isdigit() or len(word) <= 2


# The qualifiers of German place names, written out or short: "am Rhein" / "a. Rhein", "an der Ruhr" / "a.d. Ruhr",
# "im Breisgau" / "i. Br.", "ob der Tauber" / "o.d. Tauber", "vor der Höhe" / "v.d. Höhe", "bei" / "b."
_CITY_CONNECTORS = frozenset({("an", "der"), ("a", "d"), ("in", "der"), ("i", "d"), ("ob", "der"), ("o", "d"),
                              ("vor", "der"), ("v", "d"),
                              *((w,) for w in ("am", "an", "a", "ad", "im", "in", "i", "id", "od", "vd", "bei", "b"))})


def _city_words(text: object) -> list[str]:
    """A city's words with its German qualifiers read as one ("~"), after its first word."""
    toks = _tokens(text.replace("/", " ") if isinstance(text, str) else text)
    out = toks[:1]
    k = 1
    while k < len(toks):
        n = next((n for n in (2, 1) if tuple(toks[k:k + n]) in _CITY_CONNECTORS), 0)
        out.append("~" if n else toks[k])
        k += n or 1
    return out


def _same_city_written_short(a: object, b: object) -> bool:
    """The same words, qualifiers read as one, where one side writes a word short with a dot ("Freiburg i. Br." /
    "Freiburg im Breisgau", "Mülheim a.d. Ruhr" / "Mülheim an der Ruhr")."""
    wa, wb = _city_words(a), _city_words(b)
    if len(wa) != len(wb) or len(wa) < 2 or wa[0] != wb[0]:
        return False
    dotted_a, dotted_b = "." in str(a), "." in str(b)
    for x, y in zip(wa, wb):
        short, long_, dotted = (x, y, dotted_a) if len(x) < len(y) else (y, x, dotted_b)
        if x != y and not (dotted and len(short) >= 2 and long_.startswith(short)):
            return False
    return True


def _titles_and_units(line: str) -> str:
    if "-" in line:
        line = _SAINT_HYPHENATED.sub("saint ", _SAINTE_HYPHENATED.sub("sainte ", line))
    if "/" in line:
        line = _FIGURES_SLASH.sub(" ", line)
    return _UNIT_SIGN.sub(" unit ", line) if "#" in line else line


@lru_cache(maxsize=1 << 18)
def street_key(text: object, country: object = None) -> str | None:
    """A street line as compared: street types and their abbreviations in the languages of
    the country (street_types: "Avda."/"Avenida", "C/"/"Calle", "bd"/"boulevard",
    "Cl"/"Close", "Kerkstr."/"Kerkstraat") and the common English words unified."""
    text = repaired(text)
    s = fold(text)
    if s is None:
        return None
    if isinstance(text, str) and not _LETTER.search(s) and (written := _as_written(text)) is not None:
        return written  # "丸の内2-4-1": its figures alone would make it every street with those figures
    s, loc = _street_line(s, country)
    toks = [w for piece in _STREET_SEPARATORS.split(s) if piece for w in street_types.split_suffix(piece, loc)]
    return _street_words(toks, loc, s)


def _street_line(folded: str, country: object) -> tuple[str, street_types.Locale]:
    """A folded street line with its titles, unit signs and German compound streets ("Hauptstraße" /
    "Hauptstr." -> "haupt st") written out, and the street-type tables of the country's languages."""
    s = _titles_and_units(folded)
    cc = country_key(country)
    languages = street_types.STREET_LANGUAGES.get(cc or "", ("de",))
    if "de" in languages:
        s = _GERMAN_STREET.sub(" st ", s)
    if "box" in s:
        s = _PO_BOX.sub(" pobox ", s)
    if "fl" in s:
        s = _ORDINAL_FLOOR.sub(r" floor \1 ", s)
    if cc == "CA":
        s = _UNIT_CIVIC.sub(r"\2 unit \1", s)
    if _ROMANCE.intersection(languages):
        s = _PARTICLES.sub(" ", s)
    return s, street_types.locale(cc)


# A post office box however written ("PO Box", "P.O.Box", "P O Box", "Post Office Box": USPS Publication 28 writes
# PO BOX)
_PO_BOX = re.compile(r"(?<![a-z0-9])(?:p\s*\.?\s*o\s*\.?\s*box|post\s+office\s+box)(?![a-z])")
# a floor by its ordinal ("4th Floor") is the floor by its number ("Fl 4")
_ORDINAL_FLOOR = re.compile(r"(?<![a-z0-9])(\d+)(?:st|nd|rd|th)\s+(?:floor|fl)\b\.?")
# Canada Post writes a unit before the civic number with a hyphen: "1500-200 King St W" is unit 1500 at 200
_UNIT_CIVIC = re.compile(r"^\s*(\d+[a-z]?)-(\d+)(?=\s)")
# The particles between a street's type and its name, which Spanish, Italian, Portuguese and French lines write
# or leave out ("Calle de Alcalá" / "C/ Alcalá", "Avenida de la Constitución" / "Avda. Constitución")
_ROMANCE = frozenset({"es", "ca", "it", "pt", "fr"})
_PARTICLES = re.compile(r"(?<![a-z0-9'])(?:(?:del?|di|da|do|du|dos|das|des|dei|degli|della|delle|dello)"
                        r"(?:\s+(?:la|las|los|les)(?=\s)|\s+l'|(?=\s))|dell'|d')")


# A house number's repetition index written as a word after it (French: "5 bis" is 5B, "5 ter" 5T; La Poste
# writes them B, T, Q: NF Z 10-011), or a letter apart from it at the end of the line ("Bahnhofstr. 5 a",
# "Kerkstraat 12-A"): one number, "5b". Not n, s, e, w, which end a line as its direction ("Route 9 W").
_HOUSE_INDEX_WORDS = {"bis": "b", "ter": "t", "quater": "q"}
_DIRECTION_LETTERS = frozenset("nsew")


def _house_suffixes(toks: list[str]) -> list[str]:
    if not (toks and len(toks[-1]) == 1) and _HOUSE_INDEX_WORDS.keys().isdisjoint(toks):
        return toks  # most lines: nothing to join (a key is made per distinct line, 100,000 a run)
    out: list[str] = []
    for k, t in enumerate(toks):
        # "12 bis 14" is a range in German, as "12-14": an index word joins only where no figure follows it
        follows = k + 1 < len(toks) and toks[k + 1][:1].isdigit()
        if out and out[-1].isdigit() and t == "bis" and follows:
            continue
        if out and out[-1].isdigit() and (
                (t in _HOUSE_INDEX_WORDS and not follows)
                or (k == len(toks) - 1 and len(t) == 1 and t.isalpha() and t not in _DIRECTION_LETTERS)):
            out[-1] += _HOUSE_INDEX_WORDS.get(t, t)
        else:
            out.append(t)
    return out


# Words naming a unit before its number, as a line writes them before the street types are read ("Fl" would be
# the street type Fall): the number is the unit's, put after the house number wherever the line writes the unit
# ("Flat 2, 10 Church Road" / "10 Church Road, Flat 2"). "Flat", "Fl", "Floor" only in a line with a house number
# too: "Flat Rock Road" is a street, and "Tiffany Flat 192" a street of that type (USPS Publication 28, FLT).
# before the street types read Suite as Ste; a building is a unit of the address too (USPS Publication 28, BLDG)
_UNIT_BEFORE_NUMBER = _UNIT_WORDS | {"suite", "building", "bldg"}
_UNIT_BESIDE_HOUSE = frozenset({"flat", "fl", "floor"})
# a number's own word before it: "No. 5", "Nr. 5" are 5; Italian "n. 10" too, where "N" before "5th" is North
_NUMBER_SIGNS = frozenset({"no", "nr", "number"})
_NUMBER_LETTER = "n"
# Japanese: "2-chome-4-1 Marunouchi" is "2-4-1 Marunouchi"; chōme (the district's block) is a word of the number
_NUMBER_PARTS = frozenset({"chome"})
_UNIT_OR_PART = _UNIT_BEFORE_NUMBER | _UNIT_BESIDE_HOUSE | _NUMBER_SIGNS | _NUMBER_PARTS | {_NUMBER_LETTER}


def _number_sign(toks: list[str], k: int, number: str | None) -> bool:
    """``toks[k]`` is the word of the number after it: "No. 5", "Nr. 5", and Italian "n. 10" where figures alone
    follow and no house number comes before ("100 N 5th St", "100 N 5 St" are North)."""
    if number is None:
        return False
    if toks[k] in _NUMBER_SIGNS:
        return True
    return toks[k] == _NUMBER_LETTER and number.isdigit() and k > 0 and not toks[k - 1].isdigit()


def _units(toks: list[str]) -> tuple[list[str], list[str]]:
    """The line's tokens without its units' words and numbers, and those numbers."""
    if _UNIT_OR_PART.isdisjoint(toks):
        return toks, []
    numbers = sum(_DIGIT.search(t) is not None for t in toks)
    kept: list[str] = []
    units: list[str] = []
    k = 0
    while k < len(toks):
        t = toks[k]
        number = toks[k + 1] if k + 1 < len(toks) and _DIGIT.search(toks[k + 1]) is not None else None
        if number is not None and numbers > 1 and (t in _UNIT_BEFORE_NUMBER or t in _UNIT_BESIDE_HOUSE):
            units.append(number)
            k += 2
            continue
        if not (_number_sign(toks, k, number) or t in _NUMBER_PARTS):
            kept.append(t)
        k += 1
    return (kept, units) if kept else (toks, [])


def _street_words(toks: list[str], loc: street_types.Locale, line: str) -> str | None:
    toks, units = _units(_house_suffixes(toks))
    if len(toks) > 2 and toks[-1] == _OUEST:
        toks = [*toks[:-1], "w"]
    words = [t for t in toks if not _DIGIT.search(t)]
    if len(words) > 1 and words[0] in _STREET_FIRST_WORDS:
        at = toks.index(words[0])
        if all(t.isdigit() for t in toks[:at]):  # after the house number at most: "100 5th St NW" is a Street
            toks = [*toks[:at], "saint", *toks[at + 1:]]
    toks = [_STREET_WORDS.get(t, t) for t in street_types.canonical_words(toks, loc)]
    toks = [t for t in toks if t not in _UNIT_WORDS and t not in _UNWRITTEN_TYPES] or toks
    # the house number before or after the street name ("Truppstraße 234" / "234 Truppstraße"):
    # numbers last, in their order, a unit's after the house's
    if _DIGIT.search(line):
        has = [_DIGIT.search(t) is not None for t in toks]
        toks = [t for t, d in zip(toks, has) if not d] + [t for t, d in zip(toks, has) if d]
    return " ".join(toks + units) or None


def _street_readings(text: object, country: object) -> set[str]:
    """The street key under every reading of its dotted, run-together abbreviations
    ("Joepln." is Joep-laan or Joe-plein): two lines are the same street when any
    reading of one is the key of the other."""
    s = fold(repaired(text))
    if s is None or "." not in s:
        return set()
    s, loc = _street_line(s, country)
    options = [street_types.abbreviated_splits(piece, loc) or [street_types.split_suffix(piece, loc)]
               for piece in _STREET_SEPARATORS.split(s) if piece]
    if sum(len(o) > 1 for o in options) > 3:
        return set()  # a pathological line: no combinatorial search
    return {k for combo in itertools.product(*options) if (k := _street_words([w for p in combo for w in p], loc, s))}


def streets_equivalent(a: object, b: object, country: object = None) -> bool:
    """Equal street keys, or the same words where one side abbreviates a word by truncating
    it with a dot ("Vic. Rosselli" / "Vicolo Rosselli"): an abbreviation the street-type
    tables read as another type ("vic" is listed for "vico") still stands for the longer word;
    also as written in ASCII ("Mühlenweg" / "Muehlenweg"). House numbers must be equal."""
    if _streets_equivalent(a, b, country) or cut_at_field_width(repaired(a), repaired(b)):
        return True
    ascii_ = None if a is None or b is None else _in_ascii_as_written_locally(a, b)
    if ascii_ is not None and _streets_equivalent(*ascii_, country):
        return True
    la, lb = _without_landmarks(a), _without_landmarks(b)
    return (la, lb) != (a, b) and _streets_equivalent(la, lb, country)


# A part of a street line that tells the way to the place by a landmark, as Indian and other South Asian addresses
# do ("12, M.G. Road, Near City Mall", "Shop No. 4, Opp. Railway Station, Station Road"): no part of the address
_LANDMARK = re.compile(r"(?:^|,)\s*(?:near|nr\.|opp\.?|opposite|behind|beside|next\s+to)\s[^,]*", re.IGNORECASE)


def _without_landmarks(line: object) -> object:
    if not isinstance(line, str):
        return line
    rest = _LANDMARK.sub("", line).strip(" ,")
    return rest or line


def cities_equivalent(a: object, b: object) -> bool:
    """Equal city keys, also as written in ASCII ("München" / "Muenchen"), or the same words written short
    (``_same_city_written_short``)."""
    if city_key(a) == city_key(b) or (a is not None and b is not None and _same_city_written_short(a, b)):
        return True
    ascii_ = None if a is None or b is None else _in_ascii_as_written_locally(a, b)
    return ascii_ is not None and city_key(ascii_[0]) == city_key(ascii_[1])


# a house number written as a word at the start of a line with no figure ("One Infinite Loop", "One World Trade
# Center"): another reading of the line when two are compared, never its key, where "Seven Sisters Road" is a name


def _number_word_read(line: object) -> object:
    """The line with a leading house number in words as its figure, where it has no figure; else the line."""
    if not isinstance(line, str) or _DIGIT.search(line):
        return line
    first, _, rest = line.strip().partition(" ")
    figure = _NUMBER_WORDS.get(first.casefold())
    return f"{figure} {rest}" if figure is not None and rest.strip() else line


def _streets_equivalent(a: object, b: object, country: object = None) -> bool:
    if _same_street(a, b, country):
        return True
    ra, rb = _number_word_read(a), _number_word_read(b)
    return (ra, rb) != (a, b) and _same_street(ra, rb, country)


def _same_street(a: object, b: object, country: object = None) -> bool:
    ka, kb = street_key(a, country), street_key(b, country)
    if ka == kb or ka is None or kb is None:
        return ka == kb
    if ka in _street_readings(b, country) or kb in _street_readings(a, country):
        return True
    ta, tb = ka.split(), kb.split()
    if len(ta) != len(tb):
        return False
    dotted_a, dotted_b = "." in str(a), "." in str(b)
    for x, y in zip(ta, tb):
        if x == y:
            continue
        if _DIGIT.search(x) or _DIGIT.search(y):
            return False
        short, long_, dotted = (x, y, dotted_a) if len(x) < len(y) else (y, x, dotted_b)
        if not (dotted and len(short) >= 2 and long_.startswith(short)):
            return False
    return True


# The country's sign before a postcode, as European mail wrote it across borders ("D-70174", "CH-1204",
# "NL-1015 CJ"; CEPT's recommendation, and Luxembourg's and Latvia's own form): the ISO code, or the international
# vehicle sign where it differs (Vienna Convention on Road Traffic, 1968)
_POSTCODE_COUNTRY_SIGN = re.compile(r"([A-Z]{1,3})-\s*(?=\d)")
_VEHICLE_SIGNS = {"D": "DE", "A": "AT", "B": "BE", "F": "FR", "I": "IT", "E": "ES", "P": "PT", "S": "SE",
                  "N": "NO", "FIN": "FI", "SF": "FI", "L": "LU", "H": "HU", "SLO": "SI", "IRL": "IE", "FL": "LI",
                  "EST": "EE", "M": "MT", "AND": "AD", "RSM": "SM"}
# A postcode a spreadsheet or a data frame read as a number and wrote back as a decimal: "2134.0", "70173.0"
_SPREADSHEET_NUMBER = re.compile(r"(\d+)\.0")
# Postcodes of a fixed number of figures that may begin with a zero, which a spreadsheet drops (UPU postcode
# formats: Oslo 0154, Helsinki 00100, Darwin 0800, Mexico City 01000, São Paulo 01310-100)
_POSTCODE_FIGURES = {"DE": 5, "FR": 5, "ES": 5, "IT": 5, "FI": 5, "MX": 5, "NO": 4, "AU": 4, "BR": 8}


@lru_cache(maxsize=1 << 18)
def postcode_key(code: object, country: object = None) -> str | None:
    s = fold(code)
    if s is None:
        return None
    s = s.strip().upper()
    if s[:1] == "'":
        s = s[1:].lstrip()  # Excel's mark of a cell typed as text ('02134), exported with the value
    if (figures := _SPREADSHEET_NUMBER.fullmatch(s)) is not None:
        s = figures[1]  # a code read as a number and written back as one: 02134 -> 2134.0 (the zero is put back below)
    cc = country_key(country)
    if (sign := _POSTCODE_COUNTRY_SIGN.match(s)) and cc in (sign.group(1), _VEHICLE_SIGNS.get(sign.group(1))):
        s = s[sign.end():]  # only the customer's own country's sign: "A-1010" of a German customer stays as written
    s = _POSTCODE_SEPARATORS.sub("", s)
    if cc == "US" and s.isdigit():
        # ZIP+4 equals its ZIP; a spreadsheet dropped the leading zero of a ZIP (02139 -> 2139) or ZIP+4
        s = s.zfill(9)[:5] if len(s) in (8, 9) else s.zfill(5)
    if cc in _POSTCODE_FIGURES and s.isdigit():
        s = s.zfill(_POSTCODE_FIGURES[cc])
    return s or None


@lru_cache(maxsize=1 << 18)
def country_key(country: object) -> str | None:
    s = fold(country)
    if s is None:
        return None
    s = _WHITESPACE.sub(" ", s.replace(".", "")).strip().upper()  # U.S.A. is USA
    return COUNTRY_NAMES.get(s, s)


COUNTRY_NAMES = {
    "GERMANY": "DE", "DEUTSCHLAND": "DE", "UNITED KINGDOM": "GB", "UK": "GB", "GREAT BRITAIN": "GB",
    "ENGLAND": "GB", "FRANCE": "FR", "SPAIN": "ES", "ESPANA": "ES", "ITALY": "IT", "ITALIA": "IT",
    "NETHERLANDS": "NL", "THE NETHERLANDS": "NL", "NEDERLAND": "NL", "BELGIUM": "BE", "AUSTRIA": "AT",
    "OSTERREICH": "AT", "SWITZERLAND": "CH", "SCHWEIZ": "CH", "SWEDEN": "SE", "SVERIGE": "SE",
    "DENMARK": "DK", "NORWAY": "NO", "FINLAND": "FI", "POLAND": "PL", "IRELAND": "IE", "PORTUGAL": "PT",
    "JAPAN": "JP", "UNITED STATES": "US", "USA": "US", "UNITED STATES OF AMERICA": "US", "CANADA": "CA",
    "AUSTRALIA": "AU", "GREECE": "GR", "CZECH REPUBLIC": "CZ", "CZECHIA": "CZ", "HUNGARY": "HU",
    "LUXEMBOURG": "LU", "SINGAPORE": "SG", "INDIA": "IN", "CHINA": "CN", "BRAZIL": "BR", "MEXICO": "MX",
    "HOLLAND": "NL", "TURKEY": "TR", "TURKIYE": "TR", "SOUTH KOREA": "KR", "KOREA": "KR", "REPUBLIC OF KOREA": "KR",
    # the countries' own names in their official languages, and their long official names
    "BUNDESREPUBLIK DEUTSCHLAND": "DE", "FEDERAL REPUBLIC OF GERMANY": "DE", "OESTERREICH": "AT",
    "BELGIE": "BE", "BELGIQUE": "BE", "BELGIEN": "BE", "SUISSE": "CH", "SVIZZERA": "CH", "SVIZRA": "CH",
    "DANMARK": "DK", "NORGE": "NO", "NOREG": "NO", "SUOMI": "FI", "POLSKA": "PL", "BRASIL": "BR",
    "CESKO": "CZ", "CESKA REPUBLIKA": "CZ", "MAGYARORSZAG": "HU", "ELLADA": "GR", "HELLAS": "GR",
    "NIPPON": "JP", "NIHON": "JP", "LUXEMBURG": "LU", "LETZEBUERG": "LU", "EIRE": "IE",
    "REPUBLIC OF IRELAND": "IE", "KINGDOM OF THE NETHERLANDS": "NL",
    # the United Kingdom's nations, which ISO 3166-1 codes GB as one (ISO 3166-2:GB divides it)
    "SCOTLAND": "GB", "WALES": "GB", "NORTHERN IRELAND": "GB",
    "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND": "GB",
    # ISO 3166-1 alpha-3, as some ERPs and exports write them
    "DEU": "DE", "GBR": "GB", "FRA": "FR", "ESP": "ES", "ITA": "IT", "NLD": "NL", "BEL": "BE", "AUT": "AT",
    "CHE": "CH", "SWE": "SE", "DNK": "DK", "NOR": "NO", "FIN": "FI", "POL": "PL", "IRL": "IE", "PRT": "PT",
    "JPN": "JP", "CAN": "CA", "AUS": "AU", "GRC": "GR", "CZE": "CZ", "HUN": "HU", "LUX": "LU", "SGP": "SG",
    "IND": "IN", "CHN": "CN", "BRA": "BR", "MEX": "MX",
}

# The states and provinces of the countries whose addresses carry one, under their names and their traditional
# short forms -> the postal code: the USPS codes of the US states, DC and territories (Publication 28 Appendix B)
# with the Government Publishing Office's abbreviations (Style Manual 10.23: "Calif.", "Penna."), Canada Post's
# province codes (and PQ, Quebec's before 1990), Australia Post's state codes. Dots are dropped before the lookup
# (N.Y. is NY, W. Va. W VA); the US and Australian WA, NT are read alike, as the country tells them apart.
_STATE_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = tuple({
    "AL": ("ALABAMA", "ALA"), "AK": ("ALASKA",), "AZ": ("ARIZONA", "ARIZ"), "AR": ("ARKANSAS", "ARK"),
    "CA": ("CALIFORNIA", "CALIF", "CAL"), "CO": ("COLORADO", "COLO"), "CT": ("CONNECTICUT", "CONN"),
    "DE": ("DELAWARE", "DEL"), "DC": ("DISTRICT OF COLUMBIA",), "FL": ("FLORIDA", "FLA"),
    "GA": ("GEORGIA",), "HI": ("HAWAII",), "ID": ("IDAHO",), "IL": ("ILLINOIS", "ILL"),
    "IN": ("INDIANA", "IND"), "IA": ("IOWA",), "KS": ("KANSAS", "KANS"), "KY": ("KENTUCKY",),
    "LA": ("LOUISIANA",), "ME": ("MAINE",), "MD": ("MARYLAND",), "MA": ("MASSACHUSETTS", "MASS"),
    "MI": ("MICHIGAN", "MICH"), "MN": ("MINNESOTA", "MINN"), "MS": ("MISSISSIPPI", "MISS"),
    "MO": ("MISSOURI",), "MT": ("MONTANA", "MONT"), "NE": ("NEBRASKA", "NEBR"), "NV": ("NEVADA", "NEV"),
    "NH": ("NEW HAMPSHIRE",), "NJ": ("NEW JERSEY",), "NM": ("NEW MEXICO", "N MEX"), "NY": ("NEW YORK",),
    "NC": ("NORTH CAROLINA",), "ND": ("NORTH DAKOTA", "N DAK"), "OH": ("OHIO",),
    "OK": ("OKLAHOMA", "OKLA"), "OR": ("OREGON", "OREG"), "PA": ("PENNSYLVANIA", "PENNA", "PENN"),
    "RI": ("RHODE ISLAND",), "SC": ("SOUTH CAROLINA",), "SD": ("SOUTH DAKOTA", "S DAK"),
    "TN": ("TENNESSEE", "TENN"), "TX": ("TEXAS", "TEX"), "UT": ("UTAH",), "VT": ("VERMONT",),
    "VA": ("VIRGINIA",), "WA": ("WASHINGTON", "WASH"), "WV": ("WEST VIRGINIA", "W VA"),
    "WI": ("WISCONSIN", "WIS"), "WY": ("WYOMING", "WYO"), "PR": ("PUERTO RICO",), "GU": ("GUAM",),
    "VI": ("VIRGIN ISLANDS", "US VIRGIN ISLANDS"), "AS": ("AMERICAN SAMOA",),
    "MP": ("NORTHERN MARIANA ISLANDS",),
    "AB": ("ALBERTA", "ALTA"), "BC": ("BRITISH COLUMBIA",), "MB": ("MANITOBA", "MAN"),
    "NB": ("NEW BRUNSWICK",), "NL": ("NEWFOUNDLAND AND LABRADOR", "NEWFOUNDLAND", "NFLD"),
    "NS": ("NOVA SCOTIA",), "ON": ("ONTARIO", "ONT"), "PE": ("PRINCE EDWARD ISLAND", "PEI"),
    "QC": ("QUEBEC", "QUE", "PQ"), "SK": ("SASKATCHEWAN", "SASK"), "YT": ("YUKON", "YUKON TERRITORY"),
    "NU": ("NUNAVUT",), "NT": ("NORTHWEST TERRITORIES", "NWT"),
}.items()) + (
    ("NSW", ("NEW SOUTH WALES",)), ("VIC", ("VICTORIA",)), ("QLD", ("QUEENSLAND",)),
    ("SA", ("SOUTH AUSTRALIA",)), ("WA", ("WESTERN AUSTRALIA",)), ("TAS", ("TASMANIA",)),
    ("ACT", ("AUSTRALIAN CAPITAL TERRITORY",)), ("NT", ("NORTHERN TERRITORY",)))
_STATE_CODES = {name: code for code, names in _STATE_NAMES for name in (code, *names)}


@lru_cache(maxsize=1 << 12)
def state_key(state: object) -> str | None:
    """A state's or province's comparison key: its postal code, whether written as the code, the name or the
    traditional short form ("Pennsylvania", "Penna.", "PA"); any other region as written (``text_key``)."""
    s = fold(state)
    if s is None:
        return None
    code = _STATE_CODES.get(_WHITESPACE.sub(" ", s.replace(".", "")).strip().upper())
    return code if code is not None else text_key(state)


# VAT prefixes that differ from the ISO country code, and national suffixes that are not part of the number.
_VAT_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}
_VAT_PREFIXES = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
                 "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "GB", "XI", "CH",
                 "NO", "GR", "AU", "JP", "CA", "MX", "BR", "IN", "SG", "CN", "US"}
_TAX_SUFFIXES = ("MWST", "TVA", "IVA", "MVA")


# A label written before the number ("VAT: DE123456789", "INN 7707083893", "GSTIN 27AAPFU0939F1ZV", "USt-IdNr.
# DE123456789", "ABN51824753556"): no part of it. A whole word followed by a space, colon or "No.", or a label of
# three letters or more written onto the figures ("INN7707083893": else "IN" reads as India's prefix).
_TAX_LABEL = re.compile(r"^\s*(?:vat|tin|tva|iva|btw|mwst|moms|inn|kpp|ogrn|gst|gstin|pan|abn|acn|cnpj|cpf|rfc|nif|"
                        r"cif|nip|regon|ico|dic|vkn|afm|uid|ust|ust-?id|ust-?idnr|ein|tax\s*id|vat\s*(?:no|number|reg)"
                        r"|brn|uen|trn|kvk)\.?(?:\s*(?:no|nr|number)\.?)?(?:\s*[:#]\s*|\s+|(?<=[a-z]{3})(?=\d))(?=\w)",
                        re.IGNORECASE)
# Russia: a company's INN (10 figures) written with its KPP (9 figures, the tax office's reason code of one
# registration) as "7707083893/773601001": the INN is the taxpayer (Tax Code of the Russian Federation, art. 83-84)
_RU_INN_KPP = re.compile(r"(\d{10})/\d{9}")
# India: a GSTIN is the state's two figures, the holder's PAN (ten characters: five letters, four figures, a
# letter), the registration's number in the state, Z and a check character (CGST Rules 2017, rule 10)
_GSTIN = re.compile(r"\d{2}([A-Z]{5}\d{4}[A-Z])[0-9A-Z]Z[0-9A-Z]")
_PAN = re.compile(r"[A-Z]{5}\d{4}[A-Z]")


@lru_cache(maxsize=1 << 18)
def tax_key(tax_id: object, country: object = None) -> str | None:
    """Country-qualified core of a VAT / tax id: 'DE 123 456 789' == 'DE123456789' ==
    '123.456.789' for a German customer; 'CHE-123.456.789 MWST' == 'CHE123456789'."""
    # a label in Cyrillic or Greek ("ИНН 7707083893", "ΑΦΜ 094014201") is no part of the number
    if isinstance(tax_id, str):
        tax_id = _RU_INN_KPP.sub(r"\1", _TAX_LABEL.sub("", OTHER_SCRIPT.sub("", tax_id)))
    s = fold(tax_id)
    if s is None:
        return None
    s = _TAX_NON_ALNUM.sub("", s).upper()
    if not s:
        return None
    cc = country_key(country)
    for suffix in _TAX_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 4:
            s = s[: -len(suffix)]
    if s.startswith("CHE") and s[3:].isdigit():
        return "CH:" + s[3:]
    if _JP_REGISTRATION.fullmatch(s) and cc in ("JP", None):
        return "JP:" + s[1:]  # a Japanese invoice registration number is T + the 13-digit corporate number
    prefix = s[:2]
    # the customer's own country's code before the number is a prefix, whichever country ("ZA 4123456789")
    if prefix.isalpha() and (prefix in _VAT_PREFIXES or prefix == cc) and len(s) > 4 \
            and any(c.isdigit() for c in s[2:]):
        cc = _VAT_PREFIX_COUNTRY.get(prefix, prefix)
        s = s[2:]
    if cc == "GB" and len(s) == 12 and s.endswith("000"):
        s = s[:9]  # GB VAT numbers may carry a 3-digit branch suffix of zeros
    if not any(c.isdigit() for c in s):
        return None  # "N/A", "NONE", "PENDING" are not tax ids
    return f"{cc or '??'}:{s}"


def tax_equivalent(a: object, b: object, country_a: object = None, country_b: object = None) -> bool:
    return tax_keys_equivalent(tax_key(a, country_a), tax_key(b, country_b))


def tax_keys_equivalent(ka: str | None, kb: str | None) -> bool:
    """Two tax keys (``tax_key``) are one number: equal, one without its country, or one entity's number and one of
    its registrations' (a SIREN and its VAT number, a PAN and its GSTIN; two registrations' numbers stay two)."""
    if ka is None or kb is None:
        return ka is None and kb is None
    if ka == kb:
        return True
    ca, na = ka.split(":", 1)
    cb, nb = kb.split(":", 1)
    if "FR" in (ca, cb) and {ca, cb} <= {"FR", "??"} and (siren := _siren(na)) is not None:
        return siren == _siren(nb) and (len(na) != len(nb) or na == nb)
    if {ca, cb} <= {"IN", "??"} and (pan := _pan(na)) is not None:
        return pan == _pan(nb) and (len(na) != len(nb) or na == nb)
    return na == nb and (ca == "??" or cb == "??")


def tax_entity(key: str | None) -> str | None:
    """The part of a tax key (``tax_key``) that names the legal entity where the number also names one of its
    registrations: a French VAT number's or SIRET's SIREN, an Indian GSTIN's PAN; None for any other. Two keys with
    one entity are one company's (``tax_equivalent`` says whether they are the same registration)."""
    if key is None:
        return None
    cc, number = key.split(":", 1)
    entity = _siren(number) if cc == "FR" else _pan(number) if cc == "IN" else None
    return None if entity is None else f"{cc}:{entity}"


def _pan(number: str) -> str | None:
    """The PAN an Indian tax number holds: a GSTIN holds it at figures 3-12, a PAN is itself (``_GSTIN``)."""
    if _PAN.fullmatch(number):
        return number
    gstin = _GSTIN.fullmatch(number)
    return gstin[1] if gstin else None


def _siren(number: str) -> str | None:
    """The SIREN a French tax number holds: a VAT number is FR, a two-character key and the SIREN (CGI annexe II
    art. 286 ter), a SIRET the SIREN and the establishment's five figures (NIC); ERPs keep any of the three. Two VAT
    numbers are compared whole (equivalent above): a key that differs is a typo one of them carries."""
    if len(number) == 11 and number[2:].isdigit():
        return number[2:]
    if number.isdigit() and len(number) in (9, 14):
        return number[:9]
    return None


@lru_cache(maxsize=1 << 18)
def domain_key(url: object) -> str | None:
    """example.com from 'https://www.Example.com/contact', 'example.com.', 'WWW.EXAMPLE.COM:443'."""
    s = fold(url)
    if s is None:
        return None
    s = _URL_SCHEME.sub("", s)
    s = s.split("/")[0].split("?")[0].split("#")[0]
    s = s.split("@")[-1].split(":")[0].strip(".")
    if s.startswith("www.") or _WWW_NUMBERED.match(s):
        s = s.split(".", 1)[1]
    return s if "." in s else None


def duns_key(duns: object) -> str | None:
    s = _NON_DIGITS.sub("", str(duns)) if duns is not None else ""
    return s.zfill(9) if s and int(s) != 0 else None


@lru_cache(maxsize=1 << 18)
def sf_id_key(value: object) -> str | None:
    """18-character form of a Salesforce id, None when the value is not one."""
    if value is None:
        return None
    try:
        return to_18(str(value).strip())
    except InvalidSalesforceId:
        return None


def number_key(value: object, *, case: str = "insensitive", leading_zeros: str = "ignore",
               separators: str = "ignore") -> str | None:
    """An ERP/business number as compared: trimmed; per policy case-folded, leading zeros of
    each digit run ignored ('C-00012' == 'c12'), separators (- _ . / space) ignored."""
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    if case == "insensitive":
        s = s.upper()
    if separators == "ignore":
        s = _NUMBER_SEPARATORS.sub("", s)
    if leading_zeros == "ignore":
        s = _LEADING_ZEROS.sub("", s)
    return s or None


def code_key(value: object) -> str | None:
    """Product code / item number: case- and whitespace-insensitive."""
    if value is None:
        return None
    s = _WHITESPACE.sub("", str(value)).upper()
    return s or None


def clear_caches() -> None:
    """Let go of the keys remembered for one reconciliation: at 100,000 customers a side they hold about a
    hundred MB, which the save after the engine and an app that stays open have better use for."""
    for cached in (name_parts, _core_words, name_numbers, text_key, city_key, street_key, postcode_key, country_key,
                   state_key, tax_key, domain_key, sf_id_key, _utf8_read_back, _letters_and_figures):
        cached.cache_clear()
