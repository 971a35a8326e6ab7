"""Entry point: the command group and the error policy (usage errors exit 2, failures 1, one line each)."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence

import click

from desktop_app import __version__
from desktop_app.cli.common import DB_KEY, TEXT, VERBOSITY_KEY, global_db_option, log_level, verbose_option
from desktop_app.terminal import printable

PROG = "photo-annotator"
INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl+C


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=PROG)
@global_db_option
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Caption, review and search photo collections with AI models.

    With no command, opens the desktop app (the same as `photo-annotator gui`). --db and -v work
    before the command or after it.
    """
    verbosity = ctx.meta.get(VERBOSITY_KEY, 0)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=log_level(verbosity), handlers=[handler])
    if ctx.invoked_subcommand is None:
        from desktop_app.cli.gui import gui

        ctx.invoke(gui, db=ctx.meta.get(DB_KEY))


class LogFormatter(logging.Formatter):
    """Log lines on the terminal: a message quoting a caption or a file name shows its control
    characters escaped, like every other line (a traceback, with -vv, keeps its own lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


def _register() -> None:
    # Each command module keeps its heavy imports inside the command, so --help stays fast.
    from desktop_app.cli import (
        caption,
        captions,
        db,
        embed,
        evaluate,
        explain,
        export,
        gui,
        jobs,
        library,
        photos,
        plugins,
        quality,
        scan,
        search,
        train,
        worker,
        write_metadata,
    )

    for command in (scan.scan, photos.photos, photos.show, captions.edit, captions.approve,
                    captions.reject, captions.revert, captions.choose, caption.caption, jobs.jobs, db.db,
                    gui.gui, plugins.plugins, search.search, embed.embed, export.export,
                    write_metadata.write_metadata, evaluate.evaluate, train.train, library.library,
                    worker.worker):
        cli.add_command(command)
    cli.add_command(quality.quality)  # quality over time: what became of the AI drafts
    cli.add_command(explain.explain)  # where the model looked for a word (issue 20)
    from desktop_app.cli.tags import tags  # the keyword group, with `tags suggest`

    cli.add_command(tags)
    from desktop_app.cli.vocab import vocab  # vocabularies keywords come from

    cli.add_command(vocab)
    from desktop_app.cli.flags import flags  # flags for a second look

    cli.add_command(flags)
    from desktop_app.cli.review_queue import review_queue  # issue 20: most useful first

    cli.add_command(review_queue)
    from desktop_app.cli.import_cmd import import_  # photos from the web (issue 21)

    cli.add_command(import_)
    from desktop_app.cli.watch import watch  # watched folders (issue 21)

    cli.add_command(watch)
    from desktop_app.cli.serve import serve  # the HTTP API (issue 21)
    from desktop_app.cli.token import token

    cli.add_command(serve)
    cli.add_command(token)
    _apply_shared_rules(cli)


# Parameters that take file names (any bytes) rather than text a person typed (which must be UTF-8).
_PATH_WORDS = ("PATH", "FOLDER", "PHOTO", "FILE", "URL")


def _apply_shared_rules(command: click.Command) -> None:
    """What every command gets, including ones added later: -v after the command, and text options
    that refuse invalid UTF-8 with a usage error naming the option."""
    command.params.append(verbose_option())
    for param in command.params:
        label = (param.metavar or param.name or "").upper()
        if param.type is click.STRING and not any(word in label for word in _PATH_WORDS):
            param.type = TEXT
    for sub in getattr(command, "commands", {}).values():
        _apply_shared_rules(sub)


_register()


def _expected_errors() -> tuple[type[BaseException], ...]:
    """Failures with a message meant for the user: printed as one line, exit status 1."""
    from desktop_app.catalogue.caption_rules import CaptionError
    from desktop_app.catalogue.errors import CatalogueError
    from desktop_app.catalogue.keyword_rules import KeywordError
    from desktop_app.catalogue.photos import LibraryNotFoundError, PhotoNotFoundError
    from desktop_app.jobs.store import JobError
    from desktop_app.library.scanner import ScanError
    from desktop_app.plugin_api.embedder import EmbedderError
    from desktop_app.plugin_api.hf import ModelLoadError, ModelNotAvailableError
    from desktop_app.plugin_registry import UnknownCaptionerError, UnknownEmbedderError
    from desktop_app.search.service import SearchError

    return (CatalogueError, ScanError, CaptionError, PhotoNotFoundError, LibraryNotFoundError,
            ModelNotAvailableError, ModelLoadError, UnknownCaptionerError, UnknownEmbedderError, JobError,
            SearchError, EmbedderError, KeywordError)


def _fail(message: str, status: int) -> None:
    # One line: a message quoting a caption, a file name or a typed value shows its controls escaped.
    click.echo(f"{PROG}: error: {printable(message)}", err=True)
    sys.exit(status)


def _database_failure(exc: Exception) -> str | None:
    """A database error raised outside the catalogue's sessions in one line: the catalogue's state
    (disk full, locked, read-only...) or the driver's own first line, never SQLAlchemy's link."""
    from sqlalchemy.exc import DBAPIError

    from desktop_app.catalogue.database import database_failure

    return str(database_failure(exc)) if isinstance(exc, DBAPIError) else None


def main(argv: Sequence[str] | None = None) -> None:
    try:
        status = cli.main(args=list(argv) if argv is not None else None, prog_name=PROG,
                          standalone_mode=False)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else PROG
        if isinstance(exc, click.exceptions.NoArgsIsHelpError):  # its message is the whole help
            _fail(f"missing a command (see '{where} --help')", 2)
        _fail(f"{exc.format_message().rstrip('.')} (see '{where} --help')", 2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, click.Abort):
        _fail("interrupted", INTERRUPTED)
    except BrokenPipeError:
        sys.exit(0)  # output piped into `head` and the like
    except _expected_errors() as exc:
        _fail(str(exc), 1)
    except Exception as exc:
        logging.getLogger(PROG).debug("unexpected error", exc_info=True)
        explained = _database_failure(exc)
        if explained is not None:
            _fail(explained, 1)
        detail = "".join(traceback.format_exception_only(exc)).strip().splitlines()[-1]
        _fail(f"unexpected failure: {detail} (run with -vv for details)", 1)
    sys.exit(status if isinstance(status, int) else 0)
