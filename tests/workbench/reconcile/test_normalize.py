"""Equivalent representations compare equal; different entities do not."""

import pytest

from workbench.reconcile import normalize as nz


@pytest.mark.parametrize("a,b", [
    ("Müller Maschinenbau GmbH", "MÜLLER MASCHINENBAU G.m.b.H."),
    ("Acme Inc", "ACME Incorporated"),
    ("Thornton Trading Ltd", "Thornton Trading Limited"),
    ("Smith & Jones Logistics LLC", "Smith and Jones Logistics L.L.C."),
    ("The Baker Company", "Baker Co."),
    ("Fuji Seiki K.K.", "Fuji Seiki Kabushiki Kaisha"),
    ("Sato Trading Co., Ltd.", "Sato Trading Company Limited"),
    ("Rossi Meccanica S.p.A.", "Rossi Meccanica SpA"),
    ("Delta Logistiek B.V.", "Delta Logistiek BV"),
    ("Dubois Conseil S.A.R.L.", "Dubois Conseil SARL"),
    ("Weber Anlagenbau GmbH & Co. KG", "Weber Anlagenbau GmbH & Co KG"),
    ("Global Intl Mfg Svcs Corp", "Global International Manufacturing Services Corporation"),
    ("  Lindberg   Teknik AB ", "Lindberg Teknik Aktiebolag"),
    ("Thames Pharma PLC", "Thames Pharma Public Limited Company"),
    ("Nordlicht Software AG", "Nordlicht Software Aktiengesellschaft"),
])
def test_company_names_equal_up_to_spelling(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [
    ("Weber Handel GmbH", "Weber Handel AG"),                     # different legal entities
    ("Baker Systems Inc", "Baker International Systems Inc"),     # a word added
    ("Nordic Steel AB", "Baltic Steel AB"),                       # a word replaced
    ("Atlantic Freight Ltd", "Freight Ltd"),                      # a word dropped
    ("Bauer Logistik GmbH", "Baier Logistik GmbH"),               # one letter in a short word: another name
    ("Store 12 Retail Inc", "Store 13 Retail Inc"),               # numbers are never typos
])
def test_different_names_stay_different(a, b):
    assert not nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [
    ("Atlatic Freight Ltd", "Atlantic Freight Ltd"),               # a one-letter typo in a long word
    ("Reeves LLP", "Renves LLP"),                                  # ... even one ending in s
    ("Elektro Saar GmbH", "Saar Elektro GmbH"),                    # word order
    ("Hansen GmbH u. Co. KG", "Hansen GmbH & Co. KG"),             # "u." for "&"
    ("Hansen GmbH und Co. KG", "Hansen GmbH and Co KG"),
    ("Kabushiki Kaisha Watanabe Logistics", "Watanabe Logistics KK"),  # legal form before the name
    ("Garcia y Hijos SL", "Garcia e Hijos S.L."),
    ("Blue Water Partners LLC", "BlueWater Partners LLC"),          # words run together
])
def test_cosmetic_variants_are_equivalent(a, b):
    assert nz.names_equivalent(a, b)


def test_legal_form_split_off_the_core():
    assert nz.name_parts("Weber Anlagenbau GmbH & Co. KG") == ("weber anlagenbau", "gmbh co kg")
    assert nz.name_parts("The Coca-Cola Company") == ("coca cola", "co")


@pytest.mark.parametrize("a,ca,b,cb", [
    ("DE 123 456 789", "DE", "DE123456789", "DE"),
    ("123.456.789", "DE", "DE-123456789", None),
    ("GB123456789", "GB", "123 4567 89", "GB"),
    ("GB 123456789 000", "GB", "GB123456789", "GB"),
    ("CHE-123.456.789 MWST", "CH", "CHE123456789", "CH"),
    ("EL123456789", "GR", "123456789", "GR"),
])
def test_vat_ids_normalised_per_country(a, ca, b, cb):
    assert nz.tax_equivalent(a, b, ca, cb)


def test_vat_ids_of_different_countries_differ():
    assert not nz.tax_equivalent("DE123456789", "FR123456789", "DE", "FR")
    assert nz.tax_key("N/A", "DE") is None


@pytest.mark.parametrize("url", ["https://www.Example.com/contact", "example.com.", "WWW.EXAMPLE.COM:443",
                                 "http://example.com?x=1", "www2.example.com"])
def test_website_domain(url):
    assert nz.domain_key(url) == "example.com"


def test_number_policy():
    assert nz.number_key(" c-00012 ") == nz.number_key("C12")
    assert nz.number_key("C-00012", leading_zeros="keep") != nz.number_key("C12", leading_zeros="keep")
    assert nz.number_key("abc", case="sensitive") != nz.number_key("ABC", case="sensitive")


def test_salesforce_ids_in_18_char_form():
    assert nz.sf_id_key("001000000000001") == nz.sf_id_key("001000000000001AAA")
    assert nz.sf_id_key("C10012") is None


def test_street_and_postcode_forms():
    assert nz.street_key("Hauptstraße 5") == nz.street_key("Hauptstr. 5")
    assert nz.street_key("12 Main Street") == nz.street_key("12 Main St.")
    assert nz.postcode_key("02101-1234", "US") == nz.postcode_key("02101", "US")
    assert nz.postcode_key("ec1a 1bb") == nz.postcode_key("EC1A1BB")


@pytest.mark.parametrize("a,b,country", [
    ("Avda. de la Constitución 12", "Avenida de la Constitucion 12", "ES"),
    ("C/ Mayor 5", "Calle Mayor 5", "ES"),
    ("Pza. España 1", "Plaza España 1", "ES"),
    ("12 bd Haussmann", "12 boulevard Haussmann", "FR"),
    ("4 Oak Cl", "4 Oak Close", "GB"),
    ("9 Park Cres", "9 Park Crescent", "AU"),
    ("Kerkstr. 4", "Kerkstraat 4", "NL"),
    ("P.za Garibaldi 3", "Piazza Garibaldi 3", "IT"),
    ("Hauptstraße 4", "Hauptstr. 4", "DE"),
    ("Rua Augusta 20", "R. Augusta 20", "PT"),
    ("35 David Sta", "35 David Station", "US"),                  # USPS Publication 28 suffixes
    ("4 Oak Br", "4 Oak Branch", "US"),
])
def test_street_type_abbreviations_of_the_country_are_equal(a, b, country):
    assert nz.street_key(a, country) == nz.street_key(b, country)


@pytest.mark.parametrize("a,b,country", [
    ("Calle Mayor 5", "Calle Mayor 7", "ES"),       # another house
    ("4 Mill Lane", "4 Mill Road", "GB"),           # another street type is another street
    ("Avenida del Puerto 3", "Calle del Puerto 3", "ES"),
])
def test_different_streets_stay_different(a, b, country):
    assert nz.street_key(a, country) != nz.street_key(b, country)
    assert not nz.streets_equivalent(a, b, country)


def test_a_word_truncated_with_a_dot_stands_for_the_longer_word():
    assert nz.streets_equivalent("Vic. Rosselli, 73", "Vicolo Rosselli, 73", "IT")
    assert not nz.streets_equivalent("Vic. Rosselli, 73", "Vicolo Rosselli, 75", "IT")
    assert not nz.streets_equivalent("Via Roma 4", "Viale Roma 4", "IT")  # no dot: another street type


@pytest.mark.parametrize("a,b", [
    ("Westin Lindberg HB", "Westin Lindberg Handelsbolag"),
    ("Boels V.O.F.", "Boels Vennootschap onder firma"),
    ("Budig Kommanditgesellschaft auf Aktien", "Budig KGaA"),
    ("Crispi e Iannucci S.n.c.", "Crispi e Iannucci Società in nome collettivo"),
    ("Öberg & Wallin HB", "Öberg och Wallin HB"),
    ("Broek en van Dijk V.O.F.", "Broek & van Dijk V.O.F."),
    ("Ferguson Tech PLC", "Ferguson Technologies PLC"),
])
def test_legal_forms_conjunctions_and_abbreviations_across_languages(a, b):
    assert nz.names_equivalent(a, b)


def test_house_number_before_or_after_the_street_and_definite_street_types():
    assert nz.street_key("Truppstraße 234", "DE") == nz.street_key("234 Truppstraße", "DE")
    assert nz.street_key("Kyrkovägen 172", "SE") == nz.street_key("Kyrkov. 172", "SE")
    assert nz.street_key("Björkg. 240", "SE") == nz.street_key("Björkgatan 240", "SE")
    assert nz.street_key("Truppstraße 234", "DE") != nz.street_key("Truppstraße 243", "DE")


