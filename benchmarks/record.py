"""Run a benchmark script and write what it printed into docs/benchmarks.md, so the published numbers
are the ones the script measured (with when, where and the exact command), never retyped.

    .venv/bin/python benchmarks/record.py benchmarks/bench_engine.py [ARGS...]

Each script has one results block in docs/benchmarks.md (between ``<!-- results: NAME -->`` and
``<!-- /results: NAME -->``), replaced on every recorded run; a script recorded for the first time
gets its block under "Latest recorded results". Nothing is written when the script fails.
"""

from __future__ import annotations

import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADING = "## Latest recorded results"


def block(name: str, command: str, output: str, when: datetime, machine: str) -> str:
    return (f"<!-- results: {name} -->\n### `{name}`\n\n"
            f"Recorded {when:%Y-%m-%d %H:%M} UTC on {machine} by `benchmarks/record.py`: `{command}`\n\n"
            f"```\n{output.rstrip()}\n```\n<!-- /results: {name} -->\n")


def update(doc: str, name: str, new_block: str) -> str:
    """``doc`` with the results block of ``name`` replaced by ``new_block`` (or added at the end)."""
    start, end = f"<!-- results: {name} -->", f"<!-- /results: {name} -->"
    if start in doc and end in doc:
        i, j = doc.index(start), doc.index(end) + len(end)
        return doc[:i] + new_block.rstrip("\n") + doc[j:]
    if HEADING not in doc:
        doc = (doc.rstrip("\n") + f"\n\n{HEADING}\n\nWritten by `benchmarks/record.py`; each block is replaced "
               "when its script is recorded again.\n")
    return doc.rstrip("\n") + "\n\n" + new_block


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    script, args = Path(argv[0]), argv[1:]
    if not script.is_file():
        print(f"record: {script}: no such benchmark script", file=sys.stderr)
        return 2
    proc = subprocess.run([sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        print(f"record: {script.name} exited {proc.returncode}; {DOC.name} left as it was", file=sys.stderr)
        return proc.returncode
    machine = (f"{platform.system()} {platform.machine()}, "
               f"{platform.python_implementation()} {platform.python_version()}")
    command = shlex.join(["python", str(script), *args])
    DOC.write_text(update(DOC.read_text(encoding="utf-8"), script.stem,
                          block(script.stem, command, proc.stdout, datetime.now(UTC), machine)), encoding="utf-8")
    print(f"record: results of {script.stem} written to {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
