"""The built-in caption tagger with the real MiniLM (offline, from its package) against the everyday
vocabulary (tests/tagging/everyday_terms.csv) kept in a real catalogue."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.plugin_api import Suggestion, TagItem, VocabularyTerm
from desktop_app.plugin_registry import load_plugins
from desktop_app.tagging.label_vectors import CatalogueLabelVectors
from plugins.caption_tagger import Candidate, CaptionTagger, combined_score, content_phrases, words
from tests.tagging.vocabulary import caption_items, csv_rows, store_vocabulary

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    with open_catalogue(tmp_path_factory.mktemp("tagger") / "catalogue.db") as opened:
        yield opened


@pytest.fixture(scope="module")
def terms(catalogue: Catalogue) -> list[VocabularyTerm]:
    return store_vocabulary(catalogue, "everyday", csv_rows())


@pytest.fixture(scope="module")
def tagger(catalogue: Catalogue, terms: list[VocabularyTerm]) -> Iterator[CaptionTagger]:
    loaded = CaptionTagger()
    loaded.load("cpu")  # about 3 s: once for the module
    cache = CatalogueLabelVectors(catalogue)
    loaded.set_vocabulary(terms, cache)
    loaded.first_embedded = cache.embedded  # type: ignore[attr-defined]
    yield loaded
    loaded.unload()


def labels(terms: list[VocabularyTerm], suggestions: list[Suggestion]) -> list[str]:
    by_id = {term.term_id: term.labels[0] for term in terms}
    return [by_id[s.term_id] for s in suggestions]


def suggest(tagger: CaptionTagger, *captions: str) -> list[list[Suggestion]]:
    return tagger.suggest(caption_items(captions), top_n=tagger.default_top_n,
                          threshold=tagger.default_threshold)


def test_a_dog_on_grass_gets_dogs_and_grass_not_cats(tagger: CaptionTagger,
                                                     terms: list[VocabularyTerm]) -> None:
    [found] = suggest(tagger, "a dog running on grass")
    names = labels(terms, found)
    assert "Dogs" in names and "Grass" in names and "Cats" not in names
    dogs = found[names.index("Dogs")]
    assert tagger.default_threshold <= dogs.score <= 1.0 and "dog" in dogs.evidence
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_the_most_specific_term_wins_over_its_broader_ones(tagger: CaptionTagger,
                                                           terms: list[VocabularyTerm]) -> None:
    [found] = suggest(tagger, "a dog running on grass")
    assert not {"Animals", "Mammals", "Plants", "Nature"} & set(labels(terms, found))


def test_a_synonym_in_the_vocabulary_is_matched_and_named_in_the_evidence(
        tagger: CaptionTagger, terms: list[VocabularyTerm]) -> None:
    [found] = suggest(tagger, "two puppies playing in the snow")
    names = labels(terms, found)
    assert "Dogs" in names
    assert found[names.index("Dogs")].evidence == ("puppies", "Puppies")  # the caption's word, the synonym
    [found] = suggest(tagger, "a kitten asleep on the couch")
    assert {"Cats", "Sofas"} <= set(labels(terms, found))


def test_lemmas_match_whole_labels_single_and_multi_word(tagger: CaptionTagger,
                                                         terms: list[VocabularyTerm]) -> None:
    [candidates] = tagger.candidates(caption_items(["running dogs"]))
    dogs = next(c for c in candidates if terms[c.term].labels[0] == "Dogs")
    assert dogs.lemma and dogs.evidence[0] == "dogs"
    [_, candidates] = tagger.candidates(caption_items(["running dogs", "a hot air balloon at dawn"]))
    balloon = next(c for c in candidates if terms[c.term].labels[0] == "Hot air balloons")
    assert balloon.lemma and balloon.evidence[0] == "hot air balloon"
    assert combined_score(balloon) > combined_score(balloon.__class__(balloon.term, balloon.caption,
                                                                      balloon.phrase, False, ()))
    [found] = suggest(tagger, "a hot air balloon at dawn")
    assert {"Hot air balloons", "Sunrises"} <= set(labels(terms, found))


def test_label_vectors_are_embedded_once_per_model(catalogue: Catalogue, tagger: CaptionTagger,
                                                   terms: list[VocabularyTerm]) -> None:
    distinct = {label for term in terms for label in term.labels}
    assert tagger.first_embedded == len(distinct)  # type: ignore[attr-defined]
    again = CaptionTagger()
    again.embedder = tagger.embedder  # the loaded model, shared: a second run of the same tagger
    cache = CatalogueLabelVectors(catalogue)
    again.set_vocabulary(terms, cache)
    assert cache.embedded == 0
    assert np.array_equal(again.label_vectors, tagger.label_vectors)


def test_scores_are_deterministic_and_the_stored_caption_vector_is_used(tagger: CaptionTagger) -> None:
    captions = ["a red car parked on a street", "sailboats in a marina at sunset", ""]
    first = suggest(tagger, *captions)
    assert first == suggest(tagger, *captions) and first[2] == []
    vectors = tagger.embedder.embed_texts(captions)  # as `embed` stores them
    stored = tagger.suggest(caption_items(captions, vectors), top_n=10, threshold=tagger.default_threshold)
    assert [[s.term_id for s in row] for row in stored] == [[s.term_id for s in row] for row in first]
    for row, again in zip(stored, first, strict=True):
        assert np.allclose([s.score for s in row], [s.score for s in again], atol=1e-4)
    # A vector stored with another model (another dimension) is not used: the caption is embedded.
    other = [TagItem(1, captions[0], caption_vector=np.ones(8, np.float32))]
    alone = tagger.suggest(other, top_n=10, threshold=tagger.default_threshold)[0]
    assert [(s.term_id, s.evidence) for s in alone] == [(s.term_id, s.evidence) for s in first[0]]
    # Alone or in a batch of three: the products' float32 sums may differ in the last bit.
    assert np.allclose([s.score for s in alone], [s.score for s in first[0]], atol=1e-5)


def test_top_n_and_threshold_bound_the_suggestions(tagger: CaptionTagger) -> None:
    caption = "a man playing guitar on stage at a concert with a crowd"
    assert len(tagger.suggest(caption_items([caption]), top_n=2, threshold=0.0)[0]) == 2
    assert tagger.suggest(caption_items([caption]), top_n=10, threshold=1.0)[0] == []


def test_phrases_start_and_end_on_content_words() -> None:
    assert content_phrases(words("a dog running on grass")) == [
        "dog", "dog running", "running", "running on grass", "grass"]
    assert content_phrases(words("On the")) == []


def test_the_tagger_registers_through_the_hook_and_pickles_by_class_and_model(tmp_path: Path) -> None:
    registry = load_plugins(["plugins.minilm", "plugins.caption_tagger"], entry_points=False)
    assert [(p.status, p.taggers) for p in registry.plugins] == [("loaded", []), ("loaded", ["caption-text"])]
    tagger = registry.get_tagger("caption-text")
    assert isinstance(tagger, CaptionTagger) and tagger.model == MINILM
    assert tagger.caption_vector_model == MINILM  # the model `embed` stores caption vectors with
    assert tagger.describe()["inputs"] == ["caption"]
    assert 0.0 < tagger.default_threshold < 1.0
    copy = pickle.loads(pickle.dumps(CaptionTagger(model=str(tmp_path))))
    assert type(copy) is CaptionTagger and copy.model == str(tmp_path)
    assert copy.caption_vector_model == str(tmp_path)


def test_an_empty_vocabulary_suggests_nothing(catalogue: Catalogue, tagger: CaptionTagger) -> None:
    empty = CaptionTagger()
    empty.embedder = tagger.embedder
    empty.set_vocabulary([], CatalogueLabelVectors(catalogue))
    assert empty.suggest(caption_items(["a dog"]), top_n=10, threshold=0.0) == [[]]


def test_the_caption_floor_drops_only_terms_that_cannot_reach_the_threshold(tagger: CaptionTagger) -> None:
    captions = ["a red car parked on a street", "two puppies playing in the snow", "a lighthouse at dusk",
                "a calm lake reflecting the mountains", "a kitten asleep on the couch"]
    for threshold in (0.1, tagger.default_threshold, 0.6):
        floor = tagger.caption_floor(threshold)
        every = tagger.candidates(caption_items(captions))  # no floor: the SHORTLIST nearest labels
        for kept, row in zip(tagger.candidates(caption_items(captions), floor=floor), every, strict=True):
            by_term = {c.term: c for c in row}
            for c in kept:  # the same evidence for the terms kept (the products' rounding aside)
                same = by_term[c.term]
                assert (c.lemma, c.evidence) == (same.lemma, same.evidence)
                assert np.allclose([c.caption, c.phrase], [same.caption, same.phrase], atol=1e-5)
            dropped = set(by_term) - {c.term for c in kept}
            best_case = [combined_score(Candidate(c.term, c.caption, 1.0, c.lemma, ()))
                         for c in row if c.term in dropped]
            assert all(score < threshold for score in best_case)
