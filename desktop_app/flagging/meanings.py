"""The meaning-based match: a rule's example phrases compared with each sentence of a text through a text
embedder (any function from texts to vectors; the services pass the default embedder's). A sentence as
close to an example as the rule's ``meaning_threshold`` (cosine similarity) is flagged as a whole.
Used only where Settings.review.flag_meanings is on; the word and pattern rules never need it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

from desktop_app.flagging.matching import Flag
from desktop_app.flagging.rules import Rule, RuleSet

Embed = Callable[[list[str]], Sequence[Sequence[float]]]
_SENTENCE = re.compile(r"[^.;!?\n]+")


def sentences(text: str) -> list[tuple[int, int]]:
    """The spans of ``text``'s sentences and clauses (split at . ; ! ? and line ends), stripped."""
    spans = []
    for match in _SENTENCE.finditer(text):
        chunk = match.group()
        start = match.start() + len(chunk) - len(chunk.lstrip())
        end = match.end() - (len(chunk) - len(chunk.rstrip()))
        if end > start and any(char.isalnum() for char in text[start:end]):
            spans.append((start, end))
    return spans


def _unit(vector: Sequence[float]) -> list[float]:
    values = [float(value) for value in vector]
    norm = math.sqrt(sum(value * value for value in values)) or 1.0
    return [value / norm for value in values]


class MeaningMatcher:
    """Compares texts with the rules' example phrases; the examples' vectors are computed once."""

    def __init__(self, embed: Embed) -> None:
        self.embed = embed
        self._examples: dict[str, list[float]] = {}

    def _vectors(self, texts: list[str]) -> list[list[float]]:
        return [_unit(vector) for vector in self.embed(texts)] if texts else []

    def flags(self, rules: RuleSet | Iterable[Rule], text: str, *, captioner: str | None = None,
              caption_kind: str | None = None) -> list[Flag]:
        chosen = [rule for rule in (rules.rules if isinstance(rules, RuleSet) else rules)
                  if rule.meanings and rule.applies_to(captioner, caption_kind)]
        spans = sentences(text)
        if not chosen or not spans:
            return []
        missing = [phrase for rule in chosen for phrase in rule.meanings if phrase not in self._examples]
        missing = list(dict.fromkeys(missing))
        self._examples.update(zip(missing, self._vectors(missing), strict=True))
        vectors = self._vectors([text[start:end] for start, end in spans])
        found = []
        for rule in chosen:
            for (start, end), vector in zip(spans, vectors, strict=True):
                best = max(sum(a * b for a, b in zip(vector, self._examples[phrase], strict=True))
                           for phrase in rule.meanings)
                if best >= rule.meaning_threshold:
                    found.append(Flag(start, end, rule.id, rule.category, text[start:end], rule.reason))
        return sorted(found)
