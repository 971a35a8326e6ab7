"""Access tokens of the HTTP API (api/): a name, whether it may only read, and the SHA-256 of the secret;
the secret itself is shown once, when the token is made, and never stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, String, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from desktop_app.catalogue.models import Base, UTCDateTime, utcnow


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the secret
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str | None] = mapped_column(String(255))  # who made it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


LAST_USED_EVERY = timedelta(seconds=60)  # last_used_at is written at most this often per token


class TokenError(Exception):
    """A token that cannot be made or found; one line says why."""


@dataclass(frozen=True)
class TokenInfo:
    """A token as plain values (never its secret, which is not stored)."""

    id: int
    name: str
    read_only: bool
    author: str | None
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenInfo:
        return cls(token.id, token.name, token.read_only, token.author, token.created_at, token.last_used_at)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "read_only": self.read_only, "author": self.author,
                "created_at": self.created_at.isoformat(),
                "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, *, read_only: bool = False,
                 author: str | None = None) -> tuple[TokenInfo, str]:
    """A new token named ``name`` and its secret: returned here once, only its hash is stored."""
    name = name.strip()
    if not name:
        raise TokenError("a token needs a name")
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenError(f"a token named {name!r} exists already (revoke it first, or choose another name)")
    secret = secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=hash_secret(secret), read_only=read_only, author=author)
    session.add(token)
    session.flush()
    return TokenInfo.of(token), secret


def list_tokens(session: Session) -> list[TokenInfo]:
    return [TokenInfo.of(token) for token in session.scalars(select(ApiToken).order_by(ApiToken.name))]


def revoke_token(session: Session, name: str) -> None:
    token = session.scalar(select(ApiToken).where(ApiToken.name == name))
    if token is None:
        raise TokenError(f"no token named {name!r}")
    session.delete(token)


def has_tokens(session: Session) -> bool:
    return session.scalar(select(ApiToken.id).limit(1)) is not None


def find_token(session: Session, secret: str) -> TokenInfo | None:
    """The token whose secret is ``secret``, or None. The lookup is by the secret's SHA-256 (an index),
    so no comparison of secrets leaks how much of one matched; the stored hash is compared again in
    constant time all the same."""
    digest = hash_secret(secret)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return TokenInfo.of(token)


def mark_used(session: Session, token_id: int, now: datetime | None = None) -> None:
    """Record the token's use, unless it was recorded less than LAST_USED_EVERY ago (a write per request
    would make every read a write)."""
    now = now or utcnow()
    session.execute(update(ApiToken).where(
        ApiToken.id == token_id,
        or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_EVERY))
        .values(last_used_at=now))
