from pathlib import Path

import pytest

from workbench import config
from workbench.config import schema
from workbench.errors import ConfigError

GOOD = """
[run]
name = "October close"
as_of = "2026-10-31"
[crm]
connector = "files"
system = "salesforce"
[erp]
connector = "files"
system = "business_central"
"""


def test_a_config_loads_and_resolves_paths_next_to_it(tmp_path):
    p = tmp_path / "run.toml"
    p.write_text(GOOD)
    c = config.load(p)
    assert c.name == "October close" and str(c.as_of) == "2026-10-31"
    assert c.resolve("crm/Account.csv") == tmp_path / "crm" / "Account.csv"


@pytest.mark.parametrize("text,msg", [
    ("[crm]\nconnector='files'\n", r"missing the \[erp\] table"),
    ("[crm]\n[erp]\nconnector='files'\n", "no 'connector'"),
    (GOOD.replace('"2026-10-31"', '"31/10/2026"'), "expected a date YYYY-MM-DD"),
    ("[crm\n", "not valid TOML"),
])
def test_bad_configs_get_one_clear_line(tmp_path, text, msg):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=msg) as e:
        config.load(p)
    assert str(p) in str(e.value) and "\n" not in e.value.one_line()


def test_secrets_in_a_config_file_are_refused(tmp_path):
    p = tmp_path / "secret.toml"
    p.write_text(GOOD + '\n[erp.business_central]\nclient_secret = "s3cr3t-value"\n')
    with pytest.raises(ConfigError, match="holds a secret") as e:
        config.load(p)
    assert "s3cr3t-value" not in str(e.value)
    p.write_text(GOOD + '\n[erp.business_central]\nclient_secret_env = "BC_SECRET"\n')
    assert config.load(p).side("erp")["business_central"]["client_secret_env"] == "BC_SECRET"


def test_a_missing_file_and_non_utf8_text_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.toml")
    p = tmp_path / "latin1.toml"
    p.write_bytes(GOOD.replace("October", "Octobre \xe9").encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        config.load(p)


EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_example_config_fits_the_schema(example: Path) -> None:
    assert config.load(example).side("erp")["connector"] == "files"


@pytest.mark.parametrize("extra,says", [
    ('[run]\nasof = "2026-10-31"\n',
     "unknown key run.asof; expected one of as_of, incremental, name, overlap_minutes, period"),
    ("[rulez.tolerances]\nprice_abs = \"0.01\"\n", "unknown key rulez; expected one of crm, erp, rules, run"),
    ('[crm.files]\ndri = "x"\n', "unknown key crm.files.dri; expected one of dir"),
    ('[erp.objects.invoices]\ndecimal_comma = "false"\n',
     "erp.objects.invoices.decimal_comma = 'false': expected true, false (without quotes)"),
    ("[erp.objects.invoices]\nencoding = 5\n", "erp.objects.invoices.encoding = 5: expected a text in quotes"),
    ('[erp.objects.invoices]\ndelimiter = ";;"\n', "erp.objects.invoices.delimiter = ';;': expected one character"),
    ('[erp.objects.invoices]\ndelimiter = "¦"\n', "delimiter = '¦': expected one character in quotes (ASCII)"),
    ('[erp.objects.invoices]\nfields = "x"\n', "erp.objects.invoices.fields = 'x': expected a table"),
    ("[erp.objects.invoices.fields]\nnumber = 5\n", "erp.objects.invoices.fields.number = 5: expected a column name"),
    ("[erp.objects.invoices]\nstatus_fields = \"status\"\n",
     "erp.objects.invoices.status_fields = 'status': expected a list"),
    ("[erp.objects.bills]\n", "[erp.objects.bills] is not a record kind"),
    ('[erp.objects.invoices]\nreferences = { customer_id = { column = "Partner", by = "name", how = 1 } }\n',
     "unknown key erp.objects.invoices.references.customer_id.how; expected one of by, column, pattern"),
])
def test_unknown_keys_and_wrong_types_name_the_key_path_and_what_was_expected(tmp_path: Path, extra: str,
                                                                              says: str) -> None:
    p = tmp_path / "run.toml"
    p.write_text("[crm]" + GOOD.split("[crm]", 1)[1] + extra)  # the [run] table is optional
    with pytest.raises(ConfigError) as e:
        config.load(p)
    assert says in str(e.value) and str(e.value).startswith(str(p))


def test_a_folder_given_as_the_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder; --config takes the run config file"):
        config.load(tmp_path)


def test_an_api_side_keeps_its_connector_settings_for_the_connector_to_check(tmp_path: Path) -> None:
    p = tmp_path / "run.toml"
    p.write_text(GOOD.replace('[erp]\nconnector = "files"\nsystem = "business_central"',
                              '[erp]\nconnector = "odoo"\n[erp.odoo]\nurl = "https://x"\ndatabase = "db"\n'
                              '[erp.objects.invoices]\ndomain = [["state", "=", "posted"]]'))
    side = config.load(p).side("erp")
    assert side["odoo"]["url"] == "https://x" and side["objects"]["invoices"]["domain"] == [["state", "=", "posted"]]


def test_the_reference_lists_every_key_with_its_type_default_and_description() -> None:
    keys = {k.path: k for k in schema.reference()}
    dc = keys["erp.objects.<kind>.decimal_comma"]
    assert (dc.type, dc.default) == ("boolean | list of text", False) and "1.234,56" in dc.description
    assert keys["run.as_of"].type == "date" and keys["crm.files.dir"].default == "."
    assert keys["erp.objects.<kind>.delimiter"].type == "text"
    assert all(k.description for k in keys.values())
    # every key the schema accepts is listed
    listed = {part for path in keys for part in path.split(".")}
    assert listed >= set(schema.FileObject.model_fields) | set(schema.RunTable.model_fields) | {"rules"}
