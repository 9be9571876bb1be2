"""The command line as a user meets it: exit codes and one-line errors, never a traceback."""

import subprocess
import sys
from pathlib import Path

WORKBENCH = str(Path(sys.executable).with_name("workbench"))


def run(*args, env=None, cwd=None):
    return subprocess.run([WORKBENCH, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_missing_config_is_bad_input_exit_2_one_line(tmp_path):
    p = run("run", "--config", str(tmp_path / "nope.toml"), "--db", f"sqlite:///{tmp_path}/s.sqlite3")
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "config file not found" in p.stderr
    assert "Traceback" not in p.stderr


def test_unknown_connector_names_the_choices(tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text("[crm]\nconnector = 'ftp'\n[erp]\nconnector = 'files'\n")
    p = run("run", "--config", str(cfg), "--db", f"sqlite:///{tmp_path}/s.sqlite3")
    assert p.returncode == 2 and "connector = 'ftp'" in p.stderr and "salesforce" in p.stderr
    assert "Traceback" not in p.stderr


def test_exceptions_on_an_empty_database_says_how_to_start(tmp_path):
    p = run("exceptions", "--db", f"sqlite:///{tmp_path}/s.sqlite3")
    assert p.returncode == 2 and "workbench run --config" in p.stderr


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path):
    p = run("runs", "--db", "postgresql+psycopg://ann:hunter2@127.0.0.1:1/nodb")
    assert p.returncode == 2, p.stderr
    assert "hunter2" not in p.stderr and "***" in p.stderr and "Traceback" not in p.stderr
