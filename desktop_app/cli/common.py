"""Options and output helpers every command shares."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from desktop_app import locations
from desktop_app.catalogue import Catalogue
from desktop_app.settings import (
    BATCH_SIZES,
    CLUSTER_ACTORS,
    DECODE_WORKERS,
    DTYPES,
    PREFETCH_BATCHES,
    is_cluster,
    load_settings,
)
from desktop_app.terminal import printable

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=click.Command)

DB_HELP = (f"Catalogue file or SQLAlchemy URL (default: ${locations.DB_ENV}, else the settings' catalogue "
           "location, else the catalogue in your user data folder).")
DB_KEY = "photo_annotator.db"  # in click's ctx.meta, which a command shares with its group
VERBOSITY_KEY = "photo_annotator.verbosity"


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    # `--db` given before the command (to the group) or after it: the one nearest the command wins;
    # without either, resolve_url falls back to $PHOTO_ANNOTATOR_DB and the settings.
    if value is not None:
        ctx.meta[DB_KEY] = value
        return value
    return ctx.meta.get(DB_KEY)


def db_option(function: F) -> F:
    return click.option("--db", metavar="PATH|URL", callback=_remember_db, help=DB_HELP)(function)


def global_db_option(function: F) -> F:
    """``--db`` on the command group: the same option, for the command that follows."""
    return click.option("--db", metavar="PATH|URL", callback=_remember_db, expose_value=False,
                        is_eager=True, help=DB_HELP)(function)


def _add_verbosity(ctx: click.Context, _param: click.Parameter, value: int) -> int:
    total = ctx.meta.get(VERBOSITY_KEY, 0) + (value or 0)
    ctx.meta[VERBOSITY_KEY] = total
    logging.getLogger().setLevel(log_level(total))
    return total


def log_level(verbosity: int) -> int:
    return {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)


def verbose_option() -> click.Option:
    """``-v`` / ``--verbose``, accepted before the command (by the group) and after it (by every command)."""
    return click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_add_verbosity,
                        help="More log output on stderr (-vv for debug).")


def adds_to_catalogue(command: C) -> C:
    """Mark a command that brings photos or captions into the catalogue: it may create a catalogue
    that does not exist yet. Every other command only finds one ("no catalogue at PATH")."""
    command.adds_to_catalogue = True  # type: ignore[attr-defined]
    return command


def may_create_catalogue(command: click.Command) -> bool:
    return bool(getattr(command, "adds_to_catalogue", False))


class Text(click.ParamType):
    """Text typed by a person (a query, a caption, a prompt, a name): it must be valid UTF-8.

    Arguments decode with surrogate escapes, so bytes that are not UTF-8 would reach the catalogue
    or a model as lone surrogates. File names are not Text: they may hold any bytes.
    """

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, bytes):
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError:
                self.fail("not valid UTF-8 text", param, ctx)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                self.fail("not valid UTF-8 text (check the terminal's or the script's encoding)", param, ctx)
        return value


TEXT = Text()


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")(function)


def author_option(function: F) -> F:
    return click.option(
        "--author", metavar="NAME", help="Who made the change (default: $PHOTO_ANNOTATOR_USER or your login)."
    )(function)


def engine_options(function: F) -> F:
    """--device, --dtype, --batch-size, --decode-workers and --prefetch: how the captioning engine runs
    (not stored with a job).

    Each defaults to the settings' value (settings.json, or the app's Settings dialog), read only
    when the command runs.
    """
    function = click.option(
        "--prefetch", type=click.IntRange(*PREFETCH_BATCHES),
        default=lambda: load_settings().engine.prefetch_batches,
        help="Batches decoded and prepared ahead of the one the model works on (default: the settings', "
             "1 unless changed).")(function)
    function = click.option(
        "--decode-workers", type=click.IntRange(*DECODE_WORKERS),
        default=lambda: load_settings().engine.decode_workers,
        help="Threads decoding photos and running the captioner's preprocessing while the model works "
             "(default: the settings', 2 unless changed).")(function)
    function = click.option(
        "--batch-size", type=click.IntRange(*BATCH_SIZES), default=lambda: load_settings().engine.batch_size,
        help="Photos the model captions at once (default: the settings', 8 unless changed).")(function)
    function = click.option(
        "--dtype", type=click.Choice(DTYPES), default=lambda: load_settings().engine.dtype,
        help="Number format of the model; auto: bfloat16 where the GPU or CPU computes it natively, "
             "else float32 (default: the settings', auto unless changed).")(function)
    return click.option(
        "--device", default=lambda: load_settings().engine.device,
        help="cuda, cuda:N, mps, cpu, or auto: CUDA, then Apple MPS, then CPU (default: the settings', "
             "auto unless changed).")(function)


def _cluster_address(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not is_cluster(value):
        raise click.BadParameter(f"{value!r} is none of local, auto, ray://HOST:PORT")
    return value


def cluster_options(function: F) -> F:
    """--cluster, --actors and --ship-bytes: run a caption job through Ray (jobs/cluster) instead of in
    this process. --cluster defaults to the settings' (empty: in this process)."""
    function = click.option(
        "--ship-bytes", is_flag=True,
        help="With --cluster: send each photo's bytes from this machine, for cluster machines that do "
             "not mount the library (default: they read it by path, through their library roots).")(function)
    function = click.option(
        "--actors", type=click.IntRange(*CLUSTER_ACTORS),
        default=lambda: load_settings().engine.cluster_actors,
        help="With --cluster: captioner copies to run; 0 (the default): one per GPU of the cluster, or "
             "one using every core of a CPU-only one.")(function)
    return click.option(
        "--cluster", metavar="local|auto|ray://HOST:PORT", callback=_cluster_address,
        default=lambda: load_settings().engine.cluster or None,
        help="Caption through Ray: local (a Ray instance over this machine's GPUs or cores), auto (the "
             "cluster this machine belongs to) or ray://HOST:PORT (a cluster's head). Needs "
             "photo-annotator[cluster]. Default: the settings' (none: in this process).")(function)


def open_db(db: str | None) -> Catalogue:
    """The catalogue for the running command. Only a command marked ``adds_to_catalogue`` creates one
    that does not exist; the others say "no catalogue at PATH", and open one they cannot write
    (read-only file or file system) read-only."""
    from desktop_app.services.catalogue import open_catalogue

    ctx = click.get_current_context(silent=True)
    creates = ctx is not None and may_create_catalogue(ctx.command)
    return open_catalogue(db, create=creates, reading=not creates)


def emit_json(value: Any) -> None:
    # ASCII-only JSON: file names that are not valid UTF-8 survive as \udcXX escapes that json.loads
    # and os.fsencode turn back into the exact bytes, and no terminal encoding can break the output.
    sys.stdout.write(json.dumps(value, ensure_ascii=True, sort_keys=False) + "\n")


def echo(text: str = "", err: bool = False) -> None:
    """Print a human-readable line: control characters in it (escape sequences, bells, newlines, bidi
    overrides from captions or file names) are shown escaped, never obeyed. Leading newlines are
    layout (a blank line before) and stay."""
    body = text.lstrip("\n")
    click.echo(text[: len(text) - len(body)] + printable(body), err=err)
