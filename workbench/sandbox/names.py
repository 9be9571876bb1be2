"""Country data for the scenario generator: company names, addresses, tax ids, currencies.

Kept as plain tables so a reviewer can check them against reality: legal forms are the
ones each country's register uses, postcodes follow each country's format, tax ids
follow each country's VAT / business-number layout (FR with its real SIREN check key).
"""

from __future__ import annotations

COUNTRIES = ("US", "GB", "DE", "FR", "NL", "ES", "IT", "JP", "CH", "SE")
# rough share of customers per country (sums to 1)
COUNTRY_WEIGHTS = (0.24, 0.14, 0.16, 0.10, 0.07, 0.06, 0.06, 0.07, 0.05, 0.05)

CURRENCY = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR", "ES": "EUR",
            "IT": "EUR", "JP": "JPY", "CH": "CHF", "SE": "SEK"}

# Legal form as written in the register, and synonyms the same company is often
# written with elsewhere (the decoys: same company, different spelling).
LEGAL_FORMS = {
    "US": ("Inc", "LLC", "Corp", "Inc.", "Corporation"),
    "GB": ("Ltd", "PLC", "Limited", "LLP"),
    "DE": ("GmbH", "AG", "GmbH & Co. KG", "SE"),
    "FR": ("SAS", "SARL", "S.A."),
    "NL": ("B.V.", "N.V."),
    "ES": ("S.L.", "S.A."),
    "IT": ("S.p.A.", "S.r.l."),
    "JP": ("K.K.", "Co., Ltd."),
    "CH": ("AG", "GmbH", "SA"),
    "SE": ("AB",),
}
LEGAL_SYNONYMS = {
    "GmbH": "G.m.b.H.", "Inc": "Incorporated", "Inc.": "Incorporated", "Ltd": "Limited",
    "Corp": "Corporation", "AG": "Aktiengesellschaft", "B.V.": "BV", "AB": "Aktiebolag",
    "S.A.": "SA", "S.p.A.": "SpA", "K.K.": "Kabushiki Kaisha", "SAS": "S.A.S.", "SARL": "S.A.R.L.",
    "LLC": "L.L.C.", "PLC": "Public Limited Company", "Limited": "Ltd", "Corporation": "Corp",
    "S.L.": "SL", "S.r.l.": "Srl", "N.V.": "NV", "SA": "S.A.", "Co., Ltd.": "Company Limited",
    "GmbH & Co. KG": "GmbH & Co KG", "SE": "S.E.", "LLP": "L.L.P.",
}

STEMS = {
    "US": ("Adams", "Baker", "Carter", "Dawson", "Ellis", "Foster", "Grant", "Harper", "Irving", "Jensen",
           "Keller", "Lawson", "Mercer", "Nolan", "Parker", "Quinn", "Reed", "Sawyer", "Tucker", "Walsh",
           "Summit", "Pinnacle", "Redwood", "Lakeside", "Bluewater", "Granite", "Liberty", "Frontier"),
    "GB": ("Ashworth", "Bramley", "Cartwright", "Davenport", "Fairfax", "Hargreaves", "Kingsley", "Lockwood",
           "Marlow", "Pemberton", "Radcliffe", "Thornton", "Whitfield", "Yardley", "Albion", "Thames",
           "Pennine", "Severn", "Cotswold", "Highgate"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Schäfer", "Koch", "Bauer",
           "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Zimmermann", "Krüger", "Hofmann", "Hartmann",
           "Lange", "Köhler", "Rhein", "Isar", "Nordlicht", "Alpen"),
    "FR": ("Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
           "Rousseau", "Chevalier", "Garnier", "Mercier", "Faure", "Gauthier", "Rhône", "Loire", "Provence"),
    "NL": ("de Vries", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
           "de Groot", "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Oranje", "Zuiderzee", "Delta"),
    "ES": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
           "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Iberia", "Mediterráneo", "Castilla"),
    "IT": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
           "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Adriatica", "Lombarda", "Toscana"),
    "JP": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi",
           "Kato", "Yoshida", "Yamada", "Sasaki", "Matsumoto", "Fuji", "Sakura", "Kansai", "Hokuto"),
    "CH": ("Meier", "Keller", "Brunner", "Steiner", "Baumann", "Gerber", "Frei", "Moser", "Graf", "Huber",
           "Zürcher", "Helvetia", "Matterhorn", "Jura", "Leman", "Engadin"),
    "SE": ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
           "Svensson", "Gustafsson", "Lindberg", "Norrland", "Vasa", "Öresund", "Skåne", "Göta"),
}

