"""A captioner that always uses its own model, whatever the engine asks it to build."""

from desktop_app.plugin_api import hookimpl
from tests.plugins.fake_captioners import FixedCaptioner


class AlwaysItsOwnModel(FixedCaptioner):
    id = "always-its-own-model"

    def __init__(self, model=None, revision=None):
        super().__init__("test/always-this-one", revision)


@hookimpl
def register_captioners(register):
    register(AlwaysItsOwnModel())