def test_zip_plus_four_and_japanese_invoice_registration_numbers():
    assert nz.postcode_key("06293-8824", "United States") == nz.postcode_key("06293", "US")
    assert nz.tax_equivalent("T7623556752334", "7623556752334", "JP", "JP")
    assert not nz.tax_equivalent("T7623556752334", "7623556752335", "JP", "JP")


def test_a_run_together_abbreviation_is_read_every_way_it_can_be():
    # "Joepln." is Joep + laan ("ln.") or Joe + plein ("pln."): the line with "Joeplaan" is the same street
    assert nz.streets_equivalent("Joeplaan 26", "Joepln. 26", "NL")
    assert nz.streets_equivalent("Joepln. 26", "Joeplaan 26", "NL")
    assert not nz.streets_equivalent("Joeplaan 26", "Joepln. 28", "NL")  # the house number still decides
    assert not nz.streets_equivalent("Markplaan 3", "Joepln. 3", "NL")


# Found by the variation probe (benchmarks/variations, class abbrev): a word written short that no table lists, or
# a name written as its initials, was reported as another name (customer.attribute_mismatch) on customers linked by
# their cross-reference. ERP name fields are often short, so CRMs and ERPs abbreviate differently.
@pytest.mark.parametrize("a,b", [
    ("Amer Steel Inc", "American Steel Inc"),                         # the word's first letters
    ("Pioneer Constr Co", "Pioneer Construction Co"),
    ("Redline Auto. Svc. Inc", "Redline Automotive Service Inc"),    # a dot marks a short form; Svc the table knows
    ("Gulf Coast Chem Inc", "Gulf Coast Chemicals Inc"),
    ("Vereinigte Stahlw. GmbH", "Vereinigte Stahlwerke GmbH"),
    ("Kent Bldg Supplies Ltd", "Kent Building Supplies Ltd"),        # its consonants in order
    ("Harbour Pkg Ltd", "Harbour Packaging Limited"),
    ("IBM Corp", "International Business Machines Corp"),            # the initials of the other's words
    ("RBS plc", "Royal Bank of Scotland plc"),                       # "of" is no word of the initials
    ("SAP SE", "Systeme, Anwendungen und Produkte SE"),
    ("KFC Franchise Holdings LLC", "Kentucky Fried Chicken Franchise Holdings LLC"),
    ("Quantum Communications Inc", "Quantum Comm Inc"),              # on either side
])
def test_a_name_with_words_written_short_or_as_initials_is_one_name(a, b):
    assert nz.names_equivalent(a, b)
    assert not nz.names_identical(a, b)  # a name variant, listed where [rules.customers] name_variants = "report"


@pytest.mark.parametrize("a,b", [
    ("Bay Foods Ltd", "Bayer Foods Ltd"),              # two letters more is another word, not a short form
    ("Lincoln Electric Inc", "Lincoln Electrical Inc"),
    ("Bay Foods Ltd", "Bakery Foods Ltd"),             # letters in order, but with a vowel: a word, no short form
    ("HSBC Bank plc", "Hongkong and Shanghai Banking Corporation plc"),  # initials, and a word more
    ("IBM Corp", "International Business Corp"),       # initials of other words
    ("Amer Steel Inc", "American Steel Works Inc"),    # a short form, and a word more
    ("Amer Steel GmbH", "American Steel AG"),          # and another legal form
    ("Steel Amer Inc", "American Steel Inc"),          # short forms only in the same order
])
def test_short_forms_that_stay_another_name(a, b):
    assert not nz.names_equivalent(a, b)


# Found on master data the engine was not built on (an independent probe, 2026-12-07): the same name written with
# a letter NFKD keeps whole, a legal form or an abbreviation the tables lacked, was reported as a different name.
@pytest.mark.parametrize("a,b", [
    ("Sørensen Handel ApS", "Sorensen Handel ApS"),                  # ø written as o, as ü is u
    ("Læsø Fisk Handel ApS", "Laeso Fisk Handel ApS"),
    ("Błaszczyk Transport Sp. z o.o.", "Blaszczyk Transport Sp. z o.o."),
    ("Kılıç Mobilya A.Ş.", "Kilic Mobilya A.S."),
    ("Delacroix Finance S.à r.l.", "Delacroix Finance SARL"),
    ("Kowalski Budowa Sp. z.o.o.", "Kowalski Budowa spółka z ograniczoną odpowiedzialnością"),
    ("Ostrander Handel Ges.m.b.H.", "Ostrander Handel GmbH"),
    ("Brenner Bau Gesellschaft mbH", "Brenner Bau GmbH"),
    ("Keller Software UG (haftungsbeschränkt)", "Keller Software UG"),
    ("Weber Feinkost e.K.", "Weber Feinkost eingetragener Kaufmann"),
    ("Metro Med Ctr LLC", "Metro Medical Center LLC"),
    ("Harbor Equip Rental Inc", "Harbor Equipment Rental Inc"),
    ("Castle Prop Mgmt Ltd", "Castle Property Management Ltd"),
    ("Gebrüder Mayer GmbH", "Gebr. Mayer GmbH"),
    ("Mount Sinai Medical Labs", "Mt Sinai Med Labs"),
    ("St. Mary's Hospital Trust", "Saint Mary's Hosp Trust"),
    ("The Cheesecake Factory Inc", "Cheesecake Factory Inc, The"),   # the article after, as lists sort names
])
def test_names_written_with_other_letters_forms_and_abbreviations_are_equivalent(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [
    ("Keller Software gGmbH", "Keller Software GmbH"),               # a charitable GmbH is its own form
])
def test_letters_and_forms_that_stay_different(a, b):
    assert not nz.names_equivalent(a, b)


# Found by the same probe: a name kept in Cyrillic or Greek by a local ERP and written in Latin letters in the
# CRM had no comparison key at all (its letters were dropped), so every such customer was missing on both sides.
@pytest.mark.parametrize("a,b", [
    ("ООО «Ромашка»", "OOO Romashka"),
    ("ООО «Ромашка»", "Romashka OOO"),
    ("АО «Северсталь»", "AO Severstal"),
    ("ООО «Журавлёв и партнёры»", "OOO Zhuravlev i partnery"),
    ("ООО «Щукин»", "OOO Shchukin"),
    ("ПАО «Газпром нефть»", "PAO Gazprom neft"),
    ("ТОВ «Київ Транс»", "TOV Kyiv Trans"),           # Ukrainian: и is y, ї is i
    ("Παπαδόπουλος Α.Ε.", "Papadopoulos A.E."),
    ("Γεωργίου Ο.Ε.", "Georgiou O.E."),
    ("Ђурђевић д.о.о.", "Đurđević d.o.o."),          # Serbian in its two alphabets
    ("\u0410c\u043ce Logistics Ltd", "Acme Logistics Ltd"),  # Cyrillic А and о typed in a Latin name
    ("\u0421obalt Engineering Ltd", "Cobalt Engineering Ltd"),  # Cyrillic С: read as the C it looks like
    ("Sunbeam Budownictwo Sp. z o.o.", "Sunbeam Budownictwo Spółka z o.o."),
    # found by the review of those rules: the English forms CRMs write, BGN/PCGN's й, look-alikes by their case
    ("ООО «Ромашка»", "Romashka LLC"),
    ("ПАО «Северсталь»", "Severstal PJSC"),
    ("ООО «Новый Мир»", "OOO Novyy Mir"),
    ("Р\u043eмашка Трейд", "Romashka Treyd"),   # a Latin o typed in a Cyrillic word
    ("\u039dXP Semiconductors", "NXP Semiconductors"),  # a Greek capital Ν, not the v its small letter looks like
    ("\u00b5Tec GmbH", "uTec GmbH"),             # the micro sign is written u
])
def test_names_in_cyrillic_or_greek_and_in_latin_letters_are_one_name(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [
    ("ООО «Ромашка»", "OOO Lyutik"),          # another company of the same form
    ("ООО «Ромашка»", "AO Romashka"),          # and the same name under another form
    ("Сокол", "Cokol"),                        # a Cyrillic word is transliterated (С is s), not read by its looks
])
def test_cyrillic_names_that_stay_different(a, b):
    assert not nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [
    ("AO World", "AO World plc"), ("Pão de Açúcar", "Pão de Açúcar Ltda"), ("Mike and Ike", "Mike and Ike Inc"),
    ("TOV Furniture", "TOV Furniture Ltd"),
])
def test_latin_names_that_begin_or_end_like_a_cyrillic_or_greek_form_keep_those_words(a, b):
    """"AO", "Pão", "Ike", "TOV" are forms only in a name written in Cyrillic or Greek, or beside one."""
    assert nz.names_identical(a, b)
    assert not nz.names_identical("AO Smith", "Smith")