INDUSTRY = {
    "US": ("Industries", "Technologies", "Logistics", "Manufacturing", "Systems", "Holdings", "Software",
           "Supply", "Medical", "Energy", "Foods", "Analytics"),
    "GB": ("Engineering", "Logistics", "Consulting", "Trading", "Holdings", "Software", "Pharma",
           "Foods", "Instruments", "Freight"),
    "DE": ("Maschinenbau", "Logistik", "Elektrotechnik", "Software", "Handel", "Antriebstechnik",
           "Anlagenbau", "Kunststofftechnik", "Medizintechnik", "Feinmechanik"),
    "FR": ("Industrie", "Logistique", "Conseil", "Distribution", "Technologies", "Énergie",
           "Solutions", "Services"),
    "NL": ("Logistiek", "Techniek", "Handel", "Software", "Installaties", "Transport", "Holding"),
    "ES": ("Ingeniería", "Logística", "Distribuciones", "Tecnología", "Servicios", "Industrial"),
    "IT": ("Meccanica", "Logistica", "Impianti", "Tecnologie", "Servizi", "Costruzioni", "Alimentari"),
    "JP": ("Seiki", "Denki", "Shoji", "Kogyo", "Tsusho", "Electronics", "Trading"),
    "CH": ("Präzision", "Technik", "Handel", "Pharma", "Systeme", "Instruments"),
    "SE": ("Teknik", "Logistik", "Industri", "Handel", "System", "Verkstad"),
}

# (city, state/region code or "", postcode stem); the postcode is completed by POSTCODE below
CITIES = {
    "US": (("New York", "NY", "100"), ("Chicago", "IL", "606"), ("Austin", "TX", "787"),
           ("Seattle", "WA", "981"), ("Atlanta", "GA", "303"), ("Denver", "CO", "802"),
           ("Boston", "MA", "021"), ("San Jose", "CA", "951")),
    "GB": (("London", "", "EC1A"), ("Manchester", "", "M1"), ("Birmingham", "", "B1"),
           ("Leeds", "", "LS1"), ("Bristol", "", "BS1"), ("Edinburgh", "", "EH1")),
    "DE": (("Berlin", "", "10"), ("München", "", "80"), ("Hamburg", "", "20"), ("Köln", "", "50"),
           ("Frankfurt am Main", "", "60"), ("Stuttgart", "", "70"), ("Düsseldorf", "", "40")),
    "FR": (("Paris", "", "750"), ("Lyon", "", "690"), ("Marseille", "", "130"), ("Toulouse", "", "310"),
           ("Nantes", "", "440"), ("Lille", "", "590")),
    "NL": (("Amsterdam", "", "10"), ("Rotterdam", "", "30"), ("Utrecht", "", "35"),
           ("Eindhoven", "", "56"), ("Den Haag", "", "25")),
    "ES": (("Madrid", "", "280"), ("Barcelona", "", "080"), ("Valencia", "", "460"),
           ("Sevilla", "", "410"), ("Bilbao", "", "480")),
    "IT": (("Milano", "", "201"), ("Roma", "", "001"), ("Torino", "", "101"), ("Bologna", "", "401"),
           ("Napoli", "", "801")),
    "JP": (("Tokyo", "", "100"), ("Osaka", "", "530"), ("Nagoya", "", "450"), ("Yokohama", "", "220"),
           ("Fukuoka", "", "810")),
    "CH": (("Zürich", "", "80"), ("Genève", "", "12"), ("Basel", "", "40"), ("Bern", "", "30"),
           ("Lausanne", "", "10")),
    "SE": (("Stockholm", "", "11"), ("Göteborg", "", "41"), ("Malmö", "", "21"), ("Uppsala", "", "75")),
}

