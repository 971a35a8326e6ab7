"""The hooks a Photo Annotator plugin can implement.

A plugin is a module (or object) with functions marked ``@hookimpl``; it is found through the
``photo_annotator`` entry-point group, or in ``plugins.DEFAULT_PLUGINS`` for the built-in ones.
Hooks receive a ``register`` callable and call it once for each model the plugin offers. Plugin
modules must import nothing heavy (no torch) at import time: models load in ``load()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from desktop_app.plugin_api.captioner import Captioner
    from desktop_app.plugin_api.embedder import Embedder
    from desktop_app.plugin_api.tagger import Tagger

PROJECT = "photo_annotator"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- models ------------------------------------------------------------------------------------------

@hookspec
def register_captioners(register: Callable[[Captioner], None]) -> None:
    """Offer captioners: call ``register(captioner)`` once for each ``Captioner`` instance.

    Called once, when the app or a command first needs the list of captioners. Constructing a
    captioner must be cheap (no weights, no torch import); ``load()`` does the heavy work. Each
    instance must keep the construction contract (``Captioner``): ``type(instance)(model=...)``
    builds one of that model, and it pickles by class and model; registration checks both.
    """


@hookspec
def register_embedders(register: Callable[[Embedder], None]) -> None:
    """Offer embedders: call ``register(embedder)`` once for each ``Embedder`` instance.

    Embedders turn caption text (and, for image-text models such as CLIP or SigLIP, photos) into
    vectors for semantic search. Called once, like ``register_captioners``, and under the same
    construction contract.
    """


@hookspec
def register_taggers(register: Callable[[Tagger], None]) -> None:
    """Offer taggers: call ``register(tagger)`` once for each ``Tagger`` instance.

    Taggers suggest keywords from the library's vocabularies for photos, from caption text, pixels or
    both (object labels of a detector mapped onto the vocabulary, for example). Called once, like
    ``register_captioners``, and under the same construction contract. New in plugin API 1.2.
    """