@pytest.mark.parametrize("label", ["ИНН 7707083893", "ΑΦΜ 7707083893", "ЄДРПОУ 7707083893", "УНП 7707083893"])
def test_a_tax_id_with_a_cyrillic_or_greek_label_is_its_number(label):
    assert nz.tax_key(label, "RU") == nz.tax_key("7707083893", "RU") == "RU:7707083893"


@pytest.mark.parametrize("a,b", [
    ("München", "Munich"), ("Köln", "Cologne"), ("Wien", "Vienna"),
    ("Milano", "Milan"), ("Frankfurt a.M.", "Frankfurt am Main"), ("Frankfurt/Main", "Frankfurt (Main)"),
    ("St. Louis", "Saint Louis"), ("Sankt Gallen", "St. Gallen"), ("New York City", "New York"),
    ("København", "Copenhagen"), ("Den Haag", "The Hague"),
])
def test_cities_known_by_several_names_are_one_city(a, b):
    assert nz.city_key(a) == nz.city_key(b)


@pytest.mark.parametrize("a,b", [("Frankfurt (Oder)", "Frankfurt am Main"), ("Austin", "Boston"),
                                 ("Saint Paul", "Saint Louis")])
def test_different_cities_stay_different(a, b):
    assert nz.city_key(a) != nz.city_key(b)


def test_us_zip_codes_with_a_dropped_leading_zero_and_countries_written_otherwise():
    assert nz.postcode_key("2139", "US") == nz.postcode_key("02139", "US") == nz.postcode_key("02139-4307", "US")
    assert nz.postcode_key("21394307", "US") == "02139"  # a ZIP+4 that lost its zero
    assert nz.postcode_key("10115", "US") != nz.postcode_key("10116", "US")
    assert {nz.country_key(c) for c in ("U.S.A.", "USA", "United States", "US")} == {"US"}
    assert nz.country_key("DEU") == nz.country_key("Germany") == "DE" and nz.country_key("Holland") == "NL"


@pytest.mark.parametrize("a,b,country", [
    ("45 Market Street, Suite 200", "45 Market St #200", "US"),      # the unit's word is not the place
    ("350 Fifth Avenue", "350 5th Ave", "US"),                       # an ordinal street in words or figures
    ("18 Saint Mary's Close", "18 St Marys Cl", "GB"),               # a first "St" is Saint, a last one Street
    ("Sankt-Georg-Platz 2", "St.-Georg-Platz 2", "DE"),
])
def test_street_lines_written_otherwise_found_on_master_data_the_engine_was_not_built_on(a, b, country):
    assert nz.streets_equivalent(a, b, country)


@pytest.mark.parametrize("a,b,country", [
    ("45 Market St Ste 200", "45 Market St Ste 300", "US"),           # another unit
    ("350 Fifth Avenue", "350 Sixth Avenue", "US"),
    ("12 Saint Mary's Close", "12 Mary's Close", "GB"),
])
def test_street_lines_that_stay_different(a, b, country):
    assert not nz.streets_equivalent(a, b, country)


@pytest.mark.parametrize("a,b", [
    ("MBH Consulting", "Consulting GmbH"),        # forms written only after a name are initials before it
    ("EK Automotive", "Automotive"),
])
def test_a_form_written_only_after_a_name_is_part_of_the_name_before_it(a, b):
    assert not nz.names_identical(a, b)


def test_mbh_alone_is_part_of_a_name_so_a_legal_form_on_one_side_stays_a_trading_name_variant():
    """Generated German data writes names such as "Striebitz Weinhold OHG mbH": taking "mbH" alone as a form made
    the same name with "GmbH" added on one side two different legal forms (29 false findings on 100k customers)."""
    assert nz.names_identical("Striebitz Weinhold OHG mbH GmbH", "Striebitz Weinhold OHG mbH")
    assert nz.names_identical("Brenner Bau Gesellschaft mbH", "Brenner Bau GmbH")


# Found by the variation probe (class addresses): a house number's letter written apart from it, or its French
# repetition index as a word, and a city's words parted by a slash, were reported as another address.
@pytest.mark.parametrize("a,b,country", [
    ("Bahnhofstraße 5a", "Bahnhofstr. 5 a", "DE"),   # the "a" was read as "Allee"
    ("Kerkstraat 12-A", "Kerkstraat 12A", "NL"),
    ("5 bis rue de la Paix", "5B rue de la Paix", "FR"),  # La Poste writes bis, ter, quater as B, T, Q
    ("7 ter avenue Foch", "7T avenue Foch", "FR"),
])
def test_a_house_number_with_its_letter_apart_is_the_same_address(a, b, country):
    assert nz.streets_equivalent(a, b, country)


@pytest.mark.parametrize("a,b,country", [
    ("Kerkstraat 12 A", "Kerkstraat 12 B", "NL"),    # another letter is another house
    ("Kerkstraat 12", "Kerkstraat 12A", "NL"),       # and a letter more is another house too
    ("Route 9 W", "Route 9", "US"),                  # a last n, s, e, w is the road's direction, not a house letter
    ("5 bis rue de la Paix", "5 ter rue de la Paix", "FR"),
])
def test_house_letters_that_stay_different(a, b, country):
    assert not nz.streets_equivalent(a, b, country)


def test_a_slash_parts_the_words_of_a_city_name():
    assert nz.city_key("Halle/Saale") == nz.city_key("Halle (Saale)") == "halle saale"
    assert nz.city_key("Frankfurt/Main") != nz.city_key("Frankfurt/Oder")


# Found by the variation probe (class translit): a name written in ASCII as German or Danish write it, or a Japanese
# name in the other romanisation, was reported as another name, while a Cyrillic name and its Latin spelling were one.
@pytest.mark.parametrize("a,b", [
    ("Müller Maschinenbau GmbH", "Mueller Maschinenbau GmbH"),
    ("Größmann Elektrotechnik GmbH", "Groessmann Elektrotechnik GmbH"),
    ("Sørensen Handel ApS", "Soerensen Handel ApS"),
    ("Åström Consulting AB", "Aastroem Consulting AB"),
    ("Satō Shōji K.K.", "Satou Shouji K.K."),        # a long vowel with a macron, or written with u, o or h
    ("Ōno Seisakusho K.K.", "Ohno Seisakusho K.K."),
    ("Ōno Seisakusho K.K.", "Oono Seisakusho Kabushiki Kaisha"),
    ("Tsuchiya Sangyō K.K.", "Tutiya Sangyo K.K."),  # Hepburn and Kunrei-shiki
    ("Fujita Kensetsu K.K.", "Huzita Kensetsu K.K."),
    ("Chiba Shokuhin K.K.", "Tiba Syokuhin K.K."),
])
def test_a_name_in_the_ascii_or_romanisation_its_country_uses_is_one_name(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [
    ("Fuji Trading GmbH", "Huji Trading GmbH"),         # fu/hu is one sound only in a Japanese name
    ("Shiba Trading GmbH", "Siba Trading GmbH"),
    ("Fujita Kensetsu K.K.", "Fujita Kensetsu GmbH"),   # and two legal forms stay two companies
    ("Müller Logistik GmbH", "Moeller Logistik GmbH"),  # ü is ue, not oe
    ("Sato Shoji K.K.", "Saito Shoji K.K."),
])
def test_spellings_that_stay_another_name(a, b):
    assert not nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [("München", "Muenchen"), ("Nürnberg", "Nuernberg"), ("Malmö", "Malmoe")])
def test_a_city_in_ascii_as_its_country_writes_it_is_one_city(a, b):
    assert nz.cities_equivalent(a, b)
    assert not nz.cities_equivalent(a, "Nuremberg Heights")


def test_a_street_in_ascii_as_its_country_writes_it_is_one_street():
    assert nz.streets_equivalent("Mühlenweg 8", "Muehlenweg 8", "DE")
    assert not nz.streets_equivalent("Mühlenweg 8", "Muehlenweg 9", "DE")


