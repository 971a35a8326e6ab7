"""Scan benchmark: first scan, rescan, thumbnail cost and peak memory on a synthetic photo library.

Run from the repository root (no assertions: it measures and prints figures against targets)::

    .venv/bin/python -m tests.benchmarks.bench_scan [--photos N] [--workdir DIR] [--workers N]
    .venv/bin/python tests/benchmarks/bench_scan.py ...

The library holds N distinct JPEG photos made from the real photos in resources/sample-library:
each is mirrored, rotated a few degrees, cropped, colour-shifted and resized to its planned size,
given sensor-like grain (so its file size and decode cost are a camera JPEG's, not a smooth
upscale's) and a per-file mark, then saved at quality 92 with EXIF (date taken and camera on all,
GPS on ~30%, orientation 1 on ~55%, 3/6/8 on ~25%, no tag on ~20%). Size mix, by file index:

    60%  0.3-2 MP   random size, 4:3 / 3:2 / 16:9 / 1:1   (~0.3 MB per file)
    30%  5 MP       2592x1944                             (~1.3 MB)
    10%  12 MP      4000x3000                             (~3 MB)
    a quarter of each class is portrait.

The library is built once in the work folder and reused by later runs; a run with another
--photos adds or removes files (file i is the same photo whatever N is).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import PIL
from PIL import ExifTags, Image, ImageChops, ImageDraw, features

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO_ROOT / "resources" / "sample-library"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench"
DEFAULT_PHOTOS = 10_000
# Bump when the generated photos change, so an old library is rebuilt rather than reused.
GENERATOR_VERSION = 1

JPEG_QUALITY = 92  # what cameras and phones write (90-95)
GRAIN_SIGMA = 6.0  # gives 12 MP files of ~3 MB, like a phone's; without grain they would be ~0.5 MB
NOISE_SIDE = 4096  # one grain field per worker, cropped at a per-file offset (covers 4000x3000 both ways)
MAX_ANGLE = 6.0  # degrees

SMALL, MEDIUM, LARGE = "0.3-2 MP", "5 MP", "12 MP"
CLASS_SHARES = {SMALL: 0.6, MEDIUM: 0.3, LARGE: 0.1}
CAMERAS = (
    ("Canon", "EOS R5"), ("NIKON CORPORATION", "NIKON Z 6_2"), ("SONY", "ILCE-7M3"),
    ("Apple", "iPhone 13"), ("samsung", "SM-G991B"), ("FUJIFILM", "X-T4"), ("Google", "Pixel 7"),
)
FIRST_DATE = datetime(2012, 1, 1)
DATE_SPAN_S = 12 * 365 * 86_400

# Targets, stated for the default 10,000 photos.
RESCAN_TARGET_S = 1.0
THUMBNAIL_RATIO_TARGET = 2.5
PEAK_RSS_TARGET_MB = 300.0

THUMBNAIL_SAMPLE = 200
LARGE_SAMPLE = 50
QUIET_CPUS = 0.3  # other processes' CPU use above which the machine counts as busy
TIMING_REPEATS = 3  # each file is timed this many times and its fastest run kept: less scheduler noise


# --- the synthetic library ---------------------------------------------------------------------

@dataclass(frozen=True)
class PhotoPlan:
    """Everything that makes photo ``index`` what it is, drawn from a seed of its own."""

    index: int
    rel_path: str
    size_class: str
    width: int
    height: int
    source: int
    mirror: bool
    angle: float
    crop_scale: float
    crop_x: float
    crop_y: float
    gains: tuple[float, float, float]
    noise_x: int
    noise_y: int
    date: datetime
    camera: tuple[str, str]
    orientation: int | None
    gps: tuple[float, float] | None


def plan_photo(index: int, sources: int) -> PhotoPlan:
    # A string seed is hashed with SHA-512, so photo i is the same in every run and for every N.
    rng = random.Random(f"bench-photo-{index}")
    slot = index % 10  # by index, so every prefix of the library (--photos N) has the same mix
    if slot == 0:
        size_class, width, height = LARGE, 4000, 3000
    elif slot <= 3:
        size_class, width, height = MEDIUM, 2592, 1944
    else:
        size_class = SMALL
        pixels = rng.uniform(0.3e6, 2.0e6)
        aspect = rng.choice((4 / 3, 3 / 2, 16 / 9, 1.0))
        width = round(math.sqrt(pixels * aspect))
        height = round(width / aspect)
    if rng.random() < 0.25:
        width, height = height, width
    date = FIRST_DATE + timedelta(seconds=rng.randrange(DATE_SPAN_S))
    roll = rng.random()
    orientation = None if roll < 0.2 else 1 if roll < 0.75 else rng.choice((3, 6, 8))
    gps = (rng.uniform(-60, 70), rng.uniform(-180, 180)) if rng.random() < 0.3 else None
    return PhotoPlan(
        index=index,
        rel_path=f"{date:%Y}/{date:%Y-%m}/IMG_{index:06d}.jpg",
        size_class=size_class,
        width=width,
        height=height,
        source=rng.randrange(sources),
        mirror=rng.random() < 0.5,
        angle=rng.uniform(-MAX_ANGLE, MAX_ANGLE),
        crop_scale=rng.uniform(0.55, 1.0),
        crop_x=rng.random(),
        crop_y=rng.random(),
        gains=(rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2)),
        noise_x=rng.randrange(NOISE_SIDE - width + 1),
        noise_y=rng.randrange(NOISE_SIDE - height + 1),
        date=date,
        camera=rng.choice(CAMERAS),
        orientation=orientation,
        gps=gps,
    )


def source_paths() -> list[Path]:
    paths = sorted(p for p in SOURCE_DIR.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    if not paths:
        raise SystemExit(f"no source photos in {SOURCE_DIR}")
    return paths


_sources: list[Image.Image] = []
_grain: Image.Image | None = None


def _init_generator(paths: list[Path]) -> None:
    global _grain
    _sources[:] = [Image.open(path).convert("RGB") for path in paths]
    # Zero-mean grain around 128, one field per channel: chroma noise too, as a sensor has.
    _grain = Image.merge("RGB", [Image.effect_noise((NOISE_SIDE, NOISE_SIDE), GRAIN_SIGMA) for _ in "RGB"])


def render(plan: PhotoPlan) -> Image.Image:
    source = _sources[plan.source]
    if plan.mirror:
        source = source.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    lut = [min(255, round(v * gain)) for gain in plan.gains for v in range(256)]
    source = source.point(lut).rotate(plan.angle, Image.Resampling.BICUBIC)
    # Rotation leaves black corners; a point moves at most angle * radius, so stay that far inside.
    sw, sh = source.size
    margin = math.radians(abs(plan.angle)) * math.hypot(sw, sh) / 2 + 2
    room_w, room_h = sw - 2 * margin, sh - 2 * margin
    aspect = plan.width / plan.height
    crop_w = min(room_w, room_h * aspect) * plan.crop_scale
    crop_h = crop_w / aspect
    left = margin + (room_w - crop_w) * plan.crop_x
    top = margin + (room_h - crop_h) * plan.crop_y
    image = source.resize(
        (plan.width, plan.height), Image.Resampling.BICUBIC, box=(left, top, left + crop_w, top + crop_h)
    )
    assert _grain is not None
    grain = _grain.crop((plan.noise_x, plan.noise_y, plan.noise_x + plan.width, plan.noise_y + plan.height))
    image = ImageChops.add(image, grain, 1.0, -128)
    font_size = max(12, plan.height // 25)
    ImageDraw.Draw(image).text(
        (plan.width - font_size // 2, plan.height - font_size // 2), f"#{plan.index:06d}",
        fill=(255, 255, 255), anchor="rb", font_size=font_size, stroke_width=max(1, font_size // 12),
        stroke_fill=(0, 0, 0),
    )
    return image


def exif_for(plan: PhotoPlan) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = plan.camera
    exif[ExifTags.Base.Software] = "bench_scan"
    exif[ExifTags.Base.DateTime] = f"{plan.date:%Y:%m:%d %H:%M:%S}"
    if plan.orientation is not None:
        exif[ExifTags.Base.Orientation] = plan.orientation
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = f"{plan.date:%Y:%m:%d %H:%M:%S}"
    exif_ifd[ExifTags.Base.ExifImageWidth] = plan.width
    exif_ifd[ExifTags.Base.ExifImageHeight] = plan.height
    if plan.gps is not None:
        latitude, longitude = plan.gps
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if latitude >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = _dms(abs(latitude))
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if longitude >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = _dms(abs(longitude))
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees, rest = divmod(value, 1.0)
    minutes, rest = divmod(rest * 60, 1.0)
    return (float(degrees), float(minutes), round(rest * 60, 4))


def _generate(job: tuple[Path, PhotoPlan]) -> int:
    root, plan = job
    target = root / plan.rel_path
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: an interrupted build leaves only a hidden temp file (which the scanner
    # skips and the next build removes), never a truncated photo that would count as done.
    temp = target.with_name(f".{target.name}.tmp")
    render(plan).save(temp, "JPEG", quality=JPEG_QUALITY, exif=exif_for(plan))
    os.replace(temp, target)
    return target.stat().st_size


@dataclass
class Library:
    root: Path
    plans: list[PhotoPlan]
    total_bytes: int
    generated: int
    seconds: float
    built_seconds: float  # all generation that built the library as it is now, across runs


def build_library(workdir: Path, photos: int, processes: int) -> Library:
    started = time.perf_counter()
    root = workdir / "library"
    manifest_path = workdir / "library.json"
    paths = source_paths()
    plans = [plan_photo(i, len(paths)) for i in range(photos)]
    manifest: dict[str, Any] = {}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
    elif root.exists() and any(root.iterdir()):
        raise SystemExit(f"{root} exists but was not made by this benchmark; choose another --workdir")
    if manifest.get("version") != GENERATOR_VERSION:
        shutil.rmtree(root, ignore_errors=True)
        manifest = {"version": GENERATOR_VERSION, "seconds": 0.0}
    root.mkdir(parents=True, exist_ok=True)

    expected = {str(root / plan.rel_path) for plan in plans}
    for folder, _dirs, files in os.walk(root):  # photos of a larger earlier N, interrupted writes
        for name in files:
            path = os.path.join(folder, name)
            if path not in expected:
                os.unlink(path)
    missing = [plan for plan in plans if not os.path.isfile(root / plan.rel_path)]
    manifest["photos"] = None  # until the build completes
    manifest_path.write_text(json.dumps(manifest))

    if missing:
        print(f"generating {len(missing):,} photos with {processes} processes "
              f"({photos - len(missing):,} already there) ...", flush=True)
        step = max(1, len(missing) // 20)
        with mp.get_context("fork").Pool(processes, _init_generator, (paths,)) as pool:
            jobs = ((root, plan) for plan in missing)
            for done, _size in enumerate(pool.imap_unordered(_generate, jobs, chunksize=4), 1):
                if done % step == 0 or done == len(missing):
                    elapsed = time.perf_counter() - started
                    eta = elapsed / done * (len(missing) - done)
                    print(f"  {done:>6,}/{len(missing):,}  {done / elapsed:6.1f} photos/s  "
                          f"ETA {eta:5.0f} s", flush=True)
    seconds = time.perf_counter() - started
    manifest["seconds"] = manifest.get("seconds", 0.0) + (seconds if missing else 0.0)
    manifest["photos"] = photos
    manifest_path.write_text(json.dumps(manifest))
    total = sum((root / plan.rel_path).stat().st_size for plan in plans)
    return Library(root, plans, total, len(missing), seconds, manifest["seconds"])


# --- measurements in fresh processes -------------------------------------------------------------

def _proc_status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def machine_busy_seconds() -> float:
    """CPU seconds spent by every process on the machine since boot (all CPUs), from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class OtherLoad:
    """How many CPUs other processes kept busy while we measured: the machine may be shared."""

    def __enter__(self) -> OtherLoad:
        self.started = time.perf_counter()
        self.busy, self.own = machine_busy_seconds(), own_cpu_seconds()
        return self

    def __exit__(self, *_exc: object) -> None:
        wall = time.perf_counter() - self.started
        others = machine_busy_seconds() - self.busy - (own_cpu_seconds() - self.own)
        self.cpus = max(0.0, others / wall) if wall > 0 else 0.0


