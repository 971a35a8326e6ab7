"""Import benchmark: `photo-annotator import`'s service against a naive download loop, in one run.

Run from the repository root (no assertions: it measures and prints figures against the target)::

    .venv/bin/python -m tests.benchmarks.bench_import [--photos 100] [--megapixels 2]

A local HTTP server on 127.0.0.1 serves ``--photos`` distinct camera-sized JPEGs from memory (no network,
no disk on the server side).

(a) naive, per file: per address ``httpx.get``, the bytes written to a file, that file scanned (what a
    script calling `scan FILE` after each download does): no address or type checks, no XMP, no unique
    name, no atomic write.
(a') naive, in bulk: the same downloads, then one scan of the whole folder (no photo is in the catalogue
    until the end; shown for scale).
(b) import: ``services.importing.import_sources`` with ``allow_private``: per address the scheme and
    address checks, a pinned connection, the streamed size checks, Pillow's sniffing, dc:source written
    into the XMP (exiv2, in memory), the atomic no-overwrite save (fsync), and a scan of that one file.

Target: (b) takes at most 1.5x (a)'s time: the safety of an import costs less than half of what
downloading and scanning each photo cost.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.benchmarks.bench_scan import machine_description, print_table, verdict

TARGET_RATIO = 1.5


def make_photos(count: int, megapixels: float) -> list[bytes]:
    from PIL import Image

    side = int((megapixels * 1_000_000 / 1.5) ** 0.5)
    photos = []
    for number in range(count):
        image = Image.effect_noise((side * 3 // 2 // 4, side // 4), 40 + number % 50).convert("RGB")
        buffer = io.BytesIO()
        image.resize((side * 3 // 2, side)).save(buffer, "JPEG", quality=88)
        photos.append(buffer.getvalue())
    return photos


def serve(photos: list[bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = photos[int(self.path.strip("/").split(".")[0])]
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def naive(urls: list[str], folder: Path, db: Path, per_file: bool) -> float:
    import httpx

    from desktop_app.catalogue import open_catalogue
    from desktop_app.library.scanner import Scanner

    scanner = Scanner(open_catalogue(db))
    started = time.perf_counter()
    with httpx.Client() as client:
        for number, url in enumerate(urls):
            path = folder / f"{number}.jpg"
            path.write_bytes(client.get(url).content)
            if per_file:
                scanner.scan(path)
    if not per_file:
        scanner.scan(folder)
    return time.perf_counter() - started


def imported(urls: list[str], folder: Path, db: Path) -> float:
    from desktop_app.catalogue import open_catalogue
    from desktop_app.library.scanner import Scanner
    from desktop_app.library.web_fetch import FetchLimits
    from desktop_app.services.importing import import_sources

    catalogue = open_catalogue(db)
    scanner = Scanner(catalogue)
    started = time.perf_counter()
    results = import_sources(catalogue, urls, folder, FetchLimits(allow_private=True), scanner)
    seconds = time.perf_counter() - started
    failed = [item for item in results if not item.ok]
    assert not failed, failed[0]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--megapixels", type=float, default=2.0)
    args = parser.parse_args()
    photos = make_photos(args.photos, args.megapixels)
    server = serve(photos)
    urls = [f"http://127.0.0.1:{server.server_address[1]}/{number}.jpg" for number in range(args.photos)]
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        for name in ("a", "bulk", "b"):
            (root / name).mkdir()
        a = naive(urls, root / "a", root / "a.db", per_file=True)
        bulk = naive(urls, root / "bulk", root / "bulk.db", per_file=False)
        b = imported(urls, root / "b", root / "b.db")
    server.shutdown()
    for line in machine_description():
        print(line)
    size = sum(map(len, photos)) / len(photos) / 1024
    print(f"{args.photos} JPEGs of {args.megapixels:g} MP ({size:.0f} KB on average) from 127.0.0.1")
    ratio = b / a
    print_table([
        ("(a) naive: download, scan the file", f"{a * 1000 / args.photos:.1f} ms/photo", "", ""),
        ("(a') naive: downloads, one scan", f"{bulk * 1000 / args.photos:.1f} ms/photo", "", ""),
        ("(b) import service", f"{b * 1000 / args.photos:.1f} ms/photo", "", ""),
        ("(b)/(a)", f"{ratio:.2f}x", f"<= {TARGET_RATIO:g}x", verdict(ratio <= TARGET_RATIO)),
        ("(b)/(a')", f"{b / bulk:.2f}x", "", ""),
    ])


if __name__ == "__main__":
    main()