# Found by the variation probe (class addresses): one street line written two ways was reported as another address.
@pytest.mark.parametrize("a,b,country", [
    ("10 rue Saint-Denis", "10 rue St-Denis", "FR"),            # a title joined by a hyphen, not first in the line
    ("12 rue Sainte-Catherine", "12 rue Ste-Catherine", "FR"),  # "Ste" there is Sainte, not Suite
    ("Saint-Georg-Platz 3", "St.-Georg-Platz 3", "DE"),
    ("Flat 2, 10 Church Road", "10 Church Road, Flat 2", "GB"),  # the unit before or after the street
    ("Suite 200, 45 Market St", "45 Market St #200", "US"),
    ("2-chome-4-1 Marunouchi", "2-4-1 Marunouchi", "JP"),       # chome is a word of the number
    ("One Infinite Loop", "1 Infinite Loop", "US"),             # a house number in words
])
def test_one_street_line_written_two_ways_is_one_address(a, b, country):
    assert nz.streets_equivalent(a, b, country)


@pytest.mark.parametrize("a,b,country", [
    ("Flat 2, 10 Church Road", "Flat 10, 2 Church Road", "GB"),  # flat 2 of number 10 is not flat 10 of number 2
    ("Tiffany Flat 192", "Tiffany 192", "US"),                   # Flat as the street's type stays a word of it
    ("12 rue Sainte-Catherine", "12 rue Catherine", "FR"),
    ("One Infinite Loop", "2 Infinite Loop", "US"),
])
def test_units_titles_and_numbers_that_stay_another_street(a, b, country):
    assert not nz.streets_equivalent(a, b, country)


# Found by the variation probe (class legal): one legal form under its names in another official language of its
# country, or a form and its one-member variant, was reported as another name.
@pytest.mark.parametrize("a,b,country", [
    ("Pinewood Präzision AG", "Pinewood Präzision SA", "CH"),
    ("Ticino Trasporti Sagl", "Ticino Trasporti GmbH", "CH"),
    ("Falkenrath Prime Bouw SRL", "Falkenrath Prime Bouw BV", "BE"),    # Belgium since 2019
    ("Brusselse Bouw NV", "Brusselse Bouw SA", "BE"),
    ("Castellano Terra Conseil SASU", "Castellano Terra Conseil SAS", "FR"),  # France: one shareholder
    ("Virtanen Oy", "Virtanen Ab", "FI"),
    ("Tremblay Transport Ltée", "Tremblay Transport Ltd", "CA"),
    ("Nordwind Nova Shoji K.K.", "Nordwind Nova Shoji Co., Ltd.", "JP"),  # a kabushiki kaisha's English name
    ("Bergmann Prime Shoji K.K.", "Bergmann Prime Shoji Corporation", "JP"),
])
def test_one_legal_form_in_another_language_of_its_country_is_one_name(a, b, country):
    assert nz.names_equivalent(a, b, (country, country))
    assert nz.names_equivalent(a, b, (country, None))  # a country on one side only
    assert not nz.names_equivalent(a, b)  # no country: no telling where the company is
    assert not nz.names_identical(a, b)  # a name variant


@pytest.mark.parametrize("a,b,countries", [
    ("Weber Handel GmbH", "Weber Handel AG", ("CH", "CH")),      # two forms: two companies
    ("Brusselse Bouw NV", "Brusselse Bouw AG", ("BE", "BE")),    # one type, but Belgium names it not both ways
    ("Ticino Trasporti Sagl", "Ticino Trasporti SA", ("CH", "CH")),
    ("Virtanen Oy", "Virtanen Oyj", ("FI", "FI")),                # private and public
    ("Virtanen Oy", "Virtanen Ab", ("FI", "SE")),                 # a Finnish and a Swedish company
])
def test_legal_forms_that_stay_two_companies(a, b, countries):
    assert not nz.names_equivalent(a, b, countries)


# ---------------------------------------------------------------------------------------------------------------
# Review of the short-form, ASCII-spelling, legal-form and street-line rules (6e97053, f86c2fc, f383a3b, 8dceed6,
# 8d92768): each test below fails on the code it was written against and names a fault a controller would see.
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b", [
    ("Acme Inc", "Acme Ltd"),                       # a US corporation and a UK company: two legal entities
    ("Acme Corp", "Acme Ltd"),
    ("Meyer Trading Co", "Meyer Trading Corp"),
    ("Store 12 Inc", "Store 12 Ltd"),
])
def test_english_legal_forms_of_two_companies_stay_different_without_a_kabushiki_kaisha(a, b):
    """The group {kk, co ltd, corp, inc, ltd, co} of 8d92768 is a kabushiki kaisha's English names; matched as
    "both forms in one group" it makes every Inc/Ltd/Corp/Co pair one company, where before it was a difference."""
    assert not nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [
    ("Anders Bygg AB", "Andersson Bygg AB"),        # a first name and the surname made from it
    ("Karl Maskin AB", "Karlsson Maskin AB"),
    ("Peter Transport ApS", "Petersen Transport ApS"),
    ("Jan Bouw BV", "Jansen Bouw BV"),
    ("John Controls Inc", "Johnson Controls Inc"),
    ("Richard Electric Ltd", "Richardson Electric Ltd"),
    ("Star Logistics Ltd", "Starbucks Logistics Ltd"),  # a word and a brand that begins with it
    ("Car Rentals Ltd", "Carbon Rentals Ltd"),
])
def test_a_whole_word_that_begins_another_is_not_its_short_form(a, b):
    """_short_for takes any word of 3+ letters that begins a word 3+ letters longer as its short form, undotted:
    patronymic surnames (-son, -sen, -sson) and compounds are then one name with the word they are built on."""
    assert not nz.names_equivalent(a, b)


@pytest.mark.parametrize("a,b", [
    ("Ace Hardware Inc", "American Cable Electric Hardware Inc"),
    ("Star Freight Ltd", "Southern Texas Auto Rail Freight Ltd"),
    ("Gem Foods Ltd", "Global Energy Management Foods Ltd"),
])
def test_a_common_word_is_not_read_as_the_initials_of_other_words(a, b):
    """_acronym_of reads any word as initials; the acronyms it is meant for (IBM, RBS, SAP, KFC) are written in
    capitals, and "Ace", "Star", "Gem" are words of the name."""
    assert not nz.names_equivalent(a, b)


def test_a_form_added_to_the_tables_is_a_word_of_the_name_before_it():
    """8d92768 made "Abp" a legal form read at either end: "ABP Food Group" (an Irish group) lost its first word,
    so it is one name with any "Food Group" and its linking core is "food group"."""
    assert not nz.names_equivalent("ABP Food Group", "Food Group")
    assert nz.name_parts("ABP Food Group")[0] == "abp food group"


@pytest.mark.parametrize("a,b", [
    ("東京商事株式会社", "大阪物産株式会社"),         # Tokyo Shoji / Osaka Bussan
    ("北京贸易有限公司", "上海贸易有限公司"),         # Beijing / Shanghai Trading
    ("שלום בע\"מ", "תודה בע\"מ"),
])
def test_names_in_a_script_without_a_latin_reading_are_not_all_one_name(a, b):
    """Pre-existing (not from the reviewed commits): a name in kanji, hanzi, Hebrew, Arabic has an empty core, so
    any two such names are identical; cities too (東京 / 大阪), and street lines keep only their figures."""
    assert not nz.names_equivalent(a, b)


def test_cities_and_streets_in_a_script_without_a_latin_reading_are_not_all_one():
    assert not nz.cities_equivalent("東京", "大阪")
    assert not nz.streets_equivalent("丸の内2-4-1", "梅田2-4-1", "JP")


def test_a_name_of_hundreds_of_words_does_not_overflow_the_stack():
    """_written_short recurses once per word: about 500 words (3,000 characters, a notes field mapped as the name
    in a file extract) raise RecursionError and end the run."""
    a = " ".join(["alpha"] * 600)
    b = " ".join(["alphabet"] * 600)
    nz.names_equivalent(a, b)  # raises RecursionError


