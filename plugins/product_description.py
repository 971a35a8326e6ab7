"""Product descriptions for shop listings, from SmolVLM (an Idefics3 vision-language model).

The default model, ``HuggingFaceTB/SmolVLM-500M-Instruct`` (Apache-2.0, 0.5B parameters), is an
instruction-tuned chat model: it is asked, through its processor's chat template, for a few sentences
fit for a listing (item type, colour, material, style, visible text), without invented brands or
specifications. The request is the editable "prompt" option; it is stored with each description.

- Which classes load a model comes from its ``config.json`` (``model_type`` "idefics3": SmolVLM-256M,
  -500M and -2.2B Instruct, Idefics3), never from its name. transformers' SmolVLMProcessor (the
  SmolVLM2 models, ``model_type`` "smolvlm") needs torchvision and num2words, so those are refused.
- The model is decoder-only: a batch's prompts (whose length depends on the image's shape, which
  sets how many tiles it is cut into) are padded on the left, so each image's description is the same
  whether it is captioned alone or in a batch. The description is the model's answer only: the
  prompt, the chat template and the "Assistant:" turn marker never reach it.
- Images are resized by the processor so their longest side is the model's (2048 px for SmolVLM-500M,
  cut into 512 px tiles plus a global view): the engine never needs to decode them larger.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from desktop_app.plugin_api import (
    CaptionerKind,
    OptionSpec,
    TransformersCaptioner,
    hookimpl,
    load_config,
    load_model,
    load_pretrained,
    supported_model_type,
)

SUPPORTED_MODEL_TYPES = {"idefics3": "SmolVLM-256M/500M/2.2B-Instruct, Idefics3"}

DEFAULT_PROMPT = (
    "Write a product description of the item in this photo for an online shop listing, in two to four "
    "sentences. Say what kind of item it is and describe its colour, material and style, and quote any "
    "text that is visible on it. Do not invent a brand, size, measurements or other specifications that "
    "cannot be seen in the photo."
)

# Chat-template and image-layout tokens: none may reach a description, even from a tokenizer that
# does not mark them special.
_TEMPLATE_TOKENS = re.compile(
    r"<row_\d+_col_\d+>|<global-img>|<fake_token_around_image>|<image>|<end_of_utterance>|<\|im_(?:start|end)\|>"
)
_ANSWER_MARKER = re.compile(r"^\s*Assistant:\s*")
_SPACES = re.compile(r"[ \t]+")


def clean_description(text: str) -> str:
    """The answer alone: template tokens and a repeated "Assistant:" removed, spaces tidied."""
    text = _ANSWER_MARKER.sub("", _TEMPLATE_TOKENS.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


class ProductDescriptionCaptioner(TransformersCaptioner):
    id = "product-description"
    name = "Product description"
    description = (
        "A few sentences for a shop listing: item type, colour, material, style and visible text, "
        "without invented brands or specifications (SmolVLM; the prompt is editable)."
    )
    kind = CaptionerKind.PRODUCT_DESCRIPTION
    default_model = "HuggingFaceTB/SmolVLM-500M-Instruct"
    # The processor resizes every image to this longest side (SmolVLM-500M: 2048 px) before cutting it
    # into tiles; set from the model's image processor once loaded.
    max_image_side = 2048
    options: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec("prompt", str, DEFAULT_PROMPT,
                   "What to ask the model for; the photo comes with it. Empty: the default listing "
                   "request."),
        OptionSpec("max_new_tokens", int, 128, "Longest description, in tokens (about 0.75 words each)."),
        OptionSpec("num_beams", int, 1, "Beam search width (1: greedy, fastest)."),
    )

    def __init__(self, model: str | None = None, revision: str | None = None) -> None:
        super().__init__(model, revision)
        self.processor: Any = None
        self._token_ids: dict[str, Any] = {}

    def _load(self, source: str, revision: str | None, device: str, dtype: Any) -> None:
        from transformers import Idefics3ForConditionalGeneration, Idefics3Processor

        supported_model_type(load_config(source, revision), source, SUPPORTED_MODEL_TYPES,
                             "the product-description captioner")
        self.processor = load_pretrained(Idefics3Processor, source, revision)
        self.tokenizer = self.processor.tokenizer
        self.tokenizer.padding_side = "left"  # decoder-only: a batch's prompts must end together
        self.network = load_model(Idefics3ForConditionalGeneration, source, revision, device, dtype)
        self._token_ids = generation_token_ids(self.network.generation_config, self.tokenizer)
        side = longest_edge(self.processor.image_processor)
        if side:
            self.max_image_side = side  # type: ignore[misc]  # per model, on this instance

    def _unload_parts(self) -> None:
        self.processor = None
        self._token_ids = {}
        vars(self).pop("max_image_side", None)

    def _preprocessor(self) -> Any:
        return self.processor

    def _image_inputs(self, processor: Any, image: Any,
                      settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        # One image and its prompt (whose length follows the image's tiles); the batch's prompts are
        # padded on the left when they are put together (``_batch_inputs``), as the processor pads them.
        prompt = listing_prompt(settings.get("prompt"))
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": prompt}]}]
        text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        return processor(text=[text], images=[[rgb]], return_tensors="pt"), prompt

    def _inputs(self, images: list[Any], settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        return self._batch_inputs(images, settings)

    def _generation_extras(self, settings: dict[str, Any]) -> dict[str, Any]:
        return dict(self._token_ids)

    def _clean(self, text: str) -> str:
        return clean_description(text)


def longest_edge(image_processor: Any) -> int | None:
    """The longest side, in pixels, the image processor resizes images to (None: not given)."""
    size = getattr(image_processor, "size", None)
    value = size.get("longest_edge") if isinstance(size, dict) else getattr(size, "longest_edge", None)
    return value if isinstance(value, int) and value > 0 else None


def listing_prompt(prompt: str | None) -> str:
    """The request sent with each photo: the user's text, or the default listing request if empty."""
    return (prompt or "").strip() or DEFAULT_PROMPT


def generation_token_ids(generation_config: Any, tokenizer: Any) -> dict[str, Any]:
    """End and padding tokens for generate: the model's own, plus the chat's end of turn.

    SmolVLM ends its answer with ``<end_of_utterance>``; some checkpoints' generation settings name
    only ``<|im_end|>``, and generation would then run on past the answer.
    """
    ends: list[int] = []
    for value in (generation_config.eos_token_id, tokenizer.eos_token_id,
                  tokenizer.convert_tokens_to_ids("<end_of_utterance>")):
        for token_id in value if isinstance(value, list | tuple) else [value]:
            if isinstance(token_id, int) and token_id != tokenizer.unk_token_id and token_id not in ends:
                ends.append(token_id)
    pad = generation_config.pad_token_id
    pad = tokenizer.pad_token_id if pad is None else pad
    chosen: dict[str, Any] = {"eos_token_id": ends or None, "pad_token_id": pad}
    return {name: value for name, value in chosen.items() if value is not None}


@hookimpl
def register_captioners(register):  # type: ignore[no-untyped-def]
    register(ProductDescriptionCaptioner())
