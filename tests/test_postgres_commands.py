"""Every command and the app on a PostgreSQL catalogue, end to end as a person types them (`--db
postgresql://...`): one test per area, on the throwaway server of tests/postgres_server.py (skipped with
the reason where there is none, required in CI). The module tests of each area run on SQLite; here the
same commands prove that nothing in them is SQLite's own."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.catalogue.database import explain_database_error
from desktop_app.catalogue.models import Caption, KeywordState, Photo
from desktop_app.catalogue.photos import PhotoQuery, SortKey, list_photos
from desktop_app.services import keyword_browse
from tests import photo_files
from tests.cli_helpers import Ran, cli_on, run_cli
from tests.gui_helpers import WAIT_MS
from tests.keyword_samples import add_keywords, states
from tests.postgres_server import PostgresServer

if TYPE_CHECKING:  # Qt only for the app's test
    from pytestqt.qtbot import QtBot

    from desktop_app.ui.main_window.window import MainWindow

VOCABULARIES = Path(__file__).parent / "vocabularies"


def names(ran: Ran) -> list[str]:
    assert ran.code == 0, ran.err
    return [Path(row["path"]).name for row in ran.json_lines()]


@pytest.fixture
def empty_database(postgres_server: PostgresServer) -> str:
    """A database with nothing in it, as a team's administrator creates it (createdb)."""
    url = postgres_server.new_database()
    postgres_server.drop_database(url)
    postgres_server.execute(f"CREATE DATABASE {url.rsplit('/', 1)[1]}")
    return url


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    photo_files.make_good_library(root)
    photo_files.zero_byte(root / "bad" / "empty.jpg")
    return root


