"""Watched folders (issue 21 part 1): real files in a temporary folder watched through file-system events
and by polling, a real SQLite catalogue, standing jobs run by a real worker with a tiny real model, and
the `watch` command as a user runs it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Job, JobItem, JobItemState, JobState, Photo, PhotoStatus
from desktop_app.catalogue.photos import find_photo
from desktop_app.jobs import standing
from desktop_app.jobs.store import CAPTION_JOB
from desktop_app.library.scanner import Scanner
from desktop_app.services import jobs as job_service
from desktop_app.services.engine import build_engine
from desktop_app.services.keywords import ADD, photo_keyword_views, tag_photos
from desktop_app.services.libraries import WatchSettings, library_watch, set_watch, watched_libraries
from desktop_app.services.review import Change, review
from desktop_app.services.watching import (
    LibraryWatcher,
    WatchError,
    WatchReport,
    check_watch,
    queue_new_photos,
)
from tests import photo_files
from tests.cli_helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
STABILITY = 1.0  # seconds a file must stop growing before it is scanned, in these tests
POLL = 0.3  # the polling interval of the polling-mode tests
T = TypeVar("T")


def wait_for(check: Callable[[], T], what: str, timeout: float = 30.0) -> T:
    """Polls ``check`` until it returns something true (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def photo_at(catalogue: Catalogue, path: Path) -> Photo | None:
    with catalogue.read() as session:
        try:
            photo = find_photo(session, str(path))
        except KeyError:  # PhotoNotFoundError: not scanned (yet)
            return None
        session.expunge(photo)
        return photo


def status_of(catalogue: Catalogue, photo_id: int) -> PhotoStatus:
    with catalogue.read() as session:
        return session.get(Photo, photo_id).status


def current_caption(catalogue: Catalogue, photo_id: int) -> str | None:
    with catalogue.read() as session:
        return session.scalar(select(Caption.text).where(Caption.photo_id == photo_id,
                                                         Caption.is_current.is_(True)))


def items_of(catalogue: Catalogue, job_id: int) -> dict[int, JobItemState]:
    with catalogue.read() as session:
        return {photo_id: state for photo_id, state in session.execute(
            select(JobItem.photo_id, JobItem.state).where(JobItem.job_id == job_id))}


class Reports:
    """What a watcher reported, safe to read from the test's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[WatchReport] = []

    def __call__(self, report: WatchReport) -> None:
        with self.lock:
            self.seen.append(report)

    def scanned_ids(self) -> list[int]:
        with self.lock:
            return [photo_id for report in self.seen for photo_id in report.photo_ids]


@pytest.fixture
def registry() -> Any:
    return build_engine(device="cpu", dtype="float32", batch_size=2).registry


@pytest.fixture
def watched(tmp_path: Path, catalogue: Catalogue, scanner: Scanner, registry: Any) -> Path:
    """A library of two photos (one in a subfolder), watched for captioning with encoder-decoder."""
    root = tmp_path / "incoming"
    photo_files.jpeg(root / "a.jpg", seed=1)
    photo_files.jpeg(root / "sub" / "s.jpg", seed=2)
    report = scanner.scan(root)
    set_watch(catalogue, report.library_id,
              check_watch(catalogue, registry, WatchSettings(caption="encoder-decoder")))
    return root


@pytest.fixture(params=["events", "polling"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def start_watcher(catalogue: Catalogue, scanner: Scanner, registry: Any,
                  mode: str) -> Iterator[Callable[[], tuple[LibraryWatcher, Reports]]]:
    started: list[LibraryWatcher] = []

    def start() -> tuple[LibraryWatcher, Reports]:
        reports = Reports()
        watcher = LibraryWatcher(catalogue, registry, reports, stability=STABILITY, scanner=scanner,
                                 poll_interval=POLL if mode == "polling" else None)
        watcher.start()
        started.append(watcher)
        wait_for(lambda: any(report.catch_up for report in reports.seen), "the catch-up scan")
        return watcher, reports

    yield start
    for watcher in started:
        watcher.stop()


def standing_job_id(catalogue: Catalogue) -> int | None:
    with catalogue.read() as session:
        return session.scalar(select(Job.id).where(Job.standing.is_not(None),
                                                   Job.state.in_(standing.COLLECTING)))


# --- watching ---------------------------------------------------------------------------------------------

def test_a_file_copied_slowly_is_scanned_once_whole_and_queued(
    watched: Path, catalogue: Catalogue, start_watcher: Callable[[], tuple[LibraryWatcher, Reports]],
    tmp_path: Path, mode: str,
) -> None:
    _watcher, reports = start_watcher()
    whole = photo_files.jpeg(tmp_path / "elsewhere" / "scan.jpg", seed=7, size=(640, 480)).read_bytes()
    target = watched / "scan.jpg"
    chunk = len(whole) // 6 + 1
    with target.open("wb") as out:  # a slow copy: chunks with pauses shorter than the stability wait
        for start in range(0, len(whole), chunk):
            out.write(whole[start:start + chunk])
            out.flush()
            os.fsync(out.fileno())
            time.sleep(0.2 if mode == "events" else 0.1)
            assert photo_at(catalogue, target) is None, "a half-written file was scanned"
    photo = wait_for(lambda: photo_at(catalogue, target), "the copied file to be scanned")
    assert photo.status is PhotoStatus.OK and photo.size == len(whole)
    job_id = wait_for(lambda: standing_job_id(catalogue), "the standing job")
    assert items_of(catalogue, job_id) == {photo.id: JobItemState.PENDING}
    time.sleep(STABILITY + 0.5)  # nothing more happens to the file: no second scan may come
    assert reports.scanned_ids() == [photo.id]


def test_moves_and_renames_keep_captions_and_keywords_and_deleted_photos_go_missing(
    watched: Path, catalogue: Catalogue, start_watcher: Callable[[], tuple[LibraryWatcher, Reports]],
) -> None:
    a = photo_at(catalogue, watched / "a.jpg")
    s = photo_at(catalogue, watched / "sub" / "s.jpg")
    review(catalogue, str(watched / "a.jpg"), Change("edit", text="the harbour at dawn"))
    tag_photos(catalogue, [str(a.id)], "harbour", ADD)
    review(catalogue, str(watched / "sub" / "s.jpg"), Change("edit", text="a fishing boat"))
    start_watcher()

    (watched / "a.jpg").rename(watched / "renamed.jpg")
    moved = wait_for(lambda: photo_at(catalogue, watched / "renamed.jpg"), "the renamed photo")
    assert moved.id == a.id and moved.status is PhotoStatus.OK
    assert current_caption(catalogue, a.id) == "the harbour at dawn"
    assert [view.label for view in photo_keyword_views(catalogue, a.id)] == ["harbour"]

    shutil.move(watched / "sub", watched / "boats")  # a whole folder moved
    in_folder = wait_for(lambda: photo_at(catalogue, watched / "boats" / "s.jpg"), "the moved folder's photo")
    assert in_folder.id == s.id and in_folder.status is PhotoStatus.OK
    assert current_caption(catalogue, s.id) == "a fishing boat"

    (watched / "renamed.jpg").unlink()
    wait_for(lambda: status_of(catalogue, a.id) is PhotoStatus.MISSING, "the deleted photo to go missing")
    assert current_caption(catalogue, a.id) == "the harbour at dawn"  # kept, should the file come back
    assert standing_job_id(catalogue) is None  # moved photos are not new: nothing was queued


def test_new_files_and_folders_are_queued_and_what_is_no_photo_is_left_alone(
    watched: Path, catalogue: Catalogue, start_watcher: Callable[[], tuple[LibraryWatcher, Reports]],
) -> None:
    _watcher, reports = start_watcher()
    (watched / "notes.txt").write_text("not a photo")
    (watched / ".hidden").mkdir()
    photo_files.jpeg(watched / ".hidden" / "h.jpg", seed=3)
    photo_files.jpeg(watched / "new.jpg", seed=4)
    folder = watched.parent / "staging"
    photo_files.jpeg(folder / "deep" / "d.jpg", seed=5)
    shutil.move(folder, watched / "arrived")  # a folder of photos moved in
    new = wait_for(lambda: photo_at(catalogue, watched / "new.jpg"), "the new photo")
    deep = wait_for(lambda: photo_at(catalogue, watched / "arrived" / "deep" / "d.jpg"), "the folder's photo")
    job_id = wait_for(lambda: standing_job_id(catalogue), "the standing job")
    wait_for(lambda: len(items_of(catalogue, job_id)) == 2, "both photos queued")
    assert items_of(catalogue, job_id) == {new.id: JobItemState.PENDING, deep.id: JobItemState.PENDING}
    assert photo_at(catalogue, watched / ".hidden" / "h.jpg") is None
    assert sorted(reports.scanned_ids()) == sorted([new.id, deep.id])


def test_a_restart_catches_up_with_what_changed_while_nothing_watched(
    watched: Path, catalogue: Catalogue, start_watcher: Callable[[], tuple[LibraryWatcher, Reports]],
    registry: Any,
) -> None:
    watcher, _reports = start_watcher()
    photo_files.jpeg(watched / "first.jpg", seed=8)
    first = wait_for(lambda: photo_at(catalogue, watched / "first.jpg"), "the first photo")
    job_id = wait_for(lambda: standing_job_id(catalogue), "the standing job")
    watcher.stop()
    with catalogue.write() as session:  # as if a worker had captioned it
        session.execute(JobItem.__table__.update().where(JobItem.job_id == job_id)
                        .values(state=JobItemState.DONE.value))

    photo_files.jpeg(watched / "while-away.jpg", seed=9)
    photo_files.jpeg(watched / "first.jpg", seed=10)  # its content changed
    (watched / "sub" / "s.jpg").unlink()
    s_id = photo_at(catalogue, watched / "sub" / "s.jpg").id
    time.sleep(STABILITY)  # written "long ago": the catch-up scan takes them at once
    _watcher, reports = start_watcher()
    away = wait_for(lambda: photo_at(catalogue, watched / "while-away.jpg"), "the photo added meanwhile")
    [caught_up] = [report for report in reports.seen if report.catch_up]
    assert (caught_up.new, caught_up.changed, caught_up.missing) == (1, 1, 1)
    assert items_of(catalogue, job_id) == {first.id: JobItemState.PENDING, away.id: JobItemState.PENDING}
    assert status_of(catalogue, s_id) is PhotoStatus.MISSING


# --- standing jobs ----------------------------------------------------------------------------------------

@pytest.fixture
def photos(tmp_path: Path, scanner: Scanner, catalogue: Catalogue) -> list[int]:
    root = tmp_path / "photos"
    for number in range(4):
        photo_files.jpeg(root / f"{number}.jpg", seed=number, size=(64, 48))
    library_id = scanner.scan(root).library_id
    with catalogue.read() as session:
        return list(session.scalars(select(Photo.id).where(Photo.library_id == library_id)
                                    .order_by(Photo.id)))


@pytest.mark.both_backends
def test_a_standing_job_captions_what_is_appended_never_completes_and_takes_a_changed_photo_again(
    catalogue: Catalogue, photos: list[int], vit_gpt2_folder: Path,
) -> None:
    runner = job_service.make_runner(catalogue, build_engine(device="cpu", dtype="float32", batch_size=2))
    key = standing.standing_key(1, CAPTION_JOB, "encoder-decoder", str(vit_gpt2_folder))
    with catalogue.write() as session:
        job_id = standing.standing_job(session, key, CAPTION_JOB, "encoder-decoder", str(vit_gpt2_folder)).id
        assert standing.append_photos(session, job_id, photos[:2]) == 2
        assert standing.append_photos(session, job_id, photos[:2]) == 0  # already pending: not twice
    assert runner.next_job() == job_id
    ended = runner.run(job_id)
    assert ended.state is JobState.QUEUED and ended.watching and (ended.done, ended.total) == (2, 2)
    assert all(current_caption(catalogue, photo_id) for photo_id in photos[:2])
    assert runner.next_job() is None and not job_service.open_jobs(catalogue)  # idle: `worker --once` ends

    with catalogue.write() as session:
        assert standing.standing_job(session, key, CAPTION_JOB, "encoder-decoder", None).id == job_id
        assert standing.append_photos(session, job_id, [photos[0], photos[2]]) == 2  # photo 0 changed
    assert runner.next_job() == job_id
    ended = runner.run(job_id)
    assert ended.state is JobState.QUEUED and (ended.done, ended.total, ended.pending) == (3, 3, 0)
    assert next(line for line in _job_lines(catalogue) if line.startswith(f"job {job_id}:")).startswith(
        f"job {job_id}: watching library 1, encoder-decoder")


def _job_lines(catalogue: Catalogue) -> list[str]:
    from desktop_app.cli.jobs import _line

    return [_line(job) for job in job_service.list_jobs(catalogue)]


@pytest.mark.both_backends
def test_an_idle_standing_job_does_not_hold_up_a_job_queued_after_it(
    catalogue: Catalogue, photos: list[int], vit_gpt2_folder: Path,
) -> None:
    runner = job_service.make_runner(catalogue, build_engine(device="cpu", dtype="float32", batch_size=2))
    with catalogue.write() as session:
        idle = standing.standing_job(session, standing.standing_key(1, CAPTION_JOB, "encoder-decoder"),
                                     CAPTION_JOB, "encoder-decoder", str(vit_gpt2_folder)).id
    ordinary = runner.queue_caption_job("encoder-decoder", photos[:1], model=str(vit_gpt2_folder)).id
    assert idle < ordinary and runner.next_job() == ordinary
    assert runner.run(ordinary).state is JobState.DONE
    assert runner.next_job() is None
    assert runner.summary(idle).state is JobState.QUEUED  # still waiting, never done


@pytest.mark.both_backends
def test_a_cancelled_standing_job_is_not_revived_the_next_photos_go_to_a_new_one(
    catalogue: Catalogue, photos: list[int], registry: Any,
) -> None:
    with catalogue.read() as session:
        library_id = session.get(Photo, photos[0]).library_id
    watch = WatchSettings(caption="encoder-decoder")
    [(first, count)] = queue_new_photos(catalogue, registry, library_id, watch, photos[:2]).items()
    assert count == 2
    job_service.cancel_job(catalogue, first)
    [(second, count)] = queue_new_photos(catalogue, registry, library_id, watch, photos[2:3]).items()
    assert second != first and count == 1
    assert runner_state(catalogue, first) is JobState.CANCELLED
    assert items_of(catalogue, second) == {photos[2]: JobItemState.PENDING}


def runner_state(catalogue: Catalogue, job_id: int) -> JobState:
    with catalogue.read() as session:
        return session.get(Job, job_id).state


# --- settings and the command -----------------------------------------------------------------------------

@pytest.mark.both_backends
def test_watch_settings_are_checked_stored_and_cleared(
    catalogue: Catalogue, photos: list[int], registry: Any,
) -> None:
    with catalogue.read() as session:
        library_id = session.get(Photo, photos[0]).library_id
    with pytest.raises(WatchError, match="no captioner 'nobody'"):
        check_watch(catalogue, registry, WatchSettings(caption="nobody"))
    with pytest.raises(WatchError, match="--caption CAPTIONER and/or --tag"):
        check_watch(catalogue, registry, WatchSettings())
    with pytest.raises(WatchError, match="more than 0 seconds"):
        check_watch(catalogue, registry, WatchSettings(caption="encoder-decoder", poll_interval=-1))
    set_watch(catalogue, library_id, WatchSettings(caption="encoder-decoder", poll_interval=30))
    assert library_watch(catalogue, library_id) == WatchSettings("encoder-decoder", None, None, 30.0)
    assert [library.id for library in watched_libraries(catalogue)] == [library_id]
    set_watch(catalogue, library_id, None)
    assert library_watch(catalogue, library_id) is None and watched_libraries(catalogue) == []


def test_the_watch_command_says_what_is_wrong_in_one_line(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    photo_files.jpeg(tmp_path / "lib" / "a.jpg", seed=1)
    assert run_cli(capsys, "scan", str(tmp_path / "lib"), "--db", str(db_path))[0] == 0
    db = ["--db", str(db_path)]
    code, _out, err = run_cli(capsys, "watch", *db)
    assert code == 1 and err.startswith("photo-annotator: error: no library is watched")
    assert err.count("\n") == 1
    code, _out, err = run_cli(capsys, "watch", str(tmp_path / "lib"), "--caption", "nobody", *db)
    assert code == 1 and "no captioner 'nobody'" in err and err.count("\n") == 1
    code, _out, err = run_cli(capsys, "watch", str(tmp_path / "lib"), *db)
    assert code == 2 and "is not watched yet" in err
    code, _out, err = run_cli(capsys, "watch", "--caption", "encoder-decoder", "--db", str(db_path))
    assert code == 2 and "name the FOLDERS" in err
    code, out, _err = run_cli(capsys, "watch", "--list", "--db", str(db_path))
    assert code == 0 and out == "no library is watched\n"


def test_the_watch_command_captions_a_dropped_photo_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, db_path: Path, catalogue: Catalogue, vit_gpt2_folder: Path,
) -> None:
    folder = tmp_path / "share"
    photo_files.jpeg(folder / "already.jpg", seed=1, size=(64, 48))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "watch", str(folder), "--caption", "encoder-decoder",
         "--model", str(vit_gpt2_folder), "--device", "cpu", "--stability", "0.5", "--db", str(db_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in
                                                          iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        wait_for(lambda: any(line.startswith("watching ") for line in lines) or process.poll() is not None,
                 "the watcher to start", timeout=120)
        assert process.poll() is None, process.stderr.read()
        photo_files.jpeg(folder / "dropped.jpg", seed=2, size=(64, 48))
        dropped = wait_for(lambda: photo_at(catalogue, folder / "dropped.jpg"), "the dropped photo", 60)
        wait_for(lambda: current_caption(catalogue, dropped.id), "its caption", timeout=120)
        already = photo_at(catalogue, folder / "already.jpg")
        assert current_caption(catalogue, already.id)  # a folder new to the catalogue: all of it queued
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    reader.join(5)
    assert process.returncode == 0, err
    assert lines[0] == f"scanned {folder} in as a library: 1 photos"
    # "caught up with ..." when the photo landed while the start's catch-up scan still ran (a loaded machine)
    batch = f"{folder}: 1 new; 1 queued in job 1"
    assert any(line.removeprefix("caught up with ") == batch for line in lines), lines
    assert "stopped watching" in err
    with catalogue.read() as session:
        job = session.scalars(select(Job)).one()
        assert job.standing is not None and job.state is JobState.QUEUED
