"""Tiny random-weight captioning models, saved with save_pretrained like a downloaded model folder.

One module per architecture; shared pieces (the word-level tokenizer) here.

Each builder writes a complete model folder (config, safetensors weights, tokenizer, processor) that
the captioners load through their own code, exactly as they load a user's local model folder.
Weights are random: the captions are nonsense, but every code path (processor, generate, scores,
decoding, batching) is the real one.
"""

from __future__ import annotations

CAPTION_TEXT = (
    "a photo of dog cat running on grass beach red blue car street people standing near table with "
    "two man woman sitting in front the of white black water sky tree building"
)


def word_tokenizer():  # type: ignore[no-untyped-def]
    """A word-level tokenizer over a small caption vocabulary: random models then emit words."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<pad>", "<unk>"]
    words = list(dict.fromkeys(CAPTION_TEXT.split()))
    vocab = {token: number for number, token in enumerate(specials + words)}
    backend = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<|endoftext|>",
                                   eos_token="<|endoftext|>", pad_token="<pad>", unk_token="<unk>")
