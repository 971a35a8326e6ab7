"""Registers a captioner id that fake_captioners already has."""

from desktop_app.plugin_api import hookimpl
from tests.plugins.fake_captioners import FixedCaptioner


@hookimpl
def register_captioners(register):
    register(FixedCaptioner())
