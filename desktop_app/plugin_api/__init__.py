"""The public plugin API: the one module plugins import (``from desktop_app.plugin_api import ...``).

It holds the captioner, embedder and tagger contracts, ``hookimpl`` to mark hook implementations, and the
transformers helpers the built-in captioners use. The names in ``__all__`` are the API; its
submodules are the app's own, and a plugin importing them breaks an import-linter contract.

``API_VERSION`` is "MAJOR.MINOR": MINOR grows when names or optional methods are added (a plugin
written for 1.0 works with any 1.x); MAJOR grows when something a plugin may rely on is removed or
changes meaning. README "Plugin API changelog" lists what each version holds. Importing this module
stays cheap: torch and transformers are imported only when a model loads.
"""

from __future__ import annotations

from desktop_app.plugin_api.alt_text import ALT_TEXT_MAX_CHARS, alt_text_from
from desktop_app.plugin_api.captioner import (
    CAPTION_KINDS,
    Captioner,
    CaptionerKind,
    CaptionInterrupted,
    CaptionResult,
    InputKind,
    OptionSpec,
    TokenScore,
)
from desktop_app.plugin_api.embedder import Embedder, Modality
from desktop_app.plugin_api.explain import AttentionMap, TeacherForcing, eager_attention
from desktop_app.plugin_api.hf import (
    ModelLoadError,
    ModelNotAvailableError,
    RemoteCodeError,
    TransformersCaptioner,
    config_file,
    load_config,
    load_model,
    load_pretrained,
    supported_model_type,
)
from desktop_app.plugin_api.hookspecs import hookimpl
from desktop_app.plugin_api.tagger import (
    LabelVectors,
    Suggestion,
    Tagger,
    TaggerInput,
    TagItem,
    VocabularyTerm,
)

API_VERSION = "1.3"

__all__ = [
    "ALT_TEXT_MAX_CHARS",
    "API_VERSION",
    "CAPTION_KINDS",
    "AttentionMap",
    "CaptionInterrupted",
    "CaptionResult",
    "Captioner",
    "CaptionerKind",
    "Embedder",
    "InputKind",
    "LabelVectors",
    "Modality",
    "ModelLoadError",
    "ModelNotAvailableError",
    "OptionSpec",
    "RemoteCodeError",
    "Suggestion",
    "TagItem",
    "Tagger",
    "TaggerInput",
    "TeacherForcing",
    "TokenScore",
    "TransformersCaptioner",
    "VocabularyTerm",
    "alt_text_from",
    "config_file",
    "eager_attention",
    "hookimpl",
    "load_config",
    "load_model",
    "load_pretrained",
    "supported_model_type",
]
