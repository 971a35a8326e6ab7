"""Tagging benchmark: the caption tagger (plugins/caption_tagger.py) over N captions against a generated
vocabulary of T terms, beside a naive per-pair loop, and its precision and recall on the labelled set.

Run from the repository root (no assertions: it measures and prints figures against the targets)::

    .venv/bin/python -m tests.benchmarks.bench_tagging [--captions 10000] [--terms 50000]
        [--workdir DIR] [--naive 3]

The catalogue (built once in the work folder and reused while the arguments and the generator version
match, so that the one-off costs are paid once): the everyday vocabulary (tests/tagging/everyday_terms.csv)
plus generated terms narrower than its terms ("Vintage cars" under Cars, with a synonym "vintage
automobiles"), T terms and about 2T labels in all, 5 levels; N photos with one caption each, 6-14 words
from templates over the everyday nouns, colours, verbs and places, with Zipf-like frequencies as a
captioner's output has (a few words in many captions, most words rare).

Measured, each printed on its own:
- one-off: every label embedded by MiniLM into the catalogue's label-vector cache (CatalogueLabelVectors),
  and every caption embedded and stored by the app's `embed` (embed_captions); both kept for later runs
  (the figures of the run that paid them are printed again);
- the tagger's set-up with the cache full: the label vectors read from the catalogue (0 embedded);
- suggestions: the photos read as a tagging run reads them (caption text and stored vector), then
  ``suggest`` in batches of 32 (the tagging run's batch), top 10 at the calibrated threshold:
  captions/s, with the phrases the tagger had to embed (the rest came from its cache) -- target 200/s;
- naive: for --naive captions, every label compared with the caption vector and with each of its
  phrase vectors, and its lemmas looked up in the caption's, one pair at a time in Python, extrapolated
  to N captions;
- the labelled set (tests/tagging/labelled_captions.jsonl, everyday vocabulary): precision, recall and F1
  at the calibrated threshold (tests/tagging/calibrate.py prints the whole sweep); and against the big
  vocabulary, how many of the librarian's terms the shortlist keeps (what scale could cost in recall).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-tagging"
GENERATOR_VERSION = 1
SEED = 17
TAG_BATCH = 32  # photos per batch, as the tagging run feeds them
TARGET_PER_SECOND = 200.0

# Modifiers of generated terms, each with a synonym for the term's alternative label.
_MODIFIERS = """
red:crimson blue:azure green:emerald yellow:golden white:snowy black:dark brown:chocolate grey:gray
orange:amber pink:rose purple:violet silver:metallic striped:banded spotted:dotted small:little large:big
tiny:miniature giant:huge young:juvenile old:aged vintage:retro antique:old-fashioned modern:contemporary
wooden:timber metal:steel stone:rock glass:crystal plastic:synthetic paper:cardboard leather:hide
wild:untamed tame:domestic wet:soaked dry:arid frozen:icy burning:blazing broken:damaged abandoned:derelict
empty:vacant crowded:busy quiet:calm noisy:loud clean:spotless dirty:muddy shiny:glossy rusty:corroded
painted:coloured carved:sculpted floating:drifting flying:airborne sleeping:resting running:sprinting
jumping:leaping swimming:bathing standing:upright sitting:seated hanging:suspended fallen:toppled
french:parisian italian:roman spanish:iberian german:bavarian english:british irish:celtic scottish:highland
dutch:netherlands greek:hellenic turkish:anatolian russian:siberian chinese:cantonese japanese:nippon
korean:seoul indian:bengali thai:siamese african:sahel kenyan:masai egyptian:nile moroccan:maghreb
mexican:aztec brazilian:carioca peruvian:andean canadian:yukon american:yankee australian:outback
alpine:mountain arctic:polar tropical:equatorial coastal:seaside urban:city rural:country desert:sandy
northern:boreal southern:austral eastern:oriental western:occidental medieval:gothic baroque:ornate
victorian:edwardian industrial:factory colonial:settler rustic:countryside tribal:indigenous royal:regal
military:army naval:navy civic:municipal sacred:holy festive:celebratory traditional:customary
handmade:artisan homemade:domestic-made organic:natural fresh:new rotten:decayed ripe:mature sliced:cut
grilled:barbecued fried:deep-fried baked:oven-baked roasted:toasted smoked:cured sweet:sugary spicy:hot
morning:dawn evening:dusk midnight:late-night winter:wintry summer:summery spring:vernal autumn:autumnal
rainy:showery snowy:wintery foggy:misty stormy:windy sunny:bright cloudy:overcast moonlit:nocturnal
double:twin single:lone triple:threefold stacked:piled scattered:strewn tangled:knotted folded:creased
round:circular square:quadrate tall:high short:low wide:broad narrow:thin long:elongated curved:bent
decorated:adorned illuminated:lit neon:fluorescent electric:powered solar:sun-powered wind:breezy
historic:heritage famous:celebrated local:regional public:communal private:personal hidden:secret
giant-sized:colossal floral:flowery geometric:angular abstract:nonfigurative pastel:soft-coloured
golden-hour:warm-light blurred:out-of-focus distant:far-away nearby:close-by lonely:solitary happy:joyful
sad:gloomy curious:inquisitive proud:noble tired:weary hungry:starving playful:frisky elegant:graceful
huge-scale:monumental humble:modest luxury:luxurious cheap:budget ancient:prehistoric future:futuristic
nordic:scandinavian polish:slavic swiss:helvetic austrian:viennese portuguese:lusitanian
"""
COLOURS = ["red", "blue", "green", "yellow", "white", "black", "brown", "grey", "orange", "pink", "small",
           "large", "old", "young", "wooden", "little", "big", "tall", "empty", "busy"]
VERBS = ["standing", "sitting", "running", "walking", "lying", "playing", "parked", "flying", "floating",
         "waiting", "resting", "looking", "eating", "hanging", "leaning", "crossing", "climbing", "riding"]
PREPOSITIONS = ["on", "in", "near", "next to", "in front of", "behind", "under", "beside", "along", "by"]


# --- the generated catalogue -----------------------------------------------------------------------------

def vocabulary_rows(count: int) -> list[Any]:
    """The everyday terms, then narrower generated ones up to ``count`` terms, the same in every run."""
    from tests.tagging.vocabulary import Row, csv_rows

    everyday = csv_rows()
    pairs = [pair.split(":") for pair in _MODIFIERS.split()]
    rows = list(everyday)
    rng = random.Random(SEED)
    combos = [(term, modifier, synonym) for term in everyday for modifier, synonym in pairs]
    rng.shuffle(combos)
    for term, modifier, synonym in combos[:max(0, count - len(everyday))]:
        alternative = term.synonyms[0] if term.synonyms else term.label.lower()
        label = f"{modifier.capitalize()} {term.label.lower()}"
        rows.append(Row(label, (f"{synonym} {alternative.lower()}",), term.label, None))
    if len(rows) < count:
        raise SystemExit(f"the generator makes at most {len(rows)} terms")
    assert len({row.label for row in rows}) == len(rows), "generated labels must be distinct"
    return rows


def caption_texts(count: int) -> list[str]:
    """Template captions over the everyday nouns: what a captioner writes, repetitive as its output is."""
    from tests.tagging.vocabulary import csv_rows

    nouns = [label.lower() for row in csv_rows() for label in (row.label, *row.synonyms)]
    places = ["grass", "a beach", "the street", "a table", "the snow", "a field", "the water", "a road",
              "a wall", "the sand", "a bench", "the floor", "a hill", "the park", "a river", "the sky"]
    rng = random.Random(SEED + 1)
    rng.shuffle(nouns)
    weights = [1.0 / (rank + 1) for rank in range(len(nouns))]

    def noun() -> str:
        return rng.choices(nouns, weights)[0]

    texts = []
    for _ in range(count):
        parts = [rng.choice(["a", "an old", "two", "a group of", "the"]), rng.choice(COLOURS), noun(),
                 rng.choice(VERBS), rng.choice(PREPOSITIONS), rng.choice(places)]
        if rng.random() < 0.6:
            parts += ["with", rng.choice(["a", "some", "two"]), noun()]
        if rng.random() < 0.3:
            parts += [rng.choice(["at night", "at sunset", "in the rain", "in winter", "on a sunny day"])]
        texts.append(" ".join(parts))
    return texts


def build(db: Path, stamp: Path, key: dict[str, Any], tagger: Any) -> dict[str, float]:
    """The catalogue at ``db``: the vocabulary, its label vectors, the captions and their vectors. Each
    stage is recorded in ``stamp`` when done, and an interrupted build resumes: the label-vector cache
    and `embed` both skip what is already stored (a run's figures then cover only what it embedded)."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import Caption, Library, Photo
    from desktop_app.search.embedding import embed_captions
    from desktop_app.tagging.label_vectors import CatalogueLabelVectors
    from tests.tagging.vocabulary import store_vocabulary

    state = json.loads(stamp.read_text()) if stamp.exists() else {}
    if state.get("key") != key:
        db.unlink(missing_ok=True)
        state = {"key": key, "timings": {}}
    timings: dict[str, float] = state["timings"]

    def done(**figures: float) -> None:
        timings.update(figures)
        stamp.write_text(json.dumps(state))

    captions, terms = key["captions"], key["terms"]
    with open_catalogue(db) as catalogue:
        if "vocabulary rows" not in timings:
            seconds, _ = timed(lambda: store_vocabulary(catalogue, "generated", vocabulary_rows(terms)))
            done(**{"vocabulary rows": seconds})
        if "label vectors" not in timings:
            cache = CatalogueLabelVectors(catalogue)
            seconds, _ = timed(lambda: tagger.set_vocabulary(stored_terms(catalogue, terms), cache))
            done(**{"label vectors": seconds, "labels embedded": cache.embedded})
        if "caption rows" not in timings:
            texts = caption_texts(captions)
            now = datetime(2026, 1, 1, tzinfo=UTC)
            with catalogue.engine.begin() as connection:
                connection.execute(insert(Library.__table__), [
                    {"id": 1, "root": "/archive", "name": "archive", "added_at": now}])
                connection.execute(insert(Photo.__table__), [
                    {"id": n + 1, "library_id": 1, "rel_path": f"IMG_{n:07}.jpg".encode(),
                     "content_hash": f"{n:064x}", "status": "ok", "added_at": now, "updated_at": now}
                    for n in range(captions)])
                connection.execute(insert(Caption.__table__), [
                    {"id": n + 1, "photo_id": n + 1, "text": texts[n], "origin": "ai", "state": "draft",
                     "is_current": True, "captioner_id": "bench", "model_id": "bench", "created_at": now,
                     "updated_at": now} for n in range(captions)])
            done(**{"caption rows": 0.0})
        if "caption vectors" not in timings:
            report = embed_captions(catalogue, tagger.embedder)
            done(**{"caption vectors": report.seconds, "captions embedded": report.embedded})
    return timings


def stored_items(catalogue: Any, model_id: str) -> list[Any]:
    """Every photo's current caption with its stored vector, as a tagging run reads them."""
    from sqlalchemy import and_, select

    from desktop_app.catalogue.models import Caption, Embedding
    from desktop_app.plugin_api import TagItem
    from desktop_app.search.vector_store import from_blob

    with catalogue.read() as session:
        rows = session.execute(
            select(Caption.photo_id, Caption.text, Embedding.vector, Embedding.dimension)
            .join(Embedding, and_(Embedding.caption_id == Caption.id, Embedding.model_id == model_id))
            .where(Caption.is_current.is_(True)).order_by(Caption.photo_id)).all()
    return [TagItem(photo_id, text, from_blob(blob, dimension)) for photo_id, text, blob, dimension in rows]


# --- measuring -------------------------------------------------------------------------------------------

def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def product_seconds(tagger: Any, items: Sequence[Any], labels: np.ndarray, floor: float) -> float:
    """Seconds per caption of the part of ``suggest`` that grows with the vocabulary: the caption
    vectors' product with every label vector and the shortlist, in batches of TAG_BATCH."""
    from plugins.caption_tagger import SHORTLIST

    vectors = np.stack([item.caption_vector for item in items])
    started = time.perf_counter()
    for start in range(0, len(vectors), TAG_BATCH):
        similarity = vectors[start:start + TAG_BATCH] @ labels.T
        above = similarity >= floor
        for row in range(len(similarity)):
            near = np.flatnonzero(above[row])
            if len(near) > SHORTLIST:
                near[np.argpartition(-similarity[row, near], SHORTLIST - 1)[:SHORTLIST]]
    return (time.perf_counter() - started) / len(vectors)


def naive_seconds(tagger: Any, items: Sequence[Any]) -> float:
    """Every (caption, label) pair one at a time in Python: the caption vector and each phrase vector
    dotted with the label's, the label's lemmas looked up among the caption's."""
    from plugins.caption_tagger import content_phrases, lemmas, words

    label_lemmas = [tuple(lemmas(words(text))) for text in tagger.label_texts]
    vectors = list(tagger.label_vectors)
    started = time.perf_counter()
    for item in items:
        tokens = words(item.caption)
        caption_lemmas = lemmas(tokens)
        grams = {tuple(caption_lemmas[i:i + n]) for n in range(1, 5) for i in range(len(tokens) - n + 1)}
        phrases = tagger.embedder.embed_texts(content_phrases(tokens))
        best: dict[int, float] = {}
        for label, vector in enumerate(vectors):
            score = float(np.dot(item.caption_vector, vector))
            for phrase in phrases:
                score = max(score, float(np.dot(phrase, vector)))
            if label_lemmas[label] in grams:
                score += 1.0
            term = int(tagger.label_term[label])
            best[term] = max(best.get(term, -1.0), score)
        sorted(best.items(), key=lambda pair: -pair[1])[:10]
    return time.perf_counter() - started


def labelled_quality(tagger: Any, folder: Path) -> None:
    from tests.tagging.calibrate import gold_ids, items, loaded_tagger, quality
    from tests.tagging.vocabulary import labelled_captions

    everyday, ids = loaded_tagger(folder)
    captions, gold = gold_ids(ids)
    result = quality(everyday, gold, captions, everyday.default_threshold)
    print(f"labelled set ({len(captions)} captions, everyday vocabulary of {len(ids)} terms), top 10 at the "
          f"calibrated threshold {everyday.default_threshold}:")
    print(f"  precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}  "
          f"({result.true} right of {result.suggested} suggested, {result.wanted} picked by the librarian)")
    # At scale the everyday terms sit among the generated ones: does the shortlist still hold them?
    big = {term.labels[0]: term.term_id for term in tagger.terms}
    kept = wanted = 0
    shortlists = tagger.candidates(items(everyday, captions))
    for (_caption, labels), candidates in zip(labelled_captions(), shortlists, strict=True):
        here = {tagger.terms[c.term].term_id for c in candidates}
        kept += sum(big[label] in here for label in labels)
        wanted += len(labels)
    print(f"  among the {len(tagger.terms):,} terms: the shortlists keep {kept} of the {wanted} terms picked "
          f"({kept / wanted:.1%})")
    everyday.unload()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captions", type=int, default=10_000)
    parser.add_argument("--terms", type=int, default=50_000)
    parser.add_argument("--naive", type=int, default=3, help="captions timed in the naive loop")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--scale-labels", type=int, default=100_000,
                        help="with fewer labels than this, also time the vocabulary-bound part at this size")
    args = parser.parse_args()

    import torch

    from desktop_app.catalogue import open_catalogue
    from desktop_app.tagging.label_vectors import CatalogueLabelVectors
    from plugins.caption_tagger import CaptionTagger

    print(f"torch threads: {torch.get_num_threads()}, float32")
    tagger = CaptionTagger()
    load_seconds, _ = timed(lambda: tagger.load("cpu"))
    print(f"MiniLM loaded in {load_seconds:.1f} s")
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "catalogue.db"
    stamp = args.workdir / "built.json"
    key = {"version": GENERATOR_VERSION, "captions": args.captions, "terms": args.terms,
           "model": tagger.model}
    fresh = not stamp.exists()
    timings = build(db, stamp, key, tagger)
    print("built the catalogue in this run:" if fresh else
          f"catalogue from {args.workdir} (built, or finished, by earlier runs; their one-off costs):")
    print(f"  vocabulary: {args.terms:,} terms written in {timings['vocabulary rows']:.1f} s")
    print(f"  one-off label embedding: {int(timings['labels embedded']):,} labels in "
          f"{timings['label vectors']:.1f} s ({timings['labels embedded'] / timings['label vectors']:.0f}/s)")
    captions_embedded = int(timings["captions embedded"])
    print(f"  one-off caption embedding (`embed`): {captions_embedded:,} captions in "
          f"{timings['caption vectors']:.1f} s ({captions_embedded / timings['caption vectors']:.0f}/s)")

    with open_catalogue(db) as catalogue:
        cache = CatalogueLabelVectors(catalogue)
        vocabulary = stored_terms(catalogue, args.terms)
        seconds, _ = timed(lambda: tagger.set_vocabulary(vocabulary, cache))
        print(f"tagger set-up with the cache full: {len(tagger.label_texts):,} label vectors read in "
              f"{seconds:.1f} s, {cache.embedded} embedded")
        seconds, items = timed(lambda: stored_items(catalogue, tagger.caption_vector_model))
        print(f"photos read with their stored caption vectors: {len(items):,} in {seconds:.1f} s")

    threshold, top_n = tagger.default_threshold, tagger.default_top_n
    suggested = 0
    started = time.perf_counter()
    for start in range(0, len(items), TAG_BATCH):
        found = tagger.suggest(items[start:start + TAG_BATCH], top_n=top_n, threshold=threshold)
        suggested += sum(map(len, found))
    seconds = time.perf_counter() - started
    rate = len(items) / seconds
    phrases = tagger.phrases_embedded
    print(f"suggestions: {len(items):,} captions in {seconds:.1f} s = {rate:.0f} captions/s "
          f"(target {TARGET_PER_SECOND:.0f}: {'met' if rate >= TARGET_PER_SECOND else 'NOT met'}), "
          f"{suggested / len(items):.1f} suggestions per photo; {phrases:,} distinct phrases embedded "
          f"({phrases / len(items):.2f} per caption), the rest from the tagger's phrase cache")

    if len(tagger.label_texts) < args.scale_labels // 2:
        # A smaller vocabulary than the target: time the part that grows with it at the target size too
        # (random unit vectors for the labels), and extrapolate the rate.
        sample = items[:2048]
        floor = tagger.caption_floor(threshold)
        here = product_seconds(tagger, sample, tagger.label_vectors, floor)
        shape = (args.scale_labels, tagger.label_vectors.shape[1])
        scaled = np.random.default_rng(SEED).standard_normal(shape, dtype=np.float32)
        scaled /= np.linalg.norm(scaled, axis=1, keepdims=True)
        there = product_seconds(tagger, sample, scaled, floor)
        estimate = 1.0 / (1.0 / rate + there - here)
        print(f"at {args.scale_labels:,} labels: the caption-label product and shortlist take "
              f"{there * 1e3:.2f} ms per caption (here {here * 1e3:.2f} ms) -> about {estimate:.0f} "
              "captions/s (extrapolated)")
        del scaled

    sample = items[:args.naive]
    naive = naive_seconds(tagger, sample)
    per_caption = naive / len(sample)
    print(f"naive per-pair loop: {per_caption:.2f} s per caption over {len(tagger.label_texts):,} labels "
          f"({len(sample)} captions timed) -> {per_caption * len(items) / 3600:.1f} h for {len(items):,}; "
          f"the tagger is {per_caption * rate:,.0f}x faster")

    with tempfile.TemporaryDirectory() as folder:
        labelled_quality(tagger, Path(folder))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")
    tagger.unload()


def stored_terms(catalogue: Any, count: int) -> list[Any]:
    """The generated vocabulary as a tagging run hands it over: ids from the catalogue, the rest from the
    generator."""
    from sqlalchemy import select

    from desktop_app.catalogue.models import Term
    from desktop_app.plugin_api import VocabularyTerm

    with catalogue.read() as session:
        ids = dict(session.execute(select(Term.label, Term.id)).all())
    rows = vocabulary_rows(count)
    broader = {row.label: row.broader for row in rows}

    def path(label: str) -> tuple[str, ...]:
        above: list[str] = []
        while (label := broader.get(label)) is not None:  # type: ignore[assignment]
            above.insert(0, label)
        return tuple(above)

    return [VocabularyTerm(ids[row.label], tuple(dict.fromkeys((row.label, *row.synonyms))), path(row.label))
            for row in rows]


if __name__ == "__main__":
    main()