def test_the_short_form_search_is_not_quartic_in_the_words():
    """walk tries every run length n for initials, joining the initials each time, though only n == len(word) can
    match: 160 words take ~8 s, 240 words ~36 s for one pair."""
    import time
    a = " ".join(["aaaa"] * 160)
    b = " ".join(["aaaaaaaa"] * 159 + ["zzzz"])
    start = time.perf_counter()
    nz.names_equivalent(a, b)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("a,b,country", [
    ("100 Main St, Ste-B", "100 Main St, Suite B", "US"),   # equal before f383a3b: "Ste-B" is now "Sainte B"
    ("100 Main St Ste-A2", "100 Main St Ste A2", "US"),
])
def test_a_suite_letter_joined_by_a_hyphen_stays_a_suite(a, b, country):
    assert nz.streets_equivalent(a, b, country)


def test_a_unit_number_written_with_a_hyphen_is_one_unit():
    """Singapore's "#05-12" is floor 05, unit 12 (Colombia's "# 3-45" is the plot); f383a3b takes only "05" as the
    unit's number and moves it after "12": the line differs from "05-12" without the sign (equal before) and equals
    "12-05", floor 12 unit 05."""
    assert nz.streets_equivalent("10 Anson Road #05-12", "10 Anson Road 05-12", "SG")
    assert not nz.streets_equivalent("10 Anson Road #05-12", "10 Anson Road 12-05", "SG")
    assert not nz.streets_equivalent("Calle 12 # 3-45", "Calle 12 45-3", "CO")


@pytest.mark.parametrize("a,b,country", [
    ("Hauptstraße 12/1", "Hauptstraße 121", "DE"),   # house 12, building 1 is not house 121
    ("5/10 High St", "510 High St", "AU"),           # unit 5 at number 10
])
def test_a_slash_between_house_figures_does_not_make_one_number(a, b, country):
    """Pre-existing: the slash is dropped as punctuation, joining the figures (linking's house numbers too)."""
    assert not nz.streets_equivalent(a, b, country)


@pytest.mark.parametrize("a,b,country", [
    ("100 5th St NW", "100 5th Street NW", "US"),    # "St" after an ordinal is Street, not Saint
    ("No. 5 Main St", "5 Main St", "GB"),            # "No." before a figure is no word of the street
    ("12 Main St Fl 3", "12 Main St Floor 3", "US"),  # "Fl" is read as the street type Fall
])
def test_street_lines_written_two_ways_that_a_general_rule_would_make_one(a, b, country):
    """Pre-existing false differences, each fixed by a rule without a word list."""
    assert nz.streets_equivalent(a, b, country)


@pytest.mark.parametrize("a,b", [("Muenchen", "Munich"), ("Koeln", "Cologne")])
def test_a_city_in_ascii_is_also_the_city_under_its_other_name(a, b):
    """München = Munich and München = Muenchen, but Muenchen != Munich: the ASCII spelling is not looked up in
    _CITY_NAMES."""
    assert nz.cities_equivalent(a, b)


# ---- review2 of 53d4e24: names, streets in scripts without Latin letters (each fails on 53d4e24)

def test_review2_kanji_names_one_character_apart_are_two_names():
    """_as_written gives a kanji name a core, and the one-edit typo rule (TYPO_MIN_LENGTH counts characters) then
    reads 株式会社山田 (Yamada) and 株式会社山本 (Yamamoto) as one name with a typo: one kanji is a whole word."""
    assert not nz.names_equivalent("株式会社山田", "株式会社山本")
    assert not nz.names_equivalent("山田商事株式会社", "山本商事株式会社")


@pytest.mark.parametrize("a,b", [
    ("ABC 東京", "ABC 大阪"),          # Latin brand, kanji place: ABC Tokyo / ABC Osaka
    ("東京 K.K.", "大阪 K.K."),        # kanji name with a Latin legal form
    ("北京 GmbH", "上海 GmbH"),
])
def test_review2_a_partly_latin_name_keeps_its_words_in_another_script(a, b):
    """_as_written applies only where folding leaves nothing; a name with any Latin letter (even only a legal form)
    still drops its kanji, so any two such names are one (and "東京 K.K." has core "kk")."""
    assert not nz.names_equivalent(a, b)


def test_review2_a_kanji_street_with_a_space_before_its_number_is_the_same_street():
    """street_key now keeps a kanji line as written, spaces included: 丸の内2-4-1 and 丸の内 2-4-1 were one street
    before 53d4e24 (key "2 4 1"), now two, and a linked customer drops from auto to a suggestion."""
    assert nz.streets_equivalent("丸の内2-4-1", "丸の内 2-4-1", "JP")


def test_review2_a_german_bis_range_is_the_same_street_as_its_hyphen_range():
    """53d4e24 keeps "12 bis 14" a range, but "bis" stays a word of the key ("haupt st bis 12 14" against
    "haupt st 12 14"): a linked customer still gets a street attribute_mismatch."""
    assert nz.streets_equivalent("Hauptstraße 12 bis 14", "Hauptstr. 12-14", "DE")


# Found by the variation probe once kanji were kept in names: 株式会社 is the kabushiki kaisha's own name, written onto
# the name or apart from it, before it or after.
@pytest.mark.parametrize("name,parts", [
    ("東京商事株式会社", ("東京商事", "kk")), ("株式会社山田", ("山田", "kk")),
    ("株式会社 Rivoli Vista Shoji", ("rivoli vista shoji", "kk")), ("北京贸易有限公司", ("北京贸易", "co ltd")),
])
def test_a_legal_form_in_kanji_or_hanzi_is_split_off_the_name(name, parts):
    assert nz.name_parts(name) == parts


def test_a_legal_form_in_kanji_is_the_kabushiki_kaisha_in_latin_letters():
    assert nz.names_identical("株式会社 Rivoli Vista Shoji", "Rivoli Vista Shoji K.K.")
    assert not nz.names_equivalent("東京商事株式会社", "大阪物産株式会社")


# Found by the variation probe (class taxids): a French customer's VAT number in one system and its SIREN in the
# other were reported as two tax ids. The VAT number is FR, a two-character key and the SIREN; a SIRET is the SIREN
# and the establishment's five figures.
@pytest.mark.parametrize("a,b", [
    ("FR40303265045", "303 265 045"), ("FR 40 303 265 045", "30326504500013"), ("40303265045", "303265045"),
    ("FR4A303265045", "303265045"),
])
def test_a_french_vat_number_siren_and_siret_are_one_company(a, b):
    assert nz.tax_equivalent(a, b, "FR", "FR")


@pytest.mark.parametrize("a,b,countries", [
    ("FR40303265045", "303 265 046", ("FR", "FR")),          # another company
    ("FR40303265045", "30326504600013", ("FR", "FR")),
    ("FR71134881690", "FR91134881690", ("FR", "FR")),        # one SIREN, two keys: one of them is mistyped
    ("40303265045", "303265045", ("DE", "DE")),              # read so only for a French customer
])
def test_french_tax_ids_of_other_companies_stay_two(a, b, countries):
    assert not nz.tax_equivalent(a, b, *countries)


@pytest.mark.parametrize(("core", "numbers"), [
    ("nordic wind fund ii", {"2"}), ("nordic wind fund 2", {"2"}), ("bayview holdings iv", {"4"}),
    ("studio 54", {"54"}), ("vi solutions", set()), ("xi technologies", set()), ("acme", set()), ("", set()),
    ("a1 plumbing", {"1"}), ("a 1 plumbing", {"1"}), ("agent 007", {"7"}), ("21st century foods", {"21"}),
])
def test_the_numbers_a_name_holds_in_figures_or_roman_numerals(core, numbers):
    assert nz.name_numbers(core) == numbers


@pytest.mark.parametrize(("signed", "plain", "country"), [
    ("D-70174", "70174", "DE"), ("DE-70174", "70174", "DE"), ("CH-1204", "1204", "CH"), ("A-1010", "1010", "AT"),
    ("B-1000", "1000", "BE"), ("NL-1015 CJ", "1015CJ", "NL"), ("DK-1620", "1620", "DK"), ("SE-111 51", "11151", "SE"),
    ("FI-00100", "00100", "FI"), ("L-1234", "1234", "LU"),
])
def test_a_postcode_behind_its_country_s_sign_is_the_postcode(signed, plain, country):
    assert nz.postcode_key(signed, country) == nz.postcode_key(plain, country)


def test_a_postcode_sign_of_another_country_and_other_figures_stay_different():
    assert nz.postcode_key("A-1010", "DE") != nz.postcode_key("1010", "DE")
    assert nz.postcode_key("D-70174", "DE") != nz.postcode_key("70173", "DE")
    assert nz.postcode_key("B1 1AA", "GB") == "B11AA"  # Birmingham: a British postcode has no sign


