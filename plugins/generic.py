"""The generic captioner: everyday photo captions from Florence-2 (default) or BLIP.

- ``florence-community/Florence-2-base-ft`` (MIT, 0.23B parameters, COCO CIDEr 140): Florence-2 in
  transformers' native classes (the ``microsoft/Florence-2-*`` repositories need remote code, which is
  never run). Its task prompts give a short caption, a detailed one, a paragraph, or the text in the
  photo (OCR).
- ``Salesforce/blip-image-captioning-large`` (``--model``): BLIP, captioning unconditionally or
  continuing a text prefix such as "a photography of".

Which of the two a model is comes from its ``config.json`` (``model_type``), never from its name, so
fine-tuned copies and local folders work under any name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

from desktop_app.plugin_api import (
    CaptionerKind,
    CaptionResult,
    ModelLoadError,
    OptionSpec,
    RemoteCodeError,
    TeacherForcing,
    TransformersCaptioner,
    config_file,
    eager_attention,
    hookimpl,
    load_config,
    load_model,
    load_pretrained,
    supported_model_type,
)

FLORENCE = "florence2"
BLIP = "blip"
SUPPORTED_MODEL_TYPES = {FLORENCE: "Florence-2", BLIP: "BLIP"}

# The "prompt" option's names for Florence-2's captioning and OCR tasks.
FLORENCE_TASKS = {
    "caption": "<CAPTION>",
    "detailed": "<DETAILED_CAPTION>",
    "more-detailed": "<MORE_DETAILED_CAPTION>",
    "ocr": "<OCR>",
}
# Longest output by default (max_new_tokens 0): a paragraph or a page of text needs more than a caption.
AUTO_MAX_NEW_TOKENS = {
    "<CAPTION>": 40, "<DETAILED_CAPTION>": 128, "<MORE_DETAILED_CAPTION>": 256, "<OCR>": 256,
}
BLIP_MAX_NEW_TOKENS = 40

PROMPT_HELP = (
    "Florence-2: the task; caption (one sentence), detailed (a few sentences), more-detailed "
    "(a paragraph) or ocr (the text written in the photo). BLIP: text the caption continues, such as "
    "'a photography of' (the prefix is not repeated in the stored caption); caption or empty: "
    "no prefix. BLIP has no detailed or ocr task."
)


class GenericCaptioner(TransformersCaptioner):
    id = "generic"
    name = "Generic captions"
    description = (
        "Captions of everyday photos: Florence-2 (short, detailed or paragraph captions, or the text in "
        "the photo) or BLIP (--model Salesforce/blip-image-captioning-large)."
    )
    kind = CaptionerKind.CAPTION
    default_model = "florence-community/Florence-2-base-ft"
    # Twice the model's input side: Florence-2 sees 768 px, BLIP 384 px. Set from the model's image
    # processor once loaded; until then the larger, which serves both.
    max_image_side = 1536
    options: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec("prompt", str, "caption", PROMPT_HELP, choices=tuple(FLORENCE_TASKS)),
        OptionSpec("max_new_tokens", int, 0,
                   "Longest caption, in tokens; 0: by prompt (40 for a caption, 128 detailed, 256 "
                   "more-detailed or ocr)."),
        OptionSpec("num_beams", int, 1,
                   "Beam search width (1: greedy, fastest; Florence-2's authors use 3)."),
    )

    def __init__(self, model: str | None = None, revision: str | None = None) -> None:
        super().__init__(model, revision)
        self.model_type: str | None = None
        self.processor: Any = None

    def _load(self, source: str, revision: str | None, device: str, dtype: Any) -> None:
        from transformers import (
            BlipForConditionalGeneration,
            BlipProcessor,
            Florence2ForConditionalGeneration,
            Florence2Processor,
        )

        try:
            config = load_config(source, revision)
        except RemoteCodeError:
            if _is_remote_code_florence(config_file(source, revision)):  # a better fix than the general one
                raise ModelLoadError(remote_florence_message(source)) from None
            raise
        self.model_type = model_type_of(config, source)
        if self.model_type == FLORENCE:
            processor_class, model_class = Florence2Processor, Florence2ForConditionalGeneration
        else:
            processor_class, model_class = BlipProcessor, BlipForConditionalGeneration
        self.processor = load_pretrained(processor_class, source, revision)
        self.tokenizer = self.processor.tokenizer
        self.network = load_model(model_class, source, revision, device, dtype)
        side = input_side(self.processor.image_processor)
        if side:
            self.max_image_side = 2 * side  # type: ignore[misc]  # per model, on this instance

    def _unload_parts(self) -> None:
        self.processor = None
        self.model_type = None
        vars(self).pop("max_image_side", None)

    def _preprocessor(self) -> Any:
        return self.processor

    def _image_inputs(self, processor: Any, image: Any,
                      settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        # One image through the processor, as the whole batch used to go: the same tensors, row by row.
        if self.model_type == FLORENCE:
            prompt: str | None = florence_task(settings.get("prompt"))
            return processor(text=[prompt], images=[image], return_tensors="pt"), prompt
        prompt = blip_prefix(settings.get("prompt"))
        text = {"text": [prompt]} if prompt else {}
        return processor(images=[image], return_tensors="pt", **text), prompt

    def _inputs(self, images: list[Any], settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        return self._batch_inputs(images, settings)

    def _generation_extras(self, settings: dict[str, Any]) -> dict[str, Any]:
        if int(settings.get("max_new_tokens") or 0) > 0:
            return {}
        if self.model_type == FLORENCE:
            return {"max_new_tokens": AUTO_MAX_NEW_TOKENS[florence_task(settings.get("prompt"))]}
        return {"max_new_tokens": BLIP_MAX_NEW_TOKENS}

    def check_option(self, spec: OptionSpec, value: Any) -> str | None:
        # The prompt's values depend on the model: Florence-2 takes one of its tasks, BLIP any text but
        # those. A hub model not downloaded yet cannot tell which it is: its run will say.
        if spec.name != "prompt" or not isinstance(value, str):
            return super().check_option(spec, value)
        model_type = (FLORENCE if self.model == self.default_model
                      else config_file(self.model, self.revision).get("model_type"))
        try:
            if model_type == FLORENCE:
                florence_task(value)
            elif model_type == BLIP:
                blip_prefix(value)
        except ValueError as exc:
            return str(exc)
        return None

    def _teacher_forcing(self, settings: dict[str, Any]) -> TeacherForcing:
        # How each model reads a stored text: BLIP's decoder after [DEC] and the prefix the caption
        # continued; Florence-2's BART decoder after its start and <s> tokens, attending over the task
        # prompt's tokens and the image's, of which only the image's make the map.
        network, tokenizer = self.network, self.tokenizer
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        if self.model_type == FLORENCE:
            text = network.config.text_config
            start = [text.decoder_start_token_id, tokenizer.bos_token_id]

            def florence(inputs: dict[str, Any], ids: Any, mask: Any, attentions: bool) -> tuple[Any, Any]:
                with eager_attention(network, attentions):
                    output = network(input_ids=inputs["input_ids"], pixel_values=inputs["pixel_values"],
                                     attention_mask=inputs.get("attention_mask"), decoder_input_ids=ids,
                                     decoder_attention_mask=mask, output_attentions=attentions)
                return output.logits, output.cross_attentions if attentions else None

            image_token = network.config.image_token_id
            return TeacherForcing(tokenizer, [t for t in start if t is not None], pad, florence,
                                  self.processor.image_processor,
                                  image_keys=lambda inputs: inputs["input_ids"] == image_token, patch=32)
        prefix = blip_prefix(settings.get("prompt"))
        prompt_ids = tokenizer(prefix, add_special_tokens=False).input_ids if prefix else []

        def blip(inputs: dict[str, Any], ids: Any, mask: Any, attentions: bool) -> tuple[Any, Any]:
            with eager_attention(network, attentions):
                images = network.vision_model(pixel_values=inputs["pixel_values"]).last_hidden_state
                output = network.text_decoder(input_ids=ids, attention_mask=mask,
                                              encoder_hidden_states=images, output_attentions=attentions,
                                              return_dict=True)
            return output.logits, output.cross_attentions if attentions else None

        vision = network.config.vision_config
        return TeacherForcing(tokenizer, [network.config.text_config.bos_token_id, *prompt_ids], pad, blip,
                              self.processor.image_processor, patch=int(vision.patch_size))

    def caption(self, images: Sequence[Any], options: dict[str, Any]) -> list[CaptionResult]:
        # Text, token scores and confidence come from the shared generation code; Florence-2's text
        # then goes through its processor's post-processing for the task (prompt = the task token).
        results = super().caption(images, options)
        if self.model_type != FLORENCE:
            return results
        return [dataclasses.replace(result, text=self._florence_text(result.text, result.prompt))
                for result in results]

    def _florence_text(self, text: str, task: str | None) -> str:
        task = task or FLORENCE_TASKS["caption"]
        answer = self.processor.post_process_generation(text=text, task=task)[task]
        return " ".join(str(answer).split())


def model_type_of(config: dict[str, Any], source: str) -> str:
    """The captioning family of a model's config: "florence2" or "blip"; anything else is refused."""
    model_type = supported_model_type(config, source, SUPPORTED_MODEL_TYPES, "the generic captioner")
    if model_type == FLORENCE and _is_remote_code_florence(config):
        raise ModelLoadError(remote_florence_message(source))
    return model_type


