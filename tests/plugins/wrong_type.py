"""A plugin that registers a string where a Captioner belongs."""

from desktop_app.plugin_api import hookimpl


@hookimpl
def register_captioners(register):
    register("not a captioner")
