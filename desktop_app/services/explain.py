"""Where the model looked: a heatmap over a photo for one word of its AI caption, shared by
`photo-annotator explain` and the app's detail pane.

The text explained is the one the model wrote: the caption's AI draft (its newest revision a model
created or regenerated), also when an editor has changed the caption since, so the map explains the
words we have, never a new generation. The caption's own captioner and model (the ones that wrote
it) read the draft in one teacher-forced pass (``Captioner.word_attention``, plugin API 1.3).

The map the user sees is a distribution over the photo's area: the model's patch grid stretched back
to the photo's aspect (processors resize to a square) or placed over the part of the photo it saw
(processors that crop), smoothed, summing to 1. Maps are kept per photo, draft, word, model and
method (``Explainer``'s cache), so a word looked at again costs nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.catalogue.models import Caption, CaptionKind, Photo
from desktop_app.catalogue.outcomes import draft_revision
from desktop_app.catalogue.photos import PhotoNotFoundError, find_photo
from desktop_app.plugin_api.explain import METHODS, word_spans

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from desktop_app.captioning.engine import CaptionEngine
    from desktop_app.catalogue import Catalogue

MAP_CELLS = 64  # cells along the photo's longer side in the map the user sees
CACHED_MAPS = 256
# The heatmap over the photo: the haze's opacity where the model did not look, the tint's where it looked
# most, and where on "inferno" the coolest cells start (0.3: purple, not black).
HAZE_OPACITY, TINT_OPACITY, INFERNO_FROM = 0.65, 0.3, 0.3


class ExplainError(Exception):
    """Why a word of a photo's caption cannot be explained, in one line a user can act on."""


@dataclass(frozen=True)
class Draft:
    """The AI draft a photo's caption of one kind started from, and what wrote it."""

    photo_id: int
    path: str
    caption_id: int
    revision: int
    text: str
    captioner_id: str
    model: str
    prompt: str | None


@dataclass(frozen=True)
class Explanation:
    """The map for one word: ``grid`` (rows, columns) over the photo with its aspect ratio, summing to 1."""

    draft: Draft
    word: str  # as written in the draft
    occurrence: int
    span: tuple[int, int]
    tokens: tuple[str, ...]
    grid: np.ndarray
    method: str
    captioner_id: str
    model: str

    def peak(self) -> tuple[int, int]:
        """(row, column) of the map's highest cell."""
        import numpy as np

        row, col = np.unravel_index(int(np.argmax(self.grid)), self.grid.shape)
        return int(row), int(col)

    def to_json(self) -> dict[str, Any]:
        return {
            "photo_id": self.draft.photo_id, "path": self.draft.path, "caption_id": self.draft.caption_id,
            "draft_revision": self.draft.revision, "text": self.draft.text, "word": self.word,
            "occurrence": self.occurrence, "start": self.span[0], "end": self.span[1],
            "tokens": list(self.tokens), "captioner": self.captioner_id, "model": self.model,
            "method": self.method, "rows": int(self.grid.shape[0]), "cols": int(self.grid.shape[1]),
            "grid": [[round(float(value), 8) for value in row] for row in self.grid],
        }


@dataclass(frozen=True)
class ExplainRequest:
    photo: str  # a path or an id, as the command line takes it
    word: str
    occurrence: int = 1
    kind: CaptionKind = CaptionKind.DESCRIPTION
    captioner_id: str | None = None  # None: the captioner that wrote the draft
    model: str | None = None  # None: the model that wrote the draft
    method: str = "auto"


def find_draft(session: Any, photo_ref: str | int, kind: CaptionKind = CaptionKind.DESCRIPTION) -> Draft:
    """The AI draft behind the photo's current caption of ``kind``; ExplainError when there is none."""
    photo: Photo = find_photo(session, str(photo_ref))
    caption: Caption | None = next((c for c in photo.captions if c.is_current and c.kind == kind), None)
    noun = kind.value.replace("-", " ")
    if caption is None:
        raise ExplainError(f"photo {photo.id} has no {noun}: caption it first")
    draft = draft_revision(session, caption.id)
    if draft is None or not caption.captioner_id or not caption.model_id:
        raise ExplainError(f"the {noun} of photo {photo.id} was not written by a model: there is no "
                           "AI draft to explain")
    from desktop_app.catalogue.photos import absolute_path

    return Draft(photo.id, absolute_path(photo.library.root, photo.rel_path), caption.id, draft.number,
                 draft.text, caption.captioner_id, caption.model_id, caption.prompt)


