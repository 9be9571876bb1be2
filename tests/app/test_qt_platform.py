"""Start-up on a Linux desktop without the X libraries Qt 6.5+ needs: one line naming the packages,
exit 2, never Qt's abort (exit 134)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from app.qt_platform import platform_problem, uses_xcb

PLUGIN = Path("/qt/plugins/platforms/libqxcb.so")
X11 = {"DISPLAY": ":0"}


def _loader(*missing: str):
    """dlopen as on a machine lacking ``missing``: the plugin fails naming the first of them."""
    def load(name: str) -> object:
        if name == str(PLUGIN) and missing:
            raise OSError(f"{missing[0]}: cannot open shared object file: No such file or directory")
        if name in missing:
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")
        return object()
    return load


def test_all_libraries_present_lets_qt_start():
    assert platform_problem(X11, platform="linux", load=_loader(), plugin=PLUGIN) is None


def test_missing_xcb_libraries_are_named_with_debian_and_fedora_packages():
    line = platform_problem(X11, platform="linux", plugin=PLUGIN,
                            load=_loader("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"))
    assert line is not None and "\n" not in line
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 (Debian/Ubuntu)" in line
    assert "sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms (Fedora)" in line


def test_a_library_outside_the_table_is_still_named():
    line = platform_problem(X11, platform="linux", plugin=PLUGIN, load=_loader("libfancy-xcb.so.7"))
    assert line is not None and "libfancy-xcb.so.7" in line


def test_only_the_x11_plugin_is_checked():
    assert uses_xcb({}, "linux") and uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux")
    assert not uses_xcb({}, "darwin") and not uses_xcb({}, "win32")
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, platform="linux", load=_loader("libxcb.so.1"),
                            plugin=PLUGIN) is None


# The real entry point in a child process, with dlopen refusing libxcb-cursor (and so the plugin):
# what a user on a fresh Ubuntu desktop sees from `workbench` and `workbench demo`.
_WITHOUT_XCB_CURSOR = textwrap.dedent("""
    import ctypes, sys
    real = ctypes.CDLL
    class CDLL(real):
        def __init__(self, name, *a, **k):
            if str(name).endswith(("libqxcb.so", "libxcb-cursor.so.0")):
                raise OSError("libxcb-cursor.so.0: cannot open shared object file: No such file or directory")
            super().__init__(name, *a, **k)
    ctypes.CDLL = CDLL
    from app.entry import main
    sys.exit(main(sys.argv[1:]))
""")


def _start(tmp_path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=":77", HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run([sys.executable, "-c", _WITHOUT_XCB_CURSOR, *argv], env=env, cwd=Path.cwd(),
                          capture_output=True, text=True, timeout=300)


def test_gui_and_demo_without_xcb_cursor_print_one_line_and_exit_2(tmp_path):
    for argv in (["gui", "--db", f"sqlite:///{tmp_path / 'g.sqlite3'}"],
                 ["demo", "--db", f"sqlite:///{tmp_path / 'd.sqlite3'}"]):
        done = _start(tmp_path, *argv)
        assert done.returncode == 2, (argv, done.returncode, done.stderr[-2000:])
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert "libxcb-cursor.so.0" in lines[0] and "libxcb-cursor0" in lines[0] and "xcb-util-cursor" in lines[0]
        assert "Aborted" not in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "data" / "recon-workbench" / "demo").exists()  # stopped before the demo started
