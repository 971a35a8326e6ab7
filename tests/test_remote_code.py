"""No code from a model folder ever runs: a model that needs its own Python code is refused in one line,
before transformers sees it, even on a terminal where someone would answer "y" to transformers' prompt."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.plugin_api.hf import RemoteCodeError, load_pretrained, refuse_remote_code
from tests import photo_files

SCRIPT = Path(sys.executable).with_name("photo-annotator")
# Each file a model folder may declare its own classes in, and the Auto class transformers reads it for.
DECLARING_FILES = {
    "config.json": "AutoConfig",
    "tokenizer_config.json": "AutoTokenizer",
    "preprocessor_config.json": "AutoImageProcessor",
    "processor_config.json": "AutoProcessor",
}


def with_remote_code(clean: Path, folder: Path, marker: Path,
                     declared_in: str = "tokenizer_config.json") -> Path:
    """A copy of ``clean`` whose ``declared_in`` maps an Auto class to a Python file in the folder that,
    once imported, writes ``marker``."""
    shutil.copytree(clean, folder)
    (folder / "custom_code.py").write_text(
        "from pathlib import Path\n"
        f"Path({str(marker)!r}).write_text('model folder code ran')\n"
        "from transformers import PreTrainedTokenizerFast, ViTImageProcessor, PretrainedConfig\n"
        "class CustomTokenizer(PreTrainedTokenizerFast):\n    pass\n"
        "class CustomImageProcessor(ViTImageProcessor):\n    pass\n"
        "class CustomConfig(PretrainedConfig):\n    model_type = 'custom'\n"
    )
    path = folder / declared_in
    settings = json.loads(path.read_text()) if path.exists() else {}
    target = {"AutoTokenizer": ["custom_code.CustomTokenizer", None]}.get(
        DECLARING_FILES[declared_in], "custom_code.CustomImageProcessor")
    if declared_in == "config.json":
        target = "custom_code.CustomConfig"
    settings["auto_map"] = {DECLARING_FILES[declared_in]: target}
    # Classes transformers does not have, as in real models with code of their own: with a native class
    # named, transformers would use it and never ask.
    own_class = {"config.json": ("model_type", "custom"),
                 "tokenizer_config.json": ("tokenizer_class", "CustomTokenizer"),
                 "preprocessor_config.json": ("image_processor_type", "CustomImageProcessor"),
                 "processor_config.json": ("processor_class", "CustomProcessor")}[declared_in]
    settings[own_class[0]] = own_class[1]
    path.write_text(json.dumps(settings))
    return folder


def scanned_catalogue(tmp_path: Path) -> str:
    """A catalogue holding one photo (and its caption, for embed to embed)."""
    db = str(tmp_path / "catalogue.db")
    photo = photo_files.jpeg(tmp_path / "photos" / "a.jpg", seed=1, size=(48, 36))
    for args in (["scan", str(photo.parent)], ["edit", str(photo), "--text", "a dog on the beach"]):
        done = subprocess.run([str(SCRIPT), *args, "--db", db], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    return db


def run_on_terminal(args: list[str], answer: bytes = b"y\n", timeout: float = 180) -> tuple[int, str]:
    """Run ``args`` with a pseudo-terminal as stdin, stdout and stderr, having typed ``answer`` ahead
    (as a user at the terminal would answer a prompt); the exit status and everything it printed."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: its standard streams are the terminal
        try:
            os.execv(args[0], args)
        finally:
            os._exit(127)
    os.write(terminal, answer)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # EIO: the child has ended and closed the terminal
            break
        if not chunk:
            break
        output += chunk
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace").replace("\r\n", "\n")


