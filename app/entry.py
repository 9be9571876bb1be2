"""The `workbench` console script: the core CLI plus the commands that open windows.

Lives in the app package because the core (workbench) never imports Qt or app.
Qt is imported only when a window is really needed, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys

from workbench import cli
from workbench.errors import ConfigError


def no_display() -> bool:
    """True on a Linux machine with no screen to open a window on (a server, CI, ssh)."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))


# Qt platforms that draw on no screen: a window opened there is seen by no one and never closed
_DRAWS_NOWHERE = ("offscreen", "minimal")


def drawn_nowhere() -> str | None:
    """The platform named in QT_QPA_PLATFORM when it draws on no screen (CI setups set ``offscreen``)."""
    chosen = os.environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    return chosen if chosen in _DRAWS_NOWHERE else None


def check_platform() -> None:
    """Before Qt starts: a missing X library is one line and exit 2, never Qt's abort (exit 134)."""
    from app.qt_platform import platform_problem
    problem = platform_problem()
    if problem:
        raise ConfigError(problem)


def _gui(args: argparse.Namespace) -> int:
    if no_display():
        raise ConfigError("no display to open the window on (DISPLAY is not set). Run it where there is a "
                          "screen, or try: workbench demo --no-gui")
    if (nowhere := drawn_nowhere()) and not args.close_when_ready:
        raise ConfigError(f"QT_QPA_PLATFORM={nowhere} draws the window on no screen, so no one could use or close "
                          f"it: unset QT_QPA_PLATFORM where there is a screen, or try: workbench demo --no-gui")
    check_platform()
    from app.main_window import run_gui  # imports Qt
    return run_gui(args)


def _demo(args: argparse.Namespace) -> int:
    if args.no_gui:
        from workbench.demo import run_headless
        return run_headless(args)
    if no_display():
        return _demo_without_display(args, "DISPLAY is not set")
    if nowhere := drawn_nowhere():
        return _demo_without_display(args, f"QT_QPA_PLATFORM={nowhere} draws on no screen")
    check_platform()
    from app.main_window import run_demo_gui
    return run_demo_gui(args)


def _demo_without_display(args: argparse.Namespace, why: str) -> int:
    """No screen here: run the same demo headless, write its workbook, and picture every screen on the
    same scenario (seed and size) and story, replayed in a scratch database and sandboxes: the pictures'
    own steps (proposals, a push, a period sign-off) must not change the user's demo."""
    from workbench.demo import DEMO_CUSTOMERS, demo_dir, run_headless

    out = demo_dir() / "output"
    out.mkdir(parents=True, exist_ok=True)
    print(f"No display found ({why}), so the demo runs without a window: the same pull "
          "through the sandboxes, its summary below, the audit workbook and screenshots of every screen.\n",
          file=sys.stderr)
    args.xlsx = args.xlsx or str(out / "demo-audit-workbook.xlsx")
    code = run_headless(args)
    if code:
        return code
    from app.screenshots import render_screenshots
    quiet_offscreen_size_hints()
    shots = argparse.Namespace(out=str(out / "screenshots"), customers=args.customers or DEMO_CUSTOMERS,
                               size="1440x900")
    code = render_screenshots(shots)
    print(f"\nScreenshots of every screen, on this demo's scenario and story (light and dark): {shots.out}")
    return code


# Qt's offscreen platform warns once per sized window that it cannot pass size hints on (QPlatformWindow's
# default propagateSizeHints, qtbase src/gui/kernel/qplatformwindow.cpp): nothing is wrong with the pictures and
# nothing can be done about it, yet a new user's first `workbench demo` printed it a dozen times.
_OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def quiet_offscreen_size_hints() -> None:
    """Drop that one warning; every other Qt message still reaches stderr as Qt's own handler writes it."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if message != _OFFSCREEN_NOISE:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _screenshots(args: argparse.Namespace) -> int:
    from app.screenshots import render_screenshots
    quiet_offscreen_size_hints()
    return render_screenshots(args)


def add_gui_commands(sub: cli.Subcommands) -> None:
    p = sub.add_parser("gui", help="open the desktop app (on the last run)")
    cli.add_db_option(p)
    p.add_argument("--run", type=int, metavar="ID", help="open this run instead of the latest")
    p.add_argument("--user", help="act as this workbench user (default: your OS login)")
    p.add_argument("--close-when-ready", action="store_true",
                   help="check an installation: open the window, wait until the database and screens are "
                        "ready, close (exit 0; 1 on an error)")
    p.set_defaults(func=_gui)

    p = sub.add_parser("demo", help="open the app on a demo: sandboxes started in-process, pulled and reconciled")
    cli.add_db_option(p)
    p.add_argument("--no-gui", action="store_true", help="run the demo pipeline headless and print the summary")
    p.add_argument("--xlsx", metavar="FILE", help="with --no-gui: also write the audit workbook")
    p.add_argument("--customers", type=int, metavar="N", help="size of the demo scenario (default 200)")
    p.set_defaults(func=_demo)

    p = sub.add_parser("screenshots", help="render the main screens as PNGs (light and dark) on the demo")
    p.add_argument("--out", required=True, metavar="DIR", help="directory for the PNG files")
    p.add_argument("--customers", type=int, default=60, metavar="N", help="demo size (default 60)")
    p.add_argument("--size", default="1440x900", metavar="WxH", help="window size (default 1440x900)")
    p.set_defaults(func=_screenshots)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    # A bare `workbench` is `workbench gui`, parsed as such so it gets that command's options and defaults
    # (without them `args.close_when_ready` was missing and the app's start was an internal error).
    return cli.main(args or ["gui"], extra=[add_gui_commands])


if __name__ == "__main__":
    sys.exit(main())
