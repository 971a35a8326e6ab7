"""A tiny Idefics3 model folder, laid out like ``HuggingFaceTB/SmolVLM-500M-Instruct``:
Idefics3ForConditionalGeneration (a SigLIP-style vision tower, a pixel-shuffle connector and a Llama
decoder), a GPT-2-style byte-level BPE tokenizer padding on the left, and an Idefics3Processor with
SmolVLM's chat template (``User:<image>prompt<end_of_utterance>\\nAssistant:``)."""

from __future__ import annotations

from pathlib import Path

from tests.tiny_models import CAPTION_TEXT

# SmolVLM's chat template (chat_template.json of HuggingFaceTB/SmolVLM-500M-Instruct).
SMOLVLM_CHAT_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
    "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n"
    "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)
# Words the BPE learns whole, so the random model writes some words among the byte pieces.
PRODUCT_TEXT = "leather cotton wooden metal bag shoe lamp chair mug shirt dress vintage modern handmade label"
SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
IMAGE_SPECIALS = ("<fake_token_around_image>", "<image>", "<end_of_utterance>", "<global-img>")


def row_col_tokens(rows: int = 6, cols: int = 6) -> list[str]:
    """Idefics3's tile-position tokens, ``<row_1_col_1>`` ... ``<row_6_col_6>``."""
    return [f"<row_{r}_col_{c}>" for r in range(1, rows + 1) for c in range(1, cols + 1)]


def idefics3(folder: Path, tile: int = 32, longest_edge: int = 64, patch: int = 8, scale_factor: int = 2,
             seed: int = 0, min_new_tokens: int = 4) -> Path:
    """Idefics3 with a 1-layer vision tower and a 2-layer Llama; about 55k parameters.

    Images are resized to ``longest_edge`` and split into ``tile``-pixel tiles plus a global view, so
    images of different shapes get prompts of different lengths (the batch needs left padding).
    Each tile becomes ``(tile / patch)^2 / scale_factor^2`` image tokens.
    """
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import (
        GPT2TokenizerFast,
        Idefics3Config,
        Idefics3ForConditionalGeneration,
        Idefics3ImageProcessorPil,
        Idefics3Processor,
        Idefics3VisionConfig,
        LlamaConfig,
    )

    torch.manual_seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    specials = [*SPECIALS, *IMAGE_SPECIALS, *row_col_tokens()]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([CAPTION_TEXT, PRODUCT_TEXT], vocab_size=1000, min_frequency=1,
                            special_tokens=specials, show_progress=False)
    tokenizer = GPT2TokenizerFast(
        tokenizer_object=bpe, bos_token="<|im_start|>", eos_token="<end_of_utterance>",
        pad_token="<|im_end|>", unk_token="<|endoftext|>", padding_side="left",
        add_prefix_space=False, extra_special_tokens={
            "image_token": "<image>", "fake_image_token": "<fake_token_around_image>",
            "global_image_token": "<global-img>", "end_of_utterance_token": "<end_of_utterance>",
        },
    )
    tokenizer.add_special_tokens({"additional_special_tokens": [*IMAGE_SPECIALS, *row_col_tokens()]})

    image_seq_len = (tile // patch) ** 2 // scale_factor**2
    image_processor = Idefics3ImageProcessorPil(size={"longest_edge": longest_edge},
                                                max_image_size={"longest_edge": tile},
                                                do_image_splitting=True)
    processor = Idefics3Processor(image_processor=image_processor, tokenizer=tokenizer,
                                  image_seq_len=image_seq_len, chat_template=SMOLVLM_CHAT_TEMPLATE)

    vision = Idefics3VisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                  num_attention_heads=2, image_size=tile, patch_size=patch,
                                  initializer_range=0.5)
    text = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=512,
                       initializer_range=0.5, bos_token_id=tokenizer.bos_token_id,
                       eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    config = Idefics3Config(vision_config=vision, text_config=text, scale_factor=scale_factor,
                            image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
                            pad_token_id=tokenizer.pad_token_id)
    model = Idefics3ForConditionalGeneration(config)
    # Zero logits for single bytes and special tokens (but the end of turn): the random model then
    # writes the learned word pieces, or ends, rather than stray bytes.
    silent = set(tokenizer.all_special_ids) - {tokenizer.eos_token_id}
    with torch.no_grad():
        for token, token_id in tokenizer.get_vocab().items():
            if len(token) == 1 or token_id in silent:
                model.lm_head.weight[token_id] = 0.0
    generation = model.generation_config
    generation.bos_token_id = tokenizer.bos_token_id
    generation.eos_token_id = tokenizer.eos_token_id
    generation.pad_token_id = tokenizer.pad_token_id
    generation.min_new_tokens = min_new_tokens
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder
