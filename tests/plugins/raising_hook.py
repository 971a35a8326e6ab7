"""A plugin whose hook raises."""

from desktop_app.plugin_api import hookimpl


@hookimpl
def register_captioners(register):
    raise RuntimeError("model table is corrupt")
