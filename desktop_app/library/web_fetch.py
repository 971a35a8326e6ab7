"""Fetching one image from a web address, for importing it into a library: nothing but an image the app
reads, within a size and a time, from a server the user may reach.

- Only http and https; anything else (file:, ftp:, data:...) is refused, and so is a redirect to it.
  Redirects are followed here, one at a time up to MAX_REDIRECTS, each hop checked like the first.
- The host's addresses are looked up here and each is checked: loopback, private, link-local, shared
  (CGNAT), unspecified, multicast and reserved addresses (IPv4-mapped IPv6 ones too) are refused unless
  ``allow_private`` (an intranet collection system). The connection then goes to the address that was
  checked (the host name kept for the Host header and TLS: SNI and the certificate check), so a second
  DNS answer cannot send it elsewhere (DNS rebinding). No proxy from the environment is used, for the
  same reason.
- The size is checked against Content-Length and again while the body streams; connecting and each
  read have a time-out, the whole download a deadline.
- The content type must name an image type the app reads, and the bytes must then really be one
  (Pillow identifies them); else one clear line.
Every failure is a FetchError whose message is one line saying why.
"""

from __future__ import annotations

import contextlib
import functools
import io
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from desktop_app.errors import one_line

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_TIMEOUT_S = 30.0
DEADLINE_FACTOR = 10  # the whole download may take this many time-outs
USER_AGENT = "PhotoAnnotator-import/1"
# Content types of the image formats the app reads.
IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/tiff", "image/webp",
                         "image/gif", "image/bmp", "image/x-ms-bmp", "image/heic", "image/heif",
                         "image/avif"})
ALLOW_HINT = "use --allow-private, or the import setting, for a server on your own network"


class FetchError(Exception):
    """The address cannot be imported; the message is one line saying why."""


@dataclass(frozen=True)
class FetchLimits:
    """What a fetch may do: its size, time-out (connecting and between reads), deadline (the whole
    download) and whether private and loopback addresses may be reached."""

    max_bytes: int = DEFAULT_MAX_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S
    deadline_s: float = DEFAULT_TIMEOUT_S * DEADLINE_FACTOR
    allow_private: bool = False
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def of(cls, max_mb: float, timeout_s: float, allow_private: bool) -> FetchLimits:
        return cls(max_bytes=int(max_mb * 1024 * 1024), timeout_s=timeout_s,
                   deadline_s=timeout_s * DEADLINE_FACTOR, allow_private=allow_private)


@dataclass(frozen=True)
class Fetched:
    """An image fetched: its bytes, their Pillow format, the address it came from at last (after
    redirects) and the file name the server gave (Content-Disposition), if any."""

    url: str
    final_url: str
    data: bytes
    format: str
    content_type: str
    disposition_name: str | None = None


def check_scheme(url: str, redirected: bool = False) -> tuple[str, str, int]:
    """The host, scheme and port of ``url``; FetchError when it is not an http(s) address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a valid web address ({one_line(exc)})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"{scheme}: addresses" if scheme else "addresses without http:// or https://"
        if redirected:
            raise FetchError(f"redirected to a {scheme or 'relative'}: address: refused "
                             "(only http and https)")
        raise FetchError(f"only http and https addresses can be imported, not {what}")
    if not parts.hostname:
        raise FetchError("not a valid web address (no host name)")
    return parts.hostname, scheme, port or (443 if scheme == "https" else 80)


def refused_reason(address: str) -> str | None:
    """Why ``address`` (an IP address) may not be reached without ``allow_private``, or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, name in (("is_loopback", "loopback"), ("is_unspecified", "unspecified"),
                       ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                       ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(ip, test):
            return name
    if not ip.is_global:  # shared address space (100.64.0.0/10) and the like
        return "non-public"
    return None


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses ``host`` has, each checked; FetchError when the lookup fails or any is refused
    (a name with one private address among public ones is refused: the connection could go there)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot find the host {host} (DNS lookup failed: {one_line(exc)})") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            kind = refused_reason(address)
            if kind:
                shown = host if host == address else f"{host} ({address})"
                article = "an" if kind[0] in "aeiou" else "a"
                raise FetchError(f"{shown} is {article} {kind} address: refused ({ALLOW_HINT})")
    if not addresses:
        raise FetchError(f"cannot find the host {host} (no address)")
    return addresses


def session(limits: FetchLimits) -> Any:
    """An HTTP client for ``limits``' fetches (a context manager). It uses no proxy, follows no redirect
    and keeps no connection open: connections go to checked addresses, and one kept open for a host
    (its TLS checked for that name) must not carry another host's request to the same address."""
    import httpx

    timeout = httpx.Timeout(limits.timeout_s, connect=limits.timeout_s)
    return httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls(),
                        limits=httpx.Limits(max_keepalive_connections=0))


