"""Options and output helpers every command shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from desktop_app import locations
from desktop_app.catalogue import Catalogue, open_catalogue

F = TypeVar("F", bound=Callable[..., Any])


def db_option(function: F) -> F:
    return click.option(
        "--db",
        metavar="PATH|URL",
        envvar=locations.DB_ENV,
        show_envvar=True,
        help="Catalogue file or SQLAlchemy URL (default: the catalogue in your user data folder).",
    )(function)


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")(function)


def author_option(function: F) -> F:
    return click.option(
        "--author", metavar="NAME", help="Who made the change (default: $PHOTO_ANNOTATOR_USER or your login)."
    )(function)


def engine_options(function: F) -> F:
    """--device, --dtype and --batch-size: how the captioning engine runs (not stored with a job)."""
    function = click.option("--batch-size", type=click.IntRange(1, 256), default=8, show_default=True,
                            help="Photos the model captions at once.")(function)
    function = click.option(
        "--dtype", type=click.Choice(["auto", "float32", "bfloat16", "float16"]), default="auto",
        show_default=True,
        help="Number format of the model; auto: bfloat16 where the GPU or CPU computes it natively, "
             "else float32.")(function)
    return click.option("--device", default="auto", show_default=True,
                        help="cuda, mps, cpu, or auto (CUDA, then Apple MPS, then CPU).")(function)


def open_db(db: str | None) -> Catalogue:
    return open_catalogue(db)


def emit_json(value: Any) -> None:
    # ASCII-only JSON: file names that are not valid UTF-8 survive as \udcXX escapes that json.loads
    # and os.fsencode turn back into the exact bytes, and no terminal encoding can break the output.
    sys.stdout.write(json.dumps(value, ensure_ascii=True, sort_keys=False) + "\n")


def echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err)