def find_word(text: str, word: str, occurrence: int = 1) -> tuple[int, int]:
    """The characters of the ``occurrence``-th (from 1) ``word`` of ``text``, matched case-insensitively;
    ExplainError listing the text's words when it is not there."""
    spans = word_spans(text)
    wanted = word.strip().casefold()
    found = [span for span in spans if text[span[0]:span[1]].casefold() == wanted]
    if not found:
        listed = ", ".join(dict.fromkeys(text[start:end] for start, end in spans)) or "none"
        raise ExplainError(f"'{word}' is not a word of the AI draft; its words: {listed}")
    if not 1 <= occurrence <= len(found):
        raise ExplainError(f"the AI draft has '{word}' {len(found)} time{'s' if len(found) > 1 else ''}, "
                           f"not {occurrence}")
    return found[occurrence - 1]


def photo_map(grid: np.ndarray, region: Sequence[float], width: int, height: int,
              cells: int = MAP_CELLS) -> np.ndarray:
    """The model's ``grid`` over a ``width`` x ``height`` photo: ``cells`` along its longer side,
    the grid stretched (bilinear) over ``region`` (fractions of the photo), 0 elsewhere, summing to 1."""
    import numpy as np
    from PIL import Image

    longer = max(width, height, 1)
    cols = max(1, round(cells * width / longer))
    rows = max(1, round(cells * height / longer))
    left, top, right, bottom = region
    x0, x1 = round(left * cols), max(round(left * cols) + 1, round(right * cols))
    y0, y1 = round(top * rows), max(round(top * rows) + 1, round(bottom * rows))
    values = Image.fromarray(np.asarray(grid, dtype=np.float32))  # mode "F"
    inner = np.asarray(values.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR), dtype=np.float64)
    full = np.zeros((rows, cols), dtype=np.float64)
    full[y0:y1, x0:x1] = np.clip(inner, 0, None)[: rows - y0, : cols - x0]
    total = float(full.sum())
    return full / total if total > 0 else np.full((rows, cols), 1 / (rows * cols))


def heat_colours(grid: np.ndarray) -> np.ndarray:
    """RGBA (rows, columns, 4) uint8 for a map, readable on any photo: where the model did not look the
    photo is dimmed under a dark purple haze, and where it looked the haze clears to a light yellow tint
    (matplotlib's "inferno" from purple to yellow). A tint alone vanishes on photos of the map's own
    colours (an orange flower under orange)."""
    import numpy as np
    from matplotlib import colormaps

    peak = float(grid.max())
    heat = np.sqrt(grid / peak if peak > 0 else grid)  # sqrt: the map's weaker parts still show
    rgba = colormaps["inferno"](INFERNO_FROM + (1 - INFERNO_FROM) * heat)
    rgba[..., 3] = HAZE_OPACITY * (1 - heat) + TINT_OPACITY * heat
    return np.asarray(np.round(rgba * 255), dtype=np.uint8)


def overlay(image: Image.Image, grid: np.ndarray) -> Image.Image:
    """The photo with the map over it, at the photo's size."""
    from PIL import Image as PILImage

    heat = PILImage.fromarray(heat_colours(grid))  # RGBA
    heat = heat.resize(image.size, PILImage.Resampling.BILINEAR)
    return PILImage.alpha_composite(image.convert("RGBA"), heat).convert("RGB")


