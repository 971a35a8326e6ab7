"""The alt-text rules: a description or a model's caption made into alt text (IPTC Photo Metadata 2021.1's
Alt Text (Accessibility): at most 250 characters, read aloud by screen readers in place of the photo).

One pure function, shared by the alt-text captioner (plugins/alt_text.py: a model's short caption) and the
jobs layer (a photo's approved description, turned into an alt-text draft without running a model):

- no framing first: "image of", "a picture of", "photo of", "an image showing", "this is", "there is",
  "in this image," ... are dropped (a screen reader already says it is an image), so the subject comes first;
- at most ``ALT_TEXT_MAX_CHARS`` characters, cut at the last sentence that fits, else at a word boundary,
  never in the middle of a word;
- a capital first letter and a full stop at the end.
"""

from __future__ import annotations

import re

ALT_TEXT_MAX_CHARS = 250  # IPTC: "should not be more than 250 characters"

_MEDIUM = r"(?:image|picture|photo|photograph|photography|snapshot|screenshot)"
_FRAMING = re.compile(
    "|".join((
        # "An image of", "this photo shows", "the picture depicts", "close-up photo of"
        rf"(?:(?:a|an|the|this|that)\s+)?(?:close[- ]up\s+|black[- ]and[- ]white\s+|colou?r\s+)?{_MEDIUM}"
        r"(?:\s+(?:of|showing|shows|that\s+shows|depicting|depicts|featuring|features|with|is\s+of|"
        r"contains|containing))?",
        # "In this image,", "in the photo we can see"
        rf"in\s+(?:this|the)\s+{_MEDIUM}",
        r"there\s+(?:is|are)",
        r"(?:this|it|here)\s+is",
        r"(?:we|you)\s+can\s+see",
        r"we\s+see",
    )),
    re.IGNORECASE,
)
# A framing phrase counts only as the whole of the text's first words, followed by a separator.
_LEADING = re.compile(rf"^\s*(?:{_FRAMING.pattern})(?=[\s,:;.]|$)[\s,:;]*(?:[-–—]\s+)?", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def alt_text_from(text: str, limit: int = ALT_TEXT_MAX_CHARS) -> str:
    """``text`` (a description or a model's caption) as alt text by the rules above; "" for blank text.
    A text that is nothing but framing ("A photo.") is kept as it was, tidied."""
    text = " ".join(text.split())
    if not text:
        return ""
    subject = _without_framing(text) or text
    subject = subject[0].upper() + subject[1:]
    return _ended(_shortened(subject, limit))


def _without_framing(text: str) -> str:
    """``text`` without its leading framing phrases ("In this image, there is a ..."), repeatedly."""
    while True:
        match = _LEADING.match(text)
        if match is None or not match.group(0).strip():
            return text.strip()
        text = text[match.end():]
        if not any(character.isalnum() for character in text):
            return ""


def _shortened(text: str, limit: int) -> str:
    """``text`` when it fits ``limit`` with its full stop; else the sentences that fit, else the words
    that fit (leaving room for the full stop)."""
    if len(text) <= limit and (text.endswith((".", "!", "?")) or len(text) < limit):
        return text
    head = text[:limit]
    ends = [match.end() for match in _SENTENCE_END.finditer(head + " ")]
    if ends:
        return head[:ends[-1]]
    room = text[:limit]  # the word cut below leaves at least one character for the full stop
    cut = room.rfind(" ")
    if cut <= 0:
        return text[:limit - 1]  # a single word longer than the limit: nothing else to cut at
    return room[:cut].rstrip(" ,;:-–—")


def _ended(text: str) -> str:
    text = text.rstrip(" ,;:-–—…")
    return text if text.endswith((".", "!", "?")) else text + "."
