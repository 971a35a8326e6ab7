"""Benchmark: decoding camera RAW files for thumbnails and captioners, against developing every mosaic.

Run from the repository root (no assertions: it measures and prints figures)::

    .venv/bin/python -m tests.benchmarks.bench_raw [--photos 6] [--size 6000x4000]
        [--preview-size 1620x1080] [--workdir DIR]

The files are DNGs written by tests/raw_fixtures.py at a 24 MP camera's size (16-bit RGGB mosaic,
grain so that the preview decodes like a photo's), each with a JPEG preview of ``--preview-size``
(1620x1080 is what Sony cameras embed; Canon and Nikon embed a full-size one), and the same files
without preview. They are written once in the work folder and reused.

Per photo, the median over the files (each decoded once per kind, the page cache warm):

    thumbnail        ``decode_file(path, 320)``: the app's path (LibRaw opens the file, the
                     embedded JPEG decoded at reduced DCT scale, resized, turned upright)
    caption input    ``decode_file(path, 768)``: what the generic captioner asks for (BLIP's 384 x 2)
    no preview       ``decode_file(path, 320)`` on the files without preview: the mosaic developed
                     at half size (LibRaw's cheap path), the app's fallback

Naive baseline, same process, same files: ``rawpy.imread(path).postprocess()`` (full size, LibRaw's
default AHD demosaic) and a Pillow resize to 320 px, what one would first write. Ratios compare medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-raw"


def _size(text: str) -> tuple[int, int]:
    width, height = (int(part) for part in text.lower().split("x"))
    return width, height


def _files(workdir: Path, photos: int, size: tuple[int, int], preview_size: tuple[int, int]) -> tuple[
        list[Path], list[Path]]:
    from tests import raw_fixtures

    folder = workdir / f"{size[0]}x{size[1]}-{preview_size[0]}x{preview_size[1]}"
    with_preview, without = [], []
    for index in range(photos):
        for preview, out in (("jpeg", with_preview), (None, without)):
            path = folder / f"{'preview' if preview else 'bare'}-{index:03}.dng"
            if not path.exists():
                partial = path.with_suffix(".tmp.dng")
                raw_fixtures.dng(partial, size=size, preview=preview, preview_size=preview_size, grain=0.05)
                os.replace(partial, path)
            out.append(path)
    return with_preview, without


def _timed(paths: list[Path], decode: Callable[[Path], object]) -> list[float]:
    seconds = []
    for path in paths:
        started = time.perf_counter()
        decode(path)
        seconds.append(time.perf_counter() - started)
    return seconds


def _ours(max_side: int) -> Callable[[Path], object]:
    from desktop_app.library.decoding import decode_file

    def decode(path: Path) -> object:
        image, error = decode_file(str(path), max_side)
        if error is not None:
            raise RuntimeError(f"{path}: {error}")
        return image

    return decode


def _naive(path: Path) -> object:
    import rawpy
    from PIL import Image

    with rawpy.imread(str(path)) as raw:
        image = Image.fromarray(raw.postprocess())
    image.thumbnail((320, 320), Image.Resampling.BICUBIC)
    return image


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=6, help="DNG files of each kind (default 6)")
    parser.add_argument("--size", type=_size, default=(6000, 4000), help="mosaic size (default 6000x4000)")
    parser.add_argument("--preview-size", type=_size, default=(1620, 1080),
                        help="embedded JPEG preview size (default 1620x1080)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    with_preview, without = _files(args.workdir, args.photos, args.size, args.preview_size)
    megabytes = with_preview[0].stat().st_size / 1e6
    print(f"{args.photos} + {args.photos} DNGs of {args.size[0]}x{args.size[1]} ({megabytes:.0f} MB each) "
          f"ready in {time.perf_counter() - started:.1f} s; CPUs: {os.cpu_count()}")
    _ours(320)(with_preview[0])  # rawpy imported and the files read once: page cache warm
    for path in with_preview + without:
        path.read_bytes()

    results = {
        "thumbnail (preview)": _timed(with_preview, _ours(320)),
        "caption input 768 (preview)": _timed(with_preview, _ours(768)),
        "thumbnail, no preview (half-size develop)": _timed(without, _ours(320)),
        "naive: full develop + resize": _timed(with_preview, _naive),
    }
    naive = statistics.median(results["naive: full develop + resize"])
    print(f"\nper photo, median of {args.photos}:")
    for name, seconds in results.items():
        median = statistics.median(seconds)
        print(f"  {name:44} {median * 1000:9.1f} ms   naive / this: {naive / median:6.1f}x")


if __name__ == "__main__":
    main()
