"""A captioner whose constructor needs more than ``model``: the engine could not build a fresh one."""

from desktop_app.plugin_api import hookimpl
from tests.plugins.fake_captioners import FixedCaptioner


class NeedsAnEndpoint(FixedCaptioner):
    id = "needs-an-endpoint"

    def __init__(self, endpoint, model=None, revision=None):
        super().__init__(model, revision)
        self.endpoint = endpoint


@hookimpl
def register_captioners(register):
    register(NeedsAnEndpoint("http://localhost:9000"))
