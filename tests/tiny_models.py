"""Tiny random-weight captioning models, saved with save_pretrained like a downloaded model folder.

Each builder writes a complete model folder (config, safetensors weights, tokenizer, processor) that
the captioners load through their own code, exactly as they load a user's local model folder.
Weights are random: the captions are nonsense, but every code path (processor, generate, scores,
decoding, batching) is the real one.
"""

from __future__ import annotations

from pathlib import Path

CAPTION_TEXT = (
    "a photo of dog cat running on grass beach red blue car street people standing near table with "
    "two man woman sitting in front the of white black water sky tree building"
)


def _bpe_tokenizer(extra_special: list[str] | None = None):  # type: ignore[no-untyped-def]
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2TokenizerFast

    trainer = ByteLevelBPETokenizer()
    trainer.train_from_iterator([CAPTION_TEXT] * 20, vocab_size=300, min_frequency=1,
                                special_tokens=["<|endoftext|>", "<pad>"])
    tokenizer = GPT2TokenizerFast(tokenizer_object=trainer, bos_token="<|endoftext|>",
                                  eos_token="<|endoftext|>", pad_token="<pad>")
    if extra_special:
        tokenizer.add_special_tokens({"additional_special_tokens": extra_special})
    return tokenizer


def vit_gpt2(folder: Path, image_size: int = 32, seed: int = 0) -> Path:
    """A VisionEncoderDecoder model: tiny ViT encoder + tiny GPT-2 decoder."""
    import torch
    from transformers import (
        GPT2Config,
        VisionEncoderDecoderConfig,
        VisionEncoderDecoderModel,
        ViTConfig,
        ViTImageProcessor,
    )

    torch.manual_seed(seed)
    tokenizer = _bpe_tokenizer()
    encoder = ViTConfig(image_size=image_size, patch_size=8, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64)
    decoder = GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=2, n_head=2,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id)
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder)
    config.decoder_start_token_id = tokenizer.bos_token_id
    config.pad_token_id = tokenizer.pad_token_id
    config.eos_token_id = tokenizer.eos_token_id
    model = VisionEncoderDecoderModel(config=config)
    generation = model.generation_config
    generation.decoder_start_token_id = tokenizer.bos_token_id
    generation.pad_token_id = tokenizer.pad_token_id
    generation.eos_token_id = tokenizer.eos_token_id
    generation.bos_token_id = tokenizer.bos_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    ViTImageProcessor(size={"height": image_size, "width": image_size}).save_pretrained(folder)
    return folder