def test_a_postcode_that_lost_its_leading_zero_in_a_spreadsheet():
    assert nz.postcode_key("154", "NO") == nz.postcode_key("0154", "NO")
    assert nz.postcode_key("100", "FI") == nz.postcode_key("00100", "FI")
    assert nz.postcode_key("1310100", "BR") == nz.postcode_key("01310-100", "BR")
    assert nz.postcode_key("154", "NO") != nz.postcode_key("0145", "NO")


@pytest.mark.parametrize(("name", "code"), [
    ("België", "BE"), ("Belgique", "BE"), ("Suisse", "CH"), ("Svizzera", "CH"), ("Danmark", "DK"), ("Norge", "NO"),
    ("Suomi", "FI"), ("Polska", "PL"), ("Brasil", "BR"), ("Česko", "CZ"), ("Bundesrepublik Deutschland", "DE"),
    ("Éire", "IE"), ("Republic of Ireland", "IE"), ("Scotland", "GB"), ("Northern Ireland", "GB"),
])
def test_a_country_in_its_own_language_or_a_nation_of_the_united_kingdom_is_its_iso_code(name, code):
    assert nz.country_key(name) == code


def test_countries_that_look_alike_stay_different():
    assert len({nz.country_key(c) for c in ("Austria", "Australia", "Slovakia", "Slovenia", "Niger", "Nigeria",
                                             "Iceland", "Ireland")}) == 8


@pytest.mark.parametrize(("a", "b", "country"), [
    ("Nordkran AB (publ)", "Nordkran AB", "SE"),                       # a public AB's marker is its form's
    ("Metsäpuu Oy", "Metsäpuu Oy Ab", "FI"),                           # one form in both official languages
    ("Brouwerij Kempen NV", "Brouwerij Kempen SA/NV", "BE"),
    ("Vltava Stroje s.r.o.", "Vltava Stroje spol. s r.o.", "CZ"),
    ("Morava Strojírny a.s.", "Morava Strojírny, akciová společnost", "CZ"),
    ("Duna Kereskedelmi Kft.", "Duna Kereskedelmi Korlátolt Felelősségű Társaság", "HU"),
    ("Mazur Transport sp. z o.o. sp.k.", "Mazur Transport Sp. z o.o. Sp. K.", "PL"),
    ("Weber Verwaltungs GmbH & Co. KG", "Weber Verwaltungs GmbH & Co.KG", "DE"),
    ("Shannon Logistics Limited", "Shannon Logistics Teoranta", "IE"),
    ("Globex Corp Attn: AP Dept", "Globex Corp", "US"),                # whom the line is for is no part of it
    ("Nordic Wind Fund II Ltd c/o Aberdeen Fund Services", "Nordic Wind Fund II Ltd", "GB"),
])
def test_legal_forms_and_addressees_written_otherwise_are_one_name(a, b, country):
    assert nz.names_equivalent(a, b, (country, country))


@pytest.mark.parametrize(("a", "b", "country"), [
    ("Vltava Stroje s.r.o.", "Vltava Stroje a.s.", "CZ"), ("Metsäpuu Oy Ab", "Metsäpuu AB", "SE"),
    ("Acme SA/NV", "Acme NV", "FR"),
    ("Nordic Wind Fund II Ltd c/o Aberdeen Fund Services", "Aberdeen Fund Services Ltd", "GB"),
])
def test_other_forms_and_the_agent_in_care_of_stay_another_name(a, b, country):
    assert not nz.names_equivalent(a, b, (country, country))


def test_words_that_look_like_run_together_forms_stay_words_at_the_head_of_a_name():
    assert nz.name_parts("SPK Consulting Ltd") == ("spk consulting", "ltd")
    assert nz.name_parts("CoKG Partners GmbH") == ("cokg partners", "gmbh")


@pytest.mark.parametrize(("a", "b", "country"), [
    ("PO Box 4521", "P O Box 4521", "US"), ("PO Box 4521", "Post Office Box 4521", "US"),
    ("P.O.Box 4521", "PO BOX 4521", "US"),                                 # USPS: PO BOX
    ("Building 3, 500 Oak Road", "500 Oak Rd Bldg 3", "US"),               # a building is a unit of the address
    ("1200 Main Street, 4th Floor", "1200 Main St Fl 4", "US"),
    ("1500 Northeast 2nd Avenue", "1500 NE 2nd Ave", "US"),                # USPS directionals
    ("200 King Street West, Suite 1500", "1500-200 King St W", "CA"),      # Canada Post: unit-civic
    ("1000 rue Sherbrooke Ouest", "1000 Rue Sherbrooke O", "CA"),
    ("Calle de Alcalá 45", "C/ Alcalá, 45", "ES"),                         # particles written or left out
    ("Avenida de la Constitución 12", "Avda. Constitución 12", "ES"),
    ("Rue de l'Église 3", "Rue Église 3", "FR"), ("Via dell'Artigianato 3", "Via Artigianato 3", "IT"),
    ("Via Roma, 10", "Via Roma n. 10", "IT"),                              # Italian number sign
    ("ul. Marszałkowska 10", "Marszałkowska 10", "PL"),                    # Polish ulica mostly unwritten
])
def test_street_lines_under_their_country_s_conventions_are_one_street(a, b, country):
    assert nz.streets_equivalent(a, b, country)


@pytest.mark.parametrize(("a", "b", "country"), [
    ("PO Box 4521", "PO Box 4512", "US"), ("Building 3, 500 Oak Road", "Building 4, 500 Oak Road", "US"),
    ("100 N 5th St", "100 5th St", "US"), ("200 King St W", "200 King St E", "CA"),
    ("1500-200 King St W", "1500-220 King St W", "CA"), ("Calle Mayor 5", "Plaza Mayor 5", "ES"),
    ("Via Roma 10", "Viale Roma 10", "IT"), ("ul. Marszałkowska 10", "ul. Marszałkowska 12", "PL"),
])
def test_street_lines_under_those_conventions_that_stay_different(a, b, country):
    assert not nz.streets_equivalent(a, b, country)


@pytest.mark.parametrize(("a", "b"), [
    ("Freiburg im Breisgau", "Freiburg i. Br."), ("Ludwigshafen am Rhein", "Ludwigshafen a. Rhein"),
    ("Mülheim an der Ruhr", "Mülheim a.d. Ruhr"), ("København V", "Copenhagen V"), ("Praha 1", "Prague 1"),
])
def test_a_city_with_its_qualifier_written_short_or_its_postal_district_is_one_city(a, b):
    assert nz.cities_equivalent(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("Neustadt an der Weinstraße", "Neustadt am Rübenberge"), ("Mülheim an der Ruhr", "Mühlheim am Main"),
    ("Frankfurt am Main", "Frankfurt an der Oder"), ("København V", "København K"), ("Praha 1", "Praha 2"),
])
def test_cities_with_other_qualifiers_or_districts_stay_different(a, b):
    assert not nz.cities_equivalent(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("Pennsylvania", "PA"), ("pa", "PA"), ("Penna.", "PA"), ("N.Y.", "NY"), ("District of Columbia", "DC"),
    ("W. Va.", "West Virginia"), ("Québec", "QC"), ("PQ", "QC"), ("Ontario", "ON"), ("New South Wales", "NSW"),
    ("West Yorkshire", "WEST YORKSHIRE"),
])
def test_a_state_or_province_by_its_name_code_or_short_form_is_one_state(a, b):
    assert nz.state_key(a) == nz.state_key(b)


@pytest.mark.parametrize(("a", "b"), [("PA", "Ohio"), ("Virginia", "WV"), ("ON", "QC"), ("Kansas", "Arkansas")])
def test_other_states_stay_different(a, b):
    assert nz.state_key(a) != nz.state_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("株式会社山田製作所", "(株)山田製作所"), ("株式会社山田製作所", "㈱山田製作所"),
    ("株式会社山田製作所", "（株）山田製作所"), ("東邦精機株式会社", "東邦精機(株)"),
    ("有限会社鈴木工務店", "(有)鈴木工務店"), ("合同会社佐藤企画", "(同)佐藤企画"),
    ("주식회사 한빛전자", "(주)한빛전자"), ("주식회사 한빛전자", "한빛전자(주)"), ("㈜한빛전자", "주식회사 한빛전자"),
    ("유한회사 서울물산", "(유)서울물산"),
])
def test_a_japanese_or_korean_legal_form_written_as_its_bracketed_first_character_is_the_form(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("株式会社山田製作所", "(有)山田製作所"),          # a kabushiki kaisha and a yugen kaisha: two entities
    ("주식회사 한빛전자", "(유)한빛전자"),
    ("(주)한빛전자", "(주)한빛전기"),                 # another syllable is another word
])
def test_another_bracketed_form_or_another_syllable_is_another_company(a, b):
    assert not nz.names_equivalent(a, b)


