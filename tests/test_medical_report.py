"""The medical-report captioner: X-rays as DICOM, PNG and JPEG, the research-draft notice everywhere
it is shown, clear refusals of what is not an image, and readable report text.

Models are tiny random-weight folders, so reports are nonsense words; every code path (DICOM
windowing, greyscale conversion, processor, generate, decoding, storage, display) is the real one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from desktop_app.captioning.engine import CaptionEngine, WorkItem, decode_for
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.photos import find_photo, photo_json, photo_with_history
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_api.captioner import CaptionerKind, InputKind
from desktop_app.plugin_registry import load_plugins
from plugins.medical_report import NOTICE, MedicalReportCaptioner, generation_token_ids, tidy_report
from tests import photo_files
from tests.cli_helpers import run_cli

TOKENS = 8  # short reports keep the tests fast
# A 16-bit X-ray's window: values below LOW show black, above HIGH white.
WINDOW_CENTER, WINDOW_WIDTH = 1500, 2000
LOW, HIGH = WINDOW_CENTER - WINDOW_WIDTH // 2, WINDOW_CENTER + WINDOW_WIDTH // 2


# --- X-ray-like images and files -------------------------------------------------------------------

def xray_values(width: int = 80, height: int = 96) -> np.ndarray:
    """12-bit values of a chest-like picture: bright body and spine, dark lungs, air around."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    cx, cy = width / 2, height / 2
    values = np.full((height, width), 200.0)  # air outside the body
    values[((x - cx) / (width * 0.46)) ** 2 + ((y - cy) / (height * 0.48)) ** 2 <= 1] = 2400.0  # body
    for side in (-1, 1):  # lungs
        lung = ((x - cx - side * width * 0.2) / (width * 0.15)) ** 2 + ((y - cy + 4) / (height * 0.33)) ** 2
        values[lung <= 1] = 900.0
    values[:, int(cx) - 3:int(cx) + 3] = 3900.0  # spine
    values += np.linspace(0, 150, width)[None, :]  # a gentle exposure gradient
    return values.round().astype(np.uint16)


def windowed(values: np.ndarray) -> np.ndarray:
    """The 8-bit image a viewer shows for ``values`` through the window."""
    scaled = (values.astype(np.float64) - LOW) * 255.0 / (HIGH - LOW)
    return np.clip(scaled, 0, 255).round().astype(np.uint8)


