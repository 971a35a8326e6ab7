"""The catalogue's cache of term-label vectors (LabelVector rows), handed to taggers as
``plugin_api.LabelVectors``: a label is embedded once per model key, ever, and a re-imported
vocabulary embeds only its new labels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from desktop_app.catalogue.models import LabelVector, TermLabel

if TYPE_CHECKING:
    import numpy as np

    from desktop_app.catalogue import Catalogue

_CHUNK = 900  # SQLite's bound-parameter limit, with room to spare
EMBED_BATCH = 256
_WHOLE_KEY = 5_000  # labels asked for at once above which the whole key is read


class CatalogueLabelVectors:
    """Label vectors kept in the catalogue, per model key. ``embedded`` counts the labels this cache
    had to embed (the rest came from the catalogue): what a benchmark prints as the embedding cost."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.embedded = 0

    def vectors(self, key: str, labels: Sequence[str],
                embed: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
        import numpy as np

        wanted = list(dict.fromkeys(labels))
        found = self._stored(key, wanted)
        missing = [label for label in wanted if label not in found]
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start:start + EMBED_BATCH]
            rows = np.asarray(embed(batch), dtype=np.float32)
            self.embedded += len(batch)
            self._store(key, dict(zip(batch, rows, strict=True)))
            found.update(zip(batch, rows, strict=True))
        if not labels:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[label] for label in labels]).astype(np.float32, copy=False)

    def _stored(self, key: str, labels: list[str]) -> dict[str, np.ndarray]:
        import numpy as np

        found: dict[str, np.ndarray] = {}
        wanted = set(labels)
        query = (select(TermLabel.label, LabelVector.vector)
                 .join(LabelVector, LabelVector.label_id == TermLabel.id).where(LabelVector.model_id == key))
        with self.catalogue.read() as session:
            if len(labels) > _WHOLE_KEY:  # a large vocabulary: one pass over the key beats many IN lists
                chunks = [session.execute(query)]
            else:
                chunks = [session.execute(query.where(TermLabel.label.in_(labels[start:start + _CHUNK])))
                          for start in range(0, len(labels), _CHUNK)]
            for rows in chunks:
                for label, blob in rows:
                    if label in wanted and label not in found:
                        found[label] = np.frombuffer(blob, dtype="<f4")
        return found

    def _store(self, key: str, vectors: dict[str, np.ndarray]) -> None:
        """Keep each vector for every label row with that text (the same label in several vocabularies)."""
        import numpy as np

        texts = list(vectors)
        with self.catalogue.write() as session:
            rows = []
            for start in range(0, len(texts), _CHUNK):
                chunk = texts[start:start + _CHUNK]
                have = set(session.scalars(
                    select(LabelVector.label_id).join(TermLabel, TermLabel.id == LabelVector.label_id)
                    .where(LabelVector.model_id == key, TermLabel.label.in_(chunk))))
                for label_id, label in session.execute(select(TermLabel.id, TermLabel.label)
                                                       .where(TermLabel.label.in_(chunk))):
                    if label_id not in have:
                        blob = np.asarray(vectors[label], dtype="<f4").tobytes()
                        rows.append({"label_id": label_id, "model_id": key, "vector": blob})
            if rows:
                session.execute(insert(LabelVector), rows)
