"""Tokens on every request (on localhost too) and the If-Match rule of every write.

``Authorization: Bearer TOKEN``: no token or an unknown one is 401, a read-only token on a write 403.
A write to a caption or a keyword must say which revision it is based on, ``If-Match: "ID.REVISION"``
(the ETag its GET returned): 428 without one, 412 when it is stale.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header

from desktop_app.api.context import ApiContext, context
from desktop_app.api.errors import ApiError
from desktop_app.services.tokens import TokenInfo

_BEARER = re.compile(r"Bearer\s+(\S+)\s*$", re.IGNORECASE)
_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)\.(\d+)"\s*$')
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def token(ctx: Annotated[ApiContext, Depends(context)],
          authorization: Annotated[str | None, Header()] = None) -> TokenInfo:
    """The request's token (a dependency of every endpoint but /docs and /openapi.json)."""
    if not authorization:
        raise ApiError(401, "unauthorized", "this endpoint needs a token: Authorization: Bearer TOKEN "
                       "(photo-annotator token create NAME)", headers=_CHALLENGE)
    match = _BEARER.match(authorization)
    found = ctx.tokens.verify(match.group(1)) if match else None
    if found is None:
        raise ApiError(401, "invalid_token", "unknown or revoked token", headers=_CHALLENGE)
    return found


def writer(found: Annotated[TokenInfo, Depends(token)]) -> TokenInfo:
    """The token of a request that changes the catalogue: 403 for a read-only one."""
    if found.read_only:
        raise ApiError(403, "read_only_token", f"token {found.name!r} is read-only: it cannot change the "
                       "catalogue")
    return found


def author(found: TokenInfo) -> str:
    """Who a write is attributed to in the history: the token's name."""
    return f"api:{found.name}"


def based_on(if_match: str | None) -> tuple[int | None, int]:
    """The (id, revision) an If-Match header names: 428 without one, 400 for one that is no ETag of
    ours (``"*"`` included: a write must say which revision it saw)."""
    if not if_match:
        raise ApiError(428, "precondition_required", 'this write needs If-Match: the ETag of what it is '
                       'based on (from its GET; "0.0" when there is none yet)')
    match = _ETAG.match(if_match)
    if match is None:
        raise ApiError(400, "bad_etag", f'If-Match {if_match!r} is not an ETag of this API ("ID.REVISION")')
    item_id, revision = int(match.group(1)), int(match.group(2))
    return (item_id or None), revision


Reader = Annotated[TokenInfo, Depends(token)]
Writer = Annotated[TokenInfo, Depends(writer)]
Context = Annotated[ApiContext, Depends(context)]
IfMatch = Annotated[str | None, Header(alias="If-Match")]
