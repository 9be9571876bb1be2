"""The bundle users download (packaging/build.py): built once, then run with no venv on PATH and a
fresh home, as on a finance laptop without Python. See docs/packaging.md."""

from __future__ import annotations

import shutil
import sys

import pytest

from tests.packaging.bundle import UserHome, build, run

pytestmark = pytest.mark.timeout(1800)  # the session's first test waits for the build


@pytest.fixture(scope="session")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    yield build(out)
    shutil.rmtree(out, ignore_errors=True)  # 600 MB per session: pytest would keep three


@pytest.fixture
def home(tmp_path) -> UserHome:
    root = tmp_path / "home"
    root.mkdir()
    return UserHome(root)


def test_cli_help_lists_the_commands_of_the_pip_install(bundle, home):
    done = run(bundle.cli, "--help", home=home)
    assert done.returncode == 0, done.stderr
    for command in ("run", "export", "demo", "gui", "sandbox", "db"):
        assert command in done.stdout
    version = run(bundle.cli, "--version", home=home)
    from workbench import __version__
    assert version.stdout.strip() == f"workbench {__version__}"


def test_bad_input_is_one_line_and_exit_2_as_from_pip(bundle, home):
    done = run(bundle.cli, "export", "--xlsx", "out.csv", "--db", f"sqlite:///{home.root / 'x.sqlite3'}", home=home)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("workbench: error:")


def test_demo_writes_a_workbook_that_ties_out_to_its_database(bundle, home):
    xlsx = home.root / "demo-audit.xlsx"
    done = run(bundle.cli, "demo", "--no-gui", "--xlsx", str(xlsx), home=home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Audit workbook written to" in done.stdout
    # The demo's sandboxes served over TLS and the data went where the pip install puts it.
    demo_db = home.data / "demo" / "demo.sqlite3"
    assert demo_db.is_file()

    from openpyxl import load_workbook
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames[:2] == ["Cover", "Summary"]
    summary = {c for row in wb["Summary"].iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert {"EUR", "JPY", "USD"} <= summary

    # Every cell, recomputed by the pip-installed code from the database the bundle wrote.
    from workbench.export.workbook import verify_workbook
    from workbench.store.db import open_store
    store = open_store(f"sqlite:///{demo_db}")
    try:
        report = verify_workbook(store, xlsx)
    finally:
        store.dispose()
    assert report.ok, "\n".join(report.lines())


def test_window_opens_on_a_new_database_and_closes_cleanly(bundle, home):
    done = run(bundle.window_check, "gui", "--close-when-ready", home=home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Recon Workbench: window shown" in done.stderr
    assert "Recon Workbench: ready" in done.stderr
    assert "Traceback" not in done.stderr
    # migrated from the bundled Alembic scripts, in the pip install's data dir
    import sqlite3
    with sqlite3.connect(home.data / "workbench.sqlite3") as db:
        (revision,) = db.execute("select version_num from alembic_version").fetchone()
    from workbench.store.db import MIGRATIONS
    latest = sorted(p.stem for p in (MIGRATIONS / "versions").glob("0*.py"))[-1]
    assert latest.startswith(f"{revision}_"), (revision, latest)


def test_window_reports_a_database_it_cannot_open_and_exits_1(bundle, home):
    bad = home.root / "wb.sqlite3"
    bad.write_text("a file that is no database")  # the command line takes the URL; the window cannot open it
    done = run(bundle.window_check, "gui", "--close-when-ready", "--db", f"sqlite:///{bad}", home=home)
    assert done.returncode == 1
    assert "Recon Workbench: error:" in done.stderr


def test_bundle_holds_the_app_and_none_of_the_test_tools(bundle):
    names = {p.name.lower() for p in bundle.internal.iterdir()}
    for test_tool in ("pytest", "_pytest", "pytestqt", "importlinter", "datacompy", "psutil"):
        assert not any(n == test_tool or n.startswith(test_tool + "-") for n in names), test_tool
    assert (bundle.internal / "resources" / "palette" / "palette.toml").is_file()
    assert list((bundle.internal / "workbench" / "store" / "migrations" / "versions").glob("0001_*.py"))
    plugins = bundle.internal / "PySide6" / "Qt" / "plugins" / "platforms"
    wanted = {"linux": "libqoffscreen.so", "win32": "qwindows.dll", "darwin": "libqcocoa.dylib"}
    assert (plugins / wanted.get(sys.platform, "libqoffscreen.so")).is_file()
    # the drivers that open a large run (loaded by path from their package's folder, never imported)
    suffix = {"win32": ".dll", "darwin": ".dylib"}.get(sys.platform, ".so")
    for driver in ("adbc_driver_sqlite", "adbc_driver_postgresql"):
        assert list((bundle.internal / driver).glob(f"*{suffix}")), driver
