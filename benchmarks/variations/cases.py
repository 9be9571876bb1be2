"""The case lists of the variation probe, one function per variation class.

Each case is one customer as the CRM and the ERP hold it: ``dict(kind, crm, erp, diffs, tag, currency)``
with ``kind`` "pair" (the same company on both sides), "crm_only" or "erp_only" (a company on one side
only), ``crm``/``erp`` records with the fields name, street, city, pc, state, country, tax, web, and
``diffs`` the compared fields that really differ (an exception on any other field is a false one).
The names, legal forms, addresses and tax ids under test are written out here; Faker only fills in
the address of a case that does not set one. Nothing here comes from the engine or the project's
scenario and corpus generators, and nothing here was tuned to the engine's results: the lists are
the measurement.

``cases(name)`` builds one class from the same seeds every time (the filler addresses do not depend
on which other classes were built before it); ``PLAN`` says in which modes each class is run.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from typing import Any

from faker import Faker

Case = dict[str, Any]

LOC = {"DE": "de_DE", "FR": "fr_FR", "GB": "en_GB", "US": "en_US", "DK": "da_DK", "TR": "tr_TR", "PL": "pl_PL",
       "ES": "es_ES", "SE": "sv_SE", "JP": "en_US", "RU": "ru_RU", "IT": "it_IT", "NL": "nl_NL", "AT": "de_AT",
       "CH": "de_CH", "AU": "en_AU", "NO": "no_NO", "GR": "el_GR", "BE": "nl_BE", "LU": "fr_FR", "CA": "en_CA",
       "MX": "es_MX", "BR": "pt_BR", "PT": "pt_PT", "CZ": "cs_CZ", "FI": "fi_FI", "IE": "en_IE", "HU": "hu_HU",
       "IN": "en_IN", "CN": "zh_CN", "KR": "ko_KR", "TW": "zh_TW", "HK": "en_US", "AE": "en_US", "SA": "en_US",
       "EG": "en_US", "UA": "uk_UA", "ZA": "en_US", "KE": "en_US"}
CUR = {"GB": "GBP", "US": "USD", "DK": "DKK", "TR": "TRY", "PL": "PLN", "SE": "SEK", "JP": "JPY", "RU": "RUB",
       "CH": "CHF", "AU": "AUD", "NO": "NOK", "CA": "CAD", "MX": "MXN", "BR": "BRL", "CZ": "CZK", "HU": "HUF",
       "IN": "INR", "CN": "CNY", "KR": "KRW", "TW": "TWD", "HK": "HKD", "AE": "AED", "SA": "SAR", "EG": "EGP",
       "UA": "UAH", "ZA": "ZAR", "KE": "KES"}
_fk: dict[str, Faker] = {}
rnd = random.Random(7)


def fk(cc: str) -> Faker:
    """One Faker per country, seeded from the country code (a stable hash: str hashes change per process)."""
    if cc not in _fk:
        _fk[cc] = Faker(LOC[cc])
        _fk[cc].seed_instance(zlib.crc32(cc.encode()) % 1000)
    return _fk[cc]


def _fresh() -> None:
    """Every class starts from the same random state."""
    _fk.clear()
    rnd.seed(7)


def addr(cc: str) -> dict[str, str]:
    f = fk(cc)
    if cc == "JP":
        block = f"{rnd.randint(1, 5)}-{rnd.randint(1, 20)}-{rnd.randint(1, 30)}"
        district = rnd.choice(["Marunouchi", "Ginza", "Shibuya", "Umeda", "Sakae", "Nishi-Shinjuku"])
        return dict(street=f"{block} {district}", city=rnd.choice(["Tokyo", "Osaka", "Nagoya", "Yokohama"]),
                    pc=f"{rnd.randint(100, 999):03d}-{rnd.randint(0, 9999):04d}", country="JP", state="")
    try:
        street = f.street_address()
    except Exception:
        street = f.street_name() + " " + str(rnd.randint(1, 99))
    city = f.city()
    pc = f.postcode()
    st = ""
    if cc == "US":
        st = f.state_abbr()
    return dict(street=street.replace("\n", " "), city=city, pc=pc, country=cc, state=st)


def pair(crm_name: str, erp_name: str, cc: str, diffs: Any = (), tag: str = "",
         crm_over: dict[str, str] | None = None, erp_over: dict[str, str] | None = None, kind: str = "pair") -> Case:
    a = addr(cc)
    c = dict(a, name=crm_name)
    e = dict(a, name=erp_name)
    c.update(crm_over or {})
    e.update(erp_over or {})
    return dict(kind=kind, crm=c, erp=e, diffs=set(diffs), tag=tag, currency=CUR.get(cc, "EUR"))


# ------------------------------------------------------------------ transliteration
def translit() -> list[Case]:
    out: list[Case] = []
    de = [("Müller", "Mueller", "Muller"), ("Schäfer", "Schaefer", "Schafer"), ("Köhler", "Koehler", "Kohler"),
          ("Weiß", "Weiss", "Weiss"), ("Jäger", "Jaeger", "Jager"), ("Krüger", "Krueger", "Kruger"),
          ("Schröder", "Schroeder", "Schroder"), ("Böhm", "Boehm", "Bohm"), ("Größmann", "Groessmann", "Grossmann"),
          ("Fuß", "Fuss", "Fuss"), ("Förster", "Foerster", "Forster"), ("Gärtner", "Gaertner", "Gartner")]
    inds = ["Maschinenbau", "Logistik", "Elektrotechnik", "Bau", "Metallbau", "Holzbau"]
    for i, (a, b, c) in enumerate(de):
        ind = inds[i % len(inds)]
        out.append(pair(f"{a} {ind} GmbH", f"{b} {ind} GmbH", "DE", tag="de_umlaut_ae"))
        out.append(pair(f"{a} {ind} GmbH", f"{c} {ind} GmbH", "DE", tag="de_umlaut_strip"))
    nordic = [("Sørensen", "Soerensen", "Sorensen", "DK", "ApS"), ("Jørgensen", "Joergensen", "Jorgensen", "DK", "A/S"),
              ("Møller", "Moeller", "Moller", "DK", "A/S"), ("Åström", "Aastroem", "Astrom", "SE", "AB"),
              ("Ødegård", "Oedegaard", "Odegard", "NO", "AS"), ("Bjørnstad", "Bjoernstad", "Bjornstad", "NO", "AS"),
              ("Nordström", "Nordstroem", "Nordstrom", "SE", "AB"),
              ("Læsø Fisk", "Laesoe Fisk", "Laeso Fisk", "DK", "ApS")]
    for a, b, c, cc, lf in nordic:
        out.append(pair(f"{a} Consulting {lf}", f"{b} Consulting {lf}", cc, tag="nordic_digraph"))
        out.append(pair(f"{a} Handel {lf}", f"{c} Handel {lf}", cc, tag="nordic_strip"))
    tr = [("Çelik Yapı", "Celik Yapi"), ("Şahin Tekstil", "Sahin Tekstil"), ("Öztürk Gıda", "Ozturk Gida"),
          ("Yılmaz İnşaat", "Yilmaz Insaat"), ("Gündoğdu Otomotiv", "Gundogdu Otomotiv"),
          ("Doğan Kimya", "Dogan Kimya"), ("Güneş Enerji", "Gunes Enerji"), ("Kılıç Mobilya", "Kilic Mobilya")]
    for a, b in tr:
        out.append(pair(f"{a} A.Ş.", f"{b} A.S.", "TR", tag="tr_diacritics"))
    pl = [("Wójcik", "Wojcik"), ("Łukasiewicz", "Lukasiewicz"), ("Żabiński", "Zabinski"), ("Błaszczyk", "Blaszczyk"),
          ("Kołodziej", "Kolodziej"), ("Dąbrowski", "Dabrowski")]
    for a, b in pl:
        out.append(pair(f"{a} Transport Sp. z o.o.", f"{b} Transport Sp. z o.o.", "PL", tag="pl_diacritics"))
    es = [("Muñoz Ingeniería S.L.", "Munoz Ingenieria S.L."), ("Peña Construcciones S.A.", "Pena Construcciones S.A."),
          ("Société Générale d'Équipement SAS", "Societe Generale d'Equipement SAS")]
    for a, b in es:
        out.append(pair(a, b, "FR" if "Soci" in a else "ES", tag="es_fr_accents"))
    jp = [("Itō Kōgyō K.K.", "Ito Kogyo K.K."), ("Itō Kōgyō K.K.", "Itoh Kougyou K.K."),
          ("Satō Shōji K.K.", "Sato Shoji K.K."), ("Satō Shōji K.K.", "Satou Shouji K.K."),
          ("Ōno Seisakusho K.K.", "Ohno Seisakusho K.K."), ("Ōno Seisakusho K.K.", "Oono Seisakusho K.K."),
          ("Shinbashi Denki K.K.", "Shimbashi Denki K.K."), ("Tsuchiya Sangyō K.K.", "Tutiya Sangyo K.K."),
          ("Fujita Kensetsu K.K.", "Huzita Kensetsu K.K."), ("Chiba Shokuhin K.K.", "Tiba Syokuhin K.K."),
          ("Kyōto Seimitsu K.K.", "Kyouto Seimitsu K.K."), ("Shibata Yūsō K.K.", "Sibata Yuso K.K."),
          ("Gotō Tekkō K.K.", "Goto Tekko K.K."), ("Nippon Seikō K.K.", "Nihon Seiko K.K."),
          ("Yoshida Kōsan K.K.", "Yoshida Kohsan K.K.")]
    for a, b in jp:
        out.append(pair(a, b, "JP", tag="jp_romanisation"))
    ru = [("ООО «Ромашка»", "Romashka OOO"), ("ООО «Ромашка»", "OOO Romashka"), ("АО «Северсталь»", "AO Severstal"),
          ("ООО «Журавлёв и партнёры»", "OOO Zhuravlev i partnery"), ("ООО «Сергеев Трейд»", "OOO Sergeyev Trade"),
          ("Иванов Логистик ООО", "Ivanov Logistik OOO"), ("ООО «Юпитер»", "OOO Yupiter"),
          ("ООО «Щукин»", "OOO Shchukin"), ("ООО «Фёдоров»", "OOO Fedorov"),
          ("ПАО «Газпром нефть»", "PAO Gazprom neft")]
    for a, b in ru:
        out.append(pair(a, b, "RU", tag="cyrillic_latin"))
    gr = [("Παπαδόπουλος Α.Ε.", "Papadopoulos A.E."), ("Γεωργίου Ο.Ε.", "Georgiou O.E.")]
    for a, b in gr:
        out.append(pair(a, b, "GR", tag="greek_latin"))
    # homoglyph: Cyrillic letters typed in a Latin name
    for a in ["Acme Logistics Ltd", "Cobalt Engineering Ltd", "Apex Marketing Ltd", "Orion Components Ltd"]:
        b = a.replace("A", "\u0410").replace("o", "\u043e").replace("C", "\u0421")
        out.append(pair(a, b, "GB", tag="homoglyph"))
    # true differences with xref (different names)
    out.append(pair("Müller Logistik GmbH", "Möller Logistik GmbH", "DE", diffs={"name"},
                    tag="TRUE_diff_muller_moller"))
    out.append(pair("Schmidt Bau GmbH", "Schmitt Bau GmbH", "DE", diffs={"name"}, tag="TRUE_diff_schmidt_schmitt"))
    out.append(pair("Jensen Consulting ApS", "Jansen Consulting ApS", "DK", diffs={"name"},
                    tag="TRUE_diff_jensen_jansen"))
    out.append(pair("Hansen Trading A/S", "Hanson Trading A/S", "DK", diffs={"name"}, tag="TRUE_diff_hansen_hanson"))
    return out


# ------------------------------------------------------------------ legal forms
def legal() -> list[Case]:
    out: list[Case] = []
    forms = [
        ("DE", "GmbH & Co. KG", "GmbH u. Co. KG"), ("DE", "GmbH & Co. KG", "GmbH & Co KG"),
        ("DE", "GmbH & Co. KG", "GmbH + Co. KG"), ("DE", "GmbH & Co. KG", "GmbH & Compagnie Kommanditgesellschaft"),
        ("DE", "GmbH", "Gesellschaft mit beschränkter Haftung"), ("DE", "AG", "Aktiengesellschaft"),
        ("DE", "e.K.", "eingetragener Kaufmann"), ("DE", "UG (haftungsbeschränkt)", "UG"), ("DE", "GmbH", "mbH"),
        ("DE", "GmbH", "G.m.b.H."), ("DE", "gGmbH", "gemeinnützige GmbH"), ("DE", "e.V.", "eingetragener Verein"),
        ("AT", "Ges.m.b.H.", "GmbH"), ("CH", "AG", "SA"), ("LU", "S.à r.l.", "SARL"), ("LU", "S.à r.l.", "S.a.r.l."),
        ("FR", "S.à r.l.", "Société à responsabilité limitée"), ("FR", "SAS", "S.A.S."),
        ("FR", "SAS", "Société par actions simplifiée"), ("FR", "SASU", "SAS"), ("FR", "EURL", "E.U.R.L."),
        ("FR", "SA", "Société anonyme"), ("PL", "Sp. z o.o.", "sp. z o.o."), ("PL", "Sp. z o.o.", "Sp. z.o.o."),
        ("PL", "Sp. z o.o.", "spółka z ograniczoną odpowiedzialnością"), ("PL", "Sp. z o.o.", "Spółka z o.o."),
        ("PL", "S.A.", "Spółka Akcyjna"), ("PL", "Sp. k.", "Spółka komandytowa"), ("JP", "K.K.", "Kabushiki Kaisha"),
        ("JP", "K.K.", "KK"), ("JP", "K.K.", "Co., Ltd."), ("JP", "K.K.", "Corporation"), ("JP", "G.K.", "Godo Kaisha"),
        ("JP", "K.K.", "株式会社"), ("JP", "Y.K.", "Yugen Kaisha"), ("AU", "Pty Ltd", "Pty. Ltd."),
        ("AU", "Pty Ltd", "Proprietary Limited"), ("AU", "Pty Ltd", "Pty Limited"), ("US", "LLC", "L.L.C."),
        ("US", "LLC", "Limited Liability Company"), ("US", "Inc", "Inc."), ("US", "Inc", "Incorporated"),
        ("US", "Inc.", ", Inc."), ("US", "Corp", "Corporation"), ("US", "Co", "Company"), ("US", "LLP", "L.L.P."),
        ("US", "Ltd", "Limited"), ("GB", "Ltd", "Limited"), ("GB", "PLC", "Public Limited Company"),
        ("GB", "plc", "P.L.C."), ("GB", "LLP", "Limited Liability Partnership"), ("GB", "Ltd", "Ltd."),
        ("NL", "B.V.", "BV"), ("NL", "B.V.", "Besloten Vennootschap"), ("NL", "N.V.", "Naamloze Vennootschap"),
        ("BE", "BVBA", "B.V.B.A."), ("BE", "SRL", "BV"), ("IT", "S.p.A.", "SpA"),
        ("IT", "S.p.A.", "Società per Azioni"), ("IT", "S.r.l.", "Srl"),
        ("IT", "S.r.l.", "Società a responsabilità limitata"), ("ES", "S.L.", "SL"),
        ("ES", "S.L.", "Sociedad Limitada"), ("ES", "S.A.", "Sociedad Anónima"), ("ES", "S.L.U.", "SLU"),
        ("SE", "AB", "Aktiebolag"), ("SE", "AB", "Aktiebolaget"), ("DK", "A/S", "AS"), ("DK", "ApS", "Anpartsselskab"),
        ("NO", "AS", "A/S"), ("NO", "ASA", "Allmennaksjeselskap"),
    ]
    stems = ["Nordwind", "Bergmann", "Lindqvist", "Rivoli", "Castellano", "Kowalczyk", "Harbour", "Redgum", "Takahashi",
             "Vandermeer", "Sunbeam", "Falkenrath", "Ostrander", "Pinewood", "Delacroix"]
    inds = {"DE": "Anlagenbau", "AT": "Handel", "CH": "Präzision", "LU": "Finance", "FR": "Conseil",
            "PL": "Budownictwo", "JP": "Shoji", "AU": "Mining", "US": "Analytics", "GB": "Engineering",
            "NL": "Installatie", "BE": "Bouw", "IT": "Meccanica", "ES": "Construcciones", "SE": "Bygg",
            "DK": "Shipping", "NO": "Fiskeri"}
    for i, (cc, a, b) in enumerate(forms):
        second = ["Nova", "Prime", "Alto", "Vista", "Terra"][i % 5]
        stem = stems[i % len(stems)] + ("" if i < len(stems) else " " + second)
        base = f"{stem} {inds[cc]}"
        if b.startswith(","):
            out.append(pair(f"{base} {a}", f"{base}{b}", cc, tag=f"lf:{a}|{b}"))
        elif cc == "JP" and b in ("Kabushiki Kaisha", "株式会社", "Godo Kaisha") and i % 2:
            out.append(pair(f"{base} {a}", f"{b} {base}", cc, tag=f"lf_prefix:{a}|{b}"))
        else:
            out.append(pair(f"{base} {a}", f"{base} {b}", cc, tag=f"lf:{a}|{b}"))
    # legal form missing one side
    miss = [("DE", "GmbH & Co. KG"), ("FR", "S.à r.l."), ("PL", "Sp. z o.o."), ("JP", "Kabushiki Kaisha"),
            ("AU", "Pty Ltd"), ("US", "LLC"), ("GB", "Limited"), ("IT", "S.r.l."), ("ES", "S.L."), ("NL", "B.V."),
            ("SE", "AB"), ("DK", "ApS")]
    for i, (cc, f) in enumerate(miss):
        base = f"{['Hollis', 'Brandt', 'Quercia', 'Marlowe', 'Eskildsen', 'Tamura'][i % 6]} {inds[cc]}"
        if i % 2:
            out.append(pair(f"{base} {f}", base, cc, tag=f"lf_missing_erp:{f}"))
        else:
            out.append(pair(base, f"{base} {f}", cc, tag=f"lf_missing_crm:{f}"))
    # true differences: different legal form / entity
    trues = [("DE", "GmbH", "AG"), ("GB", "Ltd", "PLC"), ("ES", "S.L.", "S.A."), ("FR", "SARL", "SAS"),
             ("DE", "GmbH", "GmbH & Co. KG"), ("US", "Inc", "LLC"), ("PL", "Sp. z o.o.", "S.A."),
             ("NL", "B.V.", "N.V.")]
    for i, (cc, a, b) in enumerate(trues):
        owner = ['Greiner', 'Ashby', 'Olivares', 'Fontaine', 'Kessler', 'Bellamy', 'Nowicki', 'Dekker'][i]
        base = f"{owner} {inds[cc]}"
        out.append(pair(f"{base} {a}", f"{base} {b}", cc, diffs={"name"}, tag=f"TRUE_lf:{a}|{b}"))
    return out


# ------------------------------------------------------------------ word order / articles / conjunctions
def order() -> list[Case]:
    out: list[Case] = []
    L = [
        ("GB", "Bank of Leeds", "Leeds Bank"), ("GB", "The Smith Company Ltd", "Smith Co Ltd"),
        ("GB", "The Smith Company Ltd", "Smith Company Ltd"), ("US", "The Home Depot Inc", "Home Depot Inc"),
        ("US", "Smith & Sons Inc", "Smith and Sons Inc"), ("US", "Smith & Sons Inc", "Smith + Sons Inc"),
        ("DE", "Hotel Adlon GmbH", "Adlon Hotel GmbH"), ("FR", "Le Petit Bistro SARL", "Petit Bistro SARL"),
        ("FR", "La Maison du Vin SARL", "Maison du Vin SARL"), ("FR", "Dupont et Fils SARL", "Dupont & Fils SARL"),
        ("DE", "Weber und Söhne GmbH", "Weber & Söhne GmbH"), ("DE", "Klein u. Partner GmbH", "Klein und Partner GmbH"),
        ("ES", "García y Asociados S.L.", "García & Asociados S.L."),
        ("IT", "Rossi e Figli S.r.l.", "Rossi & Figli S.r.l."), ("NL", "Jansen en Zonen B.V.", "Jansen & Zonen B.V."),
        ("SE", "Berg och Son AB", "Berg & Son AB"), ("US", "Smith, Jones & Co", "Jones & Smith Co"),
        ("GB", "Marks and Spencer plc", "Marks & Spencer plc"),
        ("US", "Johnson & Johnson Inc", "Johnson and Johnson Inc"), ("GB", "University of Leeds", "Leeds University"),
        ("US", "Bank of America Corp", "America Bank Corp"), ("GB", "Procter & Gamble Ltd", "Procter and Gamble Ltd"),
        ("DE", "Die Bäckerei Schmidt GmbH", "Bäckerei Schmidt GmbH"),
        ("DE", "Bäckerei Schmidt GmbH", "Schmidt Bäckerei GmbH"), ("US", "A.B. Dick Company", "AB Dick Co"),
        ("US", "J. P. Morgan Securities LLC", "JP Morgan Securities LLC"),
        ("US", "O'Reilly Auto Parts Inc", "OReilly Auto Parts Inc"), ("US", "Ben & Jerry's Inc", "Ben and Jerrys Inc"),
        ("GB", "St. James's Place plc", "St James's Place plc"),
        ("GB", "Saint James Consulting Ltd", "St. James Consulting Ltd"),
        ("US", "Mount Sinai Medical Supply Inc", "Mt Sinai Medical Supply Inc"),
        ("US", "Fort Worth Tooling Inc", "Ft. Worth Tooling Inc"), ("GB", "Smith, John Ltd", "John Smith Ltd"),
        ("US", "Acme Widgets, Inc.", "ACME WIDGETS INC"), ("US", "BlueWater Partners LLC", "Blue Water Partners LLC"),
        ("US", "E-Z Pack Inc", "EZ Pack Inc"), ("US", "Twenty First Century Foods Inc", "21st Century Foods Inc"),
        ("US", "Three Rivers Supply Inc", "3 Rivers Supply Inc"), ("DE", "Gebrüder Mayer GmbH", "Gebr. Mayer GmbH"),
        ("FR", "Établissements Martin SA", "Ets Martin SA"), ("GB", "Smith Brothers Ltd", "Smith Bros Ltd"),
        ("US", "The Cheesecake Factory Inc", "Cheesecake Factory Inc, The"),
    ]
    for cc, a, b in L:
        out.append(pair(a, b, cc, tag=f"order:{a}|{b}"))
    # true differences
    T = [("GB", "Leeds Bank Ltd", "Leeds Building Society Ltd"), ("US", "Smith & Sons Inc", "Smith & Daughters Inc"),
         ("DE", "Weber Handel GmbH", "Weber Bau GmbH"), ("US", "North Star Logistics Inc", "South Star Logistics Inc")]
    for cc, a, b in T:
        out.append(pair(a, b, cc, diffs={"name"}, tag=f"TRUE_order:{a}|{b}"))
    return out


# ------------------------------------------------------------------ abbreviations / acronyms
def abbrev() -> list[Case]:
    out: list[Case] = []
    L = [
        ("US", "Pacific Intl Trading Inc", "Pacific International Trading Inc"),
        ("US", "Delta Mfg Co", "Delta Manufacturing Co"), ("US", "Apex Svcs LLC", "Apex Services LLC"),
        ("US", "Warner Bros Logistics Inc", "Warner Brothers Logistics Inc"),
        ("US", "Hale & Assoc Inc", "Hale & Associates Inc"), ("US", "Carter Corp", "Carter Corporation"),
        ("US", "Natl Freight Systems Inc", "National Freight Systems Inc"),
        ("US", "Crest Mgmt Group LLC", "Crest Management Group LLC"),
        ("US", "Summit Eng Inc", "Summit Engineering Inc"), ("US", "Valley Dist Inc", "Valley Distribution Inc"),
        ("US", "Orion Grp LLC", "Orion Group LLC"), ("US", "Lakeside Hldgs Inc", "Lakeside Holdings Inc"),
        ("US", "Metro Med Ctr LLC", "Metro Medical Center LLC"), ("US", "Keystone Inds Inc", "Keystone Industries Inc"),
        ("US", "Vertex Sys Inc", "Vertex Systems Inc"), ("US", "Nimbus Tech Inc", "Nimbus Technologies Inc"),
        ("US", "Bright Labs Inc", "Bright Laboratories Inc"), ("US", "Cedar Pharma Inc", "Cedar Pharmaceuticals Inc"),
        ("US", "Amer Steel Inc", "American Steel Inc"), ("US", "Prairie Mktg LLC", "Prairie Marketing LLC"),
        ("US", "Granite Elec Supply Inc", "Granite Electric Supply Inc"),
        ("US", "Harbor Equip Rental Inc", "Harbor Equipment Rental Inc"),
        ("US", "Pioneer Constr Co", "Pioneer Construction Co"),
        ("US", "Redline Auto Svc Inc", "Redline Automotive Service Inc"),
        ("US", "Gulf Coast Chem Inc", "Gulf Coast Chemicals Inc"), ("US", "Sierra Dev Corp", "Sierra Development Corp"),
        ("US", "Everest Ins Agency LLC", "Everest Insurance Agency LLC"),
        ("US", "Tri-State Trans Inc", "Tri-State Transportation Inc"),
        ("US", "Blue Ridge Env Svcs LLC", "Blue Ridge Environmental Services LLC"),
        ("US", "Quantum Comm Inc", "Quantum Communications Inc"),
        ("GB", "Britannia Intl Ltd", "Britannia International Ltd"),
        ("GB", "Castle Prop Mgmt Ltd", "Castle Property Management Ltd"),
        ("DE", "Müller Intl GmbH", "Müller International GmbH"),
        ("DE", "Schulz Ing.-Büro GmbH", "Schulz Ingenieurbüro GmbH"),
        ("DE", "Vereinigte Stahlw. GmbH", "Vereinigte Stahlwerke GmbH"),
        ("FR", "Cie Générale de Transport SA", "Compagnie Générale de Transport SA"),
        ("FR", "Sté Nouvelle Martin SAS", "Société Nouvelle Martin SAS"),
    ]
    for cc, a, b in L:
        out.append(pair(a, b, cc, tag=f"abbr:{a}|{b}"))
    A = [("US", "IBM Corp", "International Business Machines Corp"),
         ("US", "3M Company", "Minnesota Mining and Manufacturing Company"),
         ("DE", "BMW AG", "Bayerische Motoren Werke AG"), ("US", "UPS Inc", "United Parcel Service Inc"),
         ("US", "GE Company", "General Electric Company"),
         ("GB", "HSBC Bank plc", "Hongkong and Shanghai Banking Corporation plc"),
         ("US", "AT&T Inc", "American Telephone and Telegraph Inc"),
         ("DE", "SAP SE", "Systeme, Anwendungen und Produkte SE"),
         ("US", "JKL Industrial Supply Inc", "Jones Kent Lewis Industrial Supply Inc"),
         ("US", "ABC Plumbing LLC", "Atlantic Bay Coast Plumbing LLC"), ("GB", "RBS plc", "Royal Bank of Scotland plc"),
         ("US", "KFC Franchise Holdings LLC", "Kentucky Fried Chicken Franchise Holdings LLC")]
    for cc, a, b in A:
        out.append(pair(a, b, cc, tag=f"acronym:{a}|{b}"))
    return out


# ------------------------------------------------------------------ addresses (names identical)
def addresses() -> list[Case]:
    out: list[Case] = []
    n = [0]

    def p(cc: str, crm: dict[str, str], erp: dict[str, str], diffs: Any = (), tag: str = "") -> None:
        n[0] += 1
        stems = ["Hartwell", "Brookfield", "Ellsworth", "Lindenau", "Moreau", "Castello", "Vermeulen", "Sandberg",
                 "Ashcombe", "Radley"]
        name = f"{stems[n[0] % 10]} {['Supply', 'Partners', 'Tools', 'Foods', 'Media', 'Systems'][n[0] % 6]} {n[0]}"
        lf = {"DE": "GmbH", "AT": "GmbH", "CH": "AG", "FR": "SAS", "GB": "Ltd", "US": "Inc", "NL": "B.V.", "JP": "K.K.",
              "ES": "S.L.", "IT": "S.r.l."}[cc]
        out.append(pair(f"{name} {lf}", f"{name} {lf}", cc, diffs=diffs, tag=tag, crm_over=crm, erp_over=erp))

    # German streets
    for s1, s2 in [("Hauptstraße 12", "Hauptstrasse 12"), ("Hauptstraße 12", "Hauptstr. 12"),
                   ("Hauptstraße 12", "Hauptstr 12"), ("Bahnhofstraße 5a", "Bahnhofstr. 5 a"),
                   ("Bahnhofstraße 5a", "Bahnhofstrasse 5A"), ("Am Markt 3", "Markt 3"),
                   ("Kaiser-Wilhelm-Straße 77", "Kaiser-Wilhelm-Str. 77"),
                   ("Kaiser-Wilhelm-Straße 77", "Kaiser Wilhelm Strasse 77"), ("Lindenallee 4", "Lindenallee 4 "),
                   ("Industriestraße 12", "INDUSTRIESTRASSE 12"), ("Industriestraße 12-14", "Industriestr. 12 - 14"),
                   ("Sankt-Georg-Platz 2", "St.-Georg-Platz 2"), ("Mühlenweg 8", "Muehlenweg 8")]:
        p("DE", dict(street=s1, city="Stuttgart", pc="70565"), dict(street=s2, city="Stuttgart", pc="70565"),
          tag=f"de_street:{s1}|{s2}")
    for c1, c2 in [("München", "Muenchen"), ("München", "Munich"), ("Köln", "Cologne"),
                   ("Frankfurt am Main", "Frankfurt a.M."), ("Frankfurt am Main", "Frankfurt"),
                   ("Nürnberg", "Nuernberg"), ("Halle (Saale)", "Halle/Saale")]:
        p("DE", dict(street="Rosenweg 4", city=c1, pc="80331"), dict(street="Rosenweg 4", city=c2, pc="80331"),
          tag=f"de_city:{c1}|{c2}")
    # French
    for s1, s2 in [("14 rue Pasteur", "14 R. Pasteur"), ("14 rue Pasteur", "14, rue Pasteur"),
                   ("8 avenue Victor Hugo", "8 av. Victor Hugo"), ("8 avenue Victor Hugo", "8 ave Victor Hugo"),
                   ("22 boulevard Haussmann", "22 bd Haussmann"), ("22 boulevard Haussmann", "22 Bd. Haussmann"),
                   ("5 bis rue de la Paix", "5B rue de la Paix"),
                   ("3 place de la République", "3 pl. de la République"), ("10 rue Saint-Denis", "10 rue St-Denis"),
                   ("17 chemin des Vignes", "17 ch. des Vignes")]:
        p("FR", dict(street=s1, city="Paris", pc="75009"), dict(street=s2, city="Paris", pc="75009"),
          tag=f"fr_street:{s1}|{s2}")
    p("FR", dict(street="2 rue Neuve", city="Lyon", pc="69002"), dict(street="2 rue Neuve", city="Lyon 2e", pc="69002"),
      tag="fr_city_arr")
    p("FR", dict(street="2 rue Neuve", city="Saint-Étienne", pc="42000"),
      dict(street="2 rue Neuve", city="St-Etienne", pc="42000"), tag="fr_city_saint")
    # UK
    for s1, s2, pc1, pc2 in [("12 King Street", "12 King St", "M2 4LQ", "M24LQ"),
                             ("12 King Street", "King Street 12", "M2 4LQ", "m2 4lq"),
                             ("7 Mill Lane", "7 Mill Ln", "EC1A 4HD", "EC1A4HD"),
                             ("Unit 4, Riverside Industrial Estate", "Unit 4 Riverside Ind. Est.", "LS1 4AP",
                              "LS1 4AP"),
                             ("Flat 2, 10 Church Road", "10 Church Road, Flat 2", "SW1A 1AA", "SW1A 1AA"),
                             ("10 Church Road", "10 Church Rd.", "SW1A 1AA", "SW1A1AA"),
                             ("3 The Crescent", "3 The Cres", "BS8 1AB", "BS8 1AB"),
                             ("18 Saint Mary's Close", "18 St Marys Cl", "OX1 1AA", "OX1 1AA")]:
        p("GB", dict(street=s1, city="Manchester", pc=pc1), dict(street=s2, city="Manchester", pc=pc2),
          tag=f"gb:{s1}|{s2}|{pc1}|{pc2}")
    # US
    for s1, s2, z1, z2, st1, st2 in [("901 Commerce Drive", "901 Commerce Dr", "78701", "78701-1234", "TX", "TX"),
                                     ("901 Commerce Drive", "901 Commerce Dr.", "78701", "78701", "TX", "Texas"),
                                     ("45 Market Street, Suite 200", "45 Market St Ste 200", "95113", "95113", "CA",
                                      "CA"),
                                     ("45 Market Street, Suite 200", "45 Market St #200", "95113", "95113-0001", "CA",
                                      "California"),
                                     ("100 North Main Street", "100 N Main St", "10001", "10001", "NY", "NY"),
                                     ("250 West 34th Street", "250 W. 34th St.", "10119", "10119", "NY", "New York"),
                                     ("1 Infinite Loop", "One Infinite Loop", "95014", "95014", "CA", "CA"),
                                     ("77 Massachusetts Avenue", "77 Massachusetts Ave", "02139", "2139", "MA", "MA"),
                                     ("500 Boylston Street", "500 Boylston St.", "02116", "02116", "MA", "Mass."),
                                     ("350 Fifth Avenue", "350 5th Ave", "10118", "10118", "NY", "NY"),
                                     ("1600 Pennsylvania Avenue NW", "1600 Pennsylvania Ave. N.W.", "20500", "20500",
                                      "DC", "DC"),
                                     ("PO Box 123", "P.O. Box 123", "60601", "60601", "IL", "IL"),
                                     ("2 Mountain View Parkway", "2 Mtn View Pkwy", "80202", "80202", "CO", "CO")]:
        p("US", dict(street=s1, city="Austin", pc=z1, state=st1), dict(street=s2, city="Austin", pc=z2, state=st2),
          tag=f"us:{s1}|{s2}|{z1}|{z2}|{st1}|{st2}")
    for c1, c2 in [("New York", "New York City"), ("New York", "NYC"), ("Saint Louis", "St. Louis"),
                   ("Fort Lauderdale", "Ft. Lauderdale")]:
        p("US", dict(street="10 Elm St", city=c1, pc="10001", state="NY"),
          dict(street="10 Elm St", city=c2, pc="10001", state="NY"), tag=f"us_city:{c1}|{c2}")
    # countries
    for cc, n1, n2 in [("DE", "DE", "Germany"), ("DE", "Deutschland", "DE"), ("GB", "GB", "United Kingdom"),
                       ("GB", "UK", "GB"), ("GB", "Great Britain", "GB"), ("GB", "England", "GB"), ("US", "USA", "US"),
                       ("US", "United States of America", "US"), ("US", "U.S.A.", "US"), ("NL", "Netherlands", "NL"),
                       ("NL", "The Netherlands", "Holland"), ("CH", "Switzerland", "CH"), ("CH", "Schweiz", "CH"),
                       ("AT", "Österreich", "AT"), ("FR", "France", "FR"), ("JP", "Japan", "JP"),
                       ("ES", "España", "ES"), ("IT", "Italia", "IT"), ("DE", "Germany", "DEU"),
                       ("US", "United States", "USA")]:
        p(cc, dict(country=n1), dict(country=n2), tag=f"country:{n1}|{n2}")
    # NL / JP
    p("NL", dict(street="Kerkstraat 12-A", city="Amsterdam", pc="1017 GC"),
      dict(street="Kerkstraat 12A", city="Amsterdam", pc="1017GC"), tag="nl_house_suffix")
    p("NL", dict(street="Kerkstraat 12 hs", city="Amsterdam", pc="1017 GC"),
      dict(street="Kerkstr. 12-H", city="Amsterdam", pc="1017 gc"), tag="nl_hs")
    p("JP", dict(street="2-4-1 Marunouchi", city="Tokyo", pc="100-0005"),
      dict(street="Marunouchi 2-4-1", city="Tokyo", pc="1000005"), tag="jp_order")
    p("JP", dict(street="2-4-1 Marunouchi, Chiyoda-ku", city="Tokyo", pc="100-0005"),
      dict(street="2-4-1 Marunouchi", city="Chiyoda-ku, Tokyo", pc="100-0005"), tag="jp_ward")
    p("JP", dict(street="2-4-1 Marunouchi", city="Tokyo", pc="100-0005"),
      dict(street="2-chome-4-1 Marunouchi", city="Tokyo", pc="100-0005"), tag="jp_chome")
    p("ES", dict(street="Calle Mayor 5", city="Madrid", pc="28013"),
      dict(street="C/ Mayor, 5", city="Madrid", pc="28013"), tag="es_calle")
    p("IT", dict(street="Via Roma 10", city="Milano", pc="20121"), dict(street="V. Roma 10", city="Milan", pc="20121"),
      tag="it_via_city")
    p("AT", dict(street="Mariahilfer Straße 1", city="Wien", pc="1060"),
      dict(street="Mariahilfer Str. 1", city="Vienna", pc="1060"), tag="at_wien")
    # true differences
    T = [("DE", dict(street="Hauptstraße 12", city="Stuttgart", pc="70565"),
          dict(street="Hauptstraße 21", city="Stuttgart", pc="70565"), {"street"}),
         ("DE", dict(street="Hauptstraße 12", city="Stuttgart", pc="70565"),
          dict(street="Hauptstraße 12", city="Stuttgart", pc="70563"), {"postcode"}),
         ("GB", dict(street="7 Mill Lane", city="Leeds", pc="LS1 4AP"),
          dict(street="7 Mill Road", city="Leeds", pc="LS1 4AP"), {"street"}),
         ("GB", dict(street="7 Mill Lane", city="Leeds", pc="LS1 4AP"),
          dict(street="7 Mill Lane", city="Leeds", pc="LS1 4AQ"), {"postcode"}),
         ("US", dict(street="45 Market St", city="San Jose", pc="95113", state="CA"),
          dict(street="45 Market St", city="San Jose", pc="95113", state="NV"), {"state"}),
         ("US", dict(street="45 Market St Ste 200", city="San Jose", pc="95113", state="CA"),
          dict(street="45 Market St Ste 300", city="San Jose", pc="95113", state="CA"), {"street"}),
         ("US", dict(street="45 Market St", city="San Jose", pc="95113-1234", state="CA"),
          dict(street="45 Market St", city="San Jose", pc="95113-4321", state="CA"), {"postcode"}),
         ("FR", dict(street="14 rue Pasteur", city="Lyon", pc="69003"),
          dict(street="14 rue Pasteur", city="Lyon", pc="69006"), {"postcode"}),
         ("FR", dict(street="14 rue Pasteur", city="Lyon", pc="69003"),
          dict(street="14 avenue Pasteur", city="Lyon", pc="69003"), {"street"}),
         ("DE", dict(street="Hauptstraße 12", city="Frankfurt am Main", pc="60311"),
          dict(street="Hauptstraße 12", city="Frankfurt (Oder)", pc="60311"), {"city"}),
         ("US", dict(street="100 North Main Street", city="Austin", pc="78701", state="TX"),
          dict(street="100 South Main Street", city="Austin", pc="78701", state="TX"), {"street"}),
         ("DE", dict(street="Bahnhofstraße 5a", city="Stuttgart", pc="70565"),
          dict(street="Bahnhofstraße 5b", city="Stuttgart", pc="70565"), {"street"}),
         ("GB", dict(country="GB"), dict(country="IE"), {"country"}),
         ("AT", dict(country="AT"), dict(country="DE"), {"country"})]
    for cc, a, b, d in T:
        p(cc, a, b, diffs=d, tag=f"TRUE_addr:{a}|{b}")
    return out


# ------------------------------------------------------------------ tax ids
def taxids() -> list[Case]:
    out: list[Case] = []
    rows = [
        ("DE", "DE123456789", "DE 123 456 789"), ("DE", "DE129273398", "129273398"),
        ("DE", "DE811569869", "DE-811569869"), ("DE", "DE 811 907 980", "de811907980"),
        ("AT", "ATU12345678", "ATU 12345678"), ("AT", "ATU13585627", "U13585627"),
        ("FR", "FR40303265045", "FR 40 303 265 045"), ("FR", "FR40303265045", "40303265045"),
        ("FR", "FR40303265045", "303 265 045"), ("FR", "FR83404833048", "FR83 404833048"),
        ("GB", "GB123456789", "GB 123 4567 89"), ("GB", "GB293847561", "293 8475 61"),
        ("NL", "NL123456789B01", "NL 1234.56.789.B01"), ("NL", "NL123456789B01", "123456789B01"),
        ("IT", "IT12345678901", "12345678901"), ("IT", "IT00743110157", "IT 00743110157"),
        ("ES", "ESB12345678", "B-12345678"), ("ES", "ESB12345678", "B12345678"), ("ES", "ESA28015865", "ES A-28015865"),
        ("CH", "CHE-116.281.710 MWST", "CHE116281710"), ("CH", "CHE-116.281.710 MWST", "CHE-116.281.710 TVA"),
        ("CH", "CHE-105.805.080", "CHE105805080MWST"), ("US", "45-2178631", "452178631"),
        ("US", "74-3310925", "74 3310925"), ("SE", "SE556677889901", "556677-8899"),
        ("SE", "SE556036079301", "SE 5560360793 01"), ("JP", "T8010001034561", "8010001034561"),
        ("JP", "T8010001034561", "T-8010-0010-3456-1"), ("PL", "PL5260250995", "526-025-09-95"),
        ("PL", "PL5260250995", "526-02-50-995"), ("BE", "BE0403170701", "BE 0403.170.701"),
        ("BE", "BE0403170701", "0403.170.701"), ("DK", "DK13585628", "DK 13 58 56 28"),
        ("IT", "IT00743110157", "00743110157"), ("GB", "GB123456789", "GB123456789 "),
        ("DE", "DE123456789", "DE123456789\u00a0"),
    ]
    trade = ["Blue Harbor", "Summit", "Northpoint", "Kestrel", "Oakline", "Riverstone", "Larkspur", "Copperfield",
             "Maple & Co", "Brightwater", "Ironbridge", "Silverlake", "Foxglove", "Windmill", "Cloverleaf", "Highgate",
             "Stonebridge", "Pinecrest"]
    lf = {"DE": "GmbH", "AT": "GmbH", "FR": "SAS", "GB": "Ltd", "NL": "B.V.", "IT": "S.p.A.", "ES": "S.L.", "CH": "AG",
          "US": "Inc", "SE": "AB", "JP": "K.K.", "PL": "Sp. z o.o.", "BE": "NV", "DK": "A/S"}
    for i, (cc, t1, t2) in enumerate(rows):
        nm = f"{trade[i % len(trade)]} {['Trading', 'Holding', 'Services', 'Industrie'][i % 4]} {i}"
        # half: identical names (fuzzy could link anyway) ; half: trading name vs legal name (tax id only evidence)
        if i % 2 == 0:
            out.append(pair(f"{nm} {lf[cc]}", f"{nm} {lf[cc]}", cc, tag=f"tax_same_name:{t1}|{t2}",
                            crm_over=dict(tax=t1), erp_over=dict(tax=t2)))
        else:
            a = addr(cc)
            out.append(pair(nm, f"{['Meridian', 'Vantage', 'Orbis', 'Castellan'][i % 4]} {lf[cc]}", cc,
                            tag=f"tax_trade_name:{t1}|{t2}",
                            crm_over=dict(tax=t1),
                            erp_over=dict(tax=t2, street=a["street"], city=a["city"], pc=a["pc"])))
    # typos on one side: true difference
    typos = [("DE", "DE123456789", "DE123456798"), ("FR", "FR40303265045", "FR40303265054"),
             ("GB", "GB123456789", "GB123456788"), ("NL", "NL123456789B01", "NL123456789B02"),
             ("IT", "IT12345678901", "IT12345678910"), ("US", "45-2178631", "45-2178632"),
             ("ES", "ESB12345678", "ESB12345687"), ("AT", "ATU12345678", "ATU12345679")]
    for i, (cc, t1, t2) in enumerate(typos):
        town = ['Grafton', 'Ludlow', 'Camberley', 'Whitby', 'Alnwick', 'Kendal', 'Ripon', 'Hexham'][i]
        nm = f"{town} Components {lf[cc]}"
        out.append(pair(nm, nm, cc, diffs={"tax_id"}, tag=f"TRUE_tax_typo:{t1}|{t2}", crm_over=dict(tax=t1),
                        erp_over=dict(tax=t2)))
    return out


# ------------------------------------------------------------------ true negatives (similar names, different companies)
def negatives() -> list[Case]:
    out: list[Case] = []
    # singleton pairs: CRM-only A, ERP-only B, same city/postcode, different street
    S = [("GB", "Smith Plumbing Ltd", "Smith Plumbing Supplies Ltd"),
         ("GB", "Jones Electrical Ltd", "Jones Electrical Services Ltd"),
         ("DE", "Müller Logistik GmbH", "Möller Logistik GmbH"), ("DE", "Schmidt Bau GmbH", "Schmitt Bau GmbH"),
         ("DE", "Weber Handel GmbH", "Weber Handel AG"),
         ("US", "North Star Logistics Inc", "Northstar Logistic Solutions Inc"), ("US", "Store 12 LLC", "Store 13 LLC"),
         ("US", "1234567 Ontario Inc", "1234568 Ontario Inc"),
         ("US", "John Smith Consulting LLC", "Jon Smith Consulting LLC"), ("GB", "ABC Ltd", "ABD Ltd"),
         ("DE", "Siemens AG", "Siemens Healthcare GmbH"), ("DE", "Bosch GmbH", "Bosch Rexroth AG"),
         ("US", "Pacific Holdings Inc", "Pacific Holdings Group Inc"), ("GB", "Bauer Media Ltd", "Baier Media Ltd"),
         ("DK", "Hansen Trading A/S", "Hanson Trading A/S"),
         ("NL", "Jansen Installatie B.V.", "Janssen Installatie B.V."), ("US", "Acme Corp", "Acme Corp West"),
         ("US", "Acme Corp", "Acme Financial Corp"), ("FR", "Martin SARL", "Martin et Fils SARL"),
         ("GB", "Leeds Bank Ltd", "Leeds Building Society Ltd"), ("US", "Smith & Sons Inc", "Smith & Daughters Inc"),
         ("DE", "Elektro Meyer GmbH", "Elektro Maier GmbH"), ("US", "Fifth Third Capital LLC", "Fifth Capital LLC"),
         ("GB", "Greenfield Farms Ltd", "Greenfields Farm Ltd"),
         ("US", "Delta Airlines Catering Inc", "Delta Catering Inc"),
         ("DE", "Schneider Elektronik GmbH", "Schneider Electric GmbH"),
         ("US", "Johnson Controls Inc", "Johnson Control Systems Inc"), ("GB", "Thames Water Ltd", "Thames Waste Ltd"),
         ("US", "Western Digital Corp", "Western Digital Media Corp"),
         ("JP", "Mitsubishi Shoji K.K.", "Mitsubishi Denki K.K."), ("JP", "Sato Kogyo K.K.", "Saito Kogyo K.K.")]
    for cc, a, b in S:
        ad = addr(cc)
        ad2 = addr(cc)
        c = dict(ad, name=a)
        e = dict(ad, name=b, street=ad2["street"])  # same city & postcode, different street
        out.append(dict(kind="crm_only", crm=c, erp=c, tag=f"neg_single:{a}|{b}", currency=CUR.get(cc, "EUR")))
        out.append(dict(kind="erp_only", crm=e, erp=e, tag=f"neg_single:{a}|{b}", currency=CUR.get(cc, "EUR")))
    # same-address variant: different companies at one address (business centre)
    SA = [("GB", "Apex Consulting Ltd", "Apex Recruitment Ltd"),
          ("DE", "Kraft Immobilien GmbH", "Kraft Verwaltungs GmbH"),
          ("US", "Blue Sky Dental LLC", "Blue Sky Dental Lab LLC"),
          ("US", "Oak Tree Capital LLC", "Oak Tree Capital Partners LLC")]
    for cc, a, b in SA:
        ad = addr(cc)
        out.append(dict(kind="crm_only", crm=dict(ad, name=a), erp={}, tag=f"neg_same_addr:{a}|{b}",
                        currency=CUR.get(cc, "EUR")))
        out.append(dict(kind="erp_only", crm={}, erp=dict(ad, name=b), tag=f"neg_same_addr:{a}|{b}",
                        currency=CUR.get(cc, "EUR")))
    # franchise branches: both sides hold several branches; correct pairing by address
    F = [("US", "Starbucks Coffee", 4), ("GB", "Costa Coffee", 3), ("DE", "McFit Studio GmbH", 3),
         ("US", "Subway Restaurant", 3), ("GB", "Specsavers Opticians Ltd", 3)]
    for cc, brand, k in F:
        for _ in range(k):
            ad = addr(cc)
            out.append(pair(brand, brand, cc, tag=f"franchise:{brand}", crm_over=dict(ad), erp_over=dict(ad)))
        # one branch only in CRM, one only in ERP, same brand, same city
        ad = addr(cc)
        ad2 = addr(cc)
        out.append(dict(kind="crm_only", crm=dict(ad, name=brand), erp={}, tag=f"franchise_single:{brand}",
                        currency=CUR.get(cc, "EUR")))
        out.append(dict(kind="erp_only", crm={}, erp=dict(ad2, name=brand, city=ad["city"], pc=ad["pc"]),
                        tag=f"franchise_single:{brand}", currency=CUR.get(cc, "EUR")))
    # parent + subsidiary present on both sides
    P = [("DE", "Siemens AG", "Siemens Healthineers AG"), ("US", "Alphabet Inc", "Alphabet Capital LLC"),
         ("GB", "Tesco PLC", "Tesco Stores Ltd"), ("DE", "Volkswagen AG", "Volkswagen Financial Services AG"),
         ("US", "Acme Holdings Inc", "Acme Inc")]
    for cc, a, b in P:
        ad = addr(cc)
        out.append(pair(a, a, cc, tag=f"parent:{a}", crm_over=dict(ad), erp_over=dict(ad)))
        out.append(pair(b, b, cc, tag=f"subsidiary:{b}", crm_over=dict(ad), erp_over=dict(ad)))
    return out


def negatives2() -> list[Case]:
    """Same-address singletons and a competing look-alike on the CRM side."""
    out: list[Case] = []
    S = [("DE", "Müller Logistik GmbH", "Möller Logistik GmbH"), ("DE", "Schmidt Bau GmbH", "Schmitt Bau GmbH"),
         ("DK", "Hansen Trading A/S", "Hanson Trading A/S"),
         ("NL", "Jansen Installatie B.V.", "Janssen Installatie B.V."), ("DE", "Weber Handel GmbH", "Weber Handel AG"),
         ("DE", "Siemens AG", "Siemens Healthcare GmbH"), ("US", "Blue Sky Dental LLC", "Blue Sky Dental Lab LLC"),
         ("US", "Oak Tree Capital LLC", "Oak Tree Capital Partners LLC"),
         ("GB", "Smith Plumbing Ltd", "Smith Plumbing Supplies Ltd"),
         ("US", "John Smith Consulting LLC", "Jon Smith Consulting LLC"),
         ("GB", "Greenfield Farms Ltd", "Greenfields Farm Ltd"), ("GB", "Thames Water Ltd", "Thames Waste Ltd"),
         ("US", "Johnson Controls Inc", "Johnson Control Inc"), ("JP", "Sato Kogyo K.K.", "Saito Kogyo K.K."),
         ("US", "Acme Holdings Inc", "Acme Inc"), ("GB", "Tesco PLC", "Tesco Stores Ltd"),
         ("US", "Alphabet Inc", "Alphabet Capital LLC"), ("FR", "Martin SARL", "Martin et Fils SARL"),
         ("DE", "Kraft Immobilien GmbH", "Kraft Verwaltungs GmbH"),
         ("US", "Brandon Medical Group LLC", "Brandon Medical Supply LLC"),
         ("GB", "Richardson Haulage Ltd", "Richards Haulage Ltd"),
         ("DE", "Schneider Elektronik GmbH", "Schneider Elektrik GmbH"),
         ("US", "Lincoln Electric Inc", "Lincoln Electrical Inc"), ("SE", "Lindström Bygg AB", "Lindqvist Bygg AB")]
    for cc, a, b in S:
        ad = addr(cc)
        out.append(dict(kind="crm_only", crm=dict(ad, name=a), erp={}, tag=f"neg_same_addr:{a}|{b}",
                        currency=CUR.get(cc, "EUR")))
        out.append(dict(kind="erp_only", crm={}, erp=dict(ad, name=b), tag=f"neg_same_addr:{a}|{b}",
                        currency=CUR.get(cc, "EUR")))
    # competition: CRM holds A and B (same city), ERP only B (slight variation). must link B-B, A missing
    C = [("DE", "Müller Logistik GmbH", "Möller Logistik GmbH", "Möller Logistik G.m.b.H."),
         ("DE", "Schmidt Bau GmbH", "Schmitt Bau GmbH", "Schmitt Bau GmbH"),
         ("GB", "Smith Plumbing Ltd", "Smith Plumbing Supplies Ltd", "Smith Plumbing Supplies Limited"),
         ("US", "Johnson Controls Inc", "Johnson Control Inc", "Johnson Control Inc."),
         ("DK", "Hansen Trading A/S", "Hanson Trading A/S", "Hanson Trading AS")]
    for cc, a, b, b2 in C:
        ad = addr(cc)
        ad2 = addr(cc)
        bb = dict(ad2, city=ad["city"], pc=ad["pc"])
        out.append(dict(kind="crm_only", crm=dict(ad, name=a), erp={}, tag=f"compete_other:{a}",
                        currency=CUR.get(cc, "EUR")))
        out.append(dict(kind="pair", crm=dict(bb, name=b), erp=dict(bb, name=b2), diffs=set(),
                        tag=f"compete_true:{b}|{b2}", currency=CUR.get(cc, "EUR")))
    return out


# ------------------------------------------------------------------ regional address conventions (names identical)
def _world_name(i: int, cc: str) -> str:
    """A distinct, number-free company name for the i-th case, with its country's usual legal form."""
    stems = ["Ashgrove", "Bellwether", "Corrigan", "Dunmore", "Everton", "Fairleigh", "Glenmore", "Halloway",
             "Ingleby", "Jasperson", "Kingsley", "Lockwood", "Merriweather", "Northcote", "Oakhurst", "Pembroke",
             "Quenby", "Rushworth", "Stanford", "Thornbury"]
    trades = ["Fasteners", "Textiles", "Packaging", "Optics", "Ceramics", "Hydraulics", "Catering", "Printing"]
    lf = {"US": "Inc", "GB": "Ltd", "NL": "B.V.", "BE": "NV", "CA": "Inc", "ES": "S.L.", "IT": "S.r.l.",
          "PT": "Lda", "BR": "Ltda", "DE": "GmbH", "AT": "GmbH", "CH": "AG", "DK": "A/S", "SE": "AB", "NO": "AS",
          "FI": "Oy", "PL": "Sp. z o.o.", "CZ": "s.r.o.", "IE": "Ltd", "FR": "SAS", "MX": "S.A. de C.V.",
          "SK": "s.r.o.", "NE": "SA", "DM": "Ltd", "GN": "SA"}
    return f"{stems[i % len(stems)]} {trades[(i // len(stems)) % len(trades)]} {lf[cc]}"


