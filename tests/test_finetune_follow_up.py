"""After enough approvals the app suggests fine-tuning (services/finetune.py); after a fine-tune, the new
model is evaluated beside the one it started from on the held-out split (the train job's end), and
`photo-annotator train` prints the table."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Job, JobState, utcnow
from desktop_app.catalogue.outcomes import ReviewOutcome
from desktop_app.jobs.store import TRAIN_JOB
from desktop_app.library.scanner import Scanner
from desktop_app.services.finetune import approvals_since_fine_tune, fine_tune_suggestions
from desktop_app.services.review import APPROVE, EDIT, REJECT, Change, review
from tests.cli_helpers import cli_on
from tests.review_queue_samples import Sample, approved_cars, build
from tests.tiny_models.vision_encoder_decoder import vit_gpt2


def test_approvals_are_counted_per_captioner_since_its_last_fine_tune(catalogue: Catalogue) -> None:
    ids = build(catalogue, [Sample(f"e{n}", 0.5, axis=None) for n in range(5)],
                captioner_id="encoder-decoder")
    other = build(catalogue, [Sample(f"g{n}", 0.5, axis=None) for n in range(2)], root="/more",
                  captioner_id="generic")
    review(catalogue, str(ids["e0"]), Change(APPROVE), author="ana")
    review(catalogue, str(ids["e1"]), Change(APPROVE, text="a better caption"), author="ana")  # edited
    review(catalogue, str(ids["e2"]), Change(REJECT), author="ana")  # not an approval
    review(catalogue, str(ids["e3"]), Change(EDIT, text="still a draft"), author="ana")  # not decided
    review(catalogue, str(other["g0"]), Change(APPROVE), author="ana")
    counts = {found.captioner_id: (found.approved, found.since)
              for found in approvals_since_fine_tune(catalogue)}
    assert counts == {"encoder-decoder": (2, None), "generic": (1, None)}
    assert [found.captioner_id for found in fine_tune_suggestions(catalogue, after=2)] == ["encoder-decoder"]

    # A fine-tune of encoder-decoder finished after those approvals: they no longer count.
    finished = utcnow() + timedelta(seconds=1)
    with catalogue.write() as session:
        session.add(Job(kind=TRAIN_JOB, state=JobState.DONE, captioner_id="encoder-decoder", options={},
                        finished_at=finished))
        # One that failed later changes nothing.
        session.add(Job(kind=TRAIN_JOB, state=JobState.FAILED, captioner_id="encoder-decoder", options={},
                        finished_at=finished + timedelta(hours=1)))
    assert [found.captioner_id for found in fine_tune_suggestions(catalogue, after=1)] == ["generic"]
    review(catalogue, str(ids["e4"]), Change(APPROVE), author="ana")
    with catalogue.write() as session:  # decided after the fine-tune finished
        session.execute(update(ReviewOutcome).where(ReviewOutcome.photo_id == ids["e4"])
                        .values(decided_at=finished + timedelta(minutes=1)))
    counts = {found.captioner_id: (found.approved, found.since)
              for found in approvals_since_fine_tune(catalogue)}
    assert counts["encoder-decoder"] == (1, finished)


@pytest.fixture
def approved(tmp_path: Path, catalogue: Catalogue, scanner: Scanner) -> None:
    """Eight photos, two of each colour, captioned "a COLOUR car" and approved."""
    approved_cars(tmp_path / "library", scanner, catalogue)


def test_train_evaluates_the_new_model_beside_its_base_and_prints_the_table(
        tmp_path: Path, approved: None, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = vit_gpt2(tmp_path / "tiny-vit-gpt2")
    cli = cli_on(capsys, db_path)
    ran = cli("train", "--captioner", "encoder-decoder", "--model", str(base),
              "--output", str(tmp_path / "out"),
              "--epochs", "1", "--batch-size", "4", "--validation-share", "0.25", "--device", "cpu", "--json")
    assert ran.code == 0, ran.err
    done = ran.json_lines()[-1]
    evaluation = done["evaluation"]
    # The photos held out from the training, the same split as the trainer's.
    assert evaluation["split"] == "validation" and evaluation["pairs"] == done["validation_pairs"] >= 1
    assert [model["model"] for model in evaluation["models"]] == [str(base), str(tmp_path / "out" / "v1")]
    assert all(model["pairs"] == done["validation_pairs"] and "BLEU-1" in model["metrics"]
               for model in evaluation["models"])
    assert done["evaluation_note"] is None
    # On the terminal: the summary, then the table `evaluate` prints, base and new model side by side.
    ran = cli("train", "--captioner", "encoder-decoder", "--model", str(base),
              "--output", str(tmp_path / "out"), "--epochs", "1", "--batch-size", "4", "--validation-share",
              "0.25", "--device", "cpu")
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    start = lines.index(f"evaluated on {done['validation_pairs']} held-out approved captions:")
    assert lines[start + 1].split() == ["tiny-vit-gpt2", "v2"]
    figures = {line.split()[0]: line.split()[1:] for line in lines[start + 2:]}
    assert figures["pairs"] == [str(done["validation_pairs"])] * 2 and len(figures["BLEU-1"]) == 2
