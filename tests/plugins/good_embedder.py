"""A working plugin offering an embedder: hashed bag-of-words vectors (no model needed)."""

import hashlib

import numpy as np

from desktop_app.plugin_api import Embedder, hookimpl


class HashedWordsEmbedder(Embedder):
    id = "hashed-words"
    name = "Hashed words"
    description = "Bag of words hashed into 64 dimensions."
    default_model = "builtin:hashed-words"
    dimension = 64

    def load(self, device):
        pass

    def unload(self):
        pass

    def embed_texts(self, texts):
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, hashlib.blake2b(word.encode(), digest_size=2).digest()[0] % 64] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


@hookimpl
def register_embedders(register):
    register(HashedWordsEmbedder())
