"""A plugin whose embedders register fine and then fail, each its own way, when used."""

import numpy as np

from desktop_app.plugin_api import Embedder, ModelNotAvailableError, hookimpl


class _Broken(Embedder):
    name = "Broken"
    description = "Fails when used."
    default_model = "builtin:broken"
    dimension = 8

    def load(self, device):
        pass

    def unload(self):
        pass

    def embed_texts(self, texts):
        return np.ones((len(texts), self.dimension), np.float32)


class FailsToLoad(_Broken):
    id = "fails-to-load"

    def load(self, device):
        raise RuntimeError("weights file is corrupt")


class ExitsWhileEmbedding(_Broken):
    id = "exits-while-embedding"

    def embed_texts(self, texts):
        raise SystemExit(3)


class NeedsAMissingModule(_Broken):
    id = "needs-a-missing-module"

    def load(self, device):
        import photo_annotator_no_such_dependency  # noqa: F401


class NotDownloaded(_Broken):
    id = "not-downloaded"

    def load(self, device):
        raise ModelNotAvailableError(f"model {self.model} is not downloaded; run it once online")


class WrongShape(_Broken):
    id = "wrong-shape"

    def embed_texts(self, texts):
        return np.ones((len(texts) + 1, self.dimension), np.float32)


class PluginAbort(BaseException):
    """Neither an Exception nor Ctrl+C: what a careless plugin might raise."""


class RaisesABaseException(_Broken):
    id = "raises-a-base-exception"

    def load(self, device):
        raise PluginAbort("giving up")


class ExitsWhileUnloading(_Broken):
    id = "exits-while-unloading"

    def unload(self):
        raise SystemExit(4)


@hookimpl
def register_embedders(register):
    for embedder in (FailsToLoad, ExitsWhileEmbedding, NeedsAMissingModule, NotDownloaded, WrongShape,
                     RaisesABaseException, ExitsWhileUnloading):
        register(embedder())
