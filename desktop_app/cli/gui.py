"""`photo-annotator gui`: the desktop app."""

from __future__ import annotations

import os

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

    With no FOLDER and an empty catalogue, the bundled sample library is added. A FOLDER inside a
    library already in the catalogue is refreshed and shown in its library, not added as another.
    """
    if folder is not None and not os.path.exists(folder):
        from desktop_app.catalogue.photos import display_path

        # Said here, before the window opens or a catalogue is made: nothing is added for a typo.
        raise click.ClickException(f"folder {display_path(folder)} does not exist")
    try:
        from desktop_app.ui.app import run_app
    except ImportError as exc:  # Qt's GUI libraries link system libraries a minimal Linux may lack
        from desktop_app.ui.qt_check import import_problem

        raise click.ClickException(import_problem(exc)) from None

    raise SystemExit(run_app(folder=folder, db=db, screenshot=screenshot))
