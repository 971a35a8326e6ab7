"""Built-in plugins of Photo Annotator (captioners, embedders).

They are registered through the same ``photo_annotator`` entry-point group and hooks as
third-party plugins, so the built-ins prove the plugin API. The plugin API and the first
captioners are the next milestone; until then this package holds no plugin.
"""
