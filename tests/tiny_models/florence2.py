"""A tiny Florence-2 (DaViT vision tower + BART encoder-decoder) model folder, as the
``florence-community/`` conversions are laid out: Florence2ForConditionalGeneration, a BART tokenizer
and a Florence2Processor wrapping a CLIP image processor."""

from __future__ import annotations

from pathlib import Path

# Special tokens of the real Florence-2 tokenizer that a random model may emit: none may reach a caption.
FLORENCE_SPECIALS = ("<od>", "</od>", "<ocr>", "</ocr>", "<cap>", "</cap>", "<loc_0>", "<loc_1>", "<poly>")


def florence2(folder: Path, image_size: int = 64, seed: int = 0, min_new_tokens: int = 4) -> Path:
    """Florence-2 with a 4-stage DaViT tower (stride 32) and a 1+1-layer BART; about 70k parameters.

    A byte-level BPE vocabulary (the special tokens plus the 256-character byte alphabet, no merges)
    needs no training. The wide initialisation and ``min_new_tokens`` make the random model write
    real tokens, so batch-versus-alone comparisons compare text, not an immediate end of text.
    """
    import torch
    from tokenizers import pre_tokenizers
    from transformers import (
        BartConfig,
        BartTokenizer,
        CLIPImageProcessorPil,
        Florence2Config,
        Florence2ForConditionalGeneration,
        Florence2Processor,
        Florence2VisionConfig,
    )

    torch.manual_seed(seed)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {token: number for number, token in enumerate(specials + alphabet)}
    tokenizer = BartTokenizer(vocab=vocab, merges=[], extra_special_tokens={"image_token": "<image>"})
    tokenizer.add_special_tokens({"additional_special_tokens": list(FLORENCE_SPECIALS)})

    # DaViT reduces the side 32-fold: (side / 32)^2 image tokens, plus one.
    square = {"height": image_size, "width": image_size}
    image_processor = CLIPImageProcessorPil(size=square, crop_size=square, do_center_crop=False,
                                            image_seq_length=(image_size // 32) ** 2 + 1)
    processor = Florence2Processor(image_processor=image_processor, tokenizer=tokenizer,
                                   post_processor_config={"pure_text": {}})

    vision = Florence2VisionConfig(depths=[1, 1, 1, 1], embed_dim=[8, 8, 16, 16], num_heads=[1, 1, 1, 1],
                                   num_groups=[1, 1, 1, 1], window_size=2, projection_dim=32,
                                   drop_path_rate=0.0, initializer_range=1.0)
    text = BartConfig(vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1,
                      encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                      decoder_ffn_dim=64, max_position_embeddings=512, init_std=1.0,
                      bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                      pad_token_id=tokenizer.pad_token_id, decoder_start_token_id=tokenizer.eos_token_id)
    config = Florence2Config(vision_config=vision, text_config=text, image_token_id=tokenizer.image_token_id)
    model = Florence2ForConditionalGeneration(config)
    model.generation_config.min_new_tokens = min_new_tokens
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder
