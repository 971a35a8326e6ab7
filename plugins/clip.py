"""An image-text embedder: CLIP or SigLIP put photos and text in one space, so a text query finds
photos that have no caption yet.

Any CLIP or SigLIP model transformers loads with AutoModel/AutoProcessor, from a hub id (downloaded
once into the Hugging Face cache) or a local folder (``--model``). Which of the two it is comes from
its config (``model_type``): SigLIP was trained on text padded to its full length, so its text is
padded that way. The default, ``openai/clip-vit-base-patch32``, is 151M parameters and 512 dimensions.

The same model is a tagger, ``clip-zero-shot``: keywords from the pixels, each vocabulary label put in
``PROMPT`` and matched to the photo by cosine (see ``ClipZeroShotTagger``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from desktop_app.plugin_api import (
    Embedder,
    LabelVectors,
    Modality,
    Suggestion,
    Tagger,
    TaggerInput,
    TagItem,
    VocabularyTerm,
    hookimpl,
)

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

BATCH_SIZE = 32
SIGLIP_TYPES = ("siglip", "siglip2")


class ClipEmbedder(Embedder):
    id = "clip"
    name = "CLIP photo and text embeddings"
    description = ("Photos and text in one space (CLIP or SigLIP, --model HUB_ID|FOLDER): search photos "
                   "by a description, captioned or not.")
    default_model = "openai/clip-vit-base-patch32"
    dimension = 512
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.TEXT, Modality.IMAGE})
    # Photos are decoded at most this large (then the processor resizes to the model's 224-384 px).
    max_image_side = 768

    def __init__(self, model: str | None = None) -> None:
        super().__init__(model)
        self.network: Any = None
        self.processor: Any = None
        self.device = "cpu"
        self.padding: bool | str = True

    def load(self, device: str) -> None:
        import torch
        from transformers import AutoModel, AutoProcessor

        from desktop_app.plugin_api import ModelLoadError, load_model, load_pretrained

        network = load_model(AutoModel, self.model, None, device, torch.float32)
        if not hasattr(network, "get_image_features") or not hasattr(network, "get_text_features"):
            raise ModelLoadError(f"{self.model} is a {network.config.model_type} model, not CLIP or SigLIP")
        self.processor = load_pretrained(AutoProcessor, self.model, None)
        self.network, self.device = network, device
        self.padding = "max_length" if network.config.model_type in SIGLIP_TYPES else True
        self.dimension = int(_projection_dim(network.config))

    def unload(self) -> None:
        self.network = self.processor = None

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        def features(batch: Sequence[str]) -> Any:
            inputs = self.processor.tokenizer(list(batch), padding=self.padding, truncation=True,
                                              return_tensors="pt").to(self.device)
            return self.network.get_text_features(**inputs)

        return self._embed(texts, features)

    def embed_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        def features(batch: Sequence[Image.Image]) -> Any:
            inputs = self.processor.image_processor(list(batch), return_tensors="pt").to(self.device)
            return self.network.get_image_features(pixel_values=inputs["pixel_values"])

        return self._embed(images, features)

    def _embed(self, items: Sequence[Any], features: Any) -> np.ndarray:
        import numpy as np
        import torch

        if self.network is None:
            raise RuntimeError(f"embedder {self.id} is not loaded")
        parts = []
        with torch.inference_mode():
            for start in range(0, len(items), BATCH_SIZE):
                output = features(items[start:start + BATCH_SIZE])
                # transformers 5 returns the projected vectors as pooler_output; 4.x the tensor itself.
                vectors = output if isinstance(output, torch.Tensor) else output.pooler_output
                parts.append(torch.nn.functional.normalize(vectors.float(), dim=-1).cpu().numpy())
        if not parts:
            return np.zeros((0, self.dimension), np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)


def _projection_dim(config: Any) -> int:
    """CLIP projects to ``projection_dim``; SigLIP's vectors are its text model's hidden size."""
    value = getattr(config, "projection_dim", None)
    return int(value) if value else int(config.text_config.hidden_size)


# Zero-shot tagging: each label is embedded in this sentence, as CLIP was trained on captions.
PROMPT = "a photo of {label}."
# A photo's cosine to a label's prompt mapped onto 0..1: CLIP ViT-B/32 gives a matching label about
# 0.25-0.35 and an unrelated one about 0.10-0.20, so (cosine - 0.15) / 0.20, clipped, puts the default
# threshold of 0.5 at a cosine of 0.25. A score that does not depend on the vocabulary's size (a softmax
# over 50,000 terms would make every score tiny).
COSINE_FLOOR = 0.15
COSINE_SPAN = 0.20


class ClipZeroShotTagger(Tagger):
    """Keywords from the pixels: the photo's CLIP vector against each term's labels (preferred and
    synonyms) put in ``PROMPT``; a term scores by its best label, which is the evidence."""

    id = "clip-zero-shot"
    name = "CLIP zero-shot keywords"
    description = ("Keywords from the photo itself (CLIP or SigLIP, --model HUB_ID|FOLDER), matched "
                   "against the vocabulary's labels: for photos with or without a caption.")
    default_model = ClipEmbedder.default_model
    inputs: ClassVar[frozenset[TaggerInput]] = frozenset({TaggerInput.PIXELS})
    default_threshold = 0.5
    default_top_n = 10

    def __init__(self, model: str | None = None) -> None:
        super().__init__(model)
        self.embedder: ClipEmbedder | None = None
        self.label_vectors: Any = None
        self.label_terms: Any = None  # the term (its index in self.terms) of each label row
        self.labels: list[str] = []
        self.terms: list[VocabularyTerm] = []

    def load(self, device: str) -> None:
        embedder = ClipEmbedder(model=self.model)
        embedder.load(device)
        self.embedder = embedder

    def unload(self) -> None:
        if self.embedder is not None:
            self.embedder.unload()
        self.embedder = self.label_vectors = self.label_terms = None

    def set_vocabulary(self, terms: Sequence[VocabularyTerm], cache: LabelVectors) -> None:
        import numpy as np

        if self.embedder is None:
            raise RuntimeError(f"tagger {self.id} is not loaded")
        embedder = self.embedder
        self.terms = list(terms)
        self.labels = [label for term in self.terms for label in term.labels]
        self.label_terms = np.array(
            [index for index, term in enumerate(self.terms) for _label in term.labels], dtype=np.int64)

        def embed(labels: Sequence[str]) -> np.ndarray:
            return embedder.embed_texts([PROMPT.format(label=label) for label in labels])

        self.label_vectors = (cache.vectors(f"{self.model}|{PROMPT}", self.labels, embed) if self.labels
                              else np.zeros((0, embedder.dimension), np.float32))

    def suggest(self, items: Sequence[TagItem], *, top_n: int, threshold: float) -> list[list[Suggestion]]:
        import numpy as np

        if self.embedder is None or self.label_vectors is None:
            raise RuntimeError(f"tagger {self.id} is not loaded")
        results: list[list[Suggestion]] = [[] for _item in items]
        with_image = [index for index, item in enumerate(items) if item.image is not None]
        if not with_image or not len(self.labels):
            return results
        images = self.embedder.embed_images([items[index].image for index in with_image])
        cosines = images @ self.label_vectors.T  # (photos, labels)
        for row, index in zip(cosines, with_image, strict=True):
            # Each term's best label: labels sorted by cosine, the first row of each term kept.
            order = np.argsort(-row, kind="stable")
            _terms, first = np.unique(self.label_terms[order], return_index=True)
            best = order[np.sort(first)][:top_n]
            for label_row in best:
                score = float(np.clip((row[label_row] - COSINE_FLOOR) / COSINE_SPAN, 0.0, 1.0))
                if score < threshold:
                    break
                term = self.terms[self.label_terms[label_row]]
                results[index].append(Suggestion(term.term_id, score, (self.labels[label_row],)))
        return results


@hookimpl
def register_embedders(register: Any) -> None:
    register(ClipEmbedder())


@hookimpl
def register_taggers(register: Any) -> None:
    register(ClipZeroShotTagger())
