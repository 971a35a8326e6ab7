"""A working plugin offering a tagger: a term is suggested when one of its labels is a word of the
caption (no model needed). Its score says which label matched: 0.9 the preferred one, 0.7 a synonym."""

import threading

from desktop_app.plugin_api import Suggestion, Tagger, TaggerInput, hookimpl

SUGGESTED_ON: list[threading.Thread] = []  # the thread of each suggest call: the GUI tests check it


class CaptionWordsTagger(Tagger):
    id = "caption-words"
    name = "Caption words"
    description = "Terms whose label is a word of the caption."
    default_model = "builtin:caption-words"
    inputs = frozenset({TaggerInput.CAPTION})
    default_threshold = 0.5
    default_top_n = 5

    def load(self, device):
        self.loaded_on = device

    def unload(self):
        self.terms = []

    def set_vocabulary(self, terms, cache):
        self.terms = list(terms)
        # Through the catalogue's cache like a real tagger: one "vector" per label, its length.
        labels = [label for term in self.terms for label in term.labels]
        self.vectors = cache.vectors(f"{self.model}|length", labels, _lengths)

    def suggest(self, items, *, top_n, threshold):
        SUGGESTED_ON.append(threading.current_thread())
        results = []
        for item in items:
            words = set((item.caption or "").lower().replace(".", " ").split())
            found = []
            for term in self.terms:
                for rank, label in enumerate(term.labels):
                    if label.lower() in words:
                        found.append(Suggestion(term.term_id, 0.9 if rank == 0 else 0.7, (label,)))
                        break
            found = [s for s in found if s.score >= threshold]
            results.append(sorted(found, key=lambda s: -s.score)[:top_n])
        return results


def _lengths(labels):
    import numpy as np

    return np.array([[float(len(label)), 1.0] for label in labels], dtype=np.float32) / np.array(
        [[np.hypot(len(label), 1.0)] for label in labels], dtype=np.float32)


@hookimpl
def register_taggers(register):
    register(CaptionWordsTagger())
