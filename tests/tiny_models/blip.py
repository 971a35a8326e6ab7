"""A tiny BLIP captioning model folder (BlipForConditionalGeneration + BlipProcessor), laid out like
``Salesforce/blip-image-captioning-large``: a WordPiece BERT tokenizer whose ``[DEC]`` token starts
decoding and whose ``[SEP]`` ends it."""

from __future__ import annotations

from pathlib import Path

from tests.tiny_models import CAPTION_TEXT

# Words of BLIP's usual conditional prefix, "a photography of", so the tokenizer knows them.
PREFIX_WORDS = ("photography",)
BERT_VOCAB_SIZE = 30524  # BLIP-base's BERT vocabulary, [DEC] included


def blip(folder: Path, image_size: int = 32, seed: int = 0, min_new_tokens: int = 3,
         max_new_tokens: int | None = None, base_size: bool = False) -> Path:
    """BLIP with a 2-layer ViT and a 2-layer BERT decoder; about 55k parameters.

    ``base_size`` builds BLIP-base's shapes instead (transformers' defaults: a ViT-B/16 vision encoder and
    a 12-layer BERT-base decoder, BERT's vocabulary size; 224M parameters), so benchmarks do the real
    model's compute with random weights the same way.
    """
    import torch
    from transformers import (
        BertTokenizerFast,
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessorPil,
        BlipProcessor,
        BlipTextConfig,
        BlipVisionConfig,
    )

    torch.manual_seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]"]
    words = list(dict.fromkeys([*CAPTION_TEXT.split(), *PREFIX_WORDS]))
    if base_size:  # made-up words up to BERT's size: the decoder's output layer as large as the real one
        words += [f"w{number}" for number in range(BERT_VOCAB_SIZE - len(specials) - len(words))]
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(specials + words) + "\n")
    # The path is positional: in transformers 5 a vocab_file= keyword is silently ignored.
    tokenizer = BertTokenizerFast(str(vocab_file), bos_token="[DEC]")

    processor = BlipProcessor(image_processor=BlipImageProcessorPil(size={"height": image_size,
                                                                          "width": image_size}),
                              tokenizer=tokenizer)
    tokens = {"vocab_size": len(tokenizer), "bos_token_id": tokenizer.bos_token_id,
              "pad_token_id": tokenizer.pad_token_id, "sep_token_id": tokenizer.sep_token_id,
              "eos_token_id": tokenizer.sep_token_id}
    if base_size:
        text, vision, sizes = BlipTextConfig(**tokens), BlipVisionConfig(image_size=image_size), {}
    else:
        text = BlipTextConfig(**tokens, hidden_size=32, encoder_hidden_size=32, intermediate_size=64,
                              projection_dim=32, num_hidden_layers=2, num_attention_heads=2,
                              max_position_embeddings=128, initializer_range=0.5)
        vision = BlipVisionConfig(hidden_size=32, intermediate_size=64, projection_dim=32,
                                  num_hidden_layers=2, num_attention_heads=2, image_size=image_size,
                                  patch_size=8, initializer_range=0.5)
        sizes = {"projection_dim": 32}
    config = BlipConfig(text_config=text.to_dict(), vision_config=vision.to_dict(), **sizes)
    model = BlipForConditionalGeneration(config)
    model.generation_config.min_new_tokens = min_new_tokens
    if max_new_tokens:
        model.generation_config.max_new_tokens = max_new_tokens
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder
