"""`photo-annotator serve`: the local HTTP API (FastAPI on uvicorn, the [server] extra) on a catalogue,
beside the app and other processes using it."""

from __future__ import annotations

import ipaddress
import socket

import click

from desktop_app.cli.common import db_option, echo, open_db

INSTALL_HINT = ('the HTTP API needs its extra packages (FastAPI, uvicorn): '
                'pip install "photo-annotator[server]"')


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but this machine's loopback serves the network "
                   "(put it behind TLS).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The port (0: any free one, printed).")
@db_option
def serve(host: str, port: int, db: str | None) -> None:
    """Serve the HTTP API on the catalogue until Ctrl+C: photos, search, captions and their review
    (If-Match required on every write), keywords, jobs, image bytes, thumbnails, exports. Docs at
    http://HOST:PORT/docs, the OpenAPI schema at /openapi.json.

    Every other request needs a token (`photo-annotator token create NAME`): Authorization: Bearer
    TOKEN. Jobs queued through it run in the app or a `photo-annotator worker`."""
    try:
        import fastapi  # noqa: F401  (the [server] extra, checked before anything else)
        import swagger_ui_bundle  # noqa: F401
        import uvicorn
    except ImportError:
        raise click.ClickException(INSTALL_HINT) from None
    catalogue = open_db(db)
    listener = _listen(host, port)
    bound_host, bound_port = listener.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if not _is_loopback(bound_host):
        echo(f"photo-annotator: warning: serving beyond this machine on {shown}:{bound_port}: tokens and "
             "captions travel in clear text; put it behind TLS (a reverse proxy)", err=True)
    from desktop_app.services.tokens import has_tokens

    if not has_tokens(catalogue):
        echo("photo-annotator: note: no API token yet: every request will be refused (401); make one with "
             "`photo-annotator token create NAME`", err=True)
    echo(f"serving the HTTP API on http://{shown}:{bound_port} (docs: /docs); Ctrl+C stops", err=True)
    from desktop_app.api.app import create_app

    config = uvicorn.Config(create_app(catalogue), log_level="warning", access_log=False)
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
        catalogue.close()


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``; one line, exit 1, for a host that is no address of this
    machine or a port in use."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.args[-1] if exc.args else exc
        raise click.ClickException(f"cannot listen on {host!r}: {reason}") from None
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as exc:
        listener.close()
        reason = "in use" if exc.errno in (98, 48, 10048) else (exc.strerror or str(exc))
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None
    listener.set_inheritable(True)
    return listener


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False
