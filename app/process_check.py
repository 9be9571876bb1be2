"""The job ``workbench gui --close-when-ready`` sends to the job process (app.startup_check).

A module of its own, without Qt, because the job process imports it by name to run it."""

from __future__ import annotations

import os

from workbench.progress import TaskState


def process_id(*, state: TaskState | None = None) -> int:
    """Which process ran the job: a spawned job process answers with its own id, not the window's."""
    return os.getpid()
