"""The `naba` command: run the pipeline, query the warehouse, score it against gold annotations.

The CLI only parses arguments and calls the flow (the one way the pipeline runs) or a read-only query.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
from pathlib import Path

from naba import prefect_api
from naba.settings import Settings

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3


def _prefect_defaults() -> None:
    # Offline by design: no telemetry attempts. Prefect's ephemeral API (no server to start) migrates
    # its database on first use, which can exceed its 20 s start-up timeout on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def _parser() -> argparse.ArgumentParser:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="naba", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the pipeline (the Prefect flow) on sources into the warehouse")
    run.add_argument(
        "--source",
        action="append",
        type=Path,
        dest="sources",
        help="folder (recursively *.txt, *.html, *.jsonl, *.jsonl.gz) or one such file; may repeat "
        f"(default: {os.pathsep.join(str(s) for s in settings.sources)}, env NABA_SOURCES)",
    )
    run.add_argument(
        "--warehouse", type=Path, help=f"DuckDB file (default: {settings.warehouse}, env NABA_WAREHOUSE)"
    )
    run.add_argument(
        "--reprocess", action="store_true", help="re-extract documents loaded by older pipeline versions"
    )
    run.add_argument("--batch-size", type=int, help=f"documents per batch (default {settings.batch_size})")
    run.add_argument("--workers", type=int, help=f"transform processes (default {settings.workers})")
    run.add_argument("--dask-address", help="run transforms on this Dask scheduler (env NABA_DASK_ADDRESS)")
    run.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="wait this long for a busy warehouse"
    )

    query = commands.add_parser("query", help="run SQL on a read-only connection and print a table")
    query.add_argument("sql")
    query.add_argument("--warehouse", type=Path, default=None)
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.add_argument("--max-rows", type=int, default=100)

    evaluate = commands.add_parser("evaluate", help="score the warehouse against gold annotations (JSON)")
    evaluate.add_argument("--gold", type=Path, required=True)
    evaluate.add_argument("--warehouse", type=Path, default=None)
    evaluate.add_argument(
        "--ids", type=Path, help="TSV mapping gold doc names (holdout) to corpus ids (corpus_id)"
    )
    return parser


def console_main() -> None:
    """The `naba` executable: `main`, then the usual exit handlers, without the interpreter's teardown."""
    exit_code: list[int] = []
    atexit.register(_end_process, exit_code)  # registered first, so it runs after every other handler
    code = main()
    exit_code.append(code)
    sys.exit(code)


def _end_process(exit_code: list[int]) -> None:
    """Once every exit handler has run (Prefect's last logs and events are sent, the temporary API has
    stopped), end the process. What would follow is the interpreter's teardown, whose garbage
    collections walk every object Prefect, Great Expectations and pydantic made: ~1.5 s after every
    run, measured, for nothing. After an uncaught exception Python exits as usual."""
    if not exit_code:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code[0])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    if args.command == "run":
        return _run(args, settings)
    if args.command == "query":
        return _query(args, settings)
    return _evaluate(args, settings)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    _prefect_defaults()
    api = prefect_api.start_unless_configured()  # boots while the imports below run
    return _run_with_api(args, settings, api)


def _run_with_api(
    args: argparse.Namespace, settings: Settings, api: prefect_api.TemporaryPrefectApi | None
) -> int:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.etl import BlockingValidationError, RunFailed, import_expectations_in_background, nightly_etl
    from transforms.sources import SourceNotFound, list_source_files
    from warehouse.store import WarehouseBusy, WriterLock

    if api is not None and PREFECT_API_URL.value():  # a profile names a server: use that one
        api.stop()
        api = None
    warehouse = args.warehouse or settings.warehouse
    try:
        # Fail fast, before Prefect starts, on a missing source or when another run is writing
        # (the flow checks both again itself).
        list_source_files(args.sources or settings.sources)
        with WriterLock(warehouse, args.wait):
            pass
        # Imported now, Great Expectations uses the time this process would spend waiting for the API.
        import_expectations_in_background()
        if api is not None:
            api.wait_ready()
        with temporary_settings(updates={PREFECT_API_URL: api.url} if api is not None else {}):
            summary = nightly_etl(
                sources=[str(s) for s in args.sources] if args.sources else None,
                warehouse=str(args.warehouse) if args.warehouse else None,
                reprocess=args.reprocess,
                batch_size=args.batch_size,
                workers=args.workers,
                dask_address=args.dask_address,
                wait_seconds=args.wait,
            )
    except WarehouseBusy as error:
        print(f"naba: {error}", file=sys.stderr)
        return EXIT_BUSY
    except SourceNotFound as error:
        print(f"naba: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (BlockingValidationError, RunFailed) as error:
        print(f"naba: {error}", file=sys.stderr)
        return EXIT_FAILED
    totals = summary["totals"]
    print(
        "\nnaba run completed\n"
        f"  inputs read        {summary['inputs']}\n"
        f"  new documents      {summary['documents_new']} (unchanged, skipped: {summary['documents_unchanged']})\n"
        f"  quarantined        {summary['documents_quarantined']} (see quarantine.documents)\n"
        f"  warehouse totals   documents {totals.get('documents', 0)}, actors {totals.get('actors', 0)}, "
        f"statements {totals.get('statements', 0)}, calls {totals.get('calls', 0)}\n"
        f"  warehouse          {summary['warehouse']}\n"
        f"  data docs          {summary['data_docs']}\n"
        f'  try: naba query "select speaker_name_ar, kind, content_ar from analytics.statements limit 5"'
    )
    return 0


def _query(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.query import QueryError, run_query

    try:
        text = run_query(args.warehouse or settings.warehouse, args.sql, args.format, args.max_rows)
    except QueryError as error:
        print(f"naba: {error}", file=sys.stderr)
        return EXIT_BUSY if error.busy else EXIT_FAILED
    print(text)
    return 0


def _evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.evaluation import load_gold, load_id_map, score_warehouse

    doc_map = load_id_map(args.ids) if args.ids else None
    scores = score_warehouse(args.warehouse or settings.warehouse, load_gold(args.gold), doc_map)
    print(json.dumps(scores, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
