"""The search query language: what users type in a search box, parsed by hand into a syntax tree.

The syntax::

    red boat          both words (AND is implicit)
    "red boat"        the exact phrase
    harb*             a prefix
    dog OR cat        either (AND binds tighter than OR: ``a OR b c`` is ``a OR (b AND c)``)
    dog AND cat       both (the same as ``dog cat``)
    dog NOT cat       ``NOT x`` and ``-x`` exclude: dog but not cat; ``-"red boat"``, ``-(a b)`` too
    (dog OR cat) grass   parentheses group

The operators are upper case; "and", "or", "not" are plain words. Any string parses: an unclosed
quote runs to the end, stray parentheses are ignored, an operator with nothing to apply to is dropped,
tokens without a letter or digit are dropped, control characters are spaces, and a long query keeps
its first MAX_TERMS terms.

What a query means, whatever index answers it: a text index lists what matches, it cannot list "every
caption without X", so a query made only of exclusions finds nothing (``excludes_only``), and an
exclusion that is an alternative of OR (``a OR -b``) is dropped (``a``).

Depends on nothing of the app's: the catalogue's index translations (catalogue/fts.py for SQLite's
FTS5) walk the tree ``parse`` gives, and search by meaning reads ``for_meaning``'s split of it.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

MAX_TERMS = 64  # a pasted paragraph still makes a cheap query
MAX_TOKENS = 4 * MAX_TERMS  # the tokenizer stops there: a 10 MB paste costs no more than a short one
MAX_DEPTH = 8  # parentheses nested deeper are ignored (the parser recurses once per level)

_ALNUM = re.compile(r"[^\W_]")  # a letter or digit of any script, as FTS5's unicode61 sees them
_OPERATORS = {"AND", "OR", "NOT"}
_WORD_END = set('"()')


T = TypeVar("T")  # an index's expression (for_index)


# The syntax tree.
@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False  # typed between quotes
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


class _Kind(enum.Enum):
    WORD = "word"
    PHRASE = "phrase"
    OPEN = "("
    CLOSE = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"  # also "-" before a word, phrase or "("


@dataclass
class _Token:
    kind: _Kind
    text: str = ""
    prefix: bool = False


def _clean(text: str) -> str:
    # Control characters (NUL ends an FTS5 string early) and lone surrogates (not encodable as
    # UTF-8, so SQLite never gets them) become spaces.
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text)


def _tokens(text: str, typing: bool) -> list[_Token]:
    text = _clean(text)
    tokens: list[_Token] = []
    i, n = 0, len(text)
    last_word_at_end = False
    while i < n and len(tokens) < MAX_TOKENS:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            phrase, i = text[i + 1:end], end + 1
            prefix = i < n and text[i] == "*"
            while i < n and text[i] == "*":
                i += 1
            if _ALNUM.search(phrase):
                tokens.append(_Token(_Kind.PHRASE, phrase, prefix))
        elif ch in "()":
            tokens.append(_Token(_Kind.OPEN if ch == "(" else _Kind.CLOSE))
            i += 1
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            tokens.append(_Token(_Kind.NOT))  # -word, -"phrase", -(group)
            i += 1
        else:
            end = i
            while end < n and not text[end].isspace() and text[end] not in _WORD_END:
                end += 1
            chunk, i = text[i:end], end
            if chunk in _OPERATORS:
                tokens.append(_Token(_Kind[chunk]))
                continue
            word = chunk.rstrip("*")
            if _ALNUM.search(word):
                tokens.append(_Token(_Kind.WORD, word, prefix=word != chunk))
                last_word_at_end = end == n
    # Still typing the last word: match it as a prefix, unless it is being excluded.
    if (typing and last_word_at_end and tokens[-1].kind is _Kind.WORD
            and (len(tokens) < 2 or tokens[-2].kind is not _Kind.NOT)):
        tokens[-1].prefix = True
    return tokens


class _Parser:
    """Recursive descent with recovery: or := and (OR and)*; and := unary ([AND] unary)*;
    unary := (NOT | -)* primary; primary := ( or ) | word | phrase."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.terms = 0
        self.ignored_opens = 0  # "(" deeper than MAX_DEPTH, whose ")" is skipped too

    def peek(self) -> _Kind | None:
        return self.tokens[self.at].kind if self.at < len(self.tokens) else None

    def parse_or(self, depth: int) -> Node | None:
        children = [self.parse_and(depth)]
        while self.peek() is _Kind.OR:
            self.at += 1
            children.append(self.parse_and(depth))
        return _combine(Or, children)

    def parse_and(self, depth: int) -> Node | None:
        children: list[Node | None] = []
        while (kind := self.peek()) is not None and kind is not _Kind.OR:
            if kind is _Kind.CLOSE:
                if self.ignored_opens:
                    self.ignored_opens -= 1
                elif depth > 0:
                    break  # the caller's group ends here
                self.at += 1  # a stray ")"
            elif kind is _Kind.AND:
                self.at += 1  # implicit anyway; a dangling one is dropped
            else:
                children.append(self.parse_unary(depth))
        return _combine(And, children)

    def parse_unary(self, depth: int) -> Node | None:
        negations = 0
        while self.peek() is _Kind.NOT:
            negations += 1
            self.at += 1
        node = self.parse_primary(depth)
        if node is None or negations % 2 == 0:
            return node
        return Not(node)

    def parse_primary(self, depth: int) -> Node | None:
        kind = self.peek()
        if kind is _Kind.OPEN:
            self.at += 1
            if depth >= MAX_DEPTH:
                self.ignored_opens += 1
                return None
            node = self.parse_or(depth + 1)
            if self.peek() is _Kind.CLOSE:
                self.at += 1
            return node
        if kind in (_Kind.WORD, _Kind.PHRASE):
            token = self.tokens[self.at]
            self.at += 1
            if self.terms >= MAX_TERMS:
                return None
            self.terms += 1
            return Term(token.text, phrase=kind is _Kind.PHRASE, prefix=token.prefix)
        return None  # an operator or ")" where a term should be: the caller deals with it


