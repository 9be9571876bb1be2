import pytest

from workbench import config
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
