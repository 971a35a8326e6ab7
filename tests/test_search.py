"""Search as users run it: hybrid fusion of keyword and semantic rankings, and `photo-annotator search`."""

from __future__ import annotations

from desktop_app.search.results import SearchHit
from desktop_app.search.service import RRF_K, fuse


def hit(photo_id: int, snippet: str | None = None) -> SearchHit:
    return SearchHit(photo_id, photo_id * 10, f"/p/{photo_id}.jpg", f"caption {photo_id}", 0.0, snippet)


def test_fusion_favours_photos_both_modes_rank_well() -> None:
    keyword = [hit(1, "[dog]"), hit(2, "[dog]"), hit(3, "[dog]")]
    semantic = [hit(4), hit(3), hit(5)]
    fused = fuse([keyword, semantic], limit=5)
    # 3 is ranked by both (3rd and 2nd) and beats 1, which only keyword ranks first
    assert [h.photo_id for h in fused] == [3, 1, 4, 2, 5]
    assert fused[0].score == 1 / (RRF_K + 3) + 1 / (RRF_K + 2)
    assert fused[0].snippet == "[dog]"  # the keyword hit is the one shown, with its snippet
    assert [h.photo_id for h in fuse([keyword, semantic], limit=2)] == [3, 1]
    assert fuse([[], []], limit=3) == []