def test_a_korean_company_s_english_form_is_its_jusik_hoesa_in_korea_only():
    assert nz.names_equivalent("Hanbit Electronics 주식회사", "Hanbit Electronics Co., Ltd.", ("KR", "KR"))
    assert nz.names_equivalent("Daehan Steel Co., Ltd.", "Daehan Steel Corporation", ("KR", "KR"))
    assert not nz.names_equivalent("Hanbit Electronics 주식회사", "Hanbit Electronics Co., Ltd.", ("KR", "US"))
    assert not nz.names_equivalent("Daehan Steel Co., Ltd.", "Daehan Steel Corporation", ("US", "US"))


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Three Rivers Supply Inc", "3 Rivers Supply Inc", True), ("One Stop Shop Ltd", "1 Stop Shop Ltd", True),
    ("Three Rivers Supply Inc", "4 Rivers Supply Inc", False),
])
def test_a_number_in_words_is_its_figures_in_a_name(a, b, same):
    assert nz.names_equivalent(a, b) is same


@pytest.mark.parametrize(("a", "b"), [
    ("John Smith t/a Smith Plumbing", "Smith Plumbing"), ("Smith Plumbing", "John Smith T/A Smith Plumbing"),
    ("John Smith t/a Smith Plumbing", "John Smith"),
    ("Bright Horizons LLC dba Sunny Days Daycare", "Bright Horizons LLC"),
    ("Anil Kumar d/b/a Kumar Imports", "Kumar Imports"), ("Jane Doe trading as Doe Designs", "Doe Designs"),
    ("Nguyen Family Trust T/as Saigon Kitchen", "Saigon Kitchen"),
])
def test_a_name_written_with_its_trading_name_is_either_of_the_two(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("John Smith t/a Smith Plumbing", "John Smith t/a Smith Roofing"),   # one person's two trades
    ("John Smith t/a Smith Plumbing", "Jane Smith"),
    ("Bright Horizons LLC dba Sunny Days Daycare", "Little Stars Daycare"),
])
def test_another_trade_or_person_beside_a_trading_name_is_another_customer(a, b):
    assert not nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("M/s Gupta Enterprises", "Gupta Enterprises"), ("M/s. Agarwal & Sons", "Agarwal and Sons"),
    ("Messrs Bansal Brothers", "Bansal Bros"), ("Krishna Agencies (P) Ltd", "Krishna Agencies Pvt Ltd"),
    ("Krishna Agencies (P) Ltd.", "Krishna Agencies Private Limited"),
    ("Shree Ganesh Enterprises", "Shri Ganesh Enterprises"),
    ("Sri Balaji Steels Pvt Ltd", "Shri Balaji Steels Pvt Ltd"),
    ("Yılmaz Tekstil San. ve Tic. A.Ş.", "Yilmaz Tekstil Sanayi ve Ticaret A.S."),
    ("YILMAZ TEKSTİL SANAYİ VE TİCARET ANONİM ŞİRKETİ", "Yılmaz Tekstil Sanayi ve Ticaret A.Ş."),
    ("Demir İnşaat Ltd. Şti.", "Demir Insaat Limited Sirketi"), ("Kaya Gıda Ltd.Şti.", "KAYA GIDA LTD. ŞTİ."),
    ("Comércio de Alimentos Silva Ltda", "Comercio de Alimentos Silva Ltda - ME"),
    ("Pereira Transportes EIRELI", "Pereira Transportes Eireli - EPP"),
    ("Cia. Brasileira de Papel", "Companhia Brasileira de Papel"),
    ("ООО «Ромашка»", "Общество с ограниченной ответственностью «Ромашка»"),
    ("АО «Северсталь»", "Акционерное общество «Северсталь»"),
    ("Gulf Pearl Contracting W.L.L.", "Gulf Pearl Contracting WLL"),
    ("Emirates Star General Trading FZE", "Emirates Star General Trading F.Z.E."),
])
def test_indian_turkish_brazilian_russian_and_gulf_names_written_two_ways_are_one_name(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("Sharma Traders Pvt Ltd", "Sharma Traders LLP"), ("Reliable Textiles Ltd", "Reliable Textiles Pvt Ltd"),
    ("Yılmaz Tekstil A.Ş.", "Yılmaz Tekstil Ltd. Şti."), ("Construtora Andrade Ltda", "Construtora Andrade S/A"),
    ("ООО «Ромашка»", "АО «Ромашка»"), ("MS Amlin Ltd", "Amlin Ltd"),
])
def test_their_other_legal_forms_are_other_companies(a, b):
    assert not nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b", "country"), [
    ("7707083893", "INN 7707083893", "RU"), ("7707083893", "INN: 7707083893", "RU"),
    ("7707083893/773601001", "7707083893", "RU"), ("VAT: DE123456789", "DE123456789", "DE"),
    ("GSTIN 27AAPFU0939F1ZV", "27AAPFU0939F1ZV", "IN"), ("4123456789", "ZA 4123456789", "ZA"),
    ("27AAPFU0939F1ZV", "AAPFU0939F", "IN"), ("27 AAPFU 0939 F1ZV", "aapfu0939f", "IN"),
    ("INN7707083893", "7707083893", "RU"), ("ABN 53 004 085 616", "ABN53004085616", "AU"),
])
def test_a_tax_id_with_its_label_own_country_code_kpp_or_as_the_pan_of_a_gstin_is_one_number(a, b, country):
    assert nz.tax_equivalent(a, b, country, country)


@pytest.mark.parametrize(("a", "b", "country"), [
    ("27AAPFU0939F1ZV", "29AAPFU0939F1ZR", "IN"),   # one PAN's registrations in two states
    ("27AAPFU0939F1ZV", "AAPFU0939G", "IN"), ("7707083893/773601001", "7707083894", "RU"),
])
def test_another_registration_or_number_stays_another_tax_id(a, b, country):
    assert not nz.tax_equivalent(a, b, country, country)


@pytest.mark.parametrize(("a", "b"), [("Bombay", "Mumbai"), ("Bangalore", "Bengaluru"), ("Madras", "Chennai"),
                                      ("Gurgaon", "Gurugram"), ("Calcutta", "Kolkata")])
def test_an_indian_city_under_its_name_before_renaming_is_the_city(a, b):
    assert nz.cities_equivalent(a, b)


def test_turkiye_and_korea_by_name_are_their_codes():
    assert nz.country_key("Türkiye") == nz.country_key("Turkey") == "TR"
    assert nz.country_key("South Korea") == nz.country_key("Republic of Korea") == "KR"


def test_a_fund_numbered_in_roman_numerals_or_in_figures_is_one_name_and_another_number_is_not():
    assert nz.names_equivalent("Nordic Wind Fund II Ltd", "Nordic Wind Fund 2 Limited")
    assert not nz.names_equivalent("Nordic Wind Fund II Ltd", "Nordic Wind Fund 3 Limited")


@pytest.mark.parametrize(("a", "b"), [
    ("Northfield Components Ltd", "Northfie1d Components Ltd"), ("Olympia Foods Inc", "0lympia Foods Inc"),
    ("Millbrook Dairy Ltd", "Mil1brook Dairy Ltd"), ("Hammond Engineering Ltd", "Harnmond Engineering Ltd"),
])
def test_a_letter_misread_as_a_figure_or_m_as_rn_in_a_long_word_is_a_typo(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("Hammond Engineering Ltd", "Harmon Engineering Ltd"), ("Alpha 1 Holdings Ltd", "Alpha 7 Holdings Ltd"),
    ("Store 10 Ltd", "Store lO Ltd"),
])
def test_other_letters_or_figures_stay_other_names(a, b):
    assert not nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("Andernon LLC", "Anderson LLC"), ("Frnnklin and Sons Inc", "Franklin and Sons Inc"),
    ("Krninklijke van den Brink V.O.F.", "Koninklijke van den Brink V.O.F."),
])
def test_a_slip_that_wrote_rn_for_one_letter_is_still_one_typo(a, b):
    # one edit as written, two once "rn" is read back as "m": 36 such pairs of the 100,000-customer corpus were
    # reported as name differences when only the read-back form was compared
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b", "same"), [
    ("12, M.G. Road, Near City Mall", "12 MG Road", True),
    ("Shop No. 4, Opp. Railway Station, Station Road", "Shop 4, Station Road", True),
    ("12, M.G. Road, Near City Mall", "14 MG Road", False),
])
def test_a_landmark_telling_the_way_is_no_part_of_a_street_line(a, b, same):
    assert nz.streets_equivalent(a, b, "IN") is same


