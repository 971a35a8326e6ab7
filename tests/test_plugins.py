"""Plugins: built-in list and entry points, isolation of broken plugins, the README example, the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop_app.catalogue import Catalogue
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import UnknownCaptionerError, UnknownTaggerError, load_plugins
from tests.plugins.fake_captioners import FixedCaptioner

README = Path(__file__).resolve().parents[1] / "README.md"
GOOD = ["tests.plugins.fake_captioners", "tests.plugins.good_embedder"]


def install_distribution(site: Path, package: str, code: str, pyproject: str) -> None:
    """Install a plugin as pip would, minus pip: the package and a .dist-info with its entry points."""
    project = tomllib.loads(pyproject)["project"]
    (site / package).mkdir(parents=True)
    (site / package / "__init__.py").write_text(code)
    dist_info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    groups = project["entry-points"]
    (dist_info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
        for group, points in groups.items()
    ))


def readme_example() -> tuple[str, str]:
    text = README.read_text()
    code = re.search(r"```python\n(# photo_annotator_colour/__init__.py\n.*?)```", text, re.S).group(1)
    toml = re.search(r"```toml\n# pyproject.toml\n(.*?)```", text, re.S).group(1)
    return code, toml


@pytest.fixture
def colour_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    install_distribution(site, "photo_annotator_colour", *readme_example())
    monkeypatch.syspath_prepend(str(site))
    return site


def test_working_plugins_offer_their_captioners_and_embedders() -> None:
    registry = load_plugins(GOOD, entry_points=False)
    assert [(p.name, p.status, p.captioners, p.embedders) for p in registry.plugins] == [
        ("fake-captioners", "loaded", ["fixed"], []),
        ("good-embedder", "loaded", [], ["hashed-words"]),
    ]
    captioner = registry.get_captioner("fixed")
    assert captioner.caption([Image.new("RGB", (8, 8))], {})[0].text == "a photo"
    vectors = registry.get_embedder("hashed-words").embed_texts(["a dog on grass", ""])
    assert vectors.shape == (2, 64) and np.isclose(np.linalg.norm(vectors[0]), 1.0)
    with pytest.raises(UnknownCaptionerError, match="no captioner 'nope' \\(available: fixed\\)"):
        registry.get_captioner("nope")


@pytest.mark.parametrize(
    ("module", "error"),
    [
        ("tests.plugins.broken_import", "cannot be imported: ModuleNotFoundError: No module named"),
        ("tests.plugins.raising_hook", "register_captioners raised RuntimeError: model table is corrupt"),
        ("tests.plugins.wrong_type", "register_captioners registered 'str', not a Captioner"),
        ("tests.plugins.bad_signature", "invalid hook implementation"),
        ("tests.plugins.duplicate_id",
         "captioner id 'fixed' is already registered by plugin 'fake-captioners'"),
        ("tests.plugins.exits_at_import", "cannot be imported: SystemExit: 3"),
        ("tests.plugins.exiting_hook", "register_captioners raised SystemExit: no GPU, giving up"),
        ("tests.plugins.needs_an_argument",
         "captioner 'needs-an-endpoint' breaks the construction contract: type(instance)(model=...) raised "
         "TypeError: NeedsAnEndpoint.__init__() missing 1 required positional argument: 'endpoint'"),
        ("tests.plugins.ignores_the_model",
         "captioner 'always-its-own-model' breaks the construction contract: "
         "type(instance)(model='photo-annotator/construction-check') built a AlwaysItsOwnModel with id "
         "'always-its-own-model' and model 'test/always-this-one'"),
        ("tests.plugins.unpicklable",
         "embedder 'local-hashed-words' cannot be pickled (by class and model): "),
        ("tests.plugins.broken_tagger",
         "tagger 'needs-a-vocabulary-file' breaks the construction contract: type(instance)(model=...) "
         "raised TypeError: NeedsAVocabularyFile.__init__() missing 1 required positional argument: 'path'"),
        ("tests.plugins.loses_its_model_when_pickled",
         "captioner 'forgetful' does not survive pickling: it came back as a ForgetfulCaptioner with id "
         "'forgetful' and model 'test/fixed'"),
    ],
)
def test_a_broken_plugin_is_recorded_and_skipped_and_the_rest_load(module: str, error: str) -> None:
    registry = load_plugins([GOOD[0], module, GOOD[1]], entry_points=False)
    broken = registry.plugins[1]
    assert broken.status == "failed" and error in broken.error
    assert "\n" not in broken.error and broken.captioners == []
    assert [p.status for p in registry.plugins] == ["loaded", "failed", "loaded"]
    assert sorted(registry.captioners) == ["fixed"] and sorted(registry.embedders) == ["hashed-words"]
    assert registry.captioners["fixed"].__module__ == "tests.plugins.fake_captioners"


def test_a_plugin_offers_a_tagger_and_a_broken_tagger_plugin_fails_alone() -> None:
    registry = load_plugins([*GOOD, "tests.plugins.broken_tagger", "tests.plugins.good_tagger"],
                            entry_points=False)
    assert [(p.name, p.status, p.taggers) for p in registry.plugins] == [
        ("fake-captioners", "loaded", []), ("good-embedder", "loaded", []),
        ("broken-tagger", "failed", []), ("good-tagger", "loaded", ["caption-words"])]
    assert registry.plugins[3].hooks == ["register_taggers"]
    assert sorted(registry.taggers) == ["caption-words"] and sorted(registry.captioners) == ["fixed"]
    assert registry.get_tagger("caption-words").default_top_n == 5
    with pytest.raises(UnknownTaggerError, match="no tagger 'nope' \\(available: caption-words\\)"):
        registry.get_tagger("nope")


def readme_tagger_example() -> tuple[str, str]:
    text = README.read_text()
    code = re.search(r"```python\n(# photo_annotator_colour_tags/__init__.py\n.*?)```", text, re.S)
    toml = re.search(r"```toml\n# pyproject.toml of photo-annotator-colour-tags\n(.*?)```", text, re.S)
    assert code and toml, "README has no complete tagger example"
    return code.group(1), toml.group(1)
    return code, toml


def test_the_readme_tagger_example_suggests_keywords_in_a_job_through_a_real_entry_point(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalogue: Catalogue, scanner: Scanner) -> None:
    from desktop_app.captioning.engine import CaptionEngine
    from desktop_app.services import jobs
    from tests.tagging_samples import keywords, make_vocabulary

    site = tmp_path / "site"
    install_distribution(site, "photo_annotator_colour_tags", *readme_tagger_example())
    monkeypatch.syspath_prepend(str(site))
    registry = load_plugins([])
    (info,) = [p for p in registry.plugins if p.name == "colour-tags"]
    assert (info.source, info.version, info.status, info.taggers) == ("entry point", "1.0", "loaded",
                                                                     ["colour-tags"])
    make_vocabulary(catalogue, "colours", [("Red", ["crimson"], None), ("Blue", [], None),
                                                   ("Dogs", ["dog"], None)])
    shots = tmp_path / "shots"
    shots.mkdir()
    Image.new("RGB", (40, 30), (190, 30, 35)).save(shots / "a-red.png")
    Image.new("RGB", (40, 30), (30, 70, 210)).save(shots / "b-blue.png")
    scanner.scan(shots)
    runner = jobs.make_runner(catalogue, CaptionEngine(registry, device="cpu"))
    photo_ids = jobs.queue_tag_folder_job(runner, "colour-tags", str(shots)).total
    assert photo_ids == 2
    ended = jobs.run_job(runner, jobs.unfinished_jobs(catalogue)[0])
    assert ended.state.value == "done" and ended.done == 2
    found = [(label, evidence) for _photo, label, _state, _score, tagger, evidence in keywords(catalogue)]
    assert found == [("Red", ("Red",)), ("Blue", ("Blue",))]


def test_ctrl_c_while_a_plugin_loads_stops_the_program() -> None:
    with pytest.raises(KeyboardInterrupt):
        load_plugins([GOOD[0], "tests.plugins.interrupted_import"], entry_points=False)


class _ExitingCaptioner(FixedCaptioner):
    """Calls sys.exit() when it meets a 13-pixel-wide image, or on load when its model says so."""

    def load(self, device, dtype):
        if self.model == "test/exits-on-load":
            sys.exit(5)

    def caption(self, images, options):
        if any(image.width == 13 for image in images):
            sys.exit(4)
        return super().caption(images, options)


def test_a_captioner_calling_sys_exit_fails_its_images_not_the_program(tmp_path: Path) -> None:
    from desktop_app.captioning.engine import CaptionEngine, WorkItem
    from desktop_app.plugin_registry import PluginCodeError, PluginRegistry

    registry = PluginRegistry([], {"fixed": _ExitingCaptioner()}, {})
    paths = []
    for number, width in enumerate((20, 13, 20)):
        paths.append(tmp_path / f"{number}.png")
        Image.new("RGB", (width, 10)).save(paths[-1])
    engine = CaptionEngine(registry, device="cpu", batch_size=3)
    outcomes = list(engine.run("fixed", [WorkItem(n, str(path)) for n, path in enumerate(paths)]))
    assert [o.result.text if o.result else None for o in outcomes] == ["a photo", None, "a photo"]
    assert outcomes[1].error == "captioning failed: SystemExit: 4"
    with pytest.raises(PluginCodeError, match=r"^SystemExit: 5$"):
        engine.captioner("fixed", "test/exits-on-load")


# A captioner the engine could not rebuild: its constructor needs more than the model.
NEEDY_PLUGIN = """
from desktop_app.plugin_api import Captioner, CaptionerKind, hookimpl