def regional() -> list[Case]:
    """One company written by two systems under each country's own address conventions: street-type and
    unit abbreviations, postcode spacing and country prefixes, state/province/county names and codes, city
    names in two languages, country names and ISO codes; and the true differences next to them."""
    out: list[Case] = []

    def p(cc: str, base: dict[str, str], crm: dict[str, str] | None = None, erp: dict[str, str] | None = None,
          diffs: Any = (), tag: str = "") -> None:
        name = _world_name(len(out), cc)
        rec = dict(dict(street="", city="", pc="", state="", country=cc), **base, name=name)
        out.append(dict(kind="pair", crm=dict(rec, **(crm or {})), erp=dict(rec, **(erp or {})), diffs=set(diffs),
                        tag=tag, currency=CUR.get(cc, "EUR")))

    # United States: unit designators, PO boxes, directionals, street types, state names, ZIP+4
    us = dict(street="1200 Main Street", city="Pittsburgh", pc="15222", state="PA")
    for s1, s2 in [("1200 Main Street, Suite 400", "1200 Main St., Ste. 400"),
                   ("1200 Main Street Suite 400", "1200 Main St #400"),
                   ("1200 Main St, STE 400", "1200 Main Street, Ste 400"),
                   ("1200 Main Street, 4th Floor", "1200 Main St Fl 4"),
                   ("PO Box 4521", "P O Box 4521"), ("PO Box 4521", "Post Office Box 4521"),
                   ("P.O.Box 4521", "PO BOX 4521"), ("Building 3, 500 Oak Road", "500 Oak Rd Bldg 3"),
                   ("1500 Northeast 2nd Avenue", "1500 NE 2nd Ave"), ("800 South Boulevard", "800 S Blvd"),
                   ("4200 US Highway 1", "4200 US Hwy 1"), ("12 Elm Court", "12 Elm Ct"),
                   ("33 Oak Circle", "33 Oak Cir")]:
        p("US", us, dict(street=s1), dict(street=s2), tag=f"us_street:{s1}|{s2}")
    for s1, s2 in [("Pennsylvania", "PA"), ("pa", "PA"), ("Penna.", "PA")]:
        p("US", us, dict(state=s1), dict(state=s2), tag=f"us_state:{s1}|{s2}")
    p("US", dict(us, city="Washington", state="DC", pc="20001"), dict(state="District of Columbia"),
      tag="us_state:District of Columbia|DC")
    p("US", dict(us, city="New York", state="NY", pc="10001"), dict(state="N.Y."), tag="us_state:N.Y.|NY")
    for z1, z2 in [("152221234", "15222-1234"), ("15222 1234", "15222-1234")]:
        p("US", us, dict(pc=z1), dict(pc=z2), tag=f"us_zip:{z1}|{z2}")
    for c1, c2 in [("Mount Pleasant", "Mt Pleasant"), ("Winston-Salem", "Winston Salem"),
                   ("PITTSBURGH", "Pittsburgh")]:
        p("US", us, dict(city=c1), dict(city=c2), tag=f"us_city:{c1}|{c2}")
    for n1, n2 in [("U.S.", "US"), ("United States", "U.S.A."), ("United States of America", "USA")]:
        p("US", us, dict(country=n1), dict(country=n2), tag=f"us_country:{n1}|{n2}")
    for a, b, d in [(dict(street="PO Box 4521"), dict(street="PO Box 4512"), {"street"}),
                    (dict(street="1200 Main St"), dict(street="1210 Main St"), {"street"}),
                    (dict(street="100 Main St E"), dict(street="100 Main St W"), {"street"}),
                    (dict(street="1200 Main St Ste 400"), dict(street="1200 Main St Ste 4000"), {"street"}),
                    (dict(pc="15222"), dict(pc="15212"), {"postcode"}),
                    (dict(state="PA"), dict(state="Ohio"), {"state"}),
                    (dict(state="Virginia"), dict(state="WV"), {"state"}),
                    (dict(city="Springfield", state="IL", pc="62701"),
                     dict(city="Springfield", state="MA", pc="01103"), {"state", "postcode"})]:
        p("US", us, a, b, diffs=d, tag=f"TRUE_us:{a}|{b}")

    # United Kingdom: counties (not part of a postal address since 1996), units, postcode spacing, home nations
    uk = dict(street="12 High Street", city="Guildford", pc="GU1 3AJ")
    for a, b, t in [(dict(state="Surrey"), dict(state=""), "uk_county_one_side"),
                    (dict(state="West Yorkshire", city="Leeds", pc="LS1 4AP"),
                     dict(state="W Yorks", city="Leeds", pc="LS1 4AP"), "uk_county_abbr"),
                    (dict(street="Flat 3, 12 High Street"), dict(street="Flat 3 12 High St"), "uk_flat"),
                    (dict(street="Unit 7, Brunel Business Park"), dict(street="Unit 7 Brunel Business Pk"), "uk_unit"),
                    (dict(street="4 St. Andrew's Road"), dict(street="4 Saint Andrews Rd"), "uk_saint"),
                    (dict(pc="EC1V 9HX"), dict(pc="EC1V  9HX"), "uk_pc_double_space"),
                    (dict(pc="EC1V 9HX"), dict(pc="ec1v9hx"), "uk_pc_lower"),
                    (dict(city="LONDON"), dict(city="London"), "uk_post_town_caps"),
                    (dict(city="Newcastle upon Tyne"), dict(city="Newcastle-upon-Tyne"), "uk_city_hyphen"),
                    (dict(city="Edinburgh", pc="EH1 1YZ", country="Scotland"),
                     dict(city="Edinburgh", pc="EH1 1YZ", country="GB"), "uk_nation"),
                    (dict(city="Belfast", pc="BT1 5GS", country="Northern Ireland"),
                     dict(city="Belfast", pc="BT1 5GS", country="United Kingdom"), "uk_ni"),
                    (dict(country="U.K."), dict(country="GB"), "uk_dots"),
                    (dict(pc="GU1 3AJ"), dict(pc="GU13 AJ"), "uk_pc_space_moved")]:
        p("GB", uk, a, b, tag=t)
    for a, b, d in [(dict(street="Unit 7, Brunel Business Park"), dict(street="Unit 9, Brunel Business Park"),
                     {"street"}),
                    (dict(city="Newcastle upon Tyne"), dict(city="Newcastle-under-Lyme"), {"city"}),
                    (dict(pc="GU1 3AJ"), dict(pc="GU1 3JA"), {"postcode"})]:
        p("GB", uk, a, b, diffs=d, tag=f"TRUE_uk:{a}|{b}")

    # Ireland: Eircode spacing, country names
    ie = dict(street="25 Baggot Street Lower", city="Dublin 2", pc="D02 X285")
    p("IE", ie, dict(pc="D02X285"), tag="ie_eircode")
    p("IE", ie, dict(country="Republic of Ireland"), dict(country="IE"), tag="ie_country")
    p("IE", ie, dict(street="25 Lower Baggot Street"), dict(street="25 Baggot St Lower"), tag="ie_lower_order")

    # Netherlands / Belgium: postcode prefixes, titles in street names, bilingual city names
    nl = dict(street="Keizersgracht 123", city="Amsterdam", pc="1015 CJ")
    for a, b, t in [(dict(pc="NL-1015 CJ"), dict(pc="1015 CJ"), "nl_pc_prefix"),
                    (dict(pc="1015cj"), dict(pc="1015 CJ"), "nl_pc_lower"),
                    (dict(street="Burgemeester de Withstraat 5"), dict(street="Burg. de Withstraat 5"), "nl_burg"),
                    (dict(street="Prins Hendrikkade 20"), dict(street="Pr. Hendrikkade 20"), "nl_prins"),
                    (dict(city="Den Haag", pc="2511 CV"), dict(city="'s-Gravenhage", pc="2511 CV"), "nl_denhaag"),
                    (dict(city="The Hague", pc="2511 CV"), dict(city="Den Haag", pc="2511 CV"), "nl_hague"),
                    (dict(country="Nederland"), dict(country="NL"), "nl_country"),
                    (dict(country="Netherlands"), dict(country="NLD"), "nl_alpha3")]:
        p("NL", nl, a, b, tag=t)
    for a, b, d in [(dict(pc="1015 CJ"), dict(pc="1015 CK"), {"postcode"}),
                    (dict(street="Keizersgracht 123"), dict(street="Keizersgracht 132"), {"street"}),
                    (dict(street="Herengracht 12"), dict(street="Prinsengracht 12"), {"street"})]:
        p("NL", nl, a, b, diffs=d, tag=f"TRUE_nl:{a}|{b}")
    be = dict(street="Avenue Louise 54", city="Bruxelles", pc="1000")
    for a, b, t in [(dict(pc="B-1000"), dict(pc="1000"), "be_pc_prefix"),
                    (dict(city="Bruxelles"), dict(city="Brussel"), "be_bxl_nl"),
                    (dict(city="Brussels"), dict(city="Bruxelles"), "be_bxl_en"),
                    (dict(city="Antwerpen", pc="2000"), dict(city="Anvers", pc="2000"), "be_antwerp"),
                    (dict(city="Gent", pc="9000"), dict(city="Ghent", pc="9000"), "be_ghent"),
                    (dict(city="Liège", pc="4000"), dict(city="Luik", pc="4000"), "be_liege"),
                    (dict(street="Avenue Louise 54"), dict(street="Av. Louise 54"), "be_av"),
                    (dict(street="Chaussée de Waterloo 1160"), dict(street="Chée de Waterloo 1160"), "be_chaussee"),
                    (dict(country="België"), dict(country="BE"), "be_country_nl"),
                    (dict(country="Belgique"), dict(country="Belgium"), "be_country_fr")]:
        p("BE", be, a, b, tag=t)
    p("BE", be, dict(pc="1000"), dict(pc="1050"), diffs={"postcode"}, tag="TRUE_be_pc")

    # Canada: postcode spacing, provinces, unit-civic numbers, bilingual directionals
    ca = dict(street="200 King Street West", city="Toronto", pc="M5H 3T4", state="ON")
    for a, b, t in [(dict(pc="M5H 3T4"), dict(pc="M5H3T4"), "ca_pc_space"),
                    (dict(pc="m5h 3t4"), dict(pc="M5H 3T4"), "ca_pc_lower"),
                    (dict(state="Ontario"), dict(state="ON"), "ca_prov_name"),
                    (dict(street="200 King Street West"), dict(street="200 King St W"), "ca_west"),
                    (dict(street="200 King Street West, Suite 1500"), dict(street="1500-200 King St W"),
                     "ca_unit_civic"),
                    (dict(country="Canada"), dict(country="CA"), "ca_country")]:
        p("CA", ca, a, b, tag=t)
    qc = dict(street="1000 rue Sherbrooke Ouest", city="Montréal", pc="H3A 3G4", state="QC")
    for a, b, t in [(dict(city="Montréal"), dict(city="Montreal"), "ca_montreal"),
                    (dict(state="Québec"), dict(state="QC"), "ca_quebec"),
                    (dict(state="PQ"), dict(state="QC"), "ca_pq"),
                    (dict(street="1000 rue Sherbrooke Ouest"), dict(street="1000 Rue Sherbrooke O"), "ca_ouest")]:
        p("CA", qc, a, b, tag=t)
    for a, b, d in [(dict(street="200 King St W"), dict(street="200 King St E"), {"street"}),
                    (dict(pc="M5H 3T4"), dict(pc="M5H 3T5"), {"postcode"}),
                    (dict(state="ON"), dict(state="QC"), {"state"})]:
        p("CA", ca, a, b, diffs=d, tag=f"TRUE_ca:{a}|{b}")

    # Spain / Italy / Portugal / Brazil: street-type abbreviations, s/n, leading zeros, city exonyms
    es = dict(street="Calle de Alcalá 45", city="Madrid", pc="28014")
    for a, b, t in [(dict(street="Calle de Alcalá 45"), dict(street="C/ Alcalá, 45"), "es_calle"),
                    (dict(street="Avenida de la Constitución 12"), dict(street="Avda. Constitución 12"), "es_avda"),
                    (dict(street="Paseo de la Castellana 100"), dict(street="Pº de la Castellana 100"), "es_paseo"),
                    (dict(street="Plaza Mayor 1"), dict(street="Pza. Mayor 1"), "es_plaza"),
                    (dict(street="Polígono Industrial Las Mercedes, s/n"),
                     dict(street="Pol. Ind. Las Mercedes s/n"), "es_poligono"),
                    (dict(city="Barcelona", pc="08001"), dict(city="Barcelona", pc="8001"), "es_pc_zero"),
                    (dict(city="A Coruña", pc="15001"), dict(city="La Coruña", pc="15001"), "es_coruna"),
                    (dict(city="Sevilla", pc="41001"), dict(city="Seville", pc="41001"), "es_sevilla"),
                    (dict(country="Spain"), dict(country="ESP"), "es_alpha3")]:
        p("ES", es, a, b, tag=t)
    for a, b, d in [(dict(street="Calle de Alcalá 45"), dict(street="Calle de Alcalá 54"), {"street"}),
                    (dict(street="Calle Mayor 5"), dict(street="Plaza Mayor 5"), {"street"})]:
        p("ES", es, a, b, diffs=d, tag=f"TRUE_es:{a}|{b}")
    it = dict(street="Via Roma 10", city="Milano", pc="20121")
    for a, b, t in [(dict(street="Viale Monza 12"), dict(street="V.le Monza 12"), "it_viale"),
                    (dict(street="Piazza del Duomo 1"), dict(street="P.za del Duomo 1"), "it_piazza"),
                    (dict(street="Corso Buenos Aires 3"), dict(street="C.so Buenos Aires 3"), "it_corso"),
                    (dict(street="Largo Augusto 2"), dict(street="L.go Augusto 2"), "it_largo"),
                    (dict(street="Via Roma, 10"), dict(street="Via Roma n. 10"), "it_numero"),
                    (dict(city="Firenze", pc="50123"), dict(city="Florence", pc="50123"), "it_firenze"),
                    (dict(city="Torino", pc="10121"), dict(city="Turin", pc="10121"), "it_torino"),
                    (dict(state="MI"), dict(state="Milano"), "it_provincia")]:
        p("IT", it, a, b, tag=t)
    p("IT", it, dict(street="Via Roma 10"), dict(street="Viale Roma 10"), diffs={"street"}, tag="TRUE_it_viale")
    pt = dict(street="Rua Augusta 100", city="Lisboa", pc="1100-053")
    for a, b, t in [(dict(street="Rua Augusta 100"), dict(street="R. Augusta, 100"), "pt_rua"),
                    (dict(street="Avenida da Liberdade 200"), dict(street="Av. da Liberdade 200"), "pt_av"),
                    (dict(street="Praça do Comércio 1"), dict(street="Pç. do Comércio 1"), "pt_praca"),
                    (dict(street="Travessa do Carmo 3"), dict(street="Tv. do Carmo 3"), "pt_travessa"),
                    (dict(city="Lisboa"), dict(city="Lisbon"), "pt_lisboa"),
                    (dict(country="Portugal"), dict(country="PT"), "pt_country")]:
        p("PT", pt, a, b, tag=t)
    p("PT", pt, dict(pc="1100-053"), dict(pc="1100-035"), diffs={"postcode"}, tag="TRUE_pt_pc")
    br = dict(street="Avenida Paulista, 1000", city="São Paulo", pc="01310-100", state="SP")
    for a, b, t in [(dict(street="Avenida Paulista, 1000"), dict(street="Av. Paulista 1000"), "br_av"),
                    (dict(pc="01310-100"), dict(pc="01310100"), "br_cep"),
                    (dict(city="São Paulo"), dict(city="Sao Paulo"), "br_city"),
                    (dict(state="SP"), dict(state="São Paulo"), "br_state"),
                    (dict(country="Brasil"), dict(country="BR"), "br_country")]:
        p("BR", br, a, b, tag=t)

    # Germany / Austria / Switzerland: Straße joined or apart, postcode prefixes, city qualifiers and exonyms
    de = dict(street="Goethestraße 5", city="Stuttgart", pc="70174")
    for a, b, t in [(dict(street="Goethestraße 5"), dict(street="Goethe-Straße 5"), "de_str_hyphen"),
                    (dict(street="Berliner Straße 10"), dict(street="Berlinerstr. 10"), "de_str_joined"),
                    (dict(street="Hauptstr.12"), dict(street="Hauptstraße 12"), "de_str_nospace"),
                    (dict(street="Straße des 17. Juni 135"), dict(street="Str. des 17. Juni 135"), "de_str_number"),
                    (dict(pc="D-70174"), dict(pc="70174"), "de_pc_prefix"),
                    (dict(pc="DE-70174"), dict(pc="70174"), "de_pc_prefix_iso"),
                    (dict(city="Freiburg im Breisgau", pc="79098"), dict(city="Freiburg i. Br.", pc="79098"),
                     "de_city_ibr"),
                    (dict(city="Ludwigshafen am Rhein", pc="67059"), dict(city="Ludwigshafen a. Rhein", pc="67059"),
                     "de_city_arhein"),
                    (dict(city="Mülheim an der Ruhr", pc="45468"), dict(city="Mülheim a.d. Ruhr", pc="45468"),
                     "de_city_adr"),
                    (dict(city="Frankfurt/Main", pc="60311"), dict(city="Frankfurt am Main", pc="60311"),
                     "de_city_slash"),
                    (dict(city="Hannover", pc="30159"), dict(city="Hanover", pc="30159"), "de_hanover"),
                    (dict(country="Bundesrepublik Deutschland"), dict(country="Germany"), "de_country_long")]:
        p("DE", de, a, b, tag=t)
    for a, b, d in [(dict(street="Straße des 17. Juni 135"), dict(street="Straße des 17. Juni 153"), {"street"}),
                    (dict(street="Goethestraße 5"), dict(street="Goetheplatz 5"), {"street"}),
                    (dict(city="Neustadt an der Weinstraße"), dict(city="Neustadt am Rübenberge"), {"city"}),
                    (dict(city="Mülheim an der Ruhr"), dict(city="Mühlheim am Main"), {"city"}),
                    (dict(pc="D-70174"), dict(pc="70173"), {"postcode"})]:
        p("DE", de, a, b, diffs=d, tag=f"TRUE_de:{a}|{b}")
    ch = dict(street="Rue du Rhône 8", city="Genève", pc="1204")
    for a, b, t in [(dict(city="Genève"), dict(city="Geneva"), "ch_geneve"),
                    (dict(city="Genf"), dict(city="Genève"), "ch_genf"),
                    (dict(city="Zürich", pc="8001"), dict(city="Zurich", pc="8001"), "ch_zurich"),
                    (dict(city="Luzern", pc="6003"), dict(city="Lucerne", pc="6003"), "ch_luzern"),
                    (dict(city="Basel", pc="4051"), dict(city="Bâle", pc="4051"), "ch_basel"),
                    (dict(pc="CH-1204"), dict(pc="1204"), "ch_pc_prefix"),
                    (dict(country="Suisse"), dict(country="CH"), "ch_suisse"),
                    (dict(country="Svizzera"), dict(country="Switzerland"), "ch_svizzera")]:
        p("CH", ch, a, b, tag=t)
    p("CH", ch, dict(pc="8001"), dict(pc="8008"), diffs={"postcode"}, tag="TRUE_ch_pc")
    at = dict(street="Kärntner Straße 21", city="Wien", pc="1010")
    p("AT", at, dict(pc="A-1010"), dict(pc="1010"), tag="at_pc_prefix")
    p("AT", at, dict(country="Austria"), dict(country="Österreich"), tag="at_country")

    # Nordics: postal districts, postcode spacing and prefixes, gata/gate abbreviations, city exonyms
    dk = dict(street="Vesterbrogade 10", city="København V", pc="1620")
    for a, b, t in [(dict(city="København V"), dict(city="Copenhagen V"), "dk_copenhagen"),
                    (dict(city="København V"), dict(city="Kobenhavn V"), "dk_translit"),
                    (dict(city="Aarhus C", pc="8000"), dict(city="Århus C", pc="8000"), "dk_aarhus"),
                    (dict(pc="DK-1620"), dict(pc="1620"), "dk_pc_prefix"),
                    (dict(street="Vesterbrogade 10, 2. th."), dict(street="Vesterbrogade 10 2.th"), "dk_floor"),
                    (dict(country="Danmark"), dict(country="DK"), "dk_country")]:
        p("DK", dk, a, b, tag=t)
    p("DK", dk, dict(street="Vesterbrogade 10"), dict(street="Vestergade 10"), diffs={"street"}, tag="TRUE_dk")
    se = dict(street="Drottninggatan 5", city="Stockholm", pc="111 51")
    for a, b, t in [(dict(pc="111 51"), dict(pc="11151"), "se_pc_space"),
                    (dict(pc="SE-111 51"), dict(pc="111 51"), "se_pc_prefix"),
                    (dict(street="Drottninggatan 5"), dict(street="Drottningg. 5"), "se_gatan"),
                    (dict(city="Göteborg", pc="411 06"), dict(city="Gothenburg", pc="411 06"), "se_goteborg"),
                    (dict(country="Sverige"), dict(country="Sweden"), "se_country")]:
        p("SE", se, a, b, tag=t)
    p("SE", se, dict(pc="111 51"), dict(pc="111 52"), diffs={"postcode"}, tag="TRUE_se_pc")
    no = dict(street="Karl Johans gate 1", city="Oslo", pc="0154")
    p("NO", no, dict(street="Karl Johans gate 1"), dict(street="Karl Johans gt. 1"), tag="no_gate")
    p("NO", no, dict(pc="0154"), dict(pc="154"), tag="no_pc_zero")
    p("NO", no, dict(country="Norge"), dict(country="NO"), tag="no_country")
    fi = dict(street="Mannerheimintie 10", city="Helsinki", pc="00100")
    p("FI", fi, dict(city="Helsinki"), dict(city="Helsingfors"), tag="fi_helsinki")
    p("FI", fi, dict(pc="FI-00100"), dict(pc="00100"), tag="fi_pc_prefix")
    p("FI", fi, dict(country="Suomi"), dict(country="Finland"), tag="fi_country")

    # Poland / Czechia: street prefixes, postcode formats, exonyms
    pl = dict(street="ul. Marszałkowska 10", city="Warszawa", pc="00-590")
    for a, b, t in [(dict(street="ul. Marszałkowska 10"), dict(street="Marszałkowska 10"), "pl_ul"),
                    (dict(street="al. Jerozolimskie 100"), dict(street="Aleje Jerozolimskie 100"), "pl_aleje"),
                    (dict(pc="00-590"), dict(pc="00590"), "pl_pc"),
                    (dict(city="Warszawa"), dict(city="Warsaw"), "pl_warsaw"),
                    (dict(city="Kraków", pc="31-001"), dict(city="Cracow", pc="31-001"), "pl_cracow"),
                    (dict(country="Polska"), dict(country="PL"), "pl_country")]:
        p("PL", pl, a, b, tag=t)
    p("PL", pl, dict(pc="00-590"), dict(pc="00-950"), diffs={"postcode"}, tag="TRUE_pl_pc")
    cz = dict(street="Václavské náměstí 1", city="Praha", pc="110 00")
    for a, b, t in [(dict(city="Praha"), dict(city="Prague"), "cz_prague"),
                    (dict(pc="110 00"), dict(pc="11000"), "cz_pc"),
                    (dict(street="Václavské náměstí 1"), dict(street="Václavské nám. 1"), "cz_namesti"),
                    (dict(country="Czechia"), dict(country="Czech Republic"), "cz_country")]:
        p("CZ", cz, a, b, tag=t)

    # country look-alikes: real differences
    for cc, c1, c2 in [("AT", "Austria", "Australia"), ("AT", "AT", "AU"), ("SK", "Slovakia", "Slovenia"),
                       ("IE", "Ireland", "Iceland"), ("NE", "Niger", "Nigeria"),
                       ("DM", "Dominica", "Dominican Republic"), ("GN", "Guinea", "Guinea-Bissau"),
                       ("NL", "Netherlands", "New Zealand")]:
        p(cc, dict(street="Hauptplatz 3", city="Graz", pc="8010"), dict(country=c1), dict(country=c2),
          diffs={"country"}, tag=f"TRUE_country:{c1}|{c2}")
    return out


