"""`photo-annotator train`: fine-tune a captioner's model on the catalogue's approved captions."""

from __future__ import annotations

import click


@click.command()
def train() -> None:
    """Fine-tune a captioner on approved captions (being written)."""
    raise click.ClickException("train is not ready yet")
