"""The review contract: every review action carries the revision it was based on and is refused, with
nothing lost, when the caption changed since; revision numbers never collide; the caption length limit."""

from __future__ import annotations

from desktop_app.catalogue.captions import MAX_CAPTION_CHARS, cut_to_limit


def test_cut_to_limit_keeps_short_text_and_cuts_long_text_with_a_note() -> None:
    assert cut_to_limit("A dog") == ("A dog", None)
    exact = "x" * MAX_CAPTION_CHARS
    assert cut_to_limit(exact) == (exact, None)
    text, note = cut_to_limit("y" * (MAX_CAPTION_CHARS + 5))
    assert text == "y" * MAX_CAPTION_CHARS
    assert note == f"cut to {MAX_CAPTION_CHARS:,} characters from {MAX_CAPTION_CHARS + 5:,}"