def xray_dicom(path: Path, photometric: str = "MONOCHROME2", pixels: bool = True) -> Path:
    """A 16-bit (12 bits stored) DX DICOM file with a VOI window; MONOCHROME1 stores the values
    inverted (high is dark), so both kinds should look the same once decoded."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import (
        BasicTextSRStorage,
        DigitalXRayImageStorageForPresentation,
        ExplicitVRLittleEndian,
        generate_uid,
    )

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DigitalXRayImageStorageForPresentation if pixels else BasicTextSRStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    dataset.SOPClassUID = meta.MediaStorageSOPClassUID
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.PatientName = "Test^Chest"
    dataset.StudyDate = "20240102"
    if pixels:
        dataset.Modality = "DX"
        values = xray_values()
        center = WINDOW_CENTER
        if photometric == "MONOCHROME1":
            values, center = (4095 - values).astype(np.uint16), 4095 - WINDOW_CENTER
        dataset.Rows, dataset.Columns = values.shape
        dataset.SamplesPerPixel = 1
        dataset.PhotometricInterpretation = photometric
        dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit = 16, 12, 11
        dataset.PixelRepresentation = 0
        dataset.WindowCenter, dataset.WindowWidth = center, WINDOW_WIDTH
        dataset.PixelData = values.tobytes()
    else:  # a structured report: a DICOM file with no image in it
        dataset.Modality = "SR"
        dataset.ContentDate = "20240102"
    path.parent.mkdir(parents=True, exist_ok=True)
    dataset.save_as(path, enforce_file_format=True)
    return path


def xray_library(root: Path) -> dict[str, Path]:
    """The same X-ray as DICOM (both photometric kinds), 16-bit PNG, 8-bit PNG and greyscale JPEG."""
    values = xray_values()
    return {
        "mono2": xray_dicom(root / "dicom" / "chest-m2.dcm", "MONOCHROME2"),
        "mono1": xray_dicom(root / "dicom" / "chest-m1.dcm", "MONOCHROME1"),
        "png16": photo_files.save(Image.fromarray(values), root / "png" / "chest-16bit.png"),
        "png8": photo_files.save(Image.fromarray(windowed(values), "L"), root / "png" / "chest.png"),
        "jpeg": photo_files.save(Image.fromarray(windowed(values), "L"), root / "jpeg" / "chest.jpg",
                                 quality=92),
    }


@pytest.fixture(scope="session")
def captioner(vit_gpt2_folder: Path) -> MedicalReportCaptioner:
    loaded = MedicalReportCaptioner(str(vit_gpt2_folder))
    loaded.load("cpu", "float32")  # exact comparisons: the number format pinned, not the CPU's
    return loaded


@pytest.fixture
def xrays(tmp_path: Path) -> dict[str, Path]:
    return xray_library(tmp_path / "xrays")


# --- the captioner ----------------------------------------------------------------------------------

def test_medical_report_is_a_built_in_captioner_for_photos_and_dicom() -> None:
    captioner = load_plugins().get_captioner("medical-report")
    assert isinstance(captioner, MedicalReportCaptioner)
    assert captioner.kind is CaptionerKind.MEDICAL_REPORT
    assert captioner.inputs == {InputKind.PHOTO, InputKind.DICOM}
    assert captioner.model == "IAMJB/chexpert-mimic-cxr-findings-baseline"
    described = captioner.describe()
    assert described["inputs"] == ["dicom", "photo"]
    assert {o["name"]: o["default"] for o in described["options"]}["max_new_tokens"] == 128
    assert "research" in NOTICE and "not for diagnosis" in NOTICE and "\n" not in NOTICE


def test_dicom_png_and_jpeg_xrays_are_captioned_each_with_the_notice(vit_gpt2_folder: Path,
                                                                      xrays: dict[str, Path]) -> None:
    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=3)
    items = [WorkItem(name, str(path)) for name, path in xrays.items()]
    outcomes = list(engine.run("medical-report", items, model=str(vit_gpt2_folder),
                               options={"max_new_tokens": TOKENS}))
    assert [o.item.key for o in outcomes] == list(xrays)
    for outcome in outcomes:
        assert outcome.error is None, (outcome.item.key, outcome.error)
        assert outcome.result.text and outcome.result.notice == NOTICE
        assert outcome.result.model_id == str(vit_gpt2_folder) and 0 < outcome.result.confidence <= 1
    engine.unload()


def test_the_model_sees_dicom_windowed_and_monochrome1_the_right_way_round(
    captioner: MedicalReportCaptioner, xrays: dict[str, Path]
) -> None:
    seen = {name: decode_for(captioner, str(xrays[name]))[0] for name in ("mono2", "mono1", "png8")}
    assert all(image is not None and image.mode == "RGB" for image in seen.values())
    pixels = {name: np.asarray(image, dtype=np.int16) for name, image in seen.items()}
    assert (pixels["mono2"][..., 0] == pixels["mono2"][..., 2]).all()  # grey in all three channels
    # The window is applied (air and lungs black, spine white) and MONOCHROME1 is inverted back.
    assert np.abs(pixels["mono2"] - pixels["png8"]).max() <= 2
    assert np.abs(pixels["mono1"] - pixels["mono2"]).max() <= 2
    reports = captioner.caption(list(seen.values()), {"max_new_tokens": TOKENS})
    assert reports[0].text == reports[2].text  # the same X-ray, stored as DICOM or as PNG


def test_a_batch_reads_like_one_by_one_and_greyscale_images_work(captioner: MedicalReportCaptioner) -> None:
    values = xray_values()
    images = [
        Image.fromarray(windowed(values), "L"),
        Image.fromarray(values),  # 16-bit greyscale, as a caller might pass it
        Image.fromarray(windowed(values), "L").convert("RGB"),
        photo_files.picture(96, 72, seed=1, mode="L"),
        photo_files.picture(96, 72, seed=2),
    ]
    assert images[1].mode == "I;16"
    batch = captioner.caption(images, {"max_new_tokens": TOKENS})
    alone = [captioner.caption([image], {"max_new_tokens": TOKENS})[0] for image in images]
    assert [r.text for r in batch] == [r.text for r in alone]
    assert all(r.text and r.notice == NOTICE for r in batch + alone)
    assert batch[0].text == batch[2].text  # "L" is read as its grey-in-RGB equivalent


def test_a_bert_decoder_starts_from_cls_and_stops_at_sep(vit_bert_folder: Path) -> None:
    captioner = MedicalReportCaptioner(str(vit_bert_folder))
    captioner.load("cpu", "float32")
    tokenizer, generation = captioner.tokenizer, captioner.network.generation_config
    # Like the default model: the tokenizer has no end-of-text token, the settings no start or end.
    assert tokenizer.eos_token_id is None and generation.decoder_start_token_id is None
    assert captioner._generation_extras({}) == {
        "decoder_start_token_id": tokenizer.cls_token_id, "eos_token_id": tokenizer.sep_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    images = [Image.fromarray(windowed(xray_values()), "L"), photo_files.picture(64, 64, seed=3, mode="L")]
    for result in captioner.caption(images, {"max_new_tokens": 12}):
        assert result.text and result.notice == NOTICE
        assert "[" not in result.text and " ." not in result.text and result.text[0].isupper()

    # Make [SEP] the model's first choice: generation ends there, after one token.
    import torch

    with torch.no_grad():
        captioner.network.decoder.cls.predictions.bias[tokenizer.sep_token_id] = 1e4
    pixels = captioner._inputs(images[:1], {})[0]
    generated = captioner.network.generate(**pixels, max_new_tokens=12, **captioner._generation_extras({}))
    assert generated.tolist() == [[tokenizer.cls_token_id, tokenizer.sep_token_id]]
    captioner.unload()


def test_the_models_own_start_and_end_tokens_win() -> None:
    class Settings:
        decoder_start_token_id, eos_token_id, pad_token_id = 7, [8, 9], None

    class Tokenizer:
        cls_token_id, eos_token_id, sep_token_id, pad_token_id = 2, None, 3, 0

    assert generation_token_ids(Settings(), Tokenizer()) == {
        "decoder_start_token_id": 7, "eos_token_id": [8, 9], "pad_token_id": 0}


@pytest.mark.parametrize(("decoded", "shown"), [
    ("compared to prior from _ _ _, the lungs are clear.",
     "Compared to prior from ___, the lungs are clear."),
    ("heart size normal ( 1 / 1 ) - there ' s no effusion : clear.",
     "Heart size normal (1/1) - there's no effusion: clear."),
    ("left - sided picc line ends in the mid svc . a 1. 5 cm nodule ; no pneumothorax .",
     "Left-sided picc line ends in the mid svc. A 1.5 cm nodule; no pneumothorax."),
    ("  no acute cardiopulmonary process   ", "No acute cardiopulmonary process"),
    ("the lungs are clear.  no effusion ! stable ?", "The lungs are clear. No effusion! Stable?"),
    ("", ""),
])
def test_reports_read_as_written_text(decoded: str, shown: str) -> None:
    assert tidy_report(decoded) == shown


# --- what is not an image ---------------------------------------------------------------------------

def test_files_that_are_not_images_get_clear_refusals_while_the_rest_are_captioned(
    vit_gpt2_folder: Path, xrays: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "notes.txt").write_text("Patient history: cough for two weeks.\nNo fever.\n")
    (bad / "report.dcm").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    (bad / "empty.dcm").write_bytes(b"")
    sr = xray_dicom(bad / "structured-report.dcm", pixels=False)
    items = [
        WorkItem("notes", str(bad / "notes.txt")),
        WorkItem("mono2", str(xrays["mono2"])),
        WorkItem("pdf", str(bad / "report.dcm")),
        WorkItem("sr", str(sr)),
        WorkItem("jpeg", str(xrays["jpeg"])),
        WorkItem("empty", str(bad / "empty.dcm")),
    ]
    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=4)
    outcomes = {o.item.key: o for o in engine.run("medical-report", items, model=str(vit_gpt2_folder),
                                                  options={"max_new_tokens": TOKENS})}
    assert {key: o.error for key, o in outcomes.items() if o.error} == {
        "notes": "not an image: the file holds text",
        "pdf": "not an image: content matches no supported image format",
        "sr": "DICOM file holds no image (no pixel data)",
        "empty": "empty file (0 bytes)",
    }
    for key in ("mono2", "jpeg"):
        assert outcomes[key].result.text and outcomes[key].result.notice == NOTICE
    engine.unload()


def test_the_caption_command_refuses_non_images_one_by_one(
    vit_gpt2_folder: Path, xrays: dict[str, Path], tmp_path: Path, db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    notes = tmp_path / "xrays" / "notes.txt"
    notes.write_text("Patient history: cough for two weeks.\n")
    sr = xray_dicom(tmp_path / "xrays" / "dicom" / "structured-report.dcm", pixels=False)
    code, out, err = run_cli(capsys, "caption", str(notes), str(sr), str(xrays["mono2"]),
                             "--captioner", "medical-report", "--model", str(vit_gpt2_folder),
                             "--max-new-tokens", str(TOKENS), "--dtype", "float32", "--db", str(db_path))
    assert code == 1
    lines = err.splitlines()
    assert lines[:2] == [
        f"{notes}: failed: not a photo or DICOM file the app reads",
        f"{sr.resolve()}: failed: DICOM file holds no image (no pixel data)",
    ]
    assert lines[-1] == "photo-annotator: error: 2 of 3 photos could not be captioned"
    assert len(lines) == 4 and lines[2].startswith("job 1 done: 1 captioned, 1 failed")  # the run's summary
    report, notice = out.splitlines()
    assert report.startswith(f"{xrays['mono2'].resolve()}: ")
    assert notice == f"  [{NOTICE}]"


# --- the notice is stored and shown -----------------------------------------------------------------

def test_the_notice_is_stored_and_shown_by_caption_show_and_photos(
    vit_gpt2_folder: Path, xrays: dict[str, Path], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = xrays["mono2"].parent.parent
    code, out, err = run_cli(capsys, "caption", str(folder), "--captioner", "medical-report", "--json",
                             "--model", str(vit_gpt2_folder), "--max-new-tokens", str(TOKENS),
                             "--dtype", "float32", "--db", str(db_path))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(xrays)
    assert all(r["status"] == "ok" and r["notice"] == NOTICE and r["captioner"] == "medical-report"
               for r in rows)

    code, out, _ = run_cli(capsys, "show", str(xrays["mono1"]), "--json", "--db", str(db_path))
    (caption,) = json.loads(out)["captions"]
    assert caption["notice"] == NOTICE and caption["origin"] == "ai" and caption["state"] == "draft"
    code, out, _ = run_cli(capsys, "show", str(xrays["mono1"]), "--db", str(db_path))
    assert f"    [{NOTICE}]" in out.splitlines()

    code, out, _ = run_cli(capsys, "photos", "--json", "--db", str(db_path))
    listed = [json.loads(line) for line in out.splitlines()]
    assert len(listed) == len(xrays)
    assert all(r["caption_notice"] == NOTICE and r["captioner"] == "medical-report" for r in listed)

    # Captioning again keeps the notice on the new revision.
    code, out, err = run_cli(capsys, "caption", str(xrays["jpeg"]), "--captioner", "medical-report",
                             "--model", str(vit_gpt2_folder), "--max-new-tokens", str(TOKENS),
                             "--dtype", "float32", "--db", str(db_path))
    assert code == 0, err
    code, out, _ = run_cli(capsys, "show", str(xrays["jpeg"]), "--json", "--db", str(db_path))
    (caption,) = json.loads(out)["captions"]
    assert caption["notice"] == NOTICE
    assert [h["action"] for h in caption["history"]] == ["created", "regenerated"]


def test_the_detail_pane_shows_the_notice_under_the_report(
    qtbot: QtBot, catalogue: Catalogue, scanner: Scanner, xrays: dict[str, Path]
) -> None:
    from PySide6.QtWidgets import QLabel

    from desktop_app.ui.widgets.detail.pane import DetailPane

    scanner.scan(xrays["mono2"].parent.parent)
    with catalogue.write() as session:
        photo = find_photo(session, str(xrays["mono2"]))
        store_ai_caption(session, AICaption(photo, "The lungs are clear.", model_id="tiny", confidence=0.4,
                                            notice=NOTICE), captioner_id="medical-report")
        edit_caption(session, find_photo(session, str(xrays["jpeg"])), "Old film, no report", author="ann")
        details = {name: photo_json(photo_with_history(session, find_photo(session, str(xrays[name])).id))
                   for name in ("mono2", "jpeg")}

    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.resize(420, 700)
    pane.show()
    pane.show_photo(details["mono2"])
    assert pane.caption_texts() == ["The lungs are clear."]
    assert pane.caption_notices() == [f"⚠ {NOTICE}"]
    label = pane.findChild(QLabel, "captionNotice")
    qtbot.waitUntil(label.isVisible)  # cards added to a shown pane show from the event loop
    assert label.wordWrap()
    assert "color: #6b4500" in label.styleSheet()  # warning-coloured, not the grey of the facts line
    # Under the report text, in the same card.
    card = label.parent()
    assert card.objectName() == "captionCard"
    text = card.findChild(QLabel, "captionText")
    assert text.geometry().bottom() <= label.geometry().top()

    pane.show_photo(details["jpeg"])  # a caption without a notice shows none
    assert pane.caption_texts() == ["Old film, no report"] and pane.caption_notices() == [None]