# ------------------------------------------------------------------ entities: legal forms, noise, groups, look-alikes
def entities() -> list[Case]:
    """Company names as two systems write them (legal forms not in ``legal``, punctuation, department and
    care-of suffixes, leading legal forms), the same address on both sides; and different companies of one
    group, one address or one name in two countries, which must not be linked."""
    out: list[Case] = []
    L = [("US", "Acme Corporation", "ACME CORP."), ("US", "The Hartford Company", "Hartford Co."),
         ("US", "Hartwell Co., Inc.", "Hartwell Company Incorporated"),
         ("GB", "Riverside Co., Ltd.", "Riverside Company Limited"),
         ("CA", "Maple Leaf Foods Ltd.", "Maple Leaf Foods Ltée"),
         ("CA", "Boréal Transport Inc.", "Boreal Transport Inc"),
         ("MX", "Grupo Lerma S.A. de C.V.", "Grupo Lerma SA de CV"),
         ("MX", "Grupo Lerma S.A. de C.V.", "Grupo Lerma, S.A. de C.V."),
         ("MX", "Servicios Tula S. de R.L. de C.V.", "Servicios Tula S de RL de CV"),
         ("BR", "Comercial Andina Ltda.", "Comercial Andina Limitada"),
         ("PT", "Tecnoforma Lda.", "Tecnoforma, Limitada"),
         ("SE", "Nordkran AB (publ)", "Nordkran AB"), ("SE", "AB Nordkran", "Nordkran AB"),
         ("SE", "Aktiebolaget Svenska Verktyg", "Svenska Verktyg AB"),
         ("FI", "Metsäpuu Oy", "Metsäpuu Oy Ab"), ("BE", "Brouwerij Kempen NV", "Brouwerij Kempen SA/NV"),
         ("BE", "Brouwerij Kempen NV", "Brouwerij Kempen N.V."),
         ("CZ", "Vltava Stroje s.r.o.", "Vltava Stroje spol. s r.o."),
         ("CZ", "Morava Strojírny a.s.", "Morava Strojírny, akciová společnost"),
         ("HU", "Duna Kereskedelmi Kft.", "Duna Kereskedelmi Korlátolt Felelősségű Társaság"),
         ("IN", "Kaveri Softech Pvt. Ltd.", "Kaveri Softech Private Limited"),
         ("PL", "Mazur Transport sp. z o.o. sp.k.", "Mazur Transport Sp. z o.o. Sp. K."),
         ("DE", "Weber Verwaltungs GmbH & Co. KG", "Weber Verwaltungs GmbH & Co.KG"),
         ("IE", "Shannon Logistics Limited", "Shannon Logistics Teoranta"),
         ("US", "O\u2019Brien Haulage Inc", "O'Brien Haulage Inc"),
         ("US", "ACME  WIDGETS,INC.", "Acme Widgets Inc"), ("DE", 'Café "Central" GmbH', "Cafe Central GmbH"),
         ("GB", "Smith\u2013Jones Ltd", "Smith-Jones Ltd"), ("GB", "Smith-Jones Ltd", "Smith Jones Ltd"),
         ("DE", "Bergmann\u00a0Elektro GmbH", "Bergmann Elektro GmbH"),
         ("US", "  Lakeview Dental LLC ", "Lakeview Dental LLC"),
         ("US", "Harbor Freight Tools Inc - Accounts Payable", "Harbor Freight Tools Inc"),
         ("DE", "Stadtwerke Ulm GmbH (Kreditorenbuchhaltung)", "Stadtwerke Ulm GmbH"),
         ("US", "Globex Corp Attn: AP Dept", "Globex Corp"),
         ("GB", "Nordic Wind Fund II Ltd c/o Aberdeen Fund Services", "Nordic Wind Fund II Ltd"),
         ("DE", "Schreinerei Hans Meyer", "Meyer Hans Schreinerei"), ("US", "Doe, Jane DDS", "Jane Doe DDS"),
         ("US", "The Gap Inc", "Gap Inc, The"), ("FR", "Dupont et Associés SARL", "Dupont & Associés SARL")]
    for cc, a, b in L:
        out.append(pair(a, b, cc, tag=f"name:{a}|{b}"))
    # true differences on linked pairs (xref): another entity of the group or another fund
    T = [("GB", "Nordic Wind Fund II Ltd", "Nordic Wind Fund III Ltd"), ("US", "Acme Corp", "Acme Corp Europe"),
         ("MX", "Grupo Lerma S.A. de C.V.", "Grupo Lerma S. de R.L. de C.V."), ("SE", "Nordkran AB", "Nordkran Oy"),
         ("DE", "Weber GmbH & Co. KG", "Weber Verwaltungs GmbH"), ("US", "Bayview Holdings I LLC",
                                                                    "Bayview Holdings II LLC"),
         ("CZ", "Vltava Stroje s.r.o.", "Vltava Stroje a.s."), ("US", "Heizung 2000 Inc", "Heizung 3000 Inc")]
    for cc, a, b in T:
        out.append(pair(a, b, cc, diffs={"name"}, tag=f"TRUE_name:{a}|{b}"))
    # different companies at one address (group members, funds of one manager, care-of)
    SA = [("DE", "Müller Spedition GmbH", "Müller Lagerlogistik GmbH"),
          ("US", "Deloitte Consulting LLP", "Deloitte Tax LLP"),
          ("MX", "Grupo Lerma S.A. de C.V.", "Grupo Lerma Servicios S.A. de C.V."),
          ("SE", "Nordkran AB", "Nordkran Service AB"), ("FI", "Metsäpuu Board Oy", "Metsäpuu Tissue Oy"),
          ("GB", "Nordic Wind Fund II Ltd", "Nordic Wind Fund III Ltd"),
          ("US", "Bayview Holdings I LLC", "Bayview Holdings II LLC"),
          ("GB", "Nordic Wind Fund II Ltd c/o Aberdeen Fund Services", "Aberdeen Fund Services Ltd"),
          ("DE", "Weber GmbH & Co. KG", "Weber Verwaltungs GmbH"), ("US", "Studio 54 LLC", "Studio 45 LLC"),
          ("US", "John Smith Plumbing LLC", "John Smith Roofing LLC"),
          ("CZ", "Vltava Stroje s.r.o.", "Vltava Stroje a.s."), ("DE", "Dr. Anna Schmidt", "Dr. Anne Schmidt")]
    for cc, a, b in SA:
        ad = addr(cc)
        out.append(dict(kind="crm_only", crm=dict(ad, name=a), erp={}, tag=f"neg_same_addr:{a}|{b}",
                        currency=CUR.get(cc, "EUR")))
        out.append(dict(kind="erp_only", crm={}, erp=dict(ad, name=b), tag=f"neg_same_addr:{a}|{b}",
                        currency=CUR.get(cc, "EUR")))
    # one name, two countries: two legal entities
    for name, c1, c2 in [("Alpina Sport GmbH", "DE", "AT"), ("Helvetia Consulting AG", "CH", "DE"),
                         ("Northwind Traders Ltd", "GB", "IE"), ("Globex Inc", "US", "CA")]:
        a1, a2 = addr(c1), addr(c2)
        out.append(dict(kind="crm_only", crm=dict(a1, name=name), erp={}, tag=f"neg_country:{name}|{c1}|{c2}",
                        currency=CUR.get(c1, "EUR")))
        out.append(dict(kind="erp_only", crm={}, erp=dict(a2, name=name), tag=f"neg_country:{name}|{c1}|{c2}",
                        currency=CUR.get(c2, "EUR")))
    # competition: both funds / both group members on both sides, one written differently
    C = [("GB", "Nordic Wind Fund II Ltd", "Nordic Wind Fund II Limited", "Nordic Wind Fund III Ltd",
          "Nordic Wind Fund III Limited"),
         ("US", "Bayview Holdings I LLC", "Bayview Holdings I, L.L.C.", "Bayview Holdings II LLC",
          "Bayview Holdings II, L.L.C."),
         ("DE", "Weber GmbH & Co. KG", "Weber GmbH & Co KG", "Weber Verwaltungs GmbH", "Weber Verwaltungs G.m.b.H.")]
    for cc, a1, a2, b1, b2 in C:
        ad = addr(cc)
        out.append(pair(a1, a2, cc, tag=f"compete:{a1}|{a2}", crm_over=ad, erp_over=ad))
        out.append(pair(b1, b2, cc, tag=f"compete:{b1}|{b2}", crm_over=ad, erp_over=ad))
    return out


