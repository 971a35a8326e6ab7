"""A captioner that says it writes a kind of caption the catalogue does not have."""

from desktop_app.plugin_api import hookimpl
from tests.plugins.fake_captioners import FixedCaptioner


class WritesTitles(FixedCaptioner):
    id = "titles"
    caption_kind = "title"


@hookimpl
def register_captioners(register):
    register(WritesTitles())
