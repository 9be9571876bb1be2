"""``--run-config FILE`` of ``workbench sandbox salesforce|erp``: point one side of a run config at the sandbox
just started, so ``workbench run --config FILE`` reads it (and a second run is incremental, as against the
real service).

The file is made from the scenario's own ``run.toml`` when it does not exist yet (its rules, as-of date and
the other side's extracts), and only the sandbox's side table is replaced when it does: two sandboxes started
together fill in one file, each its own side, one after the other (a lock file orders them). A secret never
goes into the file: the table names the environment variable the run reads it from.
"""

from __future__ import annotations

import os
import time
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from workbench.errors import ConfigError

_LOCK_WAIT = 30.0  # seconds: the other sandbox only reads and writes one small file


def point_side(path: Path, side: str, table: dict[str, Any], template: Path | None) -> None:
    """``table`` as the ``[side]`` of the run config at ``path``, written whole (a temporary file renamed)."""
    path = Path(path)
    lock = path.with_name(path.name + ".lock")
    deadline = time.monotonic() + _LOCK_WAIT
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise ConfigError(f"--run-config {path}: {lock} has been held for {_LOCK_WAIT:.0f} s; delete it if "
                                  f"no other sandbox is writing the file") from None
            time.sleep(0.05)
        except OSError as exc:
            raise ConfigError(f"--run-config {path}: cannot write beside it ({exc.strerror})") from None
    try:
        source = path if path.exists() else template
        try:
            raw = tomllib.loads(source.read_text(encoding="utf-8")) if source is not None and source.exists() else {}
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"--run-config {source}: not a run config ({exc})") from None
        if source is not None and source != path and path.parent.resolve() != source.parent.resolve():
            _anchor_files(raw, source.parent)
        raw[side] = table
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(tomli_w.dumps(raw), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        os.close(fd)
        lock.unlink(missing_ok=True)


def _anchor_files(raw: dict[str, Any], base: Path) -> None:
    """A files side's folder, relative to the template it came from, made absolute: the new file may live
    elsewhere, and a relative folder is read relative to the config that names it."""
    for side in ("crm", "erp"):
        files = (raw.get(side) or {}).get("files")
        if isinstance(files, dict) and not Path(str(files.get("dir", "."))).is_absolute():
            files["dir"] = str((base / str(files.get("dir", "."))).resolve())
