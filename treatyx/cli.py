"""The `treatyx` command: a thin layer over the library.

Exit codes: 0 all good, 1 some documents failed (or, for `validate`, an error-level
issue), 2 usage error. Errors are one line on stderr naming the file and the problem.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from treatyx.errors import OutputError, UsageError
from treatyx.extractors.registry import NAMES as BACKENDS
from treatyx.version import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
READ_EVIDENCE_HELP = ("complete each agreement from its evidence sentence: the type its words "
                      "name, and money, durations and dates the model left out (default: on "
                      "for --backend local, off for openai and its batches)")
STRICT_HELP = ("keep only supported facts: drop facts with validator errors, and agreements "
               "without a party or evidence in the text (they stay listed in validation)")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from None


def _whole_number(least: int) -> Callable[[str], int]:
    """The argparse type of a whole-number option that is at least `least`."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if number < least:
            raise argparse.ArgumentTypeError(
                f"must not be negative: {value!r}" if least == 0
                else f"must be at least {least}: {value!r}")
        return number

    return parse


_positive, _non_negative = _whole_number(1), _whole_number(0)


def _size(value: str) -> int | None:
    """Bytes, with an optional k/M suffix (1000s); 0 means no limit."""
    units = {"k": 1000, "m": 1000_000}
    number, unit = value.strip(), 1
    if number[-1:].lower() in units:
        number, unit = number[:-1], units[number[-1].lower()]
    try:
        size = int(float(number) * unit)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size in bytes: {value!r}") from None
    if size < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value!r}")
    return size or None