# ------------------------------------------------------------------ one address, two companies
def samesite() -> list[Case]:
    """Two companies at one address whose names differ by a word, a qualifier or a letter (a group's members, a
    branch and its region, two doctors of one practice): none may be linked. No pair shares a number, so the
    name's letters and the address are all the engine has."""
    out: list[Case] = []
    S = [("GB", "ABC Holdings Ltd", "ABC Holdings (UK) Ltd"), ("DE", "Siemens Healthcare GmbH",
                                                               "Siemens Healthcare Diagnostics GmbH"),
         ("NL", "Acme Europe B.V.", "Acme Nederland B.V."), ("DE", "Bosch Thermotechnik GmbH",
                                                              "Bosch Sicherheitssysteme GmbH"),
         ("DE", "Meyer Immobilien GmbH", "Meyer Immobilien Verwaltung GmbH"), ("DE", "Schmidt GmbH",
                                                                              "Schmidt Holding GmbH"),
         ("GB", "Northwind Traders Ltd", "Northwind Traders Trust Ltd"),
         ("US", "St. Mary's Hospital Inc", "St. Mary's Hospital Foundation Inc"),
         ("US", "First National Bank of Omaha", "First National Bank of Nebraska"),
         ("DE", "Dr. Hans Müller", "Dr. Hanna Müller"),
         ("DE", "Müller & Partner Steuerberater", "Müller & Partner Rechtsanwälte"),
         ("US", "Acme Corp East", "Acme Corp West"), ("US", "Acme Corp North America", "Acme Corp South America"),
         ("DE", "Stadtwerke München GmbH", "Stadtwerke Münster GmbH"), ("DE", "Sparkasse Köln Bonn", "Sparkasse Bonn"),
         ("DE", "Hotel Adler GmbH", "Hotel Adler Betriebs GmbH"), ("GB", "ACME Ltd", "ACNE Ltd"),
         ("CZ", "Vltava Stroje s.r.o.", "Vltava Stroje a.s."), ("US", "Deloitte Consulting LLP", "Deloitte Tax LLP")]
    for cc, a, b in S:
        ad = addr(cc)
        out.append(dict(kind="crm_only", crm=dict(ad, name=a), erp={}, tag=f"samesite:{a}|{b}",
                        currency=CUR.get(cc, "EUR")))
        out.append(dict(kind="erp_only", crm={}, erp=dict(ad, name=b), tag=f"samesite:{a}|{b}",
                        currency=CUR.get(cc, "EUR")))
    return out


