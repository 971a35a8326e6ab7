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
class _Finder:
    """An expression and, where they can be known, words one of which the text must hold for it to match
    (lower-cased; ``case_sensitive``: as written): a substring check per word is far cheaper than the
    expression, and most rules find nothing in most captions."""

    pattern: re.Pattern[str]
    needs: tuple[str, ...] = ()  # () = always run it
    case_sensitive: bool = False

    def may_match(self, text: str, lowered: str) -> bool:
        if not self.needs:
            return True
        within = text if self.case_sensitive else lowered
        return any(word in within for word in self.needs)


@dataclass(frozen=True)
class _Compiled:
    finders: tuple[_Finder, ...]
    exceptions: tuple[re.Pattern[str], ...]


_FIRST_WORD = re.compile(r"\w+")
# A pattern that starts with a group of plain alternatives, "\b(?:muslim|christian|...)" (optionally
# after a word boundary): a text holds one of them wherever it matches.
_LEADING_GROUP = re.compile(r"^(?:\\b|\(\?<!\\w\))?\(\?:([^()\[\]\\?*+{}.^$]+)\)(?![?*{])")


def _first_words(phrases: Iterable[str]) -> tuple[str, ...]:
    words = []
    for phrase in phrases:
        first = _FIRST_WORD.match(phrase.strip())
        if first is None:  # a phrase starting with a sign: no quick check
            return ()
        words.append(first.group().lower())
    return tuple(dict.fromkeys(words))


def _leading_words(pattern: str, case_sensitive: bool) -> tuple[str, ...]:
    group = _LEADING_GROUP.match(pattern)
    if group is None:
        return ()
    words = group.group(1).split("|")
    if any(not word.strip() for word in words):
        return ()
    return tuple(dict.fromkeys(word if case_sensitive else word.lower() for word in words))


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
        finders.append(_Finder(re.compile(words, re.IGNORECASE), _first_words(rule.words)))
    finders += [_Finder(re.compile(pattern, re.IGNORECASE), _leading_words(pattern, False))
                for pattern in rule.patterns]
    finders += [_Finder(re.compile(pattern), _leading_words(pattern, True), case_sensitive=True)
                for pattern in rule.case_sensitive_patterns]
    exceptions = []
    phrases = _words(rule.exceptions, False)
    if phrases:
        exceptions.append(re.compile(phrases, re.IGNORECASE))
    exceptions += [re.compile(pattern, re.IGNORECASE) for pattern in rule.exception_patterns]
    return _Compiled(tuple(finders), tuple(exceptions))


def rule_flags(rule: Rule, text: str, lowered: str | None = None) -> list[Flag]:
    """What one rule flags in ``text`` (wherever it applies: see RuleSet.applicable); ``lowered``: the
    text in lower case, when the caller has it."""
    compiled = _compiled(rule)
    lowered = text.lower() if lowered is None else lowered
    found = [match.span() for finder in compiled.finders if finder.may_match(text, lowered)
             for match in finder.pattern.finditer(text)]
    if not found:
        return []
    spared = [match.span() for pattern in compiled.exceptions for match in pattern.finditer(text)]
    # An exception overlapping a match spares it: "a man's hat", "A German shepherd".
    spans = [(start, end) for start, end in found
             if start < end and not any(start < high and low < end for low, high in spared)]
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
    lowered = text.lower()
    return sorted(flag for rule in chosen for flag in rule_flags(rule, text, lowered))


def stored_flags(flags: Iterable[Flag]) -> list[dict[str, Any]] | None:
    """Flags as Caption.flags holds them: None when there are none (nothing to check)."""
    stored = [flag.to_json() for flag in flags]
    return stored or None
