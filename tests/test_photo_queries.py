"""The photo lists the grid and `photos` show: review filters, folders, sorting and keyword search."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.captions import edit_caption, set_review_state
from desktop_app.catalogue.fts import translate
from desktop_app.catalogue.libraries import remove_library
from desktop_app.catalogue.models import Caption, CaptionRevision, Library, Photo, PhotoStatus, ReviewState
from desktop_app.catalogue.photos import (
    PhotoQuery,
    ReviewFilter,
    SortKey,
    find_photo,
    list_folders,
    list_photos,
)
from desktop_app.cli import photos as photos_command
from desktop_app.library.scanner import Scanner
from tests import photo_files


@pytest.fixture
def shelf(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> dict[str, int]:
    """Photos in every review state, in nested folders, with dates and confidences; ids by name."""
    root = tmp_path / "shelf"
    names = ["2021/dog.jpg", "2021/june/cat.jpg", "2021/june/boat.jpg", "2022/tree.jpg", "2022/bird.jpg",
             "2022/blank.jpg", "loose.jpg"]
    for number, name in enumerate(names):
        photo_files.jpeg(root / name, seed=number, size=(64, 48))
    photo_files.text_as_jpeg(root / "2022" / "broken.jpg")
    scanner.scan(root)
    with catalogue.write() as session:
        ids = {name.rsplit("/", 1)[-1].removesuffix(".jpg"): find_photo(session, str(root / name)).id
               for name in [*names, "2022/broken.jpg"]}
        photo = {name: session.get(Photo, photo_id) for name, photo_id in ids.items()}
        for name, text, confidence, captioner in [
            ("dog", "a brown dog running on the grass", 0.9, "generic"),
            ("cat", "a grey cat sleeping on a sofa", 0.4, "generic"),
            ("boat", "a red boat in a harbour", 0.7, "encoder-decoder"),
            ("tree", "a dog lying under a tree", 0.2, "generic"),
            ("bird", "a bird on a wire", 0.8, "generic"),
        ]:
            store_ai_caption(session, AICaption(photo[name], text, model_id="m", confidence=confidence),
                             captioner_id=captioner)
        set_review_state(session, photo["bird"], ReviewState.APPROVED, author="ann")
        set_review_state(session, photo["boat"], ReviewState.REJECTED, author="ann")
        edit_caption(session, photo["tree"], "An oak in the park, our dog Rex beneath it", author="ann")
        edit_caption(session, photo["loose"], "Holiday snapshot", author="ann", approve=True)
        for name in photo:
            photo[name].date_taken = None
        for day, name in enumerate(["cat", "dog", "tree"], start=1):
            photo[name].date_taken = datetime(2021, 5, day)
    return ids


def names(catalogue: Catalogue, shelf: dict[str, int], **query: object) -> list[str]:
    by_id = {photo_id: name for name, photo_id in shelf.items()}
    with catalogue.read() as session:
        return [by_id[listing.id] for listing in list_photos(session, PhotoQuery(**query))]


@pytest.mark.parametrize(("review", "expected"), [
    (ReviewFilter.NEEDS_REVIEW, {"dog", "cat", "tree"}),
    (ReviewFilter.AI_DRAFT, {"dog", "cat"}),
    (ReviewFilter.APPROVED, {"bird", "loose"}),
    (ReviewFilter.REJECTED, {"boat"}),
    (ReviewFilter.EDITED, {"tree", "loose"}),
    (ReviewFilter.NO_CAPTION, {"blank", "broken"}),
    (ReviewFilter.ERRORS, {"broken"}),
    (ReviewFilter.MISSING, set()),
])
def test_review_filters(catalogue: Catalogue, shelf: dict[str, int], review: ReviewFilter,
                        expected: set[str]) -> None:
    assert set(names(catalogue, shelf, review=review)) == expected


def test_folder_captioner_and_sorting(catalogue: Catalogue, shelf: dict[str, int]) -> None:
    assert names(catalogue, shelf, folder="2021/june") == ["boat", "cat"]
    assert names(catalogue, shelf, folder="2021") == ["dog", "boat", "cat"]
    assert names(catalogue, shelf, captioner="encoder-decoder") == ["boat"]
    # the chosen key first, photos without a value last in either direction, then name order
    assert names(catalogue, shelf, sort=SortKey.DATE_TAKEN)[:3] == ["cat", "dog", "tree"]
    assert names(catalogue, shelf, sort=SortKey.DATE_TAKEN, descending=True)[:3] == ["tree", "dog", "cat"]
    assert names(catalogue, shelf, sort=SortKey.CONFIDENCE, review=ReviewFilter.AI_DRAFT) == ["cat", "dog"]
    assert names(catalogue, shelf, sort=SortKey.CONFIDENCE, descending=True)[:3] == ["dog", "bird", "boat"]
    assert names(catalogue, shelf, sort=SortKey.CHANGED, descending=True)[0] == "loose"
    assert names(catalogue, shelf, sort=SortKey.NAME, descending=True)[0] == "loose"


def test_keyword_search_finds_words_in_any_caption_and_ranks_matches(
    catalogue: Catalogue, shelf: dict[str, int]
) -> None:
    # "tree" was an AI caption mentioning a dog before a person rewrote it: the old caption text is
    # current no longer, but the person's text mentions the dog too
    assert set(names(catalogue, shelf, text="dog")) == {"dog", "tree"}
    assert names(catalogue, shelf, text="dog grass") == ["dog"]
    assert names(catalogue, shelf, text="harb") == ["boat"]  # still typing: a prefix
    assert names(catalogue, shelf, text="harb ") == []  # a finished word must match whole
    assert names(catalogue, shelf, text="dogs running", sort=SortKey.RELEVANCE) == ["dog"]  # stemmed
    assert set(names(catalogue, shelf, text="dog", review=ReviewFilter.EDITED)) == {"tree"}


@pytest.mark.parametrize("typed", ['"', "(", "dog)", "NEAR(dog cat)", "*", "-", "a OR", 'x" AND "y', "",
                                   "dog" * 3000, "ß", "猫"])
def test_any_typed_text_is_a_safe_search(catalogue: Catalogue, shelf: dict[str, int], typed: str) -> None:
    assert isinstance(names(catalogue, shelf, text=typed), list)


def test_the_grid_filter_quotes_every_word_and_prefixes_the_last() -> None:
    assert translate('dog "AND" (cat', typing=True) == '"dog" "AND" "cat"*'
    assert translate("  ", typing=True) is None


def test_folders_and_removing_a_library(catalogue: Catalogue, shelf: dict[str, int]) -> None:
    with catalogue.read() as session:
        library_id = session.scalar(select(Library.id))
        assert list_folders(session, library_id) == [("2021", 3), ("2021/june", 2), ("2022", 4)]
    with catalogue.write() as session:
        assert remove_library(session, library_id) == (8, 3)
    with catalogue.read() as session:
        for table in (Library, Photo, Caption, CaptionRevision):
            assert session.scalar(select(func.count()).select_from(table)) == 0


def test_cli_choices_match_the_catalogue() -> None:
    assert tuple(member.value for member in ReviewFilter) == photos_command.REVIEW_FILTERS
    assert tuple(member.value for member in SortKey) == photos_command.SORT_KEYS
    assert PhotoStatus.ERROR.value in photos_command.STATUSES


def test_a_list_of_photos_from_a_search_keeps_its_order(catalogue: Catalogue, shelf: dict[str, int]) -> None:
    ranked = (shelf["tree"], shelf["dog"], shelf["bird"])
    assert names(catalogue, shelf, photo_ids=ranked, sort=SortKey.RELEVANCE) == ["tree", "dog", "bird"]
    assert names(catalogue, shelf, photo_ids=ranked, review=ReviewFilter.APPROVED) == ["bird"]
    assert names(catalogue, shelf, photo_ids=()) == []
