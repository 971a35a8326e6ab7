"""A plugin whose tagger breaks the construction contract: it needs an argument besides the model."""

from desktop_app.plugin_api import Tagger, hookimpl


class NeedsAVocabularyFile(Tagger):
    id = "needs-a-vocabulary-file"
    name = "Needs a file"
    description = "Cannot be built from a model alone."

    def __init__(self, path, model=None):
        super().__init__(model)
        self.path = path

    def load(self, device):
        pass

    def unload(self):
        pass

    def set_vocabulary(self, terms, cache):
        pass

    def suggest(self, items, *, top_n, threshold):
        return [[] for _item in items]


@hookimpl
def register_taggers(register):
    register(NeedsAVocabularyFile("terms.txt"))
