"""The model a captioner runs: the one given (a hub id or a local folder), else the settings' choice for
that captioner, else the captioner's default; and the checks a captioning job's model and options pass
before it is queued (jobs/checks.py), so the command line and the dialogs refuse the same mistakes."""

from __future__ import annotations

from typing import Any

from desktop_app.jobs.checks import check_caption_job, resolve_model
from desktop_app.plugin_api.captioner import Captioner
from desktop_app.settings import Settings


def default_model(captioner: Captioner, settings: Settings) -> str:
    """The model ``captioner`` runs when none is given: the settings', else its own default."""
    return settings.captioner_models.get(captioner.id) or captioner.default_model


def chosen_model(captioner: Captioner, model: str | None, settings: Settings) -> str:
    """``model`` (a folder as its absolute path; ModelFolderError for a folder that does not exist),
    else :func:`default_model`."""
    return resolve_model(model) or default_model(captioner, settings)


def with_model(captioner: Captioner, model: str | None, settings: Settings) -> Captioner:
    """A fresh instance of ``captioner``'s class on the chosen model (``type(instance)(model=...)``, the
    plugin contract), not loaded."""
    return type(captioner)(model=chosen_model(captioner, model, settings))


def check_caption(captioner: Captioner, model: str | None, options: dict[str, Any],
                  settings: Settings) -> tuple[str | None, dict[str, Any]]:
    """The model and options a captioning job is stored with: ``model`` resolved (None: the settings'
    or the captioner's, chosen when the job runs) and the options checked against the model that will
    run. ModelFolderError or OptionError (``.option`` names it) says what is wrong, in one line."""
    return check_caption_job(captioner, model, options, settings.captioner_models.get(captioner.id))
