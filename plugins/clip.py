"""An image-text embedder: CLIP or SigLIP put photos and text in one space, so a text query finds
photos that have no caption yet.

Any CLIP or SigLIP model transformers loads with AutoModel/AutoProcessor, from a hub id (downloaded
once into the Hugging Face cache) or a local folder (``--model``). Which of the two it is comes from
its config (``model_type``): SigLIP was trained on text padded to its full length, so its text is
padded that way. The default, ``openai/clip-vit-base-patch32``, is 151M parameters and 512 dimensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from desktop_app.plugin_api import Embedder, Modality, hookimpl

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


@hookimpl
def register_embedders(register: Any) -> None:
    register(ClipEmbedder())