def _apart(out: list[Case], cc: str, a: str, b: str, tag: str, same_street: bool = False) -> None:
    """Two different companies, ``a`` in the CRM only and ``b`` in the ERP only, in one city and postcode (at
    one address when ``same_street``): neither may be linked."""
    ad = addr(cc)
    other = ad if same_street else dict(ad, street=addr(cc)["street"])
    out.append(dict(kind="crm_only", crm=dict(ad, name=a), erp={}, tag=tag, currency=CUR.get(cc, "EUR")))
    out.append(dict(kind="erp_only", crm={}, erp=dict(other, name=b), tag=tag, currency=CUR.get(cc, "EUR")))


# ------------------------------------------------------------------ Japanese, Chinese, Korean names in their scripts
def cjk() -> list[Case]:
    """Japanese, Chinese and Korean company names as two systems write them: the legal form before or after the
    name and its bracketed one-character abbreviation ((株), ㈱, (주), ㈜, (有)), full-width Latin letters and
    digits and half-width katakana (older systems), a space between form and name, 有限公司 / 有限责任公司 and
    the city written before the trade name or in brackets after it (also romanised: "Mingda Trading (Shanghai)
    Co., Ltd."), 深圳市 / 深圳; and different companies that differ only in one of these parts."""
    out: list[Case] = []
    L = [("JP", "株式会社山田製作所", "山田製作所株式会社"), ("JP", "株式会社山田製作所", "(株)山田製作所"),
         ("JP", "株式会社山田製作所", "㈱山田製作所"), ("JP", "株式会社山田製作所", "（株）山田製作所"),
         ("JP", "株式会社 山田製作所", "株式会社山田製作所"), ("JP", "東邦精機株式会社", "東邦精機(株)"),
         ("JP", "東邦精機株式会社", "東邦精機㈱"), ("JP", "有限会社鈴木工務店", "(有)鈴木工務店"),
         ("JP", "合同会社佐藤企画", "(同)佐藤企画"), ("JP", "ＡＢＣ商事株式会社", "ABC商事株式会社"),
         ("JP", "株式会社ＮＴＴシステム", "株式会社NTTシステム"), ("JP", "ｻｸﾗ電機株式会社", "サクラ電機株式会社"),
         ("JP", "ﾐﾄﾞﾘ運輸(株)", "株式会社ミドリ運輸"), ("JP", "第一物産株式会社", "第１物産株式会社"),
         ("JP", "Tohoku Kiko Co., Ltd.", "TOHOKU KIKO CO.,LTD."),
         ("CN", "上海明达贸易有限公司", "上海明达贸易有限责任公司"),
         ("CN", "上海明达贸易有限公司", "明达贸易（上海）有限公司"),
         ("CN", "深圳市华强电子有限公司", "深圳华强电子有限公司"),
         ("CN", "北京天元科技股份有限公司", "北京天元科技股份有限公司 "),
         ("CN", "Shanghai Mingda Trading Co., Ltd.", "Mingda Trading (Shanghai) Co., Ltd."),
         ("CN", "Shenzhen Huaqiang Electronics Co., Ltd.", "Shenzhen Huaqiang Electronics Company Limited"),
         ("CN", "Beijing Tianyuan Technology Co Ltd", "BEIJING TIANYUAN TECHNOLOGY CO., LTD."),
         ("CN", "Ningbo Haitian Plastics Co., Ltd", "Ningbo Haitian Plastics Co.,Ltd."),
         ("HK", "Lucky Star Trading Limited", "Lucky Star Trading Ltd."),
         ("HK", "Golden Dragon Holdings Ltd", "Golden Dragon Holdings Limited (HK)"),
         ("TW", "台灣精密工業股份有限公司", "台灣精密工業股份有限公司"),
         ("TW", "台灣精密工業股份有限公司", "臺灣精密工業股份有限公司"),
         ("KR", "주식회사 한빛전자", "한빛전자 주식회사"), ("KR", "주식회사 한빛전자", "(주)한빛전자"),
         ("KR", "㈜한빛전자", "(주)한빛전자"), ("KR", "주식회사 한빛전자", "한빛전자(주)"),
         ("KR", "유한회사 서울물산", "(유)서울물산"),
         ("KR", "Hanbit Electronics Co., Ltd.", "Hanbit Electronics Co Ltd"),
         ("KR", "Daehan Steel Co., Ltd.", "Daehan Steel Corporation")]
    for cc, a, b in L:
        out.append(pair(a, b, cc, tag=f"cjk:{a}|{b}"))
    T = [("JP", "株式会社山田製作所", "株式会社山田製造所"), ("JP", "株式会社山田製作所", "有限会社山田製作所"),
         ("CN", "上海明达贸易有限公司", "上海明达物流有限公司"), ("KR", "주식회사 한빛전자", "주식회사 한빛전기"),
         ("CN", "Mingda Trading (Shanghai) Co., Ltd.", "Mingda Trading (Shenzhen) Co., Ltd.")]
    for cc, a, b in T:
        out.append(pair(a, b, cc, diffs={"name"}, tag=f"TRUE_cjk:{a}|{b}"))
    N = [("JP", "株式会社山田製作所", "株式会社山田製造所"), ("JP", "株式会社山田製作所", "有限会社山田製作所"),
         ("JP", "ABC商事株式会社", "ABC物産株式会社"), ("JP", "東邦精機株式会社", "東邦精工株式会社"),
         ("CN", "上海明达贸易有限公司", "北京明达贸易有限公司"), ("CN", "上海明达贸易有限公司", "上海明达物流有限公司"),
         ("CN", "Mingda Trading (Shanghai) Co., Ltd.", "Mingda Trading (Shenzhen) Co., Ltd."),
         ("CN", "Shanghai Mingda Trading Co., Ltd.", "Shanghai Mingda Logistics Co., Ltd."),
         ("HK", "Golden Dragon Holdings Limited", "Golden Dragon Investments Limited"),
         ("KR", "주식회사 한빛전자", "주식회사 한빛전기"), ("KR", "(주)서울물산", "(주)부산물산"),
         ("KR", "Hanbit Electronics Co., Ltd.", "Hanbit Chemicals Co., Ltd.")]
    for i, (cc, a, b) in enumerate(N):
        _apart(out, cc, a, b, f"neg_cjk:{a}|{b}", same_street=bool(i % 2))
    return out


