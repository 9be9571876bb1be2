"""Before the first window: can Qt's platform plugin load here? If not, say what to install.

Qt 6.5+ on Linux/X11 needs xcb libraries that many desktops and slim images do not ship
(https://doc.qt.io/qt-6/linux-requirements.html). Without them QApplication prints its own
message and aborts the process (exit 134, a core dump). Loading the xcb plugin's shared library
with dlopen before that fails cleanly instead, naming the library that is missing; each library the
plugin links to is then tried alone, so the one line lists every package to install at once.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

Loader = Callable[[str], object]

# soname -> (Debian/Ubuntu package, Fedora package): what the xcb plugin and libQt6XcbQpa link to
XCB_LIBRARIES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}


def _dlopen(name: str) -> object:
    return ctypes.CDLL(name)  # looked up at call time, so a caller (or a test) can stand in for it


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Will Qt pick its X11 plugin? (Not for offscreen/wayland, nor on macOS and Windows.)"""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    # a Wayland session with no platform named: Qt 6 tries wayland first
    return not (environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland")


def xcb_plugin() -> Path | None:
    from PySide6.QtCore import QLibraryInfo  # QtCore only: no GUI library is loaded by this
    p = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"
    return p if p.is_file() else None


def _missing_name(error: OSError) -> str:
    """The library a dlopen error names ("libxcb-icccm.so.4: cannot open shared object file: ...")."""
    return str(error).split(":", 1)[0].strip()


def missing_libraries(plugin: Path, load: Loader = _dlopen) -> list[str] | None:
    """The libraries the plugin needs that do not load; None when the plugin loads."""
    try:
        load(str(plugin))
        return None
    except OSError as first:
        missing = []
        for name in XCB_LIBRARIES:
            try:
                load(name)
            except OSError:
                missing.append(name)
        named = _missing_name(first)
        if named not in missing and "/" not in named:
            missing.append(named)  # not in the table: name it as the loader did
        return missing or [str(first)]  # not a missing library (a broken install): the loader's words


def install_hint(missing: list[str]) -> str:
    """One line: what is missing and the package names on Debian/Ubuntu and Fedora."""
    deb = [XCB_LIBRARIES[m][0] for m in missing if m in XCB_LIBRARIES]
    rpm = list(dict.fromkeys(XCB_LIBRARIES[m][1] for m in missing if m in XCB_LIBRARIES))
    text = f"cannot open a window: Qt's X11 platform plugin needs {', '.join(missing)}, not installed here."
    if deb:
        text += (f" Install: sudo apt install {' '.join(deb)} (Debian/Ubuntu)"
                 f" or sudo dnf install {' '.join(rpm)} (Fedora).")
    return text + " Without a window: workbench demo --no-gui"


def platform_problem(environ: Mapping[str, str] | None = None, *, platform: str = sys.platform,
                     load: Loader = _dlopen, plugin: Path | None = None) -> str | None:
    """The one line to print instead of starting Qt, or None when the window can open."""
    environ = os.environ if environ is None else environ
    if not uses_xcb(environ, platform):
        return None
    plugin = plugin or xcb_plugin()
    if plugin is None:  # an unusual Qt build: nothing to check, Qt will report for itself
        return None
    missing = missing_libraries(plugin, load)
    return None if missing is None else install_hint(missing)
