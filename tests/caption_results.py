"""What every captioner's results must be, whatever the model: checked the same way for each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from PIL import Image

from desktop_app.plugin_api.captioner import Captioner, CaptionResult


def assert_scored(result: CaptionResult) -> None:
    """Tidy text, a confidence in (0, 1] that is the mean of its tokens' probabilities, each in (0, 1]."""
    assert result.text and result.text == result.text.strip()
    assert 0 < result.confidence <= 1
    assert result.token_scores and all(0 < t.probability <= 1 for t in result.token_scores)
    assert result.confidence == pytest.approx(
        sum(t.probability for t in result.token_scores) / len(result.token_scores))


def caption_batch_like_one_by_one(captioner: Captioner, images: Sequence[Image.Image],
                                  options: dict[str, Any], rel: float) -> list[CaptionResult]:
    """Caption ``images`` in one batch and one at a time: the same texts and tokens, probabilities equal
    within ``rel`` (padding changes the arithmetic a little). Returns the batch's results."""
    batch = captioner.caption(images, options)
    alone = [captioner.caption([image], options)[0] for image in images]
    assert [r.text for r in batch] == [r.text for r in alone]
    for together, single in zip(batch, alone, strict=True):
        assert [t.token for t in together.token_scores] == [t.token for t in single.token_scores]
        assert [t.probability for t in together.token_scores] == pytest.approx(
            [t.probability for t in single.token_scores], rel=rel)
    return batch