# ------------------------------------------------------------------ India, Turkey, Brazil, Arabic, Cyrillic forms
def emerging() -> list[Case]:
    """Conventions of Indian, Turkish, Brazilian, Mexican, Gulf/Egyptian, Russian/Ukrainian and Greek master
    data: Pvt Ltd / Private Limited / (P) Ltd, "M/s" before a firm's name, Shree/Shri/Sri and Lakshmi/Laxmi;
    San. ve Tic. A.Ş. / Sanayi ve Ticaret Anonim Şirketi and upper case with dotted and dotless I; Ltda - ME,
    S/A, EIRELI; S.A.P.I. de C.V.; Al-/Al /El-, Mohammed/Mohamed, Est., W.L.L., FZE; ООО / Общество с
    ограниченной ответственностью, «» / "" quotes; Indian and Turkish city and address conventions; and
    different companies that differ only in the legal form or one word."""
    out: list[Case] = []
    L = [("IN", "Sharma Traders Pvt Ltd", "Sharma Traders Private Limited"),
         ("IN", "Sharma Traders Pvt. Ltd.", "SHARMA TRADERS PVT LTD"),
         ("IN", "Krishna Agencies (P) Ltd", "Krishna Agencies Pvt Ltd"),
         ("IN", "Krishna Agencies (P) Ltd.", "Krishna Agencies Private Ltd"),
         ("IN", "M/s Gupta Enterprises", "Gupta Enterprises"), ("IN", "M/s. Agarwal & Sons", "Agarwal and Sons"),
         ("IN", "Messrs Bansal Brothers", "Bansal Bros"), ("IN", "Reliable Textiles Ltd", "Reliable Textiles Limited"),
         ("IN", "Patel Engineering LLP", "Patel Engineering L.L.P."),
         ("IN", "Lakshmi Industries Pvt Ltd", "Laxmi Industries Pvt Ltd"),
         ("IN", "Shree Ganesh Enterprises", "Shri Ganesh Enterprises"),
         ("IN", "Sri Balaji Steels Pvt Ltd", "Shri Balaji Steels Pvt Ltd"),
         ("IN", "Venkateswara Traders", "Venkateshwara Traders"),
         ("TR", "Yılmaz Tekstil San. ve Tic. A.Ş.", "Yilmaz Tekstil Sanayi ve Ticaret A.S."),
         ("TR", "YILMAZ TEKSTİL SANAYİ VE TİCARET ANONİM ŞİRKETİ", "Yılmaz Tekstil Sanayi ve Ticaret A.Ş."),
         ("TR", "Demir İnşaat Ltd. Şti.", "Demir Insaat Limited Sirketi"),
         ("TR", "Kaya Gıda Ltd.Şti.", "KAYA GIDA LTD. ŞTİ."),
         ("TR", "Aydın Otomotiv Tic. Ltd. Şti.", "Aydin Otomotiv Ticaret Limited Şirketi"),
         ("TR", "IŞIK KİMYA A.Ş.", "Işık Kimya A.Ş."),
         ("BR", "Comércio de Alimentos Silva Ltda", "Comercio de Alimentos Silva Ltda - ME"),
         ("BR", "Construtora Andrade S/A", "Construtora Andrade S.A."),
         ("BR", "Pereira Transportes EIRELI", "Pereira Transportes Eireli - EPP"),
         ("BR", "Souza & Filhos Ltda.", "Souza e Filhos Ltda"),
         ("BR", "Indústria Metalúrgica Rocha Ltda", "Ind. Metalurgica Rocha Ltda"),
         ("BR", "Cia. Brasileira de Papel", "Companhia Brasileira de Papel"),
         ("MX", "Grupo Ferretero del Norte, S.A.P.I. de C.V.", "Grupo Ferretero del Norte SAPI de CV"),
         ("AE", "Al Futtaim Trading LLC", "Al-Futtaim Trading L.L.C."),
         ("AE", "Al Futtaim Trading LLC", "Alfuttaim Trading LLC"),
         ("SA", "Abdul Latif Jameel Co. Ltd", "Abdul Latif Jameel Company Limited"),
         ("SA", "Abdullah Al-Othaim Markets Co.", "Abdullah Al Othaim Markets Company"),
         ("SA", "Mohammed Al Mana Trading Est.", "Mohamed Almana Trading Establishment"),
         ("AE", "Gulf Pearl Contracting W.L.L.", "Gulf Pearl Contracting WLL"),
         ("AE", "Emirates Star General Trading FZE", "Emirates Star General Trading F.Z.E."),
         ("EG", "El Sewedy Cables S.A.E.", "Elsewedy Cables SAE"),
         ("RU", "ООО «Ромашка»", "Общество с ограниченной ответственностью «Ромашка»"),
         ("RU", 'ООО "Ромашка"', "ООО «Ромашка»"), ("RU", "АО «Северсталь»", "Акционерное общество «Северсталь»"),
         ("RU", "ООО «ТехноСтрой»", "ООО «Технострой»"), ("UA", "ТОВ «Сонячний Край»", "TOV Soniachnyi Krai"),
         ("GR", "Αφοί Παπαδόπουλου Α.Ε.", "Afoi Papadopoulou A.E."), ("GR", "Γεωργίου Ο.Ε.", "ΓΕΩΡΓΙΟΥ Ο.Ε.")]
    for cc, a, b in L:
        out.append(pair(a, b, cc, tag=f"name:{a}|{b}"))
    n = [0]

    def p(cc: str, lf: str, crm: dict[str, str], erp: dict[str, str], diffs: Any = (), tag: str = "") -> None:
        n[0] += 1
        name = f"{['Anand', 'Bharat', 'Chetan', 'Devika', 'Ekta', 'Farhan', 'Gopal', 'Harsha'][n[0] % 8]} " \
               f"{['Polymers', 'Exports', 'Castings', 'Pharma', 'Textiles'][n[0] % 5]} {lf}"
        out.append(pair(name, name, cc, diffs=diffs, tag=tag, crm_over=crm, erp_over=erp))

    ind = dict(street="Plot No. 45, MIDC Industrial Area, Andheri East", city="Mumbai", pc="400093",
               state="Maharashtra", country="IN")
    for a, b, t in [(dict(pc="400093"), dict(pc="400 093"), "in_pin_space"),
                    (dict(city="Mumbai"), dict(city="Bombay"), "in_bombay"),
                    (dict(city="Bengaluru", pc="560001", state="Karnataka"),
                     dict(city="Bangalore", pc="560001", state="Karnataka"), "in_bangalore"),
                    (dict(city="Chennai", pc="600001", state="Tamil Nadu"),
                     dict(city="Madras", pc="600001", state="Tamil Nadu"), "in_madras"),
                    (dict(city="Gurugram", pc="122001", state="Haryana"),
                     dict(city="Gurgaon", pc="122001", state="Haryana"), "in_gurgaon"),
                    (dict(street="Plot No. 45, MIDC Industrial Area, Andheri East"),
                     dict(street="Plot 45, MIDC Ind. Area, Andheri (E)"), "in_plot"),
                    (dict(street="12, M.G. Road, Near City Mall"), dict(street="12 MG Road"), "in_landmark"),
                    (dict(street="Shop No. 4, Opp. Railway Station, Station Road"), dict(street="Shop 4, Station Road"),
                     "in_opp"),
                    (dict(country="India"), dict(country="IN"), "in_country"),
                    (dict(state="Maharashtra"), dict(state="MH"), "in_state")]:
        p("IN", "Pvt Ltd", dict(ind, **a), dict(ind, **b), tag=t)
    p("IN", "Pvt Ltd", dict(ind, pc="400093"), dict(ind, pc="400039"), diffs={"postcode"}, tag="TRUE_in_pin")
    tr = dict(street="Büyükdere Caddesi No: 120", city="İstanbul", pc="34394", country="TR")
    for a, b, t in [(dict(city="İstanbul"), dict(city="Istanbul"), "tr_istanbul"),
                    (dict(city="İstanbul"), dict(city="ISTANBUL"), "tr_istanbul_caps"),
                    (dict(city="İZMİR", pc="35210"), dict(city="Izmir", pc="35210"), "tr_izmir"),
                    (dict(street="Büyükdere Caddesi No: 120"), dict(street="Büyükdere Cad. No:120"), "tr_cad"),
                    (dict(street="Atatürk Mahallesi, Cumhuriyet Sokak No: 5"),
                     dict(street="Atatürk Mah. Cumhuriyet Sok. No:5"), "tr_mah_sok"),
                    (dict(country="Türkiye"), dict(country="Turkey"), "tr_country")]:
        p("TR", "A.Ş.", dict(tr, **a), dict(tr, **b), tag=t)
    T = [("IN", "Sharma Traders Pvt Ltd", "Sharma Traders LLP"),
         ("TR", "Yılmaz Tekstil A.Ş.", "Yılmaz Tekstil Ltd. Şti."),
         ("BR", "Construtora Andrade Ltda", "Construtora Andrade S/A"),
         ("AE", "Al Futtaim Trading LLC", "Al Futtaim Motors LLC")]
    for cc, a, b in T:
        out.append(pair(a, b, cc, diffs={"name"}, tag=f"TRUE_name:{a}|{b}"))
    N = [("IN", "Sharma Traders Pvt Ltd", "Sharma Traders LLP"), ("IN", "Shree Ganesh Enterprises",
                                                                  "Shree Ganesh Traders"),
         ("IN", "Lakshmi Industries Pvt Ltd", "Lakshmi Agencies Pvt Ltd"),
         ("TR", "Yılmaz Tekstil A.Ş.", "Yılmaz Tekstil Ltd. Şti."),
         ("TR", "Kaya Gıda Ltd. Şti.", "Kaya Gida Pazarlama Ltd. Şti."),
         ("BR", "Construtora Andrade Ltda", "Construtora Andrade S/A"),
         ("BR", "Comércio de Alimentos Silva Ltda", "Comércio de Alimentos Souza Ltda"),
         ("AE", "Al Futtaim Trading LLC", "Al Futtaim Motors LLC"),
         ("SA", "Mohammed Al Mana Trading Est.", "Ahmed Al Mana Trading Est."),
         ("RU", "ООО «Ромашка»", "АО «Ромашка»"), ("RU", "ООО «Ромашка»", "ООО «Ромашка-Сервис»")]
    for i, (cc, a, b) in enumerate(N):
        _apart(out, cc, a, b, f"neg_emerging:{a}|{b}", same_street=bool(i % 2))
    return out


