"""A plugin whose hook implementation asks for an argument the hook does not have."""

from desktop_app.plugin_api import hookimpl


@hookimpl
def register_captioners(register, device):
    pass
