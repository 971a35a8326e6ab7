"""Caption metrics as the COCO caption evaluation computes them (pycocoevalcap).

- Text is tokenized by the Stanford PTB tokenizer (the jar pycocoevalcap ships), lowercased, with the
  same punctuation removed, then scored by pycocoevalcap's BLEU-1..4 ("closest" reference length),
  METEOR 1.5 (its jar, run offline with the machine's Java), ROUGE-L and CIDEr (CIDEr-D; its document
  frequencies come from the references scored together, so a score depends on the whole set).
- SPICE is not computed: it needs Stanford CoreNLP models that pycocoevalcap downloads on first use.
- Without Java, the PTB tokenizer and METEOR cannot run: a simple Python tokenizer stands in (close to
  PTB on everyday captions, not identical) and METEOR is reported unavailable with the reason.

pycocoevalcap is imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

from desktop_app.errors import one_line

log = logging.getLogger(__name__)

METRICS = ("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr")
SPICE_NOTE = ("SPICE is not computed: it needs Stanford CoreNLP models that pycocoevalcap downloads "
              "on first use, and evaluation runs offline")
PTB_TOKENIZER = "PTB tokenizer (Stanford CoreNLP), as in the COCO evaluation"
SIMPLE_TOKENIZER = "simple Python tokenizer (no Java for the PTB tokenizer)"
TOKENIZE_TIMEOUT_S = 300

# Tokens the COCO evaluation drops after PTB tokenization (pycocoevalcap's PUNCTUATIONS).
_PUNCTUATION = frozenset({"''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", "-lrb-", "-rrb-",
                          "-lcb-", "-rcb-", ".", "?", "!", ",", ":", "-", "--", "...", ";"})
# Words, clitics split off as PTB does ("dog's" -> "dog 's", "don't" -> "do n't"), other symbols alone.
_SIMPLE_TOKEN = re.compile(r"\w+(?=n't\b)|n't\b|'\w+|\w+(?:[-.]\w+)*|[^\w\s]+")


class CaptionScores(dict[str, float]):
    """Metric name -> score (a plain dict of the metrics computed), with how they were computed:
    ``unavailable`` names each metric that could not be computed and why, ``tokenizer`` which
    tokenizer prepared the text."""

    def __init__(self, values: Mapping[str, float], unavailable: Mapping[str, str], tokenizer: str) -> None:
        super().__init__(values)
        self.unavailable = dict(unavailable)
        self.tokenizer = tokenizer


def find_java(java: str | None = None) -> str | None:
    """The Java executable: ``java`` if given (a path or a command name), else ``java`` on PATH."""
    return shutil.which(java or "java")


def caption_metrics(references: Mapping[Hashable, Sequence[str]], candidates: Mapping[Hashable, str],
                    java: str | None = None) -> CaptionScores:
    """BLEU-1..4, METEOR, ROUGE-L and CIDEr of ``candidates`` (one caption per id) against
    ``references`` (one or more captions per id; the same ids), over the whole set.

    ``java``: the Java to run the PTB tokenizer and METEOR with (default: ``java`` on PATH); without
    one, METEOR is left out (its reason in ``unavailable``) and a Python tokenizer is used.
    """
    if set(references) != set(candidates):
        raise ValueError("references and candidates must hold the same ids")
    if not candidates:
        raise ValueError("no captions to score")
    if any(not refs for refs in references.values()):
        raise ValueError("every id needs at least one reference caption")
    ids = list(candidates)
    java_path = find_java(java)
    unavailable: dict[str, str] = {}
    texts = [candidates[key] for key in ids] + [ref for key in ids for ref in references[key]]
    tokens: list[str] | None = None
    tokenizer = SIMPLE_TOKENIZER
    if java_path is None:
        unavailable["METEOR"] = "no Java found (METEOR runs its Java implementation); install Java 8+"
    else:
        try:
            tokens = ptb_tokenize(texts, java_path)
            tokenizer = PTB_TOKENIZER
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            log.warning("the PTB tokenizer failed (%s); using the simple tokenizer", one_line(exc))
            tokenizer = f"simple Python tokenizer (the PTB tokenizer failed: {one_line(exc)})"
    if tokens is None:
        tokens = [simple_tokenize(text) for text in texts]
    hypotheses = {key: [tokens[i]] for i, key in enumerate(ids)}
    rest = iter(tokens[len(ids):])
    gts = {key: [next(rest) for _ in references[key]] for key in ids}

    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge

    values: dict[str, float] = {}
    bleu, _ = Bleu(4).compute_score(gts, hypotheses, verbose=0)
    values.update({f"BLEU-{n}": float(score) for n, score in enumerate(bleu, start=1)})
    if java_path is not None:
        try:
            values["METEOR"] = meteor_score(gts, hypotheses, java_path)
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            unavailable["METEOR"] = f"METEOR's Java process failed: {one_line(exc)}"
    values["ROUGE-L"] = float(Rouge().compute_score(gts, hypotheses)[0])
    values["CIDEr"] = float(Cider().compute_score(gts, hypotheses)[0])
    for name, reason in unavailable.items():
        log.info("%s not computed: %s", name, reason)
    ordered = {name: values[name] for name in METRICS if name in values}
    return CaptionScores(ordered, unavailable, tokenizer)


def _package_dir(part: str) -> Path:
    import pycocoevalcap

    # A namespace package (no __init__): its folder comes from __path__.
    return Path(next(iter(pycocoevalcap.__path__))) / part


def ptb_tokenize(texts: Sequence[str], java: str) -> list[str]:
    """Each text PTB-tokenized, lowercased, punctuation dropped, tokens joined by spaces: what
    pycocoevalcap's PTBTokenizer does, with the text on stdin (it writes a temporary file into its
    package folder, which may be read-only)."""
    jar = _package_dir("tokenizer") / "stanford-corenlp-3.4.1.jar"
    lines = "\n".join(" ".join(text.split()) for text in texts)  # one caption per line
    done = subprocess.run(
        [java, "-cp", str(jar), "edu.stanford.nlp.process.PTBTokenizer", "-preserveLines", "-lowerCase",
         "-encoding", "UTF-8"],
        input=lines.encode("utf-8"), capture_output=True, timeout=TOKENIZE_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"exit status {done.returncode}: "
                           f"{one_line(done.stderr.decode('utf-8', 'replace')) or 'no message'}")
    output = done.stdout.decode("utf-8").rstrip("\n").split("\n")
    if len(output) != len(texts):
        raise RuntimeError(f"{len(output)} lines came back for {len(texts)} captions")
    return [" ".join(word for word in line.rstrip().split(" ") if word not in _PUNCTUATION)
            for line in output]


def simple_tokenize(text: str) -> str:
    """A Python approximation of the PTB tokenization above, for machines without Java."""
    words = _SIMPLE_TOKEN.findall(text.lower().replace("\u2019", "'"))
    return " ".join(word for word in words if word not in _PUNCTUATION)


def meteor_score(gts: dict[Any, list[str]], hypotheses: dict[Any, list[str]], java: str) -> float:
    """pycocoevalcap's METEOR 1.5 over the set: English, normalised, with the paraphrase table the
    package bundles (offline)."""
    from pycocoevalcap.meteor.meteor import Meteor

    class JavaMeteor(Meteor):  # type: ignore[misc]
        # Meteor's own __init__ starts "java" from PATH; this one starts the Java given.
        def __init__(self) -> None:
            self.meteor_cmd = [java, "-jar", "-Xmx2G", "meteor-1.5.jar", "-", "-", "-stdio", "-l", "en",
                               "-norm"]
            self.meteor_p = subprocess.Popen(self.meteor_cmd, cwd=_package_dir("meteor"),
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL)
            self.lock = threading.Lock()

        def __del__(self) -> None:
            pass  # the process is ended below, as soon as the score is in

    meteor = JavaMeteor()
    try:
        score, _ = meteor.compute_score(gts, hypotheses)
    finally:
        with contextlib.suppress(OSError):
            meteor.meteor_p.stdin.close()
        meteor.meteor_p.kill()
        meteor.meteor_p.wait()
    return float(score)
