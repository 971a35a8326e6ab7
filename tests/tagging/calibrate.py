"""Calibration of the caption tagger (plugins/caption_tagger.py) on the labelled set.

Run from the repository root::

    .venv/bin/python -m tests.tagging.calibrate

It puts the everyday vocabulary (tests/tagging/everyday_terms.csv, 273 terms, 4 levels) in a temporary
catalogue, takes every labelled caption's shortlisted terms with their evidence (caption cosine, best
phrase cosine, exact lemma hit) as examples (a term the librarian picked: positive; any other: negative),
fits a logistic regression to them (Newton's method, a light L2 penalty; deterministic), prints the
coefficients to put in the plugin, then sweeps the threshold and prints precision, recall and F1 of the
suggestions (top 10, the most specific term winning) at each. The threshold chosen is the F1-best one.
A two-fold check (fit and threshold on half the captions, measured on the other half) says how much of
that is fitted to this set.

The librarian's rule for the labelled set: every vocabulary term the caption clearly shows, the most
specific one (Dogs, not Animals or Mammals); people terms (Men, Women, Children, Crowds) where the caption
names them; activities only when people do them as such ("a dog running": no Running).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop_app.catalogue import open_catalogue
from desktop_app.plugin_api import TagItem
from desktop_app.tagging.label_vectors import CatalogueLabelVectors
from plugins.caption_tagger import Candidate, CaptionTagger
from tests.tagging.vocabulary import caption_items, csv_rows, labelled_captions, store_vocabulary

TOP_N = 10
THRESHOLDS = [round(0.05 * step, 2) for step in range(1, 20)]
RIDGE = 0.01
_VECTORS: dict[str, np.ndarray] = {}


@dataclass(frozen=True)
class Quality:
    threshold: float
    true: int
    suggested: int
    wanted: int

    @property
    def precision(self) -> float:
        return self.true / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        return self.true / self.wanted if self.wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (f"threshold {self.threshold:.2f}: precision {self.precision:.3f}  recall {self.recall:.3f}  "
                f"F1 {self.f1:.3f}  ({self.true} right of {self.suggested} suggested, {self.wanted} wanted)")


def features(candidates: Sequence[Candidate]) -> np.ndarray:
    return np.array([[1.0, c.caption, c.phrase, float(c.lemma)] for c in candidates], dtype=np.float64)


def fit(rows: np.ndarray, truth: np.ndarray) -> tuple[float, float, float, float]:
    """Logistic regression by Newton's method (the intercept not penalised)."""
    weights = np.zeros(rows.shape[1])
    penalty = RIDGE * np.eye(rows.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-rows @ weights))
        gradient = rows.T @ (p - truth) + penalty @ weights
        hessian = (rows * (p * (1 - p))[:, None]).T @ rows + penalty
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-9:
            break
    b0, b_caption, b_phrase, b_lemma = (round(float(w), 2) for w in weights)
    return b0, b_caption, b_phrase, b_lemma


def items(tagger: CaptionTagger, captions: Sequence[str]) -> list[TagItem]:
    """The captions with their vectors, as `embed` would have stored them (embedded once per text)."""
    missing = [text for text in dict.fromkeys(captions) if text not in _VECTORS]
    if missing and tagger.embedder is not None:
        _VECTORS.update(zip(missing, tagger.embedder.embed_texts(missing), strict=True))
    return caption_items(captions, [_VECTORS[text] for text in captions])


def quality(tagger: CaptionTagger, gold: Sequence[set[int]], captions: Sequence[str], threshold: float,
            top_n: int = TOP_N) -> Quality:
    found = tagger.suggest(items(tagger, captions), top_n=top_n, threshold=threshold)
    true = sum(len({s.term_id for s in suggestions} & wanted)
               for suggestions, wanted in zip(found, gold, strict=True))
    return Quality(threshold, true, sum(map(len, found)), sum(map(len, gold)))


def sweep(tagger: CaptionTagger, gold: Sequence[set[int]], captions: Sequence[str]) -> list[Quality]:
    return [quality(tagger, gold, captions, threshold) for threshold in THRESHOLDS]


def examples(tagger: CaptionTagger, gold: Sequence[set[int]], captions: Sequence[str]) -> tuple[np.ndarray,
                                                                                                 np.ndarray]:
    rows, truth = [], []
    for candidates, wanted in zip(tagger.candidates(items(tagger, captions)), gold, strict=True):
        rows.append(features(candidates))
        truth.extend(tagger.terms[c.term].term_id in wanted for c in candidates)
    return np.concatenate(rows), np.asarray(truth, dtype=np.float64)


def calibrate(tagger: CaptionTagger, captions: Sequence[str], gold: Sequence[set[int]],
              echo: bool = True) -> tuple[tuple[float, float, float, float], Quality]:
    """Fit the coefficients and choose the F1-best threshold on these captions."""
    rows, truth = examples(tagger, gold, captions)
    tagger.coefficients = fit(rows, truth)
    results = sweep(tagger, gold, captions)
    if echo:
        print(f"{len(captions)} captions, {len(truth)} shortlisted (caption, term) examples, "
              f"{int(truth.sum())} of them picked by the librarian")
        print("coefficients (B0, B_CAPTION, B_PHRASE, B_LEMMA):", tagger.coefficients)
        for result in results:
            print("  " + result.line())
    return tagger.coefficients, max(results, key=lambda q: (round(q.f1, 6), q.precision, q.threshold))


def loaded_tagger(workdir: Path) -> tuple[CaptionTagger, dict[str, int]]:
    """The tagger, loaded, with the everyday vocabulary (in a new catalogue under ``workdir``)."""
    catalogue = open_catalogue(workdir / "calibration.db").__enter__()
    terms = store_vocabulary(catalogue, "everyday", csv_rows())
    tagger = CaptionTagger()
    tagger.load("cpu")
    tagger.set_vocabulary(terms, CatalogueLabelVectors(catalogue))
    return tagger, {term.labels[0]: term.term_id for term in terms}


def gold_ids(ids: dict[str, int]) -> tuple[list[str], list[set[int]]]:
    labelled = labelled_captions()
    return [caption for caption, _ in labelled], [{ids[label] for label in labels} for _, labels in labelled]


def main(argv: Sequence[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        tagger, ids = loaded_tagger(Path(folder))
        captions, gold = gold_ids(ids)
        coefficients, best = calibrate(tagger, captions, gold)
        print(f"chosen (F1-best): {best.line()}")
        print(f"  -> plugins/caption_tagger.py: B0, B_CAPTION, B_PHRASE, B_LEMMA = {coefficients}; "
              f"THRESHOLD = {best.threshold}")
        held_out = []
        for part in (0, 1):
            fit_on = [i for i in range(len(captions)) if i % 2 == part]
            test_on = [i for i in range(len(captions)) if i % 2 != part]
            _, chosen = calibrate(tagger, [captions[i] for i in fit_on], [gold[i] for i in fit_on],
                                  echo=False)
            held_out.append(quality(tagger, [gold[i] for i in test_on], [captions[i] for i in test_on],
                                    chosen.threshold))
        true, suggested, wanted = (sum(getattr(q, name) for q in held_out)
                                   for name in ("true", "suggested", "wanted"))
        print("two-fold held-out check: " + Quality(float("nan"), true, suggested, wanted).line()
              .replace("threshold nan: ", ""))


if __name__ == "__main__":
    main()
