"""Finding what a rule set flags in a text: whole words and phrases (case-insensitive, with the simple
plural where a rule asks for it), regular expressions, minus the rule's exceptions. Each flag is a span
of the text, so the app can highlight it and the editor see why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from desktop_app.flagging.rules import Rule, RuleSet

APOSTROPHES = "'’"


@dataclass(frozen=True, order=True)
class Flag:
    """One thing in a text an editor should check: ``text[start:end]``, the rule that found it and why."""

    start: int
    end: int
    rule: str
    category: str
    text: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "category": self.category, "start": self.start, "end": self.end,
                "text": self.text, "reason": self.reason}

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Flag:
        return cls(int(stored["start"]), int(stored["end"]), str(stored["rule"]), str(stored["category"]),
                   str(stored["text"]), str(stored.get("reason") or ""))


@dataclass(frozen=True)
class _Compiled:
    finders: tuple[re.Pattern[str], ...]
    exceptions: tuple[re.Pattern[str], ...]


def phrase_pattern(phrase: str, *, plural: bool = False) -> str:
    """A whole-word expression for ``phrase``: any run of white space between its words, either
    apostrophe, and with ``plural`` an optional -s or -es on the last word."""
    parts = []
    for char in phrase.strip():
        if char.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif char in APOSTROPHES:
            parts.append(f"[{APOSTROPHES}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts) + ("(?:e?s)?" if plural else "")


def _words(phrases: Iterable[str], plural: bool) -> str | None:
    # Longest first: "african american" is one match, not "african" and then nothing.
    ordered = sorted(dict.fromkeys(phrases), key=len, reverse=True)
    if not ordered:
        return None
    return r"(?<!\w)(?:" + "|".join(phrase_pattern(phrase, plural=plural) for phrase in ordered) + r")(?!\w)"


@lru_cache(maxsize=1024)
def _compiled(rule: Rule) -> _Compiled:
    finders = []
    words = _words(rule.words, rule.plural)
    if words:
        finders.append(re.compile(words, re.IGNORECASE))
    finders += [re.compile(pattern, re.IGNORECASE) for pattern in rule.patterns]
    finders += [re.compile(pattern) for pattern in rule.case_sensitive_patterns]
    exceptions = []
    phrases = _words(rule.exceptions, False)
    if phrases:
        exceptions.append(re.compile(phrases, re.IGNORECASE))
    exceptions += [re.compile(pattern, re.IGNORECASE) for pattern in rule.exception_patterns]
    return _Compiled(tuple(finders), tuple(exceptions))


def rule_flags(rule: Rule, text: str) -> list[Flag]:
    """What one rule flags in ``text`` (wherever it applies: see RuleSet.applicable)."""
    compiled = _compiled(rule)
    spared = [match.span() for pattern in compiled.exceptions for match in pattern.finditer(text)]
    spans = []
    for pattern in compiled.finders:
        for match in pattern.finditer(text):
            start, end = match.span()
            # An exception overlapping the match spares it: "a man's hat", "A German shepherd".
            if start < end and not any(start < high and low < end for low, high in spared):
                spans.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):  # one rule's overlapping finds are one flag: "a Muslim woman"
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [Flag(start, end, rule.id, rule.category, text[start:end], rule.reason) for start, end in merged]


def find_flags(rules: RuleSet | Iterable[Rule], text: str, *, captioner: str | None = None,
               caption_kind: str | None = None) -> list[Flag]:
    """Everything the rules that apply to a text of ``caption_kind`` by ``captioner`` flag in ``text``,
    in the order of the text."""
    chosen = (rules.applicable(captioner, caption_kind) if isinstance(rules, RuleSet)
              else [rule for rule in rules if rule.applies_to(captioner, caption_kind)])
    return sorted(flag for rule in chosen for flag in rule_flags(rule, text))


def stored_flags(flags: Iterable[Flag]) -> list[dict[str, Any]] | None:
    """Flags as Caption.flags holds them: None when there are none (nothing to check)."""
    stored = [flag.to_json() for flag in flags]
    return stored or None