STREETS = {
    "US": ("Main Street", "Market Street", "Oak Avenue", "Commerce Drive", "Park Avenue", "Industrial Way"),
    "GB": ("High Street", "Station Road", "Church Lane", "Victoria Road", "King Street", "Mill Lane"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenstraße", "Schillerstraße", "Lindenallee"),
    "FR": ("rue de la République", "avenue Victor Hugo", "rue Pasteur", "boulevard Gambetta", "rue du Commerce"),
    "NL": ("Kerkstraat", "Stationsweg", "Industrieweg", "Dorpsstraat", "Havenstraat"),
    "ES": ("Calle Mayor", "Avenida de la Constitución", "Calle Real", "Paseo de Gracia", "Calle del Sol"),
    "IT": ("Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Viale Europa"),
    "JP": ("Marunouchi", "Umeda", "Sakae", "Minatomirai", "Tenjin"),
    "CH": ("Bahnhofstrasse", "Industriestrasse", "Seestrasse", "Rue du Rhône", "Hauptgasse"),
    "SE": ("Storgatan", "Drottninggatan", "Kungsgatan", "Industrivägen", "Hamngatan"),
}

# Street line layout: "{n} {street}" (US/GB/FR/JP) or "{street} {n}" (the rest)
NUMBER_FIRST = {"US", "GB", "FR", "JP"}

TLD = {"US": "com", "GB": "co.uk", "DE": "de", "FR": "fr", "NL": "nl", "ES": "es", "IT": "it",
       "JP": "co.jp", "CH": "ch", "SE": "se"}

PHONE_PREFIX = {"US": "+1", "GB": "+44", "DE": "+49", "FR": "+33", "NL": "+31", "ES": "+34",
                "IT": "+39", "JP": "+81", "CH": "+41", "SE": "+46"}


def postcode(country: str, stem: str, r: int) -> str:
    """A postcode in the country's format from a city stem and a random int."""
    if country == "US":
        return f"{stem}{r % 100:02d}"
    if country == "GB":
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        return f"{stem} {r % 9 + 1}{letters[r // 9 % 20]}{letters[r // 180 % 20]}"
    if country == "DE":
        return f"{stem}{r % 1000:03d}"
    if country == "IT":
        return f"{stem}{r % 100:02d}"
    if country in ("FR", "ES"):
        return f"{stem}{r % 100:02d}"
    if country == "NL":
        letters = "ABCDEGHJKLMNPRSTVWXZ"
        return f"{stem}{r % 100:02d} {letters[r // 100 % 20]}{letters[r // 2000 % 20]}"
    if country == "JP":
        return f"{stem}-{r % 10000:04d}"
    if country == "CH":
        return f"{stem}{r % 100:02d}"
    if country == "SE":
        return f"{stem}{r % 10} {r // 10 % 100:02d}"
    raise ValueError(country)


def tax_id(country: str, r: int) -> str:
    """A tax / VAT id in the country's real layout from a random int (< 10**12)."""
    n9 = r % 900_000_000 + 100_000_000
    if country == "DE":
        return f"DE{n9}"
    if country == "GB":
        return f"GB{n9}"
    if country == "FR":
        siren = n9
        return f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siren}"
    if country == "NL":
        return f"NL{n9}B01"
    if country == "ES":
        return f"ESB{n9 % 100_000_000:08d}"
    if country == "IT":
        return f"IT{r % 10**11:011d}"
    if country == "JP":
        return f"T{r % 10**12 + 10**12:013d}"
    if country == "CH":
        s = f"{n9}"
        return f"CHE-{s[:3]}.{s[3:6]}.{s[6:]} MWST"
    if country == "SE":
        return f"SE{r % 10**10:010d}01"
    if country == "US":
        s = f"{n9}"
        return f"{s[:2]}-{s[2:]}"
    raise ValueError(country)