def wait_for_quiet(max_wait_s: float = 300.0, busy_limit: float = QUIET_CPUS) -> str:
    """Wait (a while) until other processes use under ``busy_limit`` CPUs; say what we found."""
    deadline = time.perf_counter() + max_wait_s
    warned = False
    while True:
        with OtherLoad() as load:
            time.sleep(2.0)
        if load.cpus < busy_limit:
            return f"quiet ({load.cpus:.2f} CPUs used by other processes)"
        if time.perf_counter() > deadline:
            return f"still busy after {max_wait_s:.0f} s ({load.cpus:.2f} CPUs used by other processes)"
        if not warned:
            print(f"  other processes are using {load.cpus:.2f} CPUs; waiting up to {max_wait_s:.0f} s "
                  "for the machine to go quiet ...", flush=True)
            warned = True


def _import_child() -> dict[str, int]:
    import desktop_app.catalogue.database
    import desktop_app.library.scanner
    import desktop_app.library.thumbnails  # noqa: F401

    return {"hwm_kb": _proc_status_kb("VmHWM"), "rss_kb": _proc_status_kb("VmRSS")}


def _scan_child(library: str, catalogue_path: str, thumbnails: str, workers: int | None,
                scans: int, show_progress: bool) -> dict[str, Any]:
    """Open the catalogue and scan ``scans`` times; the peak RSS is read right after the first scan."""
    from sqlalchemy import func, select

    from desktop_app.catalogue.database import open_catalogue
    from desktop_app.catalogue.models import Photo, PhotoStatus
    from desktop_app.library.scanner import Scanner
    from desktop_app.library.thumbnails import ThumbnailCache

    def progress(done: int, total: int) -> None:
        if done % max(1, total // 10) == 0 or done == total:
            elapsed = time.perf_counter() - started
            print(f"  scanned {done:>6,}/{total:,}  {done / elapsed:6.1f} photos/s", flush=True)

    result: dict[str, Any] = {"scans": []}
    with open_catalogue(catalogue_path) as catalogue:
        scanner = Scanner(catalogue, ThumbnailCache(Path(thumbnails)), workers)
        result["workers"] = scanner.workers
        for number in range(scans):
            cpu = own_cpu_seconds()
            started = time.perf_counter()
            with OtherLoad() as load:
                report = scanner.scan(library, progress=progress if show_progress and number == 0 else None)
            wall = time.perf_counter() - started
            result["scans"].append({
                "wall_s": wall, "report_s": report.seconds, "found": report.found, "new": report.new,
                "updated": report.updated, "unchanged": report.unchanged, "errors": report.errors[:5],
                "error_count": len(report.errors), "missing": report.missing,
                "cpu_s": own_cpu_seconds() - cpu, "other_cpus": load.cpus,
            })
            if number == 0:
                result["hwm_kb"] = _proc_status_kb("VmHWM")
        with catalogue.read() as session:
            def count(*where: Any) -> int:
                return session.scalar(select(func.count(Photo.id)).where(*where)) or 0

            result["catalogue"] = {
                "ok": count(Photo.status == PhotoStatus.OK),
                "dated": count(Photo.date_taken.is_not(None)),
                "camera": count(Photo.camera_make.is_not(None)),
                "gps": count(Photo.gps_latitude.is_not(None)),
                "rotated": count(Photo.orientation.in_((3, 6, 8))),
                "distinct_hashes": session.scalar(select(func.count(func.distinct(Photo.content_hash)))),
            }
    return result


def in_fresh_process(function: Callable[..., T], *args: Any) -> T:
    # Spawned, not forked: the child starts from an empty interpreter, so its peak RSS is the
    # scan's own, not the parent's generation state copied into it.
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# --- thumbnail cost: ours vs naive Pillow ---------------------------------------------------------

@dataclass
class ThumbnailTimes:
    label: str
    files: int
    ours_ms: list[float]
    naive_ms: list[float]

    @property
    def ratio_mean(self) -> float:
        return statistics.fmean(self.naive_ms) / statistics.fmean(self.ours_ms)

    @property
    def ratio_median(self) -> float:
        return statistics.median(self.naive_ms) / statistics.median(self.ours_ms)


def spread(items: Sequence[T], count: int) -> list[T]:
    """``count`` items evenly spaced through ``items`` (all of them if there are fewer)."""
    count = min(count, len(items))
    return [items[i * len(items) // count] for i in range(count)]


def time_thumbnails(label: str, paths: list[Path], scratch: Path) -> ThumbnailTimes:
    from desktop_app.library.images import open_image
    from desktop_app.library.thumbnails import JPEG_QUALITY as THUMB_QUALITY
    from desktop_app.library.thumbnails import THUMBNAIL_SIZE, ThumbnailCache

    cache = ThumbnailCache(scratch / "ours")
    naive_dir = scratch / "naive"
    naive_dir.mkdir(parents=True, exist_ok=True)

    def ours(key: int, path: Path) -> None:  # what the scanner runs per photo, less hashing and EXIF
        with open(path, "rb") as fp:
            cache.make(f"{key:032x}", open_image(fp))

    def naive(key: int, path: Path) -> None:  # the obvious Pillow code: full decode, then shrink
        image = Image.open(path).convert("RGB")
        image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        image.save(naive_dir / f"{key}.jpg", "JPEG", quality=THUMB_QUALITY)

    for path in paths[:2]:  # warm up: plugin loading, first allocations
        ours(0, path)
        naive(0, path)
    ours_ms: list[float] = []
    naive_ms: list[float] = []
    for key, path in enumerate(paths):
        path.read_bytes()  # both read from the page cache, whichever goes first
        best = {ours: math.inf, naive: math.inf}
        for repeat in range(TIMING_REPEATS):
            order = (ours, naive) if (key + repeat) % 2 == 0 else (naive, ours)
            for function in order:
                started = time.perf_counter()
                function(key, path)
                best[function] = min(best[function], time.perf_counter() - started)
        ours_ms.append(best[ours] * 1000)
        naive_ms.append(best[naive] * 1000)
    return ThumbnailTimes(label, len(paths), ours_ms, naive_ms)


# --- report ---------------------------------------------------------------------------------------

def machine_description() -> list[str]:
    model = "unknown"
    memory = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
                         model)
        with open("/proc/meminfo") as meminfo:
            kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
            memory = f", {kb / 1024**2:.1f} GiB RAM"
    except (OSError, StopIteration):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"CPU: {model}, {os.cpu_count()} CPUs ({usable} usable){memory}",
        f"Python {platform.python_version()}, Pillow {PIL.__version__} "
        f"(libjpeg-turbo: {features.check_feature('libjpeg_turbo')}), SQLite {sqlite3.sqlite_version}, "
        f"{platform.system()} {platform.release()}",
    ]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    headers = ("measure", "value", "target", "result")
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(line)


def describe_times(times: ThumbnailTimes) -> None:
    print(f"  {times.label} ({times.files} files, single-threaded, fastest of {TIMING_REPEATS} per file):")
    for name, values in (("ours ", times.ours_ms), ("naive", times.naive_ms)):
        median, mean = statistics.median(values), statistics.fmean(values)
        print(f"    {name}  median {median:7.2f} ms   mean {mean:7.2f} ms")
    print(f"    naive/ours  {times.ratio_mean:.2f}x on the mean, {times.ratio_median:.2f}x on the median")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=DEFAULT_PHOTOS, help="library size (default 10000)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where the library and scan outputs go (default {DEFAULT_WORKDIR})")
    parser.add_argument("--workers", type=int, default=None,
                        help="scanner worker threads (default: the scanner's own, one per CPU)")
    args = parser.parse_args(argv)
    if args.photos < 1:
        parser.error("--photos must be at least 1")
    workdir: Path = args.workdir.expanduser().resolve()
    processes = os.cpu_count() or 2

    print("Photo Annotator scan benchmark")
    for line in machine_description():
        print(line)
    print(f"work folder: {workdir}\n")

    library = build_library(workdir, args.photos, processes)
    by_class = {name: [p for p in library.plans if p.size_class == name] for name in CLASS_SHARES}
    if library.generated:
        print(f"generated {library.generated:,} photos in {library.seconds:.1f} s "
              f"({library.generated / library.seconds:.1f} photos/s, {processes} processes)")
    else:
        print(f"reused the library in {library.root} ({library.seconds:.1f} s to check it; "
              f"building it took {library.built_seconds:.0f} s)")
    print(f"library: {len(library.plans):,} photos, {library.total_bytes / 1e9:.2f} GB; mix: "
          + ", ".join(f"{len(plans):,} x {name}" for name, plans in by_class.items()))

    run = workdir / "run"
    shutil.rmtree(run, ignore_errors=True)  # a fresh catalogue and thumbnail cache every run
    run.mkdir(parents=True)
    catalogue_path, thumbs = run / "catalogue.db", run / "thumbnails"

    print("\nbaseline: importing the app modules in a fresh process ...")
    baseline = in_fresh_process(_import_child)

    print(f"machine before the scans: {wait_for_quiet()}")
    print("first scan into a fresh catalogue and thumbnail cache (fresh process; the photos are in "
          "the OS page cache) ...", flush=True)
    first = in_fresh_process(_scan_child, str(library.root), str(catalogue_path), str(thumbs),
                             args.workers, 2, True)
    scan, hot_rescan = first["scans"]
    print("rescan of the unchanged library in a new process ...", flush=True)
    rescan = in_fresh_process(_scan_child, str(library.root), str(catalogue_path), str(thumbs),
                              args.workers, 1, False)["scans"][0]

    photos = len(library.plans)
    thumbnail_files = sum(len(files) for _dir, _dirs, files in os.walk(thumbs))
    cat = first["catalogue"]
    expected = {
        "ok": photos, "dated": photos, "camera": photos, "distinct_hashes": photos,
        "gps": sum(p.gps is not None for p in library.plans),
        "rotated": sum(p.orientation in (3, 6, 8) for p in library.plans),
    }
    checks_ok = (scan["new"] == photos and scan["error_count"] == 0 and rescan["unchanged"] == photos
                 and thumbnail_files == photos and cat == expected)
    print(f"\nfirst scan: {scan['new']:,} new, {scan['error_count']} errors, {scan['wall_s']:.1f} s wall, "
          f"{scan['cpu_s']:.1f} s CPU ({scan['cpu_s'] / photos * 1000:.1f} ms CPU per photo), "
          f"{first['workers']} workers, {thumbnail_files:,} thumbnails written")
    if scan["errors"]:
        print(f"  first errors: {scan['errors']}")
    print(f"catalogue: {cat}")
    print(f"expected:  {expected}")
    print(f"other processes used {scan['other_cpus']:.2f} CPUs on average during the first scan, "
          f"{rescan['other_cpus']:.2f} during the rescan")
    print(f"rescan: {rescan['unchanged']:,} unchanged, {rescan['wall_s']:.3f} s in a new process; "
          f"{hot_rescan['wall_s']:.3f} s right after the first scan in the same process")

    print("\nthumbnail time per photo, ours (open_image + ThumbnailCache.make) vs naive Pillow "
          "(open, convert RGB, thumbnail, save):")
    print(f"  machine: {wait_for_quiet()}", flush=True)
    scratch = run / "thumbnail-timing"
    stratified = [library.root / p.rel_path for name, share in CLASS_SHARES.items()
                  for p in spread(by_class[name], round(THUMBNAIL_SAMPLE * share))]
    large = [library.root / p.rel_path for p in spread(by_class[LARGE], LARGE_SAMPLE)]
    with OtherLoad() as thumbnail_load:
        mixed_times = time_thumbnails("stratified sample (60/30/10 across the mix)", stratified, scratch)
        describe_times(mixed_times)
        large_times = time_thumbnails("12 MP photos", large, scratch) if large else None
        if large_times:
            describe_times(large_times)
        for name in (SMALL, MEDIUM):
            files = [library.root / p.rel_path for p in spread(by_class[name], 40)]
            if files:
                describe_times(time_thumbnails(f"{name} photos", files, scratch))
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"  other processes used {thumbnail_load.cpus:.2f} CPUs on average during the thumbnail timing")

    peak_mb = first["hwm_kb"] * 1024 / 1e6
    rows = [
        ("library generation", f"{library.built_seconds:.0f} s for {photos:,} photos "
         f"({library.total_bytes / 1e9:.1f} GB)" + ("" if library.generated else ", reused"), "-", "-"),
        ("first scan: throughput", f"{photos / scan['wall_s']:.1f} photos/s", "-", "-"),
        ("first scan: total", f"{scan['wall_s']:.1f} s", "-", "-"),
        ("rescan, unchanged (new process)", f"{rescan['wall_s']:.3f} s", f"< {RESCAN_TARGET_S:g} s",
         verdict(rescan["wall_s"] < RESCAN_TARGET_S)),
        ("rescan, unchanged (same process)", f"{hot_rescan['wall_s']:.3f} s", "-", "-"),
        ("thumbnail ms/photo, mix: ours / naive",
         f"{statistics.fmean(mixed_times.ours_ms):.1f} / {statistics.fmean(mixed_times.naive_ms):.1f} mean",
         "-", "-"),
        ("thumbnail speed-up naive/ours, mix", f"{mixed_times.ratio_mean:.2f}x mean, "
         f"{mixed_times.ratio_median:.2f}x median", f">= {THUMBNAIL_RATIO_TARGET:g}x (mean)",
         verdict(mixed_times.ratio_mean >= THUMBNAIL_RATIO_TARGET)),
    ]
    if large_times:
        rows += [
            ("thumbnail ms/photo, 12 MP: ours / naive",
             f"{statistics.fmean(large_times.ours_ms):.1f} / "
             f"{statistics.fmean(large_times.naive_ms):.1f} mean",
             "-", "-"),
            ("thumbnail speed-up naive/ours, 12 MP", f"{large_times.ratio_mean:.2f}x mean, "
             f"{large_times.ratio_median:.2f}x median", f">= {THUMBNAIL_RATIO_TARGET:g}x (mean)",
             verdict(large_times.ratio_mean >= THUMBNAIL_RATIO_TARGET)),
        ]
    rows += [
        ("peak RSS, first scan (VmHWM)", f"{peak_mb:.0f} MB", f"< {PEAK_RSS_TARGET_MB:g} MB",
         verdict(peak_mb < PEAK_RSS_TARGET_MB)),
        ("RSS of importing the app modules", f"{baseline['hwm_kb'] * 1024 / 1e6:.0f} MB", "-", "-"),
        ("scan results correct", "yes" if checks_ok else "NO (see above)", "yes", verdict(checks_ok)),
    ]
    # Another job on a shared machine slows the scan and the timings: say whether the figures are clean.
    loads = tuple(round(v, 2) for v in (scan["other_cpus"], rescan["other_cpus"], thumbnail_load.cpus))
    quiet = max(loads) < QUIET_CPUS
    rows.append(("CPUs used by others: scan/rescan/thumbs", " / ".join(f"{v:.2f}" for v in loads),
                 f"< {QUIET_CPUS:g} each", "OK" if quiet else "BUSY: figures unreliable"))
    print(f"\nsummary ({photos:,} photos; targets are set for 10,000; MB = 10^6 bytes)")
    for line in machine_description():
        print(line)
    print_table(rows)


if __name__ == "__main__":
    main()
