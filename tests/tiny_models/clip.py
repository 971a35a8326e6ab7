"""A tiny CLIP model folder (CLIPModel + CLIPProcessor), laid out like ``openai/clip-vit-base-patch32``:
a word-level tokenizer over the test captions' words that wraps each text in start and end tokens
(CLIP's text tower pools at the end token), and a 32 px image processor."""

from __future__ import annotations

from pathlib import Path

from tests.tiny_models import CAPTION_TEXT

# Words the embedding tests search for, beyond the captions' vocabulary.
QUERY_WORDS = ("puppy", "sunset", "kitten", "photo", "mountain")


def clip(folder: Path, image_size: int = 32, seed: int = 0, projection_dim: int = 16) -> Path:
    """CLIP with 2-layer text and vision towers of width 32, projecting to ``projection_dim``."""
    import torch
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from tokenizers.processors import TemplateProcessing
    from transformers import (
        CLIPConfig,
        CLIPImageProcessorPil,
        CLIPModel,
        CLIPProcessor,
        CLIPTextConfig,
        CLIPVisionConfig,
        PreTrainedTokenizerFast,
    )

    torch.manual_seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    specials = ["<|startoftext|>", "<|endoftext|>", "<pad>", "<unk>"]
    words = list(dict.fromkeys([*CAPTION_TEXT.split(), *QUERY_WORDS]))
    vocab = {token: number for number, token in enumerate(specials + words)}
    backend = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = Whitespace()
    backend.post_processor = TemplateProcessing(
        single="<|startoftext|> $A <|endoftext|>",
        special_tokens=[(token, vocab[token]) for token in ("<|startoftext|>", "<|endoftext|>")],
    )
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<|startoftext|>",
                                        eos_token="<|endoftext|>", pad_token="<pad>", unk_token="<unk>",
                                        model_max_length=32)
    image_processor = CLIPImageProcessorPil(size={"shortest_edge": image_size},
                                            crop_size={"height": image_size, "width": image_size})
    processor = CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer)
    text = CLIPTextConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                          num_attention_heads=2, max_position_embeddings=32,
                          bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"],
                          pad_token_id=vocab["<pad>"])
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                              num_attention_heads=2, image_size=image_size, patch_size=8)
    config = CLIPConfig(text_config=text.to_dict(), vision_config=vision.to_dict(),
                        projection_dim=projection_dim)
    CLIPModel(config).save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder
