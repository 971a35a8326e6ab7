"""What every caption a captioner returns must be, whatever the model: checked the same way for each."""

from __future__ import annotations

import pytest

from desktop_app.plugin_api.captioner import CaptionResult


def assert_scored(result: CaptionResult) -> None:
    """Tidy text, a confidence in (0, 1] that is the mean of its tokens' probabilities, each in (0, 1]."""
    assert result.text and result.text == result.text.strip()
    assert 0 < result.confidence <= 1
    assert result.token_scores and all(0 < t.probability <= 1 for t in result.token_scores)
    assert result.confidence == pytest.approx(
        sum(t.probability for t in result.token_scores) / len(result.token_scores))
