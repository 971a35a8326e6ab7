"""Number formats: the automatic choice on each kind of hardware (injected, so both branches run on any
machine), and captioning in bfloat16 forced (it runs on any CPU: emulated where the CPU has no bf16).

Exact comparisons elsewhere pin float32. In bfloat16 a batch and one-by-one runs round differently
wherever the hardware accumulates in another order (Intel AMX, GPUs), so a greedy caption may take
another word where two were nearly tied: what is compared here is what stays stable, the probability
of each token on the part of the captions that agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.plugin_api.captioner import CaptionResult
from desktop_app.plugin_api.hf import has_native_bf16, resolve_dtype
from plugins.encoder_decoder import EncoderDecoderCaptioner
from plugins.generic import GenericCaptioner
from tests import photo_files

# Token probabilities, batched vs one by one, in bfloat16. Measured on an AMD EPYC (AVX2, bf16
# emulated): identical (difference 0) for BLIP and ViT-GPT2 over 20 image sets of 6 (120 captions of
# 10 tokens), no caption diverging. Reported on an Intel Xeon with AMX: BLIP up to 1.6% apart. The
# tolerance leaves three times that.
BF16_RELATIVE_TOLERANCE = 0.05


def test_the_automatic_choice_follows_the_hardware_answer() -> None:
    import torch

    def native(*devices: str):  # type: ignore[no-untyped-def]
        return lambda device: device in devices

    assert resolve_dtype("cpu", native_bf16=native("cpu")) is torch.bfloat16  # AVX512-BF16 or AMX
    assert resolve_dtype("cpu", "auto", native_bf16=native()) is torch.float32  # bf16 only emulated
    assert resolve_dtype("cuda:0", native_bf16=native("cuda:0")) is torch.bfloat16  # Ampere and later
    assert resolve_dtype("cuda:0", native_bf16=native("cpu")) is torch.float32  # older GPUs
    assert resolve_dtype("mps", native_bf16=native("cpu")) is torch.float32
    # A number format asked for wins over the hardware.
    assert resolve_dtype("cpu", "float32", native_bf16=native("cpu")) is torch.float32
    assert resolve_dtype("cpu", "bfloat16", native_bf16=native()) is torch.bfloat16
    assert resolve_dtype("cuda", "float16", native_bf16=native("cuda")) is torch.float16


def test_the_hardware_answer_comes_from_torch_feature_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    # torch's own probes are the edge we cannot reach: this test must not depend on the machine.
    for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        monkeypatch.setattr(torch.cpu, probe, lambda: False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: False)
    assert not has_native_bf16("cpu") and not has_native_bf16("cuda") and not has_native_bf16("mps")
    assert resolve_dtype("cpu") is torch.float32 and resolve_dtype("cuda:1") is torch.float32
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True)
    assert has_native_bf16("cpu") and resolve_dtype("cpu") is torch.bfloat16
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True)
    assert resolve_dtype("cpu") is torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: True)
    assert resolve_dtype("cuda:1") is torch.bfloat16
    assert resolve_dtype("mps") is torch.float32


@pytest.fixture(scope="module")
def folders(vit_gpt2_folder: Path, blip_folder: Path, florence2_folder: Path) -> dict[str, Path]:
    return {"vit-gpt2": vit_gpt2_folder, "blip": blip_folder, "florence2": florence2_folder}


def test_a_captioner_loads_in_bfloat16_where_the_hardware_has_it(folders: dict[str, Path],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    for native, expected in ((True, torch.bfloat16), (False, torch.float32)):
        monkeypatch.setattr("desktop_app.plugin_api.hf.has_native_bf16", lambda device, answer=native: answer)
        for requested in (None, "auto"):
            captioner = EncoderDecoderCaptioner(str(folders["vit-gpt2"]))
            captioner.load("cpu", requested)
            assert captioner.dtype is expected and captioner.network.dtype is expected
            captioner.unload()


CAPTIONERS = {"vit-gpt2": (EncoderDecoderCaptioner, {"max_new_tokens": 10}),
              "blip": (GenericCaptioner, {"prompt": "caption", "max_new_tokens": 10}),
              "florence2": (GenericCaptioner, {"prompt": "caption", "max_new_tokens": 10})}


@pytest.mark.parametrize("family", list(CAPTIONERS))
def test_bfloat16_batches_agree_with_one_by_one_within_the_measured_tolerance(
        folders: dict[str, Path], family: str) -> None:
    import torch

    captioner_class, options = CAPTIONERS[family]
    captioner = captioner_class(str(folders[family]))
    captioner.load("cpu", "bfloat16")
    assert captioner.network.dtype is torch.bfloat16
    images = [photo_files.picture(64 + 24 * i, 120 - 12 * i, seed=i) for i in range(6)]
    batch = captioner.caption(images, options)
    alone = [captioner.caption([image], options)[0] for image in images]
    compared = 0
    for together, single in zip(batch, alone, strict=True):
        assert together.text and single.text
        agreeing = common_prefix(together, single)
        assert [t.probability for t in together.token_scores[:agreeing]] == pytest.approx(
            [t.probability for t in single.token_scores[:agreeing]], rel=BF16_RELATIVE_TOLERANCE)
        compared += agreeing
    # Not vacuous: most tokens are compared (a caption diverges at most where two words nearly tie).
    assert compared >= sum(len(result.token_scores) for result in alone) / 2
    captioner.unload()


def common_prefix(first: CaptionResult, second: CaptionResult) -> int:
    """How many leading tokens the two captions share."""
    count = 0
    for a, b in zip(first.token_scores, second.token_scores, strict=False):
        if a.token != b.token:
            break
        count += 1
    return count