def _add_max_bytes(parser: argparse.ArgumentParser) -> None:
    from treatyx.loading import MAX_BYTES

    parser.add_argument("--max-bytes", type=_size, default=MAX_BYTES, metavar="N",
                        help=f"refuse a document larger than N bytes of text (k/M suffixes; "
                        f"default {MAX_BYTES // 1000}k; 0: no limit)")


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {value!r}")
    return number


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line and where to read more, not the whole usage block."""

    command: str | None = None
    """The command named on the command line, for errors the top-level parser reports."""
    commands: frozenset[str] = frozenset()

    def error(self, message: str) -> NoReturn:
        prog = self.prog if self.prog != "treatyx" or not self.command else (
            f"treatyx {self.command}")
        self.exit(EXIT_USAGE, f"{prog}: error: {message}\ntry `{prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="treatyx",
        description="Structured, source-grounded facts about defence agreements from news text.",
    )
    parser.add_argument("--version", action="version", version=f"treatyx {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ex = commands.add_parser("extract", help="extract agreements from articles to JSON/JSONL")
    ex.add_argument("paths", nargs="+", metavar="PATH",
                    help=".txt, .html/.htm, .jsonl files or directories")
    ex.add_argument("-o", "--output", type=Path, help="write JSONL here (default: stdout)")
    ex.add_argument("--backend", choices=BACKENDS, default="auto",
                    help="auto: a configured endpoint, else the pulled local model, else rules")
    ex.add_argument("--published", type=_date, help="publication date for every input")
    _add_max_bytes(ex)
    ex.add_argument("--include-text", action="store_true", help="write the document text too")
    ex.add_argument("--strict", action="store_true",
                    help=STRICT_HELP)
    ex.add_argument("--concurrency", type=_positive, default=4,
                    help="documents in flight at once for LLM backends (default 4)")
    ex.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    ex.add_argument("-q", "--quiet", action="store_true",
                    help="no progress on stderr (a bar shows on a terminal only)")
    ex.add_argument("--engine", choices=["process", "ray"], default="process",
                    help="process: this process (default); ray: actors of a Ray cluster, one "
                    "backend each (pip install 'treatyx[ray]')")
    ex.add_argument("--ray-address", metavar="ADDR",
                    help="the Ray cluster to join (default: a local one started for the run)")
    ex.add_argument("--ray-actors", type=_positive, metavar="N",
                    help="actors (default: one per CPU; for --backend local, one per machine)")
    ex.add_argument("--screen", action=argparse.BooleanOptionalAction,
                    help="send only articles with agreement language near a party and defence "
                    "words to the model; the others get no agreements and a TX402 note "
                    "(default: on for LLM backends, off for rules)")
    _add_llm_options(ex)

    va = commands.add_parser("validate", help="check extraction output against its sources")
    va.add_argument("output", type=Path, metavar="OUT", help="treatyx output, .json or .jsonl")
    va.add_argument("--source", action="append", default=[], metavar="PATH",
                    help="source documents (matched by doc_id; repeat for more); else the "
                    "output's `text`")
    va.add_argument("--json", action="store_true", help="print the issues as JSONL")

    commands.add_parser("schema", help="print the JSON Schema of the output format")

    ev = commands.add_parser("eval", help="score predictions against gold files")
    ev.add_argument("--gold", type=Path, required=True, help="gold .json, .jsonl or directory")
    ev.add_argument("--pred", type=Path, required=True, help="treatyx output .json/.jsonl")
    ev.add_argument("--source", action="append", default=[], metavar="PATH",
                    help="source documents, to count hallucinated mentions (repeat for more)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--by-doc", action="store_true", help="a row per document")
    ev.add_argument("--errors", action="store_true", help="list false positives and negatives")

    xp = commands.add_parser("export", help="tables for analysis (CSV or parquet)")
    xp.add_argument("output", type=Path, metavar="OUT", help="treatyx output, .json or .jsonl")
    xp.add_argument("--level", choices=["agreement", "party", "amount", "dyad-year"],
                    default="agreement", help="one row per ... (default agreement)")
    xp.add_argument("--format", choices=["csv", "parquet"],
                    help="default: from the suffix of -o")
    xp.add_argument("-o", "--out", type=Path, required=True, help="the table file to write")

    ds = commands.add_parser("dataset", help="one row per agreement, however many reports")
    ds.add_argument("outputs", nargs="+", type=Path, metavar="OUT",
                    help="treatyx output: .json, .jsonl or directories of them")
    ds.add_argument("-o", "--out", type=Path, required=True,
                    help="directory for agreements, reports and dyad_year tables")
    ds.add_argument("--format", choices=["csv", "parquet"], default="csv",
                    help="csv (default; no extra needed) or parquet (treatyx[tables])")

    rp = commands.add_parser("report", help="an HTML page to review the facts by eye")
    rp.add_argument("output", type=Path, metavar="OUT", help="treatyx output, .json or .jsonl")
    rp.add_argument("--source", action="append", default=[], metavar="PATH",
                    help="source documents (matched by doc_id; repeat for more); else the "
                    "output's `text`")
    rp.add_argument("-o", "--out", type=Path, required=True, help="the HTML file to write")

    mo = commands.add_parser("model", help="the local model: pull, path, serve")
    mo.add_argument("action", choices=["pull", "path", "serve"])
    mo.add_argument("--cache-dir", type=Path, help="where models are kept")
    mo.add_argument("--port", type=int, default=0, help="serve: port (default: a free one)")
    mo.add_argument("-q", "--quiet", action="store_true",
                    help="pull: no progress bar (it shows on a terminal only)")
    _add_batch_parser(commands)
    parser.commands = frozenset(commands.choices)
    return parser


def _add_batch_parser(commands: argparse._SubParsersAction) -> None:
    ba = commands.add_parser("batch", help="large corpora through the OpenAI Batch API")
    actions = ba.add_subparsers(dest="action", required=True, metavar="ACTION")
    submit = actions.add_parser("submit", help="write the requests, upload them, create batches")
    submit.add_argument("paths", nargs="+", metavar="PATH",
                        help=".txt, .html/.htm, .jsonl files or directories")
    submit.add_argument("--published", type=_date, help="publication date for every input")
    _add_max_bytes(submit)
    submit.add_argument("--model", help="model name (env TREATYX_MODEL)")
    submit.add_argument("--mode", choices=["json", "json_schema", "tools", "md_json"],
                        help="how the model is asked for JSON (default: per endpoint)")
    status = actions.add_parser("status", help="each batch's status and request counts")
    collect = actions.add_parser("collect", help="results of finished batches, to JSONL")
    collect.add_argument("-o", "--output", type=Path, required=True,
                         help="append JSONL here (documents already there are skipped)")
    collect.add_argument("--strict", action="store_true",
                         help=STRICT_HELP)
    collect.add_argument("--include-text", action="store_true",
                         help="write the document text too")
    collect.add_argument("--read-evidence", action=argparse.BooleanOptionalAction,
                         help=READ_EVIDENCE_HELP)
    for action in (submit, status, collect):
        action.add_argument("--batch-dir", type=Path, required=True,
                            help="the requests and manifest.json of one submission")
        action.add_argument("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL;"
                            " status/collect default to the one submitted to)")
        action.add_argument("--api-key",
                            help="API key (env OPENAI_API_KEY); never printed or stored")


def _add_llm_options(parser: argparse.ArgumentParser) -> None:
    llm = parser.add_argument_group("LLM backends")
    llm.add_argument("--model", help="model name (env TREATYX_MODEL)")
    llm.add_argument("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)")
    llm.add_argument("--api-key", help="API key (env OPENAI_API_KEY); never printed or stored")
    llm.add_argument("--mode", choices=["json", "json_schema", "tools", "md_json"],
                     help="how the model is asked for JSON (default: per endpoint)")
    llm.add_argument("--max-retries", type=_non_negative, default=2,
                     help="re-asks after a validation failure (default 2)")
    llm.add_argument("--timeout", type=_seconds, default=120.0, help="seconds per request")
    llm.add_argument("--rpm", type=_positive, metavar="N",
                     help="at most N requests per minute, spaced evenly (default: no limit)")
    llm.add_argument("--tpm", type=_positive, metavar="N",
                     help="at most N tokens per minute (default: no limit)")
    llm.add_argument("--read-evidence", action=argparse.BooleanOptionalAction,
                     help=READ_EVIDENCE_HELP)
    llm.add_argument("--cache-dir", type=Path, help="model and response cache directory")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    named = next((a for a in argv if not a.startswith("-")), None)
    parser.command = named if named in parser.commands else None
    args = parser.parse_args(argv)
    from treatyx import commands

    handler = getattr(commands, f"run_{args.command}")
    try:
        code = handler(args)
        sys.stdout.flush()  # a full disk behind stdout shows here, not at exit
        return code
    except OutputError as error:
        _stdout_gone()
        print(f"treatyx: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except UsageError as error:
        print(f"treatyx: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("treatyx: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_OK
    except OSError as error:  # stdout on a full disk, or a file a command writes
        if error.errno not in _DISK_FULL:
            raise
        _stdout_gone()
        where = error.filename or "<stdout>"
        print(f"treatyx: error: {where}: cannot write: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_FAILED


_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def _stdout_gone() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of what could not be
    written does not print a second error at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
