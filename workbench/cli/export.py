"""`workbench export`: write a run's audit workbook, or verify one against the store.

    workbench export [--run ID] --xlsx FILE [--db URL]
    workbench export --verify FILE [--run ID] [--db URL]

Exit codes: 0 written / verified; 1 not verified (the file was edited since export, the
store changed since, or the store has no record of the export: each differing cell and
look is listed; with --run, a workbook of another run is one line saying whose it is) or the
export failed; 2 bad input (no such run, not an .xlsx, missing folder).
"""

from __future__ import annotations

import argparse

from workbench.cli.progress import ConsoleProgress


def _export(args: argparse.Namespace) -> int:
    from workbench.errors import InputError
    from workbench.store import repo
    from workbench.store.db import open_store

    store = open_store(args.db)
    try:
        if args.verify:
            from workbench.export.workbook import verify_workbook
            rep = verify_workbook(store, args.verify, run_id=args.run)
            print("\n".join(rep.lines()))
            return 0 if rep.ok else 1
        if not args.xlsx:
            raise InputError("say where to write the workbook", expected="--xlsx FILE (or --verify FILE)")
        from workbench.export.workbook import write_workbook
        run_id = args.run if args.run is not None else repo.latest_run_id(store)
        if run_id is None:
            raise InputError("no completed run in this database yet",
                             expected="a run first: workbench run --config FILE")
        progress = ConsoleProgress()
        try:
            info = write_workbook(store, run_id, args.xlsx, state=progress)
        finally:
            progress.close()
        rows = ", ".join(f"{name} {n:,}" for name, n in info.sheets)
        print(f"Wrote {info.path} (run {info.run_id}): {rows}")
        print(f"Data manifest (SHA-256): {info.manifest}")
        print(f"Export {info.export_id} recorded in the store; check the file with: "
              f"workbench export --verify {info.path}")
        return 0
    finally:
        store.dispose()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from workbench.cli import add_db_option

    p = sub.add_parser("export", help="write a run's audit workbook (.xlsx) or verify one",
                       description="Write the audit workbook of a run (default: the latest completed run), "
                                   "or verify a workbook against the store.")
    p.add_argument("--run", type=int, metavar="ID",
                   help="run id (default: the latest completed run); with --verify, the run FILE must be the "
                        "export of")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--xlsx", metavar="FILE", help="write the workbook to FILE (.xlsx)")
    what.add_argument("--verify", metavar="FILE",
                      help="check FILE against the store's record of its export and every cell against the store")
    add_db_option(p)
    p.set_defaults(func=_export)