def test_caption_on_a_terminal_refuses_a_model_folder_with_its_own_code(vit_gpt2_folder: Path,
                                                                          tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    folder = with_remote_code(vit_gpt2_folder, tmp_path / "custom-model", marker)
    db = scanned_catalogue(tmp_path)
    status, output = run_on_terminal([str(SCRIPT), "caption", str(tmp_path / "photos" / "a.jpg"),
                                      "--captioner", "encoder-decoder", "--model", str(folder), "--db", db])
    assert not marker.exists(), output
    assert status == 1, output
    assert (f"model folder {folder} needs its own Python code (auto_map in tokenizer_config.json), which "
            "Photo Annotator never runs; use a model that transformers supports natively") in output
    assert "[y/N]" not in output and "custom code" not in output and "Traceback" not in output


def test_embed_on_a_terminal_refuses_a_model_folder_with_its_own_code(vit_gpt2_folder: Path,
                                                                        tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    folder = with_remote_code(vit_gpt2_folder, tmp_path / "custom-model", marker)
    db = scanned_catalogue(tmp_path)
    status, output = run_on_terminal([str(SCRIPT), "embed", "--model", str(folder), "--db", db])
    assert not marker.exists(), output
    assert status == 1, output
    assert f"model folder {folder} needs its own Python code (auto_map in tokenizer_config.json)" in output
    assert "[y/N]" not in output and "Traceback" not in output


@pytest.mark.parametrize("declared_in", list(DECLARING_FILES))
def test_every_loader_refuses_a_folder_that_declares_its_own_classes(vit_gpt2_folder: Path, tmp_path: Path,
                                                                     declared_in: str) -> None:
    from transformers import AutoImageProcessor, AutoTokenizer, VisionEncoderDecoderModel

    marker = tmp_path / "ran"
    folder = with_remote_code(vit_gpt2_folder, tmp_path / "custom-model", marker, declared_in)
    for loader in (AutoTokenizer, AutoImageProcessor, VisionEncoderDecoderModel):
        with pytest.raises(RemoteCodeError) as refused:
            load_pretrained(loader, str(folder), None)
        assert str(refused.value) == (
            f"model folder {folder} needs its own Python code (auto_map in {declared_in}), which Photo "
            "Annotator never runs; use a model that transformers supports natively")
    assert not marker.exists()


def test_custom_pipelines_are_refused_too(vit_gpt2_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "custom-model"
    shutil.copytree(vit_gpt2_folder, folder)
    config = json.loads((folder / "config.json").read_text())
    config["custom_pipelines"] = {"image-to-text": {"impl": "pipeline_custom.CaptionPipeline"}}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(RemoteCodeError, match=r"\(custom_pipelines in config\.json\)"):
        refuse_remote_code(str(folder), None)


def test_a_hub_model_in_the_cache_is_checked_the_same_way(vit_gpt2_folder: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A downloaded model sits in the hub cache as models--ORG--NAME/snapshots/REVISION/."""
    cache = tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(cache))
    repo = cache / "models--someone--custom-captioner"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0123456789abcdef0123456789abcdef01234567")
    snapshot = repo / "snapshots" / "0123456789abcdef0123456789abcdef01234567"
    marker = tmp_path / "ran"
    with_remote_code(vit_gpt2_folder, snapshot, marker, "preprocessor_config.json")
    from transformers import AutoImageProcessor

    with pytest.raises(RemoteCodeError) as refused:
        load_pretrained(AutoImageProcessor, "someone/custom-captioner", None)
    assert str(refused.value).startswith(
        "model someone/custom-captioner needs its own Python code (auto_map in preprocessor_config.json)")
    assert not marker.exists()


def test_a_model_without_its_own_code_loads(vit_gpt2_folder: Path) -> None:
    from transformers import AutoTokenizer

    refuse_remote_code(str(vit_gpt2_folder), None)  # nothing to refuse
    assert load_pretrained(AutoTokenizer, str(vit_gpt2_folder), None).eos_token == "<|endoftext|>"


def test_every_from_pretrained_goes_through_load_pretrained() -> None:
    """load_pretrained is the one place that passes trust_remote_code=False and checks the folder first:
    no other code of the app calls a transformers from_pretrained around it."""
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in [*(root / "desktop_app").rglob("*.py"), *(root / "plugins").rglob("*.py")]:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if ".from_pretrained(" in line and "loader.from_pretrained(" not in line:
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


def test_every_plugin_the_trainer_and_the_embedders_refuse_it(vit_gpt2_folder: Path, tmp_path: Path) -> None:
    from desktop_app.training.trainer import trainable_model_type
    from plugins.clip import ClipEmbedder
    from plugins.encoder_decoder import EncoderDecoderCaptioner
    from plugins.generic import GenericCaptioner
    from plugins.medical_report import MedicalReportCaptioner
    from plugins.minilm import MiniLMEmbedder
    from plugins.product_description import ProductDescriptionCaptioner

    marker = tmp_path / "ran"
    folder = str(with_remote_code(vit_gpt2_folder, tmp_path / "custom-model", marker, "config.json"))
    for captioner_class in (EncoderDecoderCaptioner, GenericCaptioner, MedicalReportCaptioner,
                            ProductDescriptionCaptioner):
        with pytest.raises(RemoteCodeError, match=r"auto_map in config\.json"):
            captioner_class(folder).load("cpu", "float32")
    for embedder_class in (ClipEmbedder, MiniLMEmbedder):
        with pytest.raises(RemoteCodeError, match=r"auto_map in config\.json"):
            embedder_class(folder).load("cpu")
    with pytest.raises(RemoteCodeError, match=r"auto_map in config\.json"):
        trainable_model_type(EncoderDecoderCaptioner(folder), folder)
    assert not marker.exists()


def test_transformers_refusing_remote_code_is_one_line_too(vit_gpt2_folder: Path) -> None:
    """Files fetched while loading (a first download) are checked after; should transformers itself refuse
    first, its refusal becomes the same kind of one-line error, not an unexpected failure."""
    passed: dict[str, object] = {}

    class Refusing:
        @staticmethod
        def from_pretrained(path: str, **kwargs: object) -> None:
            passed.update(kwargs)
            raise ValueError("The repository contains custom code which must be executed to correctly load "
                             "the model. Please pass the argument `trust_remote_code=True`.")

    with pytest.raises(RemoteCodeError) as refused:
        load_pretrained(Refusing, str(vit_gpt2_folder), None, trust_remote_code=True)
    assert str(refused.value) == (f"model folder {vit_gpt2_folder} needs its own Python code (auto_map in "
                                  "its config), which Photo Annotator never runs; use a model that "
                                  "transformers supports natively")
    assert passed["trust_remote_code"] is False  # whatever the caller asked for
