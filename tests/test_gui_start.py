"""Starting the app where Qt cannot run: missing system libraries are named, with the line that installs
them, instead of Qt aborting the process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.ui import qt_check
from desktop_app.ui.qt_check import (
    QT_LIBRARIES,
    XCB_LIBRARIES,
    import_problem,
    install_line,
    platform_problem,
    uses_xcb,
)

README = Path(__file__).resolve().parent.parent / "README.md"
PRESENT = {"libc.so.6": "libc6"}  # loaded by every process here
FAKE_MISSING = {"libphoto-annotator-test-a.so.3": "fake-xcb-a3",
                "libphoto-annotator-test-b.so.1": "fake-xcb-b1"}


def test_every_missing_xcb_library_is_named_in_one_line_with_its_install_command() -> None:
    problem = platform_problem({"DISPLAY": ":0"}, {**PRESENT, **FAKE_MISSING})

    assert problem is not None and "\n" not in problem
    for soname in FAKE_MISSING:
        assert soname in problem
    assert "sudo apt-get install fake-xcb-a3 fake-xcb-b1" in problem  # one command for all of them
    assert "libc" not in problem  # what loads is not asked for


def test_no_complaint_when_the_libraries_load_or_xcb_is_not_used() -> None:
    assert platform_problem({"DISPLAY": ":0"}, PRESENT) is None
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, FAKE_MISSING) is None
    wayland = {"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "wayland-0"}
    assert platform_problem(wayland, FAKE_MISSING) is None


@pytest.mark.parametrize(("environ", "expected"), [
    ({"DISPLAY": ":0"}, True),
    ({}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "xcb:no_shm;offscreen"}, True),
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, False),
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, False),
    ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, True),  # no compositor to talk to
])
def test_xcb_is_expected_where_qt_would_choose_it(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: bool
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert uses_xcb(environ) is expected


def test_xcb_is_never_expected_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not uses_xcb({"DISPLAY": ":0"})
    assert platform_problem({"DISPLAY": ":0"}, FAKE_MISSING) is None


def test_the_plugin_needs_nothing_the_check_does_not_know() -> None:
    # The shared objects Qt's xcb plugin links, read from the plugin of the installed PySide6.
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        pytest.skip("this PySide6 has no xcb plugin (not Linux)")
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    dynamic = subprocess.run(["readelf", "-d", str(plugin)], capture_output=True, text=True, check=True)
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic.stdout))
    system = {name for name in needed if not name.startswith(("libQt6", "libc.", "libm.", "libstdc++",
                                                                  "libgcc_s", "ld-linux"))}
    assert system <= set(XCB_LIBRARIES) | set(QT_LIBRARIES)


def test_the_readme_install_line_holds_every_package_the_check_may_ask_for() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("## System libraries on Linux"):]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    listed = set(block.replace("\\\n", " ").split("apt-get install", 1)[1].split())
    assert set(XCB_LIBRARIES.values()) | set(QT_LIBRARIES.values()) <= listed


def test_an_import_of_qt_that_fails_for_a_library_names_every_missing_one() -> None:
    error = ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
    problem = import_problem(error, {**PRESENT, **FAKE_MISSING, "libEGL.so.1": "libegl1"})

    assert "\n" not in problem
    # The one the import stumbled on (even if it loads now) and the others that are missing.
    assert all(soname in problem for soname in ["libEGL.so.1", *FAKE_MISSING])
    assert install_line(["fake-xcb-a3", "fake-xcb-b1", "libegl1"]) in problem
    assert "libc" not in problem


def test_gui_prints_the_install_line_instead_of_aborting(tmp_path: Path) -> None:
    db = tmp_path / "catalogue.db"
    script = (
        "import sys\n"
        "from desktop_app.ui import qt_check\n"
        f"qt_check.XCB_LIBRARIES.update({FAKE_MISSING!r})\n"
        "from desktop_app.cli.main import main\n"
        f"main(['gui', '--db', {str(db)!r}])\n"
    )
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env["DISPLAY"] = ":99"  # no X server there either: Qt would abort on that too
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                            timeout=120, check=False)

    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("photo-annotator: error: Qt's X11 platform (xcb) needs system libraries")
    assert all(soname in line for soname in FAKE_MISSING)
    assert "sudo apt-get install" in line and "fake-xcb-a3" in line and "fake-xcb-b1" in line
    assert not db.exists()  # nothing was started


def test_gui_says_in_one_line_when_qt_cannot_be_imported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.cli.main import main

    monkeypatch.setitem(sys.modules, "desktop_app.ui.app", None)  # importing it raises ImportError
    with pytest.raises(SystemExit) as exited:
        main(["gui"])
    assert exited.value.code == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("photo-annotator: error: cannot load Qt: ")


def test_the_check_module_loads_no_qt_library() -> None:
    # So that it can explain a Qt that cannot load: importing it must not need Qt's libraries.
    result = subprocess.run(
        [sys.executable, "-c", "import sys, desktop_app.ui.qt_check; "
                               "print(any(name.startswith('PySide6.Qt') for name in sys.modules))"],
        capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"
    assert qt_check.binding_problem() is None
