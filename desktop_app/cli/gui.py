"""`photo-annotator gui`: the desktop app."""

from __future__ import annotations

import click

from desktop_app.cli.common import adds_to_catalogue, db_option


@adds_to_catalogue
@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=str))
@click.option("--screenshot", metavar="OUT.png", type=click.Path(dir_okay=False, path_type=str),
              help="Open, wait until the library and thumbnails are shown, save a PNG of the window, exit.")
@db_option
def gui(folder: str | None, screenshot: str | None, db: str | None) -> None:
    """Open the desktop app, scanning FOLDER first if given.

    With no FOLDER and an empty catalogue, the bundled sample library is added.
    """
    try:
        from desktop_app.ui.app import run_app
    except ImportError as exc:  # Qt's GUI libraries link system libraries a minimal Linux may lack
        from desktop_app.ui.qt_check import import_problem

        raise click.ClickException(import_problem(exc)) from None

    raise SystemExit(run_app(folder=folder, db=db, screenshot=screenshot))