def test_scan_creates_the_catalogue_in_an_empty_database_and_photos_lists_with_every_filter_and_sort(
    empty_database: str, postgres_server: PostgresServer, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = cli_on(capsys, empty_database)
    try:
        absent = cli("photos")
        assert absent.code == 1 and absent.err.count("\n") == 1 and "the database is empty" in absent.err
        assert cli("scan", str(library)).code == 0
        assert len(names(cli("photos", "--json"))) == 10
        assert cli("edit", str(library / "2021" / "paris.jpg"), "--text", "The Eiffel Tower at dawn",
                   "--approve").code == 0
        assert cli("edit", str(library / "web" / "logo.png"), "--text", "A LOGO of the tower").code == 0
        assert cli("reject", str(library / "web" / "logo.png")).code == 0
        assert cli("edit", str(library / "old" / "icon.bmp"), "--text", "an icon").code == 0

        assert names(cli("photos", "--json", "--status", "error")) == ["empty.jpg"]
        assert names(cli("photos", "--json", "--state", "approved")) == ["paris.jpg"]
        assert names(cli("photos", "--json", "--state", "rejected")) == ["logo.png"]
        assert len(names(cli("photos", "--json", "--state", "none"))) == 7
        assert sorted(names(cli("photos", "--json", "--review", "edited"))) == ["icon.bmp", "logo.png",
                                                                                "paris.jpg"]
        assert names(cli("photos", "--json", "--review", "needs-review")) == ["icon.bmp"]
        assert sorted(names(cli("photos", "--json", "--folder", "2021"))) == ["diagram.png", "paris.jpg"]
        assert len(names(cli("photos", "--json", "--library", str(library), "--limit", "3"))) == 3
        # Case and stemming as on SQLite: "towers" finds "tower" and "TOWER"; the best match first.
        assert names(cli("photos", "--json", "--search", "Towers", "--sort", "relevance")) in (
            ["paris.jpg", "logo.png"], ["logo.png", "paris.jpg"])
        assert names(cli("photos", "--json", "--search", "tow*")) == ["paris.jpg", "logo.png"]
        assert names(cli("photos", "--json", "--search", "tower NOT eiffel")) == ["logo.png"]
        # Photos without a value last, both ways (PostgreSQL puts NULLs first when descending).
        for order in ([], ["--desc"]):
            dated = names(cli("photos", "--json", "--sort", "date-taken", *order))
            assert dated[0] == "paris.jpg" and len(dated) == 10
            changed = names(cli("photos", "--json", "--sort", "changed", *order))
            assert changed[:3] == (["paris.jpg", "logo.png", "icon.bmp"] if not order
                                   else ["icon.bmp", "logo.png", "paris.jpg"])
        by_name = names(cli("photos", "--json"))
        assert by_name == sorted(by_name, key=lambda name: name) or by_name[0] == "diagram.png"
        assert names(cli("photos", "--json", "--desc")) == by_name[::-1]

        (library / "old" / "anim.gif").unlink()
        assert cli("scan", str(library)).code == 0  # a rescan refreshes the same library
        assert names(cli("photos", "--json", "--review", "missing")) == ["anim.gif"]
        listed = cli("library", "list", "--json").json_lines()
        assert [(row["photos"], row["errors"], row["missing"]) for row in listed] == [(10, 1, 1)]
    finally:
        postgres_server.drop_database(empty_database)


def test_show_history_edit_approve_reject_revert_and_choose(postgres_url: str, library: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
    from desktop_app.catalogue.photos import find_photo

    cli = cli_on(capsys, postgres_url)
    assert cli("scan", str(library)).code == 0
    photo = str(library / "old" / "icon.bmp")
    assert cli("edit", photo, "--text", "an icon", "--author", "ann").code == 0
    assert cli("edit", photo, "--text", "a pixel-art icon of a house").code == 0
    assert cli("approve", photo).code == 0
    assert cli("reject", photo).code == 0
    assert cli("revert", photo, "--to", "1").code == 0
    record = cli("show", photo, "--json").json_lines()[0]
    (caption,) = record["captions"]
    assert caption["text"] == "an icon" and caption["state"] == "draft"
    assert [(h["revision"], h["action"], h["author"]) for h in caption["history"]] == [
        (1, "created", "ann"), (2, "edited", "test-editor"), (3, "approved", "test-editor"),
        (4, "rejected", "test-editor"), (5, "reverted", "test-editor")]
    stale = cli("edit", photo, "--text", "too late", "--revision", "4")
    assert stale.code == 1 and stale.err.count("\n") == 1 and "Traceback" not in stale.err
    with open_catalogue(postgres_url) as catalogue, catalogue.write() as session:
        output = AICaption(find_photo(session, photo), "a small house", model_id="m")
        draft = store_ai_caption(session, output, captioner_id="encoder-decoder").id
    assert cli("choose", photo, str(draft)).code == 0
    assert "a small house" in cli("show", str(record["id"])).out


def test_vocabularies_and_keywords(postgres_url: str, library: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    cli = cli_on(capsys, postgres_url)
    assert cli("scan", str(library)).code == 0
    assert cli("vocab", "import", str(VOCABULARIES / "places.csv"), "--name", "places").code == 0
    assert cli("vocab", "import", str(VOCABULARIES / "subjects.txt"), "--name", "subjects").code == 0
    again = cli("vocab", "import", str(VOCABULARIES / "places.csv"), "--name", "places", "--json")
    assert again.code == 0, again.err
    listed = {row["name"]: row for row in cli("vocab", "list", "--json").json_lines()}
    assert set(listed) == {"places", "subjects"}
    shown = cli("vocab", "show", "places")
    assert shown.code == 0 and "Berlin" in shown.out and "Deutschland" in shown.out

    paris, logo = str(library / "2021" / "paris.jpg"), str(library / "web" / "logo.png")
    assert cli("tags", "add", paris, logo, "--term", "berlin (CITY)").code == 0  # a synonym, any case
    assert cli("tags", "add", paris, "--term", "Cathedrals").code == 0
    assert cli("tags", "remove", logo, "--term", "Berlin").code == 0
    assert cli("tags", "add", paris, "--term", "Churches").code == 0
    assert cli("tags", "reject", paris, "--term", "Churches").code == 0
    assert cli("tags", "accept", paris, "--term", "Churches").code == 0
    keywords = cli("tags", "show", paris, "--json").json()["keywords"]
    assert sorted((k["label"], k["state"]) for k in keywords) == [
        ("Berlin", "accepted"), ("Cathedrals", "accepted"), ("Churches", "accepted")]
    assert names(cli("photos", "--json", "--keyword", "Germany")) == ["paris.jpg"]  # a narrower term
    assert names(cli("photos", "--json", "--keyword", "architecture", "--keyword", "places")) == ["paris.jpg"]
    assert names(cli("photos", "--json", "--keyword", "Berlin", "--keyword-state", "removed-in-file")) == []
    assert cli("show", paris, "--json").json_lines()[0]["keywords"] == ["Berlin", "Cathedrals", "Churches"]
    with open_catalogue(postgres_url) as catalogue:  # the app's Keywords panel: its tree and its filter box
        (places,) = [node for node in keyword_browse.vocabulary_nodes(catalogue) if node.label == "places"]
        assert places.photos == 1 and places.has_children
        found = keyword_browse.find_nodes(catalogue, "ber")  # labels starting with it first
        assert found[0].label == "Berlin" and found[0].path[-2:] == ("Germany", "Berlin")
        assert keyword_browse.term_counts(catalogue, [found[0].id]) == {found[0].id: 1}
    assert cli("vocab", "remove", "subjects").code == 0  # its keywords stay on the photo, as free ones
    assert [row["name"] for row in cli("vocab", "list", "--json").json_lines()] == ["places"]
    assert cli("show", paris, "--json").json_lines()[0]["keywords"] == ["Berlin", "Cathedrals", "Churches"]


def test_exports_in_every_format_and_metadata_written_back(postgres_url: str, library: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    cli = cli_on(capsys, postgres_url)
    assert cli("scan", str(library)).code == 0
    paris = str(library / "2021" / "paris.jpg")
    assert cli("edit", paris, "--text", "The Eiffel Tower at dawn", "--approve").code == 0
    assert cli("edit", str(library / "print" / "poster.jpg"), "--text", "A poster", "--approve").code == 0
    assert cli("vocab", "import", str(VOCABULARIES / "places.csv"), "--name", "places").code == 0
    assert cli("tags", "add", paris, "--term", "Berlin").code == 0
    for fmt, name in (("csv", "out.csv"), ("jsonl", "out.jsonl"), ("coco", "out.json"),
                      ("hf-imagefolder", "dataset")):
        ran = cli("export", "--format", fmt, "--output", str(tmp_path / name))
        assert ran.code == 0, (fmt, ran.err)
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["caption"] for line in lines) == ["A poster", "The Eiffel Tower at dawn"]
    assert "The Eiffel Tower at dawn" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert len(json.loads((tmp_path / "out.json").read_text())["annotations"]) == 2
    assert (tmp_path / "dataset" / "train" / "metadata.jsonl").exists()
    written = cli("write-metadata", "--folder", str(library / "2021"), "--json")
    assert written.code == 0, written.err
    sidecar = library / "2021" / "paris.jpg.xmp"
    assert "The Eiffel Tower at dawn" in sidecar.read_text(encoding="utf-8")
    assert "Berlin" in sidecar.read_text(encoding="utf-8")


def test_embed_search_tag_suggest_and_train_with_tiny_models(
    postgres_url: str, tmp_path: Path, clip_folder: Path, vit_gpt2_folder: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    cli = cli_on(capsys, postgres_url)
    root = tmp_path / "shoot"
    texts = ["a red boat on the sea", "a blue house", "a dog on grass", "a cat asleep"]
    for number in range(len(texts)):
        photo_files.jpeg(root / f"{number}.jpg", seed=number, size=(96, 72))
    assert cli("scan", str(root)).code == 0
    for number, text in enumerate(texts):
        assert cli("edit", str(root / f"{number}.jpg"), "--text", text, "--approve").code == 0
    clip = ["--embedder", "clip", "--model", str(clip_folder), "--device", "cpu"]
    embedded = cli("embed", *clip)
    assert embedded.code == 0, embedded.err
    found = cli("search", "red boat", "--mode", "semantic", *clip, "--json")
    assert found.code == 0, found.err
    assert len(found.json_lines()) == 4  # every embedded caption, ranked
    keyword = cli("search", "boat", "--mode", "keyword", "--json")
    assert [Path(hit["path"]).name for hit in keyword.json_lines()] == ["0.jpg"]

    assert cli("vocab", "import", str(VOCABULARIES / "subjects.txt"), "--name", "subjects").code == 0
    suggested = cli("tags", "suggest", str(root), "--tagger", "clip-zero-shot", "--model", str(clip_folder),
                    "--device", "cpu", "--top", "1", "--threshold", "0", "--json")
    assert suggested.code == 0, suggested.err
    assert len(suggested.json_lines()) == 4 and "4 tagged" in suggested.err

    trained = cli("train", "--captioner", "encoder-decoder", "--model", str(vit_gpt2_folder), "--output",
                  str(tmp_path / "tuned"), "--epochs", "1", "--batch-size", "2", "--device", "cpu",
                  "--no-evaluate")
    assert trained.code == 0, trained.err
    assert (tmp_path / "tuned" / "v1" / "training.json").exists()
    jobs = cli("jobs", "--json")
    assert jobs.code == 0 and {row["kind"] for row in jobs.json_lines()} >= {"tag", "train"}


def test_library_and_plugin_commands(postgres_url: str, library: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    cli = cli_on(capsys, postgres_url)
    other = tmp_path / "other"
    photo_files.jpeg(other / "x.jpg", seed=50)
    assert cli("scan", str(library), str(other)).code == 0
    assert [row["photos"] for row in cli("library", "list", "--json").json_lines()] == [10, 1]
    assert cli("library", "remove", str(other), "--yes").code == 0
    assert [row["root"] for row in cli("library", "list", "--json").json_lines()] == [str(library.resolve())]
    plugins = Ran(*run_cli(capsys, "plugins", "--json"))  # reads no catalogue
    assert plugins.code == 0 and plugins.out.strip()
    with open_catalogue(postgres_url) as catalogue, catalogue.read() as session:
        assert session.scalar(select(func.count(Photo.id))) == 10
        listed = list(list_photos(session, PhotoQuery(sort=SortKey.CONFIDENCE, descending=True)))
        assert len(listed) == 10


def test_an_unreachable_server_a_refused_login_and_a_missing_database_are_one_line_each(
    postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    base = postgres_server.url().rsplit("/", 1)[0]
    cases = {
        "postgresql://postgres@127.0.0.1:1/photos": "cannot reach the database server of the catalogue "
        "postgresql://postgres@127.0.0.1:1/photos: connection refused",
        f"{base}/no_such_db": "there is no database no_such_db on the server",
        postgres_server.url(user="nobody"): "there is no user (role) nobody",
    }
    for url, told in cases.items():
        for command in (["photos"], ["scan", "."]):  # a command that may create cannot create a database
            ran = cli_on(capsys, url)(*command)
            assert ran.code == 1 and ran.out == "", ran.err
            assert ran.err.startswith("photo-annotator: error: ") and ran.err.count("\n") == 1, ran.err
            assert told in ran.err and "Traceback" not in ran.err


@pytest.mark.parametrize(("message", "sqlstate", "told"), [
    ('connection failed: connection to server at "db", port 5432 failed: FATAL:  password authentication '
     'failed for user "ann"', None, "wrong password for user ann"),
    ("connection failed: fe_sendauth: no password supplied", None, "asks for a password"),
    ("permission denied for table captions", "42501", "permission denied for table captions"),
    ("cannot execute INSERT in a read-only transaction", "25006", "is read-only"),
    ("FATAL:  sorry, too many clients already", "53300", "no free connection"),
    ("terminating connection due to administrator command", "57P01", "closed the connection"),
    ("a message in another language", "25006", "is read-only"),
])
def test_the_servers_other_refusals_are_explained(message: str, sqlstate: str | None, told: str) -> None:
    import psycopg

    error = psycopg.OperationalError(message)
    error.sqlstate = sqlstate  # type: ignore[misc]  # set by the server on a real error
    explained = explain_database_error(error, "postgresql://ann@db/photos")
    assert explained is not None and told in explained and "\n" not in explained


# -- the app ---------------------------------------------------------------------------------------------

@pytest.fixture
def backend() -> str:
    """The conftest fixtures (db_path, catalogue, drafts, open_window) on PostgreSQL in this module."""
    return "postgresql"


@pytest.mark.usefixtures("app_look")
def test_the_app_browses_edits_and_keywords_a_postgresql_catalogue(
    qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: str, drafts: Path, catalogue: Catalogue
) -> None:
    from PySide6.QtCore import Qt

    Key = Qt.Key
    assert isinstance(db_path, str) and db_path.startswith("postgresql://")
    photos = add_keywords(catalogue, drafts)
    window = open_window(db=db_path)
    assert sorted(Path(row.path).name for row in window.model.rows()) == [f"{n:02}.jpg" for n in range(5)]
    assert db_path.rsplit("/", 1)[1] in window.catalogue_label.toolTip() + window.catalogue_label.text()

    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "a photo number 0", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(window.detail.keyword_box.shown_chips()) == 4, timeout=WAIT_MS)
    window.detail.review_box.focus_editor()
    window.detail.review_box.editor.selectAll()
    qtbot.keyClicks(window.detail.review_box.editor, "A harbour at dawn")
    window.detail.flush()

    def current_text() -> str | None:
        with catalogue.read() as session:
            return session.scalar(select(Caption.text).where(Caption.photo_id == photos["00.jpg"],
                                                             Caption.is_current.is_(True)))

    qtbot.waitUntil(lambda: current_text() == "A harbour at dawn", timeout=WAIT_MS)

    row = next(n for n, photo in enumerate(window.model.rows()) if Path(photo.path).name == "01.jpg")
    window.grid.make_current(window.model.index(row))
    entry = window.detail.keyword_box.entry
    qtbot.waitUntil(lambda: window.detail.keyword_box.photo_id == photos["01.jpg"], timeout=WAIT_MS)
    entry.setFocus()
    qtbot.keyClicks(entry, "hound")
    qtbot.waitUntil(lambda: entry.offer_labels() == ["hounds → Dogs · Animals › Mammals › Dogs"],
                    timeout=WAIT_MS)
    qtbot.keyClicks(entry, "s")
    qtbot.keyClick(entry, Key.Key_Return)
    qtbot.waitUntil(lambda: states(catalogue, photos["01.jpg"]).get("Dogs") is KeywordState.ACCEPTED,
                    timeout=WAIT_MS)


def test_name_order_is_sqlites_on_a_server_whose_locale_orders_otherwise(
    postgres_server: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names_on_disk = ["zebra.jpg", "éclair.jpg", "album/z.jpg", "album2.jpg", "a b.jpg", "ab.jpg", "img10.jpg",
                     "IMG2.jpg", "_x.jpg"]
    root = tmp_path / "odd names"
    for number, name in enumerate(names_on_disk):
        photo_files.jpeg(root / name, seed=number, size=(32, 24), exif=False)
    # ICU's English collation (as a server set up in en_US would sort): "é" beside "e", not after "z".
    import psycopg

    try:
        postgres_server.execute("CREATE DATABASE english_order LOCALE_PROVIDER icu ICU_LOCALE 'en-US' "
                                "TEMPLATE template0")
    except psycopg.errors.FeatureNotSupported as exc:  # a server built without ICU (Debian's has it)
        pytest.skip(f"this PostgreSQL has no ICU collations: {exc}")
    url = postgres_server.url("english_order")
    try:
        orders = {}
        for db in (url, str(tmp_path / "catalogue.db")):
            cli = cli_on(capsys, db)
            assert cli("scan", str(root)).code == 0
            orders[db] = [str(Path(row["path"]).relative_to(root.resolve()))
                          for row in cli("photos", "--json").json_lines()]
        assert orders[url] == orders[str(tmp_path / "catalogue.db")]
        assert orders[url].index("zebra.jpg") < orders[url].index("éclair.jpg")
    finally:
        postgres_server.drop_database(url)


def test_a_role_without_rights_on_the_catalogue_is_told_so_in_one_line(
    postgres_server: PostgresServer, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    postgres_server.execute("CREATE ROLE schemaless_editor LOGIN", "CREATE ROLE tableless_editor LOGIN")
    try:
        postgres_server.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC",
                                "GRANT USAGE ON SCHEMA public TO tableless_editor", database=database)
        told = {"schemaless_editor": "role schemaless_editor may not use its schema (its owner can GRANT "
                                     "USAGE ON SCHEMA public TO schemaless_editor)",
                "tableless_editor": "cannot be used: permission denied for table alembic_version"}
        for role, line in told.items():
            for command in (["photos"], ["scan", "."]):  # never "empty", never an attempt to create one
                ran = cli_on(capsys, postgres_server.url(database, user=role))(*command)
                assert ran.code == 1 and ran.err.count("\n") == 1 and line in ran.err, ran.err
    finally:
        postgres_server.execute("REVOKE USAGE ON SCHEMA public FROM tableless_editor", database=database)
        postgres_server.execute("DROP ROLE schemaless_editor", "DROP ROLE tableless_editor")
