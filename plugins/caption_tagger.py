"""The built-in text tagger: keywords from a photo's caption, matched against the library's vocabularies.

Three kinds of evidence, for every term (its preferred label and its synonyms):

- meaning of the whole caption: cosine of the caption's vector (the one `embed` stored, when it is of this
  tagger's model; else embedded here) with each label's vector;
- meaning of the caption's phrases: its word n-grams (1-3 words that start and end on a content word, so
  "dog", "dog running", "running on grass", never "a" or "on the") embedded and compared with the labels:
  "a dog running on grass" meets "Dogs" through "dog";
- the same words: caption words and label words lemmatised (simplemma, English: "dogs" -> "dog",
  "running" -> "run"); a label whose whole lemma sequence occurs in the caption is an exact hit.

The score is a logistic function of the three, fitted on a labelled set (tests/tagging/calibrate.py prints
the fit and the threshold sweep): ``score = 1 / (1 + exp(-(B0 + B_CAPTION*caption + B_PHRASE*phrase +
B_LEMMA*hit)))``, a probability-like 0..1 that the threshold cuts. The most specific term wins: a term is
not suggested when a narrower term of it (by the vocabulary's hierarchy) is.

Speed: every label is embedded once per model through the catalogue's cache; per batch, one matrix product
of the caption vectors with all label vectors shortlists the SHORTLIST nearest labels per caption, among
those whose cosine can still reach the threshold (``caption_floor``: below it, even a phrase equal to the
label would not lift the score over the threshold); phrases are embedded in one batch per batch of
captions (a phrase seen before comes from a bounded cache: captions repeat their words) and compared only
with the shortlisted labels and the exact hits.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.plugin_api import (
    LabelVectors,
    Suggestion,
    Tagger,
    TaggerInput,
    TagItem,
    VocabularyTerm,
    hookimpl,
)
from plugins.minilm import MiniLMEmbedder

if TYPE_CHECKING:
    import numpy as np

# The fit of tests/tagging/calibrate.py on tests/tagging/labelled_captions.jsonl (everyday_terms.csv).
B0, B_CAPTION, B_PHRASE, B_LEMMA = -9.96, 4.79, 7.18, 4.57
THRESHOLD = 0.25  # the F1-best threshold of that sweep (0.20 and 0.25 tie: the stricter one)

SHORTLIST = 64  # labels per caption kept from the caption-vector product, before phrase evidence
FLOOR_MARGIN = 0.05  # below the exact floor: rounding, and a stored vector a little off the text's
MAX_PHRASE_WORDS = 3
PHRASE_CACHE = 50_000  # phrase vectors kept between batches (384 float32 each: about 77 MB at most)
LANGUAGE = "en"
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
# Words that never start or end a phrase: a phrase "a dog" means what "dog" means.
_STOPWORDS = """
a an the this that these those some any each every no one two three four five several many much more most
of in on at by for with without from to into onto over under above below behind beside between near next
through across along around against among up down out off about after before during while as than like
and or but nor so yet if then there here it its it's he she they them his her their we our you your i me
my is are was were be been being am has have had having do does did can could will would shall should may
might must very too just also only not other another same such own what which who whom whose where when
how all both either neither few lot lots front top bottom side part piece kind sort something
"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class Candidate:
    """A term's evidence in one caption: what the score is computed from."""

    term: int  # index into the vocabulary given to set_vocabulary
    caption: float  # best cosine of the caption vector with one of its labels
    phrase: float  # best cosine of one of the caption's phrases with one of its labels
    lemma: bool  # a label's whole lemma sequence occurs in the caption
    evidence: tuple[str, ...]


Coefficients = tuple[float, float, float, float]
CALIBRATED: Coefficients = (B0, B_CAPTION, B_PHRASE, B_LEMMA)


def combined_score(candidate: Candidate, coefficients: Coefficients = CALIBRATED) -> float:
    """The calibrated score of a term's evidence, in 0..1."""
    b0, b_caption, b_phrase, b_lemma = coefficients
    z = b0 + b_caption * candidate.caption + b_phrase * candidate.phrase + b_lemma * float(candidate.lemma)
    return 1.0 / (1.0 + math.exp(-z))