def remote_florence_message(source: str) -> str:
    return (f"{source} is an original Florence-2 checkpoint that needs remote code, which is never run; "
            "use its converted copy from florence-community/ (e.g. florence-community/Florence-2-base-ft)")


def _is_remote_code_florence(config: dict[str, Any]) -> bool:
    """The microsoft/Florence-2-* layout: a DaViT vision config and a 'florence2_language' text config."""
    vision = (config.get("vision_config") or {}).get("model_type")
    text = (config.get("text_config") or {}).get("model_type")
    return vision == "davit" or text == "florence2_language"


def florence_task(prompt: str | None) -> str:
    """Florence-2's task token for a prompt option value: a name ("detailed") or the token itself."""
    value = (prompt or "caption").strip()
    if value.lower() in FLORENCE_TASKS:
        return FLORENCE_TASKS[value.lower()]
    if value.upper() in FLORENCE_TASKS.values():
        return value.upper()
    raise ValueError(f"Florence-2 prompt must be one of {', '.join(FLORENCE_TASKS)}, not '{value}'")


def blip_prefix(prompt: str | None) -> str | None:
    """BLIP's conditional text prefix for a prompt option value (None: unconditional captioning)."""
    value = (prompt or "").strip()
    if not value or value.lower() in ("caption", FLORENCE_TASKS["caption"].lower()):
        return None
    if value.lower() in FLORENCE_TASKS or value.upper() in FLORENCE_TASKS.values():
        raise ValueError(f"BLIP has no '{value}' task: its prompt is text the caption continues, "
                         "such as 'a photography of'")
    return value


def input_side(image_processor: Any) -> int | None:
    """The longest side, in pixels, that the image processor resizes images to (None: unknown)."""
    sides = []
    for setting in ("size", "crop_size"):
        size = getattr(image_processor, setting, None)
        for key in ("height", "width", "shortest_edge", "longest_edge"):
            value = size.get(key) if isinstance(size, dict) else getattr(size, key, None)
            if isinstance(value, int) and value > 0:
                sides.append(value)
    return max(sides, default=None)


@hookimpl
def register_captioners(register):  # type: ignore[no-untyped-def]
    register(GenericCaptioner())
