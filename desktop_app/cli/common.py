"""Options and output helpers every command shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from desktop_app import locations
from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.settings import BATCH_SIZES, DTYPES, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def db_option(function: F) -> F:
    return click.option(
        "--db",
        metavar="PATH|URL",
        envvar=locations.DB_ENV,
        show_envvar=True,
        help="Catalogue file or SQLAlchemy URL (default: the settings' catalogue location, else the "
             "catalogue in your user data folder).",
    )(function)


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")(function)


def author_option(function: F) -> F:
    return click.option(
        "--author", metavar="NAME", help="Who made the change (default: $PHOTO_ANNOTATOR_USER or your login)."
    )(function)


def engine_options(function: F) -> F:
    """--device, --dtype and --batch-size: how the captioning engine runs (not stored with a job).

    Each defaults to the settings' value (settings.json, or the app's Settings dialog), read only
    when the command runs.
    """
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


def open_db(db: str | None) -> Catalogue:
    return open_catalogue(db)


def emit_json(value: Any) -> None:
    # ASCII-only JSON: file names that are not valid UTF-8 survive as \udcXX escapes that json.loads
    # and os.fsencode turn back into the exact bytes, and no terminal encoding can break the output.
    sys.stdout.write(json.dumps(value, ensure_ascii=True, sort_keys=False) + "\n")


def echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err)
