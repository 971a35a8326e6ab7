"""`photo-annotator token`: the HTTP API's access tokens (`serve`): create one (its secret shown once,
only its SHA-256 kept), list them, revoke one."""

from __future__ import annotations

import click

from desktop_app.cli.common import author_option, db_option, echo, emit_json, json_option, open_db


@click.group()
def token() -> None:
    """Access tokens of the HTTP API (`photo-annotator serve`): every request sends one,
    Authorization: Bearer TOKEN."""


@token.command()
@click.argument("name")
@click.option("--read-only", is_flag=True,
              help="The token may read but not change anything (403 on a write).")
@author_option
@json_option
@db_option
def create(name: str, read_only: bool, author: str | None, as_json: bool, db: str | None) -> None:
    """Make a token called NAME (e.g. the collection system that uses it) and print its secret: shown
    this once, never again (only its hash is stored); revoke it and make another if it is lost.

    --json: one object with name, read_only and token (the secret)."""
    from desktop_app.services.tokens import TokenError, create_token

    try:
        made, secret = create_token(open_db(db), name, read_only=read_only, author=author)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json({"name": made.name, "read_only": made.read_only, "token": secret})
        return
    echo(f"token {made.name} ({'read-only' if made.read_only else 'read and write'}); its secret, shown "
         "only now:", err=True)
    click.echo(secret)  # alone on stdout: `photo-annotator token create x > secret.txt`


@token.command("list")
@json_option
@db_option
def list_(as_json: bool, db: str | None) -> None:
    """The tokens: name, read-only or not, who made it, when, and when it was last used (secrets are not
    stored, so never shown). --json: one object per line."""
    from desktop_app.services.tokens import list_tokens

    found = list_tokens(open_db(db))
    for each in found:
        if as_json:
            emit_json(each.to_json())
            continue
        used = f"last used {each.last_used_at:%Y-%m-%d %H:%M} UTC" if each.last_used_at else "never used"
        echo(f"{each.name}  {'read-only' if each.read_only else 'read-write'}  made "
             f"{each.created_at:%Y-%m-%d %H:%M} UTC" + (f" by {each.author}" if each.author else "")
             + f", {used}")
    if not found and not as_json:
        echo("no tokens (make one with `photo-annotator token create NAME`)")


@token.command()
@click.argument("name")
@db_option
def revoke(name: str, db: str | None) -> None:
    """Delete the token NAME: requests with it are refused (401) from now on."""
    from desktop_app.services.tokens import TokenError, revoke_token

    try:
        revoke_token(open_db(db), name)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    echo(f"token {name} revoked")