@dataclass
class Explainer:
    """Explains words with the engine's models (loaded on first use, cached by the engine) and keeps the
    maps it made. Not thread-safe: one thread (the app's inference worker, a command) uses it."""

    catalogue: Catalogue
    engine: CaptionEngine
    cached: int = CACHED_MAPS
    _maps: OrderedDict[tuple[Any, ...], Explanation] = field(default_factory=OrderedDict)

    def explain(self, photo: str | int, word: str, occurrence: int = 1, *,
                kind: CaptionKind = CaptionKind.DESCRIPTION, captioner_id: str | None = None,
                model: str | None = None, method: str = "auto") -> Explanation:
        """The map for ``word`` (its ``occurrence``-th) of the photo's caption of ``kind``."""
        (answer,) = self.explain_many([ExplainRequest(str(photo), word, occurrence, kind, captioner_id, model,
                                                      method)])
        if isinstance(answer, ExplainError):
            raise answer
        return answer

    def explain_many(self, requests: Sequence[ExplainRequest]) -> list[Explanation | ExplainError]:
        """One answer per request, in order: photos explained by the same model go through it as one batch."""
        answers: list[Explanation | ExplainError | None] = [None] * len(requests)
        pending: dict[tuple[Any, ...], list[tuple[int, Draft, tuple[int, int], str]]] = {}
        for index, request in enumerate(requests):
            if request.method not in METHODS:
                answers[index] = ExplainError(f"method must be one of {', '.join(METHODS)}")
                continue
            try:
                with self.catalogue.read() as session:
                    draft = find_draft(session, request.photo, request.kind)
                span = find_word(draft.text, request.word, request.occurrence)
            except (ExplainError, PhotoNotFoundError) as exc:
                answers[index] = exc if isinstance(exc, ExplainError) else ExplainError(str(exc))
                continue
            captioner_id = request.captioner_id or draft.captioner_id
            model = request.model or draft.model
            key = (draft.photo_id, draft.caption_id, draft.revision, span, captioner_id, model,
                   request.method)
            if key in self._maps:
                self._maps.move_to_end(key)
                answers[index] = self._maps[key]
                continue
            batch = (captioner_id, model, draft.prompt, request.method)
            pending.setdefault(batch, []).append((index, draft, span, request.word))
            answers[index] = None
        for (captioner_id, model, prompt, method), entries in pending.items():
            found = self._run(captioner_id, model, prompt, method, entries)
            for (index, *_rest), answer in zip(entries, found, strict=True):
                answers[index] = answer
                if isinstance(answer, Explanation):
                    self._remember(answer, method)
        return [answer if answer is not None else ExplainError("not explained") for answer in answers]

    def _run(self, captioner_id: str, model: str, prompt: str | None, method: str,
             entries: list[tuple[int, Draft, tuple[int, int], str]]) -> list[Explanation | ExplainError]:
        from desktop_app.captioning.engine import decode_for
        from desktop_app.plugin_api.hf import ModelLoadError, ModelNotAvailableError
        from desktop_app.plugin_registry import UnknownCaptionerError

        try:
            captioner = self.engine.captioner(captioner_id, model)
        except (ModelNotAvailableError, ModelLoadError, UnknownCaptionerError) as exc:
            # Each photo of the batch fails with the reason (the model is gone, the plugin uninstalled).
            return [ExplainError(str(exc)) for _entry in entries]
        options: dict[str, Any] = {"method": method}
        if prompt and any(spec.name == "prompt" for spec in captioner.options):
            options["prompt"] = prompt  # the text continued a prompt: the model reads it after that prompt
        images: list[Any] = []
        answers: list[Explanation | ExplainError | None] = []
        for _index, draft, _span, _word in entries:
            image, reason = decode_for(captioner, draft.path)
            images.append(image)
            answers.append(None if image is not None else ExplainError(f"{draft.path}: {reason}"))
        ready = [i for i, answer in enumerate(answers) if answer is None]
        maps = captioner.word_attention([images[i] for i in ready], [entries[i][1].text for i in ready],
                                        [entries[i][2] for i in ready], options) if ready else []
        for i, found in zip(ready, maps, strict=True):
            _index, draft, span, _word = entries[i]
            if found is None:
                answers[i] = ExplainError(f"not available for this model: {captioner_id} ({model}) "
                                          "cannot say where it looked")
                continue
            width, height = images[i].size
            answers[i] = Explanation(draft, draft.text[span[0]:span[1]], _occurrence(draft.text, span), span,
                                     found.tokens, photo_map(found.grid, found.region, width, height),
                                     found.method, captioner_id, model)
        return [answer for answer in answers if answer is not None]

    def _remember(self, explanation: Explanation, method: str) -> None:
        draft = explanation.draft
        key = (draft.photo_id, draft.caption_id, draft.revision, explanation.span, explanation.captioner_id,
               explanation.model, method)
        self._maps[key] = explanation
        while len(self._maps) > self.cached:
            self._maps.popitem(last=False)


def _occurrence(text: str, span: tuple[int, int]) -> int:
    wanted = text[span[0]:span[1]].casefold()
    return sum(1 for start, end in word_spans(text)
               if start <= span[0] and text[start:end].casefold() == wanted)
