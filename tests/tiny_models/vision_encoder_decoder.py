"""Tiny VisionEncoderDecoder model folders: ViT + GPT-2 (the encoder-decoder captioner's shape) and ViT +
BERT (the medical-report captioner's)."""

from __future__ import annotations

from pathlib import Path

from tests.tiny_models import word_tokenizer


def vit_gpt2(folder: Path, image_size: int = 32, seed: int = 0, min_new_tokens: int = 0,
             max_new_tokens: int | None = None, hidden_size: int = 32, layers: int = 2, heads: int = 2,
             patch_size: int = 8, intermediate_size: int | None = None) -> Path:
    """A VisionEncoderDecoder model: tiny ViT encoder + tiny GPT-2 decoder (the sizes are parameters so
    benchmarks build bigger ones the same way). ``min_new_tokens`` makes every caption at least that
    long: a model slow enough to stop in the middle of a job."""
    import torch
    from transformers import (
        GPT2Config,
        VisionEncoderDecoderConfig,
        VisionEncoderDecoderModel,
        ViTConfig,
        ViTImageProcessor,
    )

    torch.manual_seed(seed)
    tokenizer = word_tokenizer()
    encoder = ViTConfig(image_size=image_size, patch_size=patch_size, hidden_size=hidden_size,
                        num_hidden_layers=layers, num_attention_heads=heads,
                        intermediate_size=intermediate_size or hidden_size * 2)
    # A wide initialisation makes the random model decisive: real words, not end-of-text at once.
    longest = max(min_new_tokens, max_new_tokens or 0)
    decoder = GPT2Config(vocab_size=len(tokenizer), n_positions=max(64, longest + 8), n_embd=hidden_size,
                         n_layer=layers, n_head=heads,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, initializer_range=0.5)
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
    if min_new_tokens:
        generation.min_new_tokens = min_new_tokens
    if max_new_tokens:
        generation.max_new_tokens = max_new_tokens
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    ViTImageProcessor(size={"height": image_size, "width": image_size}).save_pretrained(folder)
    return folder


# Words of chest X-ray reports (the medical-report captioner's tidying sees them).
REPORT_WORDS = ("the", "lungs", "are", "clear", ".", "there", "is", "no", "pleural", "effusion", "or",
                "pneumothorax", ",", "heart", "size", "normal", "_", "(", ")", "/", "-", "'", "s")


def vit_bert(folder: Path, image_size: int = 32, seed: int = 0) -> Path:
    """A tiny ViT + BERT-decoder model shaped like the medical-report captioner's default model: a
    lowercasing WordPiece tokenizer with [CLS]/[SEP] and no end-of-text token, and no start or end
    token in its generation settings."""
    import torch
    from transformers import (
        BertConfig,
        BertTokenizer,
        VisionEncoderDecoderConfig,
        VisionEncoderDecoderModel,
        ViTConfig,
        ViTImageProcessor,
    )

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join([*specials, *REPORT_WORDS]) + "\n")
    tokenizer = BertTokenizer(str(folder / "vocab.txt"))  # positional: vocab_file= is ignored in 5.x
    torch.manual_seed(seed)
    encoder = ViTConfig(image_size=image_size, patch_size=8, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64)
    decoder = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2,
                         num_attention_heads=2, intermediate_size=64, max_position_embeddings=160,
                         initializer_range=0.5)
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder)
    model = VisionEncoderDecoderModel(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    ViTImageProcessor(size={"height": image_size, "width": image_size}).save_pretrained(folder)
    return folder
