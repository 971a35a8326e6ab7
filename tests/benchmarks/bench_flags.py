"""Flag rules benchmark: flagging caption texts with the shipped rules, beside a naive baseline, and what
flagging adds to storing a captioning batch.

Run from the repository root (no assertions: it measures and prints figures against the targets)::

    .venv/bin/python -m tests.benchmarks.bench_flags [--captions 20000] [--languages en,de]
        [--store 2000] [--workdir DIR]

The captions (generated, the same in every run): 8-30 words each from a mix of everyday caption words,
words the rules look for (person words, brands, materials, medical certainty), words next to the line
("a man's hat", "old building") and now and then an e-mail address or a phone number; a third of them
as a product-description captioner's, a sixth as a medical-report captioner's.

Measured:
- flagging: ``find_flags`` over every caption with the rules of --languages (each rule's words one
  compiled alternation, cached), in captions per second; naive: what one writes first, each listed word
  and pattern searched on its own (``re.finditer`` with a whole-word expression built per word, relying on
  the ``re`` module's cache), exceptions checked the same way. Both must find the same flags.
- storing: ``store_ai_captions`` of --store drafts in batches of 64 into a new SQLite catalogue, with the
  rules and with an empty rule set (flagging off), in drafts per second: the overhead a captioning job
  pays for flags (each way twice, alternating, the faster kept).
Times are CPU seconds of this process (``time.process_time``): everything measured runs on one thread,
and on a machine shared with other work the CPU time is the figure that repeats.
Targets: flagging at least 5x the naive loop and over 5,000 captions/s on one core (a captioning model
takes tens of milliseconds per photo even on a GPU: flags must cost a small fraction of that); storing
with flags at most 1 ms more per draft than without (SQLite writes a draft in a fraction of a
millisecond, so the relative cost is large and says little; it is printed too).
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path

from desktop_app.flagging import Flag, RuleSet, find_flags, load_rules
from desktop_app.flagging.matching import phrase_pattern
from tests.benchmarks.bench_scan import machine_description, print_table, verdict

PLAIN = (
    "a", "the", "of", "in", "on", "with", "and", "near", "beside", "under", "over", "photo", "view",
    "street", "park", "dog", "cat", "tree", "house", "car", "bench", "table", "window", "river", "boat",
    "bridge", "market", "sunset", "morning", "light", "red", "blue", "green", "small", "large",
    "wooden", "stone", "glass", "shelf", "bottle", "cup", "book", "lamp", "chair", "sofa", "field",
    "mountain", "beach", "sky", "cloud"
)
FLAGGABLE = (
    "woman", "man", "girl", "boy", "elderly", "teenager", "Asian", "Muslim", "family", "blind",
    "crippled", "Nike", "leather", "silk", "waterproof", "gold", "confirms", "diagnosis", "definitely"
)
NEAR_THE_LINE = ["a man's hat", "old building", "Christian church", "Asian cuisine", "window blinds",
                 "man-made lake", "French bread", "red apple", "to be confirmed"]
CAPTIONERS = ("encoder-decoder", "encoder-decoder", "encoder-decoder", "product-description",
              "product-description", "medical-report")


def make_captions(count: int, seed: int = 20) -> list[tuple[str, str]]:
    """(text, captioner id) pairs."""
    rng = random.Random(seed)
    captions = []
    for number in range(count):
        words = [rng.choice(PLAIN) for _ in range(rng.randint(8, 30))]
        for _ in range(rng.randint(0, 2)):
            words.insert(rng.randrange(len(words)), rng.choice(FLAGGABLE))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(NEAR_THE_LINE))
        if rng.random() < 0.05:
            words.append(f"mail person{number}@example.org" if rng.random() < 0.5 else "call 555-123-4567")
        captions.append((" ".join(words).capitalize(), CAPTIONERS[number % len(CAPTIONERS)]))
    return captions


def naive_flags(rules: RuleSet, text: str, captioner: str) -> list[Flag]:
    """Each word and pattern on its own: the obvious loop."""
    found = []
    for rule in rules.applicable(captioner, "description"):
        spared = [m.span() for phrase in rule.exceptions
                  for m in re.finditer(r"(?<!\w)" + phrase_pattern(phrase) + r"(?!\w)", text, re.IGNORECASE)]
        spared += [m.span() for pattern in rule.exception_patterns
                   for m in re.finditer(pattern, text, re.IGNORECASE)]
        spans = [m.span() for word in rule.words for m in re.finditer(
            r"(?<!\w)" + phrase_pattern(word, plural=rule.plural) + r"(?!\w)", text, re.IGNORECASE)]
        spans += [m.span() for pattern in rule.patterns for m in re.finditer(pattern, text, re.IGNORECASE)]
        spans += [m.span() for pattern in rule.case_sensitive_patterns for m in re.finditer(pattern, text)]
        kept = sorted({(s, e) for s, e in spans if s < e and not any(s < hi and lo < e for lo, hi in spared)})
        merged: list[list[int]] = []
        for start, end in kept:
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        found += [Flag(s, e, rule.id, rule.category, text[s:e], rule.reason) for s, e in merged]
    return sorted(found)


def time_flagging(rules: RuleSet, captions: list[tuple[str, str]]) -> tuple[float, float, int]:
    find_flags(rules, "warm up the compiled rules", captioner="encoder-decoder")
    started = time.process_time()
    ours = [find_flags(rules, text, captioner=captioner, caption_kind="description")
            for text, captioner in captions]
    ours_s = time.process_time() - started
    started = time.process_time()
    naive = [naive_flags(rules, text, captioner) for text, captioner in captions]
    naive_s = time.process_time() - started
    assert ours == naive, "the naive loop found other flags"
    return ours_s, naive_s, sum(len(flags) for flags in ours)


def time_storing(workdir: Path, rules: RuleSet, count: int) -> tuple[float, float]:
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.ai_captions import AICaption, store_ai_captions
    from desktop_app.catalogue.models import Library, Photo, PhotoStatus

    captions = make_captions(count, seed=7)
    seconds: dict[str, float] = {}
    # Alternating, twice each, the faster kept: on a shared machine one run alone says little.
    for round_, label, chosen in [(r, label, chosen) for r in range(2)
                                  for label, chosen in (("flags", rules), ("none", _NOTHING))]:
        with open_catalogue(workdir / f"store-{label}-{round_}.db") as catalogue:
            with catalogue.write() as session:
                library = Library(root=str(workdir / "lib"), name="bench")
                session.add(library)
                session.flush()
                session.add_all(Photo(library_id=library.id, rel_path=f"{n:06}.jpg", status=PhotoStatus.OK)
                                for n in range(count))
            with catalogue.read() as session:
                photos = list(session.query(Photo).order_by(Photo.id))
            started = time.process_time()
            for start in range(0, count, 64):
                with catalogue.write() as session:
                    batch = [AICaption(session.merge(photo, load=False), text, model_id="m")
                             for photo, (text, _captioner) in zip(photos[start:start + 64],
                                                                  captions[start:start + 64], strict=True)]
                    store_ai_captions(session, batch, captioner_id="encoder-decoder", flag_rules=chosen)
            elapsed = time.process_time() - started
            seconds[label] = min(seconds.get(label, elapsed), elapsed)
    return seconds["flags"], seconds["none"]


# A rule set that flags nothing (an empty one would fall back to the settings' rules).
_NOTHING = RuleSet(("none",), ())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captions", type=int, default=20_000)
    parser.add_argument("--languages", default="en,de")
    parser.add_argument("--store", type=int, default=2_000)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    rules = load_rules(tuple(args.languages.split(",")), strict=True)
    print("\n".join(machine_description()))
    print(f"{len(rules.rules)} rules ({args.languages}), {args.captions:,} captions")
    captions = make_captions(args.captions)
    ours_s, naive_s, flags = time_flagging(rules, captions)
    with tempfile.TemporaryDirectory() as temp:
        workdir = args.workdir or Path(temp)
        workdir.mkdir(parents=True, exist_ok=True)
        with_flags, without = time_storing(workdir, rules, args.store)
    rate, naive_rate = args.captions / ours_s, args.captions / naive_s
    overhead = with_flags / without - 1
    per_draft_ms = (with_flags - without) / args.store * 1000
    print_table([
        ("flagging, captions/s (ours)", f"{rate:,.0f}", "> 5,000", verdict(rate > 5000)),
        ("flagging, captions/s (naive)", f"{naive_rate:,.0f}", "", ""),
        ("ours / naive", f"{rate / naive_rate:.1f}x", ">= 5x", verdict(rate / naive_rate >= 5)),
        ("flags found", f"{flags:,} in {args.captions:,} captions", "same in both", "PASS"),
        ("storing drafts/s with flags", f"{args.store / with_flags:,.0f}", "", ""),
        ("storing drafts/s without", f"{args.store / without:,.0f}", "", ""),
        ("flagging's cost per draft stored", f"{per_draft_ms:+.2f} ms ({overhead:+.0%})", "<= 1 ms",
         verdict(per_draft_ms <= 1)),
    ])


if __name__ == "__main__":
    main()