def _combine(cls: type[And] | type[Or], children: list[Node | None]) -> Node | None:
    """``cls`` of the children that are left, nested ones of the same kind flattened; one child is
    itself, none is None."""
    flat: list[Node] = []
    for child in children:
        if isinstance(child, cls):
            flat.extend(child.children)
        elif child is not None:
            flat.append(child)
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else cls(tuple(flat))


def parse(text: str, *, typing: bool = False) -> Node | None:
    """The syntax tree of what the user typed, or None if it holds no term. ``typing``: the text is
    a search box's content as it is being typed, so its last word, when nothing follows it, is a
    prefix."""
    return _Parser(_tokens(text, typing)).parse_or(0)


def excludes_only(node: Node) -> bool:
    """Whether ``node`` only says what must not match (``-dog``, ``-a -b``, ``-a OR -b``): no index can
    list its matches, so it finds nothing. A group is so when each of its parts is."""
    if isinstance(node, Term):
        return False
    if isinstance(node, Not):
        return not excludes_only(node.child)
    return all(excludes_only(child) for child in node.children)


def for_index(node: Node, term: Callable[[Term], T], every: Callable[[list[T]], T],
              either: Callable[[list[T]], T], but_not: Callable[[T, T], T]) -> T:
    """``node`` in a text index's syntax (FTS5's, PostgreSQL's tsquery), built with its four forms: a term,
    all of parts, any of parts, and what matches one part but not another. The rules are the same for
    every index: of a node that ``excludes_only``, the expression of what it excludes (its parent says
    NOT), and an exclusion that is an alternative of OR is dropped ("a OR NOT b" would match nearly every
    caption, which no index can list)."""
    if isinstance(node, Term):
        return term(node)
    if isinstance(node, Not):
        return for_index(node.child, term, every, either, but_not)
    wanted = [for_index(child, term, every, either, but_not)
              for child in node.children if not excludes_only(child)]
    unwanted = [for_index(child, term, every, either, but_not)
                for child in node.children if excludes_only(child)]
    if isinstance(node, And):
        if not wanted:  # NOT a AND NOT b == NOT (a OR b)
            return either(unwanted)
        if not unwanted:
            return every(wanted)
        return but_not(every(wanted), either(unwanted))
    if not wanted:  # NOT a OR NOT b == NOT (a AND b)
        return every(unwanted)
    return either(wanted)


@dataclass(frozen=True)
class MeaningQuery:
    """A query as search by meaning reads it: the words to look for, and what to leave out."""

    text: str  # the wanted words and phrases, without operators ("" when the query only excludes)
    excluded: Node | None  # what the query excludes (-word, NOT word), to drop what matches it; or None
    exclusions_only: bool  # the query holds terms, all of them excluded


def for_meaning(text: str) -> MeaningQuery:
    """Split a query for search by meaning: an embedder would read ``-dog`` as "dog", so the excluded
    terms are taken out of the text embedded and returned apart, to drop what matches them."""
    node = parse(text)
    if node is None:
        return MeaningQuery("", None, False)
    parts = node.children if isinstance(node, And) else (node,)
    excluded = _combine(Or, [part.child for part in parts if isinstance(part, Not)])
    wanted = " ".join(term.text for part in parts for term in _wanted_terms(part))
    return MeaningQuery(wanted, None if excluded is None or excludes_only(excluded) else excluded,
                        excludes_only(node))


def _wanted_terms(node: Node | None) -> list[Term]:
    if isinstance(node, Not):
        return _wanted_terms(node.child.child) if isinstance(node.child, Not) else []
    if node is None:
        return []
    if isinstance(node, Term):
        return [node]
    return [term for child in node.children for term in _wanted_terms(child)]