@pytest.mark.parametrize(("a", "b", "same"), [
    ("上海明达贸易有限公司", "明达贸易（上海）有限公司", True),   # the place first, or in brackets after the trade name
    ("Blue Water Partners LLC", "WaterBlue Partners LLC", False),  # two words, two words: no word run together
    ("上海明达贸易有限公司", "明达贸易（北京）有限公司", False),
])
def test_a_chinese_name_s_place_before_the_trade_name_or_in_brackets_after_it_is_one_name(a, b, same):
    assert nz.names_equivalent(a, b) is same


@pytest.mark.parametrize(("a", "b"), [
    ("Cedar Pharma Inc", "Cedar Pharmaceuticals Inc"), ("Sté Nouvelle Martin SAS", "Société Nouvelle Martin SAS"),
])
def test_trade_words_companies_shorten_are_their_words(a, b):
    assert nz.names_equivalent(a, b)


@pytest.mark.parametrize(("a", "b", "country", "same"), [
    ("06103", "6103.0", "US", True),      # a ZIP read as a number by a spreadsheet and written back as a decimal
    ("02134", "'02134", "US", True),      # Excel's mark of a cell typed as text, exported with the value
    ("70173", "70173.0", "DE", True),
    ("00100", "100.0", "FI", True),
    ("02134", "2135.0", "US", False),     # another code however it was written
    ("70173", "70137.0", "DE", False),
])
def test_a_postcode_a_spreadsheet_wrote_as_a_number_or_marked_as_text_is_the_same_code(a, b, country, same):
    assert (nz.postcode_key(a, country) == nz.postcode_key(b, country)) is same


def _as_cp1252(text: str) -> str:
    """UTF-8 read as Windows-1252, as a CSV opened in Excel with the wrong code page and saved comes back."""
    return text.encode("utf-8").decode("cp1252")


@pytest.mark.parametrize("name", ["Müller Maschinenbau GmbH", "Société Générale d'Équipement SAS",
                                  "Sørensen Køleteknik A/S", "Weiß & Söhne GmbH", "Muñoz Ingeniería S.L."])
def test_a_name_whose_utf8_was_read_as_windows_1252_is_the_same_name(name):
    mangled = _as_cp1252(name)
    assert mangled != name
    assert nz.names_equivalent(name, mangled) and nz.names_identical(name, mangled)
    assert nz.name_parts(mangled) == nz.name_parts(name)  # the linking's keys too


def test_a_street_and_city_whose_utf8_was_read_as_windows_1252_are_the_same_and_another_stays_another():
    assert nz.cities_equivalent("München", _as_cp1252("München"))
    assert nz.city_key(_as_cp1252("Zürich")) == nz.city_key("Zürich")
    assert nz.streets_equivalent("Hauptstraße 5", _as_cp1252("Hauptstraße 5"), "DE")
    assert not nz.streets_equivalent("Hauptstraße 5", _as_cp1252("Hauptstraße 7"), "DE")
    assert not nz.names_equivalent("Müller Spedition GmbH", _as_cp1252("Müller Lagerlogistik GmbH"))
    # text typed in a Latin alphabet is never read back: its capitals with accents stay what they are
    assert nz.repaired("ÄRZTEHAUS Ñandú Öl") == "ÄRZTEHAUS Ñandú Öl"


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Müller Logistik GmbH", "M?ller Logistik GmbH", True),  # an export to ASCII wrote "?" for the letter
    ("Hôtel Bellevue SARL", "H?tel Bellevue SARL", True),
    ("Björk Bygg AB", "Bj?rn Bygg AB", False),
    ("Müller Logistik GmbH", "M?ller Spedition GmbH", False),
])
def test_a_letter_an_ascii_export_wrote_as_a_question_mark_is_that_letter(a, b, same):
    assert nz.names_equivalent(a, b) is same


@pytest.mark.parametrize(("a", "b", "same"), [
    # cut by an ERP's name field (SAP NAME1 35, Dynamics NAV 30 and 50, QuickBooks 41 characters)
    ("Northern Lights Renewable Energy Solutions Limited", "Northern Lights Renewable Ener", True),
    ("Bayerische Landmaschinen Vertriebsgesellschaft mbH", "Bayerische Landmaschinen Vertriebsg", True),
    ("Scandinavian Marine Equipment and Offshore Services AS", "Scandinavian Marine Equipment", True),
    ("Allgemeine Versicherungsvermittlung", "Allgemeine Versicherungsvermittlung Süddeutschland GmbH", True),
    ("NORTHERN LIGHTS RENEWABLE ENER", "Northern Lights Renewable Energy Solutions Limited", True),
    # the halves of NAME1 and NAME2 joined again without the space, or with one inside a word
    ("Hartmann Verpackungstechnik und Logistik GmbH & Co. KG",
     "Hartmann Verpackungstechnik undLogistik GmbH & Co. KG", True),
    ("Australian Agricultural Machinery Importers Pty Ltd",
     "Australian Agricultural Machinery I mporters Pty Ltd", True),
    # a shorter name that is no field's width is another entity of the group
    ("Bayview Capital Holdings International LLC", "Bayview Capital Holdings", False),
    ("Northern Lights Renewable Energy Solutions Limited", "Northern Lights Renewable Energy", False),
    # cut at a field's width, but not the other's beginning
    ("International Business Consulting Partners LLC", "International Business Consulting G", False),
])
def test_a_name_an_erp_cut_at_its_field_width_is_the_same_name(a, b, same):
    assert nz.names_equivalent(a, b) is same


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Unit 14, Brackmills Industrial Estate, Caswell Road", "Unit 14, Brackmills Industrial", True),
    ("1200 Pennsylvania Avenue Northwest, Suite 400", "1200 Pennsylvania Avenue Northwest,", True),
    ("Polígono Industrial Santa Ana, Calle Electricidad 14", "Polígono Industrial Santa Ana, Call", True),
    ("Hauptstraße 123", "Hauptstraße 12", False),  # no field's width: another house
])
def test_a_street_line_an_erp_cut_at_its_field_width_is_the_same_line(a, b, same):
    assert nz.streets_equivalent(a, b, "GB") is same


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Walmart #1234", "Walmart Store 1234", True),
    ("Walmart Store #2281", "WAL-MART STORE NO. 2281", True),
    ("ALDI SÜD Filiale 123", "Aldi Süd Filiale Nr. 123", True),
    ("Carrefour Market n°214", "Carrefour Market No 214", True),
    ("CVS Pharmacy #07731", "CVS Pharmacy 7731", True),           # the store's number with its leading zero
    ("First Street Bakery LLC", "1st Street Bakery LLC", True),   # an ordinal in words and in figures
    ("Walmart #1234", "Walmart #1243", False),                    # another store
    ("Walmart Store 1234", "Walmart Store 12345", False),
    ("Walmart Supercenter #1234", "Walmart Pharmacy #1234", False),
    ("First Street Bakery LLC", "2nd Street Bakery LLC", False),
])
def test_a_store_s_number_with_or_without_its_word_is_the_same_store(a, b, same):
    assert nz.names_equivalent(a, b) is same


@pytest.mark.parametrize(("a", "b", "apart"), [
    ("Premier Tool Inc", "Premier Tools Inc", True), ("Hill & Sons Builders Ltd", "Hills & Sons Builders Ltd", True),
    ("Johnson Controls Inc", "Johnson Control Inc", True),
    ("Premier Tools Inc", "Premier Tools, Inc.", False), ("Orion Tile Inc", "Orion Tire Inc", False),
    ("Nimbus Tech Inc", "Nimbus Technologies Inc", False),
])
def test_names_one_plural_s_apart(a, b, apart):
    assert nz.plural_apart(a, b) is apart
