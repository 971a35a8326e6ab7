"""An embedder whose class is made inside the hook: another process could not find it to rebuild it."""

from desktop_app.plugin_api import hookimpl
from tests.plugins.good_embedder import HashedWordsEmbedder


@hookimpl
def register_embedders(register):
    class LocalEmbedder(HashedWordsEmbedder):
        id = "local-hashed-words"

    register(LocalEmbedder())
