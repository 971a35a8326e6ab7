"""Finding and loading plugins, each in isolation: one broken plugin never stops the app.

pluggy isolates nothing by itself, so every step is guarded per plugin: importing it, registering it
with pluggy, calling each of its hook implementations, and checking what it registered. A plugin
that fails any step is recorded with a one-line error and left out whole; the rest load. "Fails"
includes ``sys.exit()`` and any other BaseException raised by plugin code: only a real Ctrl+C
(KeyboardInterrupt) gets through and stops the program.

Each captioner and embedder registered must also keep the construction contract (see
``Captioner``): ``type(instance)(model=...)`` builds one of that model, and the instance survives a
pickle round trip (by class and model), so that another process can rebuild it. Both are checked
here, without loading weights; a plugin failing either is left out like any broken plugin.

``PHOTO_ANNOTATOR_PLUGINS`` (comma-separated plugin names) limits which plugins load, built-in ones
included; set to an empty string it loads none.
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from desktop_app.errors import PluginCodeError, isolated, one_line
from desktop_app.plugin_api import hookspecs
from desktop_app.plugin_api.captioner import CAPTION_KINDS, Captioner
from desktop_app.plugin_api.embedder import Embedder
from desktop_app.plugin_api.tagger import Tagger

log = logging.getLogger(__name__)

PLUGINS_ENV = "PHOTO_ANNOTATOR_PLUGINS"
ENTRY_POINT_GROUP = hookspecs.PROJECT


class UnknownCaptionerError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class UnknownEmbedderError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class UnknownTaggerError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class PluginInfo:
    name: str
    source: str  # "built-in" or "entry point"
    version: str | None = None
    status: str = "loaded"  # loaded, failed, disabled
    error: str | None = None
    hooks: list[str] = field(default_factory=list)  # the hooks it implements
    captioners: list[str] = field(default_factory=list)
    embedders: list[str] = field(default_factory=list)
    taggers: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "source": self.source, "version": self.version, "status": self.status,
            "error": self.error, "hooks": self.hooks, "captioners": self.captioners,
            "embedders": self.embedders, "taggers": self.taggers,
        }


def hook_names() -> list[str]:
    """Every hook a plugin can implement, in the order hookspecs.py declares them."""
    return [name for name, _attribute, _type, _noun in _HOOKS]


@dataclass(frozen=True)
class _Candidate:
    name: str
    source: str
    version: str | None
    load: Callable[[], Any]


# Each hook: the registry attribute it fills, the type it accepts, and the noun for messages.
_HOOKS = (
    ("register_captioners", "captioners", Captioner, "captioner"),
    ("register_embedders", "embedders", Embedder, "embedder"),
    ("register_taggers", "taggers", Tagger, "tagger"),
)


class PluginRegistry:
    """The plugins found and what they offer: captioners and embedders by id."""

    def __init__(self, plugins: list[PluginInfo], captioners: dict[str, Captioner],
                 embedders: dict[str, Embedder], taggers: dict[str, Tagger] | None = None) -> None:
        self.plugins = plugins
        self.captioners = captioners
        self.embedders = embedders
        self.taggers = taggers or {}

    def get_captioner(self, captioner_id: str) -> Captioner:
        try:
            return self.captioners[captioner_id]
        except KeyError:
            known = ", ".join(sorted(self.captioners)) or "none"
            raise UnknownCaptionerError(f"no captioner '{captioner_id}' (available: {known})") from None

    def get_embedder(self, embedder_id: str) -> Embedder:
        try:
            return self.embedders[embedder_id]
        except KeyError:
            known = ", ".join(sorted(self.embedders)) or "none"
            raise UnknownEmbedderError(f"no embedder '{embedder_id}' (available: {known})") from None

    def get_tagger(self, tagger_id: str) -> Tagger:
        try:
            return self.taggers[tagger_id]
        except KeyError:
            known = ", ".join(sorted(self.taggers)) or "none"
            raise UnknownTaggerError(f"no tagger '{tagger_id}' (available: {known})") from None


def load_plugins(
    default_plugins: Iterable[str] | None = None, entry_points: bool = True
) -> PluginRegistry:
    """Load the built-in plugins, then those installed through the ``photo_annotator`` entry points."""
    if default_plugins is None:
        from plugins import DEFAULT_PLUGINS

        default_plugins = DEFAULT_PLUGINS
    candidates = [_built_in(module) for module in default_plugins]
    if entry_points:
        candidates += [_from_entry_point(ep) for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)]
    allowed = _allowed_names()

    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    infos: list[PluginInfo] = []
    offered: dict[str, dict[str, Any]] = {attribute: {} for _, attribute, _, _ in _HOOKS}
    owners: dict[tuple[str, str], str] = {}
    for candidate in candidates:
        info = PluginInfo(candidate.name, candidate.source, candidate.version)
        infos.append(info)
        if allowed is not None and candidate.name not in allowed:
            info.status = "disabled"
            continue
        try:
            _load_one(manager, candidate, info, offered, owners)
        except _PluginFailed as failure:
            info.status, info.error = "failed", str(failure)
            info.captioners, info.embedders, info.taggers = [], [], []
            log.warning("plugin %s not loaded: %s", candidate.name, failure)
    return PluginRegistry(infos, offered["captioners"], offered["embedders"], offered["taggers"])


class _PluginFailed(Exception):
    pass


def _load_one(manager: pluggy.PluginManager, candidate: _Candidate, info: PluginInfo,
              offered: dict[str, dict[str, Any]], owners: dict[tuple[str, str], str]) -> None:
    try:
        plugin = candidate.load()
    except BaseException as exc:
        raise _PluginFailed(f"cannot be imported: {_one_line(isolated(exc))}") from exc
    try:
        manager.register(plugin, name=candidate.name)
    except ValueError as exc:  # the same name or module registered twice
        raise _PluginFailed(_one_line(exc)) from exc
    except pluggy.PluginValidationError as exc:  # a hook implementation with a wrong signature
        raise _PluginFailed(f"invalid hook implementation: {_one_line(exc)}") from exc
    except BaseException as exc:  # pluggy reads the plugin's attributes, which may run its code
        raise _PluginFailed(f"cannot be registered: {_one_line(isolated(exc))}") from exc
    collected: dict[str, list[Any]] = {}
    try:
        for hook_name, attribute, expected, noun in _HOOKS:
            collected[attribute] = _call_hook(manager, plugin, hook_name, expected, noun)
        # Checked across plugins only once everything this plugin offers is known to be sound.
        for _hook, attribute, _expected, noun in _HOOKS:
            for obj in collected[attribute]:
                owner = owners.get((attribute, obj.id))
                if owner is not None:
                    raise _PluginFailed(f"{noun} id '{obj.id}' is already registered by plugin '{owner}'")
            ids = [obj.id for obj in collected[attribute]]
            if len(ids) != len(set(ids)):
                raise _PluginFailed(f"registers the {noun} id '{_first_repeat(ids)}' twice")
    except _PluginFailed:
        manager.unregister(plugin)
        raise
    info.hooks = [caller.name for caller in manager.get_hookcallers(plugin) or []]
    for _hook, attribute, _expected, _noun in _HOOKS:
        for obj in collected[attribute]:
            offered[attribute][obj.id] = obj
            owners[(attribute, obj.id)] = candidate.name
            getattr(info, attribute).append(obj.id)


def _call_hook(manager: pluggy.PluginManager, plugin: Any, hook_name: str, expected: type,
               noun: str) -> list[Any]:
    registered: list[Any] = []
    hook = getattr(manager.hook, hook_name)
    for implementation in hook.get_hookimpls():
        if implementation.plugin is not plugin:
            continue
        try:
            implementation.function(register=registered.append)
        except BaseException as exc:
            raise _PluginFailed(f"{hook_name} raised {_one_line(isolated(exc))}") from exc
    for obj in registered:
        if not isinstance(obj, expected):
            raise _PluginFailed(
                f"{hook_name} registered {type(obj).__name__!r}, not a {expected.__name__}"
            )
        if not isinstance(getattr(obj, "id", None), str) or not obj.id:
            raise _PluginFailed(f"{hook_name} registered a {noun} without an id")
        if isinstance(obj, Captioner) and obj.caption_kind not in CAPTION_KINDS:
            raise _PluginFailed(f"captioner '{obj.id}' has caption_kind {obj.caption_kind!r}, not one of "
                                f"{', '.join(CAPTION_KINDS)}")
        _check_construction(obj, noun)
    return registered


# The model the construction check asks for: never loaded, only constructed.
CHECK_MODEL = "photo-annotator/construction-check"


def _check_construction(obj: Any, noun: str) -> None:
    """The construction contract, checked without loading anything: ``type(obj)(model=...)`` builds a
    ``noun`` of that model, and ``obj`` pickles and unpickles to one of its class, id and model."""
    what = f"{noun} '{obj.id}'"
    try:
        built = type(obj)(model=CHECK_MODEL)
    except BaseException as exc:
        raise _PluginFailed(f"{what} breaks the construction contract: type(instance)(model=...) "
                            f"raised {_one_line(isolated(exc))}") from exc
    if type(built) is not type(obj) or getattr(built, "id", None) != obj.id \
            or getattr(built, "model", None) != CHECK_MODEL:
        raise _PluginFailed(f"{what} breaks the construction contract: type(instance)(model='{CHECK_MODEL}') "
                            f"built {_identity(built)}")
    try:
        copy = pickle.loads(pickle.dumps(obj))
    except BaseException as exc:
        raise _PluginFailed(f"{what} cannot be pickled (by class and model): "
                            f"{_one_line(isolated(exc))}") from exc
    if type(copy) is not type(obj) or getattr(copy, "id", None) != obj.id \
            or getattr(copy, "model", None) != obj.model:
        raise _PluginFailed(f"{what} does not survive pickling: it came back as {_identity(copy)}")


def _identity(obj: Any) -> str:
    return (f"a {type(obj).__name__} with id {getattr(obj, 'id', None)!r} "
            f"and model {getattr(obj, 'model', None)!r}")


def _built_in(module_name: str) -> _Candidate:
    name = module_name.rsplit(".", 1)[-1].replace("_", "-")
    return _Candidate(name, "built-in", None, lambda: importlib.import_module(module_name))


def _from_entry_point(entry_point: metadata.EntryPoint) -> _Candidate:
    version = entry_point.dist.version if entry_point.dist else None
    return _Candidate(entry_point.name, "entry point", version, entry_point.load)


def _allowed_names() -> set[str] | None:
    value = os.environ.get(PLUGINS_ENV)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _first_repeat(ids: list[str]) -> str:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            return item
        seen.add(item)
    return ""


def _one_line(exc: BaseException) -> str:
    """With the exception type: for plugin authors, "ModuleNotFoundError" says more than the text."""
    if isinstance(exc, PluginCodeError):
        return one_line(exc)  # already "SystemExit: 3"
    return f"{type(exc).__name__}: {one_line(exc)}"