class CaptionTagger(Tagger):
    id = "caption-text"
    name = "Caption text"
    description = ("Keywords from the caption: its meaning, phrases and words against every label "
                   "and synonym of the vocabulary (MiniLM sentence embeddings, offline; simplemma lemmas).")
    default_model = MiniLMEmbedder.default_model
    inputs = frozenset({TaggerInput.CAPTION})
    default_threshold = THRESHOLD
    default_top_n = 10
    coefficients: Coefficients = CALIBRATED

    def __init__(self, model: str | None = None) -> None:
        super().__init__(model)
        self.embedder: MiniLMEmbedder | None = None
        self.terms: list[VocabularyTerm] = []
        self.label_vectors: Any = None  # (labels, d) float32
        self.label_term: Any = None  # (labels,) term index of each label
        self.first_label: Any = None  # (terms + 1,) index of each term's first label
        self.label_texts: list[str] = []
        self.lemma_hits: dict[tuple[str, ...], list[int]] = {}  # lemma sequence -> label indices
        self.longest_label = 1
        self.ancestors: list[tuple[int, ...]] = []
        self.phrase_vectors: OrderedDict[str, Any] = OrderedDict()
        self.phrases_embedded = 0  # phrases this tagger had to embed (the rest came from its cache)

    @property
    def caption_vector_model(self) -> str | None:
        return self.model

    def load(self, device: str) -> None:
        self.embedder = MiniLMEmbedder(model=self.model)
        self.embedder.load(device)

    def unload(self) -> None:
        if self.embedder is not None:
            self.embedder.unload()
        self.embedder = None
        self.phrase_vectors.clear()

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.embedder is None:
            raise RuntimeError(f"tagger {self.id} is not loaded")
        return self.embedder.embed_texts(texts)

    # -- the vocabulary --------------------------------------------------------------------------------

    def set_vocabulary(self, terms: Sequence[VocabularyTerm], cache: LabelVectors) -> None:
        import numpy as np

        self.terms = list(terms)
        texts: list[str] = []
        owner: list[int] = []
        for index, term in enumerate(self.terms):
            for label in dict.fromkeys(term.labels):
                texts.append(label)
                owner.append(index)
        self.label_texts = texts
        self.label_term = np.asarray(owner, dtype=np.int64)
        # A term's labels are consecutive: term t has labels first_label[t] .. first_label[t + 1] - 1.
        self.first_label = np.searchsorted(self.label_term, np.arange(len(self.terms) + 1))
        dimension = self.embedder.dimension if self.embedder is not None else 0
        self.label_vectors = (cache.vectors(self.model or "", texts, self._embed) if texts
                              else np.zeros((0, dimension), np.float32))
        self.lemma_hits = {}
        for label_index, text in enumerate(texts):
            key = tuple(lemmas(words(text)))
            if key:
                self.lemma_hits.setdefault(key, []).append(label_index)
        self.longest_label = max((len(key) for key in self.lemma_hits), default=1)
        by_place = {(term.path, term.labels[0]): index for index, term in enumerate(self.terms)}
        self.ancestors = [tuple(by_place[key] for depth in range(len(term.path))
                                if (key := (term.path[:depth], term.path[depth])) in by_place)
                          for term in self.terms]

    # -- suggestions -----------------------------------------------------------------------------------

    def suggest(self, items: Sequence[TagItem], *, top_n: int, threshold: float) -> list[list[Suggestion]]:
        results = []
        for candidates in self.candidates(items, floor=self.caption_floor(threshold)):
            scored = sorted(((combined_score(c, self.coefficients), c) for c in candidates),
                            key=lambda pair: (-pair[0], pair[1].term))
            chosen = [(score, c) for score, c in scored if score >= threshold]
            covered = {ancestor for _score, c in chosen for ancestor in self.ancestors[c.term]}
            results.append([Suggestion(self.terms[c.term].term_id, round(score, 6), c.evidence)
                            for score, c in chosen if c.term not in covered][:top_n])
        return results

    def caption_floor(self, threshold: float) -> float:
        """The caption cosine below which a term cannot reach ``threshold`` without an exact lemma hit,
        even with a phrase equal to one of its labels: such labels need not be shortlisted."""
        if not 0.0 < threshold < 1.0:
            return -1.0
        b0, b_caption, b_phrase, _ = self.coefficients
        if b_caption <= 0:
            return -1.0
        return (math.log(threshold / (1.0 - threshold)) - b0 - b_phrase) / b_caption - FLOOR_MARGIN

    def candidates(self, items: Sequence[TagItem], floor: float = -1.0) -> list[list[Candidate]]:
        """For each item, the shortlisted terms with their evidence (what ``suggest`` scores): the
        SHORTLIST labels nearest to the caption vector with a cosine of at least ``floor``, and the
        labels its lemmas hit."""
        import numpy as np

        if not self.terms:
            return [[] for _ in items]
        captions = [item.caption or "" for item in items]
        similarity = product(self._caption_vectors(items), self.label_vectors)  # (items, labels)
        above = similarity >= floor  # one pass over the matrix; most labels are far from any caption
        tokenised = [words(caption) for caption in captions]
        phrases = [content_phrases(tokens) for tokens in tokenised]
        self._embed_phrases([phrase for caption in phrases for phrase in caption])
        results = []
        for row, tokens in enumerate(tokenised):
            if not captions[row].strip():
                results.append([])
                continue
            near = np.flatnonzero(above[row])
            if len(near) > SHORTLIST:
                near = near[np.argpartition(-similarity[row, near], SHORTLIST - 1)[:SHORTLIST]]
            hits = self._lemma_matches(tokens)
            labels = self._all_labels(np.union1d(near, np.fromiter(hits, np.int64, len(hits))))
            results.append(self._evidence(similarity[row], labels, phrases[row], hits))
        return results

    def _all_labels(self, labels: np.ndarray) -> np.ndarray:
        """Every label of the terms these labels belong to: a synonym far from the caption as a whole
        may still be the one a phrase matches."""
        import numpy as np

        ranges = [np.arange(self.first_label[term], self.first_label[term + 1])
                  for term in np.unique(self.label_term[labels])]
        return np.concatenate(ranges) if ranges else labels

    def _evidence(self, similarity: np.ndarray, labels: np.ndarray, phrases: list[str],
                  hits: dict[int, str]) -> list[Candidate]:
        import numpy as np

        if phrases:
            matrix = np.stack([self.phrase_vectors[phrase] for phrase in phrases])
            by_phrase = product(matrix, self.label_vectors[labels])  # (phrases, labels)
            best_phrase = by_phrase.argmax(axis=0)
            phrase_score = by_phrase[best_phrase, np.arange(len(labels))]
        else:
            best_phrase = np.zeros(len(labels), np.int64)
            phrase_score = np.zeros(len(labels), np.float32)
        best: dict[int, list[Any]] = {}  # term -> [caption, phrase, lemma, phrase label, phrase text, hit]
        for column, label in enumerate(labels.tolist()):
            term = int(self.label_term[label])
            entry = best.setdefault(term, [-1.0, -1.0, False, None, None, None])
            entry[0] = max(entry[0], float(similarity[label]))
            if phrases and phrase_score[column] > entry[1]:
                entry[1] = float(phrase_score[column])
                entry[3], entry[4] = label, phrases[best_phrase[column]]
            if label in hits and not entry[2]:
                entry[2], entry[5] = True, (hits[label], label)
        candidates = []
        for term, (caption, phrase, lemma, phrase_label, phrase_text, hit) in best.items():
            evidence: list[str] = []
            if hit is not None:
                evidence.append(hit[0])
                matched = self.label_texts[hit[1]]
            else:
                matched = self.label_texts[phrase_label] if phrase_label is not None else None
            if phrase_text is not None and phrase_text not in evidence:
                evidence.append(phrase_text)
            if matched is not None and matched != self.terms[term].labels[0]:
                evidence.append(matched)  # the synonym that matched
            candidates.append(Candidate(term, caption, max(phrase, 0.0), lemma, tuple(evidence)))
        return candidates

    def _lemma_matches(self, tokens: list[str]) -> dict[int, str]:
        """Labels whose whole lemma sequence occurs in the caption: label index -> the caption's words."""
        found: dict[int, str] = {}
        caption_lemmas = lemmas(tokens)
        for size in range(1, min(self.longest_label, len(tokens)) + 1):
            for start in range(len(tokens) - size + 1):
                for label in self.lemma_hits.get(tuple(caption_lemmas[start:start + size]), ()):
                    found.setdefault(label, " ".join(tokens[start:start + size]))
        return found

    def _caption_vectors(self, items: Sequence[TagItem]) -> np.ndarray:
        """The stored vectors where there are some, the rest embedded in one batch."""
        import numpy as np

        dimension = self.label_vectors.shape[1]
        vectors = np.zeros((len(items), dimension), np.float32)
        missing = []
        for row, item in enumerate(items):
            stored = item.caption_vector
            if stored is not None and len(stored) == dimension:
                vectors[row] = stored
            elif (item.caption or "").strip():
                missing.append(row)
        if missing:
            vectors[missing] = self._embed([items[row].caption or "" for row in missing])
        return vectors

    def _embed_phrases(self, phrases: list[str]) -> None:
        cache = self.phrase_vectors
        new = [phrase for phrase in dict.fromkeys(phrases) if phrase not in cache]
        for phrase in phrases:
            if phrase in cache:
                cache.move_to_end(phrase)
        if new:
            cache.update(zip(new, self._embed(new), strict=True))
            self.phrases_embedded += len(new)
        while len(cache) > max(PHRASE_CACHE, len(phrases)):
            cache.popitem(last=False)


