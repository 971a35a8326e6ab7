"""Access tokens of the HTTP API: made (the secret shown once), listed, revoked, and checked on every
request. Only a token's SHA-256 is stored (catalogue/tokens.py)."""

from __future__ import annotations

import threading
import time

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue import tokens as store
from desktop_app.catalogue.caption_rules import default_author
from desktop_app.catalogue.tokens import LAST_USED_EVERY, TokenError, TokenInfo

__all__ = ["TokenChecker", "TokenError", "TokenInfo", "create_token", "has_tokens", "list_tokens",
           "revoke_token"]


def create_token(catalogue: Catalogue, name: str, *, read_only: bool = False,
                 author: str | None = None) -> tuple[TokenInfo, str]:
    """A new token and its secret (shown to the person once: it cannot be read back)."""
    with catalogue.write() as session:
        return store.create_token(session, name, read_only=read_only, author=author or default_author())


def list_tokens(catalogue: Catalogue) -> list[TokenInfo]:
    with catalogue.read() as session:
        return store.list_tokens(session)


def revoke_token(catalogue: Catalogue, name: str) -> None:
    """Delete the token ``name`` (TokenError when there is none): requests with it get 401 at once."""
    with catalogue.write() as session:
        store.revoke_token(session, name)


def has_tokens(catalogue: Catalogue) -> bool:
    with catalogue.read() as session:
        return store.has_tokens(session)


class TokenChecker:
    """Checks a request's secret against the catalogue (a revoked token fails on its next request) and
    records when each token was last used, at most once a minute per token and process: a read with a
    token stays a read. Safe to call from the server's threads."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._lock = threading.Lock()
        self._marked: dict[int, float] = {}  # token id -> time.monotonic() of its last recorded use

    def verify(self, secret: str) -> TokenInfo | None:
        with self.catalogue.read() as session:
            token = store.find_token(session, secret)
        if token is not None and not self.catalogue.read_only and self._due(token.id):
            with self.catalogue.write() as session:
                store.mark_used(session, token.id)
        return token

    def _due(self, token_id: int) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._marked.get(token_id)
            if last is not None and now - last < LAST_USED_EVERY.total_seconds():
                return False
            self._marked[token_id] = now
            return True
