"""An embedder whose load waits for the test to open its gate: a test holds the search thread inside a
model load (as the real text model's first load of a few seconds does) for as long as it needs, without
sleeping. Its vectors are hashed bags of words, like good_embedder's."""

import threading

from desktop_app.plugin_api import hookimpl
from tests.plugins.good_embedder import HashedWordsEmbedder

GATE_TIMEOUT_S = 60  # a test that forgets to open the gate fails instead of hanging


class GatedEmbedder(HashedWordsEmbedder):
    id = "gated-words"
    name = "Gated hashed words"
    description = "Hashed words, loaded only once the test opens the gate."
    default_model = "builtin:gated-words"

    gate = threading.Event()
    loads_started = 0  # loads begun (the search thread is, or was, waiting at the gate)

    def load(self, device):
        type(self).loads_started += 1
        if not self.gate.wait(GATE_TIMEOUT_S):
            raise RuntimeError("the test never opened the gate")


@hookimpl
def register_embedders(register):
    register(GatedEmbedder())