class Needy(Captioner):
    id = name = description = "needy"
    kind = CaptionerKind.CAPTION
    default_model = "someone/needy"

    def __init__(self, endpoint, model=None):
        super().__init__(model)

    def load(self, device, dtype): ...
    def unload(self): ...
    def caption(self, images, options): ...


@hookimpl
def register_captioners(register):
    register(Needy("http://localhost:9000"))
"""


def test_plugins_calling_sys_exit_or_breaking_the_contract_are_listed_as_failed_and_the_others_work(
        colour_plugin: Path, tmp_path: Path) -> None:
    install_distribution(colour_plugin, "photo_annotator_quitter", "import sys\nsys.exit(3)\n",
                         '[project]\nname = "quitter"\nversion = "0.1"\n'
                         '[project.entry-points.photo_annotator]\nquitter = "photo_annotator_quitter"\n')
    install_distribution(colour_plugin, "photo_annotator_needy", NEEDY_PLUGIN,
                         '[project]\nname = "needy"\nversion = "0.2"\n'
                         '[project.entry-points.photo_annotator]\nneedy = "photo_annotator_needy"\n')
    script = Path(sys.executable).with_name("photo-annotator")
    env = {**os.environ, "PYTHONPATH": str(colour_plugin)}
    listed = subprocess.run([str(script), "plugins"], capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "quitter 0.1 (entry point) failed: cannot be imported: SystemExit: 3" in listed.stdout
    assert ("needy 0.2 (entry point) failed: captioner 'needy' breaks the construction contract: "
            "type(instance)(model=...) raised TypeError: ") in listed.stdout
    assert "colour 1.0 (entry point) loaded" in listed.stdout
    Image.new("RGB", (30, 20), (190, 30, 35)).save(tmp_path / "red.png")
    captioned = subprocess.run(
        [str(script), "caption", str(tmp_path / "red.png"), "--captioner", "dominant-colour", "--json",
         "--db", str(tmp_path / "catalogue.db")], capture_output=True, text=True, env=env, timeout=120)
    assert captioned.returncode == 0, captioned.stderr
    assert "A mostly red photo." in captioned.stdout


def test_environment_limits_which_plugins_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTO_ANNOTATOR_PLUGINS", "good-embedder")
    registry = load_plugins(GOOD, entry_points=False)
    assert [(p.name, p.status) for p in registry.plugins] == [
        ("fake-captioners", "disabled"), ("good-embedder", "loaded")]
    assert registry.captioners == {}
    monkeypatch.setenv("PHOTO_ANNOTATOR_PLUGINS", "")
    assert load_plugins(GOOD, entry_points=False).embedders == {}


def test_the_readme_example_plugin_works_through_a_real_entry_point(colour_plugin: Path) -> None:
    registry = load_plugins([])
    (info,) = [p for p in registry.plugins if p.name == "colour"]
    assert (info.source, info.version, info.status, info.captioners) == (
        "entry point", "1.0", "loaded", ["dominant-colour"])
    captioner = registry.get_captioner("dominant-colour")
    captioner.load("cpu", None)
    options = captioner.option_defaults()
    results = captioner.caption([Image.new("RGB", (40, 30), (190, 30, 35)),
                                 Image.new("RGB", (40, 30), (30, 70, 210))], options)
    assert [r.text for r in results] == ["A mostly red photo.", "A mostly blue photo."]


def test_plugins_command_lists_plugins_and_their_models(colour_plugin: Path) -> None:
    script = Path(sys.executable).with_name("photo-annotator")
    env = {**os.environ, "PYTHONPATH": str(colour_plugin)}
    result = subprocess.run([str(script), "plugins", "--json"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    hooks = {r["name"]: r["plugins"] for r in rows if r["type"] == "hook"}
    assert set(hooks) == {"register_captioners", "register_embedders", "register_taggers"}
    assert "clip" in hooks["register_taggers"] and "colour" not in hooks["register_taggers"]
    assert "colour" in hooks["register_captioners"] and "colour" not in hooks["register_embedders"]
    plugin = next(r for r in rows if r["type"] == "plugin" and r["name"] == "colour")
    assert plugin["hooks"] == ["register_captioners"]
    assert plugin["version"] == "1.0" and plugin["status"] == "loaded" and plugin["error"] is None
    captioner = next(r for r in rows if r["type"] == "captioner" and r["id"] == "dominant-colour")
    assert captioner["plugin"] == "colour" and captioner["kind"] == "caption"
    assert captioner["options"] == [
        {"name": "prefix", "type": "str", "default": "A mostly", "help": "Words before the colour name.",
         "choices": []}]
    tagger = next(r for r in rows if r["type"] == "tagger" and r["id"] == "clip-zero-shot")
    assert tagger["plugin"] == "clip" and tagger["inputs"] == ["pixels"]
    text = subprocess.run([str(script), "plugins"], capture_output=True, text=True, env=env, timeout=60)
    assert "colour 1.0 (entry point) loaded" in text.stdout and "dominant-colour" in text.stdout
    assert "Taggers:\n  clip-zero-shot " in text.stdout


def test_loading_plugins_imports_no_torch() -> None:
    code = (
        "import sys\n"
        "from desktop_app.plugin_registry import load_plugins\n"
        "load_plugins()\n"
        "print(sorted(m for m in ('torch', 'transformers', 'PySide6') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr
