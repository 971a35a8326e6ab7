"""Entry point: the command group and the error policy (usage errors exit 2, failures 1, one line each)."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence

import click

from desktop_app import __version__

PROG = "photo-annotator"


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.version_option(__version__, prog_name=PROG)
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Caption, review and search photo collections with AI models.

    With no command, opens the desktop app (the same as `photo-annotator gui`).
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if ctx.invoked_subcommand is None:
        from desktop_app.cli.gui import gui

        ctx.invoke(gui)


def _register() -> None:
    # Each command module keeps its heavy imports inside the command, so --help stays fast.
    from desktop_app.cli import (
        caption,
        captions,
        db,
        embed,
        evaluate,
        export,
        gui,
        jobs,
        photos,
        plugins,
        scan,
        search,
        train,
        write_metadata,
    )

    for command in (scan.scan, photos.photos, photos.show, captions.edit, captions.approve,
                    captions.reject, captions.revert, captions.choose, caption.caption, jobs.jobs, db.db,
                    gui.gui, plugins.plugins, search.search, embed.embed, export.export,
                    write_metadata.write_metadata, evaluate.evaluate, train.train):
        cli.add_command(command)


_register()


def _expected_errors() -> tuple[type[BaseException], ...]:
    """Failures with a message meant for the user: printed as one line, exit status 1."""
    from desktop_app.captioning.hf import ModelLoadError, ModelNotAvailableError
    from desktop_app.catalogue.captions import CaptionError
    from desktop_app.catalogue.database import CatalogueError
    from desktop_app.catalogue.photos import LibraryNotFoundError, PhotoNotFoundError
    from desktop_app.jobs.store import JobError
    from desktop_app.library.scanner import ScanError
    from desktop_app.plugin_registry import UnknownCaptionerError, UnknownEmbedderError
    from desktop_app.search.service import SearchError

    return (CatalogueError, ScanError, CaptionError, PhotoNotFoundError, LibraryNotFoundError,
            ModelNotAvailableError, ModelLoadError, UnknownCaptionerError, UnknownEmbedderError, JobError,
            SearchError)


def _fail(message: str, status: int) -> None:
    click.echo(f"{PROG}: error: {message}", err=True)
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> None:
    try:
        status = cli.main(args=list(argv) if argv is not None else None, prog_name=PROG,
                          standalone_mode=False)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else PROG
        _fail(f"{exc.format_message().rstrip('.')} (see '{where} --help')", 2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, click.Abort):
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)  # output piped into `head` and the like
    except _expected_errors() as exc:
        _fail(str(exc), 1)
    except Exception as exc:
        logging.getLogger(PROG).debug("unexpected error", exc_info=True)
        detail = "".join(traceback.format_exception_only(exc)).strip().splitlines()[-1]
        _fail(f"unexpected failure: {detail} (run with -vv for details)", 1)
    sys.exit(status if isinstance(status, int) else 0)
