"""Shared fixtures: an isolated environment, a real catalogue, real photo files made on the fly, tiny
random-weight model folders (tests/tiny_models) saved once per session, and for the Qt tests the main
window and the captioning service."""

from __future__ import annotations

import os

# Before anything imports Qt: no display here or in CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from tests import photo_files
from tests.gui_helpers import open_and_settle
from tests.postgres_server import REQUIRED_ENV as POSTGRES_REQUIRED_ENV
from tests.postgres_server import PostgresServer, ServerUnavailable, start_server
from tests.postgres_server import required as postgres_required
from tests.ray_cluster import RayCluster, RayUnavailable, start_cluster
from tests.tiny_models.blip import blip
from tests.tiny_models.clip import clip
from tests.tiny_models.florence2 import florence2
from tests.tiny_models.idefics3 import idefics3
from tests.tiny_models.vision_encoder_decoder import vit_bert, vit_gpt2

if TYPE_CHECKING:  # Qt is imported by the tests that use a window, not by every test
    from pytestqt.qtbot import QtBot

    from desktop_app.ui.main_window.window import MainWindow
    from desktop_app.ui.workers.inference import InferenceService
    from tests.surfaces import Opener


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data and cache folders; the user's catalogue is never touched."""
    home = tmp_path_factory.mktemp("app-home")
    monkeypatch.setenv("PHOTO_ANNOTATOR_DATA", str(home / "data"))
    monkeypatch.setenv("PHOTO_ANNOTATOR_CACHE", str(home / "cache"))
    monkeypatch.setenv("PHOTO_ANNOTATOR_CONFIG", str(home / "config"))
    monkeypatch.setenv("PHOTO_ANNOTATOR_USER", "test-editor")
    monkeypatch.delenv("PHOTO_ANNOTATOR_DB", raising=False)
    # The app's language follows the system locale: an app started by a test (a subprocess) speaks
    # English with US formats, as the tests expect, whatever the machine's locale.
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.delenv("LANGUAGE", raising=False)
    return home