# ------------------------------------------------------------------ trading names, sole traders, typos, punctuation
def tradenames() -> list[Case]:
    """A sole trader or company with its trading name (t/a, T/A, dba, d/b/a, trading as) on one side only; a
    person's name in the other order (Smith John, MÜLLER, Hans); OCR and typing slips (1/l, 0/O, rn/m, a
    letter swapped, dropped or doubled); punctuation (A & B / A&B / A and B, K.L.M., Smith's); and different
    customers: one person's two trades, two people of one surname, one company renamed (cross-referenced:
    the name differs)."""
    out: list[Case] = []
    L = [("GB", "John Smith t/a Smith Plumbing", "Smith Plumbing"),
         ("GB", "Smith Plumbing", "John Smith T/A Smith Plumbing"),
         ("US", "Bright Horizons LLC dba Sunny Days Daycare", "Bright Horizons LLC"),
         ("US", "Sunny Days Daycare", "Bright Horizons LLC DBA Sunny Days Daycare"),
         ("US", "Kumar Imports", "Anil Kumar d/b/a Kumar Imports"),
         ("GB", "Jane Doe trading as Doe Designs", "Doe Designs"),
         ("GB", "Patel Holdings Ltd trading as Corner Pharmacy", "Patel Holdings Ltd"),
         ("AU", "Nguyen Family Trust T/as Saigon Kitchen", "Saigon Kitchen"),
         ("GB", "Smith John", "John Smith"), ("DE", "Müller Hans", "Hans Müller"),
         ("DE", "MÜLLER, Hans", "Hans Müller"), ("ES", "Dra. María García", "García, María Dra."),
         ("FR", "Jean-Pierre Dupont", "DUPONT Jean-Pierre"), ("IE", "O'Neill Patrick", "Patrick O'Neill"),
         ("GB", "Northfield Components Ltd", "Northfie1d Components Ltd"),
         ("US", "Olympia Foods Inc", "0lympia Foods Inc"),
         ("GB", "Hammond Engineering Ltd", "Harnmond Engineering Ltd"),
         ("GB", "Boardman Logistics Ltd", "Boardrnan Logistics Ltd"),
         ("GB", "Millbrook Dairy Ltd", "Mil1brook Dairy Ltd"),
         ("GB", "Whitmore Textiles Ltd", "Whitmroe Textiles Ltd"), ("GB", "Pemberton Foods Ltd", "Pemberto Foods Ltd"),
         ("GB", "Ashford Tooling Ltd", "Ashfford Tooling Ltd"),
         ("US", "Clearwater Supplies Inc", "Clearwater Suppl ies Inc"),
         ("DE", "Kronberg Maschinenbau GmbH", "Kronberg Maschienenbau GmbH"),
         ("GB", "A & B Engineering Ltd", "A&B Engineering Ltd"),
         ("GB", "A&B Engineering Ltd", "A and B Engineering Ltd"),
         ("GB", "K.L.M. Services Ltd", "KLM Services Ltd"), ("GB", "Smith's Bakery Ltd", "Smiths Bakery Ltd"),
         ("GB", "Top-Line (Europe) Ltd", "Topline Europe Ltd"), ("US", "Acme Widgets, Inc.", "Acme Widgets Inc. *"),
         ("US", "R&D Solutions LLC", "R & D Solutions, LLC"), ("DE", "Meier + Co. GmbH", "Meier & Co GmbH")]
    for cc, a, b in L:
        out.append(pair(a, b, cc, tag=f"trade:{a}|{b}"))
    T = [("US", "Kraft Foods Inc", "Mondelez International Inc"), ("GB", "John Smith t/a Smith Plumbing",
                                                                   "John Smith t/a Smith Roofing"),
         ("GB", "Northfield Components Ltd", "Northfield Composites Ltd")]
    for cc, a, b in T:
        out.append(pair(a, b, cc, diffs={"name"}, tag=f"TRUE_trade:{a}|{b}"))
    N = [("GB", "John Smith t/a Smith Plumbing", "John Smith t/a Smith Roofing"),
         ("US", "Bright Horizons LLC dba Sunny Days Daycare", "Bright Horizons LLC dba Little Stars Daycare"),
         ("GB", "John Smith", "Jane Smith"), ("DE", "Hans Müller", "Hanna Müller"),
         ("DE", "Müller Hans", "Müller Hannes"), ("GB", "Alpha 1 Holdings Ltd", "Alpha 7 Holdings Ltd"),
         ("GB", "Northfield Components Ltd", "Northfield Composites Ltd"),
         ("GB", "Hammond Engineering Ltd", "Harmon Engineering Ltd"),
         ("GB", "A&B Engineering Ltd", "A&D Engineering Ltd"),
         ("US", "Clearwater Supplies Inc", "Clearwater Services Inc")]
    for i, (cc, a, b) in enumerate(N):
        _apart(out, cc, a, b, f"neg_trade:{a}|{b}", same_street=bool(i % 2))
    return out


# ------------------------------------------------------------------ tax ids outside the EU VAT formats
def taxfmt() -> list[Case]:
    """Tax ids as two systems write them beyond the EU VAT layouts in ``taxids``: Brazilian CNPJ with and without
    its dots, slash and dash, India's GSTIN against the PAN it holds, Mexican RFC, Korean business registration
    numbers, Chinese unified social credit codes, Greek VAT as EL/GR/bare, Russian INN with a label or its KPP,
    Australian ABN against the company's ACN, Northern Ireland's XI against GB; half with a trading name and
    another address on the ERP side. Real differences: another establishment of one CNPJ, another state's GSTIN
    of one PAN, a digit typed wrong."""
    out: list[Case] = []
    rows = [("BR", "12.345.678/0001-95", "12345678000195"), ("BR", "11.222.333/0001-81", "11222333/0001-81"),
            ("BR", "60.401.130/0001-68", "60401130000168"), ("IN", "27AAPFU0939F1ZV", "AAPFU0939F"),
            ("IN", "07AABCS1429B1ZW", "07 AABCS 1429 B1ZW"), ("IN", "29AAACR5055K1Z3", "29aaacr5055k1z3"),
            ("MX", "ABC-010101-AB1", "ABC010101AB1"), ("MX", "GFN 990101 KX3", "GFN990101KX3"),
            ("KR", "123-45-67891", "1234567891"), ("KR", "220-81-12341", "2208112341"),
            ("CN", "91440300708461136T", "91440300 708461136T"), ("GR", "EL094019245", "GR094019245"),
            ("GR", "EL094014201", "094014201"), ("RU", "7707083893", "ИНН 7707083893"),
            ("RU", "7736050003", "INN 7736050003"), ("RU", "7702070139/770201001", "7702070139"),
            ("AU", "51 824 753 556", "51824753556"), ("AU", "ABN 53 004 085 616", "ABN53004085616"),
            ("GB", "XI123456789", "GB123456789"), ("ZA", "4123456789", "ZA 4123456789")]
    trade = ["Aurora", "Boreal", "Cascade", "Dorado", "Equinox", "Fjord", "Granada", "Horizon", "Isola", "Jubilee"]
    lf = {"BR": "Ltda", "IN": "Pvt Ltd", "MX": "S.A. de C.V.", "KR": "Co., Ltd.", "CN": "Co., Ltd.", "GR": "A.E.",
          "RU": "OOO", "AU": "Pty Ltd", "GB": "Ltd", "ZA": "(Pty) Ltd"}
    for i, (cc, t1, t2) in enumerate(rows):
        nm = f"{trade[i % len(trade)]} {['Trading', 'Holding', 'Services', 'Industries'][i % 4]} {i}"
        if i % 2 == 0:
            out.append(pair(f"{nm} {lf[cc]}", f"{nm} {lf[cc]}", cc, tag=f"tax_same_name:{t1}|{t2}",
                            crm_over=dict(tax=t1), erp_over=dict(tax=t2)))
        else:
            a = addr(cc)
            out.append(pair(nm, f"{['Meridian', 'Vantage', 'Orbis', 'Castellan'][i % 4]} {lf[cc]}", cc,
                            tag=f"tax_trade_name:{t1}|{t2}", crm_over=dict(tax=t1),
                            erp_over=dict(tax=t2, street=a["street"], city=a["city"], pc=a["pc"])))
    T = [("BR", "33.444.555/0001-81", "33.444.555/0002-62"), ("IN", "27AADCB2230M1ZT", "29AADCB2230M1ZP"),
         ("MX", "XYZ020202XY1", "XYZ020202XY2"), ("KR", "104-81-55562", "104-81-55563"),
         ("GR", "EL123456783", "EL123456738"), ("RU", "7830002293", "7830002239")]
    for i, (cc, t1, t2) in enumerate(T):
        nm = f"{['Tamar', 'Usk', 'Vyrnwy', 'Wye', 'Yare', 'Exe'][i]} Components {lf[cc]}"
        out.append(pair(nm, nm, cc, diffs={"tax_id"}, tag=f"TRUE_tax:{t1}|{t2}", crm_over=dict(tax=t1),
                        erp_over=dict(tax=t2)))
    return out


# ------------------------------------------------------------------ ERP field-length limits
# Name and street fields of widely used ERPs hold a fixed number of characters (SAP's NAME1..NAME4 and STRAS 35
# each, Dynamics NAV's Name and Address 50, QuickBooks Desktop's company name 41, many AS/400 files 30); a longer
# CRM value is cut there on import, or spread over two fields that an export joins with or without a space.
def _cut(s: str, n: int) -> str:
    """``s`` cut to ``n`` characters, as a fixed-width field keeps it (a trailing space is dropped on export)."""
    return s[:n].rstrip()


def _split_join(s: str, n: int) -> str:
    """``s`` split over two fields of ``n`` characters (at the last space before ``n``, as SAP's address dialog
    does) and joined again by an export that puts no space between them."""
    cut = s.rfind(" ", 0, n + 1)
    return s[:cut] + s[cut + 1:] if cut > 0 else s


def fieldlimits() -> list[Case]:
    """Long CRM names and streets against an ERP that cut them at 30, 35, 40 or 50 characters (mid-word or
    with the legal form lost), or split them over NAME1/NAME2 and joined them without the space; the
    truncation is the ERP's field, not a difference. Different companies whose names share the first 30
    or more characters, and two companies whose cut names are the same, told apart by the address only."""
    out: list[Case] = []
    long = [("GB", "Northern Lights Renewable Energy Solutions Limited"),
            ("DE", "Hartmann Verpackungstechnik und Logistik GmbH & Co. KG"),
            ("US", "International Business Consulting Partners LLC"),
            ("FR", "Société Européenne de Distribution Alimentaire SAS"),
            ("US", "Rocky Mountain Environmental Engineering Services Inc"),
            ("DE", "Bayerische Landmaschinen Vertriebsgesellschaft mbH"),
            ("US", "Pacific Northwest Orthopaedic Surgical Associates PLLC"),
            ("US", "Consolidated Precision Aerospace Components Corporation"),
            ("NO", "Scandinavian Marine Equipment and Offshore Services AS"),
            ("FR", "Compagnie Méditerranéenne de Transports Frigorifiques SA"),
            ("US", "Great Lakes Regional Medical Billing Services LLC"),
            ("DE", "Mitteldeutsche Hartstein-Industrie Aktiengesellschaft"),
            ("AU", "Australian Agricultural Machinery Importers Pty Ltd"),
            ("NL", "Nederlandse Installatie- en Onderhoudsmaatschappij B.V."),
            ("ES", "Industrias Metalúrgicas del Noroeste de España S.L."),
            ("IT", "Costruzioni Meccaniche di Precisione Lombarde S.r.l."),
            ("US", "Southeastern Pennsylvania Transportation Logistics Inc"),
            ("DE", "Westfälische Drahtindustrie Verwaltungsgesellschaft mbH"),
            ("GB", "Chartered Institute of Logistics Training Services Ltd"),
            ("CA", "Canadian Northern Timber and Pulp Products Ltd"),
            ("DE", "Allgemeine Versicherungsvermittlung Süddeutschland GmbH"),
            ("US", "First Continental Commercial Property Management LLC"),
            ("SE", "Svenska Industriella Mätinstrument och Verktyg AB"),
            ("PL", "Kowalski Przedsiębiorstwo Handlowo-Usługowe Sp. z o.o.")]
    for i, (cc, nm) in enumerate(long):
        n = (30, 35, 40, 50)[i % 4]
        if n >= len(nm):
            n = 35
        out.append(pair(nm, _cut(nm, n), cc, tag=f"cut{n}:{nm}"))
    for cc, nm in long[:12]:
        out.append(pair(nm, _split_join(nm, 35), cc, tag=f"name1name2_nospace:{nm}"))
    for cc, nm in long[12:20]:
        out.append(pair(nm, nm[:35] + " " + nm[35:], cc, tag=f"name1name2_space:{nm}"))
    # the CRM holds the short (migrated) name, the ERP the long one
    for cc, nm in long[20:]:
        out.append(pair(_cut(nm, 35), nm, cc, tag=f"crm_cut35:{nm}"))
    # streets cut by the ERP's address field; names short and the same
    streets = [("GB", "Unit 14, Brackmills Industrial Estate, Caswell Road", "Northampton", "NN4 7PB"),
               ("US", "1200 Pennsylvania Avenue Northwest, Suite 400", "Washington", "20004"),
               ("DE", "Kaiser-Friedrich-Ring 115, Hinterhaus, 2. Obergeschoss", "Wiesbaden", "65185"),
               ("FR", "Zone Industrielle des Grandes Terres, 12 rue de l'Artisanat", "Lyon", "69003"),
               ("US", "4500 Industrial Park Boulevard, Building C, Dock 7", "Memphis", "38118"),
               ("NL", "Bedrijventerrein De Hoogjens, Handelsweg 23-25", "Leerdam", "4143 HM"),
               ("AU", "Level 12, 200 Queen Street, Melbourne Central", "Melbourne", "3000"),
               ("ES", "Polígono Industrial Santa Ana, Calle Electricidad 14", "Rivas-Vaciamadrid", "28522")]
    for i, (cc, st, city, pc) in enumerate(streets):
        nm = f"{['Larch', 'Hazel', 'Rowan', 'Alder', 'Aspen', 'Cedar', 'Elm', 'Yew'][i]} Supplies {i}"
        n = (30, 35, 40)[i % 3]
        out.append(pair(nm, nm, cc, tag=f"street_cut{n}:{st}", crm_over=dict(street=st, city=city, pc=pc),
                        erp_over=dict(street=_cut(st, n), city=city, pc=pc)))
    # real differences: a shorter name that is not a cut field (another entity of the group)
    T = [("US", "Bayview Capital Holdings International LLC", "Bayview Capital Holdings LLC"),
         ("DE", "Hartmann Verpackungstechnik GmbH", "Hartmann Verpackungstechnik und Logistik GmbH & Co. KG"),
         ("GB", "Northern Lights Renewable Energy Storage Limited",
          "Northern Lights Renewable Energy Solutions Limited")]
    for cc, a, b in T:
        out.append(pair(a, b, cc, diffs={"name"}, tag=f"TRUE_name:{a}|{b}"))
    out.append(pair("Ash Supplies 9", "Ash Supplies 9", "DE", diffs={"street"}, tag="TRUE_street:12|123",
                    crm_over=dict(street="Hauptstraße 123", city="Erfurt", pc="99084"),
                    erp_over=dict(street="Hauptstraße 12", city="Erfurt", pc="99084")))
    # different companies whose names share a long beginning; the ERP's is cut where they differ
    N = [("GB", "Northern Lights Renewable Energy Solutions Limited",
          "Northern Lights Renewable Energy Storage Limited"),
         ("US", "International Business Consulting Partners LLC", "International Business Consulting Group LLC"),
         ("US", "Rocky Mountain Environmental Engineering Services Inc",
          "Rocky Mountain Environmental Engineering Supply Inc"),
         ("DE", "Bayerische Landmaschinen Vertriebsgesellschaft mbH", "Bayerische Landmaschinen Verleih GmbH"),
         ("US", "Great Lakes Regional Medical Billing Services LLC", "Great Lakes Regional Medical Center LLC"),
         ("FR", "Société Européenne de Distribution Alimentaire SAS",
          "Société Européenne de Distribution Automobile SAS"),
         ("US", "First Continental Commercial Property Management LLC", "First Continental Commercial Properties LLC"),
         ("AU", "Australian Agricultural Machinery Importers Pty Ltd",
          "Australian Agricultural Machinery Hire Pty Ltd")]
    for i, (cc, a, b) in enumerate(N):
        _apart(out, cc, a, _cut(b, 35) if i % 2 else b, f"neg_prefix:{a}|{b}")
    # competition: two companies whose cut names are the same, both on both sides; the address tells them apart
    C = [("US", "Rocky Mountain Environmental Engineering Services Inc",
          "Rocky Mountain Environmental Engineering Supply Inc"),
         ("GB", "Northern Lights Renewable Energy Solutions Limited",
          "Northern Lights Renewable Energy Storage Limited"),
         ("DE", "Westfälische Drahtindustrie Verwaltungsgesellschaft mbH",
          "Westfälische Drahtindustrie Vertriebsgesellschaft mbH")]
    for cc, a, b in C:
        ad = addr(cc)
        bd = dict(ad, street=addr(cc)["street"])
        out.append(pair(a, _cut(a, 30), cc, tag=f"compete_cut:{a}", crm_over=ad, erp_over=ad))
        out.append(pair(b, _cut(b, 30), cc, tag=f"compete_cut:{b}", crm_over=bd, erp_over=bd))
    return out


# ------------------------------------------------------------------ spreadsheet and encoding round trips
def _mojibake(s: str) -> str:
    """UTF-8 text read as Windows-1252 (the bytes it leaves undefined kept as Latin-1), as a CSV opened in Excel
    with the wrong code page and saved again shows it."""
    return "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
                   for b in s.encode("utf-8"))