@dataclass(frozen=True)
class _Until:
    """When a fetch must end: its deadline, or ``stop`` set (the app closing)."""

    deadline: float
    limit_s: float
    stop: threading.Event | None = None

    def check(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise FetchError("stopped")
        if time.monotonic() > self.deadline:
            raise FetchError(f"timed out: the download took longer than {self.limit_s:g} s")


def fetch_image(url: str, limits: FetchLimits | None = None, client: Any = None,
                stop: threading.Event | None = None) -> Fetched:
    """Fetch the image at ``url`` within ``limits`` (through ``client``, a ``session(limits)``; default:
    one of its own); FetchError (one line) for anything else. Setting ``stop`` ends the download at its
    next chunk (within a read time-out)."""
    limits = limits or FetchLimits()
    deadline = _Until(time.monotonic() + limits.deadline_s, limits.deadline_s, stop)
    current = url.strip()
    with contextlib.nullcontext(client) if client is not None else session(limits) as client:
        for hop in range(limits.max_redirects + 1):
            deadline.check()
            host, scheme, port = check_scheme(current, redirected=hop > 0)
            addresses = resolve(host, port, limits.allow_private)
            location = _get(client, current, host, scheme, port, addresses, limits, deadline)
            if isinstance(location, Fetched):
                return Fetched(url, current, location.data, location.format, location.content_type,
                               location.disposition_name)
            current = urljoin(current, location)
    raise FetchError(f"too many redirects (more than {limits.max_redirects})")


def _get(client: Any, url: str, host: str, scheme: str, port: int, addresses: list[str],
         limits: FetchLimits, deadline: _Until) -> Fetched | str:
    """One request, to the first of ``addresses`` that answers: the image, or where it redirects."""
    import httpx

    last: Exception | None = None
    for address in addresses:
        try:
            return _request(client, url, host, scheme, port, address, limits, deadline)
        except httpx.ConnectTimeout:
            last = FetchError(f"timed out connecting to {host} (after {limits.timeout_s:g} s)")
        except httpx.ConnectError as exc:
            last = FetchError(f"cannot connect to {host}: {one_line(exc) or 'connection refused'}")
        except httpx.TimeoutException:
            raise FetchError(f"timed out: {host} sent nothing for {limits.timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            reason = one_line(exc) or type(exc).__name__
            raise FetchError(f"the download from {host} failed: {reason}") from None
    raise last or FetchError(f"cannot connect to {host}")


def _request(client: Any, url: str, host: str, scheme: str, port: int, address: str,
             limits: FetchLimits, deadline: _Until) -> Fetched | str:
    parts = urlsplit(url)
    literal = address.replace("%", "%25")  # an IPv6 zone ("fe80::1%eth0") is written %25 in a URL
    pinned = parts._replace(netloc=f"[{literal}]:{port}" if ":" in address else f"{address}:{port}")
    default_port = port == (443 if scheme == "https" else 80)
    headers = {"Host": host if default_port else f"{host}:{port}", "User-Agent": USER_AGENT,
               "Accept": "image/*"}
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    with client.stream("GET", pinned.geturl(), headers=headers, extensions=extensions) as response:
        if response.is_redirect:
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {response.status_code} redirect without a Location")
            return location
        if not 200 <= response.status_code < 300:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
        content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type not in IMAGE_TYPES:
            raise FetchError(f"not an image: the server sent {content_type or 'no content type'}")
        length = response.headers.get("content-length")
        if length and length.isdigit() and int(length) > limits.max_bytes:
            raise FetchError(f"too large: {_mb(int(length))}, more than the limit of {_mb(limits.max_bytes)}")
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limits.max_bytes:
                raise FetchError(f"too large: more than the limit of {_mb(limits.max_bytes)}")
            deadline.check()
        disposition = _disposition_name(response.headers.get("content-disposition"))
    fmt = sniff(bytes(body), content_type)
    return Fetched(url, url, bytes(body), fmt, content_type, disposition)


def sniff(data: bytes, content_type: str) -> str:
    """The Pillow format of ``data``, which its content type said is an image; FetchError when the bytes
    are none the app reads."""
    from PIL import Image

    from desktop_app.library.images import ACCEPTED_FORMATS

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            image.verify()
    except Exception:
        head = data[:64].lstrip().lower()
        what = "an HTML page" if head.startswith((b"<!doctype html", b"<html")) else "no image the app reads"
        raise FetchError(f"not an image: the server said {content_type}, but sent {what}") from None
    # A real image of another kind than its type says (a JPEG sent as image/png) is common and harmless:
    # it is saved under the extension of what it is.
    if fmt not in ACCEPTED_FORMATS:
        raise FetchError(f"not an image the app reads: {fmt}")
    return fmt


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS settings of every fetch (httpx's own: certifi's certificates), made once: making them
    reads the certificate bundle, tens of milliseconds per address otherwise."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _disposition_name(value: str | None) -> str | None:
    """The file name of a Content-Disposition header (RFC 6266, filename* first), or None."""
    if not value:
        return None
    message = Message()
    message["content-disposition"] = value
    name = message.get_filename()
    return unquote(name) if name else None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