def product(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``rows @ columns.T`` in float32, through torch rather than numpy: numpy's OpenBLAS threads keep
    spinning after a product and halve the speed of the embedder's next batch on a 2-core machine
    (measured: 50 phrases in 66 ms alone, 120-400 ms right after a numpy product, 52-67 ms after torch's)."""
    import numpy as np
    import torch

    left = torch.from_numpy(np.ascontiguousarray(rows, dtype=np.float32))
    right = torch.from_numpy(np.ascontiguousarray(columns, dtype=np.float32))
    with torch.inference_mode():
        return (left @ right.T).numpy()


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def lemmas(tokens: list[str]) -> list[str]:
    import simplemma

    return [simplemma.lemmatize(token, lang=LANGUAGE).lower() for token in tokens]


def content_phrases(tokens: list[str]) -> list[str]:
    """The caption's 1-3 word phrases that start and end on a content word, each once, in order."""
    found: dict[str, None] = {}
    for start, first in enumerate(tokens):
        if first in STOPWORDS:
            continue
        for size in range(1, MAX_PHRASE_WORDS + 1):
            if start + size <= len(tokens) and tokens[start + size - 1] not in STOPWORDS:
                found.setdefault(" ".join(tokens[start:start + size]), None)
    return list(found)


@hookimpl
def register_taggers(register: Any) -> None:
    register(CaptionTagger())