def roundtrip() -> list[Case]:
    """Master data that went through a spreadsheet or a lossy export on one side: postcodes whose leading zero
    Excel dropped (US ZIP codes of New England, New Jersey and Puerto Rico, German, French, Italian, Finnish and
    Mexican codes), postcodes read as numbers (``2134.0``) or kept as text with Excel's apostrophe; UTF-8 read as
    Windows-1252 (``MÃ¼ller``) or letters an ASCII export replaced by ``?``; a multi-line Salesforce street;
    and the real differences next to them."""
    out: list[Case] = []
    n = [0]

    def p(cc: str, crm: dict[str, str], erp: dict[str, str], diffs: Any = (), tag: str = "",
          name: str | None = None, erp_name: str | None = None) -> None:
        n[0] += 1
        nm = name or _world_name(n[0] + 3, cc if cc in ("US", "DE", "FR", "IT", "FI", "MX", "GB", "DK", "SE",
                                                        "PL", "ES", "CH", "AT", "NO", "CZ") else "US")
        c = dict(dict(street="", city="", pc="", state="", country=cc), **crm, name=nm)
        e = dict(c, **erp, name=erp_name or nm)
        out.append(dict(kind="pair", crm=c, erp=e, diffs=set(diffs), tag=tag, currency=CUR.get(cc, "EUR")))

    us = [("02134", "Boston", "MA", "120 Cambridge St"), ("07102", "Newark", "NJ", "1 Gateway Center"),
          ("06103", "Hartford", "CT", "185 Asylum St"), ("03101", "Manchester", "NH", "900 Elm St"),
          ("04101", "Portland", "ME", "100 Middle St"), ("05401", "Burlington", "VT", "30 Main St"),
          ("02903", "Providence", "RI", "50 Kennedy Plaza"), ("00901", "San Juan", "PR", "255 Calle Recinto Sur"),
          ("08540", "Princeton", "NJ", "100 Nassau St"), ("01608", "Worcester", "MA", "311 Main St")]
    for i, (z, city, st, street) in enumerate(us):
        base = dict(street=street, city=city, state=st, pc=z)
        lost = z.lstrip("0")
        if i % 3 == 0:
            p("US", base, dict(pc=lost), tag=f"us_zip_zero:{z}|{lost}")
        elif i % 3 == 1:
            p("US", dict(base, pc=f"{z}-{1000 + i * 37:04d}"), dict(pc=lost), tag=f"us_zip4_zero:{z}|{lost}")
        else:
            p("US", base, dict(pc=f"{lost}.0"), tag=f"us_zip_float:{z}|{lost}.0")
    p("US", dict(street="120 Cambridge St", city="Boston", state="MA", pc="02134"), dict(pc="'02134"),
      tag="us_zip_apostrophe")
    p("US", dict(street="1 Gateway Center", city="Newark", state="NJ", pc="07102"), dict(pc="7102-1234"),
      tag="us_zip4_text_zero_lost")
    world = [("DE", "01067", "Dresden", "Prager Straße 2"), ("DE", "04109", "Leipzig", "Markt 9"),
             ("FR", "06000", "Nice", "12 avenue Jean Médecin"), ("FR", "01000", "Bourg-en-Bresse", "5 rue Bichat"),
             ("IT", "00184", "Roma", "Via Nazionale 50"), ("FI", "00100", "Helsinki", "Aleksanterinkatu 15"),
             ("MX", "06600", "Ciudad de México", "Paseo de la Reforma 222"), ("ES", "08013", "Barcelona",
                                                                              "Carrer de Mallorca 401")]
    for i, (cc, z, city, street) in enumerate(world):
        lost = z.lstrip("0")
        p(cc, dict(street=street, city=city, pc=z), dict(pc=lost if i % 2 == 0 else f"{lost}.0"),
          tag=f"{cc.lower()}_pc_zero:{z}")
    p("DE", dict(street="Königstraße 10", city="Stuttgart", pc="70173"), dict(pc="70173.0"), tag="de_pc_float")
    # encoding: names, streets and cities written back as mojibake or with '?'
    names = [("DE", "Müller Maschinenbau GmbH"), ("FR", "Société Générale d'Équipement SAS"),
             ("DK", "Sørensen Køleteknik A/S"), ("SE", "Åström Förpackning AB"),
             ("PL", "Żabiński Transport Sp. z o.o."),
             ("ES", "Muñoz Ingeniería S.L."), ("CZ", "Dvořák Strojírna s.r.o."), ("DE", "Weiß & Söhne GmbH"),
             ("FR", "Boulangerie Lefèvre SARL"), ("AT", "Gräf Fördertechnik GmbH")]
    for cc, nm in names:
        p(cc, dict(addr(cc)), {}, name=nm, erp_name=_mojibake(nm), tag=f"mojibake_name:{nm}")
    for cc, nm in [("DE", "Müller Logistik GmbH"), ("FR", "Hôtel Bellevue SARL"), ("SE", "Björk Bygg AB"),
                   ("ES", "Peña Construcciones S.A.")]:
        q = "".join(ch if ord(ch) < 128 else "?" for ch in nm)
        p(cc, dict(addr(cc)), {}, name=nm, erp_name=q, tag=f"qmark_name:{nm}")
    for cc, st, city, pc in [("DE", "Hauptstraße 5", "München", "80331"), ("CH", "Bahnhofstrasse 1", "Zürich", "8001"),
                             ("DK", "Vesterbrogade 10", "København V", "1620"),
                             ("FR", "3 place de la République", "Besançon", "25000")]:
        p(cc, dict(street=st, city=city, pc=pc), dict(street=_mojibake(st), city=_mojibake(city)),
          tag=f"mojibake_addr:{st}|{city}")
    # Salesforce's BillingStreet is a text area: a second line where the ERP has one line with a comma
    for st1, st2 in [("12 High Street\nUnit 4", "12 High Street, Unit 4"),
                     ("Riverside House\n2 Mill Lane", "Riverside House, 2 Mill Lane"),
                     ("45 Market St\r\nSuite 200", "45 Market St Suite 200")]:
        cc = "US" if "Suite" in st1 else "GB"
        p(cc, dict(street=st1, city="Leeds" if cc == "GB" else "Austin", pc="LS1 4AP" if cc == "GB" else "78701",
                   state="TX" if cc == "US" else ""), dict(street=st2), tag=f"multiline_street:{st2}")
    # real differences next to them
    p("US", dict(street="120 Cambridge St", city="Boston", state="MA", pc="02134"), dict(pc="2135"),
      diffs={"postcode"}, tag="TRUE_zip:02134|2135")
    p("US", dict(street="1 Gateway Center", city="Newark", state="NJ", pc="07102"), dict(pc="70102"),
      diffs={"postcode"}, tag="TRUE_zip:07102|70102")
    p("DE", dict(street="Prager Straße 2", city="Dresden", pc="01067"), dict(pc="1069"), diffs={"postcode"},
      tag="TRUE_pc:01067|1069")
    p("DE", dict(street="Markt 9", city="Leipzig", pc="04109"), dict(pc="41090"), diffs={"postcode"},
      tag="TRUE_pc:04109|41090")
    p("DE", dict(addr("DE")), {}, name="Müller Logistik GmbH", erp_name=_mojibake("Möller Logistik GmbH"),
      diffs={"name"}, tag="TRUE_mojibake:Müller|Möller")
    return out


# ------------------------------------------------------------------ store and branch numbers
def branches() -> list[Case]:
    """Chain stores, branches and franchise units as two systems write them: ``#1234``, ``Store 1234``,
    ``No. 1234``, ``Filiale Nr. 123``, ``n°214``, leading zeros, the brand's older spelling, a location suffix;
    and, at once, the units that must not be linked: one brand in one city with another store number, a store and
    its pharmacy at one address, two units of one chain competing for a link."""
    out: list[Case] = []
    L = [("US", "Walmart #1234", "Walmart Store 1234"), ("US", "Walmart Store #2281", "WAL-MART STORE NO. 2281"),
         ("US", "Walmart Supercenter #3307", "Walmart Supercenter 3307"),
         ("US", "McDonald's #4521", "McDonalds Restaurant #4521"),
         ("US", "Home Depot #0612", "The Home Depot Store 612"),
         ("US", "CVS Pharmacy #07731", "CVS Pharmacy 7731"), ("US", "Shell Station 0456", "Shell #456"),
         ("US", "Starbucks Coffee #10234", "Starbucks #10234"), ("US", "7-Eleven #35012", "7 Eleven Store 35012"),
         ("US", "Holiday Inn Express - Austin North", "Holiday Inn Express Austin North"),
         ("DE", "ALDI SÜD Filiale 123", "Aldi Süd Filiale Nr. 123"),
         ("DE", "REWE Markt GmbH Filiale 4711", "REWE Markt GmbH - Filiale 4711"),
         ("GB", "Tesco Express Store 2345", "TESCO EXPRESS 2345"),
         ("GB", "Costa Coffee (Store 118)", "Costa Coffee 118"),
         ("FR", "Carrefour Market n°214", "Carrefour Market No 214"),
         ("US", "Subway #21934", "Subway Restaurant No 21934"), ("US", "Walgreens #3011", "Walgreen Co. #3011"),
         ("US", "Target Store T-1375", "Target T1375"), ("US", "AutoZone #4012", "Autozone Store 4012"),
         ("DE", "dm-drogerie markt Filiale 1502", "dm drogerie markt 1502"),
         ("NL", "Albert Heijn filiaal 1432", "Albert Heijn #1432"),
         ("GB", "Specsavers Opticians - Leeds Briggate", "Specsavers Leeds Briggate"),
         ("US", "Enterprise Rent-A-Car Branch 3021", "Enterprise Rent A Car #3021"),
         ("US", "Dollar General Store #14502", "DOLLAR GENERAL #14502"),
         ("US", "Burger King #00871", "Burger King Restaurant 871"),
         ("CA", "Tim Hortons #2210", "Tim Horton's Store 2210"),
         ("GB", "Greggs plc Shop 1123", "Greggs 1123"), ("US", "Walmart #1234 ", "Walmart # 1234")]
    for cc, a, b in L:
        out.append(pair(a, b, cc, tag=f"store:{a}|{b}"))
    # real differences on cross-referenced pairs: the other store's number, another location
    T = [("US", "Walmart #1234", "Walmart #1243"), ("US", "McDonald's #4521", "McDonald's #4512"),
         ("US", "Holiday Inn Express Austin North", "Holiday Inn Express Austin South")]
    for cc, a, b in T:
        out.append(pair(a, b, cc, diffs={"name"}, tag=f"TRUE_store:{a}|{b}"))
    # one brand, one city, another unit: never one customer
    N = [("US", "Walmart #1234", "Walmart #1243"), ("US", "McDonald's #4521", "McDonald's #4512"),
         ("US", "CVS Pharmacy #7731", "CVS Pharmacy #7713"), ("GB", "Tesco Express 2345", "Tesco Express 2354"),
         ("DE", "ALDI SÜD Filiale 123", "ALDI SÜD Filiale 132"), ("US", "Starbucks #10234", "Starbucks #10243"),
         ("US", "7-Eleven #35012", "7-Eleven #35021"), ("US", "Subway #21934", "Subway #21943"),
         ("FR", "Carrefour Market n°214", "Carrefour Market n°241"), ("US", "Shell #456", "Shell #465"),
         ("US", "Walmart Supercenter #1234", "Walmart Pharmacy #1234"),
         ("US", "Holiday Inn Express Austin North", "Holiday Inn Express Austin South"),
         ("US", "Dollar General #14502", "Dollar General #14520"), ("CA", "Tim Hortons #2210", "Tim Hortons #2201"),
         ("US", "Walmart Store 1234", "Walmart Store 12345"), ("US", "Burger King #871", "Burger King #8710")]
    for i, (cc, a, b) in enumerate(N):
        _apart(out, cc, a, b, f"neg_store:{a}|{b}", same_street=bool(i % 2))
    # competition: three units of one chain in one city on both sides, each written differently by the ERP
    for cc, brand, nums, fmt in [("US", "Acme Hardware", (101, 102, 103), "{b} Store {n}"),
                                 ("DE", "Bäckerei Kamps", (17, 71, 117), "{b} Filiale Nr. {n}"),
                                 ("GB", "Boots Pharmacy", (5501, 5510, 5515), "BOOTS PHARMACY {n}")]:
        city = addr(cc)
        for num in nums:
            ad = dict(city, street=addr(cc)["street"])
            out.append(pair(f"{brand} #{num}", fmt.format(b=brand, n=num), cc, tag=f"compete_store:{brand}#{num}",
                            crm_over=ad, erp_over=ad))
    return out


# ------------------------------------------------------------------ look-alike names of different companies
def lookalikes() -> list[Case]:
    """Different companies whose names are one letter, one plural ``s``, one digit or one first name apart, and a
    parent next to its subsidiary at one address: none may be linked. With them the same companies written
    differently (case, legal form, punctuation, a number as a word), which must still link, and look-alikes
    present on both sides, each to be linked to its own."""
    out: list[Case] = []
    N = [("GB", "Alpha Tec Ltd", "Alpha Tex Ltd"), ("US", "Pacific Resource Partners LLC",
                                                   "Pacific Resources Partners LLC"),
         ("GB", "Greenway Homes Ltd", "Greenway Home Ltd"), ("US", "Premier Tool Inc", "Premier Tools Inc"),
         ("DE", "Beta Systeme GmbH", "Beta System GmbH"), ("US", "Apex Mold Inc", "Apex Molds Inc"),
         ("US", "Vista Print Services LLC", "Vista Paint Services LLC"), ("GB", "Castle Rock Ltd", "Castle Rack Ltd"),
         ("US", "Orion Tile Inc", "Orion Tire Inc"), ("US", "Lumen Optics Inc", "Lumin Optics Inc"),
         ("DE", "Kraus Bau GmbH", "Krause Bau GmbH"), ("DE", "Wagner Metall GmbH", "Wegner Metall GmbH"),
         ("NL", "De Vries Transport B.V.", "De Vos Transport B.V."), ("US", "Brightline Media LLC",
                                                                      "Brightlane Media LLC"),
         ("US", "Mason Electric Co", "Mason Electrical Co"), ("US", "Smith & Son Roofing LLC",
                                                              "Smith & Sons Roofing LLC"),
         ("US", "Robert Chen CPA", "Roberta Chen CPA"), ("DE", "Dr. med. Thomas Weber", "Dr. med. Tobias Weber"),
         ("GB", "J. Patel Pharmacy Ltd", "K. Patel Pharmacy Ltd"), ("US", "Maria Garcia DDS", "Mario Garcia DDS"),
         ("FR", "Cabinet Martin Pierre", "Cabinet Martin Paul"), ("IN", "R. Krishnan & Co", "S. Krishnan & Co"),
         ("US", "Harbor Holdings Inc", "Harbor Services Inc"), ("DE", "Keller Holding GmbH", "Keller Service GmbH"),
         ("GB", "Orchard Group Ltd", "Orchard Property Ltd"), ("US", "Meridian Capital LLC",
                                                              "Meridian Capital Management LLC"),
         ("NL", "Van Dijk Beheer B.V.", "Van Dijk Transport B.V."),
         ("US", "Lakeshore Health System Inc", "Lakeshore Health Foundation Inc"),
         ("US", "Route 66 Diner LLC", "Route 67 Diner LLC"), ("GB", "Unit 4 Motors Ltd", "Unit 9 Motors Ltd"),
         ("US", "Studio 21 Salon LLC", "Studio 12 Salon LLC"), ("US", "Pier 39 Seafood Inc", "Pier 93 Seafood Inc"),
         ("GB", "Hill & Sons Builders Ltd", "Hills & Sons Builders Ltd"), ("US", "Sunrise Bakery Inc",
                                                                          "Sunset Bakery Inc")]
    for i, (cc, a, b) in enumerate(N):
        _apart(out, cc, a, b, f"neg_look:{a}|{b}", same_street=bool(i % 2))
    # the same company written differently: must still link
    L = [("GB", "Alpha Tec Ltd", "ALPHA TEC LIMITED"), ("US", "Premier Tools Inc", "Premier Tools, Inc."),
         ("US", "Mason Electric Co", "Mason Electric Company"), ("DE", "Beta Systeme GmbH", "BETA SYSTEME GMBH"),
         ("US", "Route 66 Diner LLC", "Route 66 Diner, L.L.C."), ("US", "Robert Chen CPA", "Chen, Robert CPA"),
         ("NL", "Van Dijk Beheer B.V.", "van Dijk Beheer BV"), ("US", "Four Seasons Landscaping Inc",
                                                                 "4 Seasons Landscaping Inc"),
         ("US", "First Street Bakery LLC", "1st Street Bakery LLC"), ("US", "A1 Auto Repair LLC",
                                                                      "A-1 Auto Repair LLC"),
         ("US", "Pro-Tech Services Inc", "Protech Services Inc"), ("GB", "Smith & Nephew plc", "Smith and Nephew PLC"),
         ("US", "Harbor Holdings Inc", "Harbor Holdings Incorporated"), ("DE", "Dr. med. Thomas Weber",
                                                                         "Weber, Thomas Dr. med."),
         ("US", "Lakeshore Health System Inc", "Lakeshore Health System, Inc."),
         ("GB", "Hill & Sons Builders Ltd", "Hill and Sons Builders Limited")]
    for cc, a, b in L:
        out.append(pair(a, b, cc, tag=f"same:{a}|{b}"))
    # real differences on cross-referenced pairs
    for cc, a, b in [("GB", "Alpha Tec Ltd", "Alpha Tex Ltd"), ("US", "Premier Tool Inc", "Premier Tools Inc"),
                     ("US", "Harbor Holdings Inc", "Harbor Services Inc")]:
        out.append(pair(a, b, cc, diffs={"name"}, tag=f"TRUE_look:{a}|{b}"))
    # competition: both look-alikes on both sides, one city, each written differently by the ERP
    C = [("GB", "Alpha Tec Ltd", "ALPHA TEC LIMITED", "Alpha Tex Ltd", "ALPHA TEX LIMITED"),
         ("US", "Premier Tool Inc", "Premier Tool, Inc.", "Premier Tools Inc", "Premier Tools, Inc."),
         ("DE", "Kraus Bau GmbH", "KRAUS BAU GMBH", "Krause Bau GmbH", "KRAUSE BAU GMBH"),
         ("US", "Route 66 Diner LLC", "Route 66 Diner L.L.C.", "Route 67 Diner LLC", "Route 67 Diner L.L.C.")]
    for cc, a1, a2, b1, b2 in C:
        ad = addr(cc)
        bd = dict(ad, street=addr(cc)["street"])
        out.append(pair(a1, a2, cc, tag=f"compete_look:{a1}|{a2}", crm_over=ad, erp_over=ad))
        out.append(pair(b1, b2, cc, tag=f"compete_look:{b1}|{b2}", crm_over=bd, erp_over=bd))
    return out


CLASSES: dict[str, Callable[[], list[Case]]] = {
    "translit": translit, "legal": legal, "order": order, "abbrev": abbrev, "addresses": addresses,
    "taxids": taxids, "negatives": negatives, "negatives2": negatives2, "regional": regional,
    "entities": entities, "samesite": samesite, "cjk": cjk, "emerging": emerging, "tradenames": tradenames,
    "taxfmt": taxfmt, "fieldlimits": fieldlimits, "roundtrip": roundtrip, "branches": branches,
    "lookalikes": lookalikes}

# The modes each class runs in (harness.MODES): without a cross-reference, and with one (tax ids: tax id only).
PLAN: dict[str, tuple[str, ...]] = {
    "translit": ("fuzzy", "xref"), "legal": ("fuzzy", "xref"), "order": ("fuzzy", "xref"),
    "abbrev": ("fuzzy", "xref"), "addresses": ("fuzzy", "xref"), "taxids": ("tax", "xref"),
    "negatives": ("fuzzy", "xref"), "negatives2": ("fuzzy",), "regional": ("fuzzy", "xref"),
    "entities": ("fuzzy", "xref"), "samesite": ("fuzzy",), "cjk": ("fuzzy", "xref"),
    "emerging": ("fuzzy", "xref"), "tradenames": ("fuzzy", "xref"), "taxfmt": ("tax", "xref"),
    "fieldlimits": ("fuzzy", "xref"), "roundtrip": ("fuzzy", "xref"), "branches": ("fuzzy", "xref"),
    "lookalikes": ("fuzzy", "xref")}


def cases(name: str) -> list[Case]:
    """The cases of one class, the same on every call."""
    _fresh()
    return CLASSES[name]()
