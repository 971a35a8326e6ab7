"""Photos from the web (`photo-annotator import`, services/importing.py): fetched from a local HTTP server
the test starts on 127.0.0.1 (no internet), saved under a safe unique name with the address in their XMP
(read back with ExifTool) and the catalogue, scanned and captioned; every bad address gets one line."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Photo
from desktop_app.library.incoming import safe_name
from desktop_app.library.scanner import Scanner
from desktop_app.library.web_fetch import FetchError, FetchLimits, fetch_image, refused_reason
from desktop_app.services.catalogue import open_catalogue
from desktop_app.settings import ImportSettings, load_settings, save_settings
from tests import photo_files
from tests.cli_helpers import run_cli
from tests.web_server import GIF, JPEG, Server

EXIFTOOL = shutil.which("exiftool")
needs_exiftool = pytest.mark.skipif(EXIFTOOL is None, reason="ExifTool (libimage-exiftool-perl) is the "
                                    "reference reader")


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


@pytest.fixture
def into(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder


def run_import(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    """``photo-annotator import ARGS --db DB``."""
    return run_cli(capsys, "import", *args, "--db", str(db_path))


def exiftool_source(path: Path) -> str | None:
    assert EXIFTOOL is not None
    out = subprocess.run([EXIFTOOL, "-j", "-XMP-dc:Source", str(path)], capture_output=True, check=True,
                         text=True).stdout
    return json.loads(out)[0].get("Source")


def photos_in(db_path: Path) -> dict[str, Photo]:
    catalogue = open_catalogue(str(db_path))
    with catalogue.read() as session:
        return {photo.rel_path: photo for photo in session.scalars(select(Photo))}


def visible_files(folder: Path) -> list[str]:
    """Every name in ``folder``, hidden temporaries included (an import must leave none)."""
    return sorted(path.name for path in folder.iterdir())


# -- 1. a good address: saved, its address in the file and the catalogue, scanned ------------------------

@needs_exiftool
def test_images_are_saved_with_their_address_in_xmp_and_catalogue_and_scanned(
    server: Server, into: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [server.url("/photos/harbour.jpg"), server.url("/download?id=7"), server.url("/go"),
            server.url("/no-length.jpg")]
    code, out, err = run_import(capsys, db_path, *urls, "--into", str(into), "--allow-private")
    assert code == 0, err
    names = ["harbour.jpg", "Hafen bei Dämmerung.png", "harbour (2).jpg", "no-length.jpg"]
    assert out.splitlines() == [f"{url} -> {into / name}" for url, name in zip(urls, names, strict=True)]
    assert visible_files(into) == sorted(names)
    assert (into / "harbour.jpg").stat().st_size > len(JPEG)  # the XMP packet was added...
    with Image.open(into / "harbour.jpg") as saved, Image.open(io.BytesIO(JPEG)) as served:
        assert saved.tobytes() == served.tobytes()  # ...and the pixels are the served ones
    photos = photos_in(db_path)
    for url, name in zip(urls, names, strict=True):
        assert exiftool_source(into / name) == url  # the redirect keeps the address the user gave
        assert photos[name].source_url == url
        assert photos[name].status.value == "ok" and photos[name].width == 64


def test_a_gif_keeps_its_address_in_a_sidecar(server: Server, into: Path, db_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    url = server.url("/anim.gif")
    code, _, err = run_import(capsys, db_path, url, "--into", str(into), "--allow-private")
    assert code == 0, err
    assert (into / "anim.gif").read_bytes() == GIF  # GIF holds no XMP we write: the bytes as served
    if EXIFTOOL:
        assert exiftool_source(into / "anim.gif.xmp") == url
    assert photos_in(db_path)["anim.gif"].source_url == url


def test_an_existing_file_is_never_overwritten(server: Server, into: Path, db_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    mine = photo_files.jpeg(into / "harbour.jpg", seed=9)
    before = mine.read_bytes()
    url = server.url("/photos/harbour.jpg")
    for _ in range(2):
        assert run_import(capsys, db_path, url, "--into", str(into), "--allow-private")[0] == 0
    assert mine.read_bytes() == before
    assert visible_files(into) == ["harbour (2).jpg", "harbour (3).jpg", "harbour.jpg"]


def test_the_address_survives_a_rescan_and_a_copy_scanned_elsewhere_brings_it(
    server: Server, into: Path, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/photos/harbour.jpg")
    assert run_import(capsys, db_path, url, "--into", str(into), "--allow-private")[0] == 0
    (into / "harbour.jpg").touch()  # a changed stat: read again
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(into / "harbour.jpg", elsewhere / "copy.jpg")
    for folder in (into, elsewhere):
        assert run_cli(capsys, "scan", str(folder), "--db", str(db_path))[0] == 0
    photos = photos_in(db_path)
    assert photos["harbour.jpg"].source_url == url
    assert photos["copy.jpg"].source_url == url  # from its XMP dc:source


def test_imported_photos_are_captioned_when_asked(
    server: Server, into: Path, db_path: Path, vit_gpt2_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_import(capsys, db_path, server.url("/photos/harbour.jpg"), server.url("/missing.jpg"),
                           "--into", str(into), "--allow-private", "--caption", "encoder-decoder",
                           "--model", str(vit_gpt2_folder))
    assert code == 1  # the missing one
    assert f"{server.url('/missing.jpg')}: failed: HTTP 404 Not Found" in err
    catalogue = open_catalogue(str(db_path))
    with catalogue.read() as session:
        captions = session.scalars(select(Caption)).all()
        assert [(caption.photo.rel_path, caption.origin.value) for caption in captions] == [
            ("harbour.jpg", "ai")]
        assert captions[0].text.strip()


# -- 2. a bad address gets one line saying why; the rest go on -----------------------------------------

def test_each_bad_address_gets_one_clear_line_and_the_good_one_is_still_saved(
    server: Server, into: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {
        "/missing.jpg": "HTTP 404 Not Found",
        "/to-file": "redirected to a file: address: refused (only http and https)",
        "/loop": "too many redirects (more than 5)",
        "/lie.jpg": "not an image: the server said image/jpeg, but sent an HTML page",
        "/page": "not an image: the server sent text/html",
        "/huge.jpg": "too large: 50.0 MB, more than the limit of 1.0 MB",
        "/huge-no-length.jpg": "too large: more than the limit of 1.0 MB",
        "/slow.jpg": "timed out: 127.0.0.1 sent nothing for 0.5 s",
    }
    urls = [server.url(path) for path in bad] + [server.url("/photos/harbour.jpg")]
    code, out, err = run_import(capsys, db_path, *urls, "--into", str(into), "--allow-private",
                                "--max-size", "1", "--timeout", "0.5")
    assert code == 1
    assert err.splitlines() == [f"{server.url(path)}: failed: {reason}" for path, reason in bad.items()] + [
        "photo-annotator: error: 8 of 9 addresses could not be imported"]
    assert out == f"{server.url('/photos/harbour.jpg')} -> {into / 'harbour.jpg'}\n"
    assert visible_files(into) == ["harbour.jpg"]  # nothing half written, no temporary file left
    assert list(photos_in(db_path)) == ["harbour.jpg"]


def test_a_name_is_looked_up_once_and_asked_for_by_name(server: Server) -> None:
    """The connection goes to the address that was checked; the server still sees the name asked for."""
    port = server.base.rsplit(":", 1)[1]
    fetched = fetch_image(f"http://localhost:{port}/go", FetchLimits(allow_private=True))
    assert fetched.data.startswith(JPEG[:2]) and fetched.format == "JPEG"
    assert fetched.final_url == f"http://localhost:{port}/photos/harbour.jpg"
    assert server.hosts == [f"localhost:{port}", f"localhost:{port}"]


def test_the_whole_download_has_a_deadline(server: Server) -> None:
    limits = FetchLimits(timeout_s=5, deadline_s=0.3, allow_private=True)
    with pytest.raises(FetchError, match=r"^timed out: the download took longer than 0.3 s$"):
        fetch_image(server.url("/trickle.jpg"), limits)


def test_json_output_says_each_outcome(server: Server, into: Path, db_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_import(capsys, db_path, server.url("/photos/harbour.jpg"), server.url("/page"),
                           "--into", str(into), "--allow-private", "--json")
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["status"], line["path"]) for line in lines] == [("ok", str(into / "harbour.jpg")),
                                                                   ("error", None)]
    assert lines[0]["photo_id"] == photos_in(db_path)["harbour.jpg"].id
    assert lines[1]["error"] == "not an image: the server sent text/html"


# -- 3. refused by default: loopback, private, localhost by name; other schemes ------------------------

def test_loopback_private_and_localhost_are_refused_by_default(
    server: Server, into: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = server.base.rsplit(":", 1)[1]
    refused = {
        server.url("/photos/harbour.jpg"): "127.0.0.1 is a loopback address",
        f"http://localhost:{port}/photos/harbour.jpg": "localhost (127.0.0.1) is a loopback address",
        "http://10.1.2.3/photo.jpg": "10.1.2.3 is a private address",
        "http://192.168.1.20/photo.jpg": "192.168.1.20 is a private address",
        f"http://[::ffff:127.0.0.1]:{port}/photos/harbour.jpg": "::ffff:127.0.0.1 is a loopback address",
        "http://169.254.169.254/latest/meta-data": "169.254.169.254 is a link-local address",
        "http://0.0.0.0/photo.jpg": "0.0.0.0 is an unspecified address",
    }
    code, out, err = run_import(capsys, db_path, *refused, "--into", str(into))
    assert code == 1 and out == ""
    hint = "refused (use --allow-private, or the import setting, for a server on your own network)"
    assert err.splitlines()[:-1] == [f"{url}: failed: {why}: {hint}" for url, why in refused.items()]
    assert server.requests == []  # refused before any connection
    assert visible_files(into) == []


def test_the_import_setting_allows_private_addresses(server: Server, into: Path, db_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings()
    save_settings(replace(settings, importing=replace(settings.importing, allow_private=True)))
    code, _, err = run_import(capsys, db_path, server.url("/photos/harbour.jpg"), "--into", str(into),
                           "--db", str(db_path))
    assert code == 0, err
    assert server.requests == ["/photos/harbour.jpg"]


@pytest.mark.parametrize(("url", "line"), [
    ("file:///etc/hosts", "only http and https addresses can be imported, not file: addresses"),
    ("ftp://example.org/photo.jpg", "only http and https addresses can be imported, not ftp: addresses"),
    ("data:image/png;base64,iVBORw0KGgo=",
     "only http and https addresses can be imported, not data: addresses"),
    ("http:///photo.jpg", "not a valid web address (no host name)"),
    ("/etc/hosts", "not a web address: only http:// and https:// addresses can be imported"),
    ("http://no-such-host.invalid/photo.jpg", "cannot find the host no-such-host.invalid (DNS lookup failed"),
])
def test_other_schemes_and_bad_addresses_are_refused_in_one_line(
    url: str, line: str, into: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "import", url, "--into", str(into), "--allow-private")
    assert code == 1 and out == ""
    first, summary = err.splitlines()
    assert first.startswith(f"{url}: failed: {line}")
    assert summary == "photo-annotator: error: 1 of 1 addresses could not be imported"


def test_a_missing_folder_is_one_line_before_anything_is_fetched(
    server: Server, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_import(capsys, db_path, server.url("/photos/harbour.jpg"),
                              "--into", str(tmp_path / "nope"), "--allow-private")
    assert code == 2 and err.count("\n") == 1
    assert f"folder {tmp_path / 'nope'} does not exist" in err
    assert server.requests == []


def test_address_kinds() -> None:
    assert refused_reason("93.184.215.14") is None
    assert refused_reason("2606:2800:21f:cb07:6820:80da:af6b:8b2c") is None
    assert refused_reason("::1") == "loopback"
    assert refused_reason("fd00::1") == "private"
    assert refused_reason("fe80::1") == "link-local"
    assert refused_reason("::ffff:10.0.0.1") == "private"
    assert refused_reason("100.64.0.1") == "non-public"  # carrier-grade NAT
    assert refused_reason("224.0.0.1") == "multicast"
    assert refused_reason("240.0.0.1") == "reserved"


@pytest.mark.parametrize(("hint", "fmt", "name"), [
    ("../../etc/passwd", "JPEG", "passwd.jpg"),
    ("photo.php", "PNG", "photo.php.png"),
    ("Photo.JPEG", "JPEG", "Photo.jpg"),
    (".hidden.png", "PNG", "hidden.png"),
    ("a:b*c?.jpg", "WEBP", "a_b_c_.webp"),
    ("CON.jpg", "JPEG", "_CON.jpg"),
    ("", "GIF", "image.gif"),
    ("x" * 400 + ".jpg", "JPEG", "x" * 146 + ".jpg"),
    ("Zürich.tif", None, "Zürich.tif"),
])
def test_file_names_are_made_safe_with_the_extension_of_what_the_bytes_are(
    hint: str, fmt: str | None, name: str
) -> None:
    assert safe_name(hint, fmt) == name


def test_the_service_imports_a_dropped_file_as_a_copy(
    catalogue: Catalogue, tmp_path: Path, into: Path
) -> None:
    from desktop_app.services.importing import import_sources

    outside = photo_files.jpeg(tmp_path / "desk" / "holiday.jpg", seed=2)
    text = tmp_path / "desk" / "notes.txt"
    text.write_text("no photo")
    results = import_sources(catalogue, [str(outside), str(text), str(outside)], into, FetchLimits(),
                             Scanner(catalogue), files=True)
    assert [(item.ok, item.path and Path(item.path).name) for item in results] == [
        (True, "holiday.jpg"), (False, None), (True, "holiday (2).jpg")]
    assert results[1].error == "not a photo or DICOM file the app reads"
    assert outside.exists()  # copied, never moved
    with catalogue.read() as session:
        assert sorted(session.scalars(select(Photo.rel_path))) == ["holiday (2).jpg", "holiday.jpg"]


def test_the_import_settings_round_trip_and_bad_values_are_refused(isolated_env: Path) -> None:
    settings = load_settings()
    assert settings.importing == ImportSettings()  # refused private addresses, 100 MB, 30 s, no captioner
    chosen = ImportSettings(allow_private=True, max_size_mb=20, timeout_s=5, caption="encoder-decoder")
    save_settings(replace(settings, importing=chosen))
    assert load_settings().importing == chosen
    path = isolated_env / "config" / "settings.json"
    values = json.loads(path.read_text())
    values["import"]["timeout_s"] = 0
    path.write_text(json.dumps(values))
    assert load_settings().importing == ImportSettings()  # a broken file: the defaults, as for any setting


def test_a_download_stops_when_asked(server: Server) -> None:
    stop = threading.Event()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    with pytest.raises(FetchError, match=r"^stopped$"):
        fetch_image(server.url("/trickle.jpg"), FetchLimits(timeout_s=5, allow_private=True), stop=stop)
    timer.join()
