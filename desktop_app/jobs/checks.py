"""What a captioning job is checked for before it exists: its model and its options (no Qt, no torch).

The runner calls them when it queues a job, and the app's caption dialog and the CLI call them
before that through services/models.py, so a mistake is one line before any work starts, never one
line per photo after the model loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.jobs.store import JobError
from desktop_app.plugin_api.captioner import Captioner
from desktop_app.settings import looks_like_folder


class ModelFolderError(JobError):
    """A model given as a local folder that does not exist; ``str()`` is the one-line message."""


class OptionError(JobError):
    """An option a captioner does not take, or a value it does not accept.

    ``option`` is the option's name ("max_new_tokens"); ``str()`` says what is allowed."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


def check_caption_job(prototype: Captioner, model: str | None, options: dict[str, Any],
                      settings_model: str | None = None) -> tuple[str | None, dict[str, Any]]:
    """The model and options a captioning job with ``prototype``'s captioner is stored with, checked:
    ModelFolderError or OptionError says what is wrong. ``settings_model``: the model used when
    ``model`` is None (the settings' choice for this captioner), whose rules the options follow."""
    model = resolve_model(model)
    captioner = type(prototype)(model=model or settings_model or None)
    return model, check_options(captioner, options)


def resolve_model(model: str | None) -> str | None:
    """``model`` as stored with a job: a local folder as its absolute path (a job resumed from another
    directory, and the captions' model ids, must not depend on where it was queued), a hub id
    ("org/name") as given. A value that looks like a folder but is none is refused."""
    if not model:
        return None
    if not looks_like_folder(model):
        return model
    folder = Path(model).expanduser()
    if not folder.is_dir():
        raise ModelFolderError(f"model folder {model} does not exist")
    return str(folder.resolve())


def check_options(captioner: Captioner, options: dict[str, Any]) -> dict[str, Any]:
    """The options, checked against the captioner's OptionSpecs (name, type) and its own rules for
    their values (``Captioner.check_option``: the choices, or what its model takes); OptionError names
    the first one that is wrong."""
    specs = {spec.name: spec for spec in captioner.options}
    checked: dict[str, Any] = {}
    for name, value in options.items():
        spec = specs.get(name)
        if spec is None:
            takes = ", ".join(specs) or "no options"
            raise OptionError(name, f"the {captioner.id} captioner has no option {name} (it takes {takes})")
        if not _has_type(value, spec.type):
            raise OptionError(name, f"{name} must be {_type_words(spec.type)}, not {value!r}")
        problem = captioner.check_option(spec, value)
        if problem:
            raise OptionError(name, problem)
        checked[name] = value
    return checked


def _has_type(value: Any, kind: type) -> bool:
    if isinstance(value, bool) and kind is not bool:
        return False  # True is an int to Python, not to a user
    if kind is float:
        return isinstance(value, int | float)
    return isinstance(value, kind)


def _type_words(kind: type) -> str:
    return {int: "a whole number", float: "a number", bool: "true or false", str: "text"}.get(
        kind, kind.__name__)