@pytest.fixture(scope="session")
def qapp(qapp: object) -> object:
    """pytest-qt's application, in English with US formats whatever the machine's locale, as the tests'
    texts expect (tests/test_translations.py switches to German for its own tests)."""
    from desktop_app.ui.language import install_language

    install_language(qapp, "en")  # type: ignore[arg-type]
    return qapp


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL cluster for the session (tests/postgres_server.py). Without one: the tests
    are skipped with the reason, except where $PHOTO_ANNOTATOR_TEST_POSTGRES says it is required (CI)."""
    try:
        server = start_server()
    except ServerUnavailable as exc:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required here (${POSTGRES_REQUIRED_ENV}) but unavailable: {exc}")
        pytest.skip(f"no PostgreSQL server for these tests: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[RayCluster]:
    """One throwaway Ray head node for the session (tests/ray_cluster.py), which cluster jobs join. Without
    Ray the tests are skipped, except where PostgreSQL is required too (CI installs both)."""
    try:
        cluster = start_cluster()
    except RayUnavailable as exc:
        if postgres_required():
            pytest.fail(f"Ray is required here (${POSTGRES_REQUIRED_ENV}) but unavailable: {exc}")
        pytest.skip(f"no Ray cluster for these tests: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture
def on_ray_cluster(ray_cluster: RayCluster, monkeypatch: pytest.MonkeyPatch) -> RayCluster:
    """The session's Ray cluster as `--cluster auto` finds it (RAY_ADDRESS), in this process and the
    commands it starts."""
    monkeypatch.setenv("RAY_ADDRESS", ray_cluster.address)
    return ray_cluster


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty PostgreSQL catalogue at the newest schema, dropped after the test."""
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_backends`` (a module's pytestmark, say) run on SQLite and on PostgreSQL, unless
    also marked ``sqlite_only`` (a test of SQLite's own behaviour: its file, WAL, FTS5)."""
    marked = metafunc.definition.get_closest_marker("both_backends")
    if marked and not metafunc.definition.get_closest_marker("sqlite_only") \
            and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The catalogue's database: "sqlite" unless the test is parametrised over both backends."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_path(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Path | str:
    """The catalogue's location: a file for SQLite, a URL (a new database) for PostgreSQL."""
    if backend == "sqlite":
        return tmp_path / "catalogue.db"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def catalogue(db_path: Path) -> Iterator[Catalogue]:
    with open_catalogue(db_path) as opened:
        yield opened


@pytest.fixture
def thumbnails(tmp_path: Path) -> ThumbnailCache:
    return ThumbnailCache(tmp_path / "thumbnails")


@pytest.fixture
def scanner(catalogue: Catalogue, thumbnails: ThumbnailCache) -> Scanner:
    return Scanner(catalogue, thumbnails, workers=2)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A folder of good photos in several formats, one with full EXIF, in nested folders."""
    root = tmp_path / "library"
    photo_files.make_good_library(root)
    return root


@pytest.fixture
def drafts(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> Path:
    """Five photos, 00.jpg to 04.jpg, each with a model's draft caption "a photo number N"."""
    from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
    from desktop_app.catalogue.photos import find_photo

    root = tmp_path / "drafts"
    for number in range(5):
        photo_files.jpeg(root / f"{number:02}.jpg", seed=number, size=(200, 150))
    scanner.scan(root)
    with catalogue.write() as session:
        for number in range(5):
            photo = find_photo(session, str(root / f"{number:02}.jpg"))
            store_ai_caption(session, AICaption(photo, f"a photo number {number}", model_id="m",
                                                confidence=0.5), captioner_id="encoder-decoder")
    return root


@pytest.fixture
def opener(qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, drafts: Path) -> Opener:
    """Opens the app's windows and dialogs (tests/surfaces.py) on the five drafts."""
    from tests.surfaces import Opener

    return Opener(qtbot, open_window, db_path, drafts)


@pytest.fixture
def inference_service(catalogue: Catalogue) -> Iterator[InferenceService]:
    """The app's captioning service (jobs on a worker thread) on the test catalogue, on the CPU in float32,
    two photos a batch."""
    from desktop_app.captioning.engine import CaptionEngine
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.ui.workers.inference import InferenceService

    opened = InferenceService(lambda: CaptionEngine(load_plugins(), device="cpu", dtype="float32",
                                                    batch_size=2))
    opened.open(catalogue)
    yield opened
    opened.shutdown()


@pytest.fixture
def open_window(qtbot: QtBot, thumbnails: ThumbnailCache) -> Iterator[Callable[..., MainWindow]]:
    """Opens main windows, shown; with ``db``, started on that catalogue (and ``folder``) and settled, as at
    the app's start. Each is shut down at teardown, its threads ended."""
    from desktop_app.ui.main_window.window import MainWindow

    opened: list[MainWindow] = []

    def open_(db: Path | str | None = None, folder: Path | None = None) -> MainWindow:
        window = MainWindow(thumbnails)
        qtbot.addWidget(window)
        opened.append(window)
        window.resize(1400, 900)  # the documented size (the README's screenshot)
        window.show()
        if db is not None:
            open_and_settle(qtbot, window, db, folder)
        return window

    yield open_
    for window in opened:
        window.shutdown()


@pytest.fixture
def window(open_window: Callable[..., MainWindow]) -> MainWindow:
    """A main window, shown, no catalogue open yet (a test opens one with gui_helpers.open_and_settle).
    Test files whose window opens on their own photos override this fixture with ``open_window(db=...)``."""
    return open_window()


@pytest.fixture
def app_look(qapp: object) -> None:
    """The app's icon and style sheet on the test QApplication, as run_app applies them: window tests
    see the real styling (use with ``pytestmark = pytest.mark.usefixtures("app_look")``)."""
    from desktop_app.ui.app import apply_look

    apply_look(qapp)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Saves a tiny model folder once per session: ``tiny_model(vit_gpt2, "vit-gpt2-tuned", seed=1)`` calls
    the builder on a folder of that name the first time and returns the same folder after. Tests only read
    these folders; one that changes a model copies it first."""
    saved: dict[tuple[object, ...], Path] = {}

    def save(builder: Callable[..., Path], name: str, **options: object) -> Path:
        key = (builder, name, *sorted(options.items()))
        if key not in saved:
            saved[key] = builder(tmp_path_factory.mktemp("models") / name, **options)
        return saved[key]

    return save


@pytest.fixture(scope="session")
def vit_gpt2_folder(tiny_model: Callable[..., Path]) -> Path:
    """The encoder-decoder captioner's tiny model (ViT + GPT-2)."""
    return tiny_model(vit_gpt2, "tiny-vit-gpt2")


@pytest.fixture(scope="session")
def slow_vit_gpt2_folder(tiny_model: Callable[..., Path]) -> Path:
    """Every caption 24 tokens long: a job slow enough to pause in the middle."""
    return tiny_model(vit_gpt2, "tiny-vit-gpt2-slow", min_new_tokens=24)


@pytest.fixture(scope="session")
def slowest_vit_gpt2_folder(tiny_model: Callable[..., Path]) -> Path:
    """Every caption 200 tokens long: one batch takes long enough to stop it half-way through generate."""
    return tiny_model(vit_gpt2, "tiny-vit-gpt2-slowest", min_new_tokens=200)


@pytest.fixture(scope="session")
def vit_bert_folder(tiny_model: Callable[..., Path]) -> Path:
    """The medical-report captioner's tiny model (ViT + BERT decoder)."""
    return tiny_model(vit_bert, "tiny-vit-bert")


@pytest.fixture(scope="session")
def blip_folder(tiny_model: Callable[..., Path]) -> Path:
    return tiny_model(blip, "tiny-blip")


@pytest.fixture(scope="session")
def florence2_folder(tiny_model: Callable[..., Path]) -> Path:
    return tiny_model(florence2, "tiny-florence2")


@pytest.fixture(scope="session")
def idefics3_folder(tiny_model: Callable[..., Path]) -> Path:
    """The product-description captioner's tiny model, shaped like SmolVLM."""
    return tiny_model(idefics3, "tiny-smolvlm")


@pytest.fixture(scope="session")
def clip_folder(tiny_model: Callable[..., Path]) -> Path:
    """The CLIP embedder's tiny model."""
    return tiny_model(clip, "tiny-clip")
