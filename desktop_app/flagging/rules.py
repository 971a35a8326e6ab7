"""Flag rules as data: the shipped list per language (resources/flag-rules/<lang>.toml) and the user's
own (config_dir()/flag-rules/<lang>.toml), read into a :class:`RuleSet`.

A user file overrides the shipped one rule by rule: a rule with a shipped rule's ``id`` replaces it
(``disabled = true`` turns it off), any other id adds a rule. A broken user file is skipped with a
warning where the app must go on (``strict=False``, as settings.json is); ``strict=True`` (the command
line's ``flags --check``) says what is wrong and where.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from desktop_app import locations

log = logging.getLogger(__name__)

CATEGORIES = ("person-attributes", "offensive-or-outdated", "product-claims", "medical-certainty",
              "personal-data")
ANY = "any"
RULE_KEYS = {"id", "category", "reason", "words", "plural", "patterns", "case_sensitive_patterns",
             "captioners", "caption_kinds", "exceptions", "exception_patterns", "meanings",
             "meaning_threshold", "disabled"}
DEFAULT_MEANING_THRESHOLD = 0.75


class FlagRulesError(ValueError):
    """A rule file that cannot be read: names the file and what is wrong."""


@dataclass(frozen=True)
class Rule:
    """One rule: what it looks for (whole words and phrases, regular expressions, example phrases whose
    meaning the embedder compares), where it applies, what must not be flagged, and why it matters."""

    id: str
    category: str
    reason: str
    language: str = "en"
    words: tuple[str, ...] = ()
    plural: bool = False  # each word also matches with -s / -es (irregular plurals are listed as words)
    patterns: tuple[str, ...] = ()  # case-insensitive regular expressions
    case_sensitive_patterns: tuple[str, ...] = ()  # e.g. a title followed by a capitalised name
    captioners: tuple[str, ...] = (ANY,)  # captioner ids (or kinds) whose text it applies to
    caption_kinds: tuple[str, ...] = (ANY,)  # description, alt-text, extended-description
    exceptions: tuple[str, ...] = ()  # phrases (whole words, case-insensitive) that are never flagged
    exception_patterns: tuple[str, ...] = ()
    meanings: tuple[str, ...] = ()  # example phrases for the meaning match (Settings.review.flag_meanings)
    meaning_threshold: float = DEFAULT_MEANING_THRESHOLD  # cosine similarity from which a sentence is flagged

    def applies_to(self, captioner: str | None, caption_kind: str | None) -> bool:
        """Whether the rule looks at a text of ``caption_kind`` written by ``captioner`` (None: a person's
        or an imported text, which only rules for any captioner see)."""
        if ANY not in self.captioners and captioner not in self.captioners:
            return False
        return ANY in self.caption_kinds or caption_kind in self.caption_kinds


@dataclass(frozen=True)
class RuleSet:
    """The rules of some languages, in file order (shipped first, the user's additions after)."""

    languages: tuple[str, ...]
    rules: tuple[Rule, ...]
    sources: tuple[str, ...] = field(default=(), compare=False)  # the files read

    def applicable(self, captioner: str | None, caption_kind: str | None) -> list[Rule]:
        return [rule for rule in self.rules if rule.applies_to(captioner, caption_kind)]

    def get(self, rule_id: str, language: str | None = None) -> Rule | None:
        return next((rule for rule in self.rules
                     if rule.id == rule_id and language in (None, rule.language)), None)


def shipped_dir() -> Path:
    return locations.resources_dir() / "flag-rules"


def user_dir() -> Path:
    return locations.config_dir() / "flag-rules"


def load_rules(languages: tuple[str, ...] | list[str] = ("en",), *, strict: bool = False,
               shipped: Path | None = None, user: Path | None = None) -> RuleSet:
    """The rules of ``languages``: each language's shipped file with the user's file over it. Read again
    only when a file changed (its modification time and size)."""
    shipped, user = shipped or shipped_dir(), user or user_dir()
    files = tuple((language, shipped / f"{language}.toml", user / f"{language}.toml")
                  for language in dict.fromkeys(languages))
    stamp = tuple(_stamp(path) for _language, *paths in files for path in paths)
    return _load(files, stamp, strict)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


@lru_cache(maxsize=16)
def _load(files: tuple[tuple[str, Path, Path], ...], _stamp: tuple[Any, ...], strict: bool) -> RuleSet:
    rules: dict[tuple[str, str], Rule] = {}  # (language, id): a user's rule replaces its language's rule
    sources: list[str] = []
    for language, shipped, user in files:
        if shipped.is_file():
            for rule in read_rule_file(shipped, language):
                rules[(language, rule.id)] = rule
            sources.append(str(shipped))
        if not user.is_file():
            continue
        try:
            parsed = read_rule_file(user, language, allow_disabled=True)
        except FlagRulesError as error:
            if strict:
                raise
            log.warning("ignoring %s", error)  # a typo in the user's list must not stop a captioning job
            continue
        for rule in parsed:
            if rule.id.startswith("!"):  # disabled = true: the shipped rule of that id is off
                rules.pop((language, rule.id[1:]), None)
            else:
                rules[(language, rule.id)] = rule
        sources.append(str(user))
    return RuleSet(tuple(dict.fromkeys(language for language, *_paths in files)), tuple(rules.values()),
                   tuple(sources))


def read_rule_file(path: Path, language: str, *, allow_disabled: bool = False) -> list[Rule]:
    """The rules in one file, each checked (FlagRulesError naming the file, the rule and the problem)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise FlagRulesError(f"{path}: {error}") from error
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise FlagRulesError(f"{path}: 'rule' must be a list of [[rule]] tables")
    rules, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: rule {number}"
        if not isinstance(entry, dict):
            raise FlagRulesError(f"{where}: must be a [[rule]] table")
        if isinstance(entry.get("id"), str):
            where = f"{path}: rule {entry['id']!r}"
        try:
            rule = _rule(entry, language, allow_disabled)
        except (TypeError, ValueError, re.error) as error:
            raise FlagRulesError(f"{where}: {error}") from error
        if rule.id in seen:
            raise FlagRulesError(f"{where}: the id is used twice in this file")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _rule(entry: dict[str, Any], language: str, allow_disabled: bool) -> Rule:
    unknown = set(entry) - RULE_KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", rule_id):
        raise ValueError("'id' must be lower-case letters, digits, '.', '_' or '-'")
    if entry.get("disabled"):
        if not allow_disabled:
            raise ValueError("'disabled' belongs in a user's file, over a shipped rule")
        return Rule(id="!" + rule_id, category=CATEGORIES[0], reason="", language=language)
    category = entry.get("category")
    if category not in CATEGORIES:
        raise ValueError(f"'category' must be one of {', '.join(CATEGORIES)}")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("'reason' (shown to the editor) is missing")
    rule = Rule(
        id=rule_id, category=category, reason=reason.strip(), language=language,
        words=_strings(entry, "words"), plural=bool(entry.get("plural", False)),
        patterns=_strings(entry, "patterns"),
        case_sensitive_patterns=_strings(entry, "case_sensitive_patterns"),
        captioners=_strings(entry, "captioners") or (ANY,),
        caption_kinds=_strings(entry, "caption_kinds") or (ANY,),
        exceptions=_strings(entry, "exceptions"), exception_patterns=_strings(entry, "exception_patterns"),
        meanings=_strings(entry, "meanings"),
        meaning_threshold=float(entry.get("meaning_threshold", DEFAULT_MEANING_THRESHOLD)),
    )
    if not (rule.words or rule.patterns or rule.case_sensitive_patterns or rule.meanings):
        raise ValueError("has nothing to look for: give words, patterns or meanings")
    if not 0 < rule.meaning_threshold <= 1:
        raise ValueError("'meaning_threshold' must be between 0 and 1")
    for pattern in (*rule.patterns, *rule.case_sensitive_patterns, *rule.exception_patterns):
        re.compile(pattern)  # a bad expression is the file's error, not a crash while flagging
    return rule


def _strings(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(value, str) and value.strip() for value in values):
        raise TypeError(f"'{key}' must be a list of non-empty strings")
    return tuple(value.strip() for value in values)
