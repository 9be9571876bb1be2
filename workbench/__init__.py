"""Recon Workbench core: Qt-free, usable from the CLI, the tests and the desktop app."""

__version__ = "0.1.0"
